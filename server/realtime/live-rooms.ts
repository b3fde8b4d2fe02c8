/**
 * The kinds of live room a socket can be in, each with its own access re-check. The dispatcher asks
 * every kind about every room of a socket whose access may have changed; a kind closes the socket
 * out of a room it may no longer see and tells it why. Adding a kind of room (breakouts) means adding
 * an entry here, and the dispatcher re-checks it with the others.
 */
import {
  assignedRoomOf,
  breakoutSessionOf,
  getBreakoutRoom,
  mayFollowBreakout,
  mayManageBreakout,
  visibleRoom,
} from "../../app/models/breakouts.server";
import { visibleEvent } from "../../app/models/events.server";
import { rooms } from "../../app/realtime/protocol";
import type { Actor } from "../../app/utils/policy";
import type { AppSocket, Services } from "../context";
import type { BreakoutPresence } from "./breakout-presence";

export interface LiveRoomKind {
  /** The room name's prefix: `event` for `event:<id>`. */
  prefix: string;
  /** Checks whether `actor` (null: no longer an account) may stay in room `id`, and acts on the answer. */
  recheck(socket: AppSocket, actor: Actor | null, id: number): void;
}

export function liveRoomKinds(services: Pick<Services, "db" | "documents">, breakouts: BreakoutPresence): LiveRoomKind[] {
  const { db } = services;
  return [
    {
      prefix: "event",
      recheck(socket, actor, eventId) {
        if (actor && visibleEvent(services.db, actor, eventId)) return;
        void socket.leave(rooms.event(eventId));
        socket.emit("event:access", { eventId, closed: "access_removed" });
      },
    },
    {
      prefix: "doc",
      recheck: (socket, actor, documentId) => services.documents.recheck(socket, actor, documentId),
    },
    {
      // A breakout room: its people, facilitators and the secretariat (observers where the session allows).
      prefix: "breakout",
      recheck(socket, actor, roomId) {
        if (actor && visibleRoom(db, actor, roomId)) return;
        void socket.leave(rooms.breakout(roomId));
        const sessionId = getBreakoutRoom(db, roomId)?.sessionId;
        const now = actor && sessionId !== undefined ? assignedRoomOf(db, sessionId, actor.id) : null;
        socket.emit("breakout:access", { roomId, closed: now !== null && now !== roomId ? "moved" : "access_removed" });
        breakouts.rosterChanged(roomId);
      },
    },
    {
      // A breakout session's followers: whoever may see its event.
      prefix: "breakouts",
      recheck(socket, actor, sessionId) {
        const session = breakoutSessionOf(db, sessionId);
        if (actor && session && mayFollowBreakout(db, actor, session)) return;
        void socket.leave(rooms.breakouts(sessionId));
      },
    },
    {
      // A breakout session's console: its managers.
      prefix: "console",
      recheck(socket, actor, sessionId) {
        const session = breakoutSessionOf(db, sessionId);
        if (actor && session && mayFollowBreakout(db, actor, session) && mayManageBreakout(db, actor, session)) return;
        void socket.leave(rooms.console(sessionId));
      },
    },
  ];
}

/** The kind and id of a room name such as `event:12`; null for rooms that are not live rooms (`user:`, `session:`). */
export function parseRoom(kinds: readonly LiveRoomKind[], room: string): { kind: LiveRoomKind; id: number } | null {
  const colon = room.indexOf(":");
  const kind = kinds.find((k) => k.prefix === room.slice(0, colon));
  const id = Number(room.slice(colon + 1));
  return kind && Number.isInteger(id) && id > 0 ? { kind, id } : null;
}
