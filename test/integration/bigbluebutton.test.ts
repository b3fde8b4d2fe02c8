import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { SECRETARIAT, makeEvent, makePerson } from "../support/factories";
import { get, signInAs, startServer, type TestServer } from "../support/server";
import type { AttributionRule } from "../../app/domain/vocabulary";

const SECRET = "a-shared-secret-for-tests";

interface Call {
  name: string;
  params: URLSearchParams;
  checksumValid: boolean;
}

/** Checks a BigBlueButton checksum the way BigBlueButton does: over the query string as sent, without `checksum`. */
function verify(name: string, rawQuery: string): boolean {
  const match = /(?:^|&)checksum=([0-9a-f]+)$/.exec(rawQuery);
  if (!match) return false;
  const rest = rawQuery.slice(0, match.index);
  return (
    createHash("sha1")
      .update(name + rest + SECRET)
      .digest("hex") === match[1]
  );
}

/** A stand-in BigBlueButton API on a local port: checks every checksum, remembers meetings, records every call. */
function startStub() {
  const calls: Call[] = [];
  const meetings = new Set<string>();
  const state = { failCreate: false };
  const xml = (body: string) => `<response>${body}</response>`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, "http://stub");
    const name = url.pathname.replace(/^\/bigbluebutton\/api\//, "");
    const rawQuery = (req.url!.split("?")[1] ?? "").toString();
    const checksumValid = verify(name, rawQuery);
    calls.push({ name, params: url.searchParams, checksumValid });
    res.setHeader("Content-Type", "text/xml");
    if (!checksumValid) {
      res.end(xml("<returncode>FAILED</returncode><messageKey>checksumError</messageKey><message>Checksums do not match</message>"));
      return;
    }
    const meetingId = url.searchParams.get("meetingID") ?? "";
    if (name === "getMeetingInfo") {
      res.end(
        meetings.has(meetingId)
          ? xml(`<returncode>SUCCESS</returncode><meetingID>${meetingId}</meetingID><running>false</running>`)
          : xml(
              "<returncode>FAILED</returncode><messageKey>notFound</messageKey><message>We could not find a meeting with that meeting ID</message>",
            ),
      );
    } else if (name === "create") {
      if (state.failCreate) {
        res.end(xml("<returncode>FAILED</returncode><messageKey>internalError</messageKey><message>Something went wrong</message>"));
        return;
      }
      meetings.add(meetingId);
      res.end(xml(`<returncode>SUCCESS</returncode><meetingID>${meetingId}</meetingID><createTime>1</createTime>`));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise<{ url: string; calls: Call[]; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/bigbluebutton/`,
        calls,
        state,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

let stub: Awaited<ReturnType<typeof startStub>>;
let server: TestServer;

beforeAll(async () => {
  stub = await startStub();
  server = await startServer({ BBB_URL: stub.url, BBB_SECRET: SECRET });
});
afterAll(async () => {
  await server?.close();
  await stub?.close();
});

function open(s: TestServer, breakout: TestBreakout) {
  s.db.$client.prepare("UPDATE breakouts SET status = 'open', opened_at = ? WHERE session_id = ?").run(Date.now(), breakout.sessionId);
}

async function breakoutWithPeople(s: TestServer, attribution: AttributionRule) {
  const event = makeEvent(s.db);
  const breakout = makeBreakout(s.db, event, { attribution });
  const room = breakout.rooms[0]!.id;
  const other = breakout.rooms[1]!.id;
  const ministry = await makePerson(s.db, { organisation: "Ministry of Digital Affairs (demo)" });
  const unaffiliated = await makePerson(s.db, { organisation: null });
  const elsewhere = await makePerson(s.db, { organisation: "Children First Alliance (demo)" });
  placeInRoom(s.db, breakout, room, ministry.id, unaffiliated.id);
  placeInRoom(s.db, breakout, other, elsewhere.id);
  return { breakout, room, other, ministry, unaffiliated, elsewhere };
}

const videoPath = (breakout: TestBreakout, roomId: number) => `/breakouts/${breakout.sessionId}/rooms/${roomId}/video`;

/** Follows the video route for this person and reads the BigBlueButton join address it sends them to. */
async function joinAs(s: TestServer, cookie: string, path: string) {
  const res = await get(s, path, cookie);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  expect(location.href.startsWith(`${stub.url}api/join?`)).toBe(true);
  const rawQuery = location.href.split("?")[1]!;
  return { params: location.searchParams, checksumValid: verify("join", rawQuery) };
}

describe("a breakout room's BigBlueButton meeting", () => {
  it("is created once per room with a valid checksum, and each person joins with a signed address under their own name (on the record)", async () => {
    const { breakout, room, ministry, unaffiliated } = await breakoutWithPeople(server, "on_record");
    open(server, breakout);
    const before = stub.calls.length;
    const first = await joinAs(server, await signInAs(server, ministry.email, ministry.password), videoPath(breakout, room));
    const second = await joinAs(server, await signInAs(server, unaffiliated.email, unaffiliated.password), videoPath(breakout, room));
    const chair = await joinAs(server, await signInAs(server, SECRETARIAT), videoPath(breakout, room));

    const stored = server.db.$client.prepare("SELECT video_meeting_id AS id FROM breakout_rooms WHERE id = ?").get(room) as { id: string };
    expect(stored.id).toMatch(new RegExp(`^convene-${room}-[A-Za-z0-9_-]+$`));
    const calls = stub.calls.slice(before);
    expect(calls.every((c) => c.checksumValid)).toBe(true);
    const creates = calls.filter((c) => c.name === "create");
    expect(creates).toHaveLength(1);
    expect(creates[0]!.params.get("meetingID")).toBe(stored.id);
    expect(creates[0]!.params.get("name")).toBe(breakout.rooms[0]!.name);
    expect(creates[0]!.params.get("record")).toBe("false");

    for (const join of [first, second, chair]) {
      expect(join.checksumValid).toBe(true);
      expect(join.params.get("meetingID")).toBe(stored.id);
      expect(join.params.get("redirect")).toBe("true");
    }
    expect(first.params.get("fullName")).toBe(ministry.name);
    expect(first.params.get("role")).toBe("VIEWER");
    expect(second.params.get("fullName")).toBe(unaffiliated.name);
    expect(chair.params.get("role")).toBe("MODERATOR");
  });

  it("shows names inside the room under Chatham House", async () => {
    const { breakout, room, ministry } = await breakoutWithPeople(server, "chatham_house");
    open(server, breakout);
    const join = await joinAs(server, await signInAs(server, ministry.email, ministry.password), videoPath(breakout, room));
    expect(join.checksumValid).toBe(true);
    expect(join.params.get("fullName")).toBe(ministry.name);
  });

  it("shows only the stakeholder group under 'stakeholder group only'", async () => {
    const { breakout, room, ministry, unaffiliated } = await breakoutWithPeople(server, "group_only");
    open(server, breakout);
    const join = await joinAs(server, await signInAs(server, ministry.email, ministry.password), videoPath(breakout, room));
    expect(join.checksumValid).toBe(true);
    expect(join.params.get("fullName")).toBe("Government participant");
    const without = await joinAs(server, await signInAs(server, unaffiliated.email, unaffiliated.password), videoPath(breakout, room));
    expect(without.params.get("fullName")).toBe("Participant");
    for (const params of [join.params, without.params]) {
      expect(params.toString()).not.toContain(encodeURIComponent(ministry.name).replace(/%20/g, "+"));
      expect(params.get("fullName")).not.toBe(unaffiliated.name);
    }
  });

  it("is not found for someone of another room, or through another session's address; before the rooms open it sends people to the room page", async () => {
    const { breakout, room, elsewhere, ministry } = await breakoutWithPeople(server, "on_record");
    const cookie = await signInAs(server, ministry.email, ministry.password);
    const waiting = await get(server, videoPath(breakout, room), cookie);
    expect(waiting.status).toBe(302);
    expect(waiting.headers.get("location")).toBe(`/breakouts/${breakout.sessionId}/rooms/${room}`);

    open(server, breakout);
    const before = stub.calls.length;
    expect((await get(server, videoPath(breakout, room), await signInAs(server, elsewhere.email, elsewhere.password))).status).toBe(404);
    expect((await get(server, `/breakouts/${breakout.sessionId + 100000}/rooms/${room}/video`, cookie)).status).toBe(404);
    expect((await get(server, `/breakouts/${breakout.sessionId}/rooms/99999999/video`, cookie)).status).toBe(404);
    expect((await get(server, `/breakouts/${breakout.sessionId}/rooms/abc/video`, cookie)).status).toBe(404);
    expect(stub.calls.length).toBe(before);
  });

  it("answers a clear 502 when BigBlueButton refuses, and the server stays up", async () => {
    const { breakout, room, ministry } = await breakoutWithPeople(server, "on_record");
    open(server, breakout);
    const cookie = await signInAs(server, ministry.email, ministry.password);
    stub.state.failCreate = true;
    try {
      const res = await get(server, videoPath(breakout, room), cookie);
      expect(res.status).toBe(502);
      expect(await res.text()).toMatch(/video meeting could not be opened/);
    } finally {
      stub.state.failCreate = false;
    }
    const retry = await joinAs(server, cookie, videoPath(breakout, room));
    expect(retry.checksumValid).toBe(true);
  });
});

describe("a breakout room's video without BigBlueButton", () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startServer();
  });
  afterAll(() => plain?.close());

  it("sends people to the room's meeting link, and is not found when the room has none", async () => {
    const { breakout, room, other, ministry, elsewhere } = await breakoutWithPeople(plain, "group_only");
    plain.db.$client.prepare("UPDATE breakout_rooms SET meeting_url = ? WHERE id = ?").run("https://meet.example.org/pillar-room", room);
    open(plain, breakout);
    const res = await get(plain, videoPath(breakout, room), await signInAs(plain, ministry.email, ministry.password));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://meet.example.org/pillar-room");
    const none = await get(plain, videoPath(breakout, other), await signInAs(plain, elsewhere.email, elsewhere.password));
    expect(none.status).toBe(404);
  });
});
