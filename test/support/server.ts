/** Starts a real Convene (production build, its own SQLite file, an ephemeral port) for one test file. */
import { io as ioClient, type Socket } from "socket.io-client";
import { inject } from "vitest";
import parser from "socket.io-msgpack-parser";
import { createSession } from "../../app/models/session.server";
import { DEMO_PASSWORD } from "../../db/seed";
import { startConvene, type TestServer } from "./convene";

export type { TestServer };

/** A server on its own copy of the run's seeded demo forum (made once by the global setup, not migrated and seeded again). */
export function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  return startConvene(inject("templateDatabase"), extraEnv);
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

/**
 * Signs in through the sign-in form. When the password is right and a second factor is asked for (always
 * for the secretariat), the session that step would lead to is made directly on the server's database:
 * the second factor itself is tested in `second-factor.test.ts`.
 */
export async function signInAs(server: TestServer, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await post(server, "/sign-in", { email, password });
  const cookie = sessionCookieOf(res);
  if (res.status === 302 && cookie) return cookie;
  if (res.status === 302 && /^\/sign-in\/(verify|enrol)\b/.test(res.headers.get("location") ?? "")) {
    const { token } = createSession(server.db, personId(server, email), { ipAddress: null, userAgent: "test" });
    return `convene_session=${token}`;
  }
  throw new Error(`sign-in as ${email} failed with ${res.status}`);
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
