import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../app/models/audit.server";
import { plenaryView, proposeCommitment, saveReportBack, shownTotal } from "../../app/models/breakout-reports.server";
import { closeCycle, confirmCommitment, currentCycle, getCommitment } from "../../app/models/commitments.server";
import { loadDashboard } from "../../app/models/dashboard.server";
import { listCyclesWithCounts } from "../../app/models/cycles.server";
import { draftsToConfirm, exportRegistry, listRegistry } from "../../app/models/registry.server";
import { buildReport } from "../../app/models/report.server";
import type { AttributionRule } from "../../app/domain/vocabulary";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { actorOf, makeEvent, makePerson, SECRETARIAT, type Person } from "../support/factories";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: "test" };
const NGO = "Children First Alliance (demo)";
const INDUSTRY = "Streamwave Platforms (demo)";
const RESEARCH = "Institute for Online Safety Research (demo)";

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Setup {
  breakout: TestBreakout;
  roomId: number;
  rapporteur: Person;
  peer: Person;
  facilitator: Person;
}

/** A breakout session whose first room has a rapporteur, a delegate and a facilitator, in the given state. */
async function setUp(options: { attribution?: AttributionRule; status?: "planning" | "open" | "closed" } = {}): Promise<Setup> {
  const { db } = server;
  const event = makeEvent(db);
  const breakout = makeBreakout(db, event, { attribution: options.attribution ?? "chatham_house" });
  const roomId = breakout.rooms[0]!.id;
  const rapporteur = await makePerson(db, { organisation: NGO });
  const peer = await makePerson(db, { organisation: INDUSTRY });
  const facilitator = await makePerson(db, { role: "facilitator", organisation: RESEARCH });
  placeInRoom(db, breakout, roomId, rapporteur.id, peer.id);
  db.$client
    .prepare("UPDATE breakout_rooms SET rapporteur_id = ?, facilitator_id = ? WHERE id = ?")
    .run(rapporteur.id, facilitator.id, roomId);
  setStatus(breakout, options.status ?? "closed");
  return { breakout, roomId, rapporteur, peer, facilitator };
}

function setStatus(breakout: TestBreakout, status: "planning" | "open" | "closed") {
  server.db.$client
    .prepare("UPDATE breakouts SET status = ?, closed_at = CASE WHEN ? = 'closed' THEN unixepoch() * 1000 END WHERE session_id = ?")
    .run(status, status, breakout.sessionId);
}

function reportPath(s: Setup) {
  return `/breakouts/${s.breakout.sessionId}/rooms/${s.roomId}/report`;
}

function submitReport(s: Setup, actions = ["Share hash lists across platforms", "Fund hotline analysts"]) {
  const result = saveReportBack(
    server.db,
    actorOf(server.db, s.rapporteur.id),
    s.roomId,
    { keyPoints: "Hash sharing works when the law allows it.", actions, pillarId: null, submit: true },
    meta,
  );
  if (!result.ok) throw new Error(`the report-back was refused: ${JSON.stringify(result)}`);
}

function actionIds(s: Setup): number[] {
  return (
    server.db.$client.prepare("SELECT id FROM breakout_actions WHERE room_id = ? ORDER BY position").all(s.roomId) as { id: number }[]
  ).map((r) => r.id);
}

describe("report-backs", () => {
  it("are written by the room's rapporteur, its managers and the secretariat; anyone else gets a 404", async () => {
    const s = await setUp();
    const observer = await makePerson(server.db, { role: "observer", organisation: NGO });
    const outsider = await makePerson(server.db, { organisation: NGO });
    const cases: [string, string | undefined, number][] = [
      ["rapporteur", s.rapporteur.email, 200],
      ["manager", s.facilitator.email, 200],
      ["secretariat", SECRETARIAT, 200],
      ["other delegate of the room", s.peer.email, 404],
      ["observer", observer.email, 404],
      ["outsider", outsider.email, 404],
    ];
    const passwords = new Map([s.rapporteur, s.peer, s.facilitator, observer, outsider].map((p) => [p.email, p.password]));
    for (const [who, email, expected] of cases) {
      const cookie = await signInAs(server, email!, passwords.get(email!));
      const page = await get(server, reportPath(s), cookie);
      expect(page.status, `GET as ${who}`).toBe(expected);
      const saved = await post(server, reportPath(s), { keyPoints: `By ${who}`, actions: "", pillarId: "", intent: "save" }, cookie);
      expect(saved.status, `POST as ${who}`).toBe(expected);
    }
    // The model answers the same: the peer may see the room, so is refused; the outsider may not even see it.
    const peerTry = saveReportBack(
      server.db,
      actorOf(server.db, s.peer.id),
      s.roomId,
      { keyPoints: "", actions: [], pillarId: null, submit: false },
      meta,
    );
    expect(peerTry).toMatchObject({ ok: false, reason: "forbidden" });
    const outsiderTry = saveReportBack(
      server.db,
      actorOf(server.db, outsider.id),
      s.roomId,
      { keyPoints: "", actions: [], pillarId: null, submit: false },
      meta,
    );
    expect(outsiderTry).toMatchObject({ ok: false, reason: "not_found" });
  });

  it("refuses bad input with a message at the field and gives back what was typed; nothing is saved", async () => {
    const s = await setUp();
    const cookie = await signInAs(server, s.rapporteur.email, s.rapporteur.password);
    const eleven = Array.from({ length: 11 }, (_, i) => `Action number ${i + 1}`).join("\n");
    const res = await post(
      server,
      reportPath(s),
      { keyPoints: "Typed key points stay", actions: eleven, pillarId: "", intent: "submit" },
      cookie,
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Propose at most 10 actions.");
    expect(html).toContain("Typed key points stay");
    expect(html).toContain("Action number 11");
    const tooLong = await post(server, reportPath(s), { keyPoints: "x".repeat(5001), actions: "", pillarId: "", intent: "save" }, cookie);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain("Keep the key points under 5,000 characters.");
    const badPillar = await post(server, reportPath(s), { keyPoints: "Kept", actions: "One", pillarId: "999999", intent: "save" }, cookie);
    expect(badPillar.status).toBe(400);
    const count = server.db.$client.prepare("SELECT count(*) AS n FROM breakout_reports WHERE room_id = ?").get(s.roomId) as { n: number };
    expect(count.n).toBe(0);

    // Before the rooms open there is nothing to report yet.
    const early = await setUp({ status: "planning" });
    const refused = saveReportBack(
      server.db,
      actorOf(server.db, early.rapporteur.id),
      early.roomId,
      { keyPoints: "Too soon", actions: [], pillarId: null, submit: false },
      meta,
    );
    expect(refused).toMatchObject({ ok: false, reason: "invalid", error: "breakoutReports:errors.notYet" });
  });

  it("is a draft for its writers and the managers until submitted, and may be edited after; taken-up actions are kept", async () => {
    const s = await setUp({ status: "open" });
    const cookie = await signInAs(server, s.rapporteur.email, s.rapporteur.password);
    const saved = await post(
      server,
      reportPath(s),
      { keyPoints: "Draft thoughts", actions: "First idea\nSecond idea", pillarId: "", intent: "save" },
      cookie,
    );
    expect(saved.status).toBe(200);
    const peer = actorOf(server.db, s.peer.id);
    expect(plenaryView(server.db, peer, s.breakout.sessionId)!.reports).toHaveLength(0);
    const managerView = plenaryView(server.db, actorOf(server.db, s.facilitator.id), s.breakout.sessionId)!;
    expect(managerView.reports[0]).toMatchObject({ keyPoints: "Draft thoughts", submittedAt: null });

    await post(
      server,
      reportPath(s),
      { keyPoints: "Final thoughts", actions: "First idea\nSecond idea", pillarId: "", intent: "submit" },
      cookie,
    );
    const [first] = actionIds(s);
    const proposer = await makePerson(server.db, { organisation: INDUSTRY });
    const made = proposeCommitment(server.db, actorOf(server.db, proposer.id), first!, meta);
    expect(made.ok).toBe(true);
    // Editing afterwards: the taken-up action stays, whatever the form says; the others follow the form.
    const edited = saveReportBack(
      server.db,
      actorOf(server.db, s.rapporteur.id),
      s.roomId,
      { keyPoints: "Edited after", actions: ["Third idea"], pillarId: null, submit: false },
      meta,
    );
    // Followers of the session are told (the plenary page fetches its data again).
    expect(edited).toEqual({ ok: true, submitted: true, events: [{ type: "breakout.changed", sessionId: s.breakout.sessionId }] });
    const view = plenaryView(server.db, peer, s.breakout.sessionId)!;
    expect(view.reports[0]!.actions.map((a) => a.text)).toEqual(["First idea", "Third idea"]);
    expect(view.reports[0]!.actions[0]!.commitment).toMatchObject({ status: "draft" });
  });
});

describe("the plenary page", () => {
  async function chat(s: Setup, person: Person, body: string) {
    server.db.$client
      .prepare("INSERT INTO breakout_messages (session_id, room_id, user_id, body) VALUES (?, ?, ?, ?)")
      .run(s.breakout.sessionId, s.roomId, person.id, body);
  }

  for (const attribution of ["chatham_house", "group_only"] as const) {
    it(`names nobody under ${attribution}: not the rapporteur, not the people who spoke`, async () => {
      const s = await setUp({ attribution });
      await chat(s, s.peer, "A point from the floor");
      submitReport(s);
      const reader = await makePerson(server.db, { organisation: RESEARCH });
      for (const email of [reader.email, s.peer.email, SECRETARIAT]) {
        const password = email === reader.email ? reader.password : email === s.peer.email ? s.peer.password : undefined;
        const res = await get(server, `/breakouts/${s.breakout.sessionId}/reports`, await signInAs(server, email, password));
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain("Share hash lists across platforms");
        expect(html).not.toContain(s.rapporteur.name);
        // The page names its own reader (the menu); nobody else.
        if (email !== s.peer.email) expect(html).not.toContain(s.peer.name);
        expect(html).not.toContain("Reported by");
      }
    });
  }

  it("shows the rapporteur under on_record, and the empty state before any report-back", async () => {
    const s = await setUp({ attribution: "on_record" });
    const cookie = await signInAs(server, s.peer.email, s.peer.password);
    const empty = await (await get(server, `/breakouts/${s.breakout.sessionId}/reports`, cookie)).text();
    expect(empty).toContain("No report-backs yet");
    submitReport(s);
    const html = await (await get(server, `/breakouts/${s.breakout.sessionId}/reports`, cookie)).text();
    expect(html).toContain(`Reported by ${s.rapporteur.name}`);
  });

  it("is a 404 for someone who may not see the event", async () => {
    const { db } = server;
    const hidden = makeEvent(db, { published: false });
    const breakout = makeBreakout(db, hidden);
    const delegate = await makePerson(db, { organisation: NGO });
    const res = await get(server, `/breakouts/${breakout.sessionId}/reports`, await signInAs(server, delegate.email, delegate.password));
    expect(res.status).toBe(404);
  });
});

describe("an action made a commitment", () => {
  it("is a draft of the proposer's organisation, linked to the session and room; an action is taken up once", async () => {
    const s = await setUp();
    submitReport(s);
    const [first] = actionIds(s);
    const proposer = await makePerson(server.db, { organisation: INDUSTRY });
    const cookie = await signInAs(server, proposer.email, proposer.password);
    const page = await (await get(server, `/breakouts/${s.breakout.sessionId}/reports`, cookie)).text();
    expect(page).toContain("Make this a commitment for Streamwave Platforms (demo)");
    const res = await post(server, `/breakouts/${s.breakout.sessionId}/reports`, { intent: "propose", actionId: String(first) }, cookie);
    expect(res.status).toBe(302);
    const id = Number(res.headers.get("location")!.split("/").pop());
    const commitment = getCommitment(server.db, id)!;
    expect(commitment).toMatchObject({
      status: "draft",
      title: "Share hash lists across platforms",
      madeAtSessionId: s.breakout.sessionId,
      madeAtBreakoutRoomId: s.roomId,
      visibility: "members",
      cycleId: currentCycle(server.db)!.id,
      pillarId: (server.db.$client.prepare("SELECT pillar_id AS p FROM breakout_rooms WHERE id = ?").get(s.roomId) as { p: number }).p,
    });
    expect(commitment.owners).toMatchObject([{ name: INDUSTRY, part: "lead" }]);
    const linked = server.db.$client.prepare("SELECT commitment_id AS c FROM breakout_actions WHERE id = ?").get(first) as { c: number };
    expect(linked.c).toBe(id);

    const again = proposeCommitment(server.db, actorOf(server.db, s.peer.id), first!, meta);
    expect(again).toMatchObject({ ok: false, reason: "invalid", error: "breakoutReports:errors.alreadyCommitment" });
    const twice = await post(server, `/breakouts/${s.breakout.sessionId}/reports`, { intent: "propose", actionId: String(first) }, cookie);
    expect(twice.status).toBe(409);

    // The commitment page says where it was made, that it is a draft, and lets the organisation confirm it.
    const shown = await (await get(server, `/commitments/${id}`, cookie)).text();
    expect(shown).toContain("Made at");
    expect(shown).toContain(`/breakouts/${s.breakout.sessionId}/reports`);
    expect(shown).toContain("Draft: proposed at a breakout; Streamwave Platforms (demo) has not confirmed it yet.");
    expect(shown).toContain("Confirm this commitment");
    const other = await makePerson(server.db, { organisation: NGO });
    const otherView = await (await get(server, `/commitments/${id}`, await signInAs(server, other.email, other.password))).text();
    expect(otherView).not.toContain("Confirm this commitment");
    const year = currentCycle(server.db)!.year;
    const details = {
      intent: "confirm",
      title: "Share hash lists across platforms",
      problem: "Hashes are not shared.",
      expectedResult: "",
      startsOn: `${year}-03-01`,
      endsOn: `${year}-02-01`,
    };
    const refused = await post(server, `/commitments/${id}`, details, await signInAs(server, other.email, other.password));
    expect(refused.status).toBe(403);
    // Confirming completes the details; a mistake keeps what was typed, and the draft stays a draft.
    const mistaken = await post(server, `/commitments/${id}`, details, cookie);
    expect(mistaken.status).toBe(400);
    const mistakenHtml = await mistaken.text();
    expect(mistakenHtml).toContain("This field is required.");
    expect(mistakenHtml).toContain("Hashes are not shared.");
    expect(getCommitment(server.db, id)!.status).toBe("draft");
    const wrongDates = await post(server, `/commitments/${id}`, { ...details, expectedResult: "Ten platforms share hashes." }, cookie);
    expect(wrongDates.status).toBe(400);
    expect(await wrongDates.text()).toContain("The end date cannot be before the start date.");
    const confirmed = await post(
      server,
      `/commitments/${id}`,
      { ...details, expectedResult: "Ten platforms share hashes.", endsOn: `${year}-12-31` },
      cookie,
    );
    expect(confirmed.status).toBe(200);
    expect(getCommitment(server.db, id)).toMatchObject({
      status: "open",
      expectedResult: "Ten platforms share hashes.",
      startsOn: `${year}-03-01`,
    });
    expect(confirmCommitment(server.db, actorOf(server.db, proposer.id), id, meta)).toMatchObject({ ok: false, refusal: "conflict" });
  });

  it("is refused to observers and people without an organisation", async () => {
    const s = await setUp();
    submitReport(s);
    const [first] = actionIds(s);
    const observer = await makePerson(server.db, { role: "observer", organisation: INDUSTRY });
    const loner = await makePerson(server.db, { organisation: null });
    for (const person of [observer, loner]) {
      expect(proposeCommitment(server.db, actorOf(server.db, person.id), first!, meta)).toMatchObject({ ok: false, reason: "forbidden" });
      const html = await (
        await get(server, `/breakouts/${s.breakout.sessionId}/reports`, await signInAs(server, person.email, person.password))
      ).text();
      expect(html).not.toContain("Make this a commitment");
    }
  });

  it("counts nowhere until confirmed: not in the registry for others, the export, the dashboard or the cycle counts", async () => {
    const s = await setUp();
    const title = `Draft only ${Date.now()} ${Math.random()}`;
    submitReport(s, [title]);
    const [action] = actionIds(s);
    const proposer = await makePerson(server.db, { organisation: INDUSTRY });
    const colleague = await makePerson(server.db, { role: "observer", organisation: INDUSTRY });
    const other = await makePerson(server.db, { organisation: NGO });
    const year = currentCycle(server.db)!.year;
    const dashboardBefore = loadDashboard(server.db, { year, today: "2000-01-01" });
    const cyclesBefore = listCyclesWithCounts(server.db).find((c) => c.year === year)!;

    const made = proposeCommitment(server.db, actorOf(server.db, proposer.id), action!, meta);
    if (!made.ok) throw new Error("not made");
    const find = (who: number, filter: Partial<Parameters<typeof listRegistry>[2]> = {}) =>
      listRegistry(server.db, actorOf(server.db, who), { year: null, q: title, ...filter }).rows.map((r) => r.status);
    expect(find(other.id)).toEqual([]);
    expect(find(proposer.id)).toEqual(["draft"]);
    expect(find(colleague.id)).toEqual(["draft"]);
    expect(find(actorOf(server.db, SECRETARIAT).id, { status: "draft" })).toEqual(["draft"]);
    expect(exportRegistry(server.db, actorOf(server.db, proposer.id), { year: null, q: title })).toEqual([]);
    expect(draftsToConfirm(server.db, actorOf(server.db, proposer.id))).toBeGreaterThanOrEqual(1);
    expect(draftsToConfirm(server.db, actorOf(server.db, colleague.id))).toBe(0);
    expect(draftsToConfirm(server.db, actorOf(server.db, other.id))).toBe(0);
    // The registry page: the draft, marked so, for its organisation; nothing for the others (the search box keeps the words).
    const registryFor = async (person: Person) =>
      (
        await get(server, `/commitments?year=all&q=${encodeURIComponent(title)}`, await signInAs(server, person.email, person.password))
      ).text();
    const mine = await registryFor(proposer);
    expect(mine).toContain(`>${title}<`);
    expect(mine).toContain("Draft, to be confirmed");
    expect(await registryFor(other)).not.toContain(`>${title}<`);
    expect(loadDashboard(server.db, { year, today: "2000-01-01" })).toEqual(dashboardBefore);
    expect(listCyclesWithCounts(server.db).find((c) => c.year === year)).toEqual(cyclesBefore);

    expect(confirmCommitment(server.db, actorOf(server.db, proposer.id), made.commitmentId, meta)).toMatchObject({
      ok: false,
      refusal: "invalid",
      errors: { expectedResult: "errors.required" },
    });
    const draft = getCommitment(server.db, made.commitmentId)!;
    expect(
      confirmCommitment(server.db, actorOf(server.db, proposer.id), made.commitmentId, meta, {
        title: draft.title,
        problem: "Nobody shares.",
        expectedResult: "Everyone shares.",
        startsOn: draft.startsOn,
        endsOn: draft.endsOn,
      }),
    ).toEqual({ ok: true });
    expect(find(other.id)).toEqual(["open"]);
    expect(exportRegistry(server.db, actorOf(server.db, other.id), { year: null, q: title })).toHaveLength(1);
    const after = listCyclesWithCounts(server.db).find((c) => c.year === year)!;
    expect(after.total).toBe(cyclesBefore.total + 1);
    expect(after.open).toBe(cyclesBefore.open + 1);
    const pillarRow = (d: ReturnType<typeof loadDashboard>) => d.statusByPillar.reduce((sum, p) => sum + p.open, 0);
    expect(pillarRow(loadDashboard(server.db, { year, today: "2000-01-01" }))).toBe(pillarRow(dashboardBefore) + 1);
  });

  it("is left out when its cycle closes, so the annual report's figures count only confirmed work", async () => {
    // Closing a cycle changes the whole forum: this test has a server of its own.
    const own = await startServer();
    try {
      const { db } = own;
      const event = makeEvent(db);
      const breakout = makeBreakout(db, event);
      const rapporteur = await makePerson(db, { organisation: NGO });
      const roomId = breakout.rooms[0]!.id;
      placeInRoom(db, breakout, roomId, rapporteur.id);
      db.$client.prepare("UPDATE breakout_rooms SET rapporteur_id = ? WHERE id = ?").run(rapporteur.id, roomId);
      db.$client.prepare("UPDATE breakouts SET status = 'closed' WHERE session_id = ?").run(breakout.sessionId);
      const saved = saveReportBack(
        db,
        actorOf(db, rapporteur.id),
        roomId,
        { keyPoints: "", actions: ["Never confirmed"], pillarId: null, submit: true },
        meta,
      );
      expect(saved.ok).toBe(true);
      const actionId = (db.$client.prepare("SELECT id FROM breakout_actions WHERE room_id = ?").get(roomId) as { id: number }).id;
      const made = proposeCommitment(db, actorOf(db, rapporteur.id), actionId, meta);
      if (!made.ok) throw new Error("not made");
      const cycle = currentCycle(db)!;
      const confirmed = (
        db.$client.prepare("SELECT count(*) AS n FROM commitments WHERE cycle_id = ? AND status <> 'draft'").get(cycle.id) as { n: number }
      ).n;
      const closed = closeCycle(db, actorOf(db, SECRETARIAT), cycle.id, {}, `${cycle.year}-12-31`, meta);
      expect(closed).toEqual({ ok: true, assessed: confirmed });
      const report = buildReport(db, cycle.year, "full")!;
      expect(report.overview.commitments.value).toBe(confirmed);
      expect(report.commitments.some((r) => r.title === "Never confirmed")).toBe(false);
      // A draft of a closed cycle can no longer be confirmed.
      expect(confirmCommitment(db, actorOf(db, rapporteur.id), made.commitmentId, meta)).toMatchObject({ ok: false, refusal: "conflict" });
    } finally {
      await own.close();
    }
  });
});

describe("the export and the audit trail", () => {
  it("counts by stakeholder group with anything below five as 'fewer than 5', and names nobody", async () => {
    const s = await setUp({ attribution: "chatham_house" });
    const { db } = server;
    const ngoPeople = await Promise.all([1, 2, 3, 4, 5].map(() => makePerson(db, { organisation: NGO })));
    placeInRoom(db, s.breakout, s.roomId, ...ngoPeople.map((p) => p.id));
    server.db.$client
      .prepare("INSERT INTO breakout_messages (session_id, room_id, user_id, body) VALUES (?, ?, ?, ?), (?, ?, ?, ?)")
      .run(s.breakout.sessionId, s.roomId, s.peer.id, "First", s.breakout.sessionId, s.roomId, s.rapporteur.id, "Second");
    submitReport(s);
    const path = `/breakouts/${s.breakout.sessionId}/export.csv`;
    for (const [who, email, password] of [
      ["rapporteur", s.rapporteur.email, s.rapporteur.password],
      ["peer", s.peer.email, s.peer.password],
    ] as const) {
      expect((await get(server, path, await signInAs(server, email, password))).status, who).toBe(404);
    }
    const res = await get(server, path, await signInAs(server, s.facilitator.email, s.facilitator.password));
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const p of [s.rapporteur, s.peer, ...ngoPeople]) expect(text).not.toContain(p.name);
    const rows = parse(text.replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];
    const room = rows[0]!;
    // 6 from the NGO (the rapporteur and five more), one from industry.
    expect(room.assigned_ngo).toBe("6");
    expect(room.assigned_industry).toBe("fewer than 5");
    expect(room.assigned_government).toBe("fewer than 5");
    // The withheld counts hold one person: the total would tell that.
    expect(room.assigned_total).toBe("withheld");
    expect(room.wrote_in_chat_total).toBe("fewer than 5");
    expect(room.chat_messages).toBe("2");
    expect(room.report_back).toBe("submitted");
    expect(room.proposed_actions).toContain("Share hash lists across platforms");
    expect(Object.keys(room)).not.toContain("rapporteur");
    expect(rows[1]!.assigned_total).toBe("fewer than 5");
    expect(shownTotal(12, [6, 6, 0, 0])).toBe(12);
    expect(shownTotal(7, [6, 1, 0])).toBe("withheld");
    expect(shownTotal(16, [6, 3, 3, 4])).toBe(16);
    expect(shownTotal(14, [6, 4, 4])).toBe("withheld");
    expect(shownTotal(4, [4])).toBe("fewer than 5");

    const secretariat = await get(server, path, await signInAs(server, SECRETARIAT));
    expect(secretariat.status).toBe(200);
  });

  it("names the rapporteur on the record only", async () => {
    const s = await setUp({ attribution: "on_record" });
    submitReport(s);
    const res = await get(server, `/breakouts/${s.breakout.sessionId}/export.csv`, await signInAs(server, SECRETARIAT));
    const rows = parse((await res.text()).replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];
    expect(rows[0]!.rapporteur).toBe(s.rapporteur.name);
  });

  it("records who wrote a report-back, for the secretariat's audit log", async () => {
    const s = await setUp({ attribution: "group_only" });
    submitReport(s);
    const entries = listAudit(server.db, { actorId: s.rapporteur.id, action: "breakout.report" }).entries;
    expect(entries[0]).toMatchObject({ action: "breakout.report.submit", targetId: String(s.roomId), actorName: s.rapporteur.name });
    const cookie = await signInAs(server, SECRETARIAT);
    const page = await get(server, `/audit?actor=${s.rapporteur.id}&action=breakout.report`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("breakout.report.submit");
    const delegate = await signInAs(server, s.peer.email, s.peer.password);
    expect((await get(server, "/audit", delegate)).status).toBe(403);
  });
});
