import { expect, expectAccessible, makeEvent, makePerson, makeSession, test } from "./fixtures";

test("a delegate's open agenda learns at once that the event was withdrawn, and hears nothing more of it", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db, { days: 1, rooms: ["Main hall"] });
  makeSession(db, event, {
    title: "Opening words",
    kind: "plenary",
    room: "Main hall",
    date: event.days[0]!,
    start: "09:00",
    end: "09:30",
  });
  const delegatePerson = await makePerson(db, { organisation: "Safe Line Hotline Network (demo)" });

  const delegateContext = await browser.newContext({ timezoneId: "Europe/Brussels" });
  await signIn(delegateContext, delegatePerson);
  const delegate = await delegateContext.newPage();
  await delegate.goto(`/events/${event.id}`);
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(delegate.locator("[data-session-id]").filter({ hasText: "Opening words" })).toBeVisible();

  const adminContext = await browser.newContext();
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto(`/events/${event.id}/settings`);
  await admin.getByRole("button", { name: "Back to draft" }).click();
  await admin.getByRole("button", { name: "Yes, back to draft" }).click();
  await expect(admin.getByText("Back to draft: only the secretariat sees it.")).toBeVisible();

  const closed = delegate.getByTestId("agenda-closed");
  await expect(closed).toContainText("You can no longer see this event");
  await expectAccessible(delegate);

  // A change made afterwards never reaches the open page.
  await admin.goto(`/events/${event.id}/timetable`);
  await admin.getByRole("link", { name: "New session", exact: true }).click();
  const form = admin.locator("#session-form");
  await form.getByLabel("Title").fill("Confidential briefing");
  await form.getByLabel("Kind").selectOption("panel");
  await form.getByLabel("Room", { exact: true }).selectOption({ label: "Main hall" });
  await form.getByLabel("Starts").fill("11:00");
  await form.getByLabel("Ends").fill("12:00");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(admin.getByText("Saved. Everyone viewing the agenda sees the change.")).toBeVisible();
  await expect(delegate.getByTestId("agenda-notice").filter({ hasText: "Confidential briefing" })).toHaveCount(0);
  await expect(delegate.getByText("Confidential briefing")).toHaveCount(0);

  // Reloading answers as for an event that does not exist.
  const reload = await delegate.reload();
  expect(reload?.status()).toBe(404);
  await delegateContext.close();
  await adminContext.close();
});
