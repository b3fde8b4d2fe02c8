/**
 * The secretariat's commitments dashboard. Every figure comes from a handful of aggregate queries
 * (GROUP BY in SQLite, never a query per commitment), so the page stays fast with tens of thousands
 * of commitments: status by pillar for one cycle, the flow of each year, and overdue milestones.
 * Drafts (proposed at a breakout, not yet confirmed by their organisation) count in none of them.
 */
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import type { CommitmentStatus } from "../domain/vocabulary";

export interface PillarStatusRow {
  pillarId: number;
  slug: string;
  open: number;
  completed: number;
  withdrawn: number;
  carried: number;
  total: number;
}

export interface YearFlowRow {
  year: number;
  /** Made in that cycle (not carried in from an earlier one). */
  made: number;
  /** Carried in from an earlier cycle: continued, rescoped, split or merged work. */
  carriedIn: number;
  /** Completed, credited to that cycle. */
  completed: number;
  /** Withdrawn: that cycle's commitments the secretariat withdrew. */
  withdrawn: number;
}

export interface OverdueItem {
  milestoneId: number;
  milestone: string;
  dueOn: string;
  commitmentId: number;
  reference: string;
  title: string;
  year: number;
  pillarSlug: string;
}

/** At most this many overdue milestones are listed (the counts cover all of them). */
export const OVERDUE_LIST_LIMIT = 100;

const statuses: CommitmentStatus[] = ["open", "completed", "withdrawn", "carried"];

/** The years that have a cycle, newest first. */
export function dashboardYears(db: DbOrTx): number[] {
  return db.all<{ year: number }>(sql`SELECT year FROM forum_cycles ORDER BY year DESC`).map((r) => r.year);
}

/** The newest cycle that has commitments: a cycle just opened is still empty. */
function newestYearWithCommitments(db: DbOrTx): number | null {
  const row = db.get<{ year: number } | undefined>(
    sql`SELECT f.year AS year FROM forum_cycles f WHERE EXISTS (SELECT 1 FROM commitments c WHERE c.cycle_id = f.id AND c.status <> 'draft') ORDER BY f.year DESC LIMIT 1`,
  );
  return row?.year ?? null;
}

/** (a) One cycle's commitments by pillar and status; every pillar appears, with zeros if need be. */
export function statusByPillar(db: DbOrTx, year: number): PillarStatusRow[] {
  const rows = db.all<{ pillarId: number; slug: string; status: CommitmentStatus | null; n: number }>(sql`
    SELECT p.id AS pillarId, p.slug AS slug, c.status AS status, count(c.id) AS n
    FROM pillars p
    LEFT JOIN commitments c ON c.pillar_id = p.id AND c.cycle_id = (SELECT id FROM forum_cycles WHERE year = ${year})
    GROUP BY p.id, c.status
    ORDER BY p.position, p.id`);
  const out = new Map<number, PillarStatusRow>();
  for (const r of rows) {
    const row = out.get(r.pillarId) ?? { pillarId: r.pillarId, slug: r.slug, open: 0, completed: 0, withdrawn: 0, carried: 0, total: 0 };
    if (r.status && r.status !== "draft" && statuses.includes(r.status)) {
      row[r.status] += r.n;
      row.total += r.n;
    }
    out.set(r.pillarId, row);
  }
  return [...out.values()];
}

/** (b) For each cycle, oldest first: made, carried in, completed and withdrawn. */
export function flowByYear(db: DbOrTx): YearFlowRow[] {
  return db.all<YearFlowRow>(sql`
    WITH carried_in AS (SELECT DISTINCT to_id AS id FROM carry_links WHERE to_id IS NOT NULL),
    completions AS (
      SELECT completed_in_cycle_id AS cycle_id, count(*) AS n FROM commitments
      WHERE completed_in_cycle_id IS NOT NULL GROUP BY completed_in_cycle_id
    ),
    per_cycle AS (
      SELECT c.cycle_id AS cycle_id,
        sum(ci.id IS NULL) AS made,
        sum(ci.id IS NOT NULL) AS carried_in,
        sum(c.status = 'withdrawn') AS withdrawn
      FROM commitments c LEFT JOIN carried_in ci ON ci.id = c.id
      WHERE c.status <> 'draft'
      GROUP BY c.cycle_id
    )
    SELECT f.year AS year,
      coalesce(pc.made, 0) AS made,
      coalesce(pc.carried_in, 0) AS carriedIn,
      coalesce(co.n, 0) AS completed,
      coalesce(pc.withdrawn, 0) AS withdrawn
    FROM forum_cycles f
    LEFT JOIN per_cycle pc ON pc.cycle_id = f.id
    LEFT JOIN completions co ON co.cycle_id = f.id
    ORDER BY f.year`);
}

/**
 * (c) Milestones past their due date and not done, on commitments still open (carried work takes its
 * unfinished milestones along, so counting the earlier rows too would count them twice).
 */
export function overdueMilestones(db: DbOrTx, today: string) {
  // Driven by the due-date index: only milestones already due are looked at.
  const counts = db.all<{ pillarId: number; count: number }>(sql`
    SELECT c.pillar_id AS pillarId, count(*) AS count
    FROM milestones m
    JOIN commitments c ON c.id = m.commitment_id
    WHERE m.done_on IS NULL AND m.due_on < ${today} AND c.status = 'open'
    GROUP BY c.pillar_id`);
  const byPillar = db
    .all<{ pillarId: number; slug: string }>(sql`SELECT id AS pillarId, slug FROM pillars ORDER BY position, id`)
    .map((p) => ({ ...p, count: counts.find((c) => c.pillarId === p.pillarId)?.count ?? 0 }));
  const items = db.all<OverdueItem>(sql`
    SELECT m.id AS milestoneId, m.title AS milestone, m.due_on AS dueOn, c.id AS commitmentId, c.reference AS reference,
      c.title AS title, f.year AS year, p.slug AS pillarSlug
    FROM milestones m
    JOIN commitments c ON c.id = m.commitment_id
    JOIN forum_cycles f ON f.id = c.cycle_id
    JOIN pillars p ON p.id = c.pillar_id
    WHERE m.done_on IS NULL AND m.due_on < ${today} AND c.status = 'open'
    ORDER BY m.due_on, c.reference, m.id
    LIMIT ${OVERDUE_LIST_LIMIT}`);
  const total = byPillar.reduce((sum, r) => sum + r.count, 0);
  return { byPillar, items, total };
}

/** Everything the dashboard shows, for one chosen cycle year (by default the newest with commitments). */
export function loadDashboard(db: DbOrTx, options: { year: number | null; today: string }) {
  const years = dashboardYears(db);
  const year = options.year !== null && years.includes(options.year) ? options.year : (newestYearWithCommitments(db) ?? years[0] ?? null);
  return {
    years,
    year,
    statusByPillar: year === null ? [] : statusByPillar(db, year),
    flow: flowByYear(db),
    overdue: overdueMilestones(db, options.today),
  };
}
export type Dashboard = ReturnType<typeof loadDashboard>;
