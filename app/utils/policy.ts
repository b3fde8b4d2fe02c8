/**
 * The one place that decides who may see or change what.
 * Loaders, actions and socket handlers ask `can(...)`; nothing checks roles inline.
 * Pure and free of server imports, so the interface can also use it to hide what a person may not do.
 */
import type {
  AttributionRule,
  CommitmentVisibility,
  DocumentVisibility,
  EventStatus,
  EventVisibility,
  Membership,
  PersonStatus,
  Role,
} from "../domain/vocabulary";

export interface Actor {
  id: number;
  role: Role;
  status: PersonStatus;
  organisationId: number | null;
  /** The stakeholder group of the actor's organisation, if any. */
  stakeholderGroup?: string | null;
}

/** What each action needs to know about its target (`undefined`: the action has none). */
interface Targets {
  "home.view": undefined;
  "account.manage": undefined;
  "realtime.connect": undefined;
  "people.view": undefined;
  "people.invite": undefined;
  "person.changeRole": { id: number };
  "person.deactivate": { id: number };
  "person.reactivate": { id: number };
  /** Lifting the sign-in limits on a person's account (after failed attempts). */
  "person.liftSignInLimits": { id: number };
  /** Making a single-use link for a person to set a new password, to hand over to them. */
  "person.createPasswordReset": { id: number };
  "person.resetSecondFactor": { id: number };
  "organisations.view": undefined;
  "organisation.manage": undefined;
  "invitations.view": undefined;
  "invitation.revoke": undefined;
  "audit.view": undefined;
  "session.revoke": { userId: number };
  /** Signing in with a password alone, and turning one's second factor off: everyone but the secretariat. */
  "secondFactor.skip": undefined;
  "event.view": { status: EventStatus; visibility: EventVisibility; invitedGroups: readonly string[] };
  "event.manage": undefined;
  /** Editing a session on the timetable: `trackLeadIds` are the facilitators leading its track at this event. */
  "agenda.edit": { trackLeadIds: readonly number[] };
  /** Being named to lead a track at an event (the actor here is the person named). */
  "agenda.leadTrack": undefined;
  /** Taking a place (or joining the waiting list) in a session with limited places: everyone who takes part, not observers. */
  "session.takePlace": undefined;
  "workingGroups.manage": undefined;
  /** `membership`: the actor's place in the working group, if any. */
  "workingGroup.view": { membership: Membership | null };
  "document.create": { membership: Membership | null };
  "document.view": { visibility: DocumentVisibility; membership: Membership | null };
  /** Changing a document's text, making named versions and restoring them. */
  /** `frozen`: nobody may change it any more (a breakout room's notes once the rooms have closed). */
  "document.edit": { membership: Membership | null; frozen?: boolean };
  /** Title, summary, visibility, review and publishing: the working group's lead and the secretariat. */
  "document.manage": { leadId: number | null };
  /** A published, frozen version; `visibility` is the one it was published with. */
  "publication.view": { visibility: DocumentVisibility; membership: Membership | null };
  /** Forum cycles: opening, carry-over decisions, closing, highlights and the report. */
  "cycles.manage": undefined;
  /** The registry and dashboards of commitments (each commitment is still checked on its own). */
  "commitments.view": undefined;
  /** `organisationIds`: the organisations behind the commitment (lead and supporting). */
  "commitment.view": { visibility: CommitmentVisibility; organisationIds: readonly number[] };
  /** Recording a commitment with `leadOrganisationId` as its lead. */
  "commitment.create": { leadOrganisationId: number | null };
  /** Editing a commitment's details and milestones: its lead organisation and the secretariat. */
  "commitment.edit": { leadOrganisationId: number | null };
  /** Posting progress: people of any organisation behind the commitment, and the secretariat. */
  "commitment.report": { organisationIds: readonly number[] };
  "progress.verify": undefined;
  /** Bulk entry of commitments from a CSV file. */
  "commitments.import": undefined;
  /**
   * Preparing and running a breakout session: its rooms, assignment, opening and closing, timer, broadcasts and
   * moving people. `managerIds`: the facilitators leading the session's track and those named to its rooms.
   */
  "breakout.manage": { managerIds: readonly number[] };
  /** Choosing one's own breakout room (or stating a preferred pillar): everyone who takes part, not observers. */
  "breakout.choose": undefined;
  /** Reading a breakout room: live while it runs, and its chat and notes afterwards. */
  "breakoutRoom.view": BreakoutRoomTarget;
  /** Taking part in a room: chat, raising a hand, writing its notes. */
  "breakoutRoom.speak": BreakoutRoomTarget;
  /** Writing a room's report-back: its rapporteur and the session's managers. */
  "breakoutRoom.report": { rapporteurId: number | null; managerIds: readonly number[] };
  /**
   * Seeing who said what in a breakout session: always on the record; under Chatham House only inside the room
   * while it runs (`inRoom`); under "stakeholder group only" never. The audit log is read through `audit.view`.
   */
  "breakout.seeNames": { attribution: AttributionRule; inRoom: boolean };
  /** Commenting on a passage of a document's live text (and replying): everyone who may read it (decision 038). */
  "document.comment": { visibility: DocumentVisibility; membership: Membership | null };
  /**
   * Resolving or reopening a comment thread: its author, whoever manages the document (its group's lead, the
   * secretariat) and its editors (decision 038).
   */
  "comment.resolve": { authorId: number; leadId: number | null; membership: Membership | null };
  /** Deleting a comment (with its replies): its author only. */
  "comment.delete": { authorId: number };
}

/** What the policy needs to know about one breakout room and one person. */
export interface BreakoutRoomTarget {
  roomId: number;
  /** The room the person is assigned to in this session, if any. */
  assignedRoomId: number | null;
  facilitatorId: number | null;
  rapporteurId: number | null;
  managerIds: readonly number[];
  observersMayWatch: boolean;
}

export type Action = keyof Targets;
export const actions = [
  "home.view",
  "account.manage",
  "realtime.connect",
  "people.view",
  "people.invite",
  "person.changeRole",
  "person.deactivate",
  "person.reactivate",
  "person.liftSignInLimits",
  "person.createPasswordReset",
  "person.resetSecondFactor",
  "organisations.view",
  "organisation.manage",
  "invitations.view",
  "invitation.revoke",
  "audit.view",
  "session.revoke",
  "secondFactor.skip",
  "event.view",
  "event.manage",
  "agenda.edit",
  "agenda.leadTrack",
  "session.takePlace",
  "workingGroups.manage",
  "workingGroup.view",
  "document.create",
  "document.view",
  "document.edit",
  "document.manage",
  "publication.view",
  "cycles.manage",
  "commitments.view",
  "commitment.view",
  "commitment.create",
  "commitment.edit",
  "commitment.report",
  "progress.verify",
  "commitments.import",
  "breakout.manage",
  "breakout.choose",
  "breakoutRoom.view",
  "breakoutRoom.speak",
  "breakoutRoom.report",
  "breakout.seeNames",
  "document.comment",
  "comment.resolve",
  "comment.delete",
] as const satisfies readonly Action[];

export type TargetArgs<A extends Action> = Targets[A] extends undefined ? [] : [target: Targets[A]];

const secretariatOnly = (actor: Actor) => actor.role === "secretariat";

const rules: { [A in Action]: (actor: Actor, target: Targets[A]) => boolean } = {
  "home.view": () => true,
  "account.manage": () => true,
  "realtime.connect": () => true,
  "people.view": secretariatOnly,
  "people.invite": secretariatOnly,
  // The secretariat cannot demote or deactivate itself: someone must always be able to run the forum.
  "person.changeRole": (actor, t) => secretariatOnly(actor) && t.id !== actor.id,
  "person.deactivate": (actor, t) => secretariatOnly(actor) && t.id !== actor.id,
  "person.reactivate": (actor, t) => secretariatOnly(actor) && t.id !== actor.id,
  "person.liftSignInLimits": secretariatOnly,
  // Their own password is changed on the account page, with the current one.
  "person.createPasswordReset": (actor, t) => secretariatOnly(actor) && t.id !== actor.id,
  // Another secretariat member clears a lost second factor; nobody clears their own this way.
  "person.resetSecondFactor": (actor, t) => secretariatOnly(actor) && t.id !== actor.id,
  "organisations.view": secretariatOnly,
  "organisation.manage": secretariatOnly,
  "invitations.view": secretariatOnly,
  "invitation.revoke": secretariatOnly,
  "audit.view": secretariatOnly,
  "session.revoke": (actor, t) => t.userId === actor.id,
  // The secretariat's accounts hold the keys to everything confidential: they always need a second factor.
  "secondFactor.skip": (actor) => !secretariatOnly(actor),
  "event.view": (actor, t) => {
    if (actor.role === "secretariat") return true;
    if (t.status === "draft") return false;
    if (t.visibility === "groups") return !!actor.stakeholderGroup && t.invitedGroups.includes(actor.stakeholderGroup);
    return true;
  },
  "event.manage": secretariatOnly,
  "agenda.edit": (actor, t) => actor.role === "secretariat" || (actor.role === "facilitator" && t.trackLeadIds.includes(actor.id)),
  "agenda.leadTrack": (actor) => actor.role === "facilitator",
  "session.takePlace": (actor) => actor.role !== "observer",
  "workingGroups.manage": secretariatOnly,
  "workingGroup.view": (actor, t) => actor.role === "secretariat" || t.membership !== null,
  "document.create": (actor, t) => actor.role === "secretariat" || mayWrite(actor, t.membership),
  "document.view": (actor, t) => actor.role === "secretariat" || t.membership !== null || t.visibility !== "group",
  "document.edit": (actor, t) => !t.frozen && (actor.role === "secretariat" || mayWrite(actor, t.membership)),
  "document.manage": (actor, t) => actor.role === "secretariat" || (actor.role !== "observer" && t.leadId === actor.id),
  "publication.view": (actor, t) => actor.role === "secretariat" || t.membership !== null || t.visibility !== "group",
  "cycles.manage": secretariatOnly,
  "commitments.view": () => true,
  "commitment.view": (actor, t) => actor.role === "secretariat" || t.visibility !== "secretariat" || ownsOne(actor, t.organisationIds),
  "commitment.create": (actor, t) =>
    actor.role === "secretariat" ||
    (actor.role !== "observer" && t.leadOrganisationId !== null && t.leadOrganisationId === actor.organisationId),
  "commitment.edit": (actor, t) =>
    actor.role === "secretariat" ||
    (actor.role !== "observer" && t.leadOrganisationId !== null && t.leadOrganisationId === actor.organisationId),
  "commitment.report": (actor, t) => actor.role === "secretariat" || (actor.role !== "observer" && ownsOne(actor, t.organisationIds)),
  "progress.verify": secretariatOnly,
  "commitments.import": secretariatOnly,
  "breakout.manage": (actor, t) => actor.role === "secretariat" || (actor.role === "facilitator" && t.managerIds.includes(actor.id)),
  "breakout.choose": (actor) => actor.role !== "observer",
  "breakoutRoom.view": (actor, t) =>
    actor.role === "secretariat" || (actor.role === "observer" ? t.observersMayWatch : inBreakoutRoom(actor, t)),
  "breakoutRoom.speak": (actor, t) => actor.role !== "observer" && (inBreakoutRoom(actor, t) || actor.role === "secretariat"),
  "breakoutRoom.report": (actor, t) =>
    actor.role === "secretariat" ||
    (actor.role !== "observer" && (t.rapporteurId === actor.id || (actor.role === "facilitator" && t.managerIds.includes(actor.id)))),
  "breakout.seeNames": (_actor, t) => t.attribution === "on_record" || (t.attribution === "chatham_house" && t.inRoom),
  "document.comment": (actor, t) => rules["document.view"](actor, t),
  "comment.resolve": (actor, t) =>
    t.authorId === actor.id || rules["document.manage"](actor, t) || rules["document.edit"](actor, { membership: t.membership }),
  "comment.delete": (actor, t) => t.authorId === actor.id,
};

/** Assigned to the room, or running it (its facilitator or rapporteur, or a manager of the session). */
function inBreakoutRoom(actor: Actor, t: BreakoutRoomTarget): boolean {
  return (
    t.assignedRoomId === t.roomId ||
    t.facilitatorId === actor.id ||
    t.rapporteurId === actor.id ||
    (actor.role === "facilitator" && t.managerIds.includes(actor.id))
  );
}

/** Whether the actor belongs to one of these organisations. */
function ownsOne(actor: Actor, organisationIds: readonly number[]): boolean {
  return actor.organisationId !== null && organisationIds.includes(actor.organisationId);
}

/** Observers read; everyone else writes where their working group made them an editor. */
function mayWrite(actor: Actor, membership: Membership | null): boolean {
  return actor.role !== "observer" && membership === "editor";
}

export function can<A extends Action>(actor: Actor | null | undefined, action: A, ...target: TargetArgs<A>): boolean {
  // Without an account, only a published public event or a public published document can be seen.
  if (!actor) {
    if (action === "publication.view") return (target[0] as Targets["publication.view"]).visibility === "public";
    if (action === "commitment.view") return (target[0] as Targets["commitment.view"]).visibility === "public";
    const event = target[0] as Targets["event.view"] | undefined;
    return action === "event.view" && event?.status === "published" && event.visibility === "public";
  }
  if (actor.status !== "active") return false;
  const rule = rules[action] as (actor: Actor, target: Targets[A] | undefined) => boolean;
  return rule(actor, target[0]);
}
