import { rooms, type AgendaChange, type SessionEndReason } from "../../app/realtime/protocol";
import type { IoServer } from "../context";

/** What actions call after a change that open pages must hear about. */
export function createLive(io: IoServer) {
  return {
    /** Pushes an agenda change to everyone following that event. */
    agendaChanged(change: AgendaChange) {
      io.to(rooms.event(change.eventId)).emit("agenda:changed", change);
    },
    /** Tells the person who moved up from a waiting list, on every page they have open. */
    placePromoted(p: { userId: number; eventId: number; sessionId: number; title: string }) {
      io.to(rooms.user(p.userId)).emit("place:promoted", { eventId: p.eventId, sessionId: p.sessionId, title: p.title });
    },
    /** Tells the sockets of these sessions why they end, then closes them. */
    endSessions(sessionIds: readonly string[], reason: SessionEndReason) {
      for (const id of sessionIds) {
        io.to(rooms.session(id)).emit("session:ended", { reason });
        io.in(rooms.session(id)).disconnectSockets(true);
      }
    },
    endUser(userId: number, reason: SessionEndReason) {
      io.to(rooms.user(userId)).emit("session:ended", { reason });
      io.in(rooms.user(userId)).disconnectSockets(true);
    },
  };
}
export type Live = ReturnType<typeof createLive>;
