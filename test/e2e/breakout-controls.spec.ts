/**
 * The breakout controls the main journeys do not reach: preparing an older session, the options, adding a room,
 * importing and copying an assignment, a preferred pillar, extending and stopping the countdown, lowering one's own
 * hand, opening the rooms again, a report-back saved as a draft, and the registry's drafts to confirm.
 */
import type { Page } from "@playwright/test";
import { makeBreakout, placeInRoom } from "../support/breakouts";
import { expect, expectAccessible, makeEvent, makePerson, test } from "./fixtures";

async function live(page: Page) {
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
}

test("a facilitator prepares an older session, sets its options, adds a room, imports and copies an assignment; a delegate states a preferred pillar", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db);
  const [first, second] = await Promise.all([
    makePerson(db, { organisation: "Children First Alliance (demo)" }),
    makePerson(db, { organisation: "Streamwave Platforms (demo)" }),
  ]);
  // A breakout session saved before sessions had rooms: no breakout state yet.
  const older = Number(
    db.$client
      .prepare(
        "INSERT INTO agenda_sessions (event_id, kind, title, starts_at, ends_at) SELECT id, 'breakout', 'Older breakouts', ?, ? FROM events WHERE id = ?",
      )
      .run(Date.parse(`${event.startsOn}T13:00:00Z`), Date.parse(`${event.startsOn}T14:00:00Z`), event.id).lastInsertRowid,
  );
  const target = makeBreakout(db, event, { title: "Afternoon breakouts", start: "15:00", end: "16:00" });

  const context = await browser.newContext();
  await signIn(context, "secretariat@convene.example");
  const page = await context.newPage();
  await page.goto(`/breakouts/${older}/plan`);
  await page.getByRole("button", { name: "Prepare the rooms" }).click();
  await expect(page.getByText("The rooms are prepared.")).toBeVisible();
  await expectAccessible(page);

  // The facilitators plan this one; delegates state a preferred pillar.
  await page.getByLabel("The facilitators plan it (delegates state a preferred pillar)").check();
  await page.getByRole("button", { name: "Save the options" }).click();
  await expect(page.getByText("The options were saved.")).toBeVisible();

  await page.getByText("Add a room", { exact: true }).click();
  const addForm = page.locator("details").filter({ hasText: "Add a room" });
  await addForm.getByLabel("Name").fill("Cross-pillar room");
  await addForm.getByRole("button", { name: "Add the room" }).click();
  await expect(page.getByText("The room was added.")).toBeVisible();

  await page.getByLabel("Paste the CSV lines").fill(`${first.email},collective-action\n${second.email},Cross-pillar room`);
  await page.getByRole("button", { name: "Import CSV" }).click();
  await expect(page.getByText("2 people were placed from the file.")).toBeVisible();
  await expectAccessible(page);

  // The afternoon session reuses the rooms and assignment.
  await page.goto(`/breakouts/${target.sessionId}/plan`);
  await page.getByRole("combobox", { name: "Copy from", exact: true }).selectOption(String(older));
  await page.getByRole("button", { name: "Copy the rooms and assignment" }).click();
  await expect(page.getByText("The rooms were copied, with 2 people placed.")).toBeVisible();
  await expect(page.getByRole("region", { name: "Cross-pillar room 1 person" })).toContainText(second.name);

  // A delegate of the planned, unpublished older session states a preferred pillar.
  const delegateContext = await browser.newContext();
  await signIn(delegateContext, first);
  const hub = await delegateContext.newPage();
  await hub.goto(`/breakouts/${older}`);
  await expect(hub.getByText("Your room will be assigned by the facilitators.")).toBeVisible();
  await hub.getByLabel("Preferred pillar").selectOption({ label: "Independent Research" });
  await hub.getByRole("button", { name: "Save my preference" }).click();
  await expect(hub.getByText("Your preference: Independent Research")).toBeVisible();
  await expectAccessible(hub);

  await context.close();
  await delegateContext.close();
});

test("the countdown is extended and stopped, a hand is lowered by its owner, the rooms open again, a report-back is saved as a draft, and the registry lists a draft to confirm", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event, { attribution: "on_record" });
  const room = breakout.rooms[0]!.id;
  const delegate = await makePerson(db, { name: "Rapporteur Rahel", organisation: "Streamwave Platforms (demo)" });
  placeInRoom(db, breakout, room, delegate.id);
  db.$client.prepare("UPDATE breakout_rooms SET rapporteur_id = ? WHERE id = ?").run(delegate.id, room);
  const sid = breakout.sessionId;

  const facilitatorContext = await browser.newContext();
  await signIn(facilitatorContext, "secretariat@convene.example");
  const console_ = await facilitatorContext.newPage();
  await console_.goto(`/breakouts/${sid}/console`);
  await live(console_);
  const delegateContext = await browser.newContext();
  await signIn(delegateContext, delegate);
  const page = await delegateContext.newPage();
  await page.goto(`/breakouts/${sid}`);
  await live(page);

  await console_.getByRole("button", { name: "Open all rooms" }).click();
  await expect(page).toHaveURL(`/breakouts/${sid}/rooms/${room}`);
  await expect(page.getByTestId("breakout-room")).toHaveAttribute("data-status", "open");

  // The countdown: started, extended, stopped; the room follows each change.
  await console_.getByLabel("Minutes").fill("5");
  await console_.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByTestId("breakout-timer")).toHaveAttribute("data-phase", "running");
  await console_.getByLabel("Extend by").fill("10");
  await console_.getByRole("button", { name: "Extend", exact: true }).click();
  await expect(console_.getByText("The countdown was extended.")).toBeVisible();
  await expect(page.getByRole("timer")).toHaveText(/^1[45]:\d\d left$/);
  await console_.getByRole("button", { name: "Stop the countdown" }).click();
  await expect(console_.getByText("The countdown stopped.")).toBeVisible();
  await expect(page.getByTestId("breakout-timer")).toHaveAttribute("data-phase", "none");
  await expectAccessible(console_);

  // A hand raised and lowered by its owner.
  await page.getByRole("button", { name: "Raise hand" }).click();
  await expect(page.getByTestId("hands")).toContainText("Rapporteur Rahel");
  await page.getByRole("button", { name: "Lower hand" }).click();
  await expect(page.getByRole("button", { name: "Raise hand" })).toBeVisible();
  await expect(page.getByText("Rapporteur Rahel", { exact: false }).locator("xpath=ancestor::*[@data-testid='hands']")).toHaveCount(0);
  await expectAccessible(page);

  // Closed, then opened again: the person is taken back to their room.
  await console_.getByRole("button", { name: "Close all rooms" }).click();
  await console_.getByRole("button", { name: "Yes, close all rooms" }).click();
  await expect(page).toHaveURL(`/breakouts/${sid}/reports`);
  await console_.getByRole("button", { name: "Open all rooms again" }).click();
  await expect(page).toHaveURL(`/breakouts/${sid}/rooms/${room}`);
  await console_.getByRole("button", { name: "Close all rooms" }).click();
  await console_.getByRole("button", { name: "Yes, close all rooms" }).click();
  await expect(page).toHaveURL(`/breakouts/${sid}/reports`);

  // The closed room links to the report-backs; the rapporteur saves a draft first.
  await page.goto(`/breakouts/${sid}/rooms/${room}`);
  await page.getByRole("link", { name: "See the report-backs" }).click();
  await expect(page).toHaveURL(`/breakouts/${sid}/reports`);
  await page.goto(`/breakouts/${sid}/rooms/${room}/report`);
  await page.getByLabel("Key points").fill("Draft points.");
  const action = `Draft action ${Date.now()}`;
  await page.getByLabel("Proposed actions").fill(action);
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByLabel("Key points")).toHaveValue("Draft points.");
  await expect(page.getByTestId("report-status")).not.toHaveText("Submitted to the plenary");
  await page.getByRole("button", { name: "Submit to the plenary" }).click();
  await expect(page.getByText("Submitted: the report-back is on the plenary page.")).toBeVisible();

  // The action becomes a draft commitment; the registry points its organisation to the drafts to confirm.
  await page.goto(`/breakouts/${sid}/reports`);
  await page
    .getByTestId(`report-back-${room}`)
    .getByRole("listitem")
    .filter({ hasText: action })
    .getByRole("button", { name: "Make this a commitment for Streamwave Platforms (demo)" })
    .click();
  await expect(page.getByTestId("draft-banner")).toBeVisible();
  await page.goto("/commitments");
  await page.getByRole("link", { name: /drafts? to confirm/ }).click();
  await expect(page.getByRole("link", { name: action })).toBeVisible();
  await expectAccessible(page);

  await facilitatorContext.close();
  await delegateContext.close();
});
