/**
 * Running breakout rooms: the live model's rules (open, close, timer, broadcast, move, chat, hands, attribution) on a
 * real database, and the live side with real Socket.IO clients against a real server: choosing under contention,
 * presence, moving, broadcasts, attribution in chat, a restart mid-session, a vanished client and bad payloads.
 */
import { connect as connectTcp, createServer as createTcpServer, type Server as TcpServer, type Socket as TcpSocket } from "node:net";
import type { Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  broadcastToRooms,
  closeBreakout,
  consoleOf,
  moveBreakoutPerson,
  openBreakout,
  overviewOf,
  postBreakoutMessage,
  roomRecord,
  setBreakoutTimer,
  setHand,
} from "../../app/models/breakout-live.server";
import { breakoutSessionOf } from "../../app/models/breakouts.server";
import { setEventStatus } from "../../app/models/events.server";
import { deactivatePerson } from "../../app/models/people.server";
import { createSession } from "../../app/models/session.server";
import type { DomainEvent } from "../../app/domain/events";
import type { AttributionRule } from "../../app/domain/vocabulary";
import type { Ack, BreakoutJoinResult, BreakoutMessageView, BreakoutPersonView, ServerToClientEvents } from "../../app/realtime/protocol";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { startConvene } from "../support/convene";
import { actorOf, makeEvent, makePerson, SECRETARIAT, type Person } from "../support/factories";
import { connectSocket, onceConnected, startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: "test" };

const closeLater: { close(): unknown }[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  for (const c of closeLater.splice(0).reverse()) await c.close();
});
afterAll(() => server.close());

const types = (events: readonly DomainEvent[]) => events.map((e) => e.type);

interface Scene {
  breakout: TestBreakout;
  facilitator: Person;
  ngo: Person;
  police: Person;
  industry: Person;
  /** Room ids: the NGO delegate's and the police delegate's (the industry delegate shares the NGO delegate's). */
  first: number;
  second: number;
}

/** A breakout session of its own with a facilitator named to every room and three delegates in two rooms. */
async function scene(attribution: AttributionRule = "on_record", capacity: number | null = null, on = server): Promise<Scene> {
  const db = on.db;
  const event = makeEvent(db);
  const breakout = makeBreakout(db, event, { attribution, capacity });
  const [facilitator, ngo, police, industry] = await Promise.all([
    makePerson(db, { role: "facilitator", organisation: "Institute for Online Safety Research (demo)" }),
    makePerson(db, { organisation: "Children First Alliance (demo)" }),
    makePerson(db, { organisation: "Federal Cybercrime Unit (demo)" }),
    makePerson(db, { organisation: "Streamwave Platforms (demo)" }),
  ]);
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  const [first, second] = [breakout.rooms[0]!.id, breakout.rooms[1]!.id];
  placeInRoom(db, breakout, first, ngo.id, industry.id);
  placeInRoom(db, breakout, second, police.id);
  return { breakout, facilitator: facilitator!, ngo: ngo!, police: police!, industry: industry!, first, second };
}

describe("the live model", () => {
  it("opens every room for managers only, takes each person to their room, and closes them again", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    expect(openBreakout(db, actorOf(db, s.ngo.id), sid, meta)).toEqual({ ok: false, reason: "forbidden" });
    expect(closeBreakout(db, actorOf(db, s.facilitator.id), sid, meta)).toMatchObject({
      ok: false,
      reason: "invalid",
      error: "errors.notOpen",
    });
    expect(openBreakout(db, actorOf(db, s.facilitator.id), 999_999, meta)).toEqual({ ok: false, reason: "not_found" });

    const opened = openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    expect(types(opened.events)).toEqual(["breakout.opened", "breakout.changed", "breakout.accessChanged"]);
    const assignments = (opened.events[0] as Extract<DomainEvent, { type: "breakout.opened" }>).assignments;
    expect([...assignments].sort((a, b) => a.userId - b.userId)).toEqual(
      [
        { userId: s.ngo.id, roomId: s.first },
        { userId: s.police.id, roomId: s.second },
        { userId: s.industry.id, roomId: s.first },
      ].sort((a, b) => a.userId - b.userId),
    );
    const notes = db.$client.prepare("SELECT count(*) AS n FROM breakout_rooms WHERE session_id = ? AND document_id IS NULL").get(sid) as {
      n: number;
    };
    expect(notes.n).toBe(0);
    expect(breakoutSessionOf(db, sid)).toMatchObject({ status: "open", published: true });
    expect(openBreakout(db, actorOf(db, SECRETARIAT), sid, meta)).toMatchObject({ ok: false, error: "errors.alreadyOpen" });

    expect(setBreakoutTimer(db, actorOf(db, s.facilitator.id), sid, { start: 5 }, meta).ok).toBe(true);
    const closed = closeBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    if (!closed.ok) throw new Error(JSON.stringify(closed));
    expect(types(closed.events)).toEqual([
      "breakout.closed",
      "breakout.changed",
      "breakout.timer",
      ...s.breakout.rooms.map(() => "document.accessChanged"),
    ]);
    expect(breakoutSessionOf(db, sid)).toMatchObject({ status: "closed", timerEndsAt: null });
    expect(closeBreakout(db, actorOf(db, s.facilitator.id), sid, meta)).toEqual({ ok: false, reason: "closed" });
    // Reopening: the notes may be written again.
    const reopened = openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    expect(reopened.ok && types(reopened.events).filter((t) => t === "document.accessChanged")).toHaveLength(s.breakout.rooms.length);
  });

  it("keeps the countdown's end on the server: start, extend from the end (or from now once past), stop", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    const boss = actorOf(db, s.facilitator.id);
    const t0 = new Date("2030-01-01T10:00:00.000Z");
    expect(setBreakoutTimer(db, boss, sid, { start: 5 }, meta, t0)).toMatchObject({
      ok: false,
      reason: "invalid",
      error: "errors.notOpen",
    });
    openBreakout(db, boss, sid, meta);
    expect(setBreakoutTimer(db, actorOf(db, s.ngo.id), sid, { start: 5 }, meta, t0)).toEqual({ ok: false, reason: "forbidden" });
    for (const bad of [0, 241, 1.5, Number.NaN]) {
      expect(setBreakoutTimer(db, boss, sid, { start: bad }, meta, t0)).toMatchObject({ ok: false, reason: "invalid", field: "minutes" });
    }
    const started = setBreakoutTimer(db, boss, sid, { start: 10 }, meta, t0);
    expect(started.ok && started.events).toEqual([{ type: "breakout.timer", sessionId: sid, endsAt: "2030-01-01T10:10:00.000Z" }]);
    setBreakoutTimer(db, boss, sid, { extend: 5 }, meta, new Date("2030-01-01T10:02:00.000Z"));
    expect(breakoutSessionOf(db, sid)!.timerEndsAt!.toISOString()).toBe("2030-01-01T10:15:00.000Z");
    setBreakoutTimer(db, boss, sid, { extend: 3 }, meta, new Date("2030-01-01T11:00:00.000Z"));
    expect(breakoutSessionOf(db, sid)!.timerEndsAt!.toISOString()).toBe("2030-01-01T11:03:00.000Z");
    const stopped = setBreakoutTimer(db, boss, sid, { stop: true }, meta, t0);
    expect(stopped.ok && stopped.events).toEqual([{ type: "breakout.timer", sessionId: sid, endsAt: null }]);
    expect(breakoutSessionOf(db, sid)!.timerEndsAt).toBeNull();
  });

  it("stores broadcasts before anyone sees them, and every room of the session reads them", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    const boss = actorOf(db, s.facilitator.id);
    expect(broadcastToRooms(db, boss, sid, "Ten minutes left", meta)).toMatchObject({
      ok: false,
      reason: "invalid",
      error: "errors.notOpen",
    });
    openBreakout(db, boss, sid, meta);
    expect(broadcastToRooms(db, actorOf(db, s.ngo.id), sid, "Hello", meta)).toEqual({ ok: false, reason: "forbidden" });
    expect(broadcastToRooms(db, boss, sid, "   ", meta)).toMatchObject({ ok: false, reason: "invalid", field: "body" });
    expect(broadcastToRooms(db, boss, sid, "x".repeat(2001), meta)).toMatchObject({ ok: false, reason: "invalid", field: "body" });
    const sent = broadcastToRooms(db, boss, sid, "  Ten minutes left  ", meta);
    if (!sent.ok) throw new Error(JSON.stringify(sent));
    expect(sent.events).toEqual([
      expect.objectContaining({
        type: "breakout.message",
        sessionId: sid,
        roomId: null,
        message: expect.objectContaining({ body: "Ten minutes left", broadcast: true }),
      }),
    ]);
    for (const room of [s.first, s.second]) {
      expect(roomRecord(db, actorOf(db, s.ngo.id), room, true).messages.map((m) => m.body)).toEqual(["Ten minutes left"]);
    }
  });

  it("moves a person between running rooms within capacity, lowering their hand in the old room", async () => {
    const db = server.db;
    const s = await scene("on_record", 2);
    const sid = s.breakout.sessionId;
    const boss = actorOf(db, s.facilitator.id);
    expect(moveBreakoutPerson(db, boss, sid, s.ngo.id, s.second, meta)).toMatchObject({
      ok: false,
      reason: "invalid",
      error: "errors.notOpen",
    });
    openBreakout(db, boss, sid, meta);
    expect(moveBreakoutPerson(db, actorOf(db, s.police.id), sid, s.ngo.id, s.second, meta)).toEqual({ ok: false, reason: "forbidden" });
    const other = makeBreakout(db, makeEvent(db));
    expect(moveBreakoutPerson(db, boss, sid, s.ngo.id, other.rooms[0]!.id, meta)).toMatchObject({ ok: false, reason: "not_found" });
    expect(moveBreakoutPerson(db, boss, sid, 999_999, s.second, meta)).toMatchObject({ ok: false, reason: "not_found" });
    expect(setHand(db, actorOf(db, s.ngo.id), s.first, { raised: true }, meta).ok).toBe(true);

    const moved = moveBreakoutPerson(db, boss, sid, s.ngo.id, s.second, meta);
    if (!moved.ok) throw new Error(JSON.stringify(moved));
    expect(types(moved.events)).toEqual(["breakout.moved", "breakout.accessChanged", "breakout.changed", "breakout.hands"]);
    expect(moved.events[0]).toEqual({ type: "breakout.moved", sessionId: sid, userId: s.ngo.id, fromRoomId: s.first, toRoomId: s.second });
    expect(moved.events[3]).toMatchObject({ roomId: s.first, hands: [] });
    expect(
      db.$client.prepare("SELECT room_id, source FROM breakout_assignments WHERE session_id = ? AND user_id = ?").get(sid, s.ngo.id),
    ).toEqual({
      room_id: s.second,
      source: "moved",
    });
    // The second room now holds two of two places.
    expect(moveBreakoutPerson(db, boss, sid, s.industry.id, s.second, meta)).toMatchObject({ ok: false, reason: "full" });
    expect(moveBreakoutPerson(db, boss, sid, s.ngo.id, s.second, meta)).toEqual({ ok: true, events: [] });
    // The old room no longer lets them speak (nor see it).
    expect(postBreakoutMessage(db, actorOf(db, s.ngo.id), s.first, "Still here?", meta)).toEqual({ ok: false, reason: "not_found" });
  });

  it("stores chat before it is seen, with the author shown per the rule inside the room and by group after closing", async () => {
    const db = server.db;
    const s = await scene("chatham_house");
    const sid = s.breakout.sessionId;
    const boss = actorOf(db, s.facilitator.id);
    const ngo = actorOf(db, s.ngo.id);
    expect(postBreakoutMessage(db, ngo, s.first, "Too early", meta)).toMatchObject({
      ok: false,
      reason: "invalid",
      error: "errors.notOpen",
    });
    openBreakout(db, boss, sid, meta);
    expect(postBreakoutMessage(db, ngo, s.second, "Wrong room", meta)).toEqual({ ok: false, reason: "not_found" });
    expect(postBreakoutMessage(db, ngo, s.first, " ", meta)).toMatchObject({ ok: false, reason: "invalid", field: "body" });
    const posted = postBreakoutMessage(db, ngo, s.first, "We need shared hash lists", meta);
    if (!posted.ok) throw new Error(JSON.stringify(posted));
    expect(posted.message).toMatchObject({
      body: "We need shared hash lists",
      author: { name: s.ngo.name, group: "ngo" },
      broadcast: false,
    });
    expect(posted.events).toEqual([{ type: "breakout.message", sessionId: sid, roomId: s.first, message: posted.message }]);
    const audit = db.$client
      .prepare(
        "SELECT actor_id AS actorId, target_type AS targetType, target_id AS targetId, detail FROM audit_log WHERE action = 'breakout.message' AND target_id = ?",
      )
      .all(String(s.first));
    expect(audit).toEqual([{ actorId: s.ngo.id, targetType: "breakout_room", targetId: String(s.first), detail: null }]);

    const industry = actorOf(db, s.industry.id);
    expect(roomRecord(db, industry, s.first, true).messages[0]!.author).toEqual({ name: s.ngo.name, group: "ngo" });
    expect(roomRecord(db, industry, s.first, false).messages[0]!.author).toEqual({ name: null, group: "ngo" });
    closeBreakout(db, boss, sid, meta);
    expect(postBreakoutMessage(db, ngo, s.first, "Too late", meta)).toEqual({ ok: false, reason: "closed" });
    // Read after closing: only the stakeholder group, whatever the caller asks.
    expect(roomRecord(db, industry, s.first, true).messages[0]!.author).toEqual({ name: null, group: "ngo" });
  });

  it("never names anyone under stakeholder group only, not even inside the running room", async () => {
    const db = server.db;
    const s = await scene("group_only");
    openBreakout(db, actorOf(db, s.facilitator.id), s.breakout.sessionId, meta);
    const posted = postBreakoutMessage(db, actorOf(db, s.ngo.id), s.first, "A point", meta);
    expect(posted.ok && posted.message.author).toEqual({ name: null, group: "ngo" });
    setHand(db, actorOf(db, s.ngo.id), s.first, { raised: true }, meta);
    const record = roomRecord(db, actorOf(db, s.industry.id), s.first, true);
    expect(record.messages[0]!.author.name).toBeNull();
    expect(record.hands).toEqual([{ id: expect.any(Number), name: null, group: "ngo" }]);
  });

  it("keeps one hand per person in the queue, in the order raised; a manager lowers anyone's, others only their own", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    const boss = actorOf(db, s.facilitator.id);
    const [ngo, industry] = [actorOf(db, s.ngo.id), actorOf(db, s.industry.id)];
    expect(setHand(db, ngo, s.first, { raised: true }, meta)).toMatchObject({ ok: false, reason: "invalid", error: "errors.notOpen" });
    openBreakout(db, boss, sid, meta);
    const first = setHand(db, ngo, s.first, { raised: true }, meta);
    const second = setHand(db, industry, s.first, { raised: true }, meta);
    if (!first.ok || !second.ok) throw new Error("raising failed");
    expect(types(first.events)).toEqual(["breakout.hands"]);
    // Raising again keeps the place and changes nothing.
    expect(setHand(db, ngo, s.first, { raised: true }, meta)).toEqual({ ok: true, handId: first.handId, events: [] });
    expect(roomRecord(db, industry, s.first, true)).toMatchObject({
      hands: [
        { id: first.handId, name: s.ngo.name, group: "ngo" },
        { id: second.handId, name: s.industry.name, group: "industry" },
      ],
      myHandId: second.handId,
    });
    expect(setHand(db, industry, s.first, { raised: false, handId: first.handId! }, meta)).toEqual({ ok: false, reason: "forbidden" });
    expect(setHand(db, industry, s.first, { raised: true, handId: first.handId! }, meta)).toMatchObject({ ok: false, reason: "invalid" });
    const lowered = setHand(db, boss, s.first, { raised: false, handId: first.handId! }, meta);
    expect(lowered.ok && lowered.events).toEqual([
      { type: "breakout.hands", sessionId: sid, roomId: s.first, hands: [expect.objectContaining({ id: second.handId })] },
    ]);
    expect(setHand(db, boss, s.first, { raised: false, handId: first.handId! }, meta)).toMatchObject({ ok: false, reason: "not_found" });
    expect(setHand(db, industry, s.first, { raised: false }, meta)).toMatchObject({ ok: true, handId: null });
    // Observers and people of other rooms cannot raise a hand here.
    expect(setHand(db, actorOf(db, s.police.id), s.first, { raised: true }, meta)).toEqual({ ok: false, reason: "not_found" });

    // Closing keeps the queue stored but shows it only while the rooms run.
    setHand(db, ngo, s.first, { raised: true }, meta);
    closeBreakout(db, boss, sid, meta);
    expect(roomRecord(db, ngo, s.first, true)).toMatchObject({ hands: [], myHandId: null });
    openBreakout(db, boss, sid, meta);
    expect(roomRecord(db, ngo, s.first, true).hands).toHaveLength(1);
  });

  it("gives managers the console (names of assigned people) and the overview (counts only)", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    expect(consoleOf(db, actorOf(db, s.ngo.id), sid)).toBeNull();
    const console = consoleOf(db, actorOf(db, s.facilitator.id), sid)!;
    expect(console.rooms).toHaveLength(s.breakout.rooms.length);
    expect(console.rooms[0]!.people.map((p) => p.name).sort()).toEqual([s.ngo.name, s.industry.name].sort());
    expect(console.rooms[1]!.people).toEqual([
      { id: s.police.id, name: s.police.name, organisation: "Federal Cybercrime Unit (demo)", group: "law_enforcement" },
    ]);
    openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    postBreakoutMessage(db, actorOf(db, s.ngo.id), s.first, "One", meta);
    postBreakoutMessage(db, actorOf(db, s.industry.id), s.first, "Two", meta);
    setHand(db, actorOf(db, s.police.id), s.second, { raised: true }, meta);
    const overview = overviewOf(db, sid, new Map([[s.first, 2]]));
    expect(overview.rooms[0]).toMatchObject({ id: s.first, present: 2, messages: 2, hands: 0, lastMessageAt: expect.any(String) });
    expect(overview.rooms[1]).toMatchObject({ id: s.second, present: 0, messages: 0, hands: 1, lastMessageAt: null });
  });
});

/** A signed-in live connection for this person (their session made directly: signing in is tested elsewhere). */
async function connectAs(on: TestServer, userId: number, url = on.url): Promise<Socket> {
  const { token } = createSession(on.db, userId, meta);
  const socket = connectSocket({ ...on, url }, `convene_session=${token}`);
  closeLater.push(socket);
  await onceConnected(socket);
  return socket;
}

function ask<T extends object = object>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return socket.timeout(20_000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

async function join(socket: Socket, roomId: number): Promise<BreakoutJoinResult> {
  const joined = await ask<BreakoutJoinResult>(socket, "breakout:join", { roomId });
  if (!joined.ok) throw new Error(`joining room ${roomId} failed: ${JSON.stringify(joined)}`);
  return joined;
}

/** The next `event` this socket receives whose payload passes `test` (listening starts now). */
function next<E extends keyof ServerToClientEvents>(
  socket: Socket,
  event: E,
  test: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    const listener = (payload: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!test(payload)) return;
      socket.off(event as string, listener);
      resolve(payload);
    };
    socket.on(event as string, listener);
  });
}

/** Every `event` this socket receives from now on. */
function record<E extends keyof ServerToClientEvents>(socket: Socket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  socket.on(event as string, (payload: Parameters<ServerToClientEvents[E]>[0]) => seen.push(payload));
  return seen;
}

/**
 * A TCP relay between a client and the server that can freeze: it stops passing bytes either way without closing
 * anything, as a laptop lid shut or a network gone would. Only the server's ping timeout can tell.
 */
async function freezableRelay(target: string): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const pairs: [TcpSocket, TcpSocket][] = [];
  const relay: TcpServer = createTcpServer((client) => {
    const upstream = connectTcp(Number(port), hostname);
    for (const end of [client, upstream]) end.on("error", () => undefined);
    client.pipe(upstream);
    upstream.pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const address = relay.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        relay.close(() => resolve());
      }),
  };
}

const names = (people: BreakoutPersonView[]) => people.map((p) => p.name).sort();

describe("breakout rooms on live connections", () => {
  it("fills a room to its capacity under many choices at once, then answers full (never over capacity)", async () => {
    const db = server.db;
    const event = makeEvent(db);
    const breakout = makeBreakout(db, event, { capacity: 3 });
    const people = await Promise.all(Array.from({ length: 10 }, () => makePerson(db, { organisation: "Children First Alliance (demo)" })));
    const sockets = await Promise.all(people.map((p) => connectAs(server, p.id)));
    const roomId = breakout.rooms[0]!.id;
    const answers = await Promise.all(
      sockets.map((s) => ask<{ roomId: number }>(s, "breakouts:choose", { sessionId: breakout.sessionId, roomId })),
    );
    expect(answers.filter((a) => a.ok)).toHaveLength(3);
    expect(answers.filter((a) => !a.ok).map((a) => !a.ok && a.error)).toEqual(Array(7).fill("full"));
    const taken = db.$client.prepare("SELECT count(*) AS n FROM breakout_assignments WHERE room_id = ?").get(roomId) as { n: number };
    expect(taken.n).toBe(3);
    // A late arrival is told at once; another room still has places.
    expect(await ask(sockets[9]!, "breakouts:choose", { sessionId: breakout.sessionId, roomId: breakout.rooms[1]!.id })).toEqual({
      ok: true,
      roomId: breakout.rooms[1]!.id,
    });
    expect(await ask(sockets[9]!, "breakouts:choose", { sessionId: breakout.sessionId, roomId: 999_999 })).toMatchObject({
      ok: false,
      error: "not_found",
    });
  });

  it("tells followers the state and managers the overview; opening takes each person to their room with the countdown", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    const [boss, ngo, police] = await Promise.all([
      connectAs(server, s.facilitator.id),
      connectAs(server, s.ngo.id),
      connectAs(server, s.police.id),
    ]);
    const followed = await ask<{ state: { status: string }; overview: unknown }>(boss, "breakouts:follow", { sessionId: sid });
    expect(followed).toMatchObject({ ok: true, state: { status: "planning" }, overview: { sessionId: sid } });
    expect(await ask(ngo, "breakouts:follow", { sessionId: sid })).toMatchObject({ ok: true, overview: null });
    const outsider = await connectAs(server, (await makePerson(db, { role: "observer" })).id);
    expect(await ask(outsider, "breakouts:follow", { sessionId: 999_999 })).toMatchObject({ ok: false, error: "not_found" });

    const stateOpen = next(ngo, "breakouts:state", (st) => st.status === "open");
    const [ngoTaken, policeTaken] = [next(ngo, "breakout:opened"), next(police, "breakout:opened")];
    openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    expect(await ngoTaken).toEqual({ sessionId: sid, roomId: s.first });
    expect(await policeTaken).toEqual({ sessionId: sid, roomId: s.second });
    await stateOpen;

    const joined = await join(ngo, s.first);
    expect(joined).toMatchObject({
      roomId: s.first,
      sessionId: sid,
      readOnly: false,
      status: "open",
      messages: [],
      hands: [],
      myHandId: null,
    });
    expect(names(joined.people)).toEqual([s.ngo.name]);
    const overview = next(boss, "breakouts:overview", (o) => o.rooms.some((r) => r.id === s.first && r.present === 1 && r.messages === 1));
    const timer = next(ngo, "breakout:timer");
    await ask(ngo, "breakout:chat", { roomId: s.first, body: "Hello" });
    await overview;
    setBreakoutTimer(db, actorOf(db, s.facilitator.id), sid, { start: 5 }, meta);
    const pushed = await timer;
    expect(Date.parse(pushed.endsAt!) - Date.parse(pushed.serverNow)).toBeGreaterThan(4 * 60_000);
    expect(pushed.endsAt).toBe(breakoutSessionOf(db, sid)!.timerEndsAt!.toISOString());

    // Closing: everyone back to the plenary, the room is still readable but no longer writable.
    const closedNgo = next(ngo, "breakout:closed");
    closeBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    expect(await closedNgo).toEqual({ sessionId: sid });
    expect(await ask(ngo, "breakout:chat", { roomId: s.first, body: "Late" })).toMatchObject({ ok: false, error: "closed" });
    expect(await join(ngo, s.first)).toMatchObject({
      readOnly: true,
      status: "closed",
      timerEndsAt: null,
      messages: [expect.objectContaining({ body: "Hello" })],
    });
  });

  it("moves a person while the rooms run: they are told, leave the old roster, may join the new room and not the old", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    const [ngo, industry, police] = await Promise.all([
      connectAs(server, s.ngo.id),
      connectAs(server, s.industry.id),
      connectAs(server, s.police.id),
    ]);
    await join(ngo, s.first);
    const both = next(ngo, "breakout:roster", (r) => r.people.length === 2);
    await join(industry, s.first);
    expect(names((await both).people)).toEqual([s.ngo.name, s.industry.name].sort());
    await join(police, s.second);

    const told = next(industry, "breakout:moved");
    const closedToThem = next(industry, "breakout:access");
    const alone = next(ngo, "breakout:roster", (r) => r.people.length === 1);
    const arrives = next(police, "breakout:roster", (r) => r.people.length === 2);
    expect(moveBreakoutPerson(db, actorOf(db, s.facilitator.id), sid, s.industry.id, s.second, meta).ok).toBe(true);
    expect(await told).toEqual({ sessionId: sid, roomId: s.second });
    expect(await closedToThem).toEqual({ roomId: s.first, closed: "moved" });
    expect(names((await alone).people)).toEqual([s.ngo.name]);
    // The old room no longer reaches them, and refuses them.
    expect(await ask(industry, "breakout:chat", { roomId: s.first, body: "Hello?" })).toMatchObject({ ok: false, error: "not_joined" });
    expect(await ask(industry, "breakout:join", { roomId: s.first })).toMatchObject({ ok: false, error: "not_found" });
    await join(industry, s.second);
    expect(names((await arrives).people)).toEqual([s.police.name, s.industry.name].sort());
  });

  it("closes the rooms and the session's state to people who may no longer see its event", async () => {
    const db = server.db;
    const event = makeEvent(db);
    const breakout = makeBreakout(db, event);
    const [ngo, boss] = await Promise.all([
      makePerson(db, { organisation: "Children First Alliance (demo)" }),
      makePerson(db, { role: "facilitator", organisation: "Institute for Online Safety Research (demo)" }),
    ]);
    db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(boss.id, breakout.sessionId);
    const roomId = breakout.rooms[0]!.id;
    placeInRoom(db, breakout, roomId, ngo.id);
    openBreakout(db, actorOf(db, boss.id), breakout.sessionId, meta);
    const socket = await connectAs(server, ngo.id);
    await ask(socket, "breakouts:follow", { sessionId: breakout.sessionId });
    await join(socket, roomId);
    const closed = next(socket, "breakout:access");
    expect(setEventStatus(db, actorOf(db, SECRETARIAT), event.id, "draft", meta, { confirmed: true }).ok).toBe(true);
    expect(await closed).toEqual({ roomId, closed: "access_removed" });
    // Out of the session's followers too: a later change reaches the secretariat's follower, not them.
    const secretariat = await connectAs(server, actorOf(db, SECRETARIAT).id);
    await ask(secretariat, "breakouts:follow", { sessionId: breakout.sessionId });
    const theirs = record(socket, "breakout:timer");
    const timer = next(secretariat, "breakout:timer");
    setBreakoutTimer(db, actorOf(db, SECRETARIAT), breakout.sessionId, { start: 3 }, meta);
    await timer;
    // Anything sent to them before this answer would have arrived before it.
    await ask(socket, "whoami", {});
    expect(theirs).toEqual([]);
    expect(await ask(socket, "breakout:join", { roomId })).toMatchObject({ ok: false, error: "not_found" });
  });

  it("takes a deactivated account out of the room at once: its connections close and the roster shrinks", async () => {
    const db = server.db;
    const s = await scene();
    openBreakout(db, actorOf(db, s.facilitator.id), s.breakout.sessionId, meta);
    const [ngo, industry] = await Promise.all([connectAs(server, s.ngo.id), connectAs(server, s.industry.id)]);
    await join(ngo, s.first);
    const both = next(ngo, "breakout:roster", (r) => r.people.length === 2);
    await join(industry, s.first);
    await both;
    const alone = next(ngo, "breakout:roster", (r) => r.people.length === 1);
    const ended = next(industry, "session:ended");
    expect(deactivatePerson(db, actorOf(db, SECRETARIAT), s.industry.id, meta, { confirmed: true }).ok).toBe(true);
    expect(await ended).toEqual({ reason: "deactivated" });
    expect(names((await alone).people)).toEqual([s.ngo.name]);
  });

  it("sends a facilitator's message to every room of the session and to no room of another session", async () => {
    const db = server.db;
    const [s, other] = [await scene(), await scene()];
    openBreakout(db, actorOf(db, s.facilitator.id), s.breakout.sessionId, meta);
    openBreakout(db, actorOf(db, other.facilitator.id), other.breakout.sessionId, meta);
    const [ngo, police, elsewhere] = await Promise.all([
      connectAs(server, s.ngo.id),
      connectAs(server, s.police.id),
      connectAs(server, other.ngo.id),
    ]);
    await Promise.all([join(ngo, s.first), join(police, s.second), join(elsewhere, other.first)]);
    const elsewhereSaw = record(elsewhere, "breakout:message");
    const [toFirst, toSecond] = [next(ngo, "breakout:message"), next(police, "breakout:message")];
    expect(broadcastToRooms(db, actorOf(db, s.facilitator.id), s.breakout.sessionId, "Five minutes left", meta).ok).toBe(true);
    expect(await toFirst).toMatchObject({ roomId: s.first, message: { body: "Five minutes left", broadcast: true } });
    expect(await toSecond).toMatchObject({ roomId: s.second, message: { body: "Five minutes left", broadcast: true } });
    // A message of the other session's own room arrives after anything sent before it: the broadcast never came.
    const own = next(elsewhere, "breakout:message");
    await ask(elsewhere, "breakout:chat", { roomId: other.first, body: "Our own room" });
    expect((await own).message.body).toBe("Our own room");
    expect(elsewhereSaw.map((m) => m.message.body)).toEqual(["Our own room"]);
  });

  it("under Chatham House names speakers to peers in the running room only; the record read later shows groups", async () => {
    const db = server.db;
    const s = await scene("chatham_house");
    const sid = s.breakout.sessionId;
    openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    const [ngo, industry] = await Promise.all([connectAs(server, s.ngo.id), connectAs(server, s.industry.id)]);
    await join(ngo, s.first);
    const seen = next(industry, "breakout:message");
    const roster = await join(industry, s.first);
    expect(names(roster.people)).toEqual([s.ngo.name, s.industry.name].sort());
    const posted = await ask<{ message: BreakoutMessageView }>(ngo, "breakout:chat", { roomId: s.first, body: "  Shared hash lists  " });
    expect(posted).toMatchObject({ ok: true, message: { body: "Shared hash lists", author: { name: s.ngo.name, group: "ngo" } } });
    expect((await seen).message.author).toEqual({ name: s.ngo.name, group: "ngo" });
    expect(roomRecord(db, actorOf(db, s.industry.id), s.first, false).messages.map((m) => m.author)).toEqual([
      { name: null, group: "ngo" },
    ]);

    const rosterAfter = next(ngo, "breakout:roster", (r) => r.people.every((p) => p.name === null));
    closeBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    await rosterAfter;
    const reader = await connectAs(server, s.industry.id);
    const later = await join(reader, s.first);
    expect(later.messages.map((m) => m.author)).toEqual([{ name: null, group: "ngo" }]);
    expect(later.people.every((p) => p.name === null)).toBe(true);
  });

  it("under stakeholder group only never sends a name, not even to peers in the running room", async () => {
    const db = server.db;
    const s = await scene("group_only");
    openBreakout(db, actorOf(db, s.facilitator.id), s.breakout.sessionId, meta);
    const [ngo, industry] = await Promise.all([connectAs(server, s.ngo.id), connectAs(server, s.industry.id)]);
    await join(ngo, s.first);
    const peers = next(ngo, "breakout:roster", (r) => r.people.length === 2);
    const seen = next(industry, "breakout:message");
    const hands = next(industry, "breakout:hands");
    await join(industry, s.first);
    expect([...(await peers).people].sort((a, b) => a.group!.localeCompare(b.group!))).toEqual([
      { name: null, group: "industry", role: "participant" },
      { name: null, group: "ngo", role: "participant" },
    ]);
    await ask(ngo, "breakout:chat", { roomId: s.first, body: "A point" });
    expect((await seen).message.author).toEqual({ name: null, group: "ngo" });
    await ask(ngo, "breakout:hand", { roomId: s.first, raised: true });
    expect((await hands).hands).toEqual([{ id: expect.any(Number), name: null, group: "ngo" }]);
  });

  it("serves the same rooms after a restart: still open, the same countdown, hands in order, chat history on re-join", async () => {
    const first = await startServer();
    closeLater.push(first);
    const s = await scene("on_record", null, first);
    const boss = actorOf(first.db, s.facilitator.id);
    openBreakout(first.db, boss, s.breakout.sessionId, meta);
    setBreakoutTimer(first.db, boss, s.breakout.sessionId, { start: 30 }, meta);
    const endsAt = breakoutSessionOf(first.db, s.breakout.sessionId)!.timerEndsAt!.toISOString();
    const [ngoBefore, industryBefore] = [await connectAs(first, s.ngo.id), await connectAs(first, s.industry.id)];
    await Promise.all([join(ngoBefore, s.first), join(industryBefore, s.first)]);
    await ask(ngoBefore, "breakout:chat", { roomId: s.first, body: "Before the restart" });
    const industryHand = await ask<{ handId: number }>(industryBefore, "breakout:hand", { roomId: s.first, raised: true });
    const ngoHand = await ask<{ handId: number }>(ngoBefore, "breakout:hand", { roomId: s.first, raised: true });
    if (!industryHand.ok || !ngoHand.ok) throw new Error("raising hands failed");

    // The server stops; the next one starts on (a copy of) its database file.
    const path = first.db.$client.name;
    await first.convene.close();
    const second = await startConvene(path);
    closeLater.push(second);
    const ngo = await connectAs(second, s.ngo.id);
    const back = await join(ngo, s.first);
    expect(back).toMatchObject({ status: "open", readOnly: false, timerEndsAt: endsAt, myHandId: ngoHand.handId });
    expect(back.hands.map((h) => h.id)).toEqual([industryHand.handId, ngoHand.handId]);
    expect(back.messages.map((m) => m.body)).toEqual(["Before the restart"]);
  });

  it("drops a client that stops answering from the room's roster within the ping settings", async () => {
    const live = await startServer({ LIVE_PING_INTERVAL_MS: "200", LIVE_PING_TIMEOUT_MS: "200" });
    closeLater.push(live);
    const s = await scene("on_record", null, live);
    openBreakout(live.db, actorOf(live.db, s.facilitator.id), s.breakout.sessionId, meta);
    const relay = await freezableRelay(live.url);
    closeLater.push(relay);
    const ngo = await connectAs(live, s.ngo.id);
    const industry = await connectAs(live, s.industry.id, relay.url);
    await join(ngo, s.first);
    const both = next(ngo, "breakout:roster", (r) => r.people.length === 2);
    await join(industry, s.first);
    await both;
    const gone = next(ngo, "breakout:roster", (r) => r.people.length === 1);
    relay.freeze();
    expect(names((await gone).people)).toEqual([s.ngo.name]);
  });

  it("answers every malformed request with invalid_payload (or its own refusal) and stays up", async () => {
    const s = await scene();
    openBreakout(server.db, actorOf(server.db, s.facilitator.id), s.breakout.sessionId, meta);
    const socket = await connectAs(server, s.ngo.id);
    const bad: [string, unknown][] = [
      ["breakouts:follow", {}],
      ["breakouts:follow", { sessionId: "1" }],
      ["breakouts:follow", { sessionId: 1, extra: true }],
      ["breakouts:unfollow", { sessionId: 0 }],
      ["breakouts:choose", { sessionId: s.breakout.sessionId }],
      ["breakouts:choose", { sessionId: s.breakout.sessionId, roomId: 1.5 }],
      ["breakout:join", { roomId: -1 }],
      ["breakout:join", null],
      ["breakout:leave", { room: 1 }],
      ["breakout:chat", { roomId: s.first, body: "   " }],
      ["breakout:chat", { roomId: s.first, body: 5 }],
      ["breakout:chat", { roomId: s.first, body: "x".repeat(2001) }],
      ["breakout:hand", { roomId: s.first, raised: "yes" }],
      ["breakout:hand", { roomId: s.first, raised: false, handId: 0 }],
      ["breakout:hand", [s.first, true]],
    ];
    for (const [event, payload] of bad) {
      expect(await ask(socket, event, payload), `${event} ${JSON.stringify(payload)}`).toMatchObject({
        ok: false,
        error: "invalid_payload",
      });
    }
    expect(await ask(socket, "breakout:chat", { roomId: s.first, body: "x".repeat(17 * 1024) })).toMatchObject({
      ok: false,
      error: "payload_too_large",
    });
    expect(await ask(socket, "breakout:chat", { roomId: s.first, body: "Not in yet" })).toMatchObject({ ok: false, error: "not_joined" });
    expect(await ask(socket, "breakout:hand", { roomId: s.first, raised: true })).toMatchObject({ ok: false, error: "not_joined" });
    expect(await ask(socket, "breakout:join", { roomId: s.second })).toMatchObject({ ok: false, error: "not_found" });
    await join(socket, s.first);
    expect(await ask(socket, "breakout:hand", { roomId: s.first, raised: false, handId: 999_999 })).toMatchObject({
      ok: false,
      error: "not_found",
    });
    expect(await ask(socket, "breakout:chat", { roomId: s.first, body: "Still here" })).toMatchObject({ ok: true });
    expect(await ask(socket, "whoami", {})).toMatchObject({ ok: true, user: { id: s.ngo.id } });
    expect(server.logs.filter((l) => /failed/.test(l))).toEqual([]);
  });

  it("limits how fast one connection may chat, without refusing what was already accepted", async () => {
    const s = await scene();
    openBreakout(server.db, actorOf(server.db, s.facilitator.id), s.breakout.sessionId, meta);
    const socket = await connectAs(server, s.ngo.id);
    await join(socket, s.first);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ask(socket, "breakout:chat", { roomId: s.first, body: `Message ${i}` })),
    );
    // The burst is always accepted; a flood of 60 at once is not.
    expect(answers.slice(0, 20).every((a) => a.ok)).toBe(true);
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => !a.ok && a.error === "rate_limited")).toBe(true);
    const stored = server.db.$client.prepare("SELECT count(*) AS n FROM breakout_messages WHERE room_id = ?").get(s.first) as { n: number };
    expect(stored.n).toBe(answers.filter((a) => a.ok).length);
  });

  it("lets observers into a running room only when the session allows it, and then only to read", async () => {
    const db = server.db;
    const s = await scene();
    const sid = s.breakout.sessionId;
    openBreakout(db, actorOf(db, s.facilitator.id), sid, meta);
    const observer = await connectAs(
      server,
      (await makePerson(db, { role: "observer", organisation: "Federal Cybercrime Unit (demo)" })).id,
    );
    // Not allowed: answered exactly like a room that does not exist.
    expect(await ask(observer, "breakout:join", { roomId: s.first })).toMatchObject({ ok: false, error: "not_found" });

    db.$client.prepare("UPDATE breakouts SET observers_may_watch = 1 WHERE session_id = ?").run(sid);
    const watching = await join(observer, s.first);
    expect(watching).toMatchObject({ roomId: s.first, readOnly: true, status: "open" });
    expect(await ask(observer, "breakout:chat", { roomId: s.first, body: "An observer speaking" })).toMatchObject({ ok: false });
    expect(await ask(observer, "breakout:hand", { roomId: s.first, raised: true })).toMatchObject({ ok: false });
    const written = db.$client
      .prepare("SELECT count(*) AS n FROM breakout_messages WHERE room_id = ? AND body = ?")
      .get(s.first, "An observer speaking") as { n: number };
    expect(written.n).toBe(0);
  });
});
