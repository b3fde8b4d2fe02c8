import type { z } from "zod";
import { visibleEvent } from "../../app/models/events.server";
import { validateSessionToken } from "../../app/models/session.server";
import { MAX_PAYLOAD_BYTES, requestSchemas, rooms, type Ack, type HandshakeError, type RequestEvent } from "../../app/realtime/protocol";
import { can } from "../../app/utils/policy";
import type { AppSocket, IoServer, Services } from "../context";
import { isSameOrigin } from "../http/origin";
import { idleTimeoutMs, readSessionToken } from "../http/session";

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

type Handler<E extends RequestEvent> = (payload: z.output<(typeof requestSchemas)[E]>, socket: AppSocket) => Ack | Promise<Ack>;

/** Registers a request event: size-checks and validates its payload, and always answers through the acknowledgement. */
function handle<E extends RequestEvent>(socket: AppSocket, event: E, handler: Handler<E>, log: (m: string) => void) {
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, async (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (res: Ack) => void) : null;
    if (!ack) return;
    const payload = args[0] ?? {};
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
    next();
  });

  /** The person behind this socket, if its session is still valid (checked again on every request). */
  const currentAuth = (s: AppSocket) => {
    const token = readSessionToken(s.handshake.headers.cookie);
    const auth = token ? validateSessionToken(db, token, idleTimeoutMs(env)) : null;
    return auth && auth.session.id === s.data.sessionId ? auth : null;
  };

  io.on("connection", (socket) => {
    void socket.join([rooms.user(socket.data.userId), rooms.session(socket.data.sessionId)]);

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
      ({ documentId }, s) => {
        const auth = currentAuth(s);
        if (!auth) {
          s.disconnect(true);
          return { ok: false, error: "forbidden", message: "Your session has ended." };
        }
        return services.documents.join(s, auth.user, documentId);
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
    // Binary Yjs messages: validated and size-checked by the hub itself.
    socket.on("doc:message", (documentId: unknown, message: unknown, ack?: unknown) => {
      let result: Ack;
      try {
        result = services.documents.message(socket, documentId, message);
      } catch (error) {
        log(`doc:message failed: ${(error as Error).stack ?? error}`);
        result = { ok: false, error: "internal", message: "Something went wrong on the server." };
      }
      if (typeof ack === "function") (ack as (res: Ack) => void)(result);
    });
    socket.on("disconnect", () => services.documents.disconnected(socket));

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
