import { expect, expectAccessible, makeEvent, test } from "./fixtures";

test("the secretariat makes the next convening of a series, then archives the one before", async ({ page, db, signIn }) => {
  const seriesId = (db.$client.prepare("SELECT id FROM event_series ORDER BY id LIMIT 1").get() as { id: number }).id;
  const event = makeEvent(db, { seriesId, days: 1, rooms: ["Main hall"] });
  await signIn(page.context(), "secretariat@convene.example");

  await page.goto(`/events/${event.id}/settings`);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Create the next one in this series" }).click();
  await page.getByRole("button", { name: "Yes, create the next one" }).click();
  await expect(page.getByText("The event was created as a draft.")).toBeVisible();
  await expect(page).not.toHaveURL(new RegExp(`/events/${event.id}/settings`));
  await expectAccessible(page);

  await page.goto(`/events/${event.id}/settings`);
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  await page.getByRole("button", { name: "Yes, archive it" }).click();
  await expect(page.getByText("Archived.", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Archive", exact: true })).toHaveCount(0);
});
