/**
 * Data a test makes for itself, through the same model functions the pages call, so that no test
 * depends on (or disturbs) what another one changes. The seeded demo forum stays for reading.
 */
import type { Db } from "../../db/client";
import { getEvent, saveSession, type AgendaEvent, type SessionInput } from "../../app/models/agenda.server";
import { createCommitment, type CommitmentInput } from "../../app/models/commitments.server";
import { createDocument } from "../../app/models/documents.server";
import { actorFor } from "../../app/models/people.server";
import { saveEvent, setEventStatus, type EventInput } from "../../app/models/events.server";
import { acceptInvitation, createInvitation } from "../../app/models/invitations.server";
import { addMember, createWorkingGroup } from "../../app/models/working-groups.server";
import type {
  AttributionRule,
  CommitmentVisibility,
  DocumentVisibility,
  EventVisibility,
  Membership,
  Role,
  SessionKind,
} from "../../app/domain/vocabulary";
import type { Actor } from "../../app/utils/policy";

const meta = { ipAddress: null, userAgent: "test" };
export const SECRETARIAT = "secretariat@convene.example";

let made = 0;
/** A suffix no other test of the run (in any worker) will pick. */
export function unique(): string {
  return `${process.pid.toString(36)}${(++made).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

function refused(what: string, result: unknown): never {
  throw new Error(`${what} was refused: ${JSON.stringify(result)}`);
}

function row<T>(db: Db, sql: string, ...args: unknown[]): T {
  const found = db.$client.prepare(sql).get(...args) as T | undefined;
  if (!found) throw new Error(`nothing found for ${sql} (${args.join(", ")})`);
  return found;
}

export function userIdOf(db: Db, email: string): number {
  return row<{ id: number }>(db, "SELECT id FROM users WHERE email = ?", email).id;
}

/** A person as the policy sees them, read fresh. */
export function actorOf(db: Db, who: string | number): Actor {
  return actorFor(db, typeof who === "number" ? who : userIdOf(db, who)) ?? refused(`finding ${who}`, null);
}

export function organisationIdOf(db: Db, name: string): number {
  return row<{ id: number }>(db, "SELECT id FROM organisations WHERE name = ?", name).id;
}

export function pillarIdOf(db: Db, slug: string): number {
  return row<{ id: number }>(db, "SELECT id FROM pillars WHERE slug = ?", slug).id;
}

export interface Person {
  id: number;
  email: string;
  name: string;
  password: string;
}

/** A new person, invited by the secretariat and accepted as a newcomer would. */
export async function makePerson(
  db: Db,
  options: { role?: Role; organisation?: string | null; name?: string; password?: string } = {},
): Promise<Person> {
  const suffix = unique();
  const email = `person-${suffix}@example.org`;
  const name = options.name ?? `Person ${suffix}`;
  const password = options.password ?? `password for ${suffix}`;
  const organisationId = options.organisation ? organisationIdOf(db, options.organisation) : null;
  const invitation = createInvitation(
    db,
    actorOf(db, SECRETARIAT),
    { email, role: options.role ?? "delegate", organisationId },
    { baseUrl: "http://localhost", compose: (link) => ({ subject: "Invitation", body: link }) },
    meta,
  );
  if (!invitation.ok) refused("inviting a person", invitation);
  const token = new URL(invitation.link).pathname.split("/").pop()!;
  const accepted = await acceptInvitation(db, token, { name, password }, meta);
  if (!accepted.ok) refused("accepting an invitation", accepted);
  return { id: accepted.userId, email, name, password };
}

export interface TestEvent {
  id: number;
  title: string;
  startsOn: string;
  endsOn: string;
  timeZone: string;
  /** Every day of the event, first to last. */
  days: string[];
  /** Room ids by name. */
  rooms: Record<string, number>;
  row: AgendaEvent;
}

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A convening of its own, created and (unless asked otherwise) published by the secretariat. */
export function makeEvent(
  db: Db,
  options: {
    title?: string;
    startsOn?: string;
    days?: number;
    timeZone?: string;
    rooms?: string[];
    published?: boolean;
    visibility?: EventVisibility;
    registrationRequiresApproval?: boolean;
    /** A series for the convening to belong to (none by default). */
    seriesId?: number;
  } = {},
): TestEvent {
  const secretariat = actorOf(db, SECRETARIAT);
  const startsOn = options.startsOn ?? addDays(new Date().toISOString().slice(0, 10), 30);
  const days = Array.from({ length: options.days ?? 2 }, (_, i) => addDays(startsOn, i));
  const input: EventInput = {
    kind: "convening",
    seriesId: options.seriesId ?? null,
    title: options.title ?? `Convening ${unique()}`,
    description: "",
    startsOn,
    endsOn: days.at(-1)!,
    timeZone: options.timeZone ?? "Europe/Brussels",
    venue: null,
    onlineUrl: null,
    visibility: options.visibility ?? "members",
    invitedGroups: [],
    registrationRequiresApproval: options.registrationRequiresApproval ?? false,
    rooms: options.rooms ?? ["Main hall", "Room A", "Room B"],
  };
  const saved = saveEvent(db, secretariat, null, input, meta);
  if (!saved.ok) refused("creating an event", saved);
  if (options.published ?? true) {
    const published = setEventStatus(db, secretariat, saved.eventId, "published", meta);
    if (!published.ok) refused("publishing an event", published);
  }
  const event = getEvent(db, saved.eventId)!;
  const rooms = Object.fromEntries(
    (db.$client.prepare("SELECT id, name FROM rooms WHERE event_id = ?").all(event.id) as { id: number; name: string }[]).map((r) => [
      r.name,
      r.id,
    ]),
  );
  return { id: event.id, title: event.title, startsOn, endsOn: event.endsOn, timeZone: event.timeZone, days, rooms, row: event };
}

/** A session at a test's event, saved by the secretariat (clashes accepted: the test chose the slot). */
export function makeSession(
  db: Db,
  event: TestEvent,
  options: {
    title: string;
    start: string;
    end: string;
    room?: string | null;
    date?: string;
    kind?: SessionKind;
    pillar?: string | null;
    description?: string;
    speakerIds?: number[];
    attribution?: AttributionRule;
  },
): number {
  const input: SessionInput = {
    title: options.title,
    kind: options.kind ?? "workshop",
    description: options.description ?? "",
    roomId: options.room === null ? null : event.rooms[options.room ?? Object.keys(event.rooms)[0]!]!,
    pillarId: options.pillar ? pillarIdOf(db, options.pillar) : null,
    date: options.date ?? event.startsOn,
    startTime: options.start,
    endTime: options.end,
    capacity: null,
    attribution: options.attribution ?? "on_record",
    speakerIds: options.speakerIds ?? [],
    guests: [],
  };
  const saved = saveSession(db, actorOf(db, SECRETARIAT), event.row, null, input, { acceptConflicts: true }, meta);
  if (!saved.ok) refused("saving a session", saved);
  return saved.sessionIds[0]!;
}

/** A working group of its own (led by `lead`, with `members`) and one empty document in it. */
export function makeGroupWithDocument(
  db: Db,
  options: {
    lead: string | number;
    members?: Record<string, Membership> | [string | number, Membership][];
    title?: string;
    visibility?: DocumentVisibility;
    pillar?: string;
  },
): { groupId: number; groupName: string; documentId: number; title: string } {
  const secretariat = actorOf(db, SECRETARIAT);
  const idOf = (who: string | number) => (typeof who === "number" ? who : userIdOf(db, who));
  const groupName = `Group ${unique()}`;
  const group = createWorkingGroup(
    db,
    secretariat,
    { name: groupName, description: "", pillarId: pillarIdOf(db, options.pillar ?? "knowledge-sharing"), leadId: idOf(options.lead) },
    meta,
  );
  if (!group.ok) refused("creating a working group", group);
  const members = Array.isArray(options.members) ? options.members : Object.entries(options.members ?? {});
  for (const [who, membership] of members) {
    const added = addMember(db, secretariat, group.id, idOf(who), membership, meta);
    if (!added.ok) refused(`adding ${who} to a group`, added);
  }
  const title = options.title ?? `Document ${unique()}`;
  const document = createDocument(db, secretariat, group.id, { title, summary: "", visibility: options.visibility ?? "group" }, meta);
  if (!document.ok) refused("creating a document", document);
  return { groupId: group.id, groupName, documentId: document.id, title };
}

/** A commitment of its own in the current cycle, recorded by the secretariat for `organisation`. */
export function makeCommitment(
  db: Db,
  options: {
    organisation: string;
    title?: string;
    pillar?: string;
    visibility?: CommitmentVisibility;
    milestones?: { title: string; dueOn: string }[];
  },
): { id: number; reference: string; title: string } {
  const year = new Date().getUTCFullYear();
  const title = options.title ?? `Commitment ${unique()}`;
  const input: CommitmentInput = {
    title,
    problem: "A problem worth a commitment.",
    expectedResult: "A result that can be checked.",
    pillarId: pillarIdOf(db, options.pillar ?? "collective-action"),
    principles: [],
    type: "single",
    leadOrganisationId: organisationIdOf(db, options.organisation),
    supporting: [],
    leadContribution: "",
    contactName: "Contact person",
    contactEmail: null,
    startsOn: `${year}-01-15`,
    endsOn: `${year}-12-31`,
    madeAtSessionId: null,
    visibility: options.visibility ?? "members",
    milestones: options.milestones ?? [],
  };
  const created = createCommitment(db, actorOf(db, SECRETARIAT), input, meta);
  if (!created.ok) refused("recording a commitment", created);
  return { id: created.id, reference: created.reference, title };
}
