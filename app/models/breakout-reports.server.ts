/**
 * Report-backs of a breakout session: each room's rapporteur writes key points and proposed actions; the plenary
 * page gathers them; a proposed action becomes a draft commitment for the delegate's organisation to confirm; the
 * export gives counts only. A report-back leaves the room, so it names nobody unless the session is on the record
 * (decision 032); the audit log keeps who wrote what, for the secretariat.
 */
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client";
import {
  breakoutActions,
  breakoutMessages,
  breakoutReports,
  breakoutRooms,
  commitments,
  organisations,
  pillars,
  users,
} from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { stakeholderGroups, type StakeholderGroup } from "../domain/vocabulary";
import { MAX_LONG_TEXT, MAX_TITLE } from "../utils/commitment-validation";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import {
  breakoutForbidden,
  breakoutNotFound,
  breakoutSessionOf,
  listBreakoutRooms,
  managerIdsOf,
  mayFollowBreakout,
  mayManageBreakout,
  peopleWithGroups,
  personView,
  roomAccess,
  type BreakoutRefusal,
  type BreakoutSession,
} from "./breakouts.server";
import { createCommitmentIn, currentCycle, todayIso } from "./commitments.server";
import { announce } from "./domain-events.server";

export const MAX_KEY_POINTS = 5_000;
export const MAX_ACTIONS = 10;
export const MAX_ACTION_LENGTH = 500;
/** Counts below this are shown as "fewer than 5" in exports. */
export const MIN_SHOWN_COUNT = 5;

export interface ReportBackInput {
  keyPoints: string;
  actions: string[];
  pillarId: number | null;
  submit: boolean;
}

/**
 * The rapporteur's form as posted: key points, the proposed actions one per line (blank lines dropped), the pillar
 * and which button was pressed. The model checks the same limits again, whatever the input came from.
 */
export const ReportBackFormSchema = z.object({
  keyPoints: z.string().trim().max(MAX_KEY_POINTS, "breakoutReports:errors.keyPointsTooLong").default(""),
  actions: z
    .string()
    .default("")
    .transform((raw) =>
      raw
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line.length > 0),
    )
    .superRefine((lines, ctx) => {
      // One message for the whole field, where the form shows it.
      if (lines.length > MAX_ACTIONS) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "breakoutReports:errors.tooManyActions" });
      else if (lines.some((line) => line.length > MAX_ACTION_LENGTH))
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "breakoutReports:errors.actionTooLong" });
    }),
  pillarId: z.preprocess(
    (v) => (v === "" || v === undefined ? null : Number(v)),
    z.number({ invalid_type_error: "errors.invalidChoice" }).int("errors.invalidChoice").positive("errors.invalidChoice").nullable(),
  ),
  intent: z.enum(["save", "submit"], { errorMap: () => ({ message: "errors.malformedRequest" }) }),
});

export type SaveReportResult = { ok: true; submitted: boolean; events: DomainEvent[] } | BreakoutRefusal;

function invalid(field: string, error: string): BreakoutRefusal {
  return { ok: false, reason: "invalid", field, error };
}

/** What is wrong with a report-back's text, or null (the limits the form states). */
function reportProblems(input: ReportBackInput, kept: number): BreakoutRefusal | null {
  if (input.keyPoints.length > MAX_KEY_POINTS) return invalid("keyPoints", "breakoutReports:errors.keyPointsTooLong");
  if (input.actions.some((a) => a.trim().length === 0)) return invalid("actions", "breakoutReports:errors.actionEmpty");
  if (input.actions.some((a) => a.length > MAX_ACTION_LENGTH)) return invalid("actions", "breakoutReports:errors.actionTooLong");
  if (input.actions.length + kept > MAX_ACTIONS) return invalid("actions", "breakoutReports:errors.tooManyActions");
  return null;
}

/**
 * The rapporteur (or a manager of the session) writes the room's report-back: while the rooms run (a draft) and after
 * they close. `submit` puts it before the plenary; it may still be edited afterwards. Actions already turned into
 * commitments are kept as they are, whatever the input says; the others are replaced by the input's, in its order.
 */
export function saveReportBack(db: Db, actor: Actor, roomId: number, input: ReportBackInput, meta: RequestMeta): SaveReportResult {
  const access = roomAccess(db, actor, roomId);
  if (!access || !mayFollowBreakout(db, actor, access.session)) return breakoutNotFound;
  const { room, session, target } = access;
  if (!can(actor, "breakoutRoom.report", { rapporteurId: room.rapporteurId, managerIds: target.managerIds })) {
    return can(actor, "breakoutRoom.view", target) ? breakoutForbidden : breakoutNotFound;
  }
  if (session.status === "planning") return invalid("form", "breakoutReports:errors.notYet");
  const actions = input.actions.map((a) => a.trim());
  const result = db.transaction((tx): SaveReportResult => {
    if (input.pillarId !== null && !tx.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get())
      return invalid("pillarId", "errors.invalidChoice");
    const existing = tx
      .select()
      .from(breakoutActions)
      .where(eq(breakoutActions.roomId, roomId))
      .orderBy(asc(breakoutActions.position))
      .all();
    const locked = existing.filter((a) => a.commitmentId !== null);
    // A line repeating a kept action is that action, not a new one.
    const fresh = actions.filter((a) => !locked.some((l) => l.text === a));
    const problem = reportProblems({ ...input, keyPoints: input.keyPoints, actions: fresh }, locked.length);
    if (problem) return problem;
    const previous = tx.select().from(breakoutReports).where(eq(breakoutReports.roomId, roomId)).get();
    const now = new Date();
    const submittedAt = input.submit ? (previous?.submittedAt ?? now) : (previous?.submittedAt ?? null);
    tx.insert(breakoutReports)
      .values({ roomId, pillarId: input.pillarId, keyPoints: input.keyPoints, authorId: actor.id, submittedAt, updatedAt: now })
      .onConflictDoUpdate({
        target: breakoutReports.roomId,
        set: { pillarId: input.pillarId, keyPoints: input.keyPoints, authorId: actor.id, submittedAt, updatedAt: now },
      })
      .run();
    // Unchanged lines keep their action (and its id, which an open plenary page may be about to use).
    const open = existing.filter((a) => a.commitmentId === null);
    const reused = new Set<number>();
    const placed = fresh.map((text) => {
      const same = open.find((a) => a.text === text && !reused.has(a.id));
      if (same) reused.add(same.id);
      return { text, id: same?.id ?? null };
    });
    const gone = open.filter((a) => !reused.has(a.id)).map((a) => a.id);
    if (gone.length) tx.delete(breakoutActions).where(inArray(breakoutActions.id, gone)).run();
    locked.forEach((a, position) => tx.update(breakoutActions).set({ position }).where(eq(breakoutActions.id, a.id)).run());
    placed.forEach(({ text, id }, i) => {
      const position = locked.length + i;
      if (id !== null) tx.update(breakoutActions).set({ position }).where(eq(breakoutActions.id, id)).run();
      else tx.insert(breakoutActions).values({ roomId, text, position }).run();
    });
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: input.submit ? "breakout.report.submit" : "breakout.report.save",
        targetType: "breakout_room",
        targetId: roomId,
        detail: { sessionId: session.sessionId, actions: locked.length + fresh.length, keyPointsLength: input.keyPoints.length },
      },
      meta,
    );
    return { ok: true, submitted: submittedAt !== null, events: [{ type: "breakout.changed", sessionId: session.sessionId }] };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

// ---------------------------------------------------------------------------------------------
// Reading report-backs

export interface ReportActionView {
  id: number;
  text: string;
  /** The commitment it became, as this reader may see it (`visible` false: it exists, but not for them). */
  commitment: { id: number; reference: string; status: string; visible: boolean } | null;
}

export interface ReportBackView {
  roomId: number;
  roomName: string;
  pillarName: string | null;
  keyPoints: string;
  actions: ReportActionView[];
  submittedAt: string | null;
  updatedAt: string;
  /** The rapporteur's name: only on the record; a report-back leaves the room. */
  reportedBy: string | null;
}

/** The report-backs of a session's rooms, with their actions, as `viewer` may read them outside the room. */
function reportViews(db: DbOrTx, viewer: Actor, session: BreakoutSession, withDrafts: boolean): ReportBackView[] {
  const rooms = listBreakoutRooms(db, session.sessionId);
  const roomIds = rooms.map((r) => r.room.id);
  if (roomIds.length === 0) return [];
  const reports = db
    .select({ report: breakoutReports, pillarName: pillars.name })
    .from(breakoutReports)
    .leftJoin(pillars, eq(pillars.id, breakoutReports.pillarId))
    .where(inArray(breakoutReports.roomId, roomIds))
    .all()
    .filter((r) => withDrafts || r.report.submittedAt !== null);
  const actions = db
    .select({
      action: breakoutActions,
      reference: commitments.reference,
      status: commitments.status,
      visibility: commitments.visibility,
      organisationIds: sql<
        string | null
      >`(SELECT group_concat(co.organisation_id) FROM commitment_organisations co WHERE co.commitment_id = ${commitments.id})`,
    })
    .from(breakoutActions)
    .leftJoin(commitments, eq(commitments.id, breakoutActions.commitmentId))
    .where(inArray(breakoutActions.roomId, roomIds))
    .orderBy(asc(breakoutActions.position), asc(breakoutActions.id))
    .all();
  const roomPillars = new Map(
    db
      .select({ id: pillars.id, name: pillars.name })
      .from(pillars)
      .all()
      .map((p) => [p.id, p.name]),
  );
  const authors = peopleWithGroups(
    db,
    reports.flatMap((r) => (r.report.authorId === null ? [] : [r.report.authorId])),
  );
  return rooms.flatMap(({ room }) => {
    const found = reports.find((r) => r.report.roomId === room.id);
    if (!found) return [];
    const { report } = found;
    const author = report.authorId === null ? undefined : authors.get(report.authorId);
    return [
      {
        roomId: room.id,
        roomName: room.name,
        pillarName: found.pillarName ?? (room.pillarId === null ? null : (roomPillars.get(room.pillarId) ?? null)),
        keyPoints: report.keyPoints,
        actions: actions
          .filter((a) => a.action.roomId === room.id)
          .map((a) => ({
            id: a.action.id,
            text: a.action.text,
            commitment:
              a.action.commitmentId === null || a.reference === null
                ? null
                : {
                    id: a.action.commitmentId,
                    reference: a.reference,
                    status: a.status ?? "draft",
                    visible: can(viewer, "commitment.view", {
                      visibility: a.visibility ?? "members",
                      organisationIds: (a.organisationIds ?? "").split(",").filter(Boolean).map(Number),
                    }),
                  },
          })),
        submittedAt: report.submittedAt?.toISOString() ?? null,
        updatedAt: report.updatedAt.toISOString(),
        // Outside the room: named only on the record.
        reportedBy: author ? personView(session.attribution, false, viewer, author).name : null,
      },
    ];
  });
}

/**
 * The plenary page: every room's submitted report-back (managers also see drafts), and whether the reader may turn
 * an action into a commitment of their organisation. Null when the reader may not see the session.
 */
export function plenaryView(db: DbOrTx, actor: Actor, sessionId: number) {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return null;
  const manager = mayManageBreakout(db, actor, session);
  const cycle = currentCycle(db);
  const organisation =
    actor.organisationId === null
      ? null
      : (db
          .select({ id: organisations.id, name: organisations.name })
          .from(organisations)
          .where(eq(organisations.id, actor.organisationId))
          .get() ?? null);
  const mayPropose = !!cycle && !!organisation && can(actor, "commitment.create", { leadOrganisationId: actor.organisationId });
  const rooms = listBreakoutRooms(db, sessionId);
  return {
    session: {
      id: session.sessionId,
      eventId: session.eventId,
      title: session.title,
      status: session.status,
      attribution: session.attribution,
      closedAt: session.closedAt?.toISOString() ?? null,
    },
    manager,
    roomCount: rooms.length,
    reports: reportViews(db, actor, session, manager),
    proposeFor: mayPropose ? organisation : null,
    /** Rooms whose report-back this reader may write (rapporteur or manager), for a link to the form. */
    writable: rooms
      .filter(({ room }) => can(actor, "breakoutRoom.report", { rapporteurId: room.rapporteurId, managerIds: managerIdsOf(db, session) }))
      .map(({ room }) => ({ id: room.id, name: room.name })),
  };
}
export type PlenaryView = NonNullable<ReturnType<typeof plenaryView>>;

/** The rapporteur's form: the room, its report-back so far, and the pillars to choose from. Null: not theirs (404). */
export function reportForm(db: DbOrTx, actor: Actor, sessionId: number, roomId: number) {
  const access = roomAccess(db, actor, roomId);
  if (!access || access.session.sessionId !== sessionId || !mayFollowBreakout(db, actor, access.session)) return null;
  const { room, session, target } = access;
  if (!can(actor, "breakoutRoom.report", { rapporteurId: room.rapporteurId, managerIds: target.managerIds })) return null;
  const report = db.select().from(breakoutReports).where(eq(breakoutReports.roomId, roomId)).get() ?? null;
  const actions = db.select().from(breakoutActions).where(eq(breakoutActions.roomId, roomId)).orderBy(asc(breakoutActions.position)).all();
  return {
    session: { id: session.sessionId, title: session.title, status: session.status, attribution: session.attribution },
    room: { id: room.id, name: room.name, question: room.question, pillarId: room.pillarId },
    report: report && {
      keyPoints: report.keyPoints,
      pillarId: report.pillarId,
      submittedAt: report.submittedAt?.toISOString() ?? null,
      updatedAt: report.updatedAt.toISOString(),
    },
    lockedActions: actions.filter((a) => a.commitmentId !== null).map((a) => ({ id: a.id, text: a.text, commitmentId: a.commitmentId! })),
    openActions: actions.filter((a) => a.commitmentId === null).map((a) => a.text),
    pillars: db.select({ id: pillars.id, name: pillars.name }).from(pillars).orderBy(asc(pillars.position)).all(),
  };
}

// ---------------------------------------------------------------------------------------------
// From an action to a draft commitment

export type ProposeResult = { ok: true; commitmentId: number; reference: string; events: DomainEvent[] } | BreakoutRefusal;

function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}

/**
 * A person who may record commitments for their organisation turns a proposed action into a draft commitment of
 * the open cycle, led by their organisation and linked to the session and room it came from. The draft counts
 * nowhere until the organisation confirms it. An action becomes one commitment only.
 */
export function proposeCommitment(db: Db, actor: Actor, actionId: number, meta: RequestMeta, today = todayIso()): ProposeResult {
  const action = db.select().from(breakoutActions).where(eq(breakoutActions.id, actionId)).get();
  if (!action) return breakoutNotFound;
  const room = db.select().from(breakoutRooms).where(eq(breakoutRooms.id, action.roomId)).get();
  const session = room ? breakoutSessionOf(db, room.sessionId) : null;
  if (!room || !session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  const report = db.select().from(breakoutReports).where(eq(breakoutReports.roomId, room.id)).get();
  // A draft report-back is for its writers and the managers only.
  if (!report || (report.submittedAt === null && !mayManageBreakout(db, actor, session))) return breakoutNotFound;
  if (actor.organisationId === null || !can(actor, "commitment.create", { leadOrganisationId: actor.organisationId }))
    return breakoutForbidden;
  const pillarId = report.pillarId ?? room.pillarId ?? session.pillarId;
  if (pillarId === null) return invalid("form", "breakoutReports:errors.noPillar");
  const person = db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.id)).get();
  const result = db.transaction((tx): ProposeResult => {
    const fresh = tx
      .select({ commitmentId: breakoutActions.commitmentId })
      .from(breakoutActions)
      .where(eq(breakoutActions.id, actionId))
      .get();
    if (!fresh) return breakoutNotFound;
    if (fresh.commitmentId !== null) return invalid("form", "breakoutReports:errors.alreadyCommitment");
    const cycle = currentCycle(tx);
    if (!cycle) return invalid("form", "breakoutReports:errors.noOpenCycle");
    const created = createCommitmentIn(
      tx,
      actor,
      {
        title: action.text.slice(0, MAX_TITLE),
        problem: report.keyPoints.slice(0, MAX_LONG_TEXT),
        expectedResult: "",
        pillarId,
        principles: [],
        type: "single",
        leadOrganisationId: actor.organisationId!,
        supporting: [],
        leadContribution: "",
        contactName: person?.name ?? "",
        contactEmail: person?.email ?? null,
        startsOn: today,
        endsOn: laterOf(today, `${cycle.year}-12-31`),
        madeAtSessionId: session.sessionId,
        madeAtBreakoutRoomId: room.id,
        visibility: "members",
        milestones: [],
      },
      meta,
      { status: "draft" },
    );
    if (!created.ok) {
      if (created.refusal === "forbidden") return breakoutForbidden;
      return invalid("form", Object.values(created.errors)[0] ?? "errors.invalidChoice");
    }
    const linked = tx
      .update(breakoutActions)
      .set({ commitmentId: created.id })
      .where(and(eq(breakoutActions.id, actionId), sql`${breakoutActions.commitmentId} IS NULL`))
      .run();
    if (linked.changes !== 1) throw new Error("a breakout action was linked twice");
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.action.propose",
        targetType: "breakout_action",
        targetId: actionId,
        detail: { commitmentId: created.id, reference: created.reference, roomId: room.id },
      },
      meta,
    );
    return {
      ok: true,
      commitmentId: created.id,
      reference: created.reference,
      events: [{ type: "breakout.changed", sessionId: session.sessionId }],
    };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

/** Where a commitment was made, when it came from a breakout room: the session and room, and whether the reader may follow. */
export function breakoutWhereMade(db: DbOrTx, actor: Actor | null, sessionId: number, roomId: number) {
  const session = breakoutSessionOf(db, sessionId);
  const room = db
    .select({ name: breakoutRooms.name, sessionId: breakoutRooms.sessionId })
    .from(breakoutRooms)
    .where(eq(breakoutRooms.id, roomId))
    .get();
  if (!session || !room || room.sessionId !== sessionId) return null;
  if (!mayFollowBreakout(db, actor, session)) return null;
  return { sessionId, sessionTitle: session.title, roomName: room.name, linkable: actor !== null };
}

// ---------------------------------------------------------------------------------------------
// The export: counts by stakeholder group, never names (but the rapporteur's on the record)

/** A count as the export shows it: any count below five is "fewer than 5". */
export function shownCount(n: number): number | "fewer than 5" {
  return n < MIN_SHOWN_COUNT ? "fewer than 5" : n;
}

/**
 * A room's total, shown only when it is five or more and tells nothing about the withheld group counts beyond what
 * they already say: either they are all empty (their sum is 0), or together they hold five or more people spread so
 * that no cell follows (their sum is below four times their number: with each under five, the cells are not pinned).
 * Otherwise "withheld" (or "fewer than 5" when the total itself is small).
 */
export function shownTotal(total: number, byGroup: number[]): number | "fewer than 5" | "withheld" {
  if (total < MIN_SHOWN_COUNT) return "fewer than 5";
  const hidden = byGroup.filter((n) => n < MIN_SHOWN_COUNT);
  const hiddenSum = hidden.reduce((sum, n) => sum + n, 0);
  if (hiddenSum === 0) return total;
  return hiddenSum >= MIN_SHOWN_COUNT && hiddenSum < (MIN_SHOWN_COUNT - 1) * hidden.length ? total : "withheld";
}

export interface ExportRoomRow {
  room: string;
  pillar: string | null;
  assignedTotal: number | "fewer than 5" | "withheld";
  assigned: Record<StakeholderGroup | "none", number | "fewer than 5">;
  wroteTotal: number | "fewer than 5" | "withheld";
  wrote: Record<StakeholderGroup | "none", number | "fewer than 5">;
  chatMessages: number;
  reportStatus: "submitted" | "draft" | "none";
  keyPoints: string;
  actions: string[];
  rapporteur: string | null;
}

const groupKeys = [...stakeholderGroups, "none"] as const;

/** The export of a session, for its managers and the secretariat; null for anyone else (404). */
export function breakoutExport(db: DbOrTx, actor: Actor, sessionId: number) {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session) || !mayManageBreakout(db, actor, session)) return null;
  const rooms = listBreakoutRooms(db, sessionId);
  const byGroup = (rows: { roomId: number | null; group: string | null; n: number }[], roomId: number) => {
    const counts = Object.fromEntries(groupKeys.map((g) => [g, 0])) as Record<(typeof groupKeys)[number], number>;
    for (const r of rows) if (r.roomId === roomId) counts[(r.group as StakeholderGroup | null) ?? "none"] += r.n;
    return counts;
  };
  const assigned = db.all<{ roomId: number; group: string | null; n: number }>(sql`
    SELECT a.room_id AS roomId, o.stakeholder_group AS "group", count(*) AS n
    FROM breakout_assignments a JOIN users u ON u.id = a.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
    WHERE a.session_id = ${sessionId} GROUP BY a.room_id, o.stakeholder_group`);
  // Everyone who wrote in a room's chat (the room's own messages, not the facilitator's broadcasts).
  const wrote = db.all<{ roomId: number; group: string | null; n: number }>(sql`
    SELECT m.room_id AS roomId, o.stakeholder_group AS "group", count(DISTINCT m.user_id) AS n
    FROM breakout_messages m JOIN users u ON u.id = m.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
    WHERE m.session_id = ${sessionId} AND m.room_id IS NOT NULL GROUP BY m.room_id, o.stakeholder_group`);
  const messages = new Map(
    db
      .select({ roomId: breakoutMessages.roomId, n: sql<number>`count(*)` })
      .from(breakoutMessages)
      .where(and(eq(breakoutMessages.sessionId, sessionId), isNotNull(breakoutMessages.roomId)))
      .groupBy(breakoutMessages.roomId)
      .all()
      .map((r) => [r.roomId, r.n]),
  );
  const reports = reportViews(db, actor, session, true);
  const pillarNames = new Map(
    db
      .select({ id: pillars.id, name: pillars.name })
      .from(pillars)
      .all()
      .map((p) => [p.id, p.name]),
  );
  const shownGroups = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).map(([g, n]) => [g, shownCount(n)])) as ExportRoomRow["assigned"];
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);
  const rows: ExportRoomRow[] = rooms.map(({ room }) => {
    const a = byGroup(assigned, room.id);
    const w = byGroup(wrote, room.id);
    const report = reports.find((r) => r.roomId === room.id);
    return {
      room: room.name,
      pillar: report?.pillarName ?? (room.pillarId === null ? null : (pillarNames.get(room.pillarId) ?? null)),
      assignedTotal: shownTotal(total(a), Object.values(a)),
      assigned: shownGroups(a),
      wroteTotal: shownTotal(total(w), Object.values(w)),
      wrote: shownGroups(w),
      chatMessages: messages.get(room.id) ?? 0,
      reportStatus: !report ? "none" : report.submittedAt ? "submitted" : "draft",
      keyPoints: report?.keyPoints ?? "",
      actions: report?.actions.map((x) => x.text) ?? [],
      // `reportViews` names the rapporteur only on the record.
      rapporteur: report?.reportedBy ?? null,
    };
  });
  return { session, rows, groups: groupKeys };
}
