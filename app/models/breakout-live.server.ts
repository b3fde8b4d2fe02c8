/**
 * Running a breakout session: opening and closing every room at once, the countdown, the facilitators' messages to
 * every room, moving a person between running rooms, and inside a room its chat and raised-hands queue.
 *
 * Everything a room is lives in the database (status, timer, assignment, hands, chat), so a restarted server serves
 * the same rooms and a reconnecting client picks up where it was; only who is connected right now (presence) lives in
 * the server's sockets. Every write asks the policy, checks its rule in one transaction with its audit entry, and
 * announces what open pages see after the commit.
 */
import { and, asc, count, desc, eq, inArray, isNull, max, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "../../db/client";
import {
  agendaSessions,
  breakoutAssignments,
  breakoutHands,
  breakoutMessages,
  breakoutRooms,
  breakouts,
  organisations,
  users,
} from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import {
  MAX_CHAT_LENGTH,
  type BreakoutHandsView,
  type BreakoutMessageView,
  type BreakoutOverview,
  type BreakoutPersonView,
} from "../realtime/protocol";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { ensureRoomNotes } from "./breakout-notes.server";
import {
  breakoutForbidden,
  breakoutNotFound,
  breakoutSessionOf,
  getBreakoutRoom,
  listBreakoutRooms,
  managerIdsOf,
  mayFollowBreakout,
  mayManageBreakout,
  peopleWithGroups,
  personView,
  visibleRoom,
  type BreakoutRefusal,
  type BreakoutRoom,
  type BreakoutSession,
} from "./breakouts.server";
import { announce } from "./domain-events.server";
import { actorFor } from "./people.server";

export type BreakoutWrite = { ok: true; events: DomainEvent[] } | BreakoutRefusal;

/** The countdown's length and extensions, in whole minutes. */
export const TIMER_MINUTES = { min: 1, max: 240 } as const;
/** Most chat messages a room's record carries (the latest ones). */
export const ROOM_RECORD_MESSAGES = 1000;

const timerMinutes = z.number().int().min(TIMER_MINUTES.min).max(TIMER_MINUTES.max);
const chatBody = z.string().trim().min(1).max(MAX_CHAT_LENGTH);

/**
 * How everyone inside a running room is shown to each other: they all see the same roster, chat and hands, so these
 * are worked out once for "a participant of the room" rather than per viewer (the rule depends only on the session's
 * attribution and on being inside the room).
 */
const roomPeer: Actor = { id: 0, role: "delegate", status: "active", organisationId: null };

/** Why a write that needs running rooms was refused: rooms that closed, or never opened. */
function notRunning(status: BreakoutSession["status"]): BreakoutRefusal {
  return status === "closed" ? { ok: false, reason: "closed" } : { ok: false, reason: "invalid", error: "errors.notOpen" };
}

/** The session, when the actor may see it and manage it; the refusal otherwise. */
function managedSession(db: DbOrTx, actor: Actor, sessionId: number): BreakoutSession | BreakoutRefusal {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  if (!mayManageBreakout(db, actor, session)) return breakoutForbidden;
  return session;
}

const isRefusal = (value: BreakoutSession | BreakoutRefusal): value is BreakoutRefusal => "ok" in value;

function statusOf(tx: DbOrTx, sessionId: number): BreakoutSession["status"] {
  return tx.select({ status: breakouts.status }).from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!.status;
}

/**
 * Opens every room of the session (from planning, or again after closing): each person assigned is taken to their
 * room, and a planned assignment is published. Each room gets its shared notes document.
 */
export function openBreakout(db: Db, actor: Actor, sessionId: number, meta: RequestMeta): BreakoutWrite {
  const session = managedSession(db, actor, sessionId);
  if (isRefusal(session)) return session;
  const result = db.transaction((tx): BreakoutWrite => {
    const status = statusOf(tx, sessionId);
    if (status === "open") return { ok: false, reason: "invalid", error: "errors.alreadyOpen" };
    const now = new Date();
    tx.update(breakouts)
      .set({ status: "open", openedAt: now, closedAt: null, published: true, updatedAt: now })
      .where(eq(breakouts.sessionId, sessionId))
      .run();
    const documentIds = listBreakoutRooms(tx, sessionId).map(({ room }) => ensureRoomNotes(tx, room.id));
    const assignments = tx
      .select({ userId: breakoutAssignments.userId, roomId: breakoutAssignments.roomId })
      .from(breakoutAssignments)
      .where(eq(breakoutAssignments.sessionId, sessionId))
      .all();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.open",
        targetType: "agenda_session",
        targetId: sessionId,
        detail: { reopened: status === "closed" },
      },
      meta,
      now,
    );
    const events: DomainEvent[] = [
      { type: "breakout.opened", sessionId, assignments },
      { type: "breakout.changed", sessionId },
      { type: "breakout.accessChanged", sessionId },
    ];
    // Reopened rooms: notes left read-only at closing may be written again.
    if (status === "closed") for (const documentId of documentIds) events.push({ type: "document.accessChanged", documentId });
    return { ok: true, events };
  });
  return result.ok ? { ok: true, events: announce(db, result.events) } : result;
}

/** Closes every room: everyone returns to the plenary, the countdown stops, the notes become read-only. */
export function closeBreakout(db: Db, actor: Actor, sessionId: number, meta: RequestMeta): BreakoutWrite {
  const session = managedSession(db, actor, sessionId);
  if (isRefusal(session)) return session;
  const result = db.transaction((tx): BreakoutWrite => {
    const state = tx.select().from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!;
    if (state.status !== "open") return notRunning(state.status);
    const now = new Date();
    tx.update(breakouts)
      .set({ status: "closed", closedAt: now, timerEndsAt: null, updatedAt: now })
      .where(eq(breakouts.sessionId, sessionId))
      .run();
    const rooms = listBreakoutRooms(tx, sessionId).map(({ room }) => room);
    recordAudit(tx, { actorId: actor.id, action: "breakout.close", targetType: "agenda_session", targetId: sessionId }, meta, now);
    const events: DomainEvent[] = [
      { type: "breakout.closed", sessionId, roomIds: rooms.map((r) => r.id) },
      { type: "breakout.changed", sessionId },
    ];
    if (state.timerEndsAt) events.push({ type: "breakout.timer", sessionId, endsAt: null });
    for (const room of rooms) if (room.documentId !== null) events.push({ type: "document.accessChanged", documentId: room.documentId });
    return { ok: true, events };
  });
  return result.ok ? { ok: true, events: announce(db, result.events) } : result;
}

/**
 * Starts the countdown (`start` minutes from now), extends it (`extend` minutes more than its current end, or than now
 * when none runs or it has passed), or stops it. Only while the rooms run; the end is kept by the server.
 */
export function setBreakoutTimer(
  db: Db,
  actor: Actor,
  sessionId: number,
  change: { start: number } | { extend: number } | { stop: true },
  meta: RequestMeta,
  now = new Date(),
): BreakoutWrite {
  const session = managedSession(db, actor, sessionId);
  if (isRefusal(session)) return session;
  const minutes = "start" in change ? change.start : "extend" in change ? change.extend : null;
  if (minutes !== null && !timerMinutes.safeParse(minutes).success) {
    return { ok: false, reason: "invalid", field: "minutes", error: "errors.timerMinutes" };
  }
  const result = db.transaction((tx): BreakoutWrite => {
    const state = tx.select().from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!;
    if (state.status !== "open" && !("stop" in change)) return notRunning(state.status);
    let endsAt: Date | null = null;
    if ("start" in change) endsAt = new Date(now.getTime() + change.start * 60_000);
    else if ("extend" in change) {
      const from = state.timerEndsAt && state.timerEndsAt.getTime() > now.getTime() ? state.timerEndsAt : now;
      endsAt = new Date(from.getTime() + change.extend * 60_000);
    }
    tx.update(breakouts).set({ timerEndsAt: endsAt, updatedAt: now }).where(eq(breakouts.sessionId, sessionId)).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "breakout.timer",
        targetType: "agenda_session",
        targetId: sessionId,
        detail: { ...change, endsAt: endsAt?.toISOString() ?? null },
      },
      meta,
      now,
    );
    return { ok: true, events: [{ type: "breakout.timer", sessionId, endsAt: endsAt?.toISOString() ?? null }] };
  });
  return result.ok ? { ok: true, events: announce(db, result.events) } : result;
}

/** A facilitator's message to every running room of the session: stored (with no room) before anyone sees it. */
export function broadcastToRooms(db: Db, actor: Actor, sessionId: number, body: string, meta: RequestMeta): BreakoutWrite {
  const session = managedSession(db, actor, sessionId);
  if (isRefusal(session)) return session;
  const text = chatBody.safeParse(body);
  if (!text.success) return { ok: false, reason: "invalid", field: "body", error: "errors.messageLength" };
  const result = db.transaction((tx): BreakoutWrite => {
    const status = statusOf(tx, sessionId);
    if (status !== "open") return notRunning(status);
    const row = tx
      .insert(breakoutMessages)
      .values({ sessionId, roomId: null, userId: actor.id, body: text.data, createdAt: new Date() })
      .returning()
      .get();
    recordAudit(
      tx,
      { actorId: actor.id, action: "breakout.broadcast", targetType: "agenda_session", targetId: sessionId },
      meta,
      row.createdAt,
    );
    const message = messageView(row, session.attribution, true, roomPeer, authorsOf(tx, [row.userId]));
    return { ok: true, events: [{ type: "breakout.message", sessionId, roomId: null, message }] };
  });
  return result.ok ? { ok: true, events: announce(db, result.events) } : result;
}

/**
 * Moves a person to another running room of the session (with a place left): they are told and taken there, leave
 * the old room (and its hands queue), and the old room no longer lets them in.
 */
export function moveBreakoutPerson(
  db: Db,
  actor: Actor,
  sessionId: number,
  userId: number,
  toRoomId: number,
  meta: RequestMeta,
): BreakoutWrite {
  const session = managedSession(db, actor, sessionId);
  if (isRefusal(session)) return session;
  const person = actorFor(db, userId);
  if (!person || !mayFollowBreakout(db, person, session)) return { ok: false, reason: "not_found", field: "userId" };
  if (!can(person, "breakout.choose")) return { ok: false, reason: "invalid", field: "userId", error: "errors.cannotTakePart" };
  const result = db.transaction((tx): BreakoutWrite => {
    const status = statusOf(tx, sessionId);
    if (status !== "open") return notRunning(status);
    const room = tx
      .select()
      .from(breakoutRooms)
      .where(and(eq(breakoutRooms.id, toRoomId), eq(breakoutRooms.sessionId, sessionId)))
      .get();
    if (!room) return { ok: false, reason: "not_found", field: "roomId" };
    const current = tx
      .select({ roomId: breakoutAssignments.roomId })
      .from(breakoutAssignments)
      .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, userId)))
      .get();
    const fromRoomId = current?.roomId ?? null;
    if (fromRoomId === toRoomId) return { ok: true, events: [] };
    if (room.capacity !== null) {
      const taken = tx.select({ n: count() }).from(breakoutAssignments).where(eq(breakoutAssignments.roomId, toRoomId)).get()!.n;
      if (taken >= room.capacity) return { ok: false, reason: "full", field: "roomId" };
    }
    const now = new Date();
    tx.insert(breakoutAssignments)
      .values({ sessionId, userId, roomId: toRoomId, source: "moved", updatedAt: now })
      .onConflictDoUpdate({
        target: [breakoutAssignments.sessionId, breakoutAssignments.userId],
        set: { roomId: toRoomId, source: "moved", updatedAt: now },
      })
      .run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "breakout.move", targetType: "user", targetId: userId, detail: { sessionId, fromRoomId, toRoomId } },
      meta,
      now,
    );
    const events: DomainEvent[] = [
      { type: "breakout.moved", sessionId, userId, fromRoomId, toRoomId },
      { type: "breakout.accessChanged", sessionId },
      { type: "breakout.changed", sessionId },
    ];
    // Their hand stays behind in no room: a raised hand in the old room is lowered.
    if (fromRoomId !== null) {
      const lowered = tx
        .delete(breakoutHands)
        .where(and(eq(breakoutHands.roomId, fromRoomId), eq(breakoutHands.userId, userId)))
        .run();
      if (lowered.changes > 0)
        events.push({
          type: "breakout.hands",
          sessionId,
          roomId: fromRoomId,
          hands: handsOf(tx, fromRoomId, session.attribution, true, roomPeer),
        });
    }
    return { ok: true, events };
  });
  return result.ok ? { ok: true, events: announce(db, result.events) } : result;
}

/**
 * Posts to a running room's chat: stored (and audited, without its text) before anyone sees it. The author is shown
 * as seen inside the running room.
 */
export function postBreakoutMessage(
  db: Db,
  actor: Actor,
  roomId: number,
  body: string,
  meta: RequestMeta,
): { ok: true; message: BreakoutMessageView; events: DomainEvent[] } | BreakoutRefusal {
  const visible = visibleRoom(db, actor, roomId);
  if (!visible) return breakoutNotFound;
  if (!visible.maySpeak) return breakoutForbidden;
  const text = chatBody.safeParse(body);
  if (!text.success) return { ok: false, reason: "invalid", field: "body", error: "errors.messageLength" };
  const { session } = visible;
  const result = db.transaction((tx) => {
    const status = statusOf(tx, session.sessionId);
    if (status !== "open") return notRunning(status);
    const row = tx
      .insert(breakoutMessages)
      .values({ sessionId: session.sessionId, roomId, userId: actor.id, body: text.data, createdAt: new Date() })
      .returning()
      .get();
    recordAudit(tx, { actorId: actor.id, action: "breakout.message", targetType: "breakout_room", targetId: roomId }, meta, row.createdAt);
    const message = messageView(row, session.attribution, true, roomPeer, authorsOf(tx, [row.userId]));
    const events: DomainEvent[] = [{ type: "breakout.message", sessionId: session.sessionId, roomId, message }];
    return { ok: true as const, message, events };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

/**
 * Raises the actor's hand in a running room (again: it keeps its place in the queue), lowers it, or (a manager of the
 * session, with `handId`) lowers someone else's. Answers the actor's own hand, if it is up.
 */
export function setHand(
  db: Db,
  actor: Actor,
  roomId: number,
  change: { raised: boolean; handId?: number },
  meta: RequestMeta,
): { ok: true; handId: number | null; events: DomainEvent[] } | BreakoutRefusal {
  const visible = visibleRoom(db, actor, roomId);
  if (!visible) return breakoutNotFound;
  const { session } = visible;
  if (change.raised && change.handId !== undefined) return { ok: false, reason: "invalid", field: "handId", error: "errors.raiseOwnHand" };
  const lowersOther = !change.raised && change.handId !== undefined;
  if (change.raised && !visible.maySpeak) return breakoutForbidden;
  const manages = lowersOther && mayManageBreakout(db, actor, session);
  const result = db.transaction((tx) => {
    const status = statusOf(tx, session.sessionId);
    if (status !== "open") return notRunning(status);
    let changed = false;
    if (change.raised) {
      changed = tx.insert(breakoutHands).values({ roomId, userId: actor.id, raisedAt: new Date() }).onConflictDoNothing().run().changes > 0;
    } else if (lowersOther) {
      const hand = tx
        .select()
        .from(breakoutHands)
        .where(and(eq(breakoutHands.id, change.handId!), eq(breakoutHands.roomId, roomId)))
        .get();
      if (!hand) return { ok: false as const, reason: "not_found" as const, field: "handId" };
      if (hand.userId !== actor.id && !manages) return breakoutForbidden;
      changed = tx.delete(breakoutHands).where(eq(breakoutHands.id, hand.id)).run().changes > 0;
    } else {
      changed =
        tx
          .delete(breakoutHands)
          .where(and(eq(breakoutHands.roomId, roomId), eq(breakoutHands.userId, actor.id)))
          .run().changes > 0;
    }
    const mine = tx
      .select({ id: breakoutHands.id })
      .from(breakoutHands)
      .where(and(eq(breakoutHands.roomId, roomId), eq(breakoutHands.userId, actor.id)))
      .get();
    if (!changed) return { ok: true as const, handId: mine?.id ?? null, events: [] as DomainEvent[] };
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: change.raised ? "breakout.handRaised" : "breakout.handLowered",
        targetType: "breakout_room",
        targetId: roomId,
        detail: lowersOther ? { handId: change.handId } : undefined,
      },
      meta,
    );
    const events: DomainEvent[] = [
      { type: "breakout.hands", sessionId: session.sessionId, roomId, hands: handsOf(tx, roomId, session.attribution, true, roomPeer) },
    ];
    return { ok: true as const, handId: mine?.id ?? null, events };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

type Author = { name: string; stakeholderGroup: string | null };

function messagesQuery(db: DbOrTx, sessionId: unknown, roomId: unknown, limit: unknown) {
  return db
    .select()
    .from(breakoutMessages)
    .where(
      and(
        eq(breakoutMessages.sessionId, sessionId as number),
        or(eq(breakoutMessages.roomId, roomId as number), isNull(breakoutMessages.roomId)),
      ),
    )
    .orderBy(desc(breakoutMessages.id))
    .limit(limit as number);
}

function handsQuery(db: DbOrTx, roomId: unknown) {
  return db
    .select({ id: breakoutHands.id, userId: breakoutHands.userId })
    .from(breakoutHands)
    .where(eq(breakoutHands.roomId, roomId as number))
    .orderBy(asc(breakoutHands.raisedAt), asc(breakoutHands.id));
}

function myHandQuery(db: DbOrTx, roomId: unknown, userId: unknown) {
  return db
    .select({ id: breakoutHands.id })
    .from(breakoutHands)
    .where(and(eq(breakoutHands.roomId, roomId as number), eq(breakoutHands.userId, userId as number)));
}

/** A room's record is read by everyone entering it (a thousand at once when the rooms open): prepared once per database. */
const preparedLiveReads = new WeakMap<Db, ReturnType<typeof prepareLiveReads>>();
function prepareLiveReads(db: Db) {
  return {
    messages: messagesQuery(db, sql.placeholder("sessionId"), sql.placeholder("roomId"), sql.placeholder("limit")).prepare(),
    hands: handsQuery(db, sql.placeholder("roomId")).prepare(),
    myHand: myHandQuery(db, sql.placeholder("roomId"), sql.placeholder("userId")).prepare(),
  };
}
function liveReads(db: Db) {
  let found = preparedLiveReads.get(db);
  if (!found) preparedLiveReads.set(db, (found = prepareLiveReads(db)));
  return found;
}

function authorsOf(db: DbOrTx, userIds: readonly number[]): Map<number, Author> {
  return peopleWithGroups(db, [...new Set(userIds)]);
}

function messageView(
  row: typeof breakoutMessages.$inferSelect,
  attribution: BreakoutSession["attribution"],
  inRoom: boolean,
  viewer: Actor | null,
  authors: Map<number, Author>,
): BreakoutMessageView {
  const author = authors.get(row.userId) ?? { name: "", stakeholderGroup: null };
  const shown = personView(attribution, inRoom, viewer, author);
  return {
    id: row.id,
    body: row.body,
    at: row.createdAt.toISOString(),
    author: { name: shown.name, group: shown.group },
    broadcast: row.roomId === null,
  };
}

/** The room's raised hands, first raised first, shown under the session's rule. */
function handsOf(
  db: DbOrTx,
  roomId: number,
  attribution: BreakoutSession["attribution"],
  inRoom: boolean,
  viewer: Actor | null,
): BreakoutHandsView {
  const rows = "$client" in db ? liveReads(db).hands.all({ roomId }) : handsQuery(db, roomId).all();
  const people = authorsOf(
    db,
    rows.map((r) => r.userId),
  );
  return rows.map((r) => {
    const shown = personView(attribution, inRoom, viewer, people.get(r.userId) ?? { name: "", stakeholderGroup: null });
    return { id: r.id, name: shown.name, group: shown.group };
  });
}

/** A room and its session (and its managers) a caller has already read, so a read needs not read them again. */
export interface KnownRoom {
  room: BreakoutRoom;
  session: BreakoutSession;
  managerIds?: readonly number[];
}

function roomAndSession(
  db: DbOrTx,
  roomId: number,
): { room: BreakoutRoom | null; session: BreakoutSession | null; managerIds?: undefined } {
  const room = getBreakoutRoom(db, roomId);
  return { room, session: room ? breakoutSessionOf(db, room.sessionId) : null };
}

/**
 * What a room holds for one reader: its chat (with the facilitators' messages to every room), its raised hands and the
 * reader's own hand. `inRoom`: read from inside the running room; a closed room's record is always read from outside,
 * so under Chatham House its authors are shown by stakeholder group only. Hands are shown only while the rooms run
 * (the queue stays stored for when they open again). The caller has checked that the reader may see the room.
 */
export function roomRecord(
  db: DbOrTx,
  viewer: Actor,
  roomId: number,
  inRoom: boolean,
  known?: KnownRoom,
): { messages: BreakoutMessageView[]; hands: BreakoutHandsView; myHandId: number | null } {
  const { room, session } = known ?? roomAndSession(db, roomId);
  if (!room || !session) return { messages: [], hands: [], myHandId: null };
  const open = session.status === "open";
  const inside = inRoom && open;
  const r = "$client" in db ? liveReads(db) : null;
  const rows = (
    r
      ? r.messages.all({ sessionId: session.sessionId, roomId, limit: ROOM_RECORD_MESSAGES })
      : messagesQuery(db, session.sessionId, roomId, ROOM_RECORD_MESSAGES).all()
  ).reverse();
  const authors = authorsOf(
    db,
    rows.map((row) => row.userId),
  );
  const messages = rows.map((row) => messageView(row, session.attribution, inside, viewer, authors));
  if (!open) return { messages, hands: [], myHandId: null };
  const hands = handsOf(db, roomId, session.attribution, inside, viewer);
  const mine = hands.length === 0 ? undefined : r ? r.myHand.get({ roomId, userId: viewer.id }) : myHandQuery(db, roomId, viewer.id).get();
  return { messages, hands, myHandId: mine?.id ?? null };
}

/**
 * Who is in the room now (the people behind its live connections, each once), with what they do there, as everyone
 * inside sees them: under the rule for inside the running room while it runs, from outside once it has closed.
 */
export function rosterOf(
  db: DbOrTx,
  roomId: number,
  userIds: Iterable<number>,
  known?: KnownRoom,
  lookup: (db: DbOrTx, ids: readonly number[]) => Map<number, Author> = peopleWithGroups,
): BreakoutPersonView[] {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return [];
  const { room, session, managerIds } = known ?? roomAndSession(db, roomId);
  if (!room || !session) return [];
  const managers = new Set(managerIds ?? managerIdsOf(db, session));
  const people = lookup(db, ids);
  const roleOf = (id: number): BreakoutPersonView["role"] =>
    room.facilitatorId === id || managers.has(id) ? "facilitator" : room.rapporteurId === id ? "rapporteur" : "participant";
  const order = { facilitator: 0, rapporteur: 1, participant: 2 } as const;
  return ids
    .flatMap((id) => {
      const person = people.get(id);
      return person ? [{ id, view: personView(session.attribution, session.status === "open", roomPeer, person, roleOf(id)) }] : [];
    })
    .sort((a, b) => order[a.view.role] - order[b.view.role] || (a.view.name ?? "").localeCompare(b.view.name ?? "") || a.id - b.id)
    .map((p) => p.view);
}

/**
 * Every room of the session at a glance, for its managers: people present (`present`: from live connections, by room),
 * chat messages and the last one's time, and raised hands (while the rooms run). Names nobody.
 */
export function overviewOf(db: DbOrTx, sessionId: number, present: ReadonlyMap<number, number>): BreakoutOverview {
  const session = breakoutSessionOf(db, sessionId);
  const chat = new Map(
    db
      .select({ roomId: breakoutMessages.roomId, n: count(), last: max(breakoutMessages.createdAt) })
      .from(breakoutMessages)
      .where(eq(breakoutMessages.sessionId, sessionId))
      .groupBy(breakoutMessages.roomId)
      .all()
      .map((r) => [r.roomId, r]),
  );
  const rooms = listBreakoutRooms(db, sessionId).map(({ room }) => room);
  const hands =
    session?.status === "open"
      ? new Map(
          db
            .select({ roomId: breakoutHands.roomId, n: count() })
            .from(breakoutHands)
            .where(
              inArray(
                breakoutHands.roomId,
                rooms.map((r) => r.id),
              ),
            )
            .groupBy(breakoutHands.roomId)
            .all()
            .map((r) => [r.roomId, r.n]),
        )
      : new Map<number, number>();
  return {
    sessionId,
    rooms: rooms.map((room) => {
      const messages = chat.get(room.id);
      const last = messages?.last as Date | number | null | undefined;
      return {
        id: room.id,
        name: room.name,
        present: present.get(room.id) ?? 0,
        messages: messages?.n ?? 0,
        lastMessageAt: last === null || last === undefined ? null : new Date(last).toISOString(),
        hands: hands.get(room.id) ?? 0,
      };
    }),
  };
}

export interface ConsoleRoom {
  id: number;
  name: string;
  pillarSlug: string | null;
  question: string;
  people: { id: number; name: string; organisation: string | null; group: string | null }[];
}

/** For the console page: every room with its assigned people (names: the organisers' own data). Null when not a manager. */
export function consoleOf(db: DbOrTx, actor: Actor, sessionId: number): { session: BreakoutSession; rooms: ConsoleRoom[] } | null {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session) || !mayManageBreakout(db, actor, session)) return null;
  const people = db
    .select({
      roomId: breakoutAssignments.roomId,
      id: users.id,
      name: users.name,
      organisation: organisations.name,
      group: organisations.stakeholderGroup,
    })
    .from(breakoutAssignments)
    .innerJoin(users, eq(users.id, breakoutAssignments.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(breakoutAssignments.sessionId, sessionId))
    .orderBy(sql`${users.name} COLLATE NOCASE`, asc(users.id))
    .all();
  const rooms = listBreakoutRooms(db, sessionId).map(
    ({ room, pillarSlug }: { room: BreakoutRoom; pillarSlug: string | null }): ConsoleRoom => ({
      id: room.id,
      name: room.name,
      pillarSlug,
      question: room.question,
      people: people.filter((p) => p.roomId === room.id).map(({ id, name, organisation, group }) => ({ id, name, organisation, group })),
    }),
  );
  return { session, rooms };
}

/** The breakout sessions of an event: who may follow them, or be in their rooms, depends on seeing the event. */
export function breakoutSessionIdsOfEvent(db: DbOrTx, eventId: number): number[] {
  return db
    .select({ id: breakouts.sessionId })
    .from(breakouts)
    .innerJoin(agendaSessions, eq(agendaSessions.id, breakouts.sessionId))
    .where(eq(agendaSessions.eventId, eventId))
    .all()
    .map((r) => r.id);
}
