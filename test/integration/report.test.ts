import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addProgressUpdate, closeCycle, createCommitment, openCycle, type CommitmentInput } from "../../app/models/commitments.server";
import { buildReport, publishable } from "../../app/models/report.server";
import type { CompletionLevel } from "../../app/domain/vocabulary";
import { findPersonByEmail } from "../../app/models/people.server";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: null };
const lastYear = new Date().getUTCFullYear() - 1;
const orgId = (name: string) =>
  (server.db.$client.prepare("SELECT id FROM organisations WHERE name LIKE ?").get(`${name}%`) as { id: number }).id;
const pillarId = (slug: string) => (server.db.$client.prepare("SELECT id FROM pillars WHERE slug = ?").get(slug) as { id: number }).id;

/** The fixture year: six public commitments from six organisations and one members-only one. */
const FIXTURE_YEAR = 2030;
const fixture: {
  title: string;
  org: string;
  pillar: string;
  completion: CompletionLevel;
  percent: number;
  visibility: "public" | "members";
}[] = [
  {
    title: "Ministry: reporting law",
    org: "Ministry of Digital",
    pillar: "collective-action",
    completion: "complete",
    percent: 100,
    visibility: "public",
  },
  {
    title: "Police: referral desk",
    org: "Federal Cybercrime",
    pillar: "collective-action",
    completion: "complete",
    percent: 100,
    visibility: "public",
  },
  {
    title: "NGO: survivor panel",
    org: "Children First",
    pillar: "collective-action",
    completion: "substantial",
    percent: 70,
    visibility: "public",
  },
  {
    title: "Hotline: shared taxonomy",
    org: "Safe Line",
    pillar: "collective-action",
    completion: "limited",
    percent: 30,
    visibility: "public",
  },
  {
    title: "Industry: age signals",
    org: "Streamwave",
    pillar: "collective-action",
    completion: "not_started",
    percent: 0,
    visibility: "public",
  },
  {
    title: "Research: open dataset",
    org: "Institute for Online",
    pillar: "tech-innovation",
    completion: "complete",
    percent: 100,
    visibility: "public",
  },
  {
    title: "Partnership: confidential pilot",
    org: "Regional Child",
    pillar: "collective-action",
    completion: "complete",
    percent: 100,
    visibility: "members",
  },
];

beforeAll(async () => {
  server = await startServer();
  const secretariat = findPersonByEmail(server.db, "secretariat@convene.example")!;
  openCycle(server.db, secretariat, { year: FIXTURE_YEAR, reportOn: `${FIXTURE_YEAR}-12-01` }, meta);
  for (const f of fixture) {
    const input: CommitmentInput = {
      title: f.title,
      problem: "",
      expectedResult: "",
      pillarId: pillarId(f.pillar),
      principles: [],
      type: "single",
      leadOrganisationId: orgId(f.org),
      leadContribution: "",
      supporting: [],
      contactName: "Contact",
      contactEmail: null,
      startsOn: `${FIXTURE_YEAR}-01-01`,
      endsOn: `${FIXTURE_YEAR}-12-31`,
      madeAtSessionId: null,
      visibility: f.visibility,
      milestones: [],
    };
    const made = createCommitment(server.db, secretariat, input, meta);
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    if (f.completion !== "not_started")
      addProgressUpdate(
        server.db,
        secretariat,
        made.id,
        { completion: f.completion, percent: f.percent, narrative: "Reported", links: [], files: [] },
        meta,
      );
  }
  const cycleId = (server.db.$client.prepare("SELECT id FROM forum_cycles WHERE year = ?").get(FIXTURE_YEAR) as { id: number }).id;
  closeCycle(server.db, secretariat, cycleId, {}, `${FIXTURE_YEAR}-12-02`, meta);
});
afterAll(() => server.close());

describe("the annual progress report's figures", () => {
  it("match the fixture in the full report, and again when generated a second time", () => {
    const report = buildReport(server.db, FIXTURE_YEAR, "full")!;
    expect(report.overview.commitments.value).toBe(7);
    expect(report.overview.organisations.value).toBe(7);
    expect(report.overview.completed.value).toBe(4);
    expect(report.overview.substantialOrBetter.value).toBe(5);
    expect(report.overview.byCompletion.limited.value).toBe(1);
    expect(report.overview.byCompletion.not_started.value).toBe(1);
    expect(report.overview.newThisYear.value).toBe(7);
    expect(report.overview.carriedIn.value).toBe(0);
    const ca = report.pillars.find((p) => p.slug === "collective-action")!;
    expect([ca.commitments.value, ca.completed.value]).toEqual([6, 3]);
    expect(report.commitments.map((c) => c.reference)).toContain("CA-2030-06");
    expect(publishable(buildReport(server.db, FIXTURE_YEAR, "full")!)).toEqual(publishable(report));
  });

  it("counts all commitments in the public version, lists only public ones, and hides what one organisation's non-public work would show", () => {
    const report = buildReport(server.db, FIXTURE_YEAR, "public")!;
    expect(report.commitments.map((c) => c.title)).not.toContain("Partnership: confidential pilot");
    expect(report.commitments).toHaveLength(6);
    // The only non-public commitment belongs to one organisation: every figure that counts it is hidden, the total too,
    // and so is how many are not listed (it would give the total back).
    expect(report.overview.commitments.value).toBeNull();
    expect(report.overview.organisations.value).toBeNull();
    expect(report.unlisted.value).toBeNull();
    expect(report.overview.completed.value).toBeNull();
    const ca = report.pillars.find((p) => p.slug === "collective-action")!;
    expect(ca.commitments.value).toBeNull();
    expect(ca.completed.value).toBeNull();
    // Figures without non-public work are the listed rows' counts, whatever the number of organisations.
    expect(ca.byCompletion.limited.value).toBe(1);
    expect(report.pillars.find((p) => p.slug === "tech-innovation")!.commitments.value).toBe(1);
    expect(report.pillars.find((p) => p.slug === "knowledge-sharing")!.commitments.value).toBe(0);
    expect(report.commitments.every((c) => c.note === "" && c.reference === "")).toBe(true);
  });

  it("serves the public version to anyone and the full one to the secretariat only", async () => {
    const html = await (await get(server, `/reports/${FIXTURE_YEAR}/public`)).text();
    expect(html).toContain("Ministry: reporting law");
    expect(html).not.toContain("confidential pilot");
    expect(html).toContain("Some commitments are not public and are not listed");
    const json = await (await get(server, `/reports/${FIXTURE_YEAR}/download/public.json`)).json();
    expect(JSON.stringify(json)).not.toContain("confidential");
    expect(json.overview.completed).toEqual({ value: null });
    const csv = await (await get(server, `/reports/${FIXTURE_YEAR}/download/public.csv`)).text();
    expect(csv.split("\n")[0]).toBe("title,pillar,lead_organisation,organisations,origin_year,carried_in,completion,percent,early_result");
    expect(csv).not.toContain("confidential");

    expect((await get(server, `/reports/${FIXTURE_YEAR}`)).status).toBe(302);
    expect((await get(server, `/reports/${FIXTURE_YEAR}/download/report.csv`, await signInAs(server, "ngo@convene.example"))).status).toBe(
      403,
    );
    const secretariat = await signInAs(server, "secretariat@convene.example");
    expect(await (await get(server, `/reports/${FIXTURE_YEAR}`, secretariat)).text()).toContain("confidential pilot");
    // An open cycle has no report yet.
    expect((await get(server, `/reports/${new Date().getUTCFullYear()}/public`)).status).toBe(404);
    expect((await get(server, `/reports/${lastYear}/public`)).status).toBe(200);
  });

  it("prints the report to PDF with Chromium", async () => {
    const res = await get(server, `/reports/${FIXTURE_YEAR}/download/report.pdf`, await signInAs(server, "secretariat@convene.example"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
  });
});
