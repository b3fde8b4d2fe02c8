/**
 * Breakout rooms on live connections: following a session's state, choosing a room, entering a room, its chat and
 * raised hands, as request events validated and acknowledged like every other. Presence and the pushes it causes are
 * in `breakout-presence.ts`.
 */
import { postBreakoutMessage, roomRecord, setHand } from "../../app/models/breakout-live.server";
import {
  breakoutSessionOf,
  breakoutState,
  mayFollowBreakout,
  mayManageBreakout,
  visibleRoom,
  type BreakoutRefusal,
} from "../../app/models/breakouts.server";
import type { RequestMeta } from "../../app/models/audit.server";
import { rooms, type Ack } from "../../app/realtime/protocol";
import type { AppSocket, Services } from "../context";
import type { handle as handleRequest } from "./sockets";

/** Chat messages and hand changes one socket may send: a steady rate and a burst (a token bucket). */
export const BREAKOUT_WRITE_RATE = { perSecond: 5, burst: 20 } as const;

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
