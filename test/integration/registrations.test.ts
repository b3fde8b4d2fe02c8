import { actorFor } from "../../app/models/people.server";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEvent } from "../../app/models/agenda.server";
import { decideRegistrations, registerForEvent, releasePlace, takePlace, withdrawFromEvent } from "../../app/models/registrations.server";
import { agendaSessions, events } from "../../db/schema";
import { connectSocket, get, onceConnected, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
let forumId: number;
const open: Socket[] = [];

beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
  forumId = (server.db.$client.prepare("SELECT id FROM events WHERE kind = 'forum'").get() as { id: number }).id;
});
afterAll(async () => {
  for (const s of open) s.close();
  await server.close();
});

const one = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const meta = { ipAddress: "127.0.0.1", userAgent: "test" };
const actorOf = (email: string) => actorFor(server.db, personId(server, email))!;

describe("places in capacity-limited sessions", () => {
  it("fills the places, queues the rest, and promotes the next person when a place frees, telling them live", async () => {
    const first = server.db.select().from(agendaSessions).all()[0]!;
    const tiny = server.db
      .insert(agendaSessions)
      .values({ eventId: forumId, kind: "workshop", title: "Small clinic", startsAt: first.startsAt, endsAt: first.endsAt, capacity: 2 })
      .returning()
      .get();
    const people = ["government@convene.example", "police@convene.example", "ngo@convene.example", "industry@convene.example"];
    const cookies = await Promise.all(people.map((email) => signInAs(server, email)));
    const results = [];
    for (const cookie of cookies)
      results.push((await post(server, `/events/${forumId}`, { intent: "take", sessionId: String(tiny.id) }, cookie)).status);
    expect(results).toEqual([200, 200, 200, 200]);
    const statusOf = (email: string) =>
      one<{ status: string } | undefined>(
        "SELECT status FROM session_registrations WHERE session_id = ? AND user_id = ?",
        tiny.id,
        personId(server, email),
      )?.status;
    expect(people.map(statusOf)).toEqual(["confirmed", "confirmed", "waitlisted", "waitlisted"]);

    // The NGO delegate (first in the queue) has a page open.
    const ngoSocket = connectSocket(server, cookies[2]);
    open.push(ngoSocket);
    await onceConnected(ngoSocket);
    const told = new Promise((resolve) => ngoSocket.once("place:promoted", resolve));

    expect((await post(server, `/events/${forumId}`, { intent: "release", sessionId: String(tiny.id) }, cookies[0])).status).toBe(200);
    expect(await told).toEqual({ eventId: forumId, sessionId: tiny.id, title: "Small clinic" });
    expect(people.map(statusOf)).toEqual([undefined, "confirmed", "confirmed", "waitlisted"]);

    // Leaving the waiting list promotes no one.
    expect((await post(server, `/events/${forumId}`, { intent: "release", sessionId: String(tiny.id) }, cookies[3])).status).toBe(200);
    expect(people.map(statusOf)).toEqual([undefined, "confirmed", "confirmed", undefined]);

    const page = await (await get(server, `/events/${forumId}`, cookies[2])).text();
    expect(page).toContain("2 of 2 places taken");
    expect(page).toContain("You have a place");
  });

  it("the model announces who moved up, and tells no one when nobody did", () => {
    const first = server.db.select().from(agendaSessions).all()[0]!;
    const seat = server.db
      .insert(agendaSessions)
      .values({ eventId: forumId, kind: "workshop", title: "One seat", startsAt: first.startsAt, endsAt: first.endsAt, capacity: 1 })
      .returning()
      .get();
    const forum = getEvent(server.db, forumId)!;
    const [gov, police, ngo] = ["government@convene.example", "police@convene.example", "ngo@convene.example"].map(actorOf);
    expect(takePlace(server.db, gov!, forum, seat.id, meta)).toMatchObject({ ok: true, place: "confirmed", events: [] });
    expect(takePlace(server.db, police!, forum, seat.id, meta)).toMatchObject({ ok: true, place: "waitlisted", events: [] });
    expect(takePlace(server.db, ngo!, forum, seat.id, meta)).toMatchObject({ ok: true, place: "waitlisted", events: [] });
    expect(releasePlace(server.db, ngo!, forum, seat.id, meta)).toEqual({ ok: true, released: true, promoted: null, events: [] });
    const promotion = { userId: police!.id, eventId: forumId, sessionId: seat.id, title: "One seat" };
    expect(releasePlace(server.db, gov!, forum, seat.id, meta)).toEqual({
      ok: true,
      released: true,
      promoted: promotion,
      events: [{ type: "place.promoted", ...promotion }],
    });
  });

  it("refuses a place in a session without a capacity", async () => {
    const open = one<{ id: number }>("SELECT id FROM agenda_sessions WHERE capacity IS NULL LIMIT 1");
    const res = await post(server, `/events/${forumId}`, { intent: "take", sessionId: String(open.id) }, secretariat);
    expect(res.status).toBe(409);
  });
});

describe("registering for an event", () => {
  let eventId: number;
  beforeAll(() => {
    eventId = server.db
      .insert(events)
      .values({
        kind: "convening",
        title: "Approval convening",
        year: 2027,
        startsOn: "2027-02-01",
        endsOn: "2027-02-01",
        timeZone: "UTC",
        status: "published",
        registrationRequiresApproval: true,
      })
      .returning()
      .get().id;
  });

  it("waits for approval, and the secretariat approves or declines in bulk with counts by stakeholder group", async () => {
    const emails = ["government@convene.example", "police@convene.example", "industry@convene.example"];
    for (const email of emails)
      expect((await post(server, `/events/${eventId}`, { intent: "register" }, await signInAs(server, email))).status).toBe(200);
    const gov = await signInAs(server, "government@convene.example");
    expect(await (await get(server, `/events/${eventId}`, gov)).text()).toContain("Registration waiting for approval");

    const idOf = (email: string) =>
      String(
        one<{ id: number }>("SELECT id FROM event_registrations WHERE event_id = ? AND user_id = ?", eventId, personId(server, email)).id,
      );
    const approve = new URLSearchParams([
      ["intent", "approve"],
      ["registrationId", idOf(emails[0]!)],
      ["registrationId", idOf(emails[1]!)],
    ]);
    const res = await fetch(`${server.url}/events/${eventId}/registrations`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, Cookie: secretariat },
      body: approve,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("2 registrations updated.");
    expect(
      (await post(server, `/events/${eventId}/registrations`, { intent: "decline", registrationId: idOf(emails[2]!) }, secretariat)).status,
    ).toBe(200);

    expect(await (await get(server, `/events/${eventId}`, gov)).text()).toContain("You are registered");
    const page = await (await get(server, `/events/${eventId}/registrations`, secretariat)).text();
    const counts = page.match(/<table class="table" data-testid="counts">.*?<\/table>/s)![0];
    expect(counts).toMatch(/Government<\/th><td[^>]*>0<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td>/);
    expect(counts).toMatch(/Industry<\/th><td[^>]*>0<\/td><td[^>]*>0<\/td><td[^>]*>1<\/td>/);
    expect(one<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'registration.%' ORDER BY id DESC LIMIT 1").action).toBe(
      "registration.decline",
    );
  });

  it("the model refuses registrations and places at an event the person may not see, and decisions to anyone but the secretariat", () => {
    const draft = server.db
      .insert(events)
      .values({ kind: "convening", title: "Unpublished", year: 2027, startsOn: "2027-02-02", endsOn: "2027-02-02", timeZone: "UTC" })
      .returning()
      .get();
    const session = server.db
      .insert(agendaSessions)
      .values({
        eventId: draft.id,
        kind: "workshop",
        title: "Unseen",
        startsAt: new Date(),
        endsAt: new Date(Date.now() + 3_600_000),
        capacity: 5,
      })
      .returning()
      .get();
    const delegate = actorOf("ngo@convene.example");
    const notFound = { ok: false, error: "errors.notFound" };
    expect(registerForEvent(server.db, delegate, draft, meta)).toEqual(notFound);
    expect(withdrawFromEvent(server.db, delegate, draft, meta)).toEqual(notFound);
    expect(takePlace(server.db, delegate, draft, session.id, meta)).toEqual(notFound);
    expect(releasePlace(server.db, delegate, draft, session.id, meta)).toEqual(notFound);
    expect(one<{ n: number }>("SELECT count(*) AS n FROM session_registrations WHERE session_id = ?", session.id).n).toBe(0);

    const pending = one<{ id: number }>("SELECT id FROM event_registrations WHERE event_id = ? AND status = 'approved' LIMIT 1", eventId);
    for (const email of ["ngo@convene.example", "facilitator@convene.example"])
      expect(decideRegistrations(server.db, actorOf(email), eventId, [pending.id], "declined", meta)).toEqual({
        ok: false,
        error: "errors.forbidden",
      });
    expect(one<{ status: string }>("SELECT status FROM event_registrations WHERE id = ?", pending.id).status).toBe("approved");
  });

  it("only the secretariat sees and decides registrations", async () => {
    const delegate = await signInAs(server, "ngo@convene.example");
    expect((await get(server, `/events/${eventId}/registrations`, delegate)).status).toBe(403);
    expect((await post(server, `/events/${eventId}/registrations`, { intent: "approve", registrationId: "1" }, delegate)).status).toBe(403);
  });
});

describe("events managed by the secretariat", () => {
  it("creates a draft, refuses a second forum in a year, publishes, and makes the next convening of a series", async () => {
    const base = {
      kind: "convening",
      title: "Online convening on research",
      description: "",
      startsOn: "2027-05-10",
      endsOn: "2027-05-10",
      timeZone: "Asia/Singapore",
      visibility: "members",
      rooms: "Plenary room\nBreakout 1",
      newSeriesName: "Research convenings",
      newSeriesCadence: "quarterly",
    };
    const created = await post(server, "/events/new", base, secretariat);
    expect(created.status).toBe(302);
    const id = Number(created.headers.get("location")!.match(/\/events\/(\d+)\//)![1]);
    expect(one<{ status: string }>("SELECT status FROM events WHERE id = ?", id).status).toBe("draft");
    expect((await get(server, `/events/${id}`, await signInAs(server, "ngo@convene.example"))).status).toBe(404);

    const year = one<{ year: number }>("SELECT year FROM events WHERE kind = 'forum'").year;
    const dup = await post(
      server,
      "/events/new",
      { ...base, kind: "forum", title: "Second forum", startsOn: `${year}-06-01`, endsOn: `${year}-06-02` },
      secretariat,
    );
    expect(dup.status).toBe(400);
    expect(await dup.text()).toContain("There is already an annual forum in that year.");

    // A standing plenary is copied to the next convening at the same local time.
    const plenary = await post(
      server,
      `/events/${id}/timetable`,
      {
        intent: "save",
        title: "Welcome",
        kind: "plenary",
        pillarId: "",
        roomId: String(one<{ id: number }>("SELECT id FROM rooms WHERE event_id = ? AND name = 'Plenary room'", id).id),
        date: "2027-05-10",
        startTime: "09:00",
        endTime: "09:30",
        attribution: "on_record",
      },
      secretariat,
    );
    expect(plenary.status).toBe(200);
    expect((await post(server, `/events/${id}/settings`, { intent: "publish" }, secretariat)).status).toBe(200);
    expect((await get(server, `/events/${id}`, await signInAs(server, "ngo@convene.example"))).status).toBe(200);

    const next = await post(server, `/events/${id}/settings`, { intent: "next", confirm: "yes" }, secretariat);
    expect(next.status).toBe(302);
    const nextId = Number(next.headers.get("location")!.match(/\/events\/(\d+)\//)![1]);
    expect(one("SELECT starts_on AS s, status FROM events WHERE id = ?", nextId)).toEqual({ s: "2027-08-10", status: "draft" });
    expect(server.db.$client.prepare("SELECT name FROM rooms WHERE event_id = ? ORDER BY position").all(nextId)).toEqual([
      { name: "Plenary room" },
      { name: "Breakout 1" },
    ]);
    const copied = one<{ title: string; starts: number }>(
      "SELECT title, starts_at AS starts FROM agenda_sessions WHERE event_id = ?",
      nextId,
    );
    expect(copied.title).toBe("Welcome");
    expect(new Date(copied.starts).toISOString()).toBe("2027-08-10T01:00:00.000Z");
  });

  it("a public event's agenda can be read without signing in; a members' event cannot", async () => {
    const id = server.db
      .insert(events)
      .values({
        kind: "convening",
        title: "Open webinar",
        year: 2027,
        startsOn: "2027-04-01",
        endsOn: "2027-04-01",
        timeZone: "UTC",
        status: "published",
        visibility: "public",
      })
      .returning()
      .get().id;
    const anon = await get(server, `/events/${id}`);
    expect(anon.status).toBe(200);
    expect(await anon.text()).toContain("Open webinar");
    const members = await get(server, `/events/${forumId}`);
    expect(members.status).toBe(302);
    expect(members.headers.get("location")).toContain("/sign-in");
  });
});

describe("CSV export", () => {
  it("gives the secretariat the whole agenda, with formula-looking cells defused", async () => {
    await post(
      server,
      `/events/${forumId}/timetable`,
      {
        intent: "save",
        title: '=HYPERLINK("http://evil")',
        kind: "panel",
        pillarId: "",
        roomId: "",
        date: one<{ d: string }>("SELECT starts_on AS d FROM events WHERE id = ?", forumId).d,
        startTime: "18:00",
        endTime: "18:30",
        attribution: "on_record",
      },
      secretariat,
    );
    const res = await get(server, `/events/${forumId}/agenda.csv`, secretariat);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const text = await res.text();
    expect(text).toContain("id,date,start,end,time_zone");
    expect(text).toContain("Opening plenary: the year in review");
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect((await get(server, `/events/${forumId}/agenda.csv`, await signInAs(server, "ngo@convene.example"))).status).toBe(403);
  });
});

describe("track leads", () => {
  it("the secretariat chooses which facilitators lead which track, and only facilitators can", async () => {
    const tech = (server.db.$client.prepare("SELECT id FROM pillars WHERE slug = 'tech-innovation'").get() as { id: number }).id;
    const facilitator = personId(server, "facilitator@convene.example");
    const delegate = personId(server, "government@convene.example");
    const body = new URLSearchParams([
      ["intent", "leads"],
      ["lead", `${tech}:${facilitator}`],
      ["lead", `${tech}:${delegate}`],
    ]);
    const res = await fetch(`${server.url}/events/${forumId}/settings`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, Cookie: secretariat },
      body,
    });
    expect(res.status).toBe(200);
    expect(server.db.$client.prepare("SELECT pillar_id AS p, user_id AS u FROM track_leads WHERE event_id = ?").all(forumId)).toEqual([
      { p: tech, u: facilitator },
    ]);
    // The facilitator now edits Tech Innovation, and no longer Independent Research.
    const cookie = await signInAs(server, "facilitator@convene.example");
    const hash = String(
      one<{ id: number }>("SELECT id FROM agenda_sessions WHERE title = 'Hash-sharing between platforms: what is working'").id,
    );
    const date = one<{ d: string }>("SELECT starts_on AS d FROM events WHERE id = ?", forumId).d;
    const roomId = String(one<{ id: number }>("SELECT room_id AS id FROM agenda_sessions WHERE id = ?", hash).id);
    expect(
      (
        await post(
          server,
          `/events/${forumId}/timetable`,
          { intent: "move", sessionId: hash, roomId, date, startTime: "10:45", endTime: "12:15", acceptConflicts: "1" },
          cookie,
        )
      ).status,
    ).toBe(200);
  });
});
