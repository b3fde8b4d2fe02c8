/**
 * The public report against a reader who wants the suppressed figures back (decision 022).
 *
 * The fixture is built to break suppression: a pillar whose non-public work belongs to four organisations
 * while one more has public work there; a pillar where one small cell could be taken from its total; a
 * cell that could be worked out by counting the listed public rows. The attacker below knows only what
 * the public page, its `.data`, the CSV and JSON downloads show, and how the report is built (the
 * methodology is public): it subtracts along rows and columns, counts listed rows, solves the relations
 * together and uses that no count is negative.
 */
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addProgressUpdate, closeCycle, createCommitment, openCycle } from "../../app/models/commitments.server";
import { createOrganisation } from "../../app/models/organisations.server";
import { buildReport, figureKeys, MIN_ORGANISATIONS, reportFigures, type FigureInput } from "../../app/models/report.server";
import { completionLevels, type CompletionLevel } from "../../app/domain/vocabulary";
import { get, startServer, type TestServer } from "../support/server";
import { actorOf, pillarIdOf, SECRETARIAT, unique } from "../support/factories";

// ---------------------------------------------------------------------------------------------
// The attacker: intervals for every figure's non-public part, tightened until nothing changes.

interface Relation {
  total: string;
  parts: string[];
}
type Interval = [number, number];

/** Bounds every variable can be pinned to, from known values, `relations` (total = sum of parts) and non-negativity. */
function attack(known: Map<string, number>, relations: Relation[], variables: string[]): Map<string, Interval> {
  const bounds = new Map<string, Interval>(variables.map((v) => [v, known.has(v) ? [known.get(v)!, known.get(v)!] : [0, Infinity]]));
  const lo = (v: string) => bounds.get(v)![0];
  const hi = (v: string) => bounds.get(v)![1];
  const tighten = (v: string, l: number, h: number) => {
    const [a, b] = bounds.get(v)!;
    const next: Interval = [Math.max(a, Math.ceil(l - 1e-9)), Math.min(b, Math.floor(h + 1e-9))];
    if (next[0] === a && next[1] === b) return false;
    bounds.set(v, next);
    return true;
  };
  // Each relation as a linear equation sum(c_i x_i) = 0.
  const equations = relations.map((r) => {
    const eq = new Map<string, number>();
    eq.set(r.total, (eq.get(r.total) ?? 0) + 1);
    for (const p of r.parts) eq.set(p, (eq.get(p) ?? 0) - 1);
    return eq;
  });
  /** Interval propagation on one equation sum(c_i x_i) = rhs. */
  const propagate = (eq: Map<string, number>, rhs: number) => {
    let changed = false;
    for (const [v, c] of eq) {
      let min = rhs;
      let max = rhs;
      for (const [w, d] of eq) {
        if (w === v) continue;
        // rhs - sum of the others, divided by c
        min -= d > 0 ? d * hi(w) : d * lo(w);
        max -= d > 0 ? d * lo(w) : d * hi(w);
      }
      const [l, h] = c > 0 ? [min / c, max / c] : [max / c, min / c];
      if (tighten(v, Number.isNaN(l) ? -Infinity : l, Number.isNaN(h) ? Infinity : h)) changed = true;
    }
    return changed;
  };
  for (let round = 0; round < 200; round++) {
    let changed = false;
    for (const eq of equations) if (propagate(eq, 0)) changed = true;
    // All equations together: eliminate the unknowns (Gauss–Jordan), then propagate on the reduced rows.
    const unknown = variables.filter((v) => lo(v) !== hi(v));
    const rows = equations.map((eq) => {
      const row = unknown.map((v) => eq.get(v) ?? 0);
      let rhs = 0;
      for (const [v, c] of eq) if (lo(v) === hi(v)) rhs -= c * lo(v);
      return [...row, rhs];
    });
    let r = 0;
    for (let col = 0; col < unknown.length && r < rows.length; col++) {
      const p = rows.findIndex((row, i) => i >= r && Math.abs(row[col]!) > 1e-9);
      if (p < 0) continue;
      [rows[r], rows[p]] = [rows[p]!, rows[r]!];
      const pivot = rows[r]!;
      const lead = pivot[col]!;
      for (let j = 0; j < pivot.length; j++) pivot[j]! /= lead;
      for (let i = 0; i < rows.length; i++) {
        const f = rows[i]![col]!;
        if (i !== r && Math.abs(f) > 1e-9) for (let j = 0; j < pivot.length; j++) rows[i]![j]! -= f * pivot[j]!;
      }
      r++;
    }
    for (const row of rows) {
      const eq = new Map<string, number>();
      row.slice(0, -1).forEach((c, i) => Math.abs(c) > 1e-9 && eq.set(unknown[i]!, c));
      if (eq.size > 0 && propagate(eq, row.at(-1)!)) changed = true;
    }
    if (!changed) break;
  }
  return bounds;
}

/** How the report is built, as its methodology tells any reader: named by the reader's own keys. */
function readerRelations(pillarNames: string[]): Relation[] {
  const cell = (p: string, l: string) => `cell:${p}:${l}`;
  return [
    { total: "commitments", parts: ["newThisYear", "carriedIn"] },
    { total: "commitments", parts: completionLevels.map((l) => `level:${l}`) },
    { total: "commitments", parts: pillarNames.map((p) => `pillar:${p}`) },
    { total: "substantialOrBetter", parts: ["level:complete", "level:substantial"] },
    ...pillarNames.map((p) => ({ total: `pillar:${p}`, parts: completionLevels.map((l) => cell(p, l)) })),
    ...completionLevels.map((l) => ({ total: `level:${l}`, parts: pillarNames.map((p) => cell(p, l)) })),
  ];
}

interface Shown {
  /** Every figure the reader sees, by the reader's key (`null` when shown as "–"). */
  figures: [string, number | null][];
  /** The listed public commitments. */
  rows: { pillar: string; completion: CompletionLevel; carriedIn: boolean }[];
  unlisted: number | null;
  pillarNames: string[];
}

/** The non-public part of every figure, as far as the reader can pin it down. */
function recover(shown: Shown): Map<string, Interval> {
  const listedIn = (key: string) => countListed(shown.rows, key);
  const known = new Map<string, number>();
  for (const [key, value] of shown.figures) if (value !== null) known.set(key, value - listedIn(key));
  if (shown.unlisted !== null) known.set("commitments", shown.unlisted);
  const relations = readerRelations(shown.pillarNames);
  const variables = [...new Set(relations.flatMap((r) => [r.total, ...r.parts]))];
  return attack(known, relations, variables);
}

/** What the public JSON (the same object the page's loader returns) shows, by the reader's keys. */
function figuresOf(report: {
  overview: Record<string, { value: number | null } | Record<string, { value: number | null }>>;
  pillars: {
    name: string;
    commitments: { value: number | null };
    completed: { value: number | null };
    byCompletion: Record<string, { value: number | null }>;
  }[];
}): [string, number | null][] {
  const o = report.overview as Record<string, { value: number | null }> & { byCompletion: Record<string, { value: number | null }> };
  return [
    ["commitments", o.commitments!.value],
    ["newThisYear", o.newThisYear!.value],
    ["carriedIn", o.carriedIn!.value],
    ["substantialOrBetter", o.substantialOrBetter!.value],
    ["level:complete", o.completed!.value],
    ["level:withdrawn", o.withdrawn!.value],
    ...completionLevels.map((l): [string, number | null] => [`level:${l}`, o.byCompletion[l]!.value]),
    ...report.pillars.flatMap((p): [string, number | null][] => [
      [`pillar:${p.name}`, p.commitments.value],
      [`cell:${p.name}:complete`, p.completed.value],
      ...completionLevels.map((l): [string, number | null] => [`cell:${p.name}:${l}`, p.byCompletion[l]!.value]),
    ]),
  ];
}

// ---------------------------------------------------------------------------------------------

let server: TestServer;
const meta = { ipAddress: null, userAgent: null };
const YEAR = 2033;
const tag = unique();

/** The fixture: organisation index, pillar, completion, visibility. */
const fixture: [number, string, CompletionLevel, "public" | "members"][] = [
  // Collective Action: four organisations' non-public work, one organisation's public work beside it.
  [0, "collective-action", "complete", "public"],
  [1, "collective-action", "complete", "members"],
  [2, "collective-action", "complete", "members"],
  [3, "collective-action", "limited", "members"],
  [4, "collective-action", "substantial", "members"],
  // Tech Innovation: five organisations' non-public work in one cell (shown), one organisation's alone in another:
  // without a second suppression, the total minus the shown cells gives it.
  [5, "tech-innovation", "substantial", "members"],
  [6, "tech-innovation", "substantial", "members"],
  [7, "tech-innovation", "substantial", "members"],
  [8, "tech-innovation", "substantial", "members"],
  [9, "tech-innovation", "substantial", "members"],
  [10, "tech-innovation", "not_started", "members"],
  [11, "tech-innovation", "limited", "public"],
  [12, "tech-innovation", "limited", "public"],
  // Independent Research: the complete cell is mostly public rows anyone can count, plus five organisations' non-public
  // work; one organisation's non-public limited work sits beside it.
  [0, "independent-research", "complete", "public"],
  [11, "independent-research", "complete", "public"],
  [12, "independent-research", "complete", "public"],
  [5, "independent-research", "complete", "members"],
  [6, "independent-research", "complete", "members"],
  [7, "independent-research", "complete", "members"],
  [8, "independent-research", "complete", "members"],
  [9, "independent-research", "complete", "members"],
  [1, "independent-research", "limited", "members"],
];
const titleOf = (i: number) => `Disclosure ${tag} #${i}`;

beforeAll(async () => {
  server = await startServer();
  const secretariat = actorOf(server.db, SECRETARIAT);
  const orgs: number[] = [];
  for (let i = 0; i < 13; i++) {
    const made = createOrganisation(server.db, secretariat, { name: `Org ${tag} ${i}`, stakeholderGroup: "ngo", country: "NL" }, meta);
    if (!made.ok) throw new Error(JSON.stringify(made));
    orgs.push(made.id);
  }
  openCycle(server.db, secretariat, { year: YEAR, reportOn: `${YEAR}-12-01` }, meta);
  fixture.forEach(([org, pillar, completion, visibility], i) => {
    const made = createCommitment(
      server.db,
      secretariat,
      {
        title: titleOf(i),
        problem: "",
        expectedResult: "",
        pillarId: pillarIdOf(server.db, pillar),
        principles: [],
        type: "single",
        leadOrganisationId: orgs[org]!,
        leadContribution: "",
        supporting: [],
        contactName: "Contact",
        contactEmail: null,
        startsOn: `${YEAR}-01-01`,
        endsOn: `${YEAR}-12-31`,
        madeAtSessionId: null,
        visibility,
        milestones: [],
      },
      meta,
    );
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    if (completion !== "not_started")
      addProgressUpdate(server.db, secretariat, made.id, { completion, percent: 50, narrative: "Reported", links: [], files: [] }, meta);
  });
  const cycleId = (server.db.$client.prepare("SELECT id FROM forum_cycles WHERE year = ?").get(YEAR) as { id: number }).id;
  const closed = closeCycle(server.db, secretariat, cycleId, {}, `${YEAR}-12-02`, meta);
  if (!closed.ok) throw new Error(JSON.stringify(closed));
});
afterAll(() => server.close());

const label: Record<string, CompletionLevel> = {
  "Not started": "not_started",
  Limited: "limited",
  Substantial: "substantial",
  Complete: "complete",
  Withdrawn: "withdrawn",
};

describe("the public report's disclosure control", () => {
  it("lets no suppressed figure be worked back from the page, its data, the CSV or the JSON", async () => {
    const base = `/reports/${YEAR}`;
    const [html, data, json, csv] = await Promise.all([
      get(server, `${base}/public`).then((r) => r.text()),
      get(server, `${base}/public.data`).then(async (r) => (await decode(r.body!)).value as Record<string, { data: { report: unknown } }>),
      get(server, `${base}/download/public.json`).then((r) => r.json()),
      get(server, `${base}/download/public.csv`).then((r) => r.text()),
    ]);
    // The page's data and the JSON download are one object.
    const loaderData = Object.values(data).find((d) => d && typeof d === "object" && "data" in d && d.data && "report" in d.data);
    expect(loaderData?.data.report).toEqual(json);

    const [header = [], ...lines] = parse(csv) as string[][];
    const rows = lines.map((cells) => {
      const at = (name: string) => cells[header.indexOf(name)]!;
      return { pillar: at("pillar"), completion: label[at("completion")]!, carriedIn: at("carried_in") === "yes" };
    });
    const hidden = fixture.filter((f) => f[3] !== "public").length;
    expect(rows).toHaveLength(fixture.length - hidden);
    expect(json.commitments).toHaveLength(rows.length);
    // The page lists the same rows (one body row each in its list table).
    const listTable = /data-testid="report-list">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
    expect(listTable.split("<tbody>")[1]?.match(/<tr/g)).toHaveLength(rows.length);

    // Nothing non-public is named anywhere, and no reference (their numbering would count the gaps).
    const full = buildReport(server.db, YEAR, "full")!;
    for (const text of [html, JSON.stringify(json), csv]) {
      for (const c of full.commitments) {
        expect(text).not.toContain(c.reference);
        if (c.visibility !== "public") expect(text).not.toContain(`${c.title}<`);
      }
    }
    expect(header).not.toContain("reference");
    // How many are not listed is said, since the total is shown.
    expect(json.unlisted).toEqual({ value: hidden });
    expect(html).toContain(`${hidden} commitments are not public and are not listed.`);

    const pillarNames = (json.pillars as { name: string }[]).map((p) => p.name);
    const figures = figuresOf(json);
    const bounds = recover({ figures, rows, unlisted: json.unlisted.value, pillarNames });

    // The truth, from the full report: the non-public part of each figure.
    const truth = new Map(
      figuresOf(publishableFull(full)).map(([key, total]) => {
        const listed = figures.find(([k]) => k === key);
        return [key, (total ?? 0) - (listed ? countListed(rows, key) : 0)];
      }),
    );
    const suppressed = figures.filter(([, v]) => v === null).map(([k]) => k);
    // The fixture does make the report suppress: the small pillar, the lone cell and its complement.
    expect(suppressed).toEqual(expect.arrayContaining(["pillar:Collective Action", "cell:Tech Innovation:not_started"]));
    for (const key of suppressed) {
      const [lo, hi] = bounds.get(key)!;
      // The attacker is sound (the truth lies in its bounds) and yet cannot tell the value.
      expect(truth.get(key), key).toBeGreaterThanOrEqual(lo);
      expect(truth.get(key), key).toBeLessThanOrEqual(hi);
      expect(lo < hi, `${key} can be worked out as ${lo}`).toBe(true);
    }
  });

  it("holds for any cycle: random commitments, organisations and visibilities", () => {
    const pillarSlugs = ["a", "b", "c"];
    const commitment = fc.record({
      pillarSlug: fc.constantFrom(...pillarSlugs),
      completion: fc.constantFrom(...completionLevels),
      carriedIn: fc.boolean(),
      public: fc.boolean(),
      organisationIds: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 2 }),
    });
    fc.assert(
      fc.property(fc.array(commitment, { maxLength: 30 }), (all: FigureInput[]) => {
        const { figures, suppressed } = reportFigures(all, pillarSlugs, "public");
        const value = (key: string) => (suppressed.has(key) ? null : figures.get(key)!.count);
        const { level, pillar, cell } = figureKeys;
        const shownFigures: [string, number | null][] = [
          ["commitments", value("commitments")],
          ["newThisYear", value("newThisYear")],
          ["carriedIn", value("carriedIn")],
          ["substantialOrBetter", value("substantialOrBetter")],
          ...completionLevels.map((l): [string, number | null] => [`level:${l}`, value(level(l))]),
          ...pillarSlugs.flatMap((p) => [
            [`pillar:${p}`, value(pillar(p))] as [string, number | null],
            ...completionLevels.map((l): [string, number | null] => [`cell:${p}:${l}`, value(cell(p, l))]),
          ]),
        ];
        const rows = all.filter((r) => r.public).map((r) => ({ pillar: r.pillarSlug, completion: r.completion, carriedIn: r.carriedIn }));
        const bounds = recover({
          figures: shownFigures,
          rows,
          unlisted: suppressed.has("commitments") ? null : all.length - rows.length,
          pillarNames: pillarSlugs,
        });
        for (const [key, v] of shownFigures) {
          const modelKey = key.startsWith("cell:")
            ? cell(key.split(":")[1]!, key.split(":")[2] as CompletionLevel)
            : key.startsWith("level:")
              ? level(key.split(":")[1] as CompletionLevel)
              : key.startsWith("pillar:")
                ? pillar(key.split(":")[1]!)
                : key;
          const f = figures.get(modelKey)!;
          // Every figure about 1–4 organisations' non-public work is suppressed...
          if (f.hiddenOrganisations.size > 0 && f.hiddenOrganisations.size < MIN_ORGANISATIONS) expect(v, key).toBeNull();
          // ...and no suppressed one can be pinned down.
          if (v === null) {
            const [lo, hi] = bounds.get(key)!;
            expect(f.hidden).toBeGreaterThanOrEqual(lo);
            expect(f.hidden).toBeLessThanOrEqual(hi);
            expect(lo < hi, `${key} can be worked out`).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** How many listed rows a figure counts. */
function countListed(rows: Shown["rows"], key: string): number {
  const [kind, a, b] = key.split(":");
  return rows.filter((r) => {
    if (kind === "commitments") return true;
    if (kind === "newThisYear") return !r.carriedIn;
    if (kind === "carriedIn") return r.carriedIn;
    if (kind === "substantialOrBetter") return r.completion === "complete" || r.completion === "substantial";
    if (kind === "level") return r.completion === a;
    if (kind === "pillar") return r.pillar === a;
    return r.pillar === a && r.completion === b;
  }).length;
}

/** The full report's figures in the shape of the public JSON. */
function publishableFull(full: NonNullable<ReturnType<typeof buildReport>>) {
  return full as unknown as Parameters<typeof figuresOf>[0];
}
