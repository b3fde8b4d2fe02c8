import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { getEvent } from "../../app/models/agenda.server";
import { saveReportBack } from "../../app/models/breakout-reports.server";
import { registerForEvent } from "../../app/models/registrations.server";
import type { Db } from "../../db/client";
import { makeBreakout, placeInRoom } from "../support/breakouts";
import {
  SECRETARIAT,
  actorOf,
  expect,
  expectAccessible,
  makeCommitment,
  makeEvent,
  makePerson,
  makeSession,
  pillarIdOf,
  screens,
  test,
  type Person,
  type TestEvent,
} from "./fixtures";

/**
 * The secretariat's guide (`docs/guide/secretariat.md`), walked in a browser on data made like the demo's: setting
 * up a forum, running breakouts, closing a cycle. Every page is checked with axe. With GUIDE_SCREENSHOTS=1 the walk
 * also saves the guide's pictures (the visible screen, not the whole page) to `docs/guide/images/`:
 *
 *   GUIDE_SCREENSHOTS=1 npx playwright test test/e2e/guide.spec.ts
 *
 * Without it nothing is written, so an ordinary test run never changes the guide.
 */

const IMAGES = join(process.cwd(), "docs/guide/images");
const saving = process.env.GUIDE_SCREENSHOTS === "1";
const meta = { ipAddress: null, userAgent: "test" };
/** A phone held upright, at one device pixel per CSS pixel so that its pictures stay small. */
const phone = { ...screens.phone, deviceScaleFactor: 1 };

/** Checks the page with axe and, when asked to, saves what is on screen as `docs/guide/images/<name>.png`. */
async function shot(page: Page, name: string) {
  await expectAccessible(page);
  if (!saving) return;
  mkdirSync(IMAGES, { recursive: true });
  await page.screenshot({ path: join(IMAGES, `${name}.png`), scale: "css", animations: "disabled", caret: "hide" });
}

/** An event created through the form, as the test's factories describe one. */
function asTestEvent(db: Db, id: number): TestEvent {
  const row = getEvent(db, id)!;
  const rooms = Object.fromEntries(
    (db.$client.prepare("SELECT id, name FROM rooms WHERE event_id = ?").all(id) as { id: number; name: string }[]).map((r) => [
      r.name,
      r.id,
    ]),
  );
  const days: string[] = [];
  for (let day = row.startsOn; day <= row.endsOn; day = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10))
    days.push(day);
  return { id, title: row.title, startsOn: row.startsOn, endsOn: row.endsOn, timeZone: row.timeZone, days, rooms, row };
}

function nextYearDate(monthDay: string): string {
  return `${new Date().getUTCFullYear() + 1}-${monthDay}`;
}

test.use(screens.desktop);
// Each walk visits many pages, with an accessibility scan on each: more than an ordinary journey.
test.describe.configure({ timeout: 600_000 });

test("setting up a forum: the event, its days and rooms, tracks and leads, the timetable, publishing and registrations", async ({
  browser,
  page,
  context,
  db,
  signIn,
}) => {
  await signIn(context, SECRETARIAT);
  const title = "Regional convening on hotline cooperation";

  // The event: title, days, time zone and rooms; it starts as a draft.
  await page.goto("/events/new");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("First day").fill(nextYearDate("03-09"));
  await page.getByLabel("Last day").fill(nextYearDate("03-10"));
  await page.getByLabel("Time zone of the event").selectOption("Europe/Brussels");
  await page.getByLabel("Rooms").fill("Main hall\nRoom A\nRoom B");
  await page.getByRole("checkbox", { name: "Registrations need the secretariat's approval" }).check();
  await shot(page, "forum-new-event");
  await page.getByRole("button", { name: "Create draft event" }).click();
  await expect(page.getByText("The event was created as a draft.")).toBeVisible();
  await expect(page).toHaveURL(/\/events\/\d+\/settings/);
  const eventId = Number(new URL(page.url()).pathname.split("/")[2]);
  await shot(page, "forum-settings");

  // Tracks and their leads, further down the same page.
  await page.getByRole("heading", { name: "Track leads" }).scrollIntoViewIfNeeded();
  await shot(page, "forum-track-leads");

  // The timetable, with a day laid out: a plenary, workshops in the rooms, a breakout by pillar.
  const event = asTestEvent(db, eventId);
  const [first, second] = event.days as [string, string];
  makeSession(db, event, { title: "Opening plenary", date: first, start: "09:00", end: "10:00", room: "Main hall", kind: "plenary" });
  makeSession(db, event, {
    title: "Hash sharing across borders",
    date: first,
    start: "10:30",
    end: "12:00",
    room: "Room A",
    pillar: "collective-action",
  });
  makeSession(db, event, {
    title: "Measuring what platforms report",
    date: first,
    start: "10:30",
    end: "12:00",
    room: "Room B",
    pillar: "transparency-accountability",
  });
  makeBreakout(db, event, { title: "Breakouts by pillar", start: "14:00", end: "15:30" });
  makeSession(db, event, { title: "Closing plenary", date: second, start: "16:00", end: "17:00", room: "Main hall", kind: "plenary" });
  await page.goto(`/events/${eventId}/timetable`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText("Opening plenary").first()).toBeVisible();
  await shot(page, "forum-timetable");

  // Publishing makes the agenda visible to those the event is for.
  await page.goto(`/events/${eventId}/settings`);
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("Published: people can now see the agenda.")).toBeVisible();
  await page.goto(`/events/${eventId}`);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await shot(page, "forum-agenda");

  // Registrations wait for the secretariat's decision.
  const people: Person[] = [];
  for (const [name, organisation] of [
    ["Amani Otieno", "Children First Alliance (demo)"],
    ["Mei Tanaka", "Streamwave Platforms (demo)"],
    ["Tomás Silva", "Federal Cybercrime Unit (demo)"],
  ] as const) {
    const person = await makePerson(db, { name, organisation });
    const registered = registerForEvent(db, actorOf(db, person.id), getEvent(db, eventId)!, meta);
    if (!registered.ok) throw new Error(`registering ${name} was refused`);
    people.push(person);
  }
  await page.goto(`/events/${eventId}/registrations`);
  await expect(page.getByRole("checkbox", { name: "Select Amani Otieno" })).toBeVisible();
  await page.getByRole("checkbox", { name: "Select Amani Otieno" }).check();
  await page.getByRole("checkbox", { name: "Select Mei Tanaka" }).check();
  await shot(page, "forum-registrations");
  await page.getByRole("button", { name: "Approve selected" }).click();
  await expect(page.getByText("2 registrations updated.")).toBeVisible();

  // What a delegate sees on a phone once the event is published.
  const delegateContext = await browser.newContext(phone);
  await signIn(delegateContext, people[0]!);
  const delegate = await delegateContext.newPage();
  await delegate.goto(`/events/${eventId}`);
  await expect(delegate.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await shot(delegate, "phone-agenda");
  await delegateContext.close();
});

test("running breakouts: the rooms, who goes where, the console, and the report-backs that become commitments", async ({
  browser,
  page,
  context,
  db,
  signIn,
}) => {
  await signIn(context, SECRETARIAT);
  const event = makeEvent(db, { title: "Annual forum on child safety online" });
  const title = "Breakouts by pillar";
  const breakout = makeBreakout(db, event, { title });
  const delegates: Person[] = [];
  for (const [name, organisation] of [
    ["Amani Otieno", "Children First Alliance (demo)"],
    ["Mei Tanaka", "Streamwave Platforms (demo)"],
    ["Tomás Silva", "Federal Cybercrime Unit (demo)"],
    ["Grace Mensah", "Ministry of Digital Affairs (demo)"],
  ] as const)
    delegates.push(await makePerson(db, { name, organisation }));
  const room = breakout.roomOf("collective-action");
  const rapporteur = delegates[0]!;
  placeInRoom(db, breakout, room, rapporteur.id, delegates[1]!.id);
  placeInRoom(db, breakout, breakout.roomOf("tech-innovation"), delegates[2]!.id);
  placeInRoom(db, breakout, breakout.roomOf("independent-research"), delegates[3]!.id);
  db.$client.prepare("UPDATE breakout_rooms SET rapporteur_id = ? WHERE id = ?").run(rapporteur.id, room);

  // The session's page, then the plan: rooms, questions, capacities, and who goes where.
  await page.goto(`/breakouts/${breakout.sessionId}`);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await shot(page, "breakouts-session");
  await page.getByRole("link", { name: "Plan the rooms" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Plan the breakout rooms" })).toBeVisible();
  await shot(page, "breakouts-plan");

  // The console: open the rooms, follow them, close them.
  await page.goto(`/breakouts/${breakout.sessionId}/console`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Open all rooms" }).click();
  await expect(page.getByRole("button", { name: "Close all rooms" })).toBeVisible();

  // A delegate on a phone is taken to their room.
  const delegateContext = await browser.newContext(phone);
  await signIn(delegateContext, rapporteur);
  const delegate = await delegateContext.newPage();
  await delegate.goto(`/breakouts/${breakout.sessionId}/rooms/${room}`);
  await expect(delegate.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(delegate, "phone-breakout-room");
  await delegateContext.close();

  await shot(page, "breakouts-console");
  await page.getByRole("button", { name: "Close all rooms" }).click();
  await page.getByRole("button", { name: "Yes, close all rooms" }).click();
  await expect(page.getByRole("button", { name: "Open all rooms again" })).toBeVisible();

  // The rapporteur's report-back reaches the plenary page, where an action becomes a draft commitment.
  const saved = saveReportBack(
    db,
    actorOf(db, rapporteur.id),
    room,
    {
      keyPoints: "Hash sharing works where the law allows it; smaller platforms need help to take part.",
      actions: ["Publish a shared glossary of hash formats", "Fund two hotline analysts for small platforms"],
      pillarId: pillarIdOf(db, "collective-action"),
      submit: true,
    },
    meta,
  );
  if (!saved.ok) throw new Error("the report-back was refused");
  await page.goto(`/breakouts/${breakout.sessionId}/reports`);
  await expect(page.getByText("Publish a shared glossary of hash formats")).toBeVisible();
  await shot(page, "breakouts-report-backs");
});

test("closing a cycle: progress checks, the carry-over review, the annual report and its public version", async ({
  browser,
  page,
  context,
  db,
  signIn,
}) => {
  await signIn(context, SECRETARIAT);
  const open = (
    db.$client.prepare("SELECT year FROM forum_cycles WHERE status = 'open' ORDER BY year DESC LIMIT 1").get() as { year: number }
  ).year;
  const closed = (
    db.$client.prepare("SELECT year FROM forum_cycles WHERE status = 'closed' ORDER BY year DESC LIMIT 1").get() as { year: number }
  ).year;
  const commitment = makeCommitment(db, {
    organisation: "Children First Alliance (demo)",
    title: "Shared triage rules for hotline reports",
    milestones: [{ title: "Rules agreed by the partner hotlines", dueOn: `${open}-06-30` }],
  });

  // The registry, where updates wait to be checked, and a commitment's page.
  await page.goto("/commitments");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(page, "cycle-registry");
  await page.goto(`/commitments/${commitment.id}`);
  await expect(page.getByRole("heading", { level: 1, name: commitment.title })).toBeVisible();
  await shot(page, "cycle-commitment");

  // The cycle: its commitments by status, and closing it (reviewed first; this walk stops before closing).
  await page.goto("/cycles");
  await expect(page.getByRole("heading", { level: 1, name: "Forum cycles" })).toBeVisible();
  await shot(page, "cycle-list");
  await page.goto(`/cycles/${open}`);
  await expect(page.getByRole("heading", { level: 1, name: `Forum cycle ${open}` })).toBeVisible();
  await shot(page, "cycle-year");

  // The carry-over review of the year that was closed.
  await page.goto(`/cycles/${open}/carry-over`);
  await expect(page.getByRole("heading", { level: 1, name: `Carry-over review ${open}` })).toBeVisible();
  await shot(page, "cycle-carry-over");

  // The annual report, and its public version.
  await page.goto(`/reports/${closed}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(page, "cycle-report");
  await page.goto(`/reports/${closed}/public`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(page, "cycle-public-report");

  // The public version as anyone reads it on a phone.
  const readerContext = await browser.newContext(phone);
  const reader = await readerContext.newPage();
  await reader.goto(`/reports/${closed}/public`);
  await expect(reader.getByRole("heading", { level: 1 })).toBeVisible();
  await shot(reader, "phone-public-report");
  await readerContext.close();
});
