/**
 * Actions that cannot easily be undone are asked first, and the server holds to it: posted without the
 * answer (as a page without script, or a stale form, would), back to draft, archiving, creating the next
 * convening and deactivating a person change nothing and answer with the question.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeries } from "../../app/models/events.server";
import { makeEvent, makePerson } from "../support/factories";
import { post, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
let secretariat: string;
beforeAll(async () => {
  server = await startServer();
  secretariat = await signInAs(server, "secretariat@convene.example");
});
afterAll(() => server.close());

const one = <T>(sql: string, ...args: unknown[]) => server.db.$client.prepare(sql).get(...args) as T;
const statusOf = (eventId: number) => one<{ status: string }>("SELECT status FROM events WHERE id = ?", eventId).status;
const eventCount = () => one<{ n: number }>("SELECT count(*) AS n FROM events").n;

describe("asked first", () => {
  it("back to draft and archiving change nothing without the answer, and are done with it", async () => {
    const event = makeEvent(server.db);
    for (const intent of ["unpublish", "archive"]) {
      const asked = await post(server, `/events/${event.id}/settings`, { intent }, secretariat);
      expect(asked.status).toBe(200);
      expect(await asked.text()).toContain(intent === "archive" ? "Yes, archive it" : "Yes, back to draft");
      expect(statusOf(event.id)).toBe("published");
    }
    expect((await post(server, `/events/${event.id}/settings`, { intent: "archive", confirm: "yes" }, secretariat)).status).toBe(200);
    expect(statusOf(event.id)).toBe("archived");
    // Publishing is not asked: it is undone by going back to draft.
    expect((await post(server, `/events/${event.id}/settings`, { intent: "publish" }, secretariat)).status).toBe(200);
    expect(statusOf(event.id)).toBe("published");
    expect((await post(server, `/events/${event.id}/settings`, { intent: "unpublish", confirm: "yes" }, secretariat)).status).toBe(200);
    expect(statusOf(event.id)).toBe("draft");
  });

  it("creating the next convening of a series makes nothing without the answer, and one with it", async () => {
    const series = createSeries(server.db, `Series ${Date.now()}`, "quarterly");
    const event = makeEvent(server.db, { seriesId: series.id });
    const before = eventCount();
    const asked = await post(server, `/events/${event.id}/settings`, { intent: "next" }, secretariat);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain("Yes, create the next one");
    expect(eventCount()).toBe(before);
    const made = await post(server, `/events/${event.id}/settings`, { intent: "next", confirm: "yes" }, secretariat);
    expect(made.status).toBe(302);
    expect(eventCount()).toBe(before + 1);
  });

  it("deactivating a person changes nothing without the answer, and signs them out with it", async () => {
    const person = await makePerson(server.db);
    await signInAs(server, person.email, person.password);
    const asked = await post(server, "/people", { intent: "deactivate", personId: String(person.id) }, secretariat);
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain(`Yes, deactivate ${person.name}`);
    expect(one<{ status: string }>("SELECT status FROM users WHERE id = ?", person.id).status).toBe("active");
    expect(one<{ n: number }>("SELECT count(*) AS n FROM sessions WHERE user_id = ?", person.id).n).toBeGreaterThan(0);

    const done = await post(server, "/people", { intent: "deactivate", personId: String(person.id), confirm: "yes" }, secretariat);
    expect(done.status).toBe(200);
    expect(one<{ status: string }>("SELECT status FROM users WHERE id = ?", person.id).status).toBe("deactivated");
  });

  it("asks nobody who may not do it: they are refused as before", async () => {
    const event = makeEvent(server.db);
    const facilitator = await signInAs(server, "facilitator@convene.example");
    expect((await post(server, `/events/${event.id}/settings`, { intent: "archive" }, facilitator)).status).toBe(403);
    expect(statusOf(event.id)).toBe("published");
  });
});
