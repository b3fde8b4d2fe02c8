/**
 * The working group and document rules as the models hold them: called directly, with real people as
 * actors, a write the page would refuse is refused here too, and a write that changes who may read or
 * edit an open document reaches its open copies without any page in between.
 */
import { actorFor } from "../../app/models/people.server";
import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENT_FIELD } from "../../app/editor/extensions";
import { stateToMarkdown } from "../../app/models/document-content.server";
import { readDocumentState } from "../../app/models/document-store.server";
import {
  createDocument,
  createVersion,
  publishDocument,
  restoreVersion,
  setDocumentStatus,
  updateDocument,
} from "../../app/models/documents.server";
import {
  addMember,
  changeMembership,
  createWorkingGroup,
  membershipOf,
  removeMember,
  updateWorkingGroup,
  type WorkingGroupInput,
} from "../../app/models/working-groups.server";
import type { Actor } from "../../app/utils/policy";
import { groupWithDocument, openDocument, saved, until, type DocClient } from "../support/documents";
import { personId, startServer, type TestServer } from "../support/server";

let server: TestServer;
const clients: DocClient[] = [];
const meta = { ipAddress: null, userAgent: null };

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

function actor(email: string): Actor {
  return actorFor(server.db, personId(server, email))!;
}

const id = (email: string) => personId(server, email);

function firstPillarId(): number {
  return (server.db.$client.prepare("SELECT id FROM pillars ORDER BY position LIMIT 1").get() as { id: number }).id;
}

let named = 0;
function groupInput(patch: Partial<WorkingGroupInput> = {}): WorkingGroupInput {
  return {
    name: `Rules group ${++named}`,
    description: "",
    pillarId: firstPillarId(),
    leadId: id("facilitator@convene.example"),
    ...patch,
  };
}

/** A group led by the facilitator, created by the secretariat. */
function ledGroup(): number {
  const created = createWorkingGroup(server.db, actor("secretariat@convene.example"), groupInput(), meta);
  if (!created.ok) throw new Error("the secretariat could not create a group");
  return created.id;
}

function members(groupId: number) {
  return server.db.$client
    .prepare("SELECT user_id AS userId, membership FROM working_group_members WHERE group_id = ? ORDER BY user_id")
    .all(groupId);
}

/** Someone whose account was deactivated. */
function formerDelegate(): number {
  server.db.$client
    .prepare(
      "INSERT OR IGNORE INTO users (email, name, password_hash, role, status) VALUES (?, 'Former delegate', 'x', 'delegate', 'deactivated')",
    )
    .run("former@convene.example");
  return id("former@convene.example");
}

function storedMarkdown(documentId: number): string {
  return stateToMarkdown(readDocumentState(server.db, documentId));
}

function markdownOf(client: DocClient): string {
  return stateToMarkdown(Y.encodeStateAsUpdate(client.doc));
}

/** Replaces the editor's text with one paragraph, as typing it would. */
function write(client: DocClient, text: string) {
  const fragment = client.doc.getXmlFragment(DOCUMENT_FIELD);
  client.doc.transact(() => {
    fragment.delete(0, fragment.length);
    const paragraph = new Y.XmlElement("paragraph");
    paragraph.insert(0, [new Y.XmlText(text)]);
    fragment.insert(0, [paragraph]);
  });
}

function closedReasonOf(client: DocClient): Promise<string | undefined> {
  return new Promise((resolve) => client.provider.on("state", (s) => s.connection === "closed" && resolve(s.closedReason)));
}

describe("working group rules in the model", () => {
  it("only the secretariat changes a group or who is in it, not even its lead", async () => {
    const groupId = ledGroup();
    const lead = actor("facilitator@convene.example");
    const before = members(groupId);

    expect(addMember(server.db, lead, groupId, id("ngo@convene.example"), "editor", meta)).toEqual({ ok: false, reason: "forbidden" });
    expect(changeMembership(server.db, lead, groupId, id("facilitator@convene.example"), "editor", meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
    expect(removeMember(server.db, lead, groupId, id("facilitator@convene.example"), meta)).toEqual({ ok: false, reason: "forbidden" });
    expect(updateWorkingGroup(server.db, lead, groupId, groupInput({ leadId: id("ngo@convene.example") }), meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
    expect(createWorkingGroup(server.db, actor("ngo@convene.example"), groupInput({ name: "Sneaky group" }), meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });

    expect(members(groupId)).toEqual(before);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM working_groups WHERE name = 'Sneaky group'").get()).toEqual({ n: 0 });
  });

  it("the lead stays an editing member: neither made a reader nor removed", async () => {
    const groupId = ledGroup();
    const secretariat = actor("secretariat@convene.example");
    const lead = id("facilitator@convene.example");

    expect(changeMembership(server.db, secretariat, groupId, lead, "reader", meta)).toMatchObject({
      ok: false,
      reason: "invalid",
      message: "errors.leadStaysEditor",
    });
    expect(removeMember(server.db, secretariat, groupId, lead, meta)).toMatchObject({
      ok: false,
      reason: "conflict",
      message: "errors.leadCannotBeRemoved",
    });
    expect(membershipOf(server.db, groupId, lead)).toBe("editor");
  });

  it("a lead must be an active person who may manage documents, and a group needs a real pillar and its own name", async () => {
    const secretariat = actor("secretariat@convene.example");
    const groupId = ledGroup();

    // Observers read; they cannot review and publish a group's documents, so they cannot lead one.
    const observerLead = updateWorkingGroup(server.db, secretariat, groupId, groupInput({ leadId: id("observer@convene.example") }), meta);
    expect(observerLead).toMatchObject({ ok: false, reason: "invalid", errors: { leadId: "groups:errors.leadUnavailable" } });
    expect(membershipOf(server.db, groupId, id("observer@convene.example"))).toBeNull();
    expect(server.db.$client.prepare("SELECT lead_id AS leadId FROM working_groups WHERE id = ?").get(groupId)).toEqual({
      leadId: id("facilitator@convene.example"),
    });

    const formerLead = createWorkingGroup(server.db, secretariat, groupInput({ leadId: formerDelegate() }), meta);
    expect(formerLead).toMatchObject({ ok: false, reason: "invalid", errors: { leadId: "groups:errors.leadUnavailable" } });

    expect(createWorkingGroup(server.db, secretariat, groupInput({ pillarId: 999_999 }), meta)).toMatchObject({
      ok: false,
      errors: { pillarId: "errors.invalidChoice" },
    });
    const taken = server.db.$client.prepare("SELECT name FROM working_groups WHERE id = ?").get(groupId) as { name: string };
    expect(createWorkingGroup(server.db, secretariat, groupInput({ name: taken.name.toUpperCase() }), meta)).toMatchObject({
      ok: false,
      errors: { name: "groups:errors.nameTaken" },
    });
  });

  it("adds only active people not in the group yet, and changes only members", async () => {
    const secretariat = actor("secretariat@convene.example");
    const groupId = ledGroup();
    expect(addMember(server.db, secretariat, groupId, id("ngo@convene.example"), "reader", meta)).toMatchObject({ ok: true });

    // Adding someone already in the group must not quietly change their membership.
    expect(addMember(server.db, secretariat, groupId, id("ngo@convene.example"), "editor", meta)).toMatchObject({
      ok: false,
      errors: { userId: "groups:errors.alreadyMember" },
    });
    expect(membershipOf(server.db, groupId, id("ngo@convene.example"))).toBe("reader");

    expect(addMember(server.db, secretariat, groupId, formerDelegate(), "reader", meta)).toMatchObject({
      ok: false,
      errors: { userId: "groups:errors.personUnavailable" },
    });
    // Changing the membership of someone outside the group must not add them.
    expect(changeMembership(server.db, secretariat, groupId, id("police@convene.example"), "editor", meta)).toMatchObject({
      ok: false,
      reason: "not_found",
      message: "errors.notMember",
    });
    expect(membershipOf(server.db, groupId, id("former@convene.example"))).toBeNull();
    expect(membershipOf(server.db, groupId, id("police@convene.example"))).toBeNull();
  });

  it("every change of who is in a group announces that its documents' access changed", async () => {
    const secretariat = actor("secretariat@convene.example");
    const groupId = ledGroup();
    const changed = [{ type: "workingGroup.accessChanged", groupId }];
    expect(addMember(server.db, secretariat, groupId, id("ngo@convene.example"), "editor", meta)).toMatchObject({
      ok: true,
      events: changed,
    });
    expect(changeMembership(server.db, secretariat, groupId, id("ngo@convene.example"), "reader", meta)).toMatchObject({
      ok: true,
      person: { id: id("ngo@convene.example") },
      events: changed,
    });
    expect(updateWorkingGroup(server.db, secretariat, groupId, groupInput({ leadId: id("ngo@convene.example") }), meta)).toMatchObject({
      ok: true,
      events: changed,
    });
    // The new lead became an editor; the old one stays a member and can now be removed.
    expect(membershipOf(server.db, groupId, id("ngo@convene.example"))).toBe("editor");
    expect(removeMember(server.db, secretariat, groupId, id("facilitator@convene.example"), meta)).toMatchObject({
      ok: true,
      events: changed,
    });
    // Renaming alone changes nobody's access.
    expect(
      updateWorkingGroup(
        server.db,
        secretariat,
        groupId,
        groupInput({ name: "Renamed rules group", leadId: id("ngo@convene.example") }),
        meta,
      ),
    ).toMatchObject({ ok: true, events: [] });
  });

  it("a membership changed in the model turns the member's open document read-only", async () => {
    const { groupId, documentId } = groupWithDocument(server, { "ngo@convene.example": "editor" });
    const client = await openDocument(server, "ngo@convene.example", documentId);
    clients.push(client);
    expect(client.provider.state.readOnly).toBe(false);
    const readOnly = new Promise<void>((resolve) => client.provider.on("state", (s) => s.readOnly && resolve()));
    expect(
      changeMembership(server.db, actor("secretariat@convene.example"), groupId, id("ngo@convene.example"), "reader", meta),
    ).toMatchObject({ ok: true });
    await readOnly;
  });
});

describe("document rules in the model", () => {
  it("writes only what the policy allows: starting, settings, review, publishing, versions", async () => {
    const { groupId, documentId } = groupWithDocument(server, { "ngo@convene.example": "editor", "government@convene.example": "reader" });
    const reader = actor("government@convene.example");
    const editor = actor("ngo@convene.example");
    const outsider = actor("facilitator@convene.example");
    const input = { title: "Not allowed", summary: "", visibility: "public" as const };
    const forbidden = { ok: false, reason: "forbidden" };
    const before = server.db.$client.prepare("SELECT title, visibility, status FROM documents WHERE id = ?").get(documentId);
    const versions = () => server.db.$client.prepare("SELECT count(*) AS n FROM document_versions WHERE document_id = ?").get(documentId);
    const versionsBefore = versions();

    expect(createDocument(server.db, reader, groupId, input, meta)).toEqual(forbidden);
    // Editing the text is not managing the document: that is the lead's and the secretariat's.
    expect(updateDocument(server.db, editor, documentId, input, meta)).toEqual(forbidden);
    expect(setDocumentStatus(server.db, editor, documentId, "review", "For review", meta)).toEqual(forbidden);
    expect(publishDocument(server.db, editor, documentId, { visibility: "public", name: (n) => `v${n}` }, meta)).toEqual(forbidden);
    expect(createVersion(server.db, reader, documentId, "By a reader", meta)).toEqual(forbidden);
    // A group-only document does not exist for someone outside the group.
    expect(createVersion(server.db, outsider, documentId, "By an outsider", meta)).toEqual({ ok: false, reason: "not_found" });

    expect(server.db.$client.prepare("SELECT count(*) AS n FROM documents WHERE title = 'Not allowed'").get()).toEqual({ n: 0 });
    expect(server.db.$client.prepare("SELECT title, visibility, status FROM documents WHERE id = ?").get(documentId)).toEqual(before);
    expect(versions()).toEqual(versionsBefore);
  });

  it("narrowing who may read a document closes it for whoever may no longer, status changes announce too", async () => {
    const { documentId } = groupWithDocument(server, { "ngo@convene.example": "editor" }, "members");
    const outsider = await openDocument(server, "facilitator@convene.example", documentId);
    clients.push(outsider);
    expect(outsider.provider.state.readOnly).toBe(true);
    const closed = closedReasonOf(outsider);
    const secretariat = actor("secretariat@convene.example");

    expect(
      updateDocument(server.db, secretariat, documentId, { title: "Good practice", summary: "Now", visibility: "members" }, meta),
    ).toEqual({
      ok: true,
      events: [],
    });
    const narrowed = updateDocument(server.db, secretariat, documentId, { title: "Good practice", summary: "", visibility: "group" }, meta);
    expect(narrowed).toEqual({ ok: true, events: [{ type: "document.accessChanged", documentId }] });
    expect(await closed).toBe("access_removed");

    expect(setDocumentStatus(server.db, secretariat, documentId, "review", "For review", meta)).toEqual({
      ok: true,
      events: [{ type: "document.accessChanged", documentId }],
    });
    expect(publishDocument(server.db, secretariat, documentId, { visibility: "group", name: (n) => `v${n}` }, meta)).toMatchObject({
      ok: true,
      number: 1,
      events: [{ type: "document.accessChanged", documentId }],
    });
  });

  it("restoring a version keeps the replaced text as a version and puts the old text into the open editor", async () => {
    const { documentId } = groupWithDocument(server, { "ngo@convene.example": "editor", "government@convene.example": "reader" });
    const client = await openDocument(server, "ngo@convene.example", documentId);
    clients.push(client);
    const editor = actor("ngo@convene.example");
    write(client, "First text");
    await saved(client);
    const first = createVersion(server.db, editor, documentId, "First", meta);
    if (!first.ok) throw new Error("the editor could not make a version");
    write(client, "Second text");
    await saved(client);
    const beforeRestoreName = (name: string) => `Before restoring ${name}`;

    expect(restoreVersion(server.db, actor("government@convene.example"), documentId, first.id, { beforeRestoreName }, meta)).toEqual({
      ok: false,
      reason: "forbidden",
    });
    expect(restoreVersion(server.db, editor, documentId, 999_999, { beforeRestoreName }, meta)).toEqual({ ok: false, reason: "not_found" });
    expect(storedMarkdown(documentId)).toBe("Second text");

    const restored = restoreVersion(server.db, editor, documentId, first.id, { beforeRestoreName }, meta);
    expect(restored).toMatchObject({ ok: true, name: "First", events: [{ type: "document.replaced", documentId }] });
    await until(client, () => markdownOf(client) === "First text");
    expect(storedMarkdown(documentId)).toBe("First text");

    const kept = server.db.$client
      .prepare("SELECT kind, state FROM document_versions WHERE document_id = ? AND name = 'Before restoring First'")
      .get(documentId) as { kind: string; state: Buffer };
    expect(kept.kind).toBe("restore");
    expect(stateToMarkdown(kept.state)).toBe("Second text");
    expect(
      server.db.$client
        .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'document.restore' AND target_id = ?")
        .get(String(documentId)),
    ).toEqual({ n: 1 });
  });
});
