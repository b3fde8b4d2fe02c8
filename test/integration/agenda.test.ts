import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSessions, sessionView } from "../../app/models/agenda.server";
import type { AgendaChange } from "../../app/realtime/protocol";
import { zonedToUtc } from "../../app/utils/zoned-time";
import { events } from "../../db/schema";
import { connectSocket, get, onceConnected, personId, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
let forumId: number;
let forumStart: string;
const open: Socket[] = [];

beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
  const forum = server.db.$client.prepare("SELECT id, starts_on AS startsOn FROM events WHERE kind = 'forum'").get() as {
    id: number;
    startsOn: string;
  };
  forumId = forum.id;
  forumStart = forum.startsOn;
});
afterAll(async () => {
  for (const s of open) s.close();
  await server.close();
});

const one = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const sessionId = (title: string) => one<{ id: number }>("SELECT id FROM agenda_sessions WHERE title = ? LIMIT 1", title).id;
const roomId = (name: string) => one<{ id: number }>("SELECT id FROM rooms WHERE name = ? AND event_id = ?", name, forumId).id;
const pillarId = (slug: string) => one<{ id: number }>("SELECT id FROM pillars WHERE slug = ?", slug).id;

function sessionForm(overrides: Record<string, string>) {
  return {
    intent: "save",
    title: "A new workshop",
    kind: "workshop",
    pillarId: String(pillarId("independent-research")),
    roomId: String(roomId("Room C")),
    date: forumStart,
    startTime: "16:00",
    endTime: "17:00",
    attribution: "on_record",
    ...overrides,
  };
}

async function follow(cookie: string, eventId: number): Promise<{ socket: Socket; joined: { ok: boolean }; changes: AgendaChange[] }> {
  const socket = connectSocket(server, cookie);
  open.push(socket);
  const changes: AgendaChange[] = [];
  socket.on("agenda:changed", (c: AgendaChange) => changes.push(c));
  await onceConnected(socket);
  const joined = (await socket.timeout(5000).emitWithAck("event:join", { eventId })) as { ok: boolean };
  return { socket, joined, changes };
}

describe("conflicts are flagged, not silently allowed", () => {
  it("refuses a room that is taken, then saves when the editor accepts the clash", async () => {
    const clash = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({ title: "Double booked", roomId: String(roomId("Room A")), startTime: "11:00", endTime: "11:30" }),
      secretariat,
    );
    expect(clash.status).toBe(409);
    const html = await clash.text();
    expect(html).toContain("The room is already taken by");
    expect(html).toContain("Whole-of-society action plans");
    expect(html).toContain('value="Double booked"');
    expect(one<{ n: number }>("SELECT count(*) AS n FROM agenda_sessions WHERE title = 'Double booked'").n).toBe(0);

    const anyway = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({ title: "Double booked", roomId: String(roomId("Room A")), startTime: "11:00", endTime: "11:30", acceptConflicts: "1" }),
      secretariat,
    );
    expect(anyway.status).toBe(200);
    expect(one<{ n: number }>("SELECT count(*) AS n FROM agenda_sessions WHERE title = 'Double booked'").n).toBe(1);
  });

  it("flags a speaker in two places at once", async () => {
    const res = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({
        title: "Speaker clash",
        startTime: "14:30",
        endTime: "15:00",
        speakerIds: String(personId(server, "industry@convene.example")),
      }),
      secretariat,
    );
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Daniel Cho is speaking at");
  });

  it("flags a session outside the event's days", async () => {
    const dayBefore = new Date(Date.parse(`${forumStart}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const res = await post(server, `/events/${forumId}/timetable`, sessionForm({ title: "Too early", date: dayBefore }), secretariat);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("falls outside the event");
  });

  it("refuses an end before the start, keeping the form", async () => {
    const res = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({ title: "Backwards", startTime: "17:00", endTime: "16:00" }),
      secretariat,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('value="Backwards"');
  });

  it("adds a break to every room in one go, stored in UTC from the event's zone", async () => {
    const res = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({ title: "Coffee", kind: "break", pillarId: "", roomId: "", startTime: "15:30", endTime: "16:00", everyRoom: "1" }),
      secretariat,
    );
    expect(res.status).toBe(200);
    const rows = server.db.$client.prepare("SELECT starts_at AS startsAt FROM agenda_sessions WHERE title = 'Coffee'").all() as {
      startsAt: number;
    }[];
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.startsAt))).toEqual(new Set([zonedToUtc(forumStart, "15:30", "Europe/Brussels").getTime()]));
  });
});

describe("who may edit which track", () => {
  it("a facilitator edits the track they lead, and nothing else", async () => {
    const facilitator = await signInAs(server, "facilitator@convene.example");
    expect((await get(server, `/events/${forumId}/timetable`, facilitator)).status).toBe(200);
    const own = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({ title: "Research clinic", startTime: "17:00", endTime: "18:00" }),
      facilitator,
    );
    expect(own.status).toBe(200);
    const other = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({
        title: "Not mine",
        pillarId: String(pillarId("tech-innovation")),
        startTime: "17:00",
        endTime: "18:00",
        roomId: String(roomId("Room D")),
      }),
      facilitator,
    );
    expect(other.status).toBe(403);
    const move = await post(
      server,
      `/events/${forumId}/timetable`,
      {
        intent: "move",
        sessionId: String(sessionId("Hash-sharing between platforms: what is working")),
        roomId: String(roomId("Room D")),
        date: forumStart,
        startTime: "17:00",
        endTime: "18:00",
      },
      facilitator,
    );
    expect(move.status).toBe(403);
  });

  it("delegates and observers cannot open the editor", async () => {
    for (const email of ["government@convene.example", "observer@convene.example"]) {
      expect((await get(server, `/events/${forumId}/timetable`, await signInAs(server, email))).status).toBe(403);
    }
  });
});

describe("who may see an event", () => {
  let draftId: number;
  let groupsId: number;
  beforeAll(() => {
    const base = { kind: "convening" as const, year: 2027, startsOn: "2027-03-01", endsOn: "2027-03-01", timeZone: "UTC" };
    draftId = server.db
      .insert(events)
      .values({ ...base, title: "Draft convening", status: "draft" })
      .returning()
      .get().id;
    groupsId = server.db
      .insert(events)
      .values({ ...base, title: "Industry-only convening", status: "published", visibility: "groups", invitedGroups: ["industry"] })
      .returning()
      .get().id;
  });

  it("drafts are seen by the secretariat only", async () => {
    expect((await get(server, `/events/${draftId}`, secretariat)).status).toBe(200);
    expect((await get(server, `/events/${draftId}`, await signInAs(server, "ngo@convene.example"))).status).toBe(404);
  });

  it("a group-restricted event is seen by the invited stakeholder group only", async () => {
    expect((await get(server, `/events/${groupsId}`, await signInAs(server, "industry@convene.example"))).status).toBe(200);
    const ngo = await signInAs(server, "ngo@convene.example");
    expect((await get(server, `/events/${groupsId}`, ngo)).status).toBe(404);
    expect(await (await get(server, "/events", ngo)).text()).not.toContain("Industry-only convening");
  });

  it("the live room of an event is closed to people who may not see it", async () => {
    const { joined } = await follow(await signInAs(server, "ngo@convene.example"), draftId);
    expect(joined).toMatchObject({ ok: false, error: "forbidden" });
  });
});

describe("live agenda", () => {
  it("a change reaches sockets following the event, and no one else", async () => {
    const watcher = await follow(await signInAs(server, "government@convene.example"), forumId);
    expect(watcher.joined).toEqual({ ok: true });
    const bystander = connectSocket(server, await signInAs(server, "police@convene.example"));
    open.push(bystander);
    const heardByBystander: AgendaChange[] = [];
    bystander.on("agenda:changed", (c: AgendaChange) => heardByBystander.push(c));
    await onceConnected(bystander);

    const id = sessionId("Research on deterrence messaging");
    const received = new Promise<AgendaChange>((resolve) => watcher.socket.once("agenda:changed", resolve));
    const res = await post(
      server,
      `/events/${forumId}/timetable`,
      { intent: "move", sessionId: String(id), roomId: String(roomId("Room B")), date: forumStart, startTime: "14:00", endTime: "15:30" },
      secretariat,
    );
    expect(res.status).toBe(200);
    const change = await received;
    expect(change).toMatchObject({ eventId: forumId, sessionId: id, change: "moved" });
    // The change carries the whole session as the agenda shows it, so open pages need not reload; its title,
    // times and room are read from there, not repeated beside it (the message goes to every open page).
    expect(Object.keys(change).sort()).toEqual(["change", "eventId", "session", "sessionId"]);
    expect(change.session).toMatchObject({
      id,
      title: "Research on deterrence messaging",
      roomId: roomId("Room B"),
      roomName: "Room B",
      startsAt: zonedToUtc(forumStart, "14:00", "Europe/Brussels").toISOString(),
      endsAt: zonedToUtc(forumStart, "15:30", "Europe/Brussels").toISOString(),
      pillarSlug: "independent-research",
      sequence: 1,
    });
    // The same copy as the agenda's own list of sessions (the change reads it through a prepared query).
    expect(change.session).toEqual(sessionView(listSessions(server.db, forumId, id)[0]!));
    // The bystander's whoami round trip comes after the broadcast, so anything sent to it would have arrived.
    await bystander.timeout(5000).emitWithAck("whoami", {});
    expect(heardByBystander).toEqual([]);

    const audit = one<{ action: string; target_id: string }>("SELECT action, target_id FROM audit_log ORDER BY id DESC LIMIT 1");
    expect(audit).toEqual({ action: "agenda.session_moved", target_id: String(id) });
    expect(one<{ sequence: number }>("SELECT sequence FROM agenda_sessions WHERE id = ?", id).sequence).toBe(1);
  });

  it("cancelling reaches followers as a cancellation", async () => {
    const watcher = await follow(secretariat, forumId);
    const id = sessionId("A maturity model for newer companies");
    const received = new Promise<AgendaChange>((resolve) => watcher.socket.once("agenda:changed", resolve));
    expect((await post(server, `/events/${forumId}/timetable`, { intent: "cancel", sessionId: String(id) }, secretariat)).status).toBe(200);
    expect(await received).toMatchObject({ sessionId: id, change: "cancelled" });
  });

  it("rejects a malformed join", async () => {
    const { socket } = await follow(secretariat, forumId);
    expect(await socket.timeout(5000).emitWithAck("event:join", { eventId: "1; DROP TABLE" })).toMatchObject({
      ok: false,
      error: "invalid_payload",
    });
  });
});

describe("personal agenda", () => {
  it("stars sessions and shows clashes among them", async () => {
    const me = await signInAs(server, "observer@convene.example");
    for (const title of ["Whole-of-society action plans", "Rapid response protocols for new abuse vectors"]) {
      expect(
        (await post(server, `/events/${forumId}`, { intent: "star", sessionId: String(sessionId(title)), starred: "1" }, me)).status,
      ).toBe(200);
    }
    const html = await (await get(server, `/events/${forumId}?mine=1`, me)).text();
    expect(html).toContain("Clashes with Rapid response protocols for new abuse vectors in your agenda.");
  });
});

describe("editing keeps what it does not change", () => {
  it("guest speakers survive an edit of another field", async () => {
    const created = await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({
        title: "Guest panel",
        kind: "panel",
        startTime: "08:00",
        endTime: "08:45",
        roomId: String(roomId("Room D")),
        guests: "Dr Amal Haddad, Regional Hotline\nJo Park",
      }),
      secretariat,
    );
    expect(created.status).toBe(200);
    const id = sessionId("Guest panel");
    const editor = await (await get(server, `/events/${forumId}/timetable?session=${id}`, secretariat)).text();
    expect(editor).toContain("Dr Amal Haddad, Regional Hotline\nJo Park");
    // Save again, as the form would, with only the title changed.
    await post(
      server,
      `/events/${forumId}/timetable`,
      sessionForm({
        sessionId: String(id),
        title: "Guest panel (renamed)",
        kind: "panel",
        startTime: "08:00",
        endTime: "08:45",
        roomId: String(roomId("Room D")),
        guests: "Dr Amal Haddad, Regional Hotline\nJo Park",
      }),
      secretariat,
    );
    const guests = server.db.$client
      .prepare("SELECT guest_name AS name, guest_organisation AS org FROM session_speakers WHERE session_id = ? ORDER BY position")
      .all(id);
    expect(guests).toEqual([
      { name: "Dr Amal Haddad", org: "Regional Hotline" },
      { name: "Jo Park", org: null },
    ]);
  });
});

describe("the agenda page's kept sessions and its one star form", () => {
  it("stars and unstars from the list's one form, as a browser without scripts posts it", async () => {
    const ngo = await signInAs(server, "ngo@convene.example");
    const id = sessionId("Hash-sharing between platforms: what is working");
    const starredBy = () =>
      server.db.$client
        .prepare("SELECT count(*) AS n FROM agenda_stars WHERE session_id = ? AND user_id = ?")
        .get(id, personId(server, "ngo@convene.example")) as {
        n: number;
      };
    expect((await post(server, `/events/${forumId}?index`, { intent: "star", star: `${id}:1` }, ngo)).status).toBeLessThan(400);
    expect(starredBy().n).toBe(1);
    expect((await post(server, `/events/${forumId}?index`, { intent: "star", star: `${id}:0` }, ngo)).status).toBeLessThan(400);
    expect(starredBy().n).toBe(0);
    expect((await post(server, `/events/${forumId}?index`, { intent: "star", star: "12;drop:1" }, ngo)).status).toBe(400);
  });

  it("shows a change made by any path, even straight in the database, on the next page load", async () => {
    const police = await signInAs(server, "police@convene.example");
    const page = async () => (await get(server, `/events/${forumId}?day=${forumStart}`, police)).text();
    const speaker = one<{ userId: number; name: string }>(
      `SELECT u.id AS userId, u.name FROM session_speakers sp JOIN users u ON u.id = sp.user_id
        JOIN agenda_sessions s ON s.id = sp.session_id WHERE s.event_id = ? AND s.starts_at < ? LIMIT 1`,
      forumId,
      zonedToUtc(forumStart, "23:59", "UTC").getTime() + 86_400_000,
    );
    const title = "Hash-sharing between platforms: what is working";
    expect(await page()).toContain(speaker.name);
    server.db.$client.prepare("UPDATE users SET name = ? WHERE id = ?").run(`${speaker.name} (renamed)`, speaker.userId);
    server.db.$client.prepare("UPDATE agenda_sessions SET title = ? WHERE id = ?").run(`${title} (retitled)`, sessionId(title));
    const after = await page();
    expect(after).toContain(`${speaker.name} (renamed)`);
    expect(after).toContain(`${title} (retitled)`);
    server.db.$client.prepare("UPDATE users SET name = ? WHERE id = ?").run(speaker.name, speaker.userId);
    server.db.$client.prepare("UPDATE agenda_sessions SET title = ? WHERE title = ?").run(title, `${title} (retitled)`);
  });
});
