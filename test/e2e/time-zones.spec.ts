/**
 * Time zones for the people who use them: current zone names in the pickers (old ones read as their
 * current names), a wall-clock time the clocks skip refused with an explanation, and the calendar page on a phone.
 */
import {
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  makeEvent,
  makePerson,
  makeSession,
  screens,
  SECRETARIAT,
  test,
} from "./fixtures";

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("the zone picker offers Asia/Kolkata, and an account stored as Asia/Calcutta sees times at +05:30", async ({
      page,
      db,
      signIn,
      context,
    }) => {
      const event = makeEvent(db, { timeZone: "Europe/Brussels", days: 1 });
      makeSession(db, event, { title: "Morning in Brussels", start: "10:00", end: "11:00" });
      const person = await makePerson(db);
      db.$client.prepare("UPDATE users SET time_zone = 'Asia/Calcutta' WHERE id = ?").run(person.id);
      await signIn(context, person);

      await page.goto("/account");
      const picker = page.getByLabel("Time zone");
      await expect(picker).toHaveValue("Asia/Kolkata");
      await expect(picker.locator('option[value="Asia/Kolkata"]')).toHaveCount(1);
      await expect(picker.locator('option[value="Asia/Calcutta"]')).toHaveCount(0);
      await expect(picker.locator('option[value="Europe/Kyiv"]')).toHaveCount(1);
      await expect(picker.locator('option[value="Europe/Kiev"]')).toHaveCount(0);
      await expect(page.getByText("Times are shown in Asia/Kolkata.")).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // 10:00 in Brussels is 13:30 or 14:30 in Kolkata (+05:30), depending on Brussels' daylight saving.
      const offsetHours =
        new Date(`${event.startsOn}T12:00:00Z`).toLocaleString("en-US", {
          timeZone: "Europe/Brussels",
          hour: "numeric",
          hourCycle: "h23",
        }) === "14"
          ? 2
          : 1;
      const kolkata = offsetHours === 2 ? /\b1:30\b|13:30/ : /\b2:30\b|14:30/;
      await page.goto(`/events/${event.id}`);
      const card = page.locator("article, li").filter({ hasText: "Morning in Brussels" }).first();
      await expect(card).toContainText(kolkata);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("a wall-clock time the clocks skip is refused with an explanation, and the typed input is kept", async ({
      page,
      db,
      signIn,
      context,
    }) => {
      const event = makeEvent(db, { timeZone: "Europe/Berlin", startsOn: "2026-03-28", days: 2 });
      await signIn(context, SECRETARIAT);
      await page.goto(`/events/${event.id}/timetable`);
      await expectAccessible(page);
      const form = page.locator("#session-form");
      await form.getByLabel("Title").fill("Night owls' session");
      await form.getByLabel("Day").selectOption("2026-03-29");
      await form.getByLabel("Starts").fill("02:30");
      await form.getByLabel("Ends").fill("04:00");
      await form.getByRole("button", { name: "Save", exact: true }).click();

      await expect(
        form.getByText(
          "02:30 does not exist on March 29, 2026 in Europe/Berlin: the clocks go forward from 02:00 to 03:00. Choose another time.",
        ),
      ).toBeVisible();
      await expect(form.getByLabel("Starts")).toHaveValue("02:30");
      await expect(form.getByLabel("Starts")).toHaveAttribute("aria-invalid", "true");
      await expect(form.getByLabel("Title")).toHaveValue("Night owls' session");
      await expect(form.getByLabel("Ends")).toHaveValue("04:00");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("the calendar page's Make a new link button is fully on screen", async ({ page, db, signIn, context }) => {
      const person = await makePerson(db);
      await signIn(context, person);
      await page.goto("/calendar");
      await page.getByRole("button", { name: "Create my feed link" }).click();
      await expect(page.getByText("Your new feed link is ready.")).toBeVisible();
      await page.goto("/calendar");
      const button = page.getByRole("button", { name: "Make a new link (the old one stops working)" });
      await expect(button).toBeVisible();
      const box = (await button.boundingBox())!;
      const width = page.viewportSize()!.width;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await button.click();
      await expect(page.getByText("Your new feed link is ready.")).toBeVisible();
      await expect(page.getByLabel("Calendar feed URL")).toHaveValue(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });
  });
}
