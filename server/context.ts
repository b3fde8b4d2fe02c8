import type { Server as SocketServer, Socket } from "socket.io";
import type { Db } from "../db/client";
import type { RequestMeta } from "../app/models/audit.server";
import type { ValidatedSession } from "../app/models/session.server";
import type { SignInThrottle } from "../app/models/sign-in.server";
import type { ClientToServerEvents, ServerToClientEvents } from "../app/realtime/protocol";
import type { Env } from "./env";
import type { DocumentHub } from "./realtime/documents";
import type { BackupService } from "./services/backups";
import type { Dispatcher } from "./services/dispatcher";
import type { PdfPrinter } from "./services/pdf-printer";
import type { Mailer } from "./mailer";

export type IoServer = SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export interface SocketData {
  userId: number;
  sessionId: string;
}

/** Created once per process in `server/` and shared by HTTP requests and sockets. */
export interface Services {
  env: Env;
  db: Db;
  /** Prints Convene's own pages (the progress report) to PDF with Chromium. */
  pdf: PdfPrinter;
  /** Turns the domain events models announce into live pushes and access re-checks. */
  dispatcher: Dispatcher;
  mailer: Mailer;
  signInThrottle: SignInThrottle;
  /** Open documents; actions call it after changing who may read or edit them. */
  documents: DocumentHub;
  /** Scheduled backups of the database and evidence files (`BACKUP_EVERY_HOURS`). */
  backups: BackupService;
  /** The loopback address this process listens on, for the server to load its own pages (PDF printing). */
  selfUrl: string | null;
}

export interface SessionCookie {
  serialize(token: string): string;
  clear(): string;
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    auth: ValidatedSession | null;
    cspNonce: string;
    requestMeta: RequestMeta;
    sessionCookie: SessionCookie;
  }
}
