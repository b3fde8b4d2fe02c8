import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addProgressUpdate,
  carryOver,
  closeCycle,
  createCommitment,
  getCommitment,
  lineageOf,
  listProgress,
  openCycle,
  verifyProgressUpdate,
  type CommitmentInput,
} from "../../app/models/commitments.server";
import { findPersonByEmail } from "../../app/models/people.server";
import type { Actor } from "../../app/utils/policy";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: null };
let secretariat: Actor;
let ngo: Actor;
const orgId = (name: string) =>
  (server.db.$client.prepare("SELECT id FROM organisations WHERE name LIKE ?").get(`${name}%`) as { id: number }).id;
const pillarId = (slug: string) => (server.db.$client.prepare("SELECT id FROM pillars WHERE slug = ?").get(slug) as { id: number }).id;

beforeAll(async () => {
  server = await startServer();
  secretariat = findPersonByEmail(server.db, "secretariat@convene.example")!;
  ngo = findPersonByEmail(server.db, "ngo@convene.example")!;
});
afterAll(() => server.close());

function input(title: string, patch: Partial<CommitmentInput> = {}): CommitmentInput {
  return {
    title,
    problem: "Reports reach platforms too slowly.",
    expectedResult: "Reports handled within a day.",
    pillarId: pillarId("collective-action"),
    principles: [1, 2],
    type: "joint",
    leadOrganisationId: orgId("Children First"),
    leadContribution: "Runs the pilot",
    supporting: [{ organisationId: orgId("Streamwave"), contribution: "Engineering time" }],
    contactName: "Wanjiru Kamau",
    contactEmail: "ngo@convene.example",
    startsOn: "2040-01-01",
    endsOn: "2041-12-31",
    madeAtSessionId: null,
    visibility: "members",
    milestones: [{ title: "Pilot agreed", dueOn: "2040-06-30" }],
    ...patch,
  };
}

describe("commitments over three forum cycles", () => {
  it("keeps references, lineage and frozen assessments over three years (2040 to 2042, after the demo cycles)", () => {
    // 2040: four commitments are made.
    expect(openCycle(server.db, secretariat, { year: 2040, reportOn: "2040-12-01" }, meta)).toMatchObject({ ok: true });
    const made = ["Shared triage", "Hash list", "Research access", "Helpline reach"].map((t) =>
      createCommitment(server.db, secretariat, input(t), meta),
    );
    expect(made.map((m) => m.ok && m.reference)).toEqual(["CA-2040-01", "CA-2040-02", "CA-2040-03", "CA-2040-04"]);
    const [triage, hashes, research, helpline] = made.map((m) => (m.ok ? m.id : 0));

    addProgressUpdate(
      server.db,
      ngo,
      triage!,
      { completion: "limited", percent: 20, narrative: "Pilot started", links: ["https://example.org/pilot"], files: [] },
      meta,
    );
    const done = addProgressUpdate(
      server.db,
      ngo,
      hashes!,
      { completion: "complete", percent: 100, narrative: "List live", links: [], files: [] },
      meta,
    );
    const updateId = done.ok ? done.id : 0;
    expect(verifyProgressUpdate(server.db, ngo, { commitmentId: hashes!, updateId, note: "Mine" }, meta)).toMatchObject({
      refusal: "forbidden",
    });
    expect(verifyProgressUpdate(server.db, secretariat, { commitmentId: triage!, updateId, note: "Elsewhere" }, meta)).toMatchObject({
      refusal: "notFound",
    });
    expect(verifyProgressUpdate(server.db, secretariat, { commitmentId: hashes!, updateId, note: "Checked the list" }, meta)).toEqual({
      ok: true,
    });
    expect(verifyProgressUpdate(server.db, secretariat, { commitmentId: hashes!, updateId, note: "Again" }, meta)).toMatchObject({
      refusal: "conflict",
    });

    // Closing before the report date is refused; afterwards every commitment is assessed and frozen.
    const cycle2040 = (server.db.$client.prepare("SELECT id FROM forum_cycles WHERE year = 2040").get() as { id: number }).id;
    expect(closeCycle(server.db, secretariat, cycle2040, {}, "2040-11-30", meta)).toMatchObject({ ok: false });
    expect(
      closeCycle(
        server.db,
        secretariat,
        cycle2040,
        { [triage!]: { earlyResult: "Two platforms joined", note: "On track" } },
        "2040-12-02",
        meta,
      ),
    ).toEqual({ ok: true, assessed: 4 });
    expect(() => server.db.$client.prepare("UPDATE cycle_assessments SET percent = 99").run()).toThrow(/frozen/);
    expect(() => server.db.$client.prepare("DELETE FROM progress_updates").run()).toThrow(/append-only/);

    // 2041: continue, rescope, split and withdraw what was still open.
    expect(openCycle(server.db, secretariat, { year: 2041, reportOn: "2041-12-01" }, meta)).toMatchObject({ ok: true });
    const continued = carryOver(server.db, secretariat, triage!, { kind: "continued", rationale: "More platforms to join" }, meta);
    const rescoped = carryOver(
      server.db,
      secretariat,
      research!,
      { kind: "rescoped", rationale: "Narrower", title: "Research access for two datasets", expectedResult: "Two datasets open" },
      meta,
    );
    const split = carryOver(
      server.db,
      secretariat,
      helpline!,
      {
        kind: "split",
        rationale: "Two audiences",
        parts: [
          { title: "Helpline reach: schools", expectedResult: "Schools" },
          { title: "Helpline reach: parents", expectedResult: "Parents" },
        ],
      },
      meta,
    );
    expect(carryOver(server.db, secretariat, hashes!, { kind: "continued", rationale: "Done already" }, meta)).toMatchObject({ ok: false });
    expect(continued).toMatchObject({ ok: true });
    expect(rescoped).toMatchObject({ ok: true });
    const [continuedId] = continued.ok ? continued.created : [];
    const [rescopedId] = rescoped.ok ? rescoped.created : [];
    expect(getCommitment(server.db, continuedId!)!.reference).toBe("CA-2040-01");
    expect(getCommitment(server.db, rescopedId!)).toMatchObject({ reference: "CA-2040-03", title: "Research access for two datasets" });
    expect(split.ok && split.created.map((id) => getCommitment(server.db, id)!.reference)).toEqual(["CA-2041-01", "CA-2041-02"]);
    // Unfinished milestones travel with the work.
    expect(getCommitment(server.db, continuedId!)!.milestones.map((m) => m.title)).toEqual(["Pilot agreed"]);

    const cycle2041 = (server.db.$client.prepare("SELECT id FROM forum_cycles WHERE year = 2041").get() as { id: number }).id;
    expect(closeCycle(server.db, secretariat, cycle2041, {}, "2041-12-02", meta)).toMatchObject({ ok: true });

    // 2042: carried a second time, the work is flagged for rescoping and keeps its whole history.
    openCycle(server.db, secretariat, { year: 2042, reportOn: "2042-12-01" }, meta);
    const again = carryOver(server.db, secretariat, continuedId!, { kind: "continued", rationale: "Still going" }, meta);
    expect(again).toMatchObject({ ok: true });
    const lineage = lineageOf(server.db, "CA-2040-01");
    expect(lineage.years.map((y) => [y.year, y.status])).toEqual([
      [2040, "carried"],
      [2041, "carried"],
      [2042, "open"],
    ]);
    expect(lineage.years[0]!.assessment).toMatchObject({ completion: "limited", percent: 20, earlyResult: "Two platforms joined" });
    expect(lineage.carriedTimes).toBe(2);
    expect(listProgress(server.db, "CA-2040-01")[0]).toMatchObject({
      year: 2040,
      narrative: "Pilot started",
      evidence: [{ kind: "link", url: "https://example.org/pilot" }],
    });

    // Completion is credited to the cycle it happened in; a withdrawn commitment keeps its link.
    expect(server.db.$client.prepare("SELECT completed_in_cycle_id AS c FROM commitments WHERE id = ?").get(hashes!)).toEqual({
      c: cycle2040,
    });
    const splitFrom = server.db.$client.prepare("SELECT kind, to_id AS toId FROM carry_links WHERE from_id = ?").all(helpline!);
    expect(splitFrom).toHaveLength(2);
  });

  it("leaves opening, carrying over and closing to the secretariat, and recording to the lead organisation", () => {
    const cycles = () => server.db.$client.prepare("SELECT count(*) AS n FROM forum_cycles").get();
    const before = cycles();
    expect(openCycle(server.db, ngo, { year: 2043, reportOn: "2043-12-01" }, meta)).toMatchObject({ ok: false, refusal: "forbidden" });
    expect(cycles()).toEqual(before);
    const open = (server.db.$client.prepare("SELECT id FROM forum_cycles WHERE year = 2042").get() as { id: number }).id;
    expect(closeCycle(server.db, ngo, open, {}, "2042-12-02", meta)).toMatchObject({ refusal: "forbidden" });
    const candidate = server.db.$client
      .prepare("SELECT c.id FROM commitments c JOIN forum_cycles f ON f.id = c.cycle_id WHERE f.year = 2041 AND c.status = 'open'")
      .get() as { id: number };
    expect(carryOver(server.db, ngo, candidate.id, { kind: "withdrawn", rationale: "Ours to drop" }, meta)).toMatchObject({
      refusal: "forbidden",
    });
    // Merging work with itself is no merge.
    expect(
      carryOver(
        server.db,
        secretariat,
        candidate.id,
        { kind: "merged", rationale: "Twice", withIds: [candidate.id], title: "Same", expectedResult: "Same" },
        meta,
      ),
    ).toMatchObject({ refusal: "invalid", errors: { withIds: "errors.invalidChoice" } });
    expect(
      createCommitment(server.db, ngo, input("Not ours", { leadOrganisationId: orgId("Streamwave"), supporting: [] }), meta),
    ).toMatchObject({
      refusal: "forbidden",
    });
    expect(createCommitment(server.db, ngo, input("Ours", { supporting: [] }), meta)).toMatchObject({ ok: true });
  });
});
