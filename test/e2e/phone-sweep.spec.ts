import type { Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { createPasswordReset } from "../../app/models/password-resets.server";
import { publishDocument } from "../../app/models/documents.server";
import { createInvitation } from "../../app/models/invitations.server";
import type { Db } from "../../db/client";
import { makeBreakout, placeInRoom } from "../support/breakouts";
import {
  SECRETARIAT,
  actorOf,
  expect,
  expectAccessible,
  expectNoSidewaysScroll,
  makeCommitment,
  makeEvent,
  makeGroupWithDocument,
  makePerson,
  makeSession,
  organisationIdOf,
  screens,
  test,
  userIdOf,
  type ScreenName,
} from "./fixtures";

/**
 * The sweep: every page each role may use, on a phone held upright (390 px) and on a laptop (1366 px). On each
 * page nothing may scroll sideways and axe may find no serious or critical problem. The pages come from
 * `app/routes/` (every route that renders a page), with the ids of the data the test makes for itself.
 *
 * A page missing from a role's list is one that role may not open.
 */

const meta = { ipAddress: null, userAgent: "test" };
const FACILITATOR = "facilitator@convene.example";
const DELEGATE = "ngo@convene.example";
const OBSERVER = "observer@convene.example";

type Role = "secretariat" | "facilitator" | "delegate" | "observer";

function cycleYear(db: Db, status: "open" | "closed"): number {
  const row = db.$client.prepare("SELECT year FROM forum_cycles WHERE status = ? ORDER BY year DESC LIMIT 1").get(status) as {
    year: number;
  };
  return row.year;
}

/**
 * The pages each role may use, with the data they show written as `:name`, filled in from what the test makes.
 * `:year` is the open cycle, `:closed` the last closed one (whose report exists).
 */
const sweep: Record<Role, string[]> = {
  secretariat: [
    "/",
    "/account",
    "/account/security",
    "/audit",
    "/breakouts/:session",
    "/breakouts/:session/plan",
    "/breakouts/:session/console",
    "/breakouts/:session/reports",
    "/breakouts/:session/rooms/:room",
    "/breakouts/:session/rooms/:room/report",
    "/calendar",
    "/commitments",
    "/commitments/new",
    "/commitments/dashboard",
    "/commitments/import",
    "/commitments/:commitment",
    "/cycles",
    "/cycles/:year",
    "/cycles/:year/carry-over",
    "/documents",
    "/documents/:document",
    "/documents/:document/versions",
    "/documents/:document/v/:version",
    "/events",
    "/events/new",
    "/events/:event",
    "/events/:event/programme",
    "/events/:event/registrations",
    "/events/:event/settings",
    "/events/:event/timetable",
    "/groups",
    "/groups/:group",
    "/invitations",
    "/invitations/new",
    "/organisations",
    "/organisations/:organisation",
    "/people",
    "/reports",
    "/reports/:closed",
    "/reports/:closed/public",
  ],
  facilitator: [
    "/",
    "/account",
    "/account/security",
    "/breakouts/:session",
    "/breakouts/:session/plan",
    "/breakouts/:session/console",
    "/breakouts/:session/reports",
    "/breakouts/:session/rooms/:room",
    "/breakouts/:session/rooms/:room/report",
    "/calendar",
    "/commitments",
    "/commitments/:commitment",
    "/documents",
    "/documents/:document",
    "/documents/:document/versions",
    "/documents/:document/v/:version",
    "/events",
    "/events/:event",
    "/events/:event/programme",
    "/groups",
    "/groups/:group",
    "/reports",
    "/reports/:closed/public",
  ],
  delegate: [
    "/",
    "/account",
    "/account/security",
    "/breakouts/:session",
    "/breakouts/:session/reports",
    "/breakouts/:session/rooms/:room",
    "/breakouts/:session/rooms/:room/report",
    "/calendar",
    "/commitments",
    "/commitments/new",
    "/commitments/:commitment",
    "/documents",
    "/documents/:document",
    "/documents/:document/versions",
    "/documents/:document/v/:version",
    "/events",
    "/events/:event",
    "/events/:event/programme",
    "/groups",
    "/groups/:group",
    "/reports",
    "/reports/:closed/public",
  ],
  observer: [
    "/",
    "/account",
    "/account/security",
    "/breakouts/:session",
    "/breakouts/:session/reports",
    "/calendar",
    "/commitments",
    "/commitments/:commitment",
    "/documents",
    "/documents/:document",
    "/documents/:document/v/:version",
    "/events",
    "/events/:event",
    "/events/:event/programme",
    "/groups",
    "/groups/:group",
    "/reports",
    "/reports/:closed/public",
  ],
};

/** What the sweep visits, made for this test: an event with sessions and a breakout, a group with a published document, a commitment. */
function sweepData(db: Db): Record<string, number> {
  const event = makeEvent(db, { title: `Sweep forum ${Date.now()}` });
  makeSession(db, event, { title: "Opening plenary", start: "09:00", end: "10:00", room: "Main hall", kind: "plenary" });
  makeSession(db, event, {
    title: "Hash sharing across borders",
    start: "10:30",
    end: "12:00",
    room: "Room A",
    pillar: "collective-action",
  });
  const breakout = makeBreakout(db, event, { title: "Breakouts by pillar" });
  const room = breakout.rooms[0]!.id;
  // The facilitator runs the first room, whose rapporteur is the delegate; the delegate and the observer are placed in it.
  db.$client
    .prepare("UPDATE breakout_rooms SET facilitator_id = ?, rapporteur_id = ? WHERE id = ?")
    .run(userIdOf(db, FACILITATOR), userIdOf(db, DELEGATE), room);
  placeInRoom(db, breakout, room, userIdOf(db, DELEGATE), userIdOf(db, OBSERVER));

  const group = makeGroupWithDocument(db, {
    lead: DELEGATE,
    members: { [FACILITATOR]: "editor", [OBSERVER]: "reader" },
    title: "Sweep good practice",
    visibility: "members",
  });
  const published = publishDocument(db, actorOf(db, SECRETARIAT), group.documentId, { visibility: "public", name: (n) => `v${n}` }, meta);
  if (!published.ok) throw new Error("publishing the sweep's document was refused");
  const commitment = makeCommitment(db, { organisation: "Children First Alliance (demo)", title: "Sweep commitment" });
  return {
    event: event.id,
    session: breakout.sessionId,
    room,
    group: group.groupId,
    document: group.documentId,
    version: published.number,
    commitment: commitment.id,
    organisation: organisationIdOf(db, "Children First Alliance (demo)"),
    year: cycleYear(db, "open"),
    closed: cycleYear(db, "closed"),
  };
}

const fill = (template: string, data: Record<string, number>) =>
  template.replace(/:(\w+)/g, (_, name: string) => {
    if (data[name] === undefined) throw new Error(`no ${name} for ${template}`);
    return String(data[name]);
  });

/** Opens a page as it is asked for (no redirect, no error) and checks that it fits the screen and passes axe. */
async function check(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response?.status(), `${path} answers`).toBeLessThan(400);
  expect(new URL(page.url()).pathname, `${path} is not redirected`).toBe(path);
  await expect(page.locator("h1").first()).toBeVisible();
  await expectNoSidewaysScroll(page);
  await expectAccessible(page);
}

const PAGES_PER_TEST = 8;

const people: Record<Role, string> = { secretariat: SECRETARIAT, facilitator: FACILITATOR, delegate: DELEGATE, observer: OBSERVER };

for (const screen of ["phone", "desktop"] as ScreenName[]) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    // A few pages per test: the data and the sign-in are made once for them, and the sweep still spreads over the workers.
    for (const role of ["secretariat", "facilitator", "delegate", "observer"] as Role[]) {
      for (let from = 0; from < sweep[role].length; from += PAGES_PER_TEST) {
        const templates = sweep[role].slice(from, from + PAGES_PER_TEST);
        test(`the ${role}'s pages ${templates.join(", ")} fit the screen and pass axe`, async ({ page, context, db, signIn }) => {
          const data = sweepData(db);
          await signIn(context, people[role]);
          for (const template of templates) await check(page, fill(template, data));
        });
      }
    }

    test("the pages for someone not signed in fit the screen and pass axe", async ({ page, db }) => {
      const data = sweepData(db);
      const secretariat = actorOf(db, SECRETARIAT);
      const invitation = createInvitation(
        db,
        secretariat,
        { email: `sweep-${Date.now()}@example.org`, role: "delegate", organisationId: null },
        { baseUrl: "http://localhost", compose: (link) => ({ subject: "Invitation", body: link }) },
        meta,
      );
      if (!invitation.ok) throw new Error("inviting was refused");
      const reader = await makePerson(db);
      const reset = createPasswordReset(
        db,
        secretariat,
        reader.id,
        { baseUrl: "http://localhost", compose: (link) => ({ subject: "Reset", body: link }) },
        meta,
      );
      if (!reset.ok) throw new Error("making a reset link was refused");

      for (const path of [
        "/",
        "/sign-in",
        "/password-reset",
        new URL(reset.link).pathname,
        new URL(invitation.link).pathname,
        fill("/documents/:document/v/:version", data),
        fill("/reports/:closed/public", data),
      ])
        await check(page, path);
    });

    test("the second factor's pages fit the screen and pass axe", async ({ page, db }) => {
      // As a new secretariat member meets them: set it up, then confirm a sign-in with it.
      const member = await makePerson(db, { role: "secretariat" });
      const enterPassword = async () => {
        await page.getByLabel("Email address").fill(member.email);
        await page.getByLabel("Password", { exact: true }).fill(member.password);
        await page.getByRole("button", { name: "Sign in" }).click();
      };
      await page.goto("/sign-in");
      await enterPassword();
      await expect(page).toHaveURL(/\/sign-in\/enrol$/);
      await check(page, "/sign-in/enrol");
      const secret = (await page.getByTestId("totp-secret").textContent())!.replaceAll(" ", "");
      await page.getByLabel("Code from your authenticator app").fill(new TOTP({ secret: Secret.fromBase32(secret) }).generate());
      await page.getByRole("button", { name: "Confirm and turn on" }).click();
      await expect(page.getByRole("heading", { name: "Your second factor is on" })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectAccessible(page);

      await page.context().clearCookies();
      await page.goto("/sign-in");
      await enterPassword();
      await expect(page).toHaveURL(/\/sign-in\/verify$/);
      await check(page, "/sign-in/verify");
    });
  });
}
