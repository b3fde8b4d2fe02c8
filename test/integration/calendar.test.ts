import { actorFor } from "../../app/models/people.server";
import * as ical from "node-ical";
import type { VEvent } from "node-ical";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agendaSessions, agendaStars, events } from "../../db/schema";
import { getEvent, saveSession, setSessionStatus } from "../../app/models/agenda.server";
import { findFeedUser, regenerateFeedToken } from "../../app/models/calendar.server";
import { setStar } from "../../app/models/stars.server";
import { zonedToUtc } from "../../app/utils/zoned-time";
import { get, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
let delegate: string;
let forumId: number;
beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
  delegate = await signInAs(server, "ngo@convene.example");
  forumId = (server.db.$client.prepare("SELECT id FROM events WHERE kind = 'forum'").get() as { id: number }).id;
});
afterAll(() => server.close());

const meta = { ipAddress: "127.0.0.1", userAgent: "test" };
const actorOf = (email: string) => actorFor(server.db, personId(server, email))!;
// startServer leaves APP_URL unset, so links point at the default origin.
const APP_URL = "http://localhost:3000";

function veventsOf(text: string): VEvent[] {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c.type === "VEVENT");
}

/** The unfolded lines of one VEVENT, to check what node-ical does not keep (the TZID as written). */
function rawEvent(text: string, uid: string): string {
  const unfolded = text.replace(/\r\n[ \t]/g, "");
  const block = unfolded.split("BEGIN:VEVENT").find((b) => b.includes(`UID:${uid}\r\n`));
  if (!block) throw new Error(`no VEVENT ${uid}`);
  return block;
}

async function eventIcs(id: number, cookie = delegate): Promise<string> {
  const res = await get(server, `/events/${id}/agenda.ics`, cookie);
  expect(res.status).toBe(200);
  return res.text();
}

function addEvent(
  values: Partial<typeof events.$inferInsert> & Pick<typeof events.$inferInsert, "title" | "startsOn" | "endsOn" | "timeZone">,
): number {
  return server.db
    .insert(events)
    .values({ kind: "convening", year: Number(values.startsOn.slice(0, 4)), status: "published", visibility: "members", ...values })
    .returning({ id: events.id })
    .get().id;
}

function addSession(eventId: number, title: string, date: string, start: string, end: string, timeZone: string): number {
  return server.db
    .insert(agendaSessions)
    .values({ eventId, kind: "workshop", title, startsAt: zonedToUtc(date, start, timeZone), endsAt: zonedToUtc(date, end, timeZone) })
    .returning({ id: agendaSessions.id })
    .get().id;
}

describe("an event's agenda as a calendar file", () => {
  it("holds every session at its UTC instant, written in the event's own zone", async () => {
    const res = await get(server, `/events/${forumId}/agenda.ics`, delegate);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const year = new Date().getUTCFullYear();
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="annual-multi-stakeholder-forum-${year}.ics"`);
    const text = await res.text();
    expect(text).toContain(`X-WR-CALNAME:Convene: Annual Multi-Stakeholder Forum ${year}`);
    expect(text).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels");

    const rows = server.db.$client
      .prepare("SELECT id, title, starts_at AS startsAt, ends_at AS endsAt FROM agenda_sessions WHERE event_id = ?")
      .all(forumId) as { id: number; title: string; startsAt: number; endsAt: number }[];
    const parsed = new Map(veventsOf(text).map((e) => [e.uid, e]));
    expect(parsed.size).toBe(rows.length);
    for (const row of rows) {
      const e = parsed.get(`session-${row.id}@convene`)!;
      expect(e.summary).toBe(row.title);
      expect(e.start.getTime()).toBe(row.startsAt);
      expect(e.end.getTime()).toBe(row.endsAt);
      expect(e.start.tz).toBe("Europe/Brussels");
      expect(e.status).toBe("CONFIRMED");
      // node-ical keeps the URL's VALUE=URI parameter, so the text is in `val`.
      const url = e.url as unknown as string | { val: string };
      expect(typeof url === "string" ? url : url.val).toBe(`${APP_URL}/events/${forumId}`);
    }

    const opening = rows.find((r) => r.title.startsWith("Opening plenary"))!;
    expect(rawEvent(text, `session-${opening.id}@convene`)).toMatch(/\r\nDTSTART;TZID=Europe\/Brussels:\d{8}T090000\r\n/);
    const workshop = rows.find((r) => r.title.startsWith("Hash-sharing"))!;
    const w = parsed.get(`session-${workshop.id}@convene`)!;
    expect(w.location).toBe("Main hall, Brussels and online");
    expect(w.description).toContain("Chatham House rule");
  });

  it("keeps the right instant across the autumn clock change", async () => {
    const zone = "Europe/Brussels";
    const eventId = addEvent({ title: "Autumn convening", startsOn: "2026-10-24", endsOn: "2026-10-25", timeZone: zone });
    const before = addSession(eventId, "Saturday, summer time", "2026-10-24", "09:00", "10:00", zone);
    const after = addSession(eventId, "Sunday, winter time", "2026-10-25", "09:00", "10:30", zone);

    const text = await eventIcs(eventId);
    const parsed = new Map(veventsOf(text).map((e) => [e.uid, e]));
    expect(parsed.get(`session-${before}@convene`)!.start.toISOString()).toBe("2026-10-24T07:00:00.000Z");
    expect(parsed.get(`session-${after}@convene`)!.start.toISOString()).toBe("2026-10-25T08:00:00.000Z");
    expect(parsed.get(`session-${after}@convene`)!.end.toISOString()).toBe("2026-10-25T09:30:00.000Z");
    expect(rawEvent(text, `session-${after}@convene`)).toContain("DTSTART;TZID=Europe/Brussels:20261025T090000\r\n");
    // Stamps are UTC, as RFC 5545 requires, not local times.
    expect(rawEvent(text, `session-${after}@convene`)).toMatch(/\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
  });

  it("updates an entry in place when a session moves, and marks a cancelled one as cancelled", async () => {
    const zone = "Europe/Brussels";
    const eventId = addEvent({ title: "Moving convening", startsOn: "2026-10-25", endsOn: "2026-10-25", timeZone: zone });
    const sessionId = addSession(eventId, "Will move", "2026-10-25", "09:00", "10:00", zone);
    const uid = `session-${sessionId}@convene`;
    const first = veventsOf(await eventIcs(eventId)).find((e) => e.uid === uid)!;

    const saved = saveSession(
      server.db,
      actorOf("secretariat@convene.example"),
      getEvent(server.db, eventId)!,
      sessionId,
      {
        title: "Moved",
        kind: "workshop",
        description: "",
        roomId: null,
        pillarId: null,
        date: "2026-10-25",
        startTime: "11:00",
        endTime: "12:00",
        capacity: null,
        attribution: "on_record",
        speakerIds: [],
        guests: [],
      },
      { acceptConflicts: true },
      meta,
    );
    expect(saved.ok).toBe(true);
    const moved = veventsOf(await eventIcs(eventId)).find((e) => e.uid === uid)!;
    expect(Number(moved.sequence)).toBeGreaterThan(Number(first.sequence));
    expect(moved.summary).toBe("Moved");
    expect(moved.start.toISOString()).toBe("2026-10-25T10:00:00.000Z");

    expect(
      setSessionStatus(server.db, actorOf("secretariat@convene.example"), getEvent(server.db, eventId)!, sessionId, "cancelled", meta).ok,
    ).toBe(true);
    const text = await eventIcs(eventId);
    const cancelled = veventsOf(text).find((e) => e.uid === uid)!;
    expect(cancelled.status).toBe("CANCELLED");
    expect(Number(cancelled.sequence)).toBeGreaterThan(Number(moved.sequence));
    expect(rawEvent(text, uid)).toContain("\r\nSTATUS:CANCELLED\r\n");
  });

  it("is not found for an event the person may not see, or that does not exist", async () => {
    const draftId = addEvent({
      title: "Secret draft",
      startsOn: "2026-11-10",
      endsOn: "2026-11-10",
      timeZone: "Asia/Singapore",
      status: "draft",
    });
    addSession(draftId, "Not yet announced", "2026-11-10", "09:00", "10:00", "Asia/Singapore");
    expect((await get(server, `/events/${draftId}/agenda.ics`, delegate)).status).toBe(404);
    expect((await get(server, `/events/${draftId}/agenda.ics`, secretariat)).status).toBe(200);
    expect((await get(server, "/events/999999/agenda.ics", delegate)).status).toBe(404);
    expect((await get(server, "/events/abc/agenda.ics", delegate)).status).toBe(404);
    const anonymous = await get(server, `/events/${forumId}/agenda.ics`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/sign-in\?redirectTo=/);
  });
});

describe("a person's calendar feed", () => {
  async function newFeedUrl(cookie: string): Promise<string> {
    const res = await post(server, "/calendar", { intent: "regenerate" }, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("it is shown only this once");
    const match = html.match(/http:\/\/localhost:3000\/calendar\/([A-Za-z0-9_-]{43})\.ics/);
    expect(match).not.toBeNull();
    expect(html).toContain(`webcal://localhost:3000/calendar/${match![1]}.ics`);
    return `/calendar/${match![1]}.ics`;
  }

  it("holds only the starred sessions of events the person may see, without a cookie", async () => {
    const userId = personId(server, "ngo@convene.example");
    const page = await get(server, "/calendar", delegate);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Create my feed link");

    const [first, second] = server.db.$client
      .prepare("SELECT id FROM agenda_sessions WHERE event_id = ? ORDER BY id LIMIT 2")
      .all(forumId) as { id: number }[];
    const me = actorOf("ngo@convene.example");
    const forum = getEvent(server.db, forumId)!;
    expect(setStar(server.db, me, forum, first!.id, true)).toBe(true);
    expect(setStar(server.db, me, forum, second!.id, true)).toBe(true);
    const draftId = addEvent({
      title: "Hidden draft",
      startsOn: "2026-12-01",
      endsOn: "2026-12-01",
      timeZone: "America/New_York",
      status: "draft",
    });
    const hidden = addSession(draftId, "Hidden session", "2026-12-01", "09:00", "10:00", "America/New_York");
    // A draft cannot be starred; a star kept from when the event was out stays out of the feed too.
    expect(setStar(server.db, me, getEvent(server.db, draftId)!, hidden, true)).toBeNull();
    server.db.insert(agendaStars).values({ userId, sessionId: hidden }).run();

    const path = await newFeedUrl(delegate);
    const feed = await get(server, path);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(feed.headers.get("cache-control")).toBe("private, max-age=300");
    const text = await feed.text();
    expect(text).toContain("X-WR-CALNAME:Convene: my agenda");
    expect(
      veventsOf(text)
        .map((e) => e.uid)
        .sort(),
    ).toEqual([`session-${first!.id}@convene`, `session-${second!.id}@convene`].sort());
    expect(text).not.toContain("Hidden session");

    const again = await get(server, "/calendar", delegate);
    expect(await again.text()).toContain("Make a new link (the old one stops working)");
    const audit = server.db.$client
      .prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'calendar.feed_regenerate' AND actor_id = ?")
      .get(userId);
    expect(audit).toEqual({ n: 1 });
  });

  it("stops answering the old link once a new one is made", async () => {
    const old = await newFeedUrl(delegate);
    const fresh = await newFeedUrl(delegate);
    expect(fresh).not.toBe(old);
    expect((await get(server, old)).status).toBe(404);
    expect((await get(server, fresh)).status).toBe(200);
    expect(
      server.db.$client.prepare("SELECT count(*) AS n FROM calendar_feeds WHERE user_id = ?").get(personId(server, "ngo@convene.example")),
    ).toEqual({ n: 1 });
  });

  it("is not found for an unknown token or a deactivated person", async () => {
    expect((await get(server, "/calendar/not-a-token.ics")).status).toBe(404);
    expect((await get(server, `/calendar/${"A".repeat(43)}.ics`)).status).toBe(404);

    const observerId = personId(server, "observer@convene.example");
    const token = regenerateFeedToken(server.db, actorFor(server.db, observerId)!, meta)!;
    expect(findFeedUser(server.db, token)).toBe(observerId);
    expect((await get(server, `/calendar/${token}.ics`)).status).toBe(200);
    server.db.$client.prepare("UPDATE users SET status = 'deactivated' WHERE id = ?").run(observerId);
    expect((await get(server, `/calendar/${token}.ics`)).status).toBe(404);
  });

  it("asks anonymous visitors to sign in before making a link", async () => {
    const res = await get(server, "/calendar");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/sign-in?redirectTo=%2Fcalendar");
  });
});

describe("time zones in calendar files and forms", () => {
  /** The VTIMEZONE block of a zone in a calendar file. */
  function vtimezoneOf(text: string, zone: string): string {
    const block = text
      .replace(/\r\n[ \t]/g, "")
      .split("BEGIN:VTIMEZONE\r\n")
      .find((b) => b.startsWith(`TZID:${zone}\r\n`));
    if (!block) throw new Error(`no VTIMEZONE ${zone}`);
    return block.slice(0, block.indexOf("END:VTIMEZONE"));
  }

  it("puts a São Paulo session in July 2027 at the right instant, under today's rules (no daylight saving)", async () => {
    const zone = "America/Sao_Paulo";
    const eventId = addEvent({ title: "São Paulo convening", startsOn: "2027-07-15", endsOn: "2027-07-15", timeZone: zone });
    const sessionId = addSession(eventId, "Morning in São Paulo", "2027-07-15", "10:00", "11:00", zone);
    const text = await eventIcs(eventId);
    const e = veventsOf(text).find((v) => v.uid === `session-${sessionId}@convene`)!;
    expect(e.start.toISOString()).toBe("2027-07-15T13:00:00.000Z");
    expect(rawEvent(text, `session-${sessionId}@convene`)).toContain("DTSTART;TZID=America/Sao_Paulo:20270715T100000\r\n");
    const block = vtimezoneOf(text, zone);
    expect(block).not.toContain("BEGIN:DAYLIGHT");
    expect(block).toContain("TZOFFSETTO:-0300");
    expect(block).not.toContain("TZOFFSETTO:-0200");
  });

  it("writes an event stored under an old zone name with its current name and rules, not in UTC", async () => {
    const eventId = addEvent({ title: "Delhi convening", startsOn: "2027-02-10", endsOn: "2027-02-10", timeZone: "Asia/Calcutta" });
    const sessionId = addSession(eventId, "Delhi morning", "2027-02-10", "09:30", "10:30", "Asia/Calcutta");
    const text = await eventIcs(eventId);
    expect(rawEvent(text, `session-${sessionId}@convene`)).toContain("DTSTART;TZID=Asia/Kolkata:20270210T093000\r\n");
    expect(vtimezoneOf(text, "Asia/Kolkata")).toContain("TZOFFSETTO:+0530");
    expect(text).toContain("X-WR-TIMEZONE:Asia/Kolkata\r\n");
    expect(
      veventsOf(text)
        .find((v) => v.uid === `session-${sessionId}@convene`)!
        .start.toISOString(),
    ).toBe("2027-02-10T04:00:00.000Z");
  });

  it("refuses a session at a time the clocks skip, and reads a repeated time as its first occurrence", () => {
    const zone = "Europe/Berlin";
    const eventId = addEvent({ title: "Berlin convening", startsOn: "2026-03-28", endsOn: "2026-03-29", timeZone: zone });
    const event = getEvent(server.db, eventId)!;
    const input = {
      title: "Early start",
      kind: "workshop" as const,
      description: "",
      roomId: null,
      pillarId: null,
      date: "2026-03-29",
      startTime: "02:30",
      endTime: "04:00",
      capacity: null,
      attribution: "on_record" as const,
      speakerIds: [],
      guests: [],
    };
    const refused = saveSession(server.db, actorOf("secretariat@convene.example"), event, null, input, { acceptConflicts: true }, meta);
    expect(refused).toEqual({
      ok: false,
      reason: "invalid",
      field: "startTime",
      error: "calendar:errors.localTimeSkipped?time=02%3A30&date=2026-03-29&zone=Europe%2FBerlin&from=02%3A00&to=03%3A00",
    });

    const autumnId = addEvent({ title: "Berlin autumn", startsOn: "2026-10-25", endsOn: "2026-10-25", timeZone: zone });
    const autumn = getEvent(server.db, autumnId)!;
    const saved = saveSession(
      server.db,
      actorOf("secretariat@convene.example"),
      autumn,
      null,
      { ...input, date: "2026-10-25", startTime: "02:30", endTime: "03:30" },
      { acceptConflicts: true },
      meta,
    );
    expect(saved.ok).toBe(true);
    const row = server.db.$client
      .prepare("SELECT starts_at AS startsAt, ends_at AS endsAt FROM agenda_sessions WHERE id = ?")
      .get(saved.ok ? saved.sessionIds[0] : 0) as { startsAt: number; endsAt: number };
    // 02:30 summer time (its first occurrence) to 03:30 winter time: two hours.
    expect(new Date(row.startsAt).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(new Date(row.endsAt).toISOString()).toBe("2026-10-25T02:30:00.000Z");
  });

  it("keeps an account's zone by its current name when an old one is sent", async () => {
    const cookie = await signInAs(server, "police@convene.example");
    const res = await post(server, "/account", { intent: "profile", name: "Jonas Weber", timeZone: "Asia/Calcutta" }, cookie);
    expect(res.status).toBeLessThan(400);
    const row = server.db.$client.prepare("SELECT time_zone AS timeZone FROM users WHERE email = ?").get("police@convene.example") as {
      timeZone: string;
    };
    expect(row.timeZone).toBe("Asia/Kolkata");
  });
});
