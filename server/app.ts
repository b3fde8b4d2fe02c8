import { createServer, type Server as HttpServer } from "node:http";
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
import { createDispatcher } from "./services/dispatcher";
import { createPdfPrinter } from "./services/pdf-printer";

export const BUILD_DIR = resolve(process.cwd(), "build");

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
  const httpServer = createServer(app);
  const io: IoServer = new SocketServer(httpServer, {
    maxHttpBufferSize: 1024 * 1024,
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
          resolveListen({ port, url: `http://localhost:${port}` });
        });
      }),
    close: async () => {
      io.disconnectSockets(true);
      services.documents.close();
      services.dispatcher.close();
      await services.pdf.close();
      await new Promise<void>((r) => io.close(() => r()));
      await new Promise<void>((r) => (httpServer.listening ? httpServer.close(() => r()) : r()));
      await vite?.close();
      services.mailer.close();
      db.$client.close();
    },
  };
}
