/**
 * The home page's counts of waiting work, per role, against plain SQL and against data the test makes; and
 * the public front page, which shows a visitor only what is public.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addProgressUpdate, verifyProgressUpdate } from "../../app/models/commitments.server";
import { publishDocument } from "../../app/models/documents.server";
import { publicFrontPage, waitingFor } from "../../app/models/home.server";
import { createInvitation, revokeInvitation } from "../../app/models/invitations.server";
import { registerForEvent } from "../../app/models/registrations.server";
import {
  SECRETARIAT,
  actorOf,
  makeCommitment,
  makeEvent,
  makeGroupWithDocument,
  makePerson,
  organisationIdOf,
  unique,
} from "../support/factories";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: "test" };
const today = () => new Date().toISOString().slice(0, 10);
const q = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

function invite(email = `home-${unique()}@example.org`) {
  const result = createInvitation(
    server.db,
    actorOf(server.db, SECRETARIAT),
    { email, role: "delegate", organisationId: null },
    { baseUrl: "http://localhost", compose: (link) => ({ subject: "Invitation", body: link }) },
    meta,
  );
  if (!result.ok) throw new Error("invitation refused");
  return result;
}

describe("what waits for whom", () => {
  it("counts for the secretariat what plain SQL counts, and moves with the data", async () => {
    const db = server.db;
    const secretariat = actorOf(db, SECRETARIAT);
    const before = waitingFor(db, secretariat, today());
    expect(before.progressToCheck!.updates).toBe(
      q<{ n: number }>("SELECT count(*) AS n FROM progress_updates WHERE id NOT IN (SELECT update_id FROM progress_verifications)").n,
    );
    expect(before.invitationsOutstanding).toBe(
      q<{ n: number }>(
        "SELECT count(*) AS n FROM invitations WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        Date.now(),
      ).n,
    );

    // Two pending registrations at an event that asks for approval; none at one that does not.
    const approval = makeEvent(db, { registrationRequiresApproval: true });
    const open = makeEvent(db, { registrationRequiresApproval: false });
    for (let i = 0; i < 2; i++) {
      const person = await makePerson(db, { organisation: "Children First Alliance (demo)" });
      expect(registerForEvent(db, actorOf(db, person.id), approval.row, meta).ok).toBe(true);
      expect(registerForEvent(db, actorOf(db, person.id), open.row, meta).ok).toBe(true);
    }
    const year = new Date().getUTCFullYear();
    const commitment = makeCommitment(db, {
      organisation: "Children First Alliance (demo)",
      milestones: [
        { title: "Overdue one", dueOn: `${year}-01-16` },
        { title: "Overdue two", dueOn: `${year}-01-17` },
        { title: "Later", dueOn: `${year}-12-30` },
      ],
    });
    const update = addProgressUpdate(
      db,
      secretariat,
      commitment.id,
      { completion: "limited", percent: 5, narrative: "Begun.", links: [], files: [] },
      meta,
    );
    expect(update.ok).toBe(true);
    const kept = invite();
    const withdrawn = invite();
    expect(revokeInvitation(db, secretariat, withdrawn.invitationId, meta)).toBe(true);

    const after = waitingFor(db, secretariat, today());
    expect(after.registrations!.find((r) => r.eventId === approval.id)).toEqual({
      eventId: approval.id,
      title: approval.title,
      pending: 2,
    });
    expect(after.registrations!.find((r) => r.eventId === open.id)).toBeUndefined();
    expect(after.progressToCheck!.updates).toBe(before.progressToCheck!.updates + 1);
    expect(after.invitationsOutstanding).toBe(before.invitationsOutstanding! + 1);
    expect(after.overdueMilestones!.milestones).toBe(before.overdueMilestones!.milestones + 2);
    expect(after.overdueMilestones!.commitmentCount).toBe(before.overdueMilestones!.commitmentCount + 1);
    expect(after.overdueMilestones!.all).toBe(true);
    expect(kept.ok).toBe(true);

    // Checking the update takes it off the list.
    if (!update.ok) return;
    expect(verifyProgressUpdate(db, secretariat, { commitmentId: commitment.id, updateId: update.id, note: "" }, meta).ok).toBe(true);
    expect(waitingFor(db, secretariat, today()).progressToCheck!.updates).toBe(before.progressToCheck!.updates);
  });

  it("gives a delegate only the overdue milestones of their organisation's commitments, and others nothing", async () => {
    const db = server.db;
    const year = new Date().getUTCFullYear();
    const delegate = await makePerson(db, { organisation: "Streamwave Platforms (demo)" });
    const ownBefore = waitingFor(db, actorOf(db, delegate.id), today()).overdueMilestones!;
    const theirs = makeCommitment(db, {
      organisation: "Streamwave Platforms (demo)",
      milestones: [{ title: "Late", dueOn: `${year}-01-20` }],
    });
    makeCommitment(db, { organisation: "Children First Alliance (demo)", milestones: [{ title: "Late too", dueOn: `${year}-01-20` }] });
    const own = waitingFor(db, actorOf(db, delegate.id), today());
    expect(own.progressToCheck).toBeNull();
    expect(own.registrations).toBeNull();
    expect(own.invitationsOutstanding).toBeNull();
    expect(own.overdueMilestones!.all).toBe(false);
    expect(own.overdueMilestones!.milestones).toBe(ownBefore.milestones + 1);
    expect(own.overdueMilestones!.commitmentCount).toBe(ownBefore.commitmentCount + 1);
    const led = q<{ n: number }>(
      `SELECT count(DISTINCT c.id) AS n FROM milestones m JOIN commitments c ON c.id = m.commitment_id
       JOIN commitment_organisations o ON o.commitment_id = c.id AND o.role = 'lead'
       WHERE m.done_on IS NULL AND m.due_on < ? AND c.status = 'open' AND o.organisation_id = ?`,
      today(),
      organisationIdOf(db, "Streamwave Platforms (demo)"),
    ).n;
    expect(own.overdueMilestones!.commitmentCount).toBe(led);
    expect(theirs.id).toBeGreaterThan(0);

    const observer = await makePerson(db, { role: "observer", organisation: "Streamwave Platforms (demo)" });
    const loner = await makePerson(db, { organisation: null });
    for (const person of [observer, loner]) {
      expect(waitingFor(db, actorOf(db, person.id), today())).toEqual({
        progressToCheck: null,
        registrations: null,
        invitationsOutstanding: null,
        overdueMilestones: null,
      });
    }
    const facilitator = waitingFor(db, actorOf(db, "facilitator@convene.example"), today());
    expect(facilitator.progressToCheck).toBeNull();
    expect(facilitator.registrations).toBeNull();
    expect(facilitator.invitationsOutstanding).toBeNull();
  });

  it("shows the list on the secretariat's home page and not on an observer's", async () => {
    const secretariat = await signInAs(server, SECRETARIAT);
    const observer = await signInAs(server, "observer@convene.example");
    expect(await (await get(server, "/", secretariat)).text()).toContain("Waiting for you");
    expect(await (await get(server, "/", observer)).text()).not.toContain("Waiting for you");
  });
});

describe("the public front page", () => {
  it("lists only published public events, public models and closed cycles' reports", async () => {
    const db = server.db;
    const secretariat = actorOf(db, SECRETARIAT);
    const open = makeEvent(db, { visibility: "public" });
    const members = makeEvent(db, { visibility: "members" });
    const draft = makeEvent(db, { visibility: "public", published: false });
    const publicModel = makeGroupWithDocument(db, { lead: SECRETARIAT });
    const groupModel = makeGroupWithDocument(db, { lead: SECRETARIAT });
    for (const [doc, visibility] of [
      [publicModel, "public"],
      [publicModel, "public"],
      [groupModel, "group"],
    ] as const) {
      expect(publishDocument(db, secretariat, doc.documentId, { visibility, name: (n) => `v${n}` }, meta).ok).toBe(true);
    }
    const front = publicFrontPage(db, today());
    const ids = front.events.map((e) => e.id);
    expect(ids).toContain(open.id);
    expect(ids).not.toContain(members.id);
    expect(ids).not.toContain(draft.id);
    // The latest version of each public model, once.
    expect(front.models.filter((m) => m.documentId === publicModel.documentId)).toEqual([expect.objectContaining({ number: 2 })]);
    expect(front.models.some((m) => m.documentId === groupModel.documentId)).toBe(false);
    const closed = q<{ year: number }>("SELECT year FROM forum_cycles WHERE status = 'closed' ORDER BY year DESC LIMIT 1").year;
    expect(front.reports.map((r) => r.year)).toContain(closed);
    expect(front.reports.map((r) => r.year)).not.toContain(
      q<{ year: number }>("SELECT year FROM forum_cycles WHERE status = 'open' LIMIT 1").year,
    );

    const page = await get(server, "/");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(open.title);
    expect(html).not.toContain(members.title);
    expect(html).not.toContain(draft.title);
    expect(html).toContain(`/reports/${closed}/public`);
    expect(html).toContain('href="/sign-in"');
  });
});
