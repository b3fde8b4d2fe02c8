/**
 * The timetable editor and the actions that ask first, as the people who use them meet them: a new-session
 * form that starts clean after each save, an empty slot that starts a session there, a drag that shows where
 * the session will land and a move that can be undone; and "Back to draft", "Archive", "Create the next one"
 * and "Deactivate", each asked first, Cancel changing nothing.
 */
import type { Db } from "../../db/client";
import {
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  makeEvent,
  makePerson,
  makeSession,
  screens,
  test,
  type ScreenName,
} from "./fixtures";

const statusOf = (db: Db, id: number) =>
  (db.$client.prepare("SELECT status FROM events WHERE id = ?").get(id) as { status: string }).status;

for (const screen of ["phone", "desktop"] as ScreenName[]) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("an empty slot starts a session there, and after Save the form starts clean", async ({ page, db, signIn }) => {
      const event = makeEvent(db, { days: 1, rooms: ["Main hall", "Room A"] });
      const speakerPerson = await makePerson(db);
      await signIn(page.context(), "secretariat@convene.example");
      await page.goto(`/events/${event.id}/timetable`);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      const form = page.locator("#session-form");

      // Clicking an empty slot: the form is prefilled with its room and time, and the title has focus.
      await page.getByRole("link", { name: "New session in Room A at 10:00" }).click();
      await expect(form.getByLabel("Title")).toBeFocused();
      await expect(form.getByLabel("Room", { exact: true })).toHaveValue(String(event.rooms["Room A"]));
      await expect(form.getByLabel("Starts")).toHaveValue("10:00");
      await expect(form.getByLabel("Ends")).toHaveValue("11:00");
      await expect(form.getByLabel("Day")).toHaveValue(event.startsOn);

      // A session with speakers, a place limit and a track.
      await page.keyboard.type("Hotline data in practice");
      await form.getByLabel("Track").selectOption({ index: 1 });
      await form.getByLabel("Capacity").fill("30");
      const speaker = form.getByRole("group", { name: "Speakers from Convene" }).getByRole("checkbox", { name: speakerPerson.name });
      await speaker.check();
      await form.getByRole("button", { name: "Save", exact: true }).click();
      await expect(page.getByText("Saved. Everyone viewing the agenda sees the change.")).toBeVisible();
      await expect(page.getByTestId("tt-session").filter({ hasText: "Hotline data in practice" })).toContainText("10:00–11:00");

      // The next session starts from nothing: no title, speakers, place limit or track of the last one.
      await expect(form.getByRole("heading", { name: "New session" })).toBeVisible();
      await expect(form.getByLabel("Title")).toHaveValue("");
      await expect(form.getByLabel("Capacity")).toHaveValue("");
      await expect(form.getByLabel("Track")).toHaveValue("");
      await expect(speaker).not.toBeChecked();
      await expect(form.getByLabel("Room", { exact: true })).toHaveValue("");
      // The slot it took no longer offers a new session.
      await expect(page.getByRole("link", { name: "New session in Room A at 10:00" })).toHaveCount(0);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // The empty slots are one stop for the keyboard: arrows move between them, Enter starts one there.
      const first = page.getByRole("link", { name: "New session in Main hall at 08:00" });
      await first.focus();
      await page.keyboard.press("ArrowDown");
      await expect(page.getByRole("link", { name: "New session in Main hall at 08:15" })).toBeFocused();
      await page.keyboard.press("ArrowRight");
      await expect(page.getByRole("link", { name: "New session in Room A at 08:15" })).toBeFocused();
      await page.keyboard.press("Enter");
      await expect(form.getByLabel("Title")).toBeFocused();
      await expect(form.getByLabel("Starts")).toHaveValue("08:15");
    });

    test("Back to draft, Archive and Create the next one ask first; Cancel changes nothing", async ({ page, db, signIn }) => {
      const seriesId = (db.$client.prepare("SELECT id FROM event_series ORDER BY id LIMIT 1").get() as { id: number }).id;
      const event = makeEvent(db, { seriesId, days: 1, rooms: ["Main hall"] });
      await signIn(page.context(), "secretariat@convene.example");
      await page.goto(`/events/${event.id}/settings`);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      const question = page.getByRole("alertdialog");

      // Back to draft: asked, cancelled (focus returns to the button), then done.
      await page.getByRole("button", { name: "Back to draft", exact: true }).click();
      await expect(question).toContainText(`Take “${event.title}” back to draft?`);
      await expect(question).toBeFocused();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      await question.getByRole("link", { name: "Cancel" }).click();
      await expect(question).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Back to draft", exact: true })).toBeFocused();
      expect(statusOf(db, event.id)).toBe("published");
      await page.getByRole("button", { name: "Back to draft", exact: true }).click();
      await question.getByRole("button", { name: "Yes, back to draft" }).click();
      await expect(page.getByText("Back to draft: only the secretariat sees it.")).toBeVisible();
      expect(statusOf(db, event.id)).toBe("draft");

      // Archive.
      await page.getByRole("button", { name: "Archive", exact: true }).click();
      await expect(question).toContainText(`Archive “${event.title}”?`);
      await expect(question).toBeFocused();
      await question.getByRole("link", { name: "Cancel" }).click();
      await expect(question).toHaveCount(0);
      expect(statusOf(db, event.id)).toBe("draft");
      await page.getByRole("button", { name: "Archive", exact: true }).click();
      await question.getByRole("button", { name: "Yes, archive it" }).click();
      await expect(page.getByText("Archived.", { exact: true })).toBeVisible();
      expect(statusOf(db, event.id)).toBe("archived");

      // Create the next one in this series.
      const events = () => (db.$client.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
      const before = events();
      await page.getByRole("button", { name: "Create the next one in this series" }).click();
      await expect(question).toBeFocused();
      await expectAccessible(page);
      await question.getByRole("link", { name: "Cancel" }).click();
      await expect(question).toHaveCount(0);
      expect(events()).toBe(before);
      await page.getByRole("button", { name: "Create the next one in this series" }).click();
      await question.getByRole("button", { name: "Yes, create the next one" }).click();
      await expect(page.getByText("The event was created as a draft.")).toBeVisible();
      expect(events()).toBe(before + 1);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("Deactivate asks first; Cancel leaves the person active", async ({ page, db, signIn }) => {
      const person = await makePerson(db, { name: `Ines Moreau ${screen}` });
      await signIn(page.context(), "secretariat@convene.example");
      await page.goto("/people");
      const row = page.getByTestId(`person-${person.email}`);
      const question = page.getByRole("alertdialog");

      await row.getByRole("button", { name: `Deactivate ${person.name}` }).click();
      await expect(question).toContainText(`Deactivate ${person.name}?`);
      await expect(question).toBeFocused();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      await question.getByRole("link", { name: "Cancel" }).click();
      await expect(question).toHaveCount(0);
      await expect(row.getByText("Active", { exact: true })).toBeVisible();

      await row.getByRole("button", { name: `Deactivate ${person.name}` }).click();
      await question.getByRole("button", { name: `Yes, deactivate ${person.name}` }).click();
      await expect(page.getByText("Deactivated. Their sessions have ended")).toBeVisible();
      await expect(row.getByText("Deactivated", { exact: true })).toBeVisible();
      await expectAccessible(page);
    });
  });
}

test.describe("on a desktop, with a mouse", () => {
  test.use(screens.desktop);

  test("dragging shows where a session will land, and a move can be undone", async ({ page, db, signIn }) => {
    const event = makeEvent(db, { days: 1, rooms: ["Main hall", "Room A"] });
    makeSession(db, event, { title: "Panel on hotlines", room: "Main hall", start: "10:00", end: "11:00" });
    await signIn(page.context(), "secretariat@convene.example");
    await page.goto(`/events/${event.id}/timetable`);
    const block = page.getByTestId("tt-session").filter({ hasText: "Panel on hotlines" });
    const target = page.locator(`[data-room="${event.rooms["Room A"]}"][data-slot="${14 * 60}"]`);

    await block.scrollIntoViewIfNeeded();
    const from = (await block.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + 8);
    await page.mouse.down();
    await target.scrollIntoViewIfNeeded();
    const to = (await target.boundingBox())!;
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    // While dragging, an outline with its times shows where it will land.
    const landing = page.getByTestId("tt-landing");
    await expect(landing).toHaveText("14:00–15:00");
    const outline = (await landing.boundingBox())!;
    expect(Math.abs(outline.y - to.y)).toBeLessThan(4);
    await page.mouse.up();
    await expect(landing).toHaveCount(0);

    const notice = page.getByRole("status").filter({ hasText: "Moved “Panel on hotlines” to" });
    await expect(notice).toContainText(/to \w+ 14:00\./);
    await expect(block).toContainText("14:00–15:00");
    await expectAccessible(page);
    await expectNoSidewaysScroll(page);

    // Undo, from the keyboard: back where it was, through the same move.
    await notice.getByRole("button", { name: "Undo moving “Panel on hotlines”" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByText("Move undone. Everyone viewing the agenda sees the change.")).toBeVisible();
    await expect(block).toContainText("10:00–11:00");
    const stored = db.$client
      .prepare("SELECT room_id AS roomId FROM agenda_sessions WHERE title = ? AND event_id = ?")
      .get("Panel on hotlines", event.id) as { roomId: number };
    expect(stored.roomId).toBe(event.rooms["Main hall"]);
    await expectAccessible(page);
  });
});
