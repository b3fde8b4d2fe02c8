/**
 * Breakout rooms on live connections: following a session's state, choosing a room, entering a room, its chat and
 * raised hands (request events, validated and acknowledged like every other), and presence.
 *
 * Presence is who has the room open right now: the people behind the sockets in `breakout:<roomId>` (each listed
 * once), read from the in-memory adapter's room map. It changes when a socket joins or leaves, disconnects (a
 * vanished client is dropped by the ping timeout) or loses access; each change pushes the room's roster and the
 * managers' overview. Everything else a room is (status, timer, hands, chat) is in the database.
 */
import type { Db, DbOrTx } from "../../db/client";
import { chooseRooms, type Choice, type ChooseRoomResult } from "../../app/models/breakout-plan.server";
import { overviewOf, postBreakoutMessage, roomRecord, rosterOf, setHand, type KnownRoom } from "../../app/models/breakout-live.server";
import {
  breakoutSessionOf,
  breakoutState,
  getBreakoutRoom,
  listBreakoutRooms,
  mayFollowBreakout,
  mayManageBreakout,
  peopleWithGroups,
  visibleRoom,
  type BreakoutRefusal,
} from "../../app/models/breakouts.server";
import type { RequestMeta } from "../../app/models/audit.server";
import { rooms, type Ack, type BreakoutOverview, type BreakoutPersonView } from "../../app/realtime/protocol";
import type { AppSocket, IoServer, Services } from "../context";
import type { handle as handleRequest } from "./sockets";

/** Chat messages and hand changes one socket may send: a steady rate and a burst (a token bucket). */
export const BREAKOUT_WRITE_RATE = { perSecond: 5, burst: 20 } as const;

/** Pushes of the same kind for the same room or session are sent at most this often (the last state always goes). */
export const PUSH_INTERVAL_MS = 250;

/**
 * Runs `push(key)` at once, or (when it ran less than `intervalMs` ago) once more at the end of the interval with the
 * state of that moment: a burst of changes (a thousand people choosing) becomes a few pushes, never a lost one.
 */
export function coalesced(intervalMs: number, push: (key: number) => void, log: (m: string) => void) {
  const last = new Map<number, number>();
  const pending = new Map<number, NodeJS.Timeout>();
  const run = (key: number) => {
    last.set(key, Date.now());
    try {
      push(key);
    } catch (error) {
      log(`breakout push failed: ${(error as Error).stack ?? error}`);
    }
  };
  return {
    request(key: number) {
      if (pending.has(key)) return;
      const wait = (last.get(key) ?? 0) + intervalMs - Date.now();
      if (wait <= 0) return run(key);
      const timer = setTimeout(() => {
        pending.delete(key);
        run(key);
      }, wait);
      timer.unref();
      pending.set(key, timer);
    },
    close() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}

/** Longest stretch of queued breakout requests handled before the server reads its connections again. */
export const WORK_SLICE_MS = 20;

/**
 * Runs requests one after another, in the order they came, in slices of at most `sliceMs`, going back to the event
 * loop between slices. A thousand people choosing a room in the same second arrive as a thousand packets that would
 * otherwise be handled in one go; while that lasted no heartbeat answer (pong) could be read, and on a busy machine
 * the server would drop healthy connections for not answering its pings. Between slices it reads them.
 */
export function workQueue(sliceMs: number) {
  const tasks: (() => void)[] = [];
  let scheduled = false;
  const drain = () => {
    const until = performance.now() + sliceMs;
    while (tasks.length > 0 && performance.now() < until) tasks.shift()!();
    scheduled = tasks.length > 0;
    if (scheduled) setImmediate(drain);
  };
  return <T>(task: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      tasks.push(() => {
        try {
          resolve(task());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    });
}

export type BreakoutPresence = ReturnType<typeof createBreakoutPresence>;

/** Presence and the pushes that follow from it, for one Socket.IO server. */
export function createBreakoutPresence(io: IoServer, db: Db, log: (m: string) => void) {
  const namespace = io.of("/");
  const sessionOfRoom = new Map<number, number | null>();

  const socketsIn = (room: string): AppSocket[] => {
    const ids = namespace.adapter.rooms.get(room);
    return ids ? [...ids].flatMap((id) => namespace.sockets.get(id) ?? []) : [];
  };
  const hasSockets = (room: string) => (namespace.adapter.rooms.get(room)?.size ?? 0) > 0;
  /** The people with the room open now, each once. */
  const presentIn = (roomId: number) => new Set(socketsIn(rooms.breakout(roomId)).map((s) => s.data.userId));

  const inTurn = workQueue(WORK_SLICE_MS);
  /** Choices that arrived while earlier work was being done: they are stored together, in the order they came. */
  const waitingChoices: { choice: Choice; resolve: (result: ChooseRoomResult | Error) => void }[] = [];
  function storeChoices() {
    const batch = waitingChoices.splice(0, waitingChoices.length);
    let results: (ChooseRoomResult | Error)[];
    try {
      results = chooseRooms(
        db,
        batch.map((w) => w.choice),
      );
    } catch (error) {
      results = batch.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  function sessionOf(roomId: number): number | null {
    if (!sessionOfRoom.has(roomId)) sessionOfRoom.set(roomId, getBreakoutRoom(db, roomId)?.sessionId ?? null);
    return sessionOfRoom.get(roomId)!;
  }

  /**
   * Names and stakeholder groups of the people in rooms, kept for a few seconds: when the rooms open, every room's
   * roster is worked out again as each of its people arrives, and would otherwise read the same people each time.
   */
  const people = new Map<number, { person: { name: string; stakeholderGroup: string | null }; until: number }>();
  const PEOPLE_KEPT_MS = 5_000;
  function peopleOf(dbOrTx: DbOrTx, ids: readonly number[]) {
    const now = Date.now();
    const missing = ids.filter((id) => (people.get(id)?.until ?? 0) <= now);
    for (const [id, person] of peopleWithGroups(dbOrTx, missing)) people.set(id, { person, until: now + PEOPLE_KEPT_MS });
    if (people.size > 10_000) for (const [id, kept] of people) if (kept.until <= now) people.delete(id);
    return new Map(ids.flatMap((id) => (people.has(id) ? [[id, people.get(id)!.person] as const] : [])));
  }

  function roster(roomId: number, known?: KnownRoom): BreakoutPersonView[] {
    return rosterOf(db, roomId, presentIn(roomId), known, peopleOf);
  }

  function overview(sessionId: number): BreakoutOverview {
    const present = new Map(listBreakoutRooms(db, sessionId).map(({ room }) => [room.id, presentIn(room.id).size]));
    return overviewOf(db, sessionId, present);
  }

  const rosters = coalesced(
    PUSH_INTERVAL_MS,
    (roomId) => {
      const room = rooms.breakout(roomId);
      if (hasSockets(room)) io.to(room).emit("breakout:roster", { roomId, people: roster(roomId) });
    },
    log,
  );
  const overviews = coalesced(
    PUSH_INTERVAL_MS,
    (sessionId) => {
      const room = rooms.console(sessionId);
      if (hasSockets(room)) io.to(room).emit("breakouts:overview", overview(sessionId));
    },
    log,
  );
  const states = coalesced(
    PUSH_INTERVAL_MS,
    (sessionId) => {
      const room = rooms.breakouts(sessionId);
      const session = hasSockets(room) ? breakoutSessionOf(db, sessionId) : null;
      if (session) io.to(room).emit("breakouts:state", breakoutState(db, session));
    },
    log,
  );

  return {
    roster,
    overview,
    /** Handles a request in its turn (see `workQueue`). */
    inTurn,
    /** A choice of room, stored with the others waiting at the same time in one commit (`chooseRooms`). */
    choose: (choice: Choice) =>
      new Promise<ChooseRoomResult | Error>((resolve) => {
        waitingChoices.push({ choice, resolve });
        if (waitingChoices.length === 1) void inTurn(storeChoices);
      }),
    /** Who is in the room changed, or how they are shown (the rooms opened or closed): push its roster and the overview. */
    rosterChanged(roomId: number) {
      rosters.request(roomId);
      const sessionId = sessionOf(roomId);
      if (sessionId !== null) overviews.request(sessionId);
    },
    /** Chat, hands or presence changed somewhere in the session. */
    overviewChanged: (sessionId: number) => overviews.request(sessionId),
    /** Rooms, places taken, status or timer changed: the followers get the new state, managers the overview. */
    stateChanged(sessionId: number) {
      states.request(sessionId);
      overviews.request(sessionId);
    },
    /** The breakout rooms (ids) this socket has open. */
    roomsOf(socket: AppSocket): number[] {
      return [...socket.rooms].flatMap((r) => (r.startsWith("breakout:") ? [Number(r.slice("breakout:".length))] : []));
    },
    close() {
      rosters.close();
      overviews.close();
      states.close();
    },
  };
}

const refusalMessages: Record<BreakoutRefusal["reason"], string> = {
  not_found: "There is no such breakout session or room, or you cannot see it.",
  forbidden: "You may not do this in these breakout rooms.",
  full: "This room is full.",
  closed: "The rooms are closed.",
  invalid: "This cannot be done.",
};

/** A model's refusal as an acknowledgement: the reason as the error code, the translation key (if any) in the message. */
export function refusalAck(refusal: BreakoutRefusal): Ack {
  if (refusal.reason === "invalid" && refusal.error === "errors.notOpen") {
    return { ok: false, error: "closed", message: "The rooms are not open yet." };
  }
  const error = refusal.reason === "invalid" ? "invalid_payload" : refusal.reason;
  return { ok: false, error, message: refusal.error ?? refusalMessages[refusal.reason] };
}

const notFound: Ack = refusalAck({ ok: false, reason: "not_found" });
const notJoined = (roomId: number): Ack => ({ ok: false, error: "not_joined", message: `Enter room ${roomId} (breakout:join) first.` });

export interface BreakoutSocketContext {
  services: Pick<Services, "db" | "dispatcher">;
  handle: typeof handleRequest;
  currentAuth: (socket: AppSocket) => { user: import("../../app/models/session.server").SessionUser } | null;
  log: (m: string) => void;
}

/** Registers the breakout request events on a new connection, and its presence's end. */
export function attachBreakouts(socket: AppSocket, { services, handle, currentAuth, log }: BreakoutSocketContext) {
  const { db } = services;
  const presence = services.dispatcher.breakouts;
  const metaOf = (s: AppSocket): RequestMeta => ({
    ipAddress: s.handshake.address || null,
    userAgent: s.handshake.headers["user-agent"] ?? null,
  });
  /** The signed-in person, or null (and the socket closed) once their session ended. */
  const personOf = (s: AppSocket) => {
    const user = currentAuth(s)?.user ?? null;
    if (!user) s.disconnect(true);
    return user;
  };
  const ended: Ack = { ok: false, error: "forbidden", message: "Your session has ended." };
  // Every chat message is a committed write: one connection may not flood a room (or the disk).
  let tokens: number = BREAKOUT_WRITE_RATE.burst;
  let refilledAt = Date.now();
  const limited = (): Ack | null => {
    const now = Date.now();
    tokens = Math.min(BREAKOUT_WRITE_RATE.burst, tokens + ((now - refilledAt) / 1000) * BREAKOUT_WRITE_RATE.perSecond);
    refilledAt = now;
    if (tokens < 1) {
      return { ok: false, error: "rate_limited", message: `Chat and hands are limited to ${BREAKOUT_WRITE_RATE.perSecond} a second.` };
    }
    tokens -= 1;
    return null;
  };

  handle(
    socket,
    "breakouts:follow",
    ({ sessionId }, s) =>
      presence.inTurn(() => {
        const user = personOf(s);
        if (!user) return ended;
        const session = breakoutSessionOf(db, sessionId);
        if (!session || !mayFollowBreakout(db, user, session)) return notFound;
        void s.join(rooms.breakouts(sessionId));
        const manages = mayManageBreakout(db, user, session);
        if (manages) void s.join(rooms.console(sessionId));
        return { ok: true, state: breakoutState(db, session), overview: manages ? presence.overview(sessionId) : null };
      }),
    log,
  );
  handle(
    socket,
    "breakouts:unfollow",
    ({ sessionId }, s) => {
      void s.leave(rooms.breakouts(sessionId));
      void s.leave(rooms.console(sessionId));
      return { ok: true };
    },
    log,
  );
  handle(
    socket,
    "breakouts:choose",
    async ({ sessionId, roomId }, s) => {
      const user = personOf(s);
      if (!user) return ended;
      const chosen = await presence.choose({ actor: user, sessionId, roomId, meta: metaOf(s) });
      if (chosen instanceof Error) throw chosen;
      return chosen.ok ? { ok: true, roomId: chosen.roomId } : refusalAck(chosen);
    },
    log,
  );
  handle(
    socket,
    "breakout:join",
    ({ roomId }, s) =>
      presence.inTurn(() => {
        const user = personOf(s);
        if (!user) return ended;
        const visible = visibleRoom(db, user, roomId);
        if (!visible) return notFound;
        void s.join(rooms.breakout(roomId));
        const { session } = visible;
        const known = { room: visible.room, session, managerIds: visible.target.managerIds };
        const record = roomRecord(db, user, roomId, true, known);
        presence.rosterChanged(roomId);
        return {
          ok: true,
          roomId,
          sessionId: session.sessionId,
          readOnly: !visible.maySpeak || session.status !== "open",
          status: session.status,
          people: presence.roster(roomId, known),
          ...record,
          timerEndsAt: session.timerEndsAt?.toISOString() ?? null,
          serverNow: new Date().toISOString(),
        };
      }),
    log,
  );
  handle(
    socket,
    "breakout:leave",
    ({ roomId }, s) => {
      if (s.rooms.has(rooms.breakout(roomId))) {
        void s.leave(rooms.breakout(roomId));
        presence.rosterChanged(roomId);
      }
      return { ok: true };
    },
    log,
  );
  handle(
    socket,
    "breakout:chat",
    ({ roomId, body }, s) =>
      presence.inTurn(() => {
        if (!s.rooms.has(rooms.breakout(roomId))) return notJoined(roomId);
        const user = personOf(s);
        if (!user) return ended;
        const refused = limited();
        if (refused) return refused;
        const posted = postBreakoutMessage(db, user, roomId, body, metaOf(s));
        return posted.ok ? { ok: true, message: posted.message } : refusalAck(posted);
      }),
    log,
  );
  handle(
    socket,
    "breakout:hand",
    ({ roomId, raised, handId }, s) =>
      presence.inTurn(() => {
        if (!s.rooms.has(rooms.breakout(roomId))) return notJoined(roomId);
        const user = personOf(s);
        if (!user) return ended;
        const refused = limited();
        if (refused) return refused;
        const result = setHand(db, user, roomId, handId === undefined ? { raised } : { raised, handId }, metaOf(s));
        return result.ok ? { ok: true, handId: result.handId } : refusalAck(result);
      }),
    log,
  );

  // Presence ends with the connection: the rooms it had open are read before the socket leaves them.
  let openRooms: number[] = [];
  socket.on("disconnecting", () => {
    openRooms = presence.roomsOf(socket);
  });
  socket.on("disconnect", () => {
    for (const roomId of openRooms) presence.rosterChanged(roomId);
  });
}
