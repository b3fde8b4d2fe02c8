/**
 * Breakout sessions: what every breakout module shares. A session of kind "breakout" gets a `breakouts` row and
 * rooms (by default one per pillar); the planning (`breakout-plan.server.ts`), the running rooms
 * (`breakout-live.server.ts`) and the report-backs (`breakout-reports.server.ts`) build on the reads here, and on
 * the one way of deciding who may be in a room and how a person is shown under the session's attribution rule.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import {
  agendaSessions,
  breakoutAssignments,
  breakoutRooms,
  breakouts,
  events,
  organisations,
  pillars,
  rooms,
  trackLeads,
  users,
} from "../../db/schema";
import type { AttributionRule } from "../domain/vocabulary";
import type { BreakoutPersonView, BreakoutRoomSummary, BreakoutState } from "../realtime/protocol";
import { can, type Actor, type BreakoutRoomTarget } from "../utils/policy";
import { trackLeadIds } from "./agenda.server";

/** A breakout session with its agenda session's facts. */
export interface BreakoutSession {
  sessionId: number;
  eventId: number;
  title: string;
  pillarId: number | null;
  attribution: AttributionRule;
  startsAt: Date;
  endsAt: Date;
  sessionStatus: "scheduled" | "cancelled";
  status: "planning" | "open" | "closed";
  assignmentMode: "choice" | "planned";
  published: boolean;
  observersMayWatch: boolean;
  timerEndsAt: Date | null;
  openedAt: Date | null;
  closedAt: Date | null;
}

function sessionQuery(db: DbOrTx) {
  return db
    .select({
      sessionId: breakouts.sessionId,
      eventId: agendaSessions.eventId,
      title: agendaSessions.title,
      pillarId: agendaSessions.pillarId,
      attribution: agendaSessions.attribution,
      startsAt: agendaSessions.startsAt,
      endsAt: agendaSessions.endsAt,
      sessionStatus: agendaSessions.status,
      status: breakouts.status,
      assignmentMode: breakouts.assignmentMode,
      published: breakouts.published,
      observersMayWatch: breakouts.observersMayWatch,
      timerEndsAt: breakouts.timerEndsAt,
      openedAt: breakouts.openedAt,
      closedAt: breakouts.closedAt,
    })
    .from(breakouts)
    .innerJoin(agendaSessions, eq(agendaSessions.id, breakouts.sessionId))
    .where(eq(breakouts.sessionId, sql.placeholder("id")));
}

/**
 * The reads every live breakout request makes (a thousand people choosing or entering rooms at once), built and
 * prepared once per database rather than on each call. Inside a transaction the same reads are built as usual.
 */
function prepareReads(db: Db) {
  return {
    session: sessionQuery(db).prepare(),
    room: db
      .select()
      .from(breakoutRooms)
      .where(eq(breakoutRooms.id, sql.placeholder("id")))
      .prepare(),
    assigned: db
      .select({ roomId: breakoutAssignments.roomId })
      .from(breakoutAssignments)
      .where(
        and(eq(breakoutAssignments.sessionId, sql.placeholder("sessionId")), eq(breakoutAssignments.userId, sql.placeholder("userId"))),
      )
      .prepare(),
    roomFacilitators: db
      .select({ id: breakoutRooms.facilitatorId })
      .from(breakoutRooms)
      .where(eq(breakoutRooms.sessionId, sql.placeholder("sessionId")))
      .prepare(),
    trackLeads: db
      .select({ userId: trackLeads.userId })
      .from(trackLeads)
      .where(and(eq(trackLeads.eventId, sql.placeholder("eventId")), eq(trackLeads.pillarId, sql.placeholder("pillarId"))))
      .prepare(),
    event: db
      .select()
      .from(events)
      .where(eq(events.id, sql.placeholder("id")))
      .prepare(),
    people: peopleQuery(db, sql.placeholder("ids")).prepare(),
  };
}

const preparedReads = new WeakMap<Db, ReturnType<typeof prepareReads>>();

/** The prepared reads of this database, or null inside a transaction (whose handle has no client of its own). */
function reads(db: DbOrTx): ReturnType<typeof prepareReads> | null {
  if (!("$client" in db)) return null;
  let found = preparedReads.get(db);
  if (!found) preparedReads.set(db, (found = prepareReads(db)));
  return found;
}

/** The breakout session `sessionId`, or null when it is not a prepared breakout session. */
export function breakoutSessionOf(db: DbOrTx, sessionId: number): BreakoutSession | null {
  const r = reads(db);
  return (r ? r.session.get({ id: sessionId }) : sessionQuery(db).get({ id: sessionId })) ?? null;
}

/**
 * Gives a session of kind "breakout" its breakout state and one room per pillar, if it has none yet. Part of the
 * caller's transaction (saving a session, the seed, preparing an older session); returns whether it made them.
 */
export function ensureBreakout(tx: DbOrTx, sessionId: number): boolean {
  const session = tx.select({ kind: agendaSessions.kind }).from(agendaSessions).where(eq(agendaSessions.id, sessionId)).get();
  if (!session || session.kind !== "breakout") return false;
  const made = tx.insert(breakouts).values({ sessionId }).onConflictDoNothing().run();
  if (made.changes === 0) return false;
  const pillarRows = tx.select().from(pillars).orderBy(asc(pillars.position)).all();
  pillarRows.forEach((pillar, position) =>
    tx.insert(breakoutRooms).values({ sessionId, name: pillar.name, pillarId: pillar.id, position }).run(),
  );
  return true;
}

export type BreakoutRoom = typeof breakoutRooms.$inferSelect;

export function listBreakoutRooms(db: DbOrTx, sessionId: number) {
  return db
    .select({ room: breakoutRooms, pillarSlug: pillars.slug })
    .from(breakoutRooms)
    .leftJoin(pillars, eq(pillars.id, breakoutRooms.pillarId))
    .where(eq(breakoutRooms.sessionId, sessionId))
    .orderBy(asc(breakoutRooms.position), asc(breakoutRooms.id))
    .all();
}

export function getBreakoutRoom(db: DbOrTx, roomId: number): BreakoutRoom | null {
  const r = reads(db);
  return (r ? r.room.get({ id: roomId }) : db.select().from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get()) ?? null;
}

/** Where a room is: its pillar's slug and the name of its room at the venue, if any. */
export function roomPlace(db: DbOrTx, room: BreakoutRoom): { pillarSlug: string | null; venue: string | null } {
  const pillarSlug =
    room.pillarId === null
      ? null
      : (db.select({ slug: pillars.slug }).from(pillars).where(eq(pillars.id, room.pillarId)).get()?.slug ?? null);
  const venue =
    room.venueRoomId === null
      ? null
      : (db.select({ name: rooms.name }).from(rooms).where(eq(rooms.id, room.venueRoomId)).get()?.name ?? null);
  return { pillarSlug, venue };
}

/** The facilitators leading the session's track at its event, and those named to its rooms. */
export function managerIdsOf(db: DbOrTx, session: Pick<BreakoutSession, "sessionId" | "eventId" | "pillarId">): number[] {
  const r = reads(db);
  const roomFacilitators = (
    r
      ? r.roomFacilitators.all({ sessionId: session.sessionId })
      : db.select({ id: breakoutRooms.facilitatorId }).from(breakoutRooms).where(eq(breakoutRooms.sessionId, session.sessionId)).all()
  ).flatMap((row) => (row.id === null ? [] : [row.id]));
  const leads =
    r && session.pillarId !== null
      ? r.trackLeads.all({ eventId: session.eventId, pillarId: session.pillarId }).map((row) => row.userId)
      : trackLeadIds(db, session.eventId, session.pillarId);
  return [...new Set([...leads, ...roomFacilitators])];
}

/** Whether the actor may prepare and run this breakout session. */
export function mayManageBreakout(db: DbOrTx, actor: Actor, session: BreakoutSession): boolean {
  return can(actor, "breakout.manage", { managerIds: managerIdsOf(db, session) });
}

/** The room `userId` is in for this session (chosen, assigned, moved), if any. */
export function assignedRoomOf(db: DbOrTx, sessionId: number, userId: number): number | null {
  const r = reads(db);
  const row = r
    ? r.assigned.get({ sessionId, userId })
    : db
        .select({ roomId: breakoutAssignments.roomId })
        .from(breakoutAssignments)
        .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, userId)))
        .get();
  return row?.roomId ?? null;
}

/** Whether the actor may see the session's event (and so the session) at all. */
export function mayFollowBreakout(db: DbOrTx, actor: Actor | null, session: BreakoutSession): boolean {
  const r = reads(db);
  const event = r ? r.event.get({ id: session.eventId }) : db.select().from(events).where(eq(events.id, session.eventId)).get();
  return !!event && can(actor, "event.view", event);
}

/** Everything the policy needs about one room and one person, or null when the room does not exist. */
export function roomAccess(
  db: DbOrTx,
  actor: Actor,
  roomId: number,
): { room: BreakoutRoom; session: BreakoutSession; target: BreakoutRoomTarget } | null {
  const room = getBreakoutRoom(db, roomId);
  if (!room) return null;
  const session = breakoutSessionOf(db, room.sessionId);
  if (!session) return null;
  const target: BreakoutRoomTarget = {
    roomId: room.id,
    assignedRoomId: assignedRoomOf(db, session.sessionId, actor.id),
    facilitatorId: room.facilitatorId,
    rapporteurId: room.rapporteurId,
    managerIds: managerIdsOf(db, session),
    observersMayWatch: session.observersMayWatch,
  };
  return { room, session, target };
}

/**
 * The room, its session and whether the actor may take part (not only read), when the actor may read it and see its
 * event; null otherwise, so a room one may not see answers exactly like one that does not exist.
 */
export function visibleRoom(db: DbOrTx, actor: Actor, roomId: number) {
  const access = roomAccess(db, actor, roomId);
  if (!access || !mayFollowBreakout(db, actor, access.session) || !can(actor, "breakoutRoom.view", access.target)) return null;
  return { ...access, maySpeak: can(actor, "breakoutRoom.speak", access.target) };
}

/** How one person appears to others under the session's attribution rule (`inRoom`: seen from inside the running room). */
export function personView(
  attribution: AttributionRule,
  inRoom: boolean,
  viewer: Actor | null,
  person: { name: string; stakeholderGroup: string | null },
  role: BreakoutPersonView["role"] = "participant",
): BreakoutPersonView {
  const named = viewer !== null && can(viewer, "breakout.seeNames", { attribution, inRoom });
  return { name: named ? person.name : null, group: person.stakeholderGroup, role };
}

/** People by id with their stakeholder group, for showing them under an attribution rule. */
function peopleQuery(db: DbOrTx, idsJson: unknown) {
  return db
    .select({ id: users.id, name: users.name, stakeholderGroup: organisations.stakeholderGroup })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(sql`${users.id} IN (SELECT value FROM json_each(${idsJson}))`);
}

export function peopleWithGroups(db: DbOrTx, userIds: readonly number[]) {
  if (userIds.length === 0) return new Map<number, { name: string; stakeholderGroup: string | null }>();
  const r = reads(db);
  const ids = JSON.stringify(userIds);
  const rows = r ? r.people.all({ ids }) : peopleQuery(db, ids).all();
  return new Map(rows.map((row) => [row.id, { name: row.name, stakeholderGroup: row.stakeholderGroup }]));
}

/** The session's state as its followers see it: rooms with places taken, status, timer. Names nobody. */
export function breakoutState(db: DbOrTx, session: BreakoutSession, now = new Date()): BreakoutState {
  const counts = new Map(
    db
      .select({ roomId: breakoutAssignments.roomId, n: sql<number>`count(*)` })
      .from(breakoutAssignments)
      .where(eq(breakoutAssignments.sessionId, session.sessionId))
      .groupBy(breakoutAssignments.roomId)
      .all()
      .map((r) => [r.roomId, r.n]),
  );
  const rooms: BreakoutRoomSummary[] = listBreakoutRooms(db, session.sessionId).map(({ room, pillarSlug }) => {
    const assigned = counts.get(room.id) ?? 0;
    return {
      id: room.id,
      name: room.name,
      pillarSlug,
      capacity: room.capacity,
      assigned,
      full: room.capacity !== null && assigned >= room.capacity,
    };
  });
  return {
    sessionId: session.sessionId,
    status: session.status,
    published: session.published,
    assignmentMode: session.assignmentMode,
    rooms,
    timerEndsAt: session.timerEndsAt?.toISOString() ?? null,
    serverNow: now.toISOString(),
  };
}

/** Why a breakout write was refused: a room or session one may not see is `not_found`, as if it did not exist. */
export type BreakoutRefusal = {
  ok: false;
  reason: "not_found" | "forbidden" | "full" | "closed" | "invalid";
  /** For `invalid`: the form field and the translation key of the message. */
  field?: string;
  error?: string;
};

export const breakoutNotFound: BreakoutRefusal = { ok: false, reason: "not_found" };
export const breakoutForbidden: BreakoutRefusal = { ok: false, reason: "forbidden" };
