import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../app/domain/events";
import { onDomainEvents } from "../../app/models/domain-events.server";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { makeEvent, makePerson, makeSession, pillarIdOf, SECRETARIAT, type Person, type TestEvent } from "../support/factories";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const ORGS = [
  "Ministry of Digital Affairs (demo)",
  "Federal Cybercrime Unit (demo)",
  "Children First Alliance (demo)",
  "Safe Line Hotline Network (demo)",
  "Streamwave Platforms (demo)",
  "Institute for Online Safety Research (demo)",
];

function rows<T>(sql: string, ...args: unknown[]): T[] {
  return server.db.$client.prepare(sql).all(...args) as T[];
}
function one<T>(sql: string, ...args: unknown[]): T {
  return server.db.$client.prepare(sql).get(...args) as T;
}
const assignmentsOf = (sessionId: number) =>
  rows<{ userId: number; roomId: number; source: string }>(
    "SELECT user_id AS userId, room_id AS roomId, source FROM breakout_assignments WHERE session_id = ? ORDER BY user_id",
    sessionId,
  );
const publishedOf = (sessionId: number) =>
  one<{ p: number }>("SELECT published AS p FROM breakouts WHERE session_id = ?", sessionId).p === 1;
const setCapacity = (roomId: number, capacity: number | null) =>
  server.db.$client.prepare("UPDATE breakout_rooms SET capacity = ? WHERE id = ?").run(capacity, roomId);
const approve = (event: TestEvent, ...people: Person[]) => {
  const insert = server.db.$client.prepare("INSERT INTO event_registrations (event_id, user_id, status) VALUES (?, ?, 'approved')");
  for (const p of people) insert.run(event.id, p.id);
};

/** A breakout session in a pillar's track, led by a facilitator of its own. */
async function trackBreakout(event: TestEvent, pillar = "collective-action") {
  const lead = await makePerson(server.db, { role: "facilitator", organisation: ORGS[5] });
  server.db.$client
    .prepare("INSERT INTO track_leads (event_id, pillar_id, user_id) VALUES (?, ?, ?)")
    .run(event.id, pillarIdOf(server.db, pillar), lead.id);
  const sessionId = makeSession(server.db, event, {
    title: "Breakouts in the track",
    kind: "breakout",
    room: null,
    start: "10:00",
    end: "11:00",
    pillar,
  });
  const rooms = rows<{ id: number; name: string; pillarSlug: string | null }>(
    "SELECT r.id, r.name, p.slug AS pillarSlug FROM breakout_rooms r LEFT JOIN pillars p ON p.id = r.pillar_id WHERE r.session_id = ? ORDER BY r.position",
    sessionId,
  );
  return { lead, sessionId, rooms };
}

const cookieOf = (p: Person) => signInAs(server, p.email, p.password);
const plan = (sessionId: number, fields: Record<string, string>, cookie: string) =>
  post(server, `/breakouts/${sessionId}/plan`, fields, cookie);
const choose = (sessionId: number, roomId: number, cookie: string) =>
  post(server, `/breakouts/${sessionId}`, { intent: "choose", roomId: String(roomId) }, cookie);

describe("choosing one's own room", () => {
  it("gives a room of five to exactly five of twelve people choosing at once; the others are told it is full", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const room = breakout.rooms[0]!.id;
    setCapacity(room, 5);
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => makePerson(server.db, { organisation: ORGS[i % ORGS.length] })));
    const cookies = await Promise.all(people.map(cookieOf));
    const answers = await Promise.all(cookies.map((c) => choose(breakout.sessionId, room, c)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    expect(one<{ n: number }>("SELECT count(*) AS n FROM breakout_assignments WHERE room_id = ?", room).n).toBe(5);
    // Someone who did not get in sees the room full on the hub, and can still choose another.
    const loser = cookies[answers.findIndex((r) => r.status === 409)]!;
    const hub = await (await get(server, `/breakouts/${breakout.sessionId}`, loser)).text();
    expect(hub).toContain("Full");
    expect((await choose(breakout.sessionId, breakout.rooms[1]!.id, loser)).status).toBe(200);
  });

  it("keeps a choice as a preferred pillar where the facilitators plan the assignment, and shows no room until published", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const secretariat = await signInAs(server, SECRETARIAT);
    expect((await plan(breakout.sessionId, { intent: "options", assignmentMode: "planned" }, secretariat)).status).toBe(200);
    const delegate = await makePerson(server.db, { organisation: ORGS[2] });
    approve(event, delegate);
    const cookie = await cookieOf(delegate);
    const hubBefore = await (await get(server, `/breakouts/${breakout.sessionId}`, cookie)).text();
    expect(hubBefore).toContain("Your room will be assigned");
    expect((await choose(breakout.sessionId, breakout.roomOf("independent-research"), cookie)).status).toBe(200);
    expect(one<{ p: number }>("SELECT pillar_id AS p FROM breakout_preferences WHERE user_id = ?", delegate.id).p).toBe(
      pillarIdOf(server.db, "independent-research"),
    );
    expect(assignmentsOf(breakout.sessionId)).toEqual([]);
    expect(await (await get(server, `/breakouts/${breakout.sessionId}`, cookie)).text()).toContain("Your preference: Independent Research");
  });
});

describe("planning by hand and from a file", () => {
  it("puts people in rooms within capacity and refuses observers", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const room = breakout.rooms[0]!.id;
    setCapacity(room, 1);
    const [a, b] = await Promise.all([makePerson(server.db, { organisation: ORGS[0] }), makePerson(server.db, { organisation: ORGS[1] })]);
    const observer = await makePerson(server.db, { role: "observer", organisation: ORGS[2] });
    const secretariat = await signInAs(server, SECRETARIAT);
    const assign = (userId: number, roomId: number | "") =>
      plan(breakout.sessionId, { intent: "assign", userId: String(userId), roomId: String(roomId) }, secretariat);
    expect((await assign(a.id, room)).status).toBe(200);
    const full = await assign(b.id, room);
    expect(full.status).toBe(409);
    expect(await full.text()).toContain("This room is full.");
    const refused = await assign(observer.id, breakout.rooms[1]!.id);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Observers and deactivated accounts do not take a room.");
    expect(assignmentsOf(breakout.sessionId)).toEqual([{ userId: a.id, roomId: room, source: "assigned" }]);
    // Unassigning frees the place.
    expect((await assign(a.id, "")).status).toBe(200);
    expect((await assign(b.id, room)).status).toBe(200);
    expect(assignmentsOf(breakout.sessionId).map((x) => x.userId)).toEqual([b.id]);
  });

  it("imports a CSV all or nothing, naming every line that cannot be used", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const small = breakout.roomOf("tech-innovation");
    setCapacity(small, 1);
    const people = await Promise.all(ORGS.slice(0, 3).map((organisation) => makePerson(server.db, { organisation })));
    const observer = await makePerson(server.db, { role: "observer", organisation: ORGS[3] });
    const secretariat = await signInAs(server, SECRETARIAT);
    const bad = [
      "email,room",
      `${people[0]!.email},tech-innovation`,
      `${people[1]!.email},Tech Innovation`,
      "nobody@example.org,collective-action",
      `${people[2]!.email},No such room`,
      `${observer.email},collective-action`,
    ].join("\n");
    const refused = await plan(breakout.sessionId, { intent: "import", csv: bad }, secretariat);
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain("Nothing was imported: 4 lines need fixing");
    expect(page).toContain("Line 3 (Tech Innovation): the room would be over its capacity");
    expect(page).toContain("Line 4 (nobody@example.org): no account has this email address");
    expect(page).toContain("Line 5 (No such room): no room has this name or pillar");
    expect(page).toContain(`Line 6 (${observer.email}): observers do not take a room`);
    // What was pasted stays in the form to be corrected.
    expect(page).toContain(`${people[2]!.email},No such room`);
    expect(assignmentsOf(breakout.sessionId)).toEqual([]);

    const good = [
      `${people[0]!.email.toUpperCase()},tech-innovation`,
      `${people[1]!.email},collective-action`,
      `${people[2]!.email},"Collective Action"`,
    ].join("\r\n");
    const imported = await plan(breakout.sessionId, { intent: "import", csv: good }, secretariat);
    expect(imported.status).toBe(200);
    expect(assignmentsOf(breakout.sessionId)).toEqual(
      [
        { userId: people[0]!.id, roomId: small, source: "imported" },
        { userId: people[1]!.id, roomId: breakout.roomOf("collective-action"), source: "imported" },
        { userId: people[2]!.id, roomId: breakout.roomOf("collective-action"), source: "imported" },
      ].sort((x, y) => x.userId - y.userId),
    );
  });

  it("validates a room's details and keeps what was typed", async () => {
    const event = makeEvent(server.db);
    const other = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const secretariat = await signInAs(server, SECRETARIAT);
    const delegate = await makePerson(server.db, { organisation: ORGS[0] });
    const room = breakout.rooms[0]!;
    placeInRoom(server.db, breakout, room.id, delegate.id, personId(server, "ngo@convene.example"));
    const save = (fields: Record<string, string>) =>
      plan(breakout.sessionId, { intent: "saveRoom", roomId: String(room.id), name: room.name, ...fields }, secretariat);
    const cases: [Record<string, string>, string, string][] = [
      [
        { name: breakout.rooms[1]!.name.toUpperCase() },
        "Another room of this session has this name.",
        breakout.rooms[1]!.name.toUpperCase(),
      ],
      [{ capacity: "1" }, "More people are in this room already: move some out first.", 'value="1"'],
      [{ capacity: "0" }, "Enter a whole number of at least 1, or leave it empty.", 'value="0"'],
      [{ facilitatorId: String(delegate.id) }, "Choose a facilitator or a member of the secretariat.", ""],
      [{ rapporteurId: String(personId(server, "observer@convene.example")) }, "Choose someone with an active account who takes part", ""],
      [{ venueRoomId: String(other.rooms["Room A"]) }, "Choose one of the options.", ""],
      [{ meetingUrl: "http://insecure.example" }, "https://", 'value="http://insecure.example"'],
    ];
    for (const [fields, message, kept] of cases) {
      const res = await save(fields);
      expect(res.status).toBe(400);
      const page = await res.text();
      expect(page).toContain(message);
      expect(page).toContain(kept);
    }
    const ok = await save({
      name: "Hotlines and platforms",
      question: "What will you commit to next year?",
      capacity: "8",
      facilitatorId: String(personId(server, "facilitator@convene.example")),
      rapporteurId: String(delegate.id),
      venueRoomId: String(event.rooms["Room A"]),
      meetingUrl: "https://meet.example.org/room-1",
    });
    expect(ok.status).toBe(200);
    expect(one("SELECT name, capacity, meeting_url AS url FROM breakout_rooms WHERE id = ?", room.id)).toEqual({
      name: "Hotlines and platforms",
      capacity: 8,
      url: "https://meet.example.org/room-1",
    });
    // Adding and removing rooms: the removed room's people become unassigned.
    expect((await plan(breakout.sessionId, { intent: "saveRoom", roomId: "", name: "Extra room" }, secretariat)).status).toBe(200);
    expect((await plan(breakout.sessionId, { intent: "removeRoom", roomId: String(room.id) }, secretariat)).status).toBe(200);
    expect(assignmentsOf(breakout.sessionId)).toEqual([]);
    expect(rows("SELECT name FROM breakout_rooms WHERE session_id = ?", breakout.sessionId)).toHaveLength(5);
  });
});

describe("the balanced proposal", () => {
  it("places every candidate in rooms within one of each other, keeps hand placements, and delegates see their room once published", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const people = await Promise.all(Array.from({ length: 23 }, (_, i) => makePerson(server.db, { organisation: ORGS[i % ORGS.length] })));
    const observer = await makePerson(server.db, { role: "observer", organisation: ORGS[0] });
    const unregistered = await makePerson(server.db, { organisation: ORGS[1] });
    approve(event, ...people, observer);
    const secretariat = await signInAs(server, SECRETARIAT);
    // Before anyone's registration is approved there is nobody to place, and the page says why.
    const empty = makeBreakout(server.db, makeEvent(server.db));
    const nobody = await plan(empty.sessionId, { intent: "propose" }, secretariat);
    expect(nobody.status).toBe(400);
    expect(await nobody.text()).toContain("Nobody may take part yet: approve registrations for the event first.");
    const byHand = breakout.roomOf("knowledge-sharing");
    expect(
      (await plan(breakout.sessionId, { intent: "assign", userId: String(people[0]!.id), roomId: String(byHand) }, secretariat)).status,
    ).toBe(200);
    expect((await plan(breakout.sessionId, { intent: "propose" }, secretariat)).status).toBe(200);
    const assignment = assignmentsOf(breakout.sessionId);
    expect(assignment.map((a) => a.userId).sort((x, y) => x - y)).toEqual(people.map((p) => p.id).sort((x, y) => x - y));
    expect(assignment.find((a) => a.userId === people[0]!.id)).toEqual({ userId: people[0]!.id, roomId: byHand, source: "assigned" });
    expect(assignment.some((a) => a.userId === observer.id || a.userId === unregistered.id)).toBe(false);
    const sizes = breakout.rooms.map((r) => assignment.filter((a) => a.roomId === r.id).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // Six organisations of about four people each over five rooms: nobody need share a room with a colleague.
    const orgOf = new Map(rows<{ id: number; org: number }>("SELECT id, organisation_id AS org FROM users").map((u) => [u.id, u.org]));
    for (const r of breakout.rooms) {
      const orgs = assignment.filter((a) => a.roomId === r.id).map((a) => orgOf.get(a.userId));
      expect(new Set(orgs).size).toBe(orgs.length);
    }
    expect(publishedOf(breakout.sessionId)).toBe(false);

    // Not published yet: the delegate does not see a room.
    const delegate = people[5]!;
    const roomName = breakout.rooms.find((r) => r.id === assignment.find((a) => a.userId === delegate.id)!.roomId)!.name;
    const cookie = await cookieOf(delegate);
    expect(await (await get(server, `/breakouts/${breakout.sessionId}`, cookie)).text()).not.toContain("Your room:");

    // A second proposal would replace the first: it asks to be confirmed.
    const unconfirmed = await plan(breakout.sessionId, { intent: "propose" }, secretariat);
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain("Tick the box to replace the current proposal.");

    expect((await plan(breakout.sessionId, { intent: "publish" }, secretariat)).status).toBe(200);
    expect(publishedOf(breakout.sessionId)).toBe(true);
    expect(await (await get(server, `/breakouts/${breakout.sessionId}`, cookie)).text()).toContain(`Your room: ${roomName}`);
    // The planning page shows each room's balance.
    const page = await (await get(server, `/breakouts/${breakout.sessionId}/plan`, secretariat)).text();
    expect(page).toContain("Preferences met");
  });
});

describe("reusing an assignment", () => {
  it("copies rooms and the people who may take part to another session, unpublished", async () => {
    const event = makeEvent(server.db);
    const source = makeBreakout(server.db, event, { title: "First breakouts" });
    const target = makeBreakout(server.db, event, { title: "Second breakouts", start: "16:00", end: "17:00" });
    const secretariat = await signInAs(server, SECRETARIAT);
    const room = source.rooms[0]!;
    const saved = await plan(
      source.sessionId,
      { intent: "saveRoom", roomId: String(room.id), name: "Renamed room", capacity: "6", venueRoomId: String(event.rooms["Room B"]) },
      secretariat,
    );
    expect(saved.status).toBe(200);
    const [a, b] = await Promise.all([makePerson(server.db, { organisation: ORGS[0] }), makePerson(server.db, { organisation: ORGS[1] })]);
    placeInRoom(server.db, source, room.id, a.id);
    placeInRoom(server.db, source, source.rooms[1]!.id, b.id);
    server.db.$client.prepare("UPDATE users SET status = 'deactivated' WHERE id = ?").run(b.id);

    const page = await (await get(server, `/breakouts/${target.sessionId}/plan`, secretariat)).text();
    expect(page).toContain("First breakouts");
    expect((await plan(target.sessionId, { intent: "copy", sourceSessionId: String(source.sessionId) }, secretariat)).status).toBe(200);
    const copied = rows<{ id: number; name: string; capacity: number | null; venue: number | null }>(
      "SELECT id, name, capacity, venue_room_id AS venue FROM breakout_rooms WHERE session_id = ? ORDER BY position",
      target.sessionId,
    );
    expect(copied.map((r) => r.name)).toEqual(["Renamed room", ...source.rooms.slice(1).map((r) => r.name)]);
    expect(copied[0]).toMatchObject({ capacity: 6, venue: event.rooms["Room B"] });
    expect(assignmentsOf(target.sessionId)).toEqual([{ userId: a.id, roomId: copied[0]!.id, source: "copied" }]);
    expect(publishedOf(target.sessionId)).toBe(false);
    // A session cannot be copied from itself or from one the planner may not reuse.
    expect((await plan(target.sessionId, { intent: "copy", sourceSessionId: String(target.sessionId) }, secretariat)).status).toBe(400);
  });
});

describe("who may plan", () => {
  it("lets the secretariat and the track's facilitator plan; refuses other facilitators, delegates and observers", async () => {
    const event = makeEvent(server.db);
    const { lead, sessionId, rooms } = await trackBreakout(event);
    const source = makeBreakout(server.db, event, { title: "Another breakout" });
    const otherFacilitator = await makePerson(server.db, { role: "facilitator", organisation: ORGS[0] });
    const delegate = await makePerson(server.db, { organisation: ORGS[1] });
    const observer = await makePerson(server.db, { role: "observer", organisation: ORGS[2] });
    approve(event, delegate);
    const writes: Record<string, string>[] = [
      { intent: "saveRoom", roomId: "", name: "A new room" },
      { intent: "saveRoom", roomId: String(rooms[0]!.id), name: "Renamed" },
      { intent: "options", assignmentMode: "planned", observersMayWatch: "1" },
      { intent: "assign", userId: String(delegate.id), roomId: String(rooms[0]!.id) },
      { intent: "import", csv: `${delegate.email},A new room` },
      { intent: "propose" },
      { intent: "publish" },
      { intent: "copy", sourceSessionId: String(source.sessionId) },
      { intent: "removeRoom", roomId: String(rooms[1]!.id) },
    ];
    const before = JSON.stringify([
      rows("SELECT * FROM breakout_rooms WHERE session_id = ?", sessionId),
      rows("SELECT * FROM breakouts WHERE session_id = ?", sessionId),
      assignmentsOf(sessionId),
    ]);
    for (const person of [otherFacilitator, delegate, observer]) {
      const cookie = await cookieOf(person);
      expect((await get(server, `/breakouts/${sessionId}/plan`, cookie)).status).toBe(403);
      for (const fields of writes)
        expect({ ...fields, status: (await plan(sessionId, fields, cookie)).status }).toEqual({ ...fields, status: 403 });
    }
    expect(
      JSON.stringify([
        rows("SELECT * FROM breakout_rooms WHERE session_id = ?", sessionId),
        rows("SELECT * FROM breakouts WHERE session_id = ?", sessionId),
        assignmentsOf(sessionId),
      ]),
    ).toBe(before);

    // The observer may not choose either; someone who may not see the event learns nothing of the session.
    expect((await choose(sessionId, rooms[0]!.id, await cookieOf(observer))).status).toBe(403);
    const hidden = makeEvent(server.db, { published: false });
    const hiddenBreakout: TestBreakout = makeBreakout(server.db, hidden);
    const delegateCookie = await cookieOf(delegate);
    expect((await get(server, `/breakouts/${hiddenBreakout.sessionId}`, delegateCookie)).status).toBe(404);
    expect((await get(server, `/breakouts/${hiddenBreakout.sessionId}/plan`, delegateCookie)).status).toBe(404);
    expect((await choose(hiddenBreakout.sessionId, hiddenBreakout.rooms[0]!.id, delegateCookie)).status).toBe(404);

    // The track's facilitator and the secretariat may.
    const leadCookie = await cookieOf(lead);
    expect((await get(server, `/breakouts/${sessionId}/plan`, leadCookie)).status).toBe(200);
    expect(await (await get(server, `/breakouts/${sessionId}`, leadCookie)).text()).toContain("Plan the rooms");
    for (const fields of writes.slice(0, 7))
      expect({ ...fields, status: (await plan(sessionId, fields, leadCookie)).status }).toEqual({ ...fields, status: 200 });
    const secretariat = await signInAs(server, SECRETARIAT);
    for (const fields of [{ intent: "removeRoom", roomId: String(rooms[2]!.id) }, writes[7]!])
      expect({ ...fields, status: (await plan(sessionId, fields, secretariat)).status }).toEqual({ ...fields, status: 200 });
  });
});

describe("older sessions, series and running rooms", () => {
  it("prepares a breakout session saved before sessions had rooms, from its planning page", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    // As it was before breakout sessions got their rooms when saved.
    server.db.$client.prepare("DELETE FROM breakouts WHERE session_id = ?").run(breakout.sessionId);
    const secretariat = await signInAs(server, SECRETARIAT);
    const delegate = await cookieOf(await makePerson(server.db, { organisation: ORGS[0] }));
    expect((await get(server, `/breakouts/${breakout.sessionId}`, delegate)).status).toBe(404);
    const hub = await get(server, `/breakouts/${breakout.sessionId}`, secretariat);
    expect(hub.status).toBe(302);
    expect(hub.headers.get("location")).toBe(`/breakouts/${breakout.sessionId}/plan`);
    expect(await (await get(server, `/breakouts/${breakout.sessionId}/plan`, secretariat)).text()).toContain("Prepare the rooms");
    expect((await plan(breakout.sessionId, { intent: "prepare" }, delegate)).status).toBe(403);
    expect((await plan(breakout.sessionId, { intent: "prepare" }, secretariat)).status).toBe(200);
    expect(rows("SELECT id FROM breakout_rooms WHERE session_id = ?", breakout.sessionId)).toHaveLength(5);
    expect((await get(server, `/breakouts/${breakout.sessionId}`, delegate)).status).toBe(200);
  });

  it("offers and copies a breakout session of an earlier convening of the series, never a later one", async () => {
    const seriesId = Number(
      server.db.$client.prepare("INSERT INTO event_series (name, cadence) VALUES (?, 'annual')").run(`Series ${Date.now()}`)
        .lastInsertRowid,
    );
    const earlier = makeEvent(server.db, { seriesId, startsOn: "2027-03-01" });
    const next = makeEvent(server.db, { seriesId, startsOn: "2027-09-01" });
    const later = makeEvent(server.db, { seriesId, startsOn: "2028-03-01" });
    const source = makeBreakout(server.db, earlier, { title: "Breakouts in March" });
    makeBreakout(server.db, later, { title: "Breakouts next year" });
    const target = makeBreakout(server.db, next, { title: "Breakouts in September" });
    const person = await makePerson(server.db, { organisation: ORGS[3] });
    placeInRoom(server.db, source, source.roomOf("independent-research"), person.id);
    const secretariat = await signInAs(server, SECRETARIAT);
    const page = await (await get(server, `/breakouts/${target.sessionId}/plan`, secretariat)).text();
    expect(page).toContain("Breakouts in March");
    expect(page).not.toContain("Breakouts next year");
    expect((await plan(target.sessionId, { intent: "copy", sourceSessionId: String(source.sessionId) }, secretariat)).status).toBe(200);
    const copied = assignmentsOf(target.sessionId);
    expect(copied).toHaveLength(1);
    expect(one<{ name: string }>("SELECT name FROM breakout_rooms WHERE id = ?", copied[0]!.roomId).name).toBe("Independent Research");
  });

  it("while the rooms run, shows each delegate the way into their room and lets a late arrival choose one", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const [placed, late] = await Promise.all([
      makePerson(server.db, { organisation: ORGS[0] }),
      makePerson(server.db, { organisation: ORGS[1] }),
    ]);
    const room = breakout.roomOf("collective-action");
    placeInRoom(server.db, breakout, room, placed.id);
    server.db.$client
      .prepare("UPDATE breakouts SET assignment_mode = 'planned', status = 'open', opened_at = ? WHERE session_id = ?")
      .run(Date.now(), breakout.sessionId);
    const hub = await (await get(server, `/breakouts/${breakout.sessionId}`, await cookieOf(placed))).text();
    expect(hub).toContain(`href="/breakouts/${breakout.sessionId}/rooms/${room}"`);
    expect(hub).toContain("Go to your room: Collective Action");
    // Planning writes are refused while the rooms run.
    const secretariat = await signInAs(server, SECRETARIAT);
    const refused = await plan(breakout.sessionId, { intent: "assign", userId: String(late.id), roomId: String(room) }, secretariat);
    expect(refused.status).toBe(409);
    const lateCookie = await cookieOf(late);
    expect(await (await get(server, `/breakouts/${breakout.sessionId}`, lateCookie)).text()).toContain(
      "Choose this room: Collective Action",
    );
    expect((await choose(breakout.sessionId, room, lateCookie)).status).toBe(200);
    expect(assignmentsOf(breakout.sessionId).find((a) => a.userId === late.id)).toEqual({
      userId: late.id,
      roomId: room,
      source: "chosen",
    });
  });
});

describe("what planning tells the session's followers", () => {
  it("announces a changed state after each write, and a change of access where who may be in a room changed", async () => {
    const event = makeEvent(server.db);
    const breakout = makeBreakout(server.db, event);
    const person = await makePerson(server.db, { organisation: ORGS[0] });
    approve(event, person);
    const secretariat = await signInAs(server, SECRETARIAT);
    const heard: DomainEvent[] = [];
    const stop = onDomainEvents(server.db, (events) => {
      for (const e of events) if ("sessionId" in e && e.sessionId === breakout.sessionId) heard.push(e);
    });
    try {
      const kinds = async (fields: Record<string, string>) => {
        heard.length = 0;
        expect((await plan(breakout.sessionId, fields, secretariat)).status).toBe(200);
        return heard.map((e) => e.type);
      };
      const room = String(breakout.rooms[0]!.id);
      expect(await kinds({ intent: "saveRoom", roomId: room, name: "Renamed", pillarId: "" })).toEqual(["breakout.changed"]);
      expect(await kinds({ intent: "assign", userId: String(person.id), roomId: room })).toEqual([
        "breakout.changed",
        "breakout.accessChanged",
      ]);
      expect(await kinds({ intent: "options", assignmentMode: "planned" })).toEqual(["breakout.changed"]);
      expect(await kinds({ intent: "options", assignmentMode: "planned", observersMayWatch: "1" })).toEqual([
        "breakout.changed",
        "breakout.accessChanged",
      ]);
      expect(await kinds({ intent: "publish" })).toEqual(["breakout.changed", "breakout.accessChanged"]);
      // A refused write announces nothing.
      heard.length = 0;
      expect(
        (await plan(breakout.sessionId, { intent: "saveRoom", roomId: room, name: breakout.rooms[1]!.name }, secretariat)).status,
      ).toBe(400);
      expect(heard).toEqual([]);
    } finally {
      stop();
    }
  });
});
