import type { Page } from "@playwright/test";
import { expect, expectAccessible, makeEvent, makePerson, makeSession, pillarIdOf, test, type Person } from "./fixtures";

const ORGS = [
  "Ministry of Digital Affairs (demo)",
  "Federal Cybercrime Unit (demo)",
  "Children First Alliance (demo)",
  "Safe Line Hotline Network (demo)",
  "Streamwave Platforms (demo)",
  "Institute for Online Safety Research (demo)",
];

const column = (page: Page, name: string) =>
  page.getByTestId("board-column").filter({ has: page.getByRole("heading", { level: 3, name }) });
const roomEditor = (page: Page, name: string) => page.locator(`[data-testid="room-editor"][data-room-name="${name}"]`);
const card = (page: Page, person: Person) => page.locator(`[data-testid="person-card"][data-person-id="${person.id}"]`);

test("a track's facilitator prepares the rooms, balances and adjusts the assignment, publishes it, and a delegate sees their room", async ({
  browser,
  db,
  signIn,
}) => {
  const event = makeEvent(db);
  const lead = await makePerson(db, { role: "facilitator", name: "Tomasz Lewandowski", organisation: ORGS[5] });
  db.$client
    .prepare("INSERT INTO track_leads (event_id, pillar_id, user_id) VALUES (?, ?, ?)")
    .run(event.id, pillarIdOf(db, "collective-action"), lead.id);
  const sessionId = makeSession(db, event, {
    title: "Track breakouts",
    kind: "breakout",
    room: null,
    start: "10:00",
    end: "11:30",
    pillar: "collective-action",
  });
  const delegates = await Promise.all(Array.from({ length: 10 }, (_, i) => makePerson(db, { organisation: ORGS[i % ORGS.length] })));
  const register = db.$client.prepare("INSERT INTO event_registrations (event_id, user_id, status) VALUES (?, ?, 'approved')");
  for (const d of delegates) register.run(event.id, d.id);

  const facilitatorContext = await browser.newContext();
  await signIn(facilitatorContext, lead);
  const page = await facilitatorContext.newPage();
  await page.goto(`/breakouts/${sessionId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Track breakouts" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Plan the rooms" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Plan the breakout rooms" })).toBeVisible();
  await expectAccessible(page);

  // Editing a room: a question, a capacity, and a link that is not https is refused with what was typed kept.
  const editor = roomEditor(page, "Collective Action");
  await editor.locator("summary").click();
  await editor.getByLabel("Guiding question").fill("What will your organisation commit to next year?");
  await editor.getByLabel("Capacity").fill("4");
  await editor.getByLabel("Meeting link").fill("http://meet.example.org/collective");
  await editor.getByRole("button", { name: "Save Collective Action" }).click();
  await expect(page.getByText("Enter a full link starting with https://.")).toBeVisible();
  await expect(roomEditor(page, "Collective Action").getByLabel("Guiding question")).toHaveValue(
    "What will your organisation commit to next year?",
  );
  await editor.getByLabel("Meeting link").fill("https://meet.example.org/collective");
  await editor.getByRole("button", { name: "Save Collective Action" }).click();
  await expect(page.getByText("The room was saved.")).toBeVisible();

  // Everyone starts unassigned; the balanced proposal places all ten, at most four in the room of four.
  await expect(column(page, "Unassigned").getByTestId("person-card")).toHaveCount(10);
  await page.getByRole("button", { name: "Propose a balanced assignment" }).click();
  await expect(page.getByText("A balanced assignment was proposed for 10 people.")).toBeVisible();
  await expect(column(page, "Unassigned").getByTestId("person-card")).toHaveCount(0);
  await expect(column(page, "Collective Action")).toContainText("Preferences met");
  await expectAccessible(page);

  // One person moved with the keyboard alternative: the "Move to" list and its button.
  const first = delegates[0]!;
  await card(page, first).getByLabel(`Move ${first.name} to`).selectOption({ label: "Independent Research" });
  await card(page, first)
    .getByRole("button", { name: `Move ${first.name}` })
    .click();
  await expect(column(page, "Independent Research").locator(`[data-person-id="${first.id}"]`)).toBeVisible();

  // Another one dragged to the Unassigned column and back into a room.
  const second = delegates[1]!;
  // A drag needs both its card and the column it goes to on screen: the mouse cannot drop below the window.
  await page.setViewportSize({ width: 1280, height: 1400 });
  const dragTo = async (person: Person, target: string) => {
    const handle = card(page, person).locator(".breakout-person__handle");
    const from = (await handle.boundingBox())!;
    const to = (await column(page, target).boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 3 });
    await page.mouse.move(to.x + to.width / 2, to.y + 20, { steps: 12 });
    await page.mouse.up();
    await expect(column(page, target).locator(`[data-person-id="${person.id}"]`)).toBeVisible();
  };
  await dragTo(second, "Transparency & Accountability");

  await page.getByRole("button", { name: "Publish the assignment" }).click();
  await expect(page.getByText("The assignment is published: delegates now see their room.")).toBeVisible();
  await expectAccessible(page);

  // The delegate moved by hand sees their room on the hub, on a phone.
  const delegateContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await signIn(delegateContext, first);
  const hub = await delegateContext.newPage();
  await hub.goto(`/breakouts/${sessionId}`);
  await expect(hub.getByTestId("hub-my-room")).toContainText("Your room: Independent Research");
  await expectAccessible(hub);
  await Promise.all([facilitatorContext.close(), delegateContext.close()]);
});

test("in a room delegates choose, one takes the last place and another finds it full", async ({ browser, db, signIn }) => {
  const event = makeEvent(db);
  const sessionId = makeSession(db, event, { title: "Choose your breakout", kind: "breakout", room: null, start: "14:00", end: "15:00" });
  db.$client.prepare("UPDATE breakout_rooms SET capacity = 1 WHERE session_id = ? AND name = 'Tech Innovation'").run(sessionId);
  const [amara, bo] = await Promise.all([
    makePerson(db, { name: "Amara Diallo", organisation: ORGS[2] }),
    makePerson(db, { name: "Bo Lindqvist", organisation: ORGS[4] }),
  ]);
  const amaraContext = await browser.newContext();
  const boContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await signIn(amaraContext, amara);
  await signIn(boContext, bo);
  const a = await amaraContext.newPage();
  const b = await boContext.newPage();

  // From the agenda, the session's card leads to its rooms.
  await a.goto(`/events/${event.id}`);
  await a.getByTestId("agenda-session").filter({ hasText: "Choose your breakout" }).getByTestId("breakout-link").click();
  await expect(a.getByRole("heading", { level: 1, name: "Choose your breakout" })).toBeVisible();
  await expect(a.getByText("On the record")).toBeVisible();
  await expectAccessible(a);
  await b.goto(`/breakouts/${sessionId}`);
  const techForB = b.getByTestId("hub-room").filter({ hasText: "Tech Innovation" });
  await expect(techForB.getByTestId("room-places")).toContainText("1 place left");

  await a.getByRole("button", { name: "Choose this room: Tech Innovation" }).click();
  await expect(a.getByText("This room is yours.")).toBeVisible();
  await expect(a.getByTestId("hub-my-room")).toContainText("Your room: Tech Innovation");
  await expectAccessible(a);

  // Bo's page may still offer the last place (or already mark it taken): choosing it anyway is answered clearly.
  await b.getByRole("button", { name: "Choose this room: Tech Innovation" }).click({ force: true });
  await expect(b.getByText("This room is full. Choose another one.")).toBeVisible();
  await expect(techForB.getByTestId("room-full")).toBeVisible();
  await b.getByRole("button", { name: "Choose this room: Collective Action" }).click();
  await expect(b.getByTestId("hub-my-room")).toContainText("Your room: Collective Action");
  await expectAccessible(b);
  await Promise.all([amaraContext.close(), boContext.close()]);
});
