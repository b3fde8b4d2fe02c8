/**
 * Read queries for the secretariat's cycle pages: the cycles with their counts, a cycle's commitments
 * and frozen assessments, and the carry-over review (what is still open, what was decided).
 * Writes go through `commitments.server.ts` (openCycle, carryOver, closeCycle).
 */
import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { carryLinks, commitments, cycleAssessments, forumCycles, pillars, progressUpdates, users } from "../../db/schema";
import type { CarryKind, CommitmentStatus } from "../domain/vocabulary";
import { carriedTimesSql, latestUpdateIdSql } from "./commitments.server";

export type Cycle = typeof forumCycles.$inferSelect;

/** Every cycle, newest first, with its commitments counted by status in one query. */
export function listCyclesWithCounts(db: DbOrTx) {
  const count = (status: CommitmentStatus) => sql<number>`coalesce(sum(${commitments.status} = ${status}), 0)`.mapWith(Number);
  return (
    db
      .select({
        id: forumCycles.id,
        year: forumCycles.year,
        status: forumCycles.status,
        reportOn: forumCycles.reportOn,
        closedAt: forumCycles.closedAt,
        total: sql<number>`count(${commitments.id})`.mapWith(Number),
        open: count("open"),
        completed: count("completed"),
        withdrawn: count("withdrawn"),
        carried: count("carried"),
      })
      .from(forumCycles)
      // Drafts not yet confirmed by their organisation are not part of a cycle's figures.
      .leftJoin(commitments, and(eq(commitments.cycleId, forumCycles.id), ne(commitments.status, "draft")))
      .groupBy(forumCycles.id)
      .orderBy(desc(forumCycles.year))
      .all()
  );
}

/** A cycle's commitments (drafts left out) with their pillar and latest reported completion, by reference. */
export function listCycleCommitments(db: DbOrTx, cycle: Pick<Cycle, "id" | "year">) {
  return db
    .select({
      id: commitments.id,
      reference: commitments.reference,
      title: commitments.title,
      status: commitments.status,
      pillarSlug: pillars.slug,
      latestCompletion: progressUpdates.completion,
      latestPercent: progressUpdates.percent,
    })
    .from(commitments)
    .innerJoin(pillars, eq(pillars.id, commitments.pillarId))
    .leftJoin(progressUpdates, eq(progressUpdates.id, latestUpdateIdSql(commitments.reference, cycle.year)))
    .where(and(eq(commitments.cycleId, cycle.id), ne(commitments.status, "draft")))
    .orderBy(asc(commitments.reference))
    .all();
}

/** The frozen assessments of a closed cycle, with what they assess and who closed it. */
export function listCycleAssessments(db: DbOrTx, cycleId: number) {
  return db
    .select({
      commitmentId: cycleAssessments.commitmentId,
      reference: commitments.reference,
      title: commitments.title,
      status: commitments.status,
      completion: cycleAssessments.completion,
      percent: cycleAssessments.percent,
      earlyResult: cycleAssessments.earlyResult,
      note: cycleAssessments.note,
      frozenAt: cycleAssessments.frozenAt,
      assessedBy: users.name,
    })
    .from(cycleAssessments)
    .innerJoin(commitments, eq(commitments.id, cycleAssessments.commitmentId))
    .leftJoin(users, eq(users.id, cycleAssessments.assessedBy))
    .where(eq(cycleAssessments.cycleId, cycleId))
    .orderBy(asc(commitments.reference))
    .all();
}

/**
 * Every commitment still open in a cycle before `current`: what the carry-over review must decide.
 * Each comes with its latest completion and how often its reference has been carried already.
 */
export function listCarryCandidates(db: DbOrTx, current: Cycle) {
  return db
    .select({
      id: commitments.id,
      reference: commitments.reference,
      title: commitments.title,
      expectedResult: commitments.expectedResult,
      year: forumCycles.year,
      pillarSlug: pillars.slug,
      latestCompletion: progressUpdates.completion,
      latestPercent: progressUpdates.percent,
      carriedTimes: carriedTimesSql(commitments.reference),
    })
    .from(commitments)
    .innerJoin(forumCycles, eq(forumCycles.id, commitments.cycleId))
    .innerJoin(pillars, eq(pillars.id, commitments.pillarId))
    .leftJoin(progressUpdates, eq(progressUpdates.id, latestUpdateIdSql(commitments.reference, current.year)))
    .where(and(eq(commitments.status, "open"), lt(forumCycles.year, current.year)))
    .orderBy(asc(forumCycles.year), asc(commitments.reference))
    .all();
}
export type CarryCandidate = ReturnType<typeof listCarryCandidates>[number];

/**
 * The decisions already taken for `current`: links into its commitments, and withdrawals decided
 * since it opened. One entry per earlier commitment, with every commitment it became.
 */
export function listCarryDecisions(db: DbOrTx, current: Cycle) {
  const into = db.select({ id: commitments.id }).from(commitments).where(eq(commitments.cycleId, current.id));
  const links = db
    .select({
      id: carryLinks.id,
      fromId: carryLinks.fromId,
      toId: carryLinks.toId,
      kind: carryLinks.kind,
      rationale: carryLinks.rationale,
      decidedAt: carryLinks.decidedAt,
      decidedBy: users.name,
      fromReference: commitments.reference,
      fromTitle: commitments.title,
      fromYear: forumCycles.year,
    })
    .from(carryLinks)
    .innerJoin(commitments, eq(commitments.id, carryLinks.fromId))
    .innerJoin(forumCycles, eq(forumCycles.id, commitments.cycleId))
    .leftJoin(users, eq(users.id, carryLinks.decidedBy))
    .where(
      or(
        inArray(carryLinks.toId, into),
        and(isNull(carryLinks.toId), gte(carryLinks.decidedAt, current.openedAt), lt(forumCycles.year, current.year)),
      ),
    )
    .orderBy(desc(carryLinks.id))
    .all();
  const targetIds = [...new Set(links.map((l) => l.toId).filter((id): id is number => id !== null))];
  const targets = targetIds.length
    ? db
        .select({ id: commitments.id, reference: commitments.reference, title: commitments.title })
        .from(commitments)
        .where(inArray(commitments.id, targetIds))
        .all()
    : [];
  const byFrom = new Map<
    number,
    {
      fromId: number;
      reference: string;
      title: string;
      year: number;
      kind: CarryKind;
      rationale: string;
      decidedAt: Date;
      decidedBy: string | null;
      becomes: { id: number; reference: string; title: string }[];
    }
  >();
  for (const l of links) {
    let entry = byFrom.get(l.fromId);
    if (!entry) {
      entry = {
        fromId: l.fromId,
        reference: l.fromReference,
        title: l.fromTitle,
        year: l.fromYear,
        kind: l.kind,
        rationale: l.rationale,
        decidedAt: l.decidedAt,
        decidedBy: l.decidedBy,
        becomes: [],
      };
      byFrom.set(l.fromId, entry);
    }
    const target = l.toId === null ? null : targets.find((t) => t.id === l.toId);
    if (target && !entry.becomes.some((b) => b.id === target.id)) entry.becomes.push(target);
  }
  for (const entry of byFrom.values()) entry.becomes.sort((a, b) => a.reference.localeCompare(b.reference));
  return [...byFrom.values()];
}
export type CarryDecisionEntry = ReturnType<typeof listCarryDecisions>[number];
