import { describe, expect, it } from "vitest";
import { roles, type Role } from "../../app/domain/vocabulary";
import { actions, can, type Action, type Actor } from "../../app/utils/policy";

const actor = (role: Role, id = 1): Actor => ({ id, role, status: "active", organisationId: 10 });
const other = { id: 2 };

/** What each role may do, with a typical target: the matrix the policy must honour. */
const matrix: Record<Action, { target?: unknown; allowed: Role[] }> = {
  "home.view": { allowed: ["secretariat", "facilitator", "delegate", "observer"] },
  "account.manage": { allowed: ["secretariat", "facilitator", "delegate", "observer"] },
  "realtime.connect": { allowed: ["secretariat", "facilitator", "delegate", "observer"] },
  "people.view": { allowed: ["secretariat"] },
  "people.invite": { allowed: ["secretariat"] },
  "person.changeRole": { target: other, allowed: ["secretariat"] },
  "person.deactivate": { target: other, allowed: ["secretariat"] },
  "person.reactivate": { target: other, allowed: ["secretariat"] },
  "person.liftSignInLimits": { target: other, allowed: ["secretariat"] },
  "person.createPasswordReset": { target: other, allowed: ["secretariat"] },
  "person.resetSecondFactor": { target: other, allowed: ["secretariat"] },
  "organisations.view": { allowed: ["secretariat"] },
  "organisation.manage": { allowed: ["secretariat"] },
  "invitations.view": { allowed: ["secretariat"] },
  "invitation.revoke": { allowed: ["secretariat"] },
  "audit.view": { allowed: ["secretariat"] },
  "session.revoke": { target: { userId: 1 }, allowed: ["secretariat", "facilitator", "delegate", "observer"] },
  "secondFactor.skip": { allowed: ["facilitator", "delegate", "observer"] },
  "event.view": {
    target: { status: "published", visibility: "members", invitedGroups: [] },
    allowed: ["secretariat", "facilitator", "delegate", "observer"],
  },
  "event.manage": { allowed: ["secretariat"] },
  "agenda.edit": { target: { trackLeadIds: [] }, allowed: ["secretariat"] },
  "agenda.leadTrack": { allowed: ["facilitator"] },
  "session.takePlace": { allowed: ["secretariat", "facilitator", "delegate"] },
  "workingGroups.manage": { allowed: ["secretariat"] },
  "workingGroup.view": { target: { membership: null }, allowed: ["secretariat"] },
  "document.create": { target: { membership: "editor" }, allowed: ["secretariat", "facilitator", "delegate"] },
  "document.view": { target: { visibility: "group", membership: null }, allowed: ["secretariat"] },
  "document.edit": { target: { membership: "editor" }, allowed: ["secretariat", "facilitator", "delegate"] },
  "document.manage": { target: { leadId: 99 }, allowed: ["secretariat"] },
  "document.comment": { target: { visibility: "group", membership: null }, allowed: ["secretariat"] },
  "comment.resolve": { target: { authorId: 99, leadId: 99, membership: null }, allowed: ["secretariat"] },
  "comment.delete": { target: { authorId: 99 }, allowed: [] },
  "publication.view": {
    target: { visibility: "members", membership: null },
    allowed: ["secretariat", "facilitator", "delegate", "observer"],
  },
  "cycles.manage": { allowed: ["secretariat"] },
  "commitments.view": { allowed: ["secretariat", "facilitator", "delegate", "observer"] },
  "commitment.view": { target: { visibility: "secretariat", organisationIds: [99] }, allowed: ["secretariat"] },
  "commitment.create": { target: { leadOrganisationId: 10 }, allowed: ["secretariat", "facilitator", "delegate"] },
  "commitment.edit": { target: { leadOrganisationId: 99 }, allowed: ["secretariat"] },
  "commitment.report": { target: { organisationIds: [10] }, allowed: ["secretariat", "facilitator", "delegate"] },
  "progress.verify": { allowed: ["secretariat"] },
  "commitments.import": { allowed: ["secretariat"] },
  "breakout.manage": { target: { managerIds: [1] }, allowed: ["secretariat", "facilitator"] },
  "breakout.choose": { allowed: ["secretariat", "facilitator", "delegate"] },
  "breakoutRoom.view": {
    target: { roomId: 5, assignedRoomId: 5, facilitatorId: null, rapporteurId: null, managerIds: [], observersMayWatch: false },
    allowed: ["secretariat", "facilitator", "delegate"],
  },
  "breakoutRoom.speak": {
    target: { roomId: 5, assignedRoomId: 5, facilitatorId: null, rapporteurId: null, managerIds: [], observersMayWatch: true },
    allowed: ["secretariat", "facilitator", "delegate"],
  },
  "breakoutRoom.report": { target: { rapporteurId: 1, managerIds: [] }, allowed: ["secretariat", "facilitator", "delegate"] },
  "breakout.seeNames": {
    target: { attribution: "chatham_house", inRoom: true },
    allowed: ["secretariat", "facilitator", "delegate", "observer"],
  },
};

describe("policy matrix: every role × every action", () => {
  it("covers every action the policy knows", () => {
    expect(Object.keys(matrix).sort()).toEqual([...actions].sort());
  });

  for (const action of actions) {
    for (const role of roles) {
      const { target, allowed } = matrix[action];
      const expected = allowed.includes(role);
      it(`${role} ${expected ? "may" : "may not"} ${action}`, () => {
        const check = can as (actor: Actor, action: Action, target?: unknown) => boolean;
        expect(check(actor(role), action, target)).toBe(expected);
      });
    }
  }
});

describe("policy rules that depend on the target", () => {
  it("without an account, only a published public event can be seen", () => {
    expect(can(null, "event.view", { status: "published", visibility: "public", invitedGroups: [] })).toBe(true);
    expect(can(null, "event.view", { status: "draft", visibility: "public", invitedGroups: [] })).toBe(false);
    expect(can(null, "event.view", { status: "published", visibility: "members", invitedGroups: [] })).toBe(false);
    expect(can(null, "event.manage")).toBe(false);
  });

  it("nobody acts without an active account", () => {
    expect(can(null, "home.view")).toBe(false);
    expect(can({ ...actor("secretariat"), status: "deactivated" }, "audit.view")).toBe(false);
  });

  it("the secretariat cannot demote or deactivate itself", () => {
    const me = actor("secretariat", 1);
    expect(can(me, "person.changeRole", { id: 1 })).toBe(false);
    expect(can(me, "person.deactivate", { id: 1 })).toBe(false);
  });

  it("people end only their own sessions", () => {
    expect(can(actor("delegate", 1), "session.revoke", { userId: 2 })).toBe(false);
    expect(can(actor("secretariat", 1), "session.revoke", { userId: 2 })).toBe(false);
  });

  it("drafts are for the secretariat only; group-restricted events for the invited stakeholder groups", () => {
    for (const role of roles) {
      const secretariat = role === "secretariat";
      expect(can(actor(role), "event.view", { status: "draft", visibility: "public", invitedGroups: [] })).toBe(secretariat);
      const industry = { ...actor(role), stakeholderGroup: "industry" };
      const ngo = { ...actor(role), stakeholderGroup: "ngo" };
      expect(can(industry, "event.view", { status: "published", visibility: "groups", invitedGroups: ["industry"] })).toBe(true);
      expect(can(ngo, "event.view", { status: "published", visibility: "groups", invitedGroups: ["industry"] })).toBe(secretariat);
    }
  });

  it("facilitators edit the sessions of the tracks they lead, and no others", () => {
    const facilitator = actor("facilitator", 7);
    expect(can(facilitator, "agenda.edit", { trackLeadIds: [7] })).toBe(true);
    expect(can(facilitator, "agenda.edit", { trackLeadIds: [8] })).toBe(false);
    expect(can(actor("delegate", 7), "agenda.edit", { trackLeadIds: [7] })).toBe(false);
  });

  it("working-group documents: members read, editors write, readers and observers only read, the lead manages", () => {
    const delegate = actor("delegate", 7);
    expect(can(delegate, "document.view", { visibility: "group", membership: "reader" })).toBe(true);
    expect(can(delegate, "document.view", { visibility: "members", membership: null })).toBe(true);
    expect(can(delegate, "document.edit", { membership: "reader" })).toBe(false);
    expect(can(delegate, "document.edit", { membership: null })).toBe(false);
    expect(can(actor("observer", 7), "document.edit", { membership: "editor" })).toBe(false);
    expect(can(delegate, "document.manage", { leadId: 7 })).toBe(true);
    expect(can(actor("observer", 7), "document.manage", { leadId: 7 })).toBe(false);
    expect(can(delegate, "workingGroup.view", { membership: "reader" })).toBe(true);
  });

  it("document comments: readers comment, the author, editors and the lead resolve, only the author deletes", () => {
    const reader = actor("delegate", 7);
    const observer = actor("observer", 8);
    expect(can(reader, "document.comment", { visibility: "group", membership: "reader" })).toBe(true);
    expect(can(observer, "document.comment", { visibility: "members", membership: null })).toBe(true);
    expect(can(reader, "document.comment", { visibility: "group", membership: null })).toBe(false);
    expect(can(reader, "comment.resolve", { authorId: 7, leadId: 1, membership: "reader" })).toBe(true);
    expect(can(reader, "comment.resolve", { authorId: 9, leadId: 1, membership: "reader" })).toBe(false);
    expect(can(reader, "comment.resolve", { authorId: 9, leadId: 1, membership: "editor" })).toBe(true);
    expect(can(reader, "comment.resolve", { authorId: 9, leadId: 7, membership: "reader" })).toBe(true);
    expect(can(observer, "comment.resolve", { authorId: 9, leadId: null, membership: "editor" })).toBe(false);
    expect(can(reader, "comment.delete", { authorId: 7 })).toBe(true);
    expect(can(actor("secretariat", 1), "comment.delete", { authorId: 7 })).toBe(false);
  });

  it("without an account, only public published versions can be read", () => {
    expect(can(null, "publication.view", { visibility: "public", membership: null })).toBe(true);
    expect(can(null, "publication.view", { visibility: "members", membership: null })).toBe(false);
    expect(can(null, "document.view", { visibility: "public", membership: null })).toBe(false);
  });

  it("commitments: an organisation reports on its own, reads what is shared, and only the secretariat verifies", () => {
    const delegate = actor("delegate", 7); // organisation 10
    expect(can(delegate, "commitment.report", { organisationIds: [11, 10] })).toBe(true);
    expect(can(delegate, "commitment.report", { organisationIds: [11] })).toBe(false);
    expect(can(delegate, "commitment.create", { leadOrganisationId: 11 })).toBe(false);
    expect(can(delegate, "commitment.view", { visibility: "secretariat", organisationIds: [10] })).toBe(true);
    expect(can(delegate, "commitment.view", { visibility: "members", organisationIds: [] })).toBe(true);
    expect(can(null, "commitment.view", { visibility: "public", organisationIds: [] })).toBe(true);
    expect(can(null, "commitment.view", { visibility: "members", organisationIds: [] })).toBe(false);
    expect(can(actor("observer", 7), "commitment.report", { organisationIds: [10] })).toBe(false);
  });
});
