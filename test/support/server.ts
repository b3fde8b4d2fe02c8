/** Starts a real Convene (production build, its own SQLite file, an ephemeral port) for one test file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as ioClient, type Socket } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import { createConvene, type Convene } from "../../server/app";
import { parseEnv } from "../../server/env";
import { DEMO_PASSWORD } from "../../db/seed";

export interface TestServer {
  convene: Convene;
  url: string;
  db: Convene["services"]["db"];
  logs: string[];
  close(): Promise<void>;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "convene-test-"));
  const env = parseEnv({
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: join(dir, "convene.db"),
    DEMO_MODE: "true",
    LOG_LEVEL: "silent",
    ...extraEnv,
  });
  const logs: string[] = [];
  const convene = await createConvene(env, (m) => logs.push(m));
  const { port } = await convene.listen();
  const url = `http://127.0.0.1:${port}`;
  return {
    convene,
    url,
    db: convene.services.db,
    logs,
    close: async () => {
      await convene.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function formBody(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

/** A same-origin form POST, as a browser page would send it. */
export function post(
  server: TestServer,
  path: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
) {
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: server.url,
      "Sec-Fetch-Site": "same-origin",
      ...(cookie ? { Cookie: cookie } : {}),
      ...headers,
    },
    body: formBody(fields),
  });
}

export function get(server: TestServer, path: string, cookie?: string) {
  return fetch(server.url + path, { redirect: "manual", headers: cookie ? { Cookie: cookie } : {} });
}

export function sessionCookieOf(res: Response): string | null {
  const raw = res.headers.getSetCookie().find((c) => c.startsWith("convene_session=") && !c.startsWith("convene_session=;"));
  return raw ? raw.split(";")[0]! : null;
}

export async function signInAs(server: TestServer, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await post(server, "/sign-in", { email, password });
  const cookie = sessionCookieOf(res);
  if (res.status !== 302 || !cookie) throw new Error(`sign-in as ${email} failed with ${res.status}`);
  return cookie;
}

/** A socket as a page opens it; `transports: ["polling"]` stands for a network that blocks WebSocket. */
export function connectSocket(
  server: TestServer,
  cookie?: string,
  origin = server.url,
  transports: ("websocket" | "polling")[] = ["websocket"],
): Socket {
  return ioClient(server.url, {
    parser,
    transports,
    reconnection: false,
    forceNew: true,
    extraHeaders: { Origin: origin, ...(cookie ? { Cookie: cookie } : {}) },
  });
}

export function onceConnected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (e) => reject(e));
  });
}

export function onceConnectError(socket: Socket): Promise<Error & { data?: { code: string; message: string } }> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => reject(new Error("connected, but a refusal was expected")));
    socket.once("connect_error", (e) => resolve(e));
  });
}

export function personId(server: TestServer, email: string): number {
  const row = server.db.$client.prepare("SELECT id FROM users WHERE email = ?").get(email) as { id: number } | undefined;
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}
