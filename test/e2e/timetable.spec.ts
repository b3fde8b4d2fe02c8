import type { Locator, Page } from "@playwright/test";
import { expect, expectAccessible, makeEvent, makePerson, makeSession, test } from "./fixtures";

/** Drags with the mouse from the middle of `from` to the middle of `to`, as a person would. */
async function drag(page: Page, from: Locator, to: Locator) {
  await from.scrollIntoViewIfNeeded();
  const start = (await from.boundingBox())!;
  const end = (await to.boundingBox())!;
  await page.mouse.move(start.x + start.width / 2, start.y + 8);
  await page.mouse.down();
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 8 });
  await page.mouse.up();
}

test("the secretariat uses every button of the timetable editor, and an open agenda follows", async ({ browser, db, signIn }) => {
  // A long journey with seven accessibility checks of a grid whose every empty slot is a link.
  test.slow();
  const event = makeEvent(db, { days: 2, rooms: ["Main hall", "Room A", "Room B"] });
  const [day1, day2] = event.days as [string, string];
  makeSession(db, event, { title: "Second-day plenary", kind: "plenary", room: "Main hall", date: day2, start: "09:00", end: "10:00" });
  const delegatePerson = await makePerson(db, { organisation: "Safe Line Hotline Network (demo)" });

  const adminContext = await browser.newContext({ timezoneId: "Europe/Brussels", viewport: { width: 1280, height: 1600 } });
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto(`/events/${event.id}/timetable`);
  await expect(admin.getByRole("heading", { level: 1, name: "Timetable editor" })).toBeVisible();
  await expectAccessible(admin);
  const form = admin.locator("#session-form");
  const block = (title: string) => admin.getByTestId("tt-session").filter({ hasText: title });
  const saved = admin.getByText("Saved. Everyone viewing the agenda sees the change.");

  // New session, then Save.
  await admin.getByRole("link", { name: "New session", exact: true }).click();
  await expect(form.getByRole("heading", { name: "New session" })).toBeVisible();
  await form.getByLabel("Title").fill("Evidence from helplines");
  await form.getByLabel("Kind").selectOption("workshop");
  await form.getByLabel("Room", { exact: true }).selectOption({ label: "Room A" });
  await form.getByLabel("Starts").fill("10:00");
  await form.getByLabel("Ends").fill("11:00");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved).toBeVisible();
  await expect(block("Evidence from helplines")).toContainText("10:00–11:00");

  // A delegate has the first day's agenda open while the rest happens.
  const delegateContext = await browser.newContext({ timezoneId: "Europe/Brussels", locale: "en-GB" });
  await signIn(delegateContext, delegatePerson);
  const delegate = await delegateContext.newPage();
  await delegate.goto(`/events/${event.id}?day=${day1}`);
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(delegate.locator("[data-session-id]").filter({ hasText: "Evidence from helplines" })).toContainText("10:00");

  // A clash is explained, with what is typed kept, until "Save anyway".
  await form.getByLabel("Title").fill("Helpline data standards");
  await form.getByLabel("Room", { exact: true }).selectOption({ label: "Room A" });
  await form.getByLabel("Starts").fill("10:30");
  await form.getByLabel("Ends").fill("11:30");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByRole("alert")).toContainText("This would clash with the timetable.");
  await expect(form.getByRole("alert")).toContainText("The room is already taken by “Evidence from helplines”.");
  await expect(form.getByLabel("Title")).toHaveValue("Helpline data standards");
  await expect(block("Helpline data standards")).toHaveCount(0);
  await expectAccessible(admin);
  await form.getByRole("button", { name: "Save anyway" }).click();
  await expect(saved).toBeVisible();
  await expect(block("Helpline data standards")).toContainText("Overlap");
  await expect(block("Evidence from helplines")).toContainText("Overlap");
  // Clashing sessions sit side by side: the earlier one's Edit link is not covered by the later one.
  await admin.getByRole("link", { name: "Edit Evidence from helplines" }).click();
  await expect(form.getByRole("heading", { name: "Edit: Evidence from helplines" })).toBeVisible();

  // Cancel the later session: the grid shows it cancelled, and the open agenda says so at once.
  const card = delegate.locator("[data-session-id]").filter({ hasText: "Helpline data standards" });
  await expect(card).toContainText("10:30");
  await admin.getByRole("link", { name: "Edit Helpline data standards" }).click();
  await expect(form.getByRole("heading", { name: "Edit: Helpline data standards" })).toBeVisible();
  await form.getByRole("button", { name: "Cancel this session" }).click();
  await expect(admin.getByText("The session is cancelled.")).toBeVisible();
  await expect(block("Helpline data standards")).toHaveClass(/tt-session--cancelled/);
  // A cancelled session no longer clashes with anything.
  await expect(block("Evidence from helplines")).not.toContainText("Overlap");
  await expect(delegate.getByTestId("agenda-notice").last()).toHaveText("Workshop cancelled: Helpline data standards");
  await expect(card).toContainText("Cancelled");
  await expectAccessible(delegate);
  await expectAccessible(admin);

  // Put back on the agenda.
  await form.getByRole("button", { name: "Put back on the agenda" }).click();
  await expect(admin.getByText("The session is back on the agenda.")).toBeVisible();
  await expect(block("Helpline data standards")).not.toHaveClass(/tt-session--cancelled/);
  await expect(block("Evidence from helplines")).toContainText("Overlap");
  await expect(form.getByRole("button", { name: "Cancel this session" })).toBeVisible();
  await expect(delegate.getByTestId("agenda-notice").last()).toContainText("Workshop back on the agenda: Helpline data standards");
  await expect(card).not.toContainText("Cancelled");

  // Close leaves the session and brings back an empty form for a new one.
  await form.getByRole("link", { name: "Close" }).click();
  await expect(form.getByRole("heading", { name: "New session" })).toBeVisible();
  await expect(admin).not.toHaveURL(/session=/);

  // A break added to every room at once.
  await form.getByLabel("Title").fill("Coffee break");
  await form.getByLabel("Kind").selectOption("break");
  await form.getByLabel("Starts").fill("11:30");
  await form.getByLabel("Ends").fill("11:45");
  await form.getByRole("checkbox", { name: "Add to every room (for breaks and plenaries)" }).check();
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(saved).toBeVisible();
  await expect(block("Coffee break")).toHaveCount(3);

  // Moving by drag and drop: onto a free slot, then onto the break, which asks first.
  const standards = block("Helpline data standards");
  await drag(admin, standards, admin.locator(`[data-room="${event.rooms["Room B"]}"][data-slot="${14 * 60}"]`));
  await expect(admin.getByText(/^Moved “Helpline data standards” to .* 14:00\.$/)).toBeVisible();
  await expect(standards).toContainText("14:00–15:00");
  await expect(card).toContainText("14:00");

  await drag(admin, standards, admin.locator(`[data-room="${event.rooms["Main hall"]}"][data-slot="${11 * 60 + 30}"]`));
  const refused = admin.getByRole("alert").filter({ hasText: "This would clash with the timetable." });
  await expect(refused).toContainText("The room is already taken by “Coffee break”.");
  await expect(standards).toContainText("14:00–15:00");
  await expectAccessible(admin);
  await refused.getByRole("button", { name: "Move anyway" }).click();
  await expect(admin.getByText(/^Moved “Helpline data standards” to .* 11:30\.$/)).toBeVisible();
  await expect(standards).toContainText("11:30–12:30");
  await expect(standards).toContainText("Overlap");

  // The day tabs: the second day has its own sessions, and none of the first day's.
  const days = admin.getByRole("navigation", { name: "Days" });
  await expect(days.getByRole("link", { name: /^Day 1/ })).toHaveAttribute("aria-current", "page");
  await days.getByRole("link", { name: /^Day 2/ }).click();
  await expect(days.getByRole("link", { name: /^Day 2/ })).toHaveAttribute("aria-current", "page");
  await expect(admin.getByRole("region", { name: `Timetable for ${day2}` })).toBeVisible();
  await expect(block("Second-day plenary")).toContainText("09:00–10:00");
  await expect(block("Coffee break")).toHaveCount(0);
  await expectAccessible(admin);
  await days.getByRole("link", { name: /^Day 1/ }).click();
  await expect(admin.getByRole("region", { name: `Timetable for ${day1}` })).toBeVisible();
  await expect(block("Coffee break")).toHaveCount(3);

  await Promise.all([adminContext.close(), delegateContext.close()]);
});
