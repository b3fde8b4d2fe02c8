/**
 * Breakout sessions a test makes for itself: a breakout session at a test's event (one room per pillar, as saving
 * one makes them) and places in its rooms written directly, so a test starts from the state it needs.
 */
import type { Db } from "../../db/client";
import type { AttributionRule } from "../../app/domain/vocabulary";
import { makeSession, type TestEvent } from "./factories";

export interface TestBreakout {
  sessionId: number;
  /** Its rooms in order, one per pillar to begin with. */
  rooms: { id: number; name: string; pillarSlug: string | null }[];
  /** Room id by pillar slug. */
  roomOf: (pillarSlug: string) => number;
}

export function makeBreakout(
  db: Db,
  event: TestEvent,
  options: { title?: string; attribution?: AttributionRule; start?: string; end?: string; capacity?: number | null } = {},
): TestBreakout {
  const sessionId = makeSession(db, event, {
    title: options.title ?? "Breakouts by pillar",
    kind: "breakout",
    room: null,
    start: options.start ?? "14:00",
    end: options.end ?? "15:30",
    attribution: options.attribution ?? "on_record",
  });
  if (options.capacity !== undefined) {
    db.$client.prepare("UPDATE breakout_rooms SET capacity = ? WHERE session_id = ?").run(options.capacity, sessionId);
  }
  const rooms = db.$client
    .prepare(
      `SELECT r.id, r.name, p.slug AS pillarSlug FROM breakout_rooms r LEFT JOIN pillars p ON p.id = r.pillar_id
       WHERE r.session_id = ? ORDER BY r.position, r.id`,
    )
    .all(sessionId) as TestBreakout["rooms"];
  if (rooms.length === 0) throw new Error("saving a breakout session made no rooms");
  return {
    sessionId,
    rooms,
    roomOf: (slug) =>
      rooms.find((r) => r.pillarSlug === slug)?.id ??
      (() => {
        throw new Error(`no room for ${slug}`);
      })(),
  };
}

/** Puts people in a room of the session (as a published assignment would). */
export function placeInRoom(db: Db, breakout: TestBreakout, roomId: number, ...userIds: number[]): void {
  const insert = db.$client.prepare(
    "INSERT INTO breakout_assignments (session_id, user_id, room_id, source) VALUES (?, ?, ?, 'assigned') " +
      "ON CONFLICT (session_id, user_id) DO UPDATE SET room_id = excluded.room_id",
  );
  for (const userId of userIds) insert.run(breakout.sessionId, userId, roomId);
  db.$client.prepare("UPDATE breakouts SET published = 1 WHERE session_id = ?").run(breakout.sessionId);
}
