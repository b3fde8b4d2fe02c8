import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseRoom } from "../../app/models/breakout-plan.server";
import { breakoutSessionOf, breakoutState } from "../../app/models/breakouts.server";
import { makeBreakout } from "../support/breakouts";
import { actorOf, makeEvent, makePerson } from "../support/factories";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
const meta = { ipAddress: null, userAgent: "test" };

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("breakout sessions", () => {
  it("get one room per pillar when saved, and a room with a capacity fills first come, first served, then says full", async () => {
    const { db } = server;
    const event = makeEvent(db);
    const breakout = makeBreakout(db, event, { capacity: 2 });
    expect(breakout.rooms.map((r) => r.pillarSlug)).toHaveLength(5);
    const people = await Promise.all([1, 2, 3].map(() => makePerson(db, { organisation: "Children First Alliance (demo)" })));
    const room = breakout.rooms[0]!.id;
    const results = people.map((p) => chooseRoom(db, actorOf(db, p.id), breakout.sessionId, room, meta));
    expect(results.map((r) => (r.ok ? "ok" : r.reason))).toEqual(["ok", "ok", "full"]);
    const state = breakoutState(db, breakoutSessionOf(db, breakout.sessionId)!);
    expect(state.rooms[0]).toMatchObject({ assigned: 2, full: true });
    expect(state.rooms[1]).toMatchObject({ assigned: 0, full: false });
  });
});
