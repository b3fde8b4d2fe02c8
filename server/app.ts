import { createServer, type Server as HttpServer, type ServerResponse } from "node:http";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { Server as SocketServer } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";
import { BinaryFrameAdapter } from "./realtime/adapter";
import { isEmptyDatabase, openDatabase } from "../db/client";
import { seedDemoForum } from "../db/seed";
import { createSignInThrottle } from "../app/models/sign-in.server";
import type { AppLoadContext } from "@remix-run/node";
import type { IoServer, Services } from "./context";
import type { Env } from "./env";
import {
  cspNonce,
  errorHandler,
  guardMutations,
  privateByDefault,
  refuseLegacyDataRequests,
  rejectMalformedHost,
  securityHeaders,
  serverTiming,
} from "./http/security";
import { createSessionCookie, sessionMiddleware } from "./http/session";
import { createMailer } from "./mailer";
import { createDocumentHub } from "./realtime/documents";
import { attachSockets } from "./realtime/sockets";
import { createBackupService } from "./services/backups";
import { createDispatcher } from "./services/dispatcher";
import { createPdfPrinter } from "./services/pdf-printer";

export const BUILD_DIR = resolve(process.cwd(), "build");

/** How long closing waits for requests being answered, within the 10 seconds a restart may take. */
const REQUEST_DRAIN_MS = 7_000;

export interface Convene {
  httpServer: HttpServer;
  io: IoServer;
  services: Services;
  /** Demo accounts created by this start, when it seeded an empty database. */
  seeded: { email: string; role: string; password: string }[] | null;
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** Builds the whole process (database, HTTP, Remix, Socket.IO) without listening yet. */
export async function createConvene(env: Env, log: (m: string) => void = console.log): Promise<Convene> {
  const db = openDatabase(env.DATABASE_PATH);
  log(`Demo mode is ${env.DEMO_MODE ? "on" : "off"}: ${env.DEMO_MODE_REASON}.`);
  const seeded = env.DEMO_MODE && isEmptyDatabase(db) ? await seedDemoForum(db) : null;

  const app = express();
  /** Set once `close()` begins: new requests and socket handshakes are turned away from then on. */
  let closing: Promise<void> | null = null;
  /** Requests being answered (Socket.IO's own requests never reach this handler), so closing can wait for them. */
  const inFlight = new Set<ServerResponse>();
  let onDrained: (() => void) | null = null;
  const httpServer = createServer((req, res) => {
    if (closing) {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", Connection: "close", "Retry-After": "5" });
      res.end("Convene is restarting. Please try again in a moment.");
      return;
    }
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      if (!closing) return;
      // The connection it came on is not kept for another request.
      httpServer.closeIdleConnections();
      if (inFlight.size === 0) onDrained?.();
    });
    app(req, res);
  });
  const io: IoServer = new SocketServer(httpServer, {
    // No new live connections once closing began (clients retry, and find the next server).
    allowRequest: (_req, callback) => callback(closing ? "Convene is restarting" : null, !closing),
    maxHttpBufferSize: 1024 * 1024,
    // A connection that stops answering (a laptop closed, a network gone) is dropped within interval + timeout, and
    // leaves the breakout rooms' presence with it.
    pingInterval: env.LIVE_PING_INTERVAL_MS,
    pingTimeout: env.LIVE_PING_TIMEOUT_MS,
    serveClient: false,
    // Handshakes are checked against the session and Origin in `attachSockets`.
    cors: undefined,
    // Binary Yjs messages travel inside the packet instead of as separate frames (decision 012).
    parser: msgpackParser,
    // Frames a binary packet sent to a room once for all its WebSocket connections.
    adapter: BinaryFrameAdapter,
  });
  const services = {
    env,
    db,
    mailer: createMailer(env, db, log),
    signInThrottle: createSignInThrottle(db.$client),
    pdf: createPdfPrinter(env),
    backups: createBackupService(env, db.$client, log),
    selfUrl: null,
  } as Services;
  services.documents = createDocumentHub(io, services, log);
  services.dispatcher = createDispatcher(io, services, log);
  attachSockets(io, services, log);

  app.disable("x-powered-by");
  app.get("/favicon.ico", (_req, res) => res.redirect(301, "/favicon.svg"));
  app.set("trust proxy", env.TRUST_PROXY);
  app.use(serverTiming);
  app.use(privateByDefault);
  app.use(rejectMalformedHost(env));
  app.use(compression());
  app.use(cspNonce);
  app.use(securityHeaders(env));

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let vite: import("vite").ViteDevServer | undefined;
  if (env.NODE_ENV === "development") {
    const { createServer: createViteServer } = await import("vite");
    vite = await createViteServer({ server: { middlewareMode: true } });
    app.use(vite.middlewares);
    build = () => vite!.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
  } else {
    const serverBuild = resolve(BUILD_DIR, "server/index.js");
    if (!existsSync(serverBuild)) throw new Error(`No build found at ${serverBuild}: run "npm run build" first.`);
    build = (await import(pathToFileURL(serverBuild).href)) as ServerBuild;
    app.use("/assets", express.static(resolve(BUILD_DIR, "client/assets"), { immutable: true, maxAge: "1y" }));
    app.use(express.static(resolve(BUILD_DIR, "client"), { maxAge: "1h" }));
  }

  const sessionCookie = createSessionCookie(env);
  app.use(refuseLegacyDataRequests);
  app.use(guardMutations(env));
  app.use(sessionMiddleware(db, env, sessionCookie));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.NODE_ENV === "development" ? "development" : "production",
      getLoadContext: (req, res): AppLoadContext => ({
        services,
        auth: res.locals.auth ?? null,
        cspNonce: res.locals.cspNonce as string,
        requestMeta: { ipAddress: req.ip ?? null, userAgent: req.get("user-agent") ?? null },
        sessionCookie,
      }),
    }),
  );
  app.use(errorHandler(log));

  return {
    httpServer,
    io,
    services,
    seeded,
    listen: () =>
      new Promise((resolveListen, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(env.PORT, env.HOST, () => {
          const address = httpServer.address();
          const port = typeof address === "object" && address ? address.port : env.PORT;
          const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
          services.selfUrl = `http://${host}:${port}`;
          services.backups.start().catch((error: unknown) => log(`Scheduling backups failed: ${(error as Error).message}`));
          resolveListen({ port, url: `http://localhost:${port}` });
        });
      }),
    // A graceful close (decision 025): stop accepting, finish what is in flight, store open documents, then
    // close connections so that clients reconnect to the next server.
    close: () =>
      (closing ??= (async () => {
        await services.backups.close();
        // No new connections (the port is free for the next server at once), no new requests on open ones.
        const connectionsEnded = new Promise<void>((r) => (httpServer.listening ? httpServer.close(() => r()) : r()));
        for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
        httpServer.closeIdleConnections();
        // Requests being answered are finished (up to a limit, to exit within 10 seconds in all).
        if (inFlight.size > 0) {
          await new Promise<void>((resolveDrained) => {
            const limit = setTimeout(resolveDrained, REQUEST_DRAIN_MS);
            onDrained = () => {
              clearTimeout(limit);
              resolveDrained();
            };
          });
        }
        // Every open document stored: changes already acknowledged are on disk, and any still queued are stored and
        // acknowledged now, before the connections close (awaited, should storing ever become asynchronous).
        await services.documents.close();
        services.dispatcher.close();
        // Closing the Socket.IO server closes each connection's transport without a "disconnect" packet: clients see
        // "transport close" and reconnect, where a server-side `disconnect(true)` would tell them not to.
        await new Promise<void>((r) => io.close(() => r()));
        await services.pdf.close();
        httpServer.closeAllConnections();
        await connectionsEnded;
        await vite?.close();
        services.mailer.close();
        db.$client.close();
      })()),
  };
}
