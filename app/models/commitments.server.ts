/**
 * Forum cycles and collective-action commitments: references, owners, milestones, append-only progress,
 * carry-over between cycles (lineage as data) and the frozen assessment when a cycle closes.
 *
 * Every write takes the person acting, asks the policy whether they may, checks the rules the data must
 * keep (whatever form or file the input came from), and runs in one synchronous transaction with its
 * audit entry. None of these writes changes what an open page or live room may show, so they announce
 * no domain events.
 */
import { and, asc, desc, eq, inArray, isNull, ne, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import {
  agendaSessions,
  carryLinks,
  commitmentOrganisations,
  commitments,
  cycleAssessments,
  events,
  evidence,
  forumCycles,
  milestones,
  organisations,
  pillars,
  progressUpdates,
  progressVerifications,
  users,
} from "../../db/schema";
import { pillarCodes, type CarryKind, type CommitmentType, type CommitmentVisibility, type CompletionLevel } from "../domain/vocabulary";
import { commitmentDateProblems } from "../utils/commitment-validation";
import { can, type Actor } from "../utils/policy";
import type { FieldErrors } from "../utils/validation";
import { utcToZoned } from "../utils/zoned-time";
import { recordAudit, type RequestMeta } from "./audit.server";

/** Why a write was refused: the person may not, the thing does not exist, its state forbids it now, or the input breaks a rule. */
export type Refusal = "forbidden" | "notFound" | "conflict" | "invalid";

/** A refused write, with its message keys by field (`form` when it is about the whole). */
export interface Failure {
  ok: false;
  refusal: Refusal;
  errors: FieldErrors;
  /** Values the form-level message names (a milestone's title), when it names any. */
  params?: Record<string, string>;
}

export function refuse(refusal: Refusal, message: string, field = "form"): Failure {
  return { ok: false, refusal, errors: { [field]: message } };
}

const FORBIDDEN = "errors.forbidden";
const NOT_FOUND = "errors.notFound";

/** Today as a calendar date (UTC), the way report dates and default start dates are written. */
export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Cycles

export function listCycles(db: DbOrTx) {
  return db.select().from(forumCycles).orderBy(desc(forumCycles.year)).all();
}

export function getCycleByYear(db: DbOrTx, year: number) {
  return db.select().from(forumCycles).where(eq(forumCycles.year, year)).get() ?? null;
}

/** The newest open cycle: where new commitments are recorded. */
export function currentCycle(db: DbOrTx) {
  return db.select().from(forumCycles).where(eq(forumCycles.status, "open")).orderBy(desc(forumCycles.year)).get() ?? null;
}

export function openCycle(
  db: Db,
  actor: Actor,
  input: { year: number; reportOn: string },
  meta: RequestMeta,
): { ok: true; id: number } | Failure {
  if (!can(actor, "cycles.manage")) return refuse("forbidden", FORBIDDEN);
  return db.transaction((tx) => {
    if (getCycleByYear(tx, input.year)) return refuse("invalid", "commitments:errors.cycleExists", "year");
    const { id } = tx.insert(forumCycles).values(input).returning({ id: forumCycles.id }).get();
    recordAudit(tx, { actorId: actor.id, action: "cycle.open", targetType: "cycle", targetId: id, detail: { ...input } }, meta);
    return { ok: true as const, id };
  });
}

// ---------------------------------------------------------------------------------------------
// References

/** The next free reference for a pillar and year of origin: CA-2026-07. */
export function nextReference(db: DbOrTx, pillarSlug: string, year: number): string {
  const prefix = `${pillarCodes[pillarSlug] ?? "XX"}-${year}-`;
  const row = db
    .select({ n: sql<number | null>`max(cast(substr(${commitments.reference}, ${prefix.length + 1}) as integer))` })
    .from(commitments)
    .where(sql`${commitments.reference} like ${prefix + "%"}`)
    .get();
  return `${prefix}${String((row?.n ?? 0) + 1).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// Commitments

export interface CommitmentInput {
  title: string;
  problem: string;
  expectedResult: string;
  pillarId: number;
  principles: number[];
  type: CommitmentType;
  leadOrganisationId: number;
  supporting: { organisationId: number; contribution: string }[];
  leadContribution: string;
  contactName: string;
  contactEmail: string | null;
  startsOn: string;
  endsOn: string;
  madeAtSessionId: number | null;
  /** The breakout room whose report-back proposed it (then `madeAtSessionId` is that breakout session). */
  madeAtBreakoutRoomId?: number | null;
  visibility: CommitmentVisibility;
  milestones: { title: string; dueOn: string }[];
}

/** How a new commitment starts: recorded ("open"), or proposed elsewhere for its lead organisation to confirm ("draft"). */
export interface CreateOptions {
  status?: "open" | "draft";
}

function insertCommitment(
  tx: DbOrTx,
  cycleId: number,
  reference: string,
  input: CommitmentInput,
  createdBy: number,
  status: "open" | "draft" = "open",
): number {
  const { id } = tx
    .insert(commitments)
    .values({
      cycleId,
      reference,
      pillarId: input.pillarId,
      title: input.title,
      problem: input.problem,
      expectedResult: input.expectedResult,
      principles: input.principles,
      type: input.supporting.length ? "joint" : input.type,
      contactName: input.contactName,
      contactEmail: input.contactEmail,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      madeAtSessionId: input.madeAtSessionId,
      madeAtBreakoutRoomId: input.madeAtBreakoutRoomId ?? null,
      visibility: input.visibility,
      status,
      createdBy,
    })
    .returning({ id: commitments.id })
    .get();
  tx.insert(commitmentOrganisations)
    .values([
      { commitmentId: id, organisationId: input.leadOrganisationId, role: "lead" as const, contribution: input.leadContribution },
      ...input.supporting
        .filter((s) => s.organisationId !== input.leadOrganisationId)
        .map((s) => ({ commitmentId: id, organisationId: s.organisationId, role: "supporting" as const, contribution: s.contribution })),
    ])
    .run();
  if (input.milestones.length)
    tx.insert(milestones)
      .values(input.milestones.map((m) => ({ ...m, commitmentId: id })))
      .run();
  return id;
}

function pillarSlugOf(tx: DbOrTx, pillarId: number): string | null {
  return tx.select({ slug: pillars.slug }).from(pillars).where(eq(pillars.id, pillarId)).get()?.slug ?? null;
}

/**
 * The sessions of a cycle's annual forum (the forum event of the same year), where a commitment may
 * have been made; breaks and cancelled sessions are left out. `day` is the date in the event's zone.
 */
export function forumSessionsOf(db: DbOrTx, year: number) {
  return db
    .select({ id: agendaSessions.id, title: agendaSessions.title, startsAt: agendaSessions.startsAt, timeZone: events.timeZone })
    .from(agendaSessions)
    .innerJoin(events, eq(events.id, agendaSessions.eventId))
    .where(
      sql`${events.kind} = 'forum' AND ${events.year} = ${year} AND ${agendaSessions.kind} <> 'break' AND ${agendaSessions.status} = 'scheduled'`,
    )
    .orderBy(asc(agendaSessions.startsAt), asc(agendaSessions.id))
    .all()
    .map((s) => ({ id: s.id, title: s.title, day: utcToZoned(s.startsAt, s.timeZone).date }));
}

/**
 * What is wrong with a new commitment for a cycle, by field (as the form names them), or null: its
 * dates, and what must exist (the pillar, the organisations, the session at this cycle's forum).
 * `createCommitment` refuses on any of these; the import asks first to report every row at once.
 */
export function commitmentProblems(db: DbOrTx, input: CommitmentInput, cycleYear: number): FieldErrors | null {
  const problems: FieldErrors = commitmentDateProblems(input);
  if (!pillarSlugOf(db, input.pillarId)) problems.pillarId = "errors.invalidChoice";
  const orgExists = (id: number) => !!db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, id)).get();
  if (!orgExists(input.leadOrganisationId)) problems.leadOrganisationId = "errors.invalidChoice";
  const seen = new Set<number>();
  input.supporting.forEach((s, i) => {
    const field = `supporting.${i}.organisationId`;
    if (s.organisationId === input.leadOrganisationId) problems[field] = "registry:errors.supportingIsLead";
    else if (seen.has(s.organisationId)) problems[field] = "registry:errors.supportingTwice";
    else if (!orgExists(s.organisationId)) problems[field] = "errors.invalidChoice";
    seen.add(s.organisationId);
  });
  const breakoutRoomId = input.madeAtBreakoutRoomId ?? null;
  if (breakoutRoomId !== null) {
    // Proposed at a breakout: the room must be one of that session's (a convening's session, not only the forum's).
    const room = db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM breakout_rooms WHERE id = ${breakoutRoomId} AND session_id = ${input.madeAtSessionId}`,
    );
    if (!room?.n) problems.madeAtSessionId = "errors.invalidChoice";
  } else if (input.madeAtSessionId !== null && !forumSessionsOf(db, cycleYear).some((s) => s.id === input.madeAtSessionId)) {
    problems.madeAtSessionId = "errors.invalidChoice";
  }
  return Object.keys(problems).length ? problems : null;
}

/**
 * Records a new commitment in the current cycle, with a reference of its own. A draft (`options.status`)
 * is proposed for its lead organisation to confirm (`confirmCommitment`) and counts nowhere until then.
 */
export function createCommitment(
  db: Db,
  actor: Actor,
  input: CommitmentInput,
  meta: RequestMeta,
  options: CreateOptions = {},
): { ok: true; id: number; reference: string } | Failure {
  return db.transaction((tx) => createCommitmentIn(tx, actor, input, meta, options));
}

/** `createCommitment` within the caller's transaction (a breakout action linked to the draft it became). */
export function createCommitmentIn(
  tx: DbOrTx,
  actor: Actor,
  input: CommitmentInput,
  meta: RequestMeta,
  options: CreateOptions = {},
): { ok: true; id: number; reference: string } | Failure {
  if (!can(actor, "commitment.create", { leadOrganisationId: input.leadOrganisationId })) return refuse("forbidden", FORBIDDEN);
  const cycle = currentCycle(tx);
  if (!cycle) return refuse("conflict", "registry:errors.noOpenCycle");
  const problems = commitmentProblems(tx, input, cycle.year);
  if (problems) return { ok: false as const, refusal: "invalid" as const, errors: problems };
  const status = options.status ?? "open";
  const reference = nextReference(tx, pillarSlugOf(tx, input.pillarId)!, cycle.year);
  const id = insertCommitment(tx, cycle.id, reference, input, actor.id, status);
  recordAudit(
    tx,
    {
      actorId: actor.id,
      action: "commitment.create",
      targetType: "commitment",
      targetId: id,
      detail: {
        reference,
        title: input.title,
        ...(status === "draft" ? { status, madeAtSessionId: input.madeAtSessionId, madeAtBreakoutRoomId: input.madeAtBreakoutRoomId } : {}),
      },
    },
    meta,
  );
  return { ok: true as const, id, reference };
}

/** What the lead organisation completes when it confirms a draft (a breakout proposed only its title). */
export interface DraftDetails {
  title: string;
  problem: string;
  expectedResult: string;
  startsOn: string;
  endsOn: string;
}

/**
 * The lead organisation (or the secretariat) confirms a draft proposed at a breakout, completing its details on the
 * way: it becomes an open commitment of its cycle and counts from then on. Only while that cycle is still open, and
 * only with a problem and an expected result, as any recorded commitment has.
 */
export function confirmCommitment(
  db: Db,
  actor: Actor,
  commitmentId: number,
  meta: RequestMeta,
  details?: DraftDetails,
): { ok: true } | Failure {
  return db.transaction((tx) => {
    const commitment = getCommitment(tx, commitmentId);
    if (!commitment || !can(actor, "commitment.view", { visibility: commitment.visibility, organisationIds: commitment.organisationIds }))
      return refuse("notFound", NOT_FOUND);
    if (!can(actor, "commitment.edit", { leadOrganisationId: commitment.leadOrganisationId })) return refuse("forbidden", FORBIDDEN);
    if (commitment.status !== "draft") return refuse("conflict", "commitment:errors.notDraft");
    if (commitment.cycleStatus !== "open") return refuse("conflict", "commitment:errors.draftCycleClosed");
    const next = details ?? {
      title: commitment.title,
      problem: commitment.problem,
      expectedResult: commitment.expectedResult,
      startsOn: commitment.startsOn,
      endsOn: commitment.endsOn,
    };
    const problems: FieldErrors = commitmentDateProblems({ ...next, milestones: [] });
    if (next.title.trim().length < 3) problems.title = "errors.tooShort";
    if (!next.problem.trim()) problems.problem = "errors.required";
    if (!next.expectedResult.trim()) problems.expectedResult = "errors.required";
    // Its end may not move before a milestone it already has: the refusal names the milestone.
    const late = problems.endsOn ? null : milestoneAfter(commitment.milestones, next.endsOn);
    if (late) {
      problems.endsOn = "registry:errors.endBeforeMilestone";
      problems.form = "commitment:errors.endBeforeMilestone";
    }
    if (Object.keys(problems).length)
      return { ok: false as const, refusal: "invalid" as const, errors: problems, ...(late ? { params: { title: late.title } } : {}) };
    tx.update(commitments)
      .set({ ...next, status: "open", updatedAt: new Date() })
      .where(and(eq(commitments.id, commitmentId), eq(commitments.status, "draft")))
      .run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "commitment.confirm",
        targetType: "commitment",
        targetId: commitmentId,
        detail: { reference: commitment.reference, title: next.title },
      },
      meta,
    );
    return { ok: true as const };
  });
}

/** A commitment with its cycle, organisations and milestones. */
export function getCommitment(db: DbOrTx, id: number) {
  const row = db
    .select({
      commitment: commitments,
      year: forumCycles.year,
      cycleStatus: forumCycles.status,
      pillarName: pillars.name,
      pillarSlug: pillars.slug,
    })
    .from(commitments)
    .innerJoin(forumCycles, eq(forumCycles.id, commitments.cycleId))
    .innerJoin(pillars, eq(pillars.id, commitments.pillarId))
    .where(eq(commitments.id, id))
    .get();
  if (!row) return null;
  const owners = db
    .select({
      organisationId: organisations.id,
      name: organisations.name,
      stakeholderGroup: organisations.stakeholderGroup,
      // The organisation's part in the commitment (lead or supporting), not a person's role.
      part: commitmentOrganisations.role,
      contribution: commitmentOrganisations.contribution,
    })
    .from(commitmentOrganisations)
    .innerJoin(organisations, eq(organisations.id, commitmentOrganisations.organisationId))
    .where(eq(commitmentOrganisations.commitmentId, id))
    .orderBy(asc(commitmentOrganisations.role), asc(organisations.name))
    .all();
  const steps = db
    .select()
    .from(milestones)
    .where(eq(milestones.commitmentId, id))
    .orderBy(asc(milestones.dueOn), asc(milestones.id))
    .all();
  return {
    ...row.commitment,
    year: row.year,
    cycleStatus: row.cycleStatus,
    pillarName: row.pillarName,
    pillarSlug: row.pillarSlug,
    owners,
    organisationIds: owners.map((o) => o.organisationId),
    leadOrganisationId: owners.find((o) => o.part === "lead")?.organisationId ?? null,
    milestones: steps,
  };
}
export type Commitment = NonNullable<ReturnType<typeof getCommitment>>;

// ---------------------------------------------------------------------------------------------
// Progress and milestones

/**
 * Whether a commitment takes progress and milestone changes now: only the current open cycle's
 * record, while the work is neither carried nor withdrawn. Earlier years' records are history.
 */
export function takesProgress(db: DbOrTx, commitment: Pick<Commitment, "cycleId" | "cycleStatus" | "status">): boolean {
  const cycle = currentCycle(db);
  return (
    !!cycle &&
    cycle.id === commitment.cycleId &&
    commitment.cycleStatus === "open" &&
    (commitment.status === "open" || commitment.status === "completed")
  );
}

/**
 * Why this person may not post progress on this commitment now, or null. The commitment page asks
 * before it reads an upload, so no file is stored for an update that would be refused.
 */
export function progressRefusal(db: DbOrTx, actor: Actor, commitment: Commitment): Failure | null {
  if (!can(actor, "commitment.report", { organisationIds: commitment.organisationIds })) return refuse("forbidden", FORBIDDEN);
  if (!takesProgress(db, commitment)) return refuse("conflict", "commitment:errors.notCurrent");
  return null;
}

/**
 * Marks a milestone of a commitment done on a date (its owners or the secretariat). The date may not
 * be still to come on `today`, the actor's own calendar date (UTC's when not given).
 */
export function completeMilestone(
  db: Db,
  actor: Actor,
  change: { commitmentId: number; milestoneId: number; doneOn: string; today?: string },
  meta: RequestMeta,
): { ok: true } | Failure {
  return db.transaction((tx) => {
    const commitment = getCommitment(tx, change.commitmentId);
    if (!commitment) return refuse("notFound", NOT_FOUND);
    if (!can(actor, "commitment.report", { organisationIds: commitment.organisationIds })) return refuse("forbidden", FORBIDDEN);
    const milestone = commitment.milestones.find((m) => m.id === change.milestoneId);
    if (!milestone) return refuse("notFound", NOT_FOUND);
    if (!takesProgress(tx, commitment)) return refuse("conflict", "commitment:errors.milestoneClosed");
    if (change.doneOn > (change.today ?? todayIso())) return refuse("invalid", "commitment:errors.dateInFuture", "doneOn");
    const changed = tx
      .update(milestones)
      .set({ doneOn: change.doneOn, doneBy: actor.id })
      .where(and(eq(milestones.id, milestone.id), isNull(milestones.doneOn)))
      .run().changes;
    if (!changed) return refuse("conflict", "commitment:errors.alreadyDone");
    recordAudit(
      tx,
      { actorId: actor.id, action: "milestone.done", targetType: "milestone", targetId: milestone.id, detail: { doneOn: change.doneOn } },
      meta,
    );
    return { ok: true as const };
  });
}

/** The first milestone (by due date) that falls due after `endsOn`, or null: a commitment's milestones fall due by its end. */
export function milestoneAfter<M extends { dueOn: string; title: string }>(steps: readonly M[], endsOn: string): M | null {
  return [...steps].sort((a, b) => a.dueOn.localeCompare(b.dueOn)).find((m) => m.dueOn > endsOn) ?? null;
}

/** A milestone as its form gives it: a title and a due date (YYYY-MM-DD). */
export interface MilestoneInput {
  title: string;
  dueOn: string;
}

/** What stops a milestone change on this commitment, or null: its lead organisation or the secretariat, while it takes progress, due by its end. */
function milestoneChangeRefusal(tx: DbOrTx, actor: Actor, commitment: Commitment | null, input: MilestoneInput): Failure | null {
  if (!commitment) return refuse("notFound", NOT_FOUND);
  if (!can(actor, "commitment.edit", { leadOrganisationId: commitment.leadOrganisationId })) return refuse("forbidden", FORBIDDEN);
  if (!takesProgress(tx, commitment)) return refuse("conflict", "commitment:errors.milestoneClosed");
  if (!input.title.trim()) return refuse("invalid", "registry:errors.milestoneTitleMissing", "title");
  if (input.dueOn > commitment.endsOn) return refuse("invalid", "registry:errors.milestoneAfterEnd", "dueOn");
  return null;
}

/** Adds a milestone to a commitment of the open cycle (its owners or the secretariat), due by the commitment's end. */
export function addMilestone(
  db: Db,
  actor: Actor,
  commitmentId: number,
  input: MilestoneInput,
  meta: RequestMeta,
): { ok: true; id: number } | Failure {
  return db.transaction((tx) => {
    const commitment = getCommitment(tx, commitmentId);
    const refused = milestoneChangeRefusal(tx, actor, commitment, input);
    if (refused) return refused;
    const { id } = tx
      .insert(milestones)
      .values({ commitmentId, title: input.title.trim(), dueOn: input.dueOn })
      .returning({ id: milestones.id })
      .get();
    recordAudit(
      tx,
      { actorId: actor.id, action: "milestone.add", targetType: "milestone", targetId: id, detail: { commitmentId, ...input } },
      meta,
    );
    return { ok: true as const, id };
  });
}

/** Changes a milestone not yet done (its title and due date), still due by the commitment's end. */
export function changeMilestone(
  db: Db,
  actor: Actor,
  change: { commitmentId: number; milestoneId: number } & MilestoneInput,
  meta: RequestMeta,
): { ok: true } | Failure {
  return db.transaction((tx) => {
    const commitment = getCommitment(tx, change.commitmentId);
    const milestone = commitment?.milestones.find((m) => m.id === change.milestoneId);
    if (!commitment || !milestone) return refuse("notFound", NOT_FOUND);
    const refused = milestoneChangeRefusal(tx, actor, commitment, change);
    if (refused) return refused;
    if (milestone.doneOn) return refuse("conflict", "commitment:errors.alreadyDone");
    tx.update(milestones).set({ title: change.title.trim(), dueOn: change.dueOn }).where(eq(milestones.id, milestone.id)).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "milestone.change",
        targetType: "milestone",
        targetId: milestone.id,
        detail: { from: { title: milestone.title, dueOn: milestone.dueOn }, to: { title: change.title.trim(), dueOn: change.dueOn } },
      },
      meta,
    );
    return { ok: true as const };
  });
}

export interface ProgressInput {
  completion: CompletionLevel;
  percent: number;
  narrative: string;
  links: string[];
  files: { fileName: string; mimeType: string; size: number; sha256: string }[];
}

/** Appends a progress update with its evidence; a completed one credits this cycle with the completion. */
export function addProgressUpdate(
  db: Db,
  actor: Actor,
  commitmentId: number,
  input: ProgressInput,
  meta: RequestMeta,
): { ok: true; id: number } | Failure {
  return db.transaction((tx) => {
    const commitment = getCommitment(tx, commitmentId);
    if (!commitment) return refuse("notFound", NOT_FOUND);
    const refused = progressRefusal(tx, actor, commitment);
    if (refused) return refused;
    const { id } = tx
      .insert(progressUpdates)
      .values({
        commitmentId,
        authorId: actor.id,
        organisationId: actor.organisationId,
        completion: input.completion,
        percent: input.percent,
        narrative: input.narrative,
      })
      .returning({ id: progressUpdates.id })
      .get();
    const rows = [
      ...input.links.map((url) => ({ updateId: id, kind: "link" as const, url })),
      ...input.files.map((f) => ({ updateId: id, kind: "file" as const, ...f })),
    ];
    if (rows.length) tx.insert(evidence).values(rows).run();
    if (input.completion === "complete" && commitment.status === "open") {
      tx.update(commitments)
        .set({ status: "completed", completedInCycleId: commitment.cycleId, updatedAt: new Date() })
        .where(eq(commitments.id, commitmentId))
        .run();
    } else {
      tx.update(commitments).set({ updatedAt: new Date() }).where(eq(commitments.id, commitmentId)).run();
    }
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "progress.create",
        targetType: "commitment",
        targetId: commitmentId,
        detail: { updateId: id, completion: input.completion, percent: input.percent },
      },
      meta,
    );
    return { ok: true as const, id };
  });
}

/**
 * The secretariat checks a self-reported update on a commitment's work (any year of its lineage, as
 * its page lists them); a verification is final.
 */
export function verifyProgressUpdate(
  db: Db,
  actor: Actor,
  check: { commitmentId: number; updateId: number; note: string },
  meta: RequestMeta,
): { ok: true } | Failure {
  if (!can(actor, "progress.verify")) return refuse("forbidden", FORBIDDEN);
  return db.transaction((tx) => {
    const onLineage = tx
      .select({ commitmentId: progressUpdates.commitmentId })
      .from(progressUpdates)
      .innerJoin(commitments, eq(commitments.id, progressUpdates.commitmentId))
      .where(
        and(
          eq(progressUpdates.id, check.updateId),
          sql`${commitments.reference} = (SELECT reference FROM commitments WHERE id = ${check.commitmentId})`,
        ),
      )
      .get();
    if (!onLineage) return refuse("notFound", NOT_FOUND);
    const done = tx
      .select({ id: progressVerifications.updateId })
      .from(progressVerifications)
      .where(eq(progressVerifications.updateId, check.updateId))
      .get();
    if (done) return refuse("conflict", "commitment:errors.alreadyChecked");
    tx.insert(progressVerifications).values({ updateId: check.updateId, verifiedBy: actor.id, note: check.note }).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "progress.verify",
        targetType: "commitment",
        targetId: onLineage.commitmentId,
        detail: { updateId: check.updateId },
      },
      meta,
    );
    return { ok: true as const };
  });
}

/** Every progress update on a commitment's whole lineage (same reference), newest first, with evidence and verification. */
export function listProgress(db: DbOrTx, reference: string) {
  const rows = db
    .select({
      id: progressUpdates.id,
      commitmentId: progressUpdates.commitmentId,
      year: forumCycles.year,
      completion: progressUpdates.completion,
      percent: progressUpdates.percent,
      narrative: progressUpdates.narrative,
      createdAt: progressUpdates.createdAt,
      author: users.name,
      organisation: organisations.name,
      verifiedAt: progressVerifications.verifiedAt,
      verificationNote: progressVerifications.note,
    })
    .from(progressUpdates)
    .innerJoin(commitments, eq(commitments.id, progressUpdates.commitmentId))
    .innerJoin(forumCycles, eq(forumCycles.id, commitments.cycleId))
    .innerJoin(users, eq(users.id, progressUpdates.authorId))
    .leftJoin(organisations, eq(organisations.id, progressUpdates.organisationId))
    .leftJoin(progressVerifications, eq(progressVerifications.updateId, progressUpdates.id))
    .where(eq(commitments.reference, reference))
    .orderBy(desc(progressUpdates.id))
    .all();
  const ids = rows.map((r) => r.id);
  const files = ids.length ? db.select().from(evidence).where(inArray(evidence.updateId, ids)).orderBy(asc(evidence.id)).all() : [];
  return rows.map((r) => ({ ...r, evidence: files.filter((f) => f.updateId === r.id) }));
}

/**
 * The id of the newest progress update on a reference's work (every row with that reference), up to a
 * cycle year when given: carried work keeps the progress reported in earlier cycles. For SQL queries.
 */
export function latestUpdateIdSql(reference: SQLWrapper, upToYear?: SQLWrapper | number): SQL<number | null> {
  return sql<number | null>`(SELECT max(lpu.id) FROM progress_updates lpu JOIN commitments lc ON lc.id = lpu.commitment_id
    ${upToYear === undefined ? sql`` : sql`JOIN forum_cycles lf ON lf.id = lc.cycle_id`}
    WHERE lc.reference = ${reference} ${upToYear === undefined ? sql`` : sql`AND lf.year <= ${upToYear}`})`;
}

/**
 * How many times work under a reference was carried forward with the same or new wording: twice or
 * more flags it for rescoping. For SQL queries.
 */
export function carriedTimesSql(reference: SQLWrapper): SQL<number> {
  return sql<number>`(SELECT count(*) FROM carry_links cl JOIN commitments cf ON cf.id = cl.from_id
    WHERE cf.reference = ${reference} AND cl.kind IN ('continued', 'rescoped'))`;
}

/** The newest update on a commitment's work, over every cycle it has been carried through (same reference). */
function latestUpdate(tx: DbOrTx, reference: string) {
  return (
    tx
      .select({ completion: progressUpdates.completion, percent: progressUpdates.percent })
      .from(progressUpdates)
      .where(eq(progressUpdates.id, latestUpdateIdSql(sql`${reference}`)))
      .get() ?? null
  );
}

// ---------------------------------------------------------------------------------------------
// Carry-over and closing

export type CarryDecision =
  | { kind: "continued"; rationale: string }
  | { kind: "rescoped"; rationale: string; title: string; expectedResult: string }
  | { kind: "split"; rationale: string; parts: { title: string; expectedResult: string }[] }
  | { kind: "merged"; rationale: string; withIds: number[]; title: string; expectedResult: string }
  | { kind: "withdrawn"; rationale: string };

function inputFrom(c: Commitment, patch: Partial<CommitmentInput> = {}): CommitmentInput {
  return {
    title: c.title,
    problem: c.problem,
    expectedResult: c.expectedResult,
    pillarId: c.pillarId,
    principles: c.principles,
    type: c.type,
    leadOrganisationId: c.leadOrganisationId!,
    leadContribution: c.owners.find((o) => o.part === "lead")?.contribution ?? "",
    supporting: c.owners
      .filter((o) => o.part === "supporting")
      .map((o) => ({ organisationId: o.organisationId, contribution: o.contribution })),
    contactName: c.contactName,
    contactEmail: c.contactEmail,
    startsOn: c.startsOn,
    endsOn: c.endsOn,
    madeAtSessionId: c.madeAtSessionId,
    madeAtBreakoutRoomId: c.madeAtBreakoutRoomId,
    visibility: c.visibility,
    // Milestones not yet done travel with the work.
    milestones: c.milestones.filter((m) => !m.doneOn).map((m) => ({ title: m.title, dueOn: m.dueOn })),
    ...patch,
  };
}

/**
 * Decides what becomes of an open commitment of an earlier cycle in the current one. Continued and
 * rescoped work keeps its reference; split and merged work gets new references linked to the old.
 * Returns the ids of the commitments it created.
 */
export function carryOver(
  db: Db,
  actor: Actor,
  fromId: number,
  decision: CarryDecision,
  meta: RequestMeta,
): { ok: true; created: number[]; reference: string } | Failure {
  if (!can(actor, "cycles.manage")) return refuse("forbidden", FORBIDDEN);
  const actorId = actor.id;
  return db.transaction((tx) => {
    const cycle = currentCycle(tx);
    const from = getCommitment(tx, fromId);
    if (!cycle || !from) return refuse("notFound", NOT_FOUND);
    if (decision.kind === "merged" && decision.withIds.includes(fromId)) return refuse("invalid", "errors.invalidChoice", "withIds");
    const sources = decision.kind === "merged" ? [from, ...decision.withIds.map((id) => getCommitment(tx, id))] : [from];
    for (const s of sources) {
      if (!s || s.status !== "open" || s.cycleId === cycle.id) return refuse("conflict", "commitments:errors.notCarryable");
    }
    const created: number[] = [];
    const link = (source: Commitment, toId: number | null) =>
      tx
        .insert(carryLinks)
        .values({ fromId: source.id, toId, kind: decision.kind as CarryKind, rationale: decision.rationale, decidedBy: actorId })
        .run();
    const slug = from.pillarSlug;
    switch (decision.kind) {
      case "continued":
        created.push(insertCommitment(tx, cycle.id, from.reference, inputFrom(from), actorId));
        break;
      case "rescoped":
        created.push(
          insertCommitment(
            tx,
            cycle.id,
            from.reference,
            inputFrom(from, { title: decision.title, expectedResult: decision.expectedResult }),
            actorId,
          ),
        );
        break;
      case "split":
        for (const part of decision.parts) {
          created.push(
            insertCommitment(
              tx,
              cycle.id,
              nextReference(tx, slug, cycle.year),
              inputFrom(from, { title: part.title, expectedResult: part.expectedResult }),
              actorId,
            ),
          );
        }
        break;
      case "merged":
        created.push(
          insertCommitment(
            tx,
            cycle.id,
            nextReference(tx, slug, cycle.year),
            inputFrom(from, { title: decision.title, expectedResult: decision.expectedResult }),
            actorId,
          ),
        );
        break;
      case "withdrawn":
        break;
    }
    for (const source of sources as Commitment[]) {
      if (created.length) for (const toId of created) link(source, toId);
      else link(source, null);
      tx.update(commitments)
        .set({ status: decision.kind === "withdrawn" ? "withdrawn" : "carried", updatedAt: new Date() })
        .where(eq(commitments.id, source.id))
        .run();
    }
    recordAudit(
      tx,
      {
        actorId,
        action: `commitment.${decision.kind}`,
        targetType: "commitment",
        targetId: fromId,
        detail: { created, rationale: decision.rationale },
      },
      meta,
    );
    return { ok: true as const, created, reference: from.reference };
  });
}

/** Why this person may not close this cycle on `today`, or null: the page asks before its confirmation step. */
export function closeRefusal(
  actor: Actor,
  cycle: Pick<typeof forumCycles.$inferSelect, "status" | "reportOn">,
  today: string,
): Failure | null {
  if (!can(actor, "cycles.manage")) return refuse("forbidden", FORBIDDEN);
  if (cycle.status !== "open") return refuse("conflict", "cycles:errors.alreadyClosed");
  if (today < cycle.reportOn) return refuse("conflict", "commitments:errors.beforeReportDate");
  return null;
}

/**
 * Closes a cycle on or after its report date: every commitment of the cycle gets a frozen assessment
 * (from its latest update, with the secretariat's notes), and the cycle takes no more changes.
 */
export function closeCycle(
  db: Db,
  actor: Actor,
  cycleId: number,
  notes: Record<number, { earlyResult?: string; note?: string }>,
  today: string,
  meta: RequestMeta,
): { ok: true; assessed: number } | Failure {
  return db.transaction((tx) => {
    const cycle = tx.select().from(forumCycles).where(eq(forumCycles.id, cycleId)).get();
    if (!cycle) return refuse("notFound", NOT_FOUND);
    const refused = closeRefusal(actor, cycle, today);
    if (refused) return refused;
    const rows = tx
      .select({ id: commitments.id, status: commitments.status, reference: commitments.reference })
      .from(commitments)
      // A draft nobody confirmed is not part of the cycle's record.
      .where(and(eq(commitments.cycleId, cycleId), ne(commitments.status, "draft")))
      .all();
    for (const c of rows) {
      // Carried work keeps the progress reported in earlier cycles until a new update says otherwise.
      const last = latestUpdate(tx, c.reference);
      const completion: CompletionLevel = c.status === "withdrawn" ? "withdrawn" : (last?.completion ?? "not_started");
      tx.insert(cycleAssessments)
        .values({
          cycleId,
          commitmentId: c.id,
          completion,
          percent: last?.percent ?? 0,
          earlyResult: notes[c.id]?.earlyResult ?? "",
          note: notes[c.id]?.note ?? "",
          assessedBy: actor.id,
        })
        .run();
    }
    tx.update(forumCycles).set({ status: "closed", closedAt: new Date(), closedBy: actor.id }).where(eq(forumCycles.id, cycleId)).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "cycle.close",
        targetType: "cycle",
        targetId: cycleId,
        detail: { year: cycle.year, assessed: rows.length },
      },
      meta,
    );
    return { ok: true as const, assessed: rows.length };
  });
}

/** A reference's whole history across cycles: each year's row, its assessment, and the links in and out. */
export function lineageOf(db: DbOrTx, reference: string) {
  const rows = db
    .select({
      id: commitments.id,
      year: forumCycles.year,
      title: commitments.title,
      status: commitments.status,
      reference: commitments.reference,
    })
    .from(commitments)
    .innerJoin(forumCycles, eq(forumCycles.id, commitments.cycleId))
    .where(eq(commitments.reference, reference))
    .orderBy(asc(forumCycles.year))
    .all();
  const ids = rows.map((r) => r.id);
  if (!ids.length) return { years: [], links: [], carriedTimes: 0 };
  const assessments = db.select().from(cycleAssessments).where(inArray(cycleAssessments.commitmentId, ids)).all();
  const links = db
    .select({
      kind: carryLinks.kind,
      rationale: carryLinks.rationale,
      decidedAt: carryLinks.decidedAt,
      fromId: carryLinks.fromId,
      toId: carryLinks.toId,
      fromReference: sql<string>`(SELECT reference FROM commitments WHERE id = ${carryLinks.fromId})`,
      toReference: sql<string | null>`(SELECT reference FROM commitments WHERE id = ${carryLinks.toId})`,
    })
    .from(carryLinks)
    .where(sql`${carryLinks.fromId} IN ${ids} OR ${carryLinks.toId} IN ${ids}`)
    .orderBy(asc(carryLinks.id))
    .all();
  // Carried forward with the same wording or a new one: the count that flags work for rescoping.
  const carriedTimes = links.filter((l) => ids.includes(l.fromId) && (l.kind === "continued" || l.kind === "rescoped")).length;
  return {
    years: rows.map((r) => ({ ...r, assessment: assessments.find((a) => a.commitmentId === r.id) ?? null })),
    links,
    carriedTimes,
  };
}
