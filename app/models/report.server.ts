/**
 * The annual progress report's numbers: one module, computed only from a closed cycle's frozen
 * assessments, so generating the report again gives the same figures.
 *
 * The public version counts only public commitments and suppresses every figure that describes
 * fewer than `MIN_ORGANISATIONS` organisations, so no small group can be singled out.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
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
  pillars: { slug: string; name: string; commitments: Figure; completed: Figure; byCompletion: Record<CompletionLevel, Figure> }[];
  carried: ReportRow[];
  highlights: (ReportRow & { highlightNote: string })[];
  commitments: ReportRow[];
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
    .where(eq(cycleAssessments.cycleId, cycle.id))
    .orderBy(asc(pillars.position), asc(commitments.reference))
    .all()
    .filter((r) => audience === "full" || r.visibility === "public");

  const ids = assessed.map((r) => r.commitmentId);
  const owners = ids.length
    ? db
        .select({
          commitmentId: commitmentOrganisations.commitmentId,
          organisationId: organisations.id,
          name: organisations.name,
          group: organisations.stakeholderGroup,
          // The organisation's part in the commitment (lead or supporting), not a person's role.
          part: commitmentOrganisations.role,
        })
        .from(commitmentOrganisations)
        .innerJoin(organisations, eq(organisations.id, commitmentOrganisations.organisationId))
        .where(inArray(commitmentOrganisations.commitmentId, ids))
        .orderBy(asc(commitmentOrganisations.role), asc(organisations.name))
        .all()
    : [];
  const ownersOf = new Map<number, typeof owners>();
  for (const o of owners) ownersOf.set(o.commitmentId, [...(ownersOf.get(o.commitmentId) ?? []), o]);

  const rows: ReportRow[] = assessed.map((r) => {
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

  /** A figure over some rows: the count, unless the public version must hide it. */
  const figure = (subset: ReportRow[], count = subset.length): Figure => {
    const orgs = new Set(subset.flatMap((r) => (ownersOf.get(r.commitmentId) ?? []).map((o) => o.organisationId)));
    const hidden = audience === "public" && orgs.size > 0 && orgs.size < MIN_ORGANISATIONS;
    return { value: hidden ? null : count, organisations: orgs.size };
  };
  const byCompletion = (subset: ReportRow[]) =>
    Object.fromEntries(completionLevels.map((level) => [level, figure(subset.filter((r) => r.completion === level))])) as Record<
      CompletionLevel,
      Figure
    >;

  const allOrgs = new Set(owners.map((o) => o.organisationId));
  const groups = new Set<StakeholderGroup>(owners.map((o) => o.group));
  const pillarList = db.select().from(pillars).orderBy(asc(pillars.position)).all();

  const highlightRows = db
    .select({ commitmentId: reportHighlights.commitmentId, note: reportHighlights.note })
    .from(reportHighlights)
    .where(eq(reportHighlights.cycleId, cycle.id))
    .orderBy(asc(reportHighlights.position), asc(reportHighlights.commitmentId))
    .all();

  return {
    year,
    audience,
    closedAt: (cycle.closedAt ?? new Date(0)).toISOString(),
    reportOn: cycle.reportOn,
    overview: {
      commitments: figure(rows),
      organisations: { ...figure(rows, allOrgs.size) },
      stakeholderGroups: { ...figure(rows, groups.size) },
      newThisYear: figure(rows.filter((r) => !r.carriedIn)),
      carriedIn: figure(rows.filter((r) => r.carriedIn)),
      completed: figure(rows.filter((r) => r.completion === "complete")),
      substantialOrBetter: figure(rows.filter((r) => r.completion === "complete" || r.completion === "substantial")),
      withdrawn: figure(rows.filter((r) => r.completion === "withdrawn")),
      byCompletion: byCompletion(rows),
    },
    pillars: pillarList.map((p) => {
      const subset = rows.filter((r) => r.pillarSlug === p.slug);
      return {
        slug: p.slug,
        name: p.name,
        commitments: figure(subset),
        completed: figure(subset.filter((r) => r.completion === "complete")),
        byCompletion: byCompletion(subset),
      };
    }),
    carried: rows.filter((r) => r.carriedIn),
    highlights: highlightRows.flatMap((h) => {
      const row = rows.find((r) => r.commitmentId === h.commitmentId);
      return row ? [{ ...row, highlightNote: h.note }] : [];
    }),
    commitments: rows,
  };
}

/** The report without internal counts, as the JSON download and the page receive it. */
export function publishable(report: ReportData): ReportData {
  const strip = (f: Figure): Figure => ({ value: f.value });
  const stripAll = <T extends Record<string, Figure>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, strip(v)])) as T;
  const { byCompletion, ...rest } = report.overview;
  return {
    ...report,
    overview: { ...stripAll(rest), byCompletion: stripAll(byCompletion) },
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
