import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SentPerson, SentSession } from "../../app/utils/agenda-data";
import { makeEvent, makePerson, makeSession } from "../support/factories";
import { get, post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const placeOf = (sessionId: number, userId: number) =>
  server.db.$client.prepare("SELECT status FROM session_registrations WHERE session_id = ? AND user_id = ?").get(sessionId, userId) as
    { status: string } | undefined;

describe("the agenda page's one places form", () => {
  it("takes and gives up a place from the list's one form, as a browser without scripts posts it", async () => {
    const event = makeEvent(server.db);
    const title = "Clinic: reporting flows for small platforms";
    const id = makeSession(server.db, event, { title, start: "10:00", end: "11:00" });
    server.db.$client.prepare("UPDATE agenda_sessions SET capacity = 5 WHERE id = ?").run(id);
    const person = await makePerson(server.db);
    const cookie = await signInAs(server, person.email, person.password);

    // Every place button names its session and submits the list's one form; no card has a form of its own.
    const before = await (await get(server, `/events/${event.id}`, cookie)).text();
    expect(before).toContain('<form method="post" action="/events/' + event.id + '?index" id="agenda-places" hidden="">');
    expect(before).toMatch(
      new RegExp(`<button form="agenda-places" name="place" value="${id}:take"[^>]*>Take a place in “${title}”</button>`),
    );
    expect(before).not.toContain('name="sessionId"');

    expect((await post(server, `/events/${event.id}?index`, { intent: "place", place: `${id}:take` }, cookie)).status).toBeLessThan(400);
    expect(placeOf(id, person.id)?.status).toBe("confirmed");
    const after = await (await get(server, `/events/${event.id}`, cookie)).text();
    expect(after).toContain(`value="${id}:release"`);
    expect(after).toContain(`Cancel my place in “${title}”`);

    expect((await post(server, `/events/${event.id}?index`, { intent: "place", place: `${id}:release` }, cookie)).status).toBeLessThan(400);
    expect(placeOf(id, person.id)).toBeUndefined();

    for (const place of [`${id}:steal`, `${id}`, "x:take", `${id},${id}:take`])
      expect((await post(server, `/events/${event.id}?index`, { intent: "place", place }, cookie)).status).toBe(400);
  });
});

describe("the agenda page's data names each room and speaker once", () => {
  it("sends the shown sessions with their speakers as indexes into one list of people, and their rooms by id", async () => {
    const forum = server.db.$client.prepare("SELECT id, starts_on AS startsOn FROM events WHERE kind = 'forum'").get() as {
      id: number;
      startsOn: string;
    };
    const cookie = await signInAs(server, "police@convene.example");
    const res = await get(server, `/events/${forum.id}.data?day=${forum.startsOn}`, cookie);
    const routes = (await decode(res.body!)).value as Record<
      string,
      { data: { sessions: SentSession[]; people: SentPerson[]; rooms: { id: number; name: string }[] } }
    >;
    const { sessions, people, rooms } = routes["routes/events.$id._index"]!.data;
    expect(sessions.length).toBeGreaterThan(0);
    const rows = server.db.$client
      .prepare(
        `SELECT s.id, s.room_id AS roomId, u.name FROM agenda_sessions s
          JOIN session_speakers sp ON sp.session_id = s.id JOIN users u ON u.id = sp.user_id WHERE s.event_id = ?`,
      )
      .all(forum.id) as { id: number; roomId: number | null; name: string }[];
    const spoken = sessions.filter((s) => s[10].length > 0);
    expect(spoken.length).toBeGreaterThan(0);
    for (const s of spoken) {
      const names = s[10].map((i) => people[i]![1]).sort();
      expect(names).toEqual(
        rows
          .filter((r) => r.id === s[0])
          .map((r) => r.name)
          .sort(),
      );
    }
    // Each person once, and every session's room is one of the rooms sent.
    expect(new Set(people.map((p) => JSON.stringify(p))).size).toBe(people.length);
    for (const s of sessions) if (s[6] !== null) expect(rooms.map((r) => r.id)).toContain(s[6]);
  });
});

describe("the agenda page's reader's data", () => {
  it("reads each reader's stars, registration, places and tracks afresh on every load, changed straight in the database", async () => {
    const event = makeEvent(server.db);
    const first = makeSession(server.db, event, { title: "Clinic: takedown notices", start: "10:00", end: "11:00", room: "Room A" });
    const second = makeSession(server.db, event, { title: "Clinic: appeals", start: "10:30", end: "11:30", room: "Room B" });
    server.db.$client.prepare("UPDATE agenda_sessions SET capacity = 1 WHERE id = ?").run(first);
    const [ana, ben, lead] = [
      await makePerson(server.db),
      await makePerson(server.db),
      await makePerson(server.db, { role: "facilitator" }),
    ];
    const sql = (statement: string, ...values: unknown[]) => server.db.$client.prepare(statement).run(...values);
    sql("INSERT INTO agenda_stars (user_id, session_id) VALUES (?, ?), (?, ?)", ana.id, first, ana.id, second);
    sql("INSERT INTO event_registrations (event_id, user_id, status) VALUES (?, ?, 'approved')", event.id, ana.id);
    sql(
      "INSERT INTO session_registrations (session_id, user_id, status) VALUES (?, ?, 'confirmed'), (?, ?, 'waitlisted')",
      first,
      ana.id,
      first,
      ben.id,
    );

    type ReaderData = {
      starred: number[];
      clashWith: Record<number, string[]>;
      registration: { status: string } | null;
      placeAccess: string | null;
      places: Record<number, { confirmed: number; waitlisted: number }>;
      myPlaces: Record<number, { status: string; position?: number }>;
      canEdit: boolean;
      pillars: { id: number; slug: string }[];
    };
    const cookies = new Map<number, string>();
    const load = async (person: { id: number; email: string; password: string }) => {
      if (!cookies.has(person.id)) cookies.set(person.id, await signInAs(server, person.email, person.password));
      const res = await get(server, `/events/${event.id}.data`, cookies.get(person.id));
      const routes = (await decode(res.body!)).value as Record<string, { data: ReaderData }>;
      const { starred, clashWith, registration, placeAccess, places, myPlaces, canEdit, pillars } =
        routes["routes/events.$id._index"]!.data;
      return {
        starred: [...starred].sort((a, b) => a - b),
        clashWith,
        registration: registration?.status ?? null,
        placeAccess,
        places,
        myPlaces,
        canEdit,
        pillars,
      };
    };
    const pillars = server.db.$client.prepare("SELECT id, slug FROM pillars ORDER BY position").all();
    const places = { [first]: { confirmed: 1, waitlisted: 1 } };

    expect(await load(ana)).toEqual({
      starred: [first, second].sort((a, b) => a - b),
      clashWith: { [first]: ["Clinic: appeals"], [second]: ["Clinic: takedown notices"] },
      registration: "approved",
      placeAccess: "registered",
      places,
      myPlaces: { [first]: { status: "confirmed" } },
      canEdit: false,
      pillars,
    });
    expect(await load(ben)).toEqual({
      starred: [],
      clashWith: {},
      registration: null,
      placeAccess: "registersOnTake",
      places,
      myPlaces: { [first]: { status: "waitlisted", position: 1 } },
      canEdit: false,
      pillars,
    });
    expect((await load(lead)).canEdit).toBe(false);

    // Changed behind the models' back: every reader's next page shows it.
    sql("DELETE FROM agenda_stars WHERE user_id = ? AND session_id = ?", ana.id, second);
    sql("UPDATE event_registrations SET status = 'pending' WHERE user_id = ? AND event_id = ?", ana.id, event.id);
    sql("DELETE FROM session_registrations WHERE user_id = ? AND session_id = ?", ana.id, first);
    sql(
      "INSERT INTO track_leads (event_id, pillar_id, user_id) VALUES (?, (SELECT id FROM pillars ORDER BY position LIMIT 1), ?)",
      event.id,
      lead.id,
    );
    const after = { [first]: { confirmed: 0, waitlisted: 1 } };
    expect(await load(ana)).toEqual({
      starred: [first],
      clashWith: {},
      registration: "pending",
      placeAccess: "pending",
      places: after,
      myPlaces: {},
      canEdit: false,
      pillars,
    });
    expect((await load(ben)).places).toEqual(after);
    expect((await load(lead)).canEdit).toBe(true);
  });
});
