import type { z } from "zod";
import { visibleEvent } from "../../app/models/events.server";
import { findSession, invalidateSession, validateSessionToken } from "../../app/models/session.server";
import { MAX_PAYLOAD_BYTES, requestSchemas, rooms, type Ack, type HandshakeError, type RequestEvent } from "../../app/realtime/protocol";
import { can } from "../../app/utils/policy";
import type { AppSocket, IoServer, Services } from "../context";
import { isSameOrigin } from "../http/origin";
import { idleTimeoutMs, readSessionToken } from "../http/session";
import { attachBreakouts } from "./breakouts";
import { attachDocumentComments } from "./document-comments";

function handshakeError(data: HandshakeError): Error {
  return Object.assign(new Error(data.message), { data });
}

function payloadSize(payload: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(payload ?? null));
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Whether a decoded payload is plain data all the way down: the msgpack decoder turns a `__proto__` key into the
 * object's prototype, after which validation would read inherited fields. Such payloads are refused.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== "object") return true;
  if (depth > 32) return false;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) return proto === Array.prototype && value.every((v) => isPlainData(v, depth + 1));
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== "string" || FORBIDDEN_KEYS.has(key)) return false;
    if (!isPlainData((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

const NOT_PLAIN: Ack = {
  ok: false,
  error: "invalid_payload",
  message: "payload: keys such as __proto__, constructor and prototype are not allowed.",
};

type Handler<E extends RequestEvent> = (payload: z.output<(typeof requestSchemas)[E]>, socket: AppSocket) => Ack | Promise<Ack>;

/** Registers a request event: size-checks and validates its payload, and always answers through the acknowledgement. */
export function handle<E extends RequestEvent>(socket: AppSocket, event: E, handler: Handler<E>, log: (m: string) => void) {
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, async (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (res: Ack) => void) : null;
    if (!ack) return;
    if (args.length > 1)
      return ack({ ok: false, error: "invalid_payload", message: "A request carries one payload and its acknowledgement." });
    const payload = args[0] ?? {};
    if (!isPlainData(payload)) return ack(NOT_PLAIN);
    if (payloadSize(payload) > MAX_PAYLOAD_BYTES) {
      return ack({ ok: false, error: "payload_too_large", message: `Payloads are limited to ${MAX_PAYLOAD_BYTES} bytes.` });
    }
    const parsed = requestSchemas[event].safeParse(payload);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return ack({
        ok: false,
        error: "invalid_payload",
        message: first ? `${first.path.join(".") || "payload"}: ${first.message}` : "Invalid payload.",
      });
    }
    try {
      ack(await handler(parsed.data as z.output<(typeof requestSchemas)[E]>, socket));
    } catch (error) {
      log(`socket event ${event} failed: ${(error as Error).stack ?? error}`);
      ack({ ok: false, error: "internal", message: "Something went wrong on the server." });
    }
  });
}

export function attachSockets(io: IoServer, services: Services, log: (m: string) => void) {
  const { db, env } = services;

  /** When the handshake found each socket's session last verified, for the first expiry check. */
  const verifiedAt = new WeakMap<AppSocket, Date>();

  io.use((socket, next) => {
    const headers = socket.handshake.headers;
    if (!isSameOrigin(headers, env.APP_URL, { trustProxy: env.TRUST_PROXY })) {
      return next(handshakeError({ code: "origin_not_allowed", message: "Connections are only accepted from Convene's own pages." }));
    }
    const token = readSessionToken(headers.cookie);
    const auth = token ? validateSessionToken(db, token, idleTimeoutMs(env)) : null;
    if (!auth || !can(auth.user, "realtime.connect")) {
      return next(handshakeError({ code: "unauthenticated", message: "Sign in to connect to live updates." }));
    }
    socket.data.userId = auth.user.id;
    socket.data.sessionId = auth.session.id;
    verifiedAt.set(socket, auth.session.lastVerifiedAt);
    next();
  });

  /** The person behind this socket, if its session is still valid (checked again on every request). */
  const currentAuth = (s: AppSocket) => {
    const token = readSessionToken(s.handshake.headers.cookie);
    const auth = token ? validateSessionToken(db, token, idleTimeoutMs(env)) : null;
    return auth && auth.session.id === s.data.sessionId ? auth : null;
  };

  /**
   * Closes the socket when its session expires from inactivity: a timer at the session's expiry, which looks at
   * the session again when it fires (page requests may have moved its last activity later) without renewing it.
   */
  const watchExpiry = (socket: AppSocket) => {
    let timer: NodeJS.Timeout | null = null;
    // The first expiry comes from the handshake, which has just read the session (Socket.IO connects the socket on
    // the same turn of the event loop, so nothing can end the session in between unseen); later ones read it again.
    let known = verifiedAt.get(socket) ?? null;
    verifiedAt.delete(socket);
    const check = () => {
      timer = null;
      if (socket.disconnected) return;
      const session = known ? { id: socket.data.sessionId, lastVerifiedAt: known } : findSession(db, socket.data.sessionId);
      known = null;
      const expiresAt = session ? session.lastVerifiedAt.getTime() + idleTimeoutMs(env) : 0;
      if (Date.now() >= expiresAt) {
        if (session) invalidateSession(db, session.id);
        socket.emit("session:ended", { reason: "expired" });
        socket.disconnect(true);
        return;
      }
      // setTimeout takes at most about 24.8 days; a later expiry is looked at again then.
      timer = setTimeout(check, Math.min(expiresAt - Date.now() + 1, 2 ** 31 - 1));
      timer.unref();
    };
    check();
    socket.on("disconnect", () => {
      if (timer) clearTimeout(timer);
    });
  };

  io.on("connection", (socket) => {
    void socket.join([rooms.user(socket.data.userId), rooms.session(socket.data.sessionId)]);
    watchExpiry(socket);

    const known = new Set<string>([...Object.keys(requestSchemas), "doc:message"]);
    socket.onAny((event: string, ...args: unknown[]) => {
      if (known.has(event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === "function") ack({ ok: false, error: "unknown_event", message: `Unknown event "${event}".` } satisfies Ack);
    });

    handle(
      socket,
      "event:join",
      ({ eventId }, s) => {
        const user = currentAuth(s)?.user;
        // An event the person may not see is answered exactly like one that does not exist.
        if (!user || !visibleEvent(db, user, eventId)) return { ok: false, error: "forbidden", message: "You cannot follow this event." };
        void s.join(rooms.event(eventId));
        return { ok: true };
      },
      log,
    );
    handle(
      socket,
      "event:leave",
      ({ eventId }, s) => {
        void s.leave(rooms.event(eventId));
        return { ok: true };
      },
      log,
    );
    handle(
      socket,
      "doc:join",
      ({ documentId, stateVector }, s) => {
        // The session and the person as they are now (role, status, name), which may have changed since the handshake
        // (decision 041): read again on every join, through the lookup prepared once.
        const actor = currentAuth(s)?.user;
        if (!actor) {
          s.disconnect(true);
          return { ok: false, error: "forbidden", message: "Your session has ended." };
        }
        return services.documents.join(s, actor, documentId, stateVector);
      },
      log,
    );
    handle(
      socket,
      "doc:leave",
      ({ documentId }, s) => {
        services.documents.leave(s, documentId);
        return { ok: true };
      },
      log,
    );
    // Binary Yjs messages: validated and size-checked by the hub itself. Every one with an acknowledgement gets an
    // answer, also when its arguments are missing or too many.
    socket.on("doc:message", (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (res: Ack) => void) : null;
      const answer = (result: Ack) => ack?.(result);
      if (args.length !== 2) {
        return answer({ ok: false, error: "invalid_payload", message: "doc:message carries a document id and one message." });
      }
      if (!args.every((a) => isPlainData(a))) return answer(NOT_PLAIN);
      const failed = (error: unknown): Ack => {
        log(`doc:message failed: ${(error as Error).stack ?? error}`);
        return { ok: false, error: "internal", message: "Something went wrong on the server." };
      };
      let result: Ack | Promise<Ack>;
      try {
        result = services.documents.message(socket, args[0], args[1]);
      } catch (error) {
        result = failed(error);
      }
      if (result instanceof Promise) result.then(answer, (error: unknown) => answer(failed(error)));
      else answer(result);
    });
    socket.on("disconnect", () => services.documents.disconnected(socket));
    attachBreakouts(socket, { services, handle, currentAuth, log });
    attachDocumentComments(socket, { services, handle, currentAuth, log });

    handle(
      socket,
      "whoami",
      (_payload, s) => {
        const auth = currentAuth(s);
        if (!auth) {
          s.disconnect(true);
          return { ok: false, error: "forbidden", message: "Your session has ended." };
        }
        const { id, name, role, organisationId } = auth.user;
        return { ok: true, user: { id, name, role, organisationId }, sessionId: auth.session.id };
      },
      log,
    );
  });
}
