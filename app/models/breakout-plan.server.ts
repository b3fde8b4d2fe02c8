/**
 * Preparing a breakout session: its rooms, and who goes to which, by their own choice, by hand, from a file or by the
 * balanced proposal. Every write asks the policy, keeps a room within its capacity and announces what followers see.
 */
import { and, count, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { breakoutAssignments, breakoutPreferences, breakoutRooms, breakouts } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { breakoutForbidden, breakoutNotFound, breakoutSessionOf, mayFollowBreakout, type BreakoutRefusal } from "./breakouts.server";
import { announce } from "./domain-events.server";

export type ChooseRoomResult = { ok: true; roomId: number; events: DomainEvent[] } | BreakoutRefusal;

/**
 * The actor chooses their own room. Where delegates choose (`assignmentMode` "choice"), the place is theirs if the room
 * has one left (first come, first served, checked in the transaction that takes it); where the facilitator plans, the
 * choice is kept as a preferred pillar for the balanced proposal. Late arrivals may still choose while rooms run.
 */
export function chooseRoom(db: Db, actor: Actor, sessionId: number, roomId: number, meta: RequestMeta): ChooseRoomResult {
  const session = breakoutSessionOf(db, sessionId);
  if (!session || !mayFollowBreakout(db, actor, session)) return breakoutNotFound;
  if (!can(actor, "breakout.choose")) return breakoutForbidden;
  const result = db.transaction((tx): ChooseRoomResult => {
    const state = tx.select().from(breakouts).where(eq(breakouts.sessionId, sessionId)).get()!;
    if (state.status === "closed") return { ok: false, reason: "closed" };
    const room = tx
      .select()
      .from(breakoutRooms)
      .where(and(eq(breakoutRooms.id, roomId), eq(breakoutRooms.sessionId, sessionId)))
      .get();
    if (!room) return breakoutNotFound;
    const mine = tx
      .select()
      .from(breakoutAssignments)
      .where(and(eq(breakoutAssignments.sessionId, sessionId), eq(breakoutAssignments.userId, actor.id)))
      .get();
    if (state.assignmentMode === "planned" && (mine || state.status === "planning")) {
      // Planned by the facilitator: the choice is a preference, unless the person arrives late with no room.
      if (!room.pillarId) return { ok: false, reason: "invalid", field: "roomId", error: "errors.noPillar" };
      tx.insert(breakoutPreferences)
        .values({ sessionId, userId: actor.id, pillarId: room.pillarId })
        .onConflictDoUpdate({ target: [breakoutPreferences.sessionId, breakoutPreferences.userId], set: { pillarId: room.pillarId } })
        .run();
      recordAudit(tx, { actorId: actor.id, action: "breakout.preference", targetType: "breakout_room", targetId: roomId }, meta);
      return { ok: true, roomId, events: [] };
    }
    if (mine?.roomId === roomId) return { ok: true, roomId, events: [] };
    if (mine && state.status === "open") return { ok: false, reason: "invalid", field: "roomId", error: "errors.askFacilitatorToMove" };
    if (room.capacity !== null) {
      const taken = tx.select({ n: count() }).from(breakoutAssignments).where(eq(breakoutAssignments.roomId, roomId)).get()!.n;
      if (taken >= room.capacity) return { ok: false, reason: "full" };
    }
    tx.insert(breakoutAssignments)
      .values({ sessionId, userId: actor.id, roomId, source: "chosen", updatedAt: new Date() })
      .onConflictDoUpdate({
        target: [breakoutAssignments.sessionId, breakoutAssignments.userId],
        set: { roomId, source: "chosen", updatedAt: new Date() },
      })
      .run();
    recordAudit(tx, { actorId: actor.id, action: "breakout.choose", targetType: "breakout_room", targetId: roomId }, meta);
    const events: DomainEvent[] = [
      { type: "breakout.changed", sessionId },
      { type: "breakout.accessChanged", sessionId },
    ];
    // A late arrival while the rooms run goes straight in.
    if (state.status === "open") events.push({ type: "breakout.opened", sessionId, assignments: [{ userId: actor.id, roomId }] });
    return { ok: true, roomId, events };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}
