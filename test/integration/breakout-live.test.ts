/**
 * Running breakout rooms: the live model's rules (open, close, timer, broadcast, move, chat, hands, attribution) on a
 * real database, and the live side with real Socket.IO clients against a real server: choosing under contention,
 * presence, moving, broadcasts, attribution in chat, a restart mid-session, a vanished client and bad payloads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import type { DomainEvent } from "../../app/domain/events";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { actorOf, makeEvent, makePerson, SECRETARIAT, type Person } from "../support/factories";
import { startServer, type TestServer } from "../support/server";
import type { AttributionRule } from "../../app/domain/vocabulary";

let server: TestServer;
const meta = { ipAddress: null, userAgent: "test" };

beforeAll(async () => {
  server = await startServer();
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
async function scene(attribution: AttributionRule = "on_record", capacity: number | null = null): Promise<Scene> {
  const db = server.db;
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
