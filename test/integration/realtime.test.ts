import type { Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Ack } from "../../app/realtime/protocol";
import { connectSocket, onceConnected, onceConnectError, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const open: Socket[] = [];
beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
afterAll(() => server.close());

function track(socket: Socket): Socket {
  open.push(socket);
  return socket;
}

function request<T extends object = object>(socket: Socket, event: string, ...payload: unknown[]): Promise<Ack<T>> {
  return socket.timeout(5000).emitWithAck(event, ...payload) as Promise<Ack<T>>;
}

function onceDisconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once("disconnect", (reason) => resolve(reason)));
}

describe("socket handshake", () => {
  it("refuses a socket without a session, with a clear error", async () => {
    const error = await onceConnectError(track(connectSocket(server)));
    expect(error.message).toBe("Sign in to connect to live updates.");
    expect(error.data?.code).toBe("unauthenticated");
  });

  it("refuses a socket from another origin even with a valid session", async () => {
    const cookie = await signInAs(server, "ngo@convene.example");
    const error = await onceConnectError(track(connectSocket(server, cookie, "https://evil.example")));
    expect(error.data?.code).toBe("origin_not_allowed");
  });

  it("authenticates with the session cookie and answers whoami", async () => {
    const cookie = await signInAs(server, "ngo@convene.example");
    const socket = track(connectSocket(server, cookie));
    await onceConnected(socket);
    const res = await request<{ user: { name: string; role: string } }>(socket, "whoami", {});
    expect(res).toMatchObject({ ok: true, user: { name: "Wanjiru Kamau", role: "delegate" } });
  });
});

describe("bad socket payloads never hurt", () => {
  let socket: Socket;
  beforeAll(async () => {
    socket = connectSocket(server, await signInAs(server, "industry@convene.example"));
    await onceConnected(socket);
  });
  afterAll(() => {
    socket.close();
  });

  it("answers an invalid payload with an error", async () => {
    expect(await request(socket, "whoami", { extra: true })).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await request(socket, "whoami", "a string")).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await request(socket, "whoami", [1, 2, 3])).toMatchObject({ ok: false, error: "invalid_payload" });
  });

  it("answers an oversized payload with an error", async () => {
    expect(await request(socket, "whoami", { blob: "x".repeat(64 * 1024) })).toMatchObject({ ok: false, error: "payload_too_large" });
  });

  it("answers an unknown event with an error", async () => {
    expect(await request(socket, "drop-tables", {})).toMatchObject({ ok: false, error: "unknown_event" });
  });

  it("keeps serving the same socket afterwards", async () => {
    expect(await request(socket, "whoami", {})).toMatchObject({ ok: true });
  });

  it("survives a frame over the transport limit by closing only that socket", async () => {
    const cookie = await signInAs(server, "industry@convene.example");
    const big = track(connectSocket(server, cookie));
    await onceConnected(big);
    const closed = onceDisconnected(big);
    big.emit("whoami", { blob: "x".repeat(2 * 1024 * 1024) });
    expect(await closed).toBe("transport close");
    expect(await request(socket, "whoami", {})).toMatchObject({ ok: true });
  });
});

describe("ending sessions reaches open sockets", () => {
  it("signing out disconnects that session's sockets and tells them why", async () => {
    const cookie = await signInAs(server, "government@convene.example");
    const socket = track(connectSocket(server, cookie));
    await onceConnected(socket);
    const ended = new Promise((resolve) => socket.once("session:ended", resolve));
    const disconnected = onceDisconnected(socket);
    await post(server, "/sign-out", {}, cookie);
    expect(await ended).toEqual({ reason: "signed_out" });
    expect(await disconnected).toBe("io server disconnect");
  });

  it("deactivating a person ends all their sessions and disconnects every socket at once", async () => {
    const secretariat = await signInAs(server, "secretariat@convene.example");
    const phone = await signInAs(server, "facilitator@convene.example");
    const laptop = await signInAs(server, "facilitator@convene.example");
    const sockets = [track(connectSocket(server, phone)), track(connectSocket(server, laptop))];
    await Promise.all(sockets.map(onceConnected));
    const disconnected = Promise.all(sockets.map(onceDisconnected));

    const res = await post(
      server,
      "/people",
      { intent: "deactivate", personId: String(personId(server, "facilitator@convene.example")), confirm: "yes" },
      secretariat,
    );
    expect(res.status).toBe(200);
    expect(await disconnected).toEqual(["io server disconnect", "io server disconnect"]);

    const again = connectSocket(server, laptop);
    track(again);
    expect((await onceConnectError(again)).data?.code).toBe("unauthenticated");
    const count = server.db.$client
      .prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?")
      .get(personId(server, "facilitator@convene.example"));
    expect(count).toEqual({ n: 0 });
  });
});
