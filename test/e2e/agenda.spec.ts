import ical from "node-ical";
import { zonedToUtc } from "../../app/utils/zoned-time";
import { cuttableConnection, expect, expectAccessible, makeEvent, makePerson, makeSession, test } from "./fixtures";

test("the secretariat moves a session; an open agenda updates live and the personal feed follows", async ({ browser, db, signIn }) => {
  const event = makeEvent(db, { rooms: ["Main hall", "Room A", "Room C"] });
  const title = "Rapid response protocols for new abuse vectors";
  const sessionId = makeSession(db, event, { title, room: "Room A", start: "10:30", end: "12:00" });
  const delegatePerson = await makePerson(db, { organisation: "Children First Alliance (demo)" });

  // The delegate stars the session and subscribes to their agenda.
  const delegateContext = await browser.newContext({ timezoneId: "Europe/Brussels", locale: "en-GB" });
  await signIn(delegateContext, delegatePerson);
  const delegate = await delegateContext.newPage();
  await delegate.goto(`/events/${event.id}`);
  const card = delegate.locator(`[data-session-id="${sessionId}"]`);
  await card.getByRole("button", { name: `Add ${title} to my agenda` }).click();
  await expect(card.getByRole("button", { name: `Add ${title} to my agenda` })).toHaveAttribute("aria-pressed", "true");
  await delegate.goto("/calendar");
  await expectAccessible(delegate);
  await delegate.getByRole("button", { name: /Create my feed link/ }).click();
  const feedUrl = await delegate.getByRole("textbox").first().inputValue();
  expect(feedUrl).toMatch(/\/calendar\/[\w-]+\.ics$/);

  await delegate.goto(`/events/${event.id}`);
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(card).toContainText("10:30");
  await expectAccessible(delegate);
  await delegate.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  // The change arrives with the session in it: the page must not even fetch its data again.
  const dataRequests: string[] = [];
  delegate.on("request", (r) => {
    if (r.url().includes(".data")) dataRequests.push(r.url());
  });

  // The secretariat drags it to Room C at 14:00 in the timetable editor.
  const adminContext = await browser.newContext({ timezoneId: "Europe/Brussels", viewport: { width: 1280, height: 1600 } });
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto(`/events/${event.id}/timetable?day=${event.startsOn}`);
  await expectAccessible(admin);
  const block = admin.locator(`[data-testid="tt-session"][data-session-id="${sessionId}"]`);
  const target = admin.locator(`[data-room="${event.rooms["Room C"]}"][data-slot="${14 * 60}"]`);
  const from = (await block.boundingBox())!;
  const to = (await target.boundingBox())!;
  await admin.mouse.move(from.x + from.width / 2, from.y + 8);
  await admin.mouse.down();
  await admin.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await admin.mouse.up();
  await expect(admin.getByText(`Moved “${title}” to`)).toBeVisible();
  await expect(block).toContainText("14:00–15:30");

  // Dragging its bottom edge onto the 15:45 row makes it end at 16:00.
  const handle = (await block.locator(".tt-session__resize").boundingBox())!;
  const endCell = (await admin.locator(`[data-room="${event.rooms["Room C"]}"][data-slot="${15 * 60 + 45}"]`).boundingBox())!;
  await admin.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await admin.mouse.down();
  await admin.mouse.move(endCell.x + endCell.width / 2, endCell.y + endCell.height / 2, { steps: 5 });
  await admin.mouse.up();
  await expect(block).toContainText("14:00–16:00");

  // The delegate's page changed in place, with a notice, without reloading.
  // The session is not today for the viewer, so the notice names its day as well as its time.
  await expect(delegate.getByTestId("agenda-notice").last()).toHaveText(
    new RegExp(`^Workshop moved to \\w+ \\d+ \\w+, 14:00, Room C: ${title}$`),
  );
  await expect(card).toContainText("14:00");
  await expect(card).toContainText("16:00");
  await expect(card).toContainText("Room C");
  expect(await delegate.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  expect(dataRequests).toEqual([]);

  // The personal feed now carries the new time.
  // The server under test listens on a random port, so only the path of the public URL is used.
  const feed = await delegate.request.get(new URL(feedUrl).pathname);
  expect(feed.status()).toBe(200);
  const parsed = Object.values(ical.sync.parseICS(await feed.text())).filter((c) => c.type === "VEVENT") as ical.VEvent[];
  const moved = parsed.find((e) => e.summary === title)!;
  expect(moved.start.toISOString()).toBe(zonedToUtc(event.startsOn, "14:00", "Europe/Brussels").toISOString());

  await delegateContext.close();
  await adminContext.close();
});

test("a viewer in another time zone sees times in their own zone, with the event's time one click away", async ({
  browser,
  db,
  signIn,
}) => {
  // In December, 09:00 in Brussels is 3:00 AM in New York.
  const event = makeEvent(db, { startsOn: `${new Date().getUTCFullYear() + 1}-12-08`, timeZone: "Europe/Brussels" });
  const sessionId = makeSession(db, event, { title: "Opening plenary: the year in review", kind: "plenary", start: "09:00", end: "10:00" });
  const context = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US" });
  await signIn(context, "government@convene.example");
  const page = await context.newPage();
  await page.goto(`/events/${event.id}`);
  const opening = page.locator(`[data-session-id="${sessionId}"]`);
  await expect(page.getByText("Times in America/New_York.")).toBeVisible();
  await expect(opening).toContainText("3:00");
  await expect(opening).toContainText("AM");
  await expectAccessible(page);
  await page.getByRole("link", { name: "Show the event's local time (Europe/Brussels)" }).click();
  await expect(opening).toContainText("9:00");
  await expect(page.getByText("Times in Europe/Brussels.")).toBeVisible();
  await context.close();
});

test("the timetable editor has a form for every change a drag can make", async ({ context, page, db, signIn }) => {
  const event = makeEvent(db);
  const title = "Research on deterrence messaging";
  makeSession(db, event, { title: "Whole-of-society action plans", room: "Room A", start: "10:30", end: "12:00" });
  const sessionId = makeSession(db, event, { title, room: "Room B", start: "10:30", end: "12:00" });
  await signIn(context, "secretariat@convene.example");
  await page.goto(`/events/${event.id}/timetable?day=${event.startsOn}`);
  await page.getByRole("link", { name: `Edit ${title}` }).click();
  await expect(page.getByRole("heading", { name: `Edit: ${title}` })).toBeVisible();
  const form = page.locator("#session-form");
  await form.getByLabel("Room").selectOption({ label: "Room A" });
  await form.getByLabel("Starts").fill("10:45");
  await form.getByLabel("Ends").fill("11:30");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  // Room A is taken then: the clash is explained and nothing changes until confirmed.
  await expect(form.getByRole("alert")).toContainText("The room is already taken by “Whole-of-society action plans”");
  await expect(form.getByLabel("Starts")).toHaveValue("10:45");
  await expectAccessible(page);
  await form.getByRole("button", { name: "Save anyway" }).click();
  await expect(page.getByText("Saved. Everyone viewing the agenda sees the change.")).toBeVisible();
  await expect(page.locator(`[data-testid="tt-session"][data-session-id="${sessionId}"]`)).toContainText("Overlap");
});

test("a session's description is Markdown, rendered safely when opened", async ({ context, page, db, signIn }) => {
  const event = makeEvent(db);
  const sessionId = makeSession(db, event, { title: "Opening plenary: the year in review", kind: "plenary", start: "09:00", end: "10:00" });
  await signIn(context, "secretariat@convene.example");
  await page.goto(`/events/${event.id}/timetable?day=${event.startsOn}&session=${sessionId}`);
  const form = page.locator("#session-form");
  await form
    .getByLabel("Description")
    .fill('**Bring your national plan.** <img src=x onerror="window.hacked=1"> [notes](javascript:alert(1))');
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Saved. Everyone viewing the agenda sees the change.")).toBeVisible();

  await page.goto(`/events/${event.id}?day=${event.startsOn}`);
  const card = page.locator(`[data-session-id="${sessionId}"]`);
  await card.getByText("About this session").click();
  await expect(card.locator("strong")).toHaveText("Bring your national plan.");
  await expect(card.locator("img")).toHaveCount(0);
  await expect(card.getByRole("link", { name: "notes" })).not.toHaveAttribute("href", /javascript:/);
  expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
  await expectAccessible(page);
});

test("an agenda that was offline catches up when its connection comes back", async ({ browser, db, server, signIn }) => {
  const event = makeEvent(db);
  const sessionId = makeSession(db, event, {
    title: "Hash-sharing between platforms: what is working",
    room: "Room A",
    start: "10:30",
    end: "12:00",
  });
  const context = await browser.newContext({ timezoneId: "Europe/Brussels", locale: "en-GB" });
  await signIn(context, "police@convene.example");
  const page = await context.newPage();

  // The live connection goes through the test, which can cut it and keep it cut.
  const connection = await cuttableConnection(page);

  await page.goto(`/events/${event.id}?day=${event.startsOn}`);
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await connection.cut();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "reconnecting");

  // While it is offline, the secretariat moves the session.
  const admin = await browser.newContext();
  await signIn(admin, "secretariat@convene.example");
  const res = await admin.request.post(`/events/${event.id}/timetable`, {
    form: {
      intent: "move",
      sessionId: String(sessionId),
      roomId: String(event.rooms["Main hall"]),
      date: event.startsOn,
      startTime: "16:00",
      endTime: "17:30",
      acceptConflicts: "1",
    },
    headers: { Origin: server.url },
  });
  expect(res.status()).toBe(200);
  const card = page.locator(`[data-session-id="${sessionId}"]`);
  await expect(card).not.toContainText("16:00");

  connection.restore();
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(card).toContainText("16:00");
  await admin.close();
  await context.close();
});
