import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decideRegistrations,
  myEventRegistration,
  registerForEvent,
  releasePlace,
  takePlace,
  withdrawFromEvent,
} from "../../app/models/registrations.server";
import { starredSessionIds } from "../../app/models/stars.server";
import { personalCalendar } from "../../app/models/calendar.server";
import { actorOf, makeEvent, makePerson, makeSession, SECRETARIAT } from "../support/factories";
import { startServer, type TestServer } from "../support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const meta = { ipAddress: "127.0.0.1", userAgent: "test" };

/** A session with `capacity` places at a new event of its own. */
function sessionWithPlaces(options: { capacity: number; approval?: boolean; title?: string }) {
  const event = makeEvent(server.db, { registrationRequiresApproval: options.approval ?? false });
  const title = options.title ?? "Hands-on clinic";
  const id = makeSession(server.db, event, { title, start: "10:00", end: "11:00" });
  server.db.$client.prepare("UPDATE agenda_sessions SET capacity = ? WHERE id = ?").run(options.capacity, id);
  return { event, id, title };
}

describe("taking a place in a session", () => {
  it("registers the person for an event that needs no approval, in the same step, and puts the session in their agenda and feed", async () => {
    const { event, id, title } = sessionWithPlaces({ capacity: 5 });
    const person = await makePerson(server.db);
    const actor = actorOf(server.db, person.id);
    expect(myEventRegistration(server.db, person.id, event.id)).toBeNull();

    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: true, place: "confirmed", registered: true, events: [] });
    expect(myEventRegistration(server.db, person.id, event.id)?.status).toBe("approved");
    expect(starredSessionIds(server.db, person.id, event.id)).toEqual([id]);
    expect(personalCalendar(server.db, person.id, { baseUrl: "http://localhost" })).toContain(`SUMMARY:${title}`);

    // Taking it again changes nothing and registers no one twice.
    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: true, place: "confirmed", registered: false, events: [] });

    // Giving the place up takes the session out of the agenda again.
    expect(releasePlace(server.db, actor, event.row, id, meta)).toMatchObject({ ok: true, released: true });
    expect(starredSessionIds(server.db, person.id, event.id)).toEqual([]);
  });

  it("is refused until the secretariat approves the registration, where the event asks for approval", async () => {
    const { event, id } = sessionWithPlaces({ capacity: 5, approval: true });
    const person = await makePerson(server.db);
    const actor = actorOf(server.db, person.id);

    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: false, error: "errors.registrationNeeded" });
    expect(myEventRegistration(server.db, person.id, event.id)).toBeNull();

    expect(registerForEvent(server.db, actor, event.row, meta)).toMatchObject({ ok: true, status: "pending" });
    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: false, error: "errors.registrationPending" });
    const count = (sql: string, ...args: unknown[]) => (server.db.$client.prepare(sql).get(...args) as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM session_registrations WHERE session_id = ?", id)).toBe(0);

    const registrationId = count("SELECT id AS n FROM event_registrations WHERE event_id = ? AND user_id = ?", event.id, person.id);
    decideRegistrations(server.db, actorOf(server.db, SECRETARIAT), event.id, [registrationId], "approved", meta);
    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: true, place: "confirmed", registered: false, events: [] });

    // Declined later: the place goes, to the next person waiting.
    decideRegistrations(server.db, actorOf(server.db, SECRETARIAT), event.id, [registrationId], "declined", meta);
    expect(count("SELECT count(*) AS n FROM session_registrations WHERE session_id = ?", id)).toBe(0);
    expect(takePlace(server.db, actor, event.row, id, meta)).toEqual({ ok: false, error: "errors.registrationDeclined" });
  });

  it("refuses observers, who follow sessions but take no places", async () => {
    const { event, id } = sessionWithPlaces({ capacity: 5 });
    const observer = await makePerson(server.db, { role: "observer" });
    expect(takePlace(server.db, actorOf(server.db, observer.id), event.row, id, meta)).toEqual({
      ok: false,
      error: "errors.observerNoPlace",
    });
    expect(myEventRegistration(server.db, observer.id, event.id)).toBeNull();
  });

  it("withdrawing from the event gives up its places, and the next person waiting moves up and is told", async () => {
    const { event, id, title } = sessionWithPlaces({ capacity: 1 });
    const [first, second] = [await makePerson(server.db), await makePerson(server.db)];
    expect(takePlace(server.db, actorOf(server.db, first.id), event.row, id, meta)).toMatchObject({ place: "confirmed" });
    expect(takePlace(server.db, actorOf(server.db, second.id), event.row, id, meta)).toMatchObject({ place: "waitlisted" });
    expect(withdrawFromEvent(server.db, actorOf(server.db, first.id), event.row, meta)).toEqual({
      ok: true,
      withdrawn: true,
      events: [{ type: "place.promoted", userId: second.id, eventId: event.id, sessionId: id, title }],
    });
  });
});
