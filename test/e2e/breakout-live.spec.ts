import type { Page } from "@playwright/test";
import { openBreakout, setBreakoutTimer } from "../../app/models/breakout-live.server";
import { announce } from "../../app/models/domain-events.server";
import { makeBreakout, placeInRoom } from "../support/breakouts";
import { actorOf, cuttableConnection, expect, expectAccessible, makeEvent, makePerson, test } from "./fixtures";

/** Waits until the page's one socket is connected (and so reachable by the person's own room). */
async function live(page: Page) {
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
}

/** Waits until the room page has joined its room over the socket: the roster lists at least the reader. */
async function inRoom(page: Page, roomId: number) {
  await expect(page.getByTestId("breakout-room")).toHaveAttribute("data-room-id", String(roomId));
  await expect(page.getByTestId("breakout-room")).toHaveAttribute("data-status", "open");
  await expect(page.getByTestId("roster").locator("li").first()).toBeVisible();
}

async function say(page: Page, text: string) {
  await page.getByLabel("Your message").fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByTestId("chat-log")).toContainText(text);
  await expect(page.getByLabel("Your message")).toHaveValue("");
}

test("the facilitator opens the rooms, delegates are taken to theirs and chat, one is moved, a countdown runs, the rooms close back to the plenary, a report-back appears there and an action becomes a draft commitment", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event, { attribution: "chatham_house" });
  const facilitator = await makePerson(db, { role: "facilitator", name: "Fatima Facilitator" });
  const amani = await makePerson(db, { name: "Amani Otieno", organisation: "Children First Alliance (demo)" });
  const bo = await makePerson(db, { name: "Bo Lindqvist", organisation: "Streamwave Platforms (demo)" });
  const roomA = breakout.roomOf("tech-innovation");
  const roomB = breakout.roomOf("collective-action");
  const nameOf = (id: number) => breakout.rooms.find((r) => r.id === id)!.name;
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  db.$client.prepare("UPDATE breakout_rooms SET meeting_url = ? WHERE id = ?").run("https://meet.example.org/room-a", roomA);
  db.$client.prepare("UPDATE breakout_rooms SET rapporteur_id = ? WHERE id = ?").run(amani.id, roomA);
  placeInRoom(db, breakout, roomA, amani.id);
  placeInRoom(db, breakout, roomB, bo.id);
  const sid = breakout.sessionId;

  const open = async (person: typeof amani, path: string) => {
    const context = await browser.newContext({ timezoneId: "Europe/Brussels" });
    await signIn(context, person);
    const page = await context.newPage();
    await page.goto(path);
    await live(page);
    return { context, page };
  };
  const a = await open(amani, `/events/${event.id}`);
  const b = await open(bo, `/events/${event.id}`);
  const f = await open(facilitator, `/breakouts/${sid}/console`);

  // The console: every room, its people, and the rooms not open yet.
  const console_ = f.page;
  const consoleRoom = (id: number) => console_.locator(`[data-testid="console-room"][data-room-id="${id}"]`);
  await expect(console_.getByRole("heading", { level: 1, name: "Run the rooms" })).toBeVisible();
  await expect(consoleRoom(roomA)).toContainText("Amani Otieno");
  await expectAccessible(console_);
  await console_.getByRole("button", { name: "Open all rooms" }).click();
  await expect(console_.getByText("The rooms are open.")).toBeVisible();
  await expect(console_.getByTestId("breakout-console")).toHaveAttribute("data-status", "open");

  // Each delegate is taken to their own room, and told so.
  await expect(a.page).toHaveURL(`/breakouts/${sid}/rooms/${roomA}`);
  await expect(b.page).toHaveURL(`/breakouts/${sid}/rooms/${roomB}`);
  await expect(a.page.getByTestId("breakout-notice")).toContainText(`Rooms are open: taking you to ${nameOf(roomA)}`);
  await inRoom(a.page, roomA);
  await inRoom(b.page, roomB);
  await expect(a.page.getByRole("heading", { level: 1, name: nameOf(roomA) })).toBeVisible();
  await expect(a.page.getByText("Chatham House: what is said may be used, not attributed.")).toBeVisible();
  const meeting = a.page.getByRole("link", { name: /Join the video meeting/ });
  await expect(meeting).toHaveAttribute("target", "_blank");
  await expect(meeting).toHaveAttribute("rel", "noopener");
  await expect(b.page.getByRole("link", { name: /Join the video meeting/ })).toHaveCount(0);
  await expectAccessible(a.page);

  // Each room hears only its own chat; inside the running room names are shown.
  await say(a.page, "Hello from the innovation room");
  await say(b.page, "Hello from the collective action room");
  await expect(a.page.getByTestId("chat-log")).toContainText("Amani Otieno");
  await expect(a.page.getByTestId("chat-log")).not.toContainText("collective action room");
  await expect(b.page.getByTestId("chat-log")).not.toContainText("innovation room");
  await expect(consoleRoom(roomA).getByTestId("messages")).toHaveText("1");

  // The facilitator moves Bo to Amani's room: Bo is taken there and reads what was said there.
  const boRow = console_.locator(`[data-testid="console-person"][data-user-id="${bo.id}"]`);
  await boRow.getByLabel(`Move ${bo.name} to`).selectOption({ label: nameOf(roomA) });
  await boRow.getByRole("button", { name: `Move ${bo.name}` }).click();
  await expect(console_.getByText(`${bo.name} was moved to ${nameOf(roomA)}`)).toBeVisible();
  await expect(b.page).toHaveURL(`/breakouts/${sid}/rooms/${roomA}`);
  await expect(b.page.getByTestId("breakout-notice")).toContainText(`You were moved to ${nameOf(roomA)}`);
  await inRoom(b.page, roomA);
  await expect(b.page.getByTestId("chat-log")).toContainText("Hello from the innovation room");
  await expect(a.page.getByTestId("roster")).toContainText(bo.name);

  // A countdown both see, counted from the server's end time.
  await console_.getByLabel("Minutes").fill("5");
  await console_.getByRole("button", { name: "Start", exact: true }).click();
  await expect(console_.getByText("The countdown started.")).toBeVisible();
  for (const page of [a.page, b.page]) {
    await expect(page.getByTestId("breakout-timer")).toHaveAttribute("data-phase", "running");
    await expect(page.getByRole("timer")).toHaveText(/^[45]:\d\d left$/);
  }
  await expectAccessible(b.page);

  // Closing all rooms asks first, then brings everyone back to the plenary.
  await console_.getByRole("button", { name: "Close all rooms" }).click();
  await console_.getByRole("button", { name: "Yes, close all rooms" }).click();
  await expect(console_.getByText("The rooms are closed.")).toBeVisible();
  await expectAccessible(console_);
  await expect(a.page).toHaveURL(`/breakouts/${sid}/reports`);
  await expect(b.page).toHaveURL(`/breakouts/${sid}/reports`);

  // The room's record afterwards: read-only, and under Chatham House its authors are shown by stakeholder group only.
  await a.page.goto(`/breakouts/${sid}/rooms/${roomA}`);
  await expect(a.page.getByTestId("room-closed")).toBeVisible();
  await expect(a.page.getByTestId("chat-log")).toContainText("Hello from the innovation room");
  await expect(a.page.getByTestId("chat-log")).toContainText("NGO / civil society");
  await expect(a.page.getByTestId("chat-log")).not.toContainText("Amani Otieno");
  await expect(a.page.getByLabel("Your message")).toHaveCount(0);
  await expectAccessible(a.page);

  // The rapporteur reports back; the plenary page Bo has open shows it without a reload, naming nobody.
  await expect(b.page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(b.page);
  await a.page.getByRole("link", { name: "Write the report-back" }).click();
  await a.page.getByLabel("Key points").fill("Smaller platforms need shared tooling first.");
  const action = "Pilot a shared hash-matching service for small platforms";
  await a.page.getByLabel("Proposed actions").fill(action);
  await a.page.getByRole("button", { name: "Submit to the plenary" }).click();
  await expect(a.page.getByText("Submitted: the report-back is on the plenary page.")).toBeVisible();
  const report = b.page.getByTestId(`report-back-${roomA}`);
  await expect(report.getByText(action)).toBeVisible();
  await expect(b.page.getByText("Amani Otieno")).toHaveCount(0);

  // Bo makes the action a draft commitment of his organisation, made at this session and room.
  await report
    .getByRole("listitem")
    .filter({ hasText: action })
    .getByRole("button", { name: "Make this a commitment for Streamwave Platforms (demo)" })
    .click();
  await expect(b.page.getByRole("heading", { level: 1, name: action })).toBeVisible();
  await expect(b.page.getByTestId("made-at-breakout")).toContainText(nameOf(roomA));
  await expect(b.page.getByTestId("draft-banner")).toBeVisible();
  await expectAccessible(b.page);

  for (const c of [a, b, f]) await c.context.close();
});

test("under the stakeholder-group rule a room shows groups only; hands queue in order, a facilitator lowers one, and a dropped connection comes back to its place", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event, { attribution: "group_only" });
  const facilitator = await makePerson(db, { role: "facilitator" });
  const first = await makePerson(db, { name: "Chidi Okafor", organisation: "Federal Cybercrime Unit (demo)" });
  const second = await makePerson(db, { name: "Dana Novak", organisation: "Institute for Online Safety Research (demo)" });
  const roomId = breakout.roomOf("knowledge-sharing");
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  placeInRoom(db, breakout, roomId, first.id, second.id);
  const sid = breakout.sessionId;
  const roomPath = `/breakouts/${sid}/rooms/${roomId}`;

  const fContext = await browser.newContext();
  await signIn(fContext, facilitator);
  const console_ = await fContext.newPage();
  await console_.goto(`/breakouts/${sid}/console`);
  await live(console_);
  await console_.getByRole("button", { name: "Open all rooms" }).click();
  await expect(console_.getByTestId("breakout-console")).toHaveAttribute("data-status", "open");

  const enter = async (person: typeof first, cut = false) => {
    const context = await browser.newContext();
    await signIn(context, person);
    const page = await context.newPage();
    const connection = cut ? await cuttableConnection(page) : null;
    await page.goto(roomPath);
    await inRoom(page, roomId);
    return { context, page, connection };
  };
  const c = await enter(first);
  const d = await enter(second, true);

  // Nobody's name inside the room: stakeholder groups only.
  await expect(c.page.getByTestId("roster")).toContainText("Research / academia");
  await expect(c.page.getByTestId("roster")).not.toContainText(second.name);
  await say(d.page, "A point from research");
  await expect(c.page.getByTestId("chat-log")).toContainText("A point from research");
  await expect(c.page.getByTestId("chat-log")).toContainText("Research / academia");
  await expect(c.page.getByTestId("chat-log")).not.toContainText(second.name);

  // Hands go up in order; each sees their place.
  await c.page.getByRole("button", { name: "Raise hand" }).click();
  await expect(c.page.getByTestId("my-hand")).toHaveText("Your hand is up: you are 1st.");
  await d.page.getByRole("button", { name: "Raise hand" }).click();
  await expect(d.page.getByTestId("my-hand")).toHaveText("Your hand is up: you are 2nd.");
  await expect(console_.locator(`[data-testid="console-room"][data-room-id="${roomId}"]`).getByTestId("hands")).toHaveText("2");

  // The facilitator, in the room, lowers the first hand: the second moves up.
  const fRoom = await fContext.newPage();
  await fRoom.goto(roomPath);
  await inRoom(fRoom, roomId);
  await fRoom.getByRole("button", { name: "Lower the hand of Law enforcement" }).click();
  await expect(d.page.getByTestId("my-hand")).toHaveText("Your hand is up: you are 1st.");
  await expect(c.page.getByRole("button", { name: "Raise hand" })).toBeVisible();
  await expectAccessible(fRoom);

  // A message to every room, marked as the facilitators'.
  await console_.getByLabel("Message", { exact: true }).fill("Ten minutes left, please agree on two actions.");
  await console_.getByRole("button", { name: "Send to every room" }).click();
  await expect(console_.getByText("Sent to every room.")).toBeVisible();
  const broadcast = c.page.locator(".breakout-chat__message--broadcast");
  await expect(broadcast).toContainText("From the facilitators, to every room");
  await expect(broadcast).toContainText("Ten minutes left, please agree on two actions.");

  // Offline, a message is refused and kept; back online, the page is in the room again with its place and history.
  await d.connection!.cut();
  await expect(d.page.getByTestId("live-status")).toHaveAttribute("data-status", "reconnecting");
  await d.page.getByLabel("Your message").fill("Sent while in a tunnel");
  await d.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(d.page.getByText("You are offline: your message was not sent.")).toBeVisible();
  await expect(d.page.getByLabel("Your message")).toHaveValue("Sent while in a tunnel");
  d.connection!.restore();
  await live(d.page);
  await expect(d.page.getByTestId("my-hand")).toHaveText("Your hand is up: you are 1st.");
  await expect(d.page.getByTestId("chat-log")).toContainText("Ten minutes left");
  await d.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(c.page.getByTestId("chat-log")).toContainText("Sent while in a tunnel");

  for (const ctx of [c.context, d.context, fContext]) await ctx.close();
});

test("the countdown follows the server's clock, not a wrong one in the browser: it warns a minute before the end and says when time is up", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event);
  const facilitator = await makePerson(db, { role: "facilitator" });
  const delegate = await makePerson(db, { organisation: "Ministry of Digital Affairs (demo)" });
  const roomId = breakout.roomOf("transparency-accountability");
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  placeInRoom(db, breakout, roomId, delegate.id);
  const meta = { ipAddress: null, userAgent: "e2e" };
  const opened = openBreakout(db, actorOf(db, facilitator.id), breakout.sessionId, meta);
  expect(opened.ok).toBe(true);

  const context = await browser.newContext();
  await signIn(context, delegate);
  const page = await context.newPage();
  // This browser's clock runs an hour fast: a countdown read against it would already be over.
  await page.clock.install({ time: Date.now() + 3_600_000 });
  await page.clock.resume();
  await page.goto(`/breakouts/${breakout.sessionId}/rooms/${roomId}`);
  await inRoom(page, roomId);
  await expect(page.getByTestId("breakout-timer")).toHaveAttribute("data-phase", "none");

  // A one-minute countdown started 40 seconds ago (by the server's clock) has 20 seconds left.
  const started = setBreakoutTimer(db, actorOf(db, facilitator.id), breakout.sessionId, { start: 1 }, meta, new Date(Date.now() - 40_000));
  expect(started.ok).toBe(true);
  const timer = page.getByTestId("breakout-timer");
  await expect(timer).toHaveAttribute("data-phase", "warning");
  await expect(timer.getByRole("status")).toHaveText("One minute left.");
  await expect(page.getByRole("timer")).toHaveText(/^0:[0-2]\d left$/);
  await expectAccessible(page);
  await expect(timer).toHaveAttribute("data-phase", "up");
  await expect(timer.getByRole("status")).toHaveText("Time is up.");
  await context.close();
});

test("the console says why it refused and keeps what was typed; it is not there for delegates", async ({ browser, db, signIn }) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event);
  const facilitator = await makePerson(db, { role: "facilitator" });
  const mover = await makePerson(db, { name: "Eli Moreau", organisation: "Regional Child Protection Partnership (demo)" });
  const sitter = await makePerson(db, { organisation: "Safe Line Hotline Network (demo)" });
  const from = breakout.roomOf("independent-research");
  const full = breakout.roomOf("collective-action");
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  db.$client.prepare("UPDATE breakout_rooms SET capacity = 1 WHERE id = ?").run(full);
  placeInRoom(db, breakout, from, mover.id);
  placeInRoom(db, breakout, full, sitter.id);
  const consolePath = `/breakouts/${breakout.sessionId}/console`;

  const dContext = await browser.newContext();
  await signIn(dContext, mover);
  const delegatePage = await dContext.newPage();
  expect((await delegatePage.goto(consolePath))?.status()).toBe(404);
  await dContext.close();

  const context = await browser.newContext();
  await signIn(context, facilitator);
  const page = await context.newPage();
  await page.goto(consolePath);
  await live(page);
  await page.getByRole("button", { name: "Open all rooms" }).click();
  await expect(page.getByText("The rooms are open.")).toBeVisible();

  await page.getByLabel("Minutes").fill("0");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByText("Enter a whole number of minutes from 1 to 240.")).toBeVisible();
  await expect(page.getByLabel("Minutes")).toHaveValue("0");
  await expect(page.getByLabel("Minutes")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Message", { exact: true }).fill("   ");
  await page.getByRole("button", { name: "Send to every room" }).click();
  await expect(page.getByText("This field is required.")).toBeVisible();

  const row = page.locator(`[data-testid="console-person"][data-user-id="${mover.id}"]`);
  await row.getByLabel(`Move ${mover.name} to`).selectOption({ label: breakout.rooms.find((r) => r.id === full)!.name });
  await row.getByRole("button", { name: `Move ${mover.name}` }).click();
  await expect(page.getByText("That room is full.")).toBeVisible();
  await expect(row.getByLabel(`Move ${mover.name} to`)).toHaveValue(String(full));
  await expectAccessible(page);

  // Closing asks first; keeping the rooms open changes nothing.
  await page.getByRole("button", { name: "Close all rooms" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("Close all rooms now?");
  await page.getByRole("link", { name: "Keep the rooms open" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(page.getByTestId("breakout-console")).toHaveAttribute("data-status", "open");
  await context.close();
});

test("a person taken off a running room is told so on its page", async ({ browser, db, signIn }) => {
  const event = makeEvent(db, { days: 1 });
  const breakout = makeBreakout(db, event);
  const facilitator = await makePerson(db, { role: "facilitator" });
  const delegate = await makePerson(db, { organisation: "Streamwave Platforms (demo)" });
  const roomId = breakout.roomOf("knowledge-sharing");
  db.$client.prepare("UPDATE breakout_rooms SET facilitator_id = ? WHERE session_id = ?").run(facilitator.id, breakout.sessionId);
  placeInRoom(db, breakout, roomId, delegate.id);
  expect(openBreakout(db, actorOf(db, facilitator.id), breakout.sessionId, { ipAddress: null, userAgent: "e2e" }).ok).toBe(true);

  const context = await browser.newContext();
  await signIn(context, delegate);
  const page = await context.newPage();
  await page.goto(`/breakouts/${breakout.sessionId}/rooms/${roomId}`);
  await inRoom(page, roomId);

  db.$client.prepare("DELETE FROM breakout_assignments WHERE session_id = ? AND user_id = ?").run(breakout.sessionId, delegate.id);
  announce(db, [{ type: "breakout.accessChanged", sessionId: breakout.sessionId }]);
  await expect(page.getByText("You are no longer in this room.")).toBeVisible();
  await expect(page.getByLabel("Your message")).toHaveCount(0);
  await expectAccessible(page);
  await context.close();
});
