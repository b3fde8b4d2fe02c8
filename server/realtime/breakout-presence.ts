/**
 * Presence in breakout rooms, for one Socket.IO server: who has a room open right now (the people behind the sockets in
 * `breakout:<roomId>`, each listed once, read from the in-memory adapter's room map), and the pushes that follow from
 * it. It changes when a socket joins or leaves, disconnects (a vanished client is dropped by the ping timeout) or
 * loses access; each change pushes the room's roster and the managers' overview, at most every `PUSH_INTERVAL_MS`.
 * Breakout requests run here in arrival order, in short slices (`workQueue`), and choices waiting together are
 * stored in one commit. Everything else a room is (status, timer, hands, chat) is in the database.
 */
import type { Db, DbOrTx } from "../../db/client";
import { chooseRooms, type Choice, type ChooseRoomResult } from "../../app/models/breakout-plan.server";
import { overviewOf, rosterOf, type KnownRoom } from "../../app/models/breakout-live.server";
import { breakoutSessionOf, breakoutState, getBreakoutRoom, listBreakoutRooms, peopleWithGroups } from "../../app/models/breakouts.server";
import { rooms, type BreakoutOverview, type BreakoutPersonView } from "../../app/realtime/protocol";
import type { AppSocket, IoServer } from "../context";

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
