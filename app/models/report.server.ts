/**
 * The annual progress report's numbers: one module, computed only from a closed cycle's frozen
 * assessments, so generating the report again gives the same figures.
 *
 * The public version's figures count all commitments (the coalition's totals) but list only public
 * ones; a figure that would tell a reader about the non-public work of fewer than `MIN_ORGANISATIONS`
 * organisations is suppressed, with enough others that it cannot be worked back (decision 022).
 */
import { and, asc, eq, ne } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import {
  commitmentOrganisations,
  commitments,
  cycleAssessments,
  forumCycles,
  organisations,
  pillars,
  reportHighlights,
} from "../../db/schema";
import { completionLevels, type CompletionLevel, type StakeholderGroup } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { refuse, type Failure } from "./commitments.server";

export const MIN_ORGANISATIONS = 5;

export type Audience = "full" | "public";

/** A count, or `null` when the public version suppresses it. */
export interface Figure {
  value: number | null;
  /** How many organisations the figure describes (kept out of the public output). */
  organisations?: number;
}

export interface ReportRow {
  commitmentId: number;
  reference: string;
  title: string;
  pillar: string;
  pillarSlug: string;
  leadOrganisation: string;
  organisations: string[];
  visibility: string;
  completion: CompletionLevel;
  percent: number;
  earlyResult: string;
  note: string;
  /** The year the work began (from its reference), earlier than the report's year when it was carried in. */
  originYear: number;
  carriedIn: boolean;
}

export interface ReportData {
  year: number;
  audience: Audience;
  closedAt: string;
  reportOn: string;
  overview: {
    commitments: Figure;
    organisations: Figure;
    stakeholderGroups: Figure;
    newThisYear: Figure;
    carriedIn: Figure;
    completed: Figure;
    substantialOrBetter: Figure;
    withdrawn: Figure;
    byCompletion: Record<CompletionLevel, Figure>;
  };
  /** Commitments counted in the figures but not listed (not public); `null` when telling how many would undo a suppression. */
  unlisted: Figure;
  pillars: { slug: string; name: string; commitments: Figure; completed: Figure; byCompletion: Record<CompletionLevel, Figure> }[];
  carried: ReportRow[];
  highlights: (ReportRow & { highlightNote: string })[];
  commitments: ReportRow[];
  /**
   * What disclosure control withholds, said plainly (decision 040): the rule's threshold and where each
   * withheld figure is (`overview.carriedIn`, `pillars.<slug>.byCompletion.limited`…). Only what the
   * `null` values already show; empty in the full report.
   */
  withheld: { minOrganisations: number; figures: string[] };
}

/** The closed cycle of that year, or null. */
export function closedCycle(db: DbOrTx, year: number) {
  const cycle = db.select().from(forumCycles).where(eq(forumCycles.year, year)).get();
  return cycle && cycle.status === "closed" ? cycle : null;
}

export function listClosedCycles(db: DbOrTx) {
  return db
    .select({ year: forumCycles.year, closedAt: forumCycles.closedAt })
    .from(forumCycles)
    .where(eq(forumCycles.status, "closed"))
    .orderBy(asc(forumCycles.year))
    .all()
    .reverse();
}

function originYear(reference: string, fallback: number): number {
  const year = Number(reference.split("-")[1]);
  return Number.isInteger(year) ? year : fallback;
}

/** A figure before disclosure control: its count, and the non-public work inside it. */
export interface RawFigure {
  count: number;
  /** How many organisations the figure describes. */
  organisations: number;
  /** Non-public commitments it counts (a public reader cannot see them, only the total). */
  hidden: number;
  /** Organisations owning those non-public commitments. */
  hiddenOrganisations: Set<number>;
}

/** An additive relation a reader can use: `total` = the sum of `parts`. */
export interface Relation {
  total: string;
  parts: string[];
}

const EPSILON = 1e-9;

/**
 * The suppressed figures whose exact value follows from the shown ones through `relations`
 * (Gauss–Jordan elimination over the suppressed figures; shown values only move to the right-hand side).
 */
export function recoverable(suppressed: Iterable<string>, relations: Relation[]): string[] {
  const unknown = [...suppressed];
  const column = new Map(unknown.map((k, i) => [k, i]));
  const matrix = relations
    .map((r) => {
      const row = new Array<number>(unknown.length).fill(0);
      const add = (key: string, c: number) => {
        const i = column.get(key);
        if (i !== undefined) row[i]! += c;
      };
      add(r.total, 1);
      for (const p of r.parts) add(p, -1);
      return row;
    })
    .filter((row) => row.some((v) => Math.abs(v) > EPSILON));
  let pivotRow = 0;
  for (let col = 0; col < unknown.length && pivotRow < matrix.length; col++) {
    const found = matrix.findIndex((row, i) => i >= pivotRow && Math.abs(row[col]!) > EPSILON);
    if (found < 0) continue;
    [matrix[pivotRow], matrix[found]] = [matrix[found]!, matrix[pivotRow]!];
    const pivot = matrix[pivotRow]!;
    const lead = pivot[col]!;
    for (let j = 0; j < pivot.length; j++) pivot[j]! /= lead;
    matrix.forEach((row, i) => {
      const factor = row[col]!;
      if (i === pivotRow || Math.abs(factor) <= EPSILON) return;
      for (let j = 0; j < row.length; j++) row[j]! -= factor * pivot[j]!;
    });
    pivotRow++;
  }
  // A suppressed figure is determined exactly when a reduced row names it alone.
  return matrix.flatMap((row) => {
    const nonZero = row.flatMap((v, i) => (Math.abs(v) > EPSILON ? [i] : []));
    return nonZero.length === 1 ? [unknown[nonZero[0]!]!] : [];
  });
}

/**
 * The suppressed figures a reader can pin down: through the relations together (`recoverable`), or because
 * counts are never negative (suppressed parts whose known sum is 0 are all 0), repeated until nothing new follows.
 */
function exposed(suppressed: Set<string>, relations: Relation[], hiddenOf: (key: string) => number): string[] {
  const unknown = new Set(suppressed);
  const found: string[] = [];
  for (;;) {
    const next = new Set(recoverable(unknown, relations));
    for (const r of relations) {
      if (unknown.has(r.total) && !next.has(r.total)) continue;
      const open = r.parts.filter((p) => unknown.has(p) && !next.has(p));
      if (open.length > 0 && open.every((p) => hiddenOf(p) === 0)) for (const p of open) next.add(p);
    }
    if (next.size === 0) return found;
    for (const k of next) {
      unknown.delete(k);
      found.push(k);
    }
  }
}

/**
 * Disclosure control for the public version (decision 022). Returns the figures to suppress:
 * 1. primary: every figure whose non-public commitments belong to 1 to 4 organisations;
 * 2. complementary, per relation: a relation may not have exactly one suppressed member, and when its
 *    total is shown, its suppressed parts together must describe no or at least five organisations'
 *    non-public work; otherwise the next-smallest part (fewest non-public commitments, non-zero first)
 *    is suppressed too, or the total when no part is left;
 * 3. an audit over all relations together: while any suppressed figure is still determined, the
 *    next-smallest shown member of a relation containing it is suppressed.
 */
export function protectFigures(figures: Map<string, RawFigure>, relations: Relation[]): Set<string> {
  const suppressed = new Set<string>();
  for (const [key, f] of figures) if (f.hiddenOrganisations.size > 0 && f.hiddenOrganisations.size < MIN_ORGANISATIONS) suppressed.add(key);
  const hiddenOf = (key: string) => figures.get(key)?.hidden ?? 0;
  const nextSmallest = (candidates: string[]) =>
    candidates
      .filter((k) => !suppressed.has(k))
      .map((k, i) => ({ k, i, h: hiddenOf(k) }))
      .sort((a, b) => Number(a.h === 0) - Number(b.h === 0) || a.h - b.h || a.i - b.i)[0]?.k;

  for (;;) {
    let added = false;
    for (const r of relations) {
      const members = [r.total, ...r.parts];
      const count = members.filter((m) => suppressed.has(m)).length;
      if (count === 0) continue;
      const orgs = new Set(r.parts.filter((p) => suppressed.has(p)).flatMap((p) => [...(figures.get(p)?.hiddenOrganisations ?? [])]));
      const sumExposed = !suppressed.has(r.total) && orgs.size > 0 && orgs.size < MIN_ORGANISATIONS;
      if (count !== 1 && !sumExposed) continue;
      const pick = nextSmallest(r.parts) ?? (suppressed.has(r.total) ? undefined : r.total);
      if (pick) {
        suppressed.add(pick);
        added = true;
      }
    }
    if (added) continue;
    const determined = exposed(suppressed, relations, hiddenOf);
    if (determined.length === 0) break;
    const pick = relations
      .filter((r) => r.total === determined[0] || r.parts.includes(determined[0]!))
      .map((r) => nextSmallest([...r.parts, r.total]))
      .find((k) => k !== undefined);
    if (!pick) break;
    suppressed.add(pick);
  }
  return suppressed;
}

/** What disclosure control needs to know of one assessed commitment. */
export interface FigureInput {
  pillarSlug: string;
  completion: CompletionLevel;
  carriedIn: boolean;
  public: boolean;
  organisationIds: number[];
}

/** The names of the report's figures: `commitments`, `newThisYear`, `carriedIn`, `substantialOrBetter`, per level, per pillar and per pillar and level. */
export const figureKeys = {
  level: (l: CompletionLevel) => `completion:${l}`,
  pillar: (slug: string) => `pillar:${slug}`,
  cell: (slug: string, l: CompletionLevel) => `pillar:${slug}:${l}`,
};

/**
 * Every figure of the report, counted over all the cycle's commitments (the coalition's totals; only the
 * listing is limited to public ones), the relations between them, and for the public version the ones to suppress.
 */
export function reportFigures(all: FigureInput[], pillarSlugs: string[], audience: Audience) {
  const { level, pillar, cell } = figureKeys;
  const orgsOf = (subset: FigureInput[]) => new Set(subset.flatMap((r) => r.organisationIds));
  const figures = new Map<string, RawFigure>();
  const relations: Relation[] = [];
  const figure = (key: string, subset: FigureInput[]) => {
    const hidden = subset.filter((r) => !r.public);
    figures.set(key, {
      count: subset.length,
      organisations: orgsOf(subset).size,
      hidden: hidden.length,
      hiddenOrganisations: orgsOf(hidden),
    });
  };
  figure("commitments", all);
  figure(
    "newThisYear",
    all.filter((r) => !r.carriedIn),
  );
  figure(
    "carriedIn",
    all.filter((r) => r.carriedIn),
  );
  figure(
    "substantialOrBetter",
    all.filter((r) => r.completion === "complete" || r.completion === "substantial"),
  );
  for (const l of completionLevels)
    figure(
      level(l),
      all.filter((r) => r.completion === l),
    );
  for (const slug of pillarSlugs) {
    const subset = all.filter((r) => r.pillarSlug === slug);
    figure(pillar(slug), subset);
    for (const l of completionLevels)
      figure(
        cell(slug, l),
        subset.filter((r) => r.completion === l),
      );
    relations.push({ total: pillar(slug), parts: completionLevels.map((l) => cell(slug, l)) });
  }
  relations.push(
    { total: "commitments", parts: ["newThisYear", "carriedIn"] },
    { total: "commitments", parts: completionLevels.map(level) },
    { total: "commitments", parts: pillarSlugs.map(pillar) },
    { total: "substantialOrBetter", parts: [level("complete"), level("substantial")] },
    ...completionLevels.map((l) => ({ total: level(l), parts: pillarSlugs.map((slug) => cell(slug, l)) })),
  );
  const suppressed = audience === "public" ? protectFigures(figures, relations) : new Set<string>();
  return { figures, relations, suppressed };
}

/** Builds the report of a closed cycle for an audience; null when the cycle is not closed. */
export function buildReport(db: DbOrTx, year: number, audience: Audience): ReportData | null {
  const cycle = closedCycle(db, year);
  if (!cycle) return null;

  const assessed = db
    .select({
      commitmentId: commitments.id,
      reference: commitments.reference,
      title: commitments.title,
      visibility: commitments.visibility,
      pillar: pillars.name,
      pillarSlug: pillars.slug,
      pillarPosition: pillars.position,
      completion: cycleAssessments.completion,
      percent: cycleAssessments.percent,
      earlyResult: cycleAssessments.earlyResult,
      note: cycleAssessments.note,
    })
    .from(cycleAssessments)
    .innerJoin(commitments, eq(commitments.id, cycleAssessments.commitmentId))
    .innerJoin(pillars, eq(pillars.id, commitments.pillarId))
    // A draft is never assessed; should one have been, it still counts nowhere.
    .where(and(eq(cycleAssessments.cycleId, cycle.id), ne(commitments.status, "draft")))
    .orderBy(asc(pillars.position), asc(commitments.reference))
    .all();

  // The owners of the cycle's assessed commitments, through the same assessments: a list of thousands of ids
  // (`IN (…)`) made SQLite probe every organisation against every id, six times slower at 4,000 commitments.
  const owners = db
    .select({
      commitmentId: commitmentOrganisations.commitmentId,
      organisationId: organisations.id,
      name: organisations.name,
      group: organisations.stakeholderGroup,
      // The organisation's part in the commitment (lead or supporting), not a person's role.
      part: commitmentOrganisations.role,
    })
    .from(cycleAssessments)
    .innerJoin(commitmentOrganisations, eq(commitmentOrganisations.commitmentId, cycleAssessments.commitmentId))
    .innerJoin(organisations, eq(organisations.id, commitmentOrganisations.organisationId))
    .where(eq(cycleAssessments.cycleId, cycle.id))
    .orderBy(asc(commitmentOrganisations.role), asc(organisations.name))
    .all();
  const ownersOf = new Map<number, typeof owners>();
  for (const o of owners) ownersOf.set(o.commitmentId, [...(ownersOf.get(o.commitmentId) ?? []), o]);

  const all: ReportRow[] = assessed.map((r) => {
    const own = ownersOf.get(r.commitmentId) ?? [];
    const origin = originYear(r.reference, year);
    return {
      commitmentId: r.commitmentId,
      reference: r.reference,
      title: r.title,
      pillar: r.pillar,
      pillarSlug: r.pillarSlug,
      leadOrganisation: own.find((o) => o.part === "lead")?.name ?? "",
      organisations: own.map((o) => o.name),
      visibility: r.visibility,
      completion: r.completion,
      percent: r.percent,
      earlyResult: r.earlyResult,
      note: audience === "full" ? r.note : "",
      originYear: origin,
      carriedIn: origin < year,
    };
  });
  const isPublic = (r: ReportRow) => r.visibility === "public";
  const orgsOf = (subset: ReportRow[]) => new Set(subset.flatMap((r) => (ownersOf.get(r.commitmentId) ?? []).map((o) => o.organisationId)));

  const pillarList = db.select().from(pillars).orderBy(asc(pillars.position)).all();
  const { figures: raw, suppressed } = reportFigures(
    all.map((r) => ({
      pillarSlug: r.pillarSlug,
      completion: r.completion,
      carriedIn: r.carriedIn,
      public: isPublic(r),
      organisationIds: (ownersOf.get(r.commitmentId) ?? []).map((o) => o.organisationId),
    })),
    pillarList.map((p) => p.slug),
    audience,
  );
  const level = figureKeys.level;
  const cell = figureKeys.cell;
  const shown = (key: string): Figure => {
    const f = raw.get(key)!;
    return { value: suppressed.has(key) ? null : f.count, organisations: f.organisations };
  };
  const byCompletion = (key: (l: CompletionLevel) => string) =>
    Object.fromEntries(completionLevels.map((l) => [l, shown(key(l))])) as Record<CompletionLevel, Figure>;
  // Counts of organisations and groups are shown only with the grand total (they tell how widely the hidden work is spread).
  const withTotal = (count: number): Figure => ({ value: suppressed.has("commitments") ? null : count, organisations: count });

  const listed = audience === "public" ? all.filter(isPublic) : all;
  // Identifiers are numbered per pillar and year (and ids across all commitments), so their gaps would count what
  // is not listed; the public version leaves them out.
  const rows: ReportRow[] =
    audience === "public" ? listed.map((r, i) => ({ ...r, commitmentId: i + 1, reference: "", visibility: "public" })) : listed;
  const rowOf = new Map(listed.map((r, i) => [r.commitmentId, rows[i]!]));
  const unlistedCount = all.length - listed.length;

  const highlightRows = db
    .select({ commitmentId: reportHighlights.commitmentId, note: reportHighlights.note })
    .from(reportHighlights)
    .where(eq(reportHighlights.cycleId, cycle.id))
    .orderBy(asc(reportHighlights.position), asc(reportHighlights.commitmentId))
    .all();

  const report: Omit<ReportData, "withheld"> = {
    year,
    audience,
    closedAt: (cycle.closedAt ?? new Date(0)).toISOString(),
    reportOn: cycle.reportOn,
    overview: {
      commitments: shown("commitments"),
      organisations: withTotal(orgsOf(all).size),
      stakeholderGroups: withTotal(new Set<StakeholderGroup>(owners.map((o) => o.group)).size),
      newThisYear: shown("newThisYear"),
      carriedIn: shown("carriedIn"),
      completed: shown(level("complete")),
      substantialOrBetter: shown("substantialOrBetter"),
      withdrawn: shown(level("withdrawn")),
      byCompletion: byCompletion(level),
    },
    unlisted: { value: suppressed.has("commitments") ? null : unlistedCount },
    pillars: pillarList.map((p) => ({
      slug: p.slug,
      name: p.name,
      commitments: shown(`pillar:${p.slug}`),
      completed: shown(cell(p.slug, "complete")),
      byCompletion: byCompletion((l) => cell(p.slug, l)),
    })),
    carried: rows.filter((r) => r.carriedIn),
    highlights: highlightRows.flatMap((h) => {
      const row = rowOf.get(h.commitmentId);
      return row ? [{ ...row, highlightNote: h.note }] : [];
    }),
    commitments: rows,
  };
  return { ...report, withheld: { minOrganisations: MIN_ORGANISATIONS, figures: withheldFigures(report) } };
}

/**
 * Where the report's withheld figures are, as the page shows them: every overview figure and every
 * pillar's total and levels (a pillar's `completed` is its `complete` level, so it is named once).
 */
export function withheldFigures(report: Pick<ReportData, "overview" | "pillars">): string[] {
  const { byCompletion, ...facts } = report.overview;
  const paths: [string, Figure][] = [
    ...Object.entries(facts).map(([key, f]): [string, Figure] => [`overview.${key}`, f]),
    ...completionLevels.map((l): [string, Figure] => [`overview.byCompletion.${l}`, byCompletion[l]]),
    ...report.pillars.flatMap((p) => [
      [`pillars.${p.slug}.commitments`, p.commitments] as [string, Figure],
      ...completionLevels.map((l): [string, Figure] => [`pillars.${p.slug}.byCompletion.${l}`, p.byCompletion[l]]),
    ]),
  ];
  return paths.filter(([, f]) => f.value === null).map(([path]) => path);
}

/** The report without internal counts, as the JSON download and the page receive it. */
export function publishable(report: ReportData): ReportData {
  const strip = (f: Figure): Figure => ({ value: f.value });
  const stripAll = <T extends Record<string, Figure>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, strip(v)])) as T;
  const { byCompletion, ...rest } = report.overview;
  return {
    ...report,
    overview: { ...stripAll(rest), byCompletion: stripAll(byCompletion) },
    unlisted: strip(report.unlisted),
    pillars: report.pillars.map((p) => ({
      ...p,
      commitments: strip(p.commitments),
      completed: strip(p.completed),
      byCompletion: stripAll(p.byCompletion),
    })),
  };
}

/** Chooses (or drops) a commitment to highlight in a closed cycle's report: the secretariat's, and only one the cycle assessed. */
export function setHighlight(
  db: Db,
  actor: Actor,
  year: number,
  commitmentId: number,
  highlight: { note: string } | null,
  meta: RequestMeta,
): { ok: true } | Failure {
  if (!can(actor, "cycles.manage")) return refuse("forbidden", "errors.forbidden");
  const actorId = actor.id;
  return db.transaction((tx) => {
    const cycle = closedCycle(tx, year);
    if (!cycle) return refuse("notFound", "errors.notFound");
    const assessed = tx
      .select({ id: cycleAssessments.id })
      .from(cycleAssessments)
      .where(and(eq(cycleAssessments.cycleId, cycle.id), eq(cycleAssessments.commitmentId, commitmentId)))
      .get();
    if (!assessed) return refuse("invalid", "errors.invalidChoice", "commitmentId");
    if (highlight) {
      tx.insert(reportHighlights)
        .values({ cycleId: cycle.id, commitmentId, note: highlight.note, chosenBy: actorId })
        .onConflictDoUpdate({ target: [reportHighlights.cycleId, reportHighlights.commitmentId], set: { note: highlight.note } })
        .run();
    } else {
      tx.delete(reportHighlights)
        .where(and(eq(reportHighlights.cycleId, cycle.id), eq(reportHighlights.commitmentId, commitmentId)))
        .run();
    }
    recordAudit(
      tx,
      {
        actorId,
        action: highlight ? "report.highlight" : "report.unhighlight",
        targetType: "cycle",
        targetId: cycle.id,
        detail: { commitmentId },
      },
      meta,
    );
    return { ok: true as const };
  });
}
