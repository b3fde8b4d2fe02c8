import type { Db } from "../../db/client";
import { saveSession } from "../../app/models/agenda.server";
import {
  actorOf,
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  makeEvent,
  makePerson,
  makeSession,
  screens,
  SECRETARIAT,
  test,
  type TestEvent,
} from "./fixtures";

const meta = { ipAddress: null, userAgent: "test" };

/** A session with a limited number of places. */
function sessionWithPlaces(db: Db, event: TestEvent, title: string, capacity: number): number {
  const id = makeSession(db, event, { title, start: "14:00", end: "15:00", room: "Room A" });
  db.$client.prepare("UPDATE agenda_sessions SET capacity = ? WHERE id = ?").run(capacity, id);
  return id;
}

/** A plenary in every room of the event, as the timetable editor's "Add to every room" makes it. */
function plenaryInEveryRoom(db: Db, event: TestEvent, title: string): void {
  const saved = saveSession(
    db,
    actorOf(db, SECRETARIAT),
    event.row,
    null,
    {
      title,
      kind: "plenary",
      description: "",
      roomId: event.rooms["Main hall"]!,
      pillarId: null,
      date: event.startsOn,
      startTime: "09:00",
      endTime: "10:00",
      capacity: null,
      attribution: "on_record",
      speakerIds: [],
      guests: [],
    },
    { acceptConflicts: true, everyRoom: true },
    meta,
  );
  if (!saved.ok || saved.sessionIds.length !== 3) throw new Error(`the plenary was not set in every room: ${JSON.stringify(saved)}`);
}

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use({ ...screens[screen], timezoneId: "Europe/Brussels", locale: "en-GB" });

    test("the agenda opens on its day tabs and sessions, with filters and exports behind one control each and a plenary as one card", async ({
      page,
      db,
      signIn,
      context,
    }) => {
      const event = makeEvent(db, { title: `Convening on safety by design ${screen}` });
      plenaryInEveryRoom(db, event, "Opening plenary: the year in review");
      makeSession(db, event, {
        title: "Hash-sharing between platforms",
        start: "10:30",
        end: "12:00",
        room: "Room A",
        pillar: "tech-innovation",
      });
      await signIn(context, await makePerson(db, { organisation: "Children First Alliance (demo)" }));
      await page.goto(`/events/${event.id}`);

      await expect(page.getByRole("navigation", { name: "Days" })).toBeInViewport();
      const first = page.getByTestId("agenda-session").first();
      const box = (await first.boundingBox())!;
      expect(box.y).toBeLessThan(page.viewportSize()!.height);
      await expect(first).toContainText("Opening plenary");

      // One card for the plenary, in every room.
      await expect(page.getByTestId("agenda-session").filter({ hasText: "Opening plenary" })).toHaveCount(1);
      await expect(first.locator("h3 + .card__meta")).toHaveText("All rooms");

      // The filters are behind one control, which says how many are on.
      const search = page.getByLabel("Search");
      await expect(search).toBeHidden();
      await page.getByTestId("filters-toggle").click();
      await search.fill("hash");
      await page.getByRole("button", { name: "Filter", exact: true }).click();
      await expect(page.getByTestId("filters-toggle")).toHaveText(/Filters \(1 active\)/);
      await expect(page.getByTestId("agenda-session")).toHaveCount(1);

      // The exports are behind one control too.
      await expect(page.getByRole("link", { name: "Download this agenda (.ics)" })).toBeHidden();
      await page.getByText("Export / add to calendar").click();
      await expect(page.getByRole("link", { name: "Download this agenda (.ics)" })).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("a Los Angeles viewer of a Sydney event sees the day a session falls on for them", async ({ browser, db, signIn }) => {
      const event = makeEvent(db, { startsOn: "2027-04-03", days: 2, timeZone: "Australia/Sydney" });
      // Sun 4 Apr, 09:30 in Sydney is Sat 3 Apr, 16:30 in Los Angeles.
      const id = makeSession(db, event, { title: "Regional hotline cooperation", date: "2027-04-04", start: "09:30", end: "10:30" });
      const context = await browser.newContext({ ...screens[screen], timezoneId: "America/Los_Angeles", locale: "en-GB" });
      await signIn(context, await makePerson(db));
      const page = await context.newPage();
      await page.goto(`/events/${event.id}?day=2027-04-04`);
      const card = page.locator(`[data-session-id="${id}"]`);
      await expect(card.locator("time")).toHaveText("Sat 3 Apr, 16:30–17:30");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      // In the event's own time it is the tab's day, and the date is not repeated.
      await page.getByRole("link", { name: /Show the event's local time/ }).click();
      await expect(card.locator("time")).toHaveText("09:30–10:30");
      await context.close();
    });

    test("a live move shows a notice with its date where the person is, until they dismiss it", async ({ browser, db, signIn, server }) => {
      const event = makeEvent(db, { startsOn: `${new Date().getUTCFullYear() + 1}-03-10`, timeZone: "Europe/Brussels" });
      const id = makeSession(db, event, { title: "Panel on age assurance", kind: "panel", start: "10:00", end: "11:00", room: "Room A" });
      const context = await browser.newContext({ ...screens[screen], timezoneId: "Asia/Tokyo", locale: "en-GB" });
      await signIn(context, await makePerson(db));
      const page = await context.newPage();
      await page.goto(`/events/${event.id}`);
      await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
      await expect(page.getByTestId("live-status")).toBeInViewport();

      const admin = await browser.newContext();
      await signIn(admin, SECRETARIAT);
      // 16:00 in Brussels (CET) is 00:00 the next day in Tokyo.
      const res = await admin.request.post(`/events/${event.id}/timetable`, {
        form: {
          intent: "move",
          sessionId: String(id),
          roomId: String(event.rooms["Room B"]),
          date: event.startsOn,
          startTime: "16:00",
          endTime: "17:00",
          acceptConflicts: "1",
        },
        headers: { Origin: server.url },
      });
      expect(res.status()).toBe(200);
      const notice = page.getByTestId("agenda-notice");
      await expect(notice).toHaveText(/^Panel moved to \w{3} 11 Mar, 00:00, Room B: Panel on age assurance$/);
      await expect(notice).toBeInViewport();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      // It stays until dismissed, from the keyboard too.
      await page.getByRole("button", { name: /^Dismiss/ }).focus();
      await page.keyboard.press("Enter");
      await expect(notice).toHaveCount(0);
      await admin.close();
      await context.close();
    });

    test("taking a place registers for an event without approval and puts the session in my agenda; a full session offers the waiting list", async ({
      page,
      db,
      signIn,
      context,
    }) => {
      const event = makeEvent(db);
      const title = "Clinic: reporting flows for small platforms";
      const id = sessionWithPlaces(db, event, title, 5);
      const fullTitle = "Masterclass: grooming detection";
      const full = sessionWithPlaces(db, event, fullTitle, 1);
      const someoneElse = await makePerson(db);
      db.$client
        .prepare("INSERT INTO session_registrations (session_id, user_id, status) VALUES (?, ?, 'confirmed')")
        .run(full, someoneElse.id);
      await signIn(context, await makePerson(db));
      await page.goto(`/events/${event.id}`);

      const card = page.locator(`[data-session-id="${id}"]`);
      await expect(card).toContainText("Taking a place also registers you for this event.");
      await card.getByRole("button", { name: `Take a place in “${title}”` }).click();
      await expect(card.getByRole("status")).toHaveText(/registered for this event/);
      await expect(card.getByRole("button", { name: `Add ${title} to my agenda` })).toHaveAttribute("aria-pressed", "true");
      await expect(page.locator("#registration")).toContainText("You are registered");

      const fullCard = page.locator(`[data-session-id="${full}"]`);
      await expect(fullCard.getByRole("button", { name: `Join the waiting list for “${fullTitle}”` })).toBeVisible();
      await expect(fullCard.getByRole("button", { name: /^Take a place/ })).toHaveCount(0);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // My agenda lists it.
      await page.goto(`/events/${event.id}?mine=1`);
      await expect(page.getByTestId("agenda-session")).toHaveCount(1);
      await expect(page.getByTestId("agenda-session")).toContainText(title);
    });

    test("where approval is needed the button gives way to an explanation, and an observer sees no button", async ({
      browser,
      db,
      signIn,
    }) => {
      const event = makeEvent(db, { registrationRequiresApproval: true });
      const title = "Closed-door briefing on offender tactics";
      const id = sessionWithPlaces(db, event, title, 5);

      const delegateContext = await browser.newContext(screens[screen]);
      await signIn(delegateContext, await makePerson(db));
      const delegate = await delegateContext.newPage();
      await delegate.goto(`/events/${event.id}`);
      const card = delegate.locator(`[data-session-id="${id}"]`);
      await expect(card.getByTestId("place-needs-registration")).toBeVisible();
      await expect(card.getByRole("button", { name: /Take a place/ })).toHaveCount(0);
      await expect(card.getByRole("link", { name: "Register for the event first" })).toHaveAttribute("href", "#registration");
      await expectAccessible(delegate);
      await expectNoSidewaysScroll(delegate);
      await delegateContext.close();

      const observerContext = await browser.newContext(screens[screen]);
      await signIn(observerContext, await makePerson(db, { role: "observer" }));
      const observer = await observerContext.newPage();
      await observer.goto(`/events/${event.id}`);
      const seen = observer.locator(`[data-session-id="${id}"]`);
      await expect(seen).toContainText("Observers follow the sessions but do not take places.");
      await expect(seen.getByRole("button", { name: /Take a place|waiting list/ })).toHaveCount(0);
      await expectAccessible(observer);
      await expectNoSidewaysScroll(observer);
      await observerContext.close();
    });
  });
}
