import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { addProgressUpdate } from "../../app/models/commitments.server";
import { publishDocument } from "../../app/models/documents.server";
import { createInvitation } from "../../app/models/invitations.server";
import { registerForEvent } from "../../app/models/registrations.server";
import type { Db } from "../../db/client";
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
  screens,
  test,
  unique,
} from "./fixtures";

const meta = { ipAddress: null, userAgent: "e2e" };

/** The secretariat's destinations, by the menu that holds them. */
const destinations = [
  { menu: "Forum", link: "Events", path: "/events", heading: "Events" },
  { menu: "Forum", link: "Forum cycles", path: "/cycles", heading: "Forum cycles" },
  { menu: "Forum", link: "Reports", path: "/reports", heading: "Annual progress reports" },
  { menu: "Work", link: "Working groups", path: "/groups", heading: "Working groups" },
  { menu: "Work", link: "Documents", path: "/documents", heading: "Documents" },
  { menu: "Work", link: "Commitments", path: "/commitments", heading: "Commitments" },
  { menu: "Work", link: "Commitments dashboard", path: "/commitments/dashboard", heading: "Commitments dashboard" },
  { menu: "Administration", link: "People", path: "/people", heading: "People" },
  { menu: "Administration", link: "Organisations", path: "/organisations", heading: "Organisations" },
  { menu: "Administration", link: "Invitations", path: "/invitations", heading: "Invitations" },
  { menu: "Administration", link: "Audit log", path: "/audit", heading: "Audit log" },
];

/** Opens the phone's menu when there is one to open. */
async function openMenu(page: Page) {
  const toggle = page.getByRole("button", { name: "Menu", exact: true });
  if ((await toggle.isVisible()) && (await toggle.getAttribute("aria-expanded")) !== "true") {
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
  }
}

function closedYear(db: Db): number {
  return (db.$client.prepare("SELECT year FROM forum_cycles WHERE status = 'closed' ORDER BY year DESC LIMIT 1").get() as { year: number })
    .year;
}

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("the secretariat reaches every page from the grouped menu, which marks where it is", async ({ page, context, signIn }) => {
      await signIn(context, SECRETARIAT);
      await page.goto("/");
      const nav = page.getByRole("navigation", { name: "Main" });
      if (screen === "desktop") {
        // One row at 1366 px: the menu is as tall as one of its buttons.
        await expect(nav).toBeVisible();
        const navBox = (await nav.boundingBox())!;
        const rowBox = (await nav.getByRole("button", { name: "Forum" }).boundingBox())!;
        expect(navBox.height).toBeLessThanOrEqual(rowBox.height + 2);
        const brand = (await page.getByRole("link", { name: "Convene" }).boundingBox())!;
        expect(Math.abs(brand.y + brand.height / 2 - (navBox.y + navBox.height / 2))).toBeLessThan(8);
        await expect(page.getByRole("button", { name: "Menu", exact: true })).toBeHidden();
      } else {
        // On a phone the whole menu waits behind one button.
        await expect(nav).toBeHidden();
        await openMenu(page);
        await expect(nav).toBeVisible();
        await page.keyboard.press("Escape");
        await expect(nav).toBeHidden();
        await expect(page.getByRole("button", { name: "Menu", exact: true })).toBeFocused();
      }
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // A disclosure menu answers to the keyboard: Enter opens it, Escape closes it and returns to its button.
      await openMenu(page);
      const forum = nav.getByRole("button", { name: "Forum" });
      await forum.focus();
      await page.keyboard.press("Enter");
      await expect(forum).toHaveAttribute("aria-expanded", "true");
      await expect(nav.getByRole("link", { name: "Forum cycles" })).toBeVisible();
      await page.keyboard.press("Tab");
      await expect(nav.getByRole("link", { name: "Events" })).toBeFocused();
      await page.keyboard.press("Escape");
      await expect(forum).toHaveAttribute("aria-expanded", "false");
      await expect(forum).toBeFocused();
      await expect(nav.getByRole("link", { name: "Forum cycles" })).toBeHidden();
      await page.keyboard.press("Space");
      await expect(forum).toHaveAttribute("aria-expanded", "true");
      await page.keyboard.press("Escape");

      for (const d of destinations) {
        await openMenu(page);
        const group = nav.getByRole("button", { name: d.menu });
        if ((await group.getAttribute("aria-expanded")) !== "true") await group.click();
        await nav.getByRole("link", { name: d.link, exact: true }).click();
        await expect(page).toHaveURL(new RegExp(`${d.path}$`));
        await expect(page.getByRole("heading", { level: 1, name: d.heading, exact: true })).toBeVisible();
        // The page's own link is marked as the current one, and its menu as holding it.
        await expect(page.locator(`#site-menu a[href="${d.path}"]`)).toHaveAttribute("aria-current", "page");
        await expect(page.locator("#site-menu a[aria-current]")).toHaveCount(1);
        // (On a phone the menu has closed behind its button again, so it is looked up hidden.)
        await expect(
          page.getByRole("navigation", { name: "Main", includeHidden: true }).getByRole("button", { name: d.menu, includeHidden: true }),
        ).toHaveAttribute("aria-current", "true");
        await expectAccessible(page);
        await expectNoSidewaysScroll(page);
      }

      // New event is one click from the events list.
      await page.goto("/events");
      await page.getByRole("link", { name: "New event" }).click();
      await expect(page).toHaveURL(/\/events\/new$/);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("a delegate gets the menu's destinations side by side, with the reports and without the secretariat's pages", async ({
      page,
      context,
      signIn,
    }) => {
      await signIn(context, "ngo@convene.example");
      await page.goto("/");
      await openMenu(page);
      const nav = page.getByRole("navigation", { name: "Main" });
      await expect(nav.getByRole("button")).toHaveCount(0);
      for (const name of ["Home", "Events", "Reports", "Working groups", "Documents", "Commitments"]) {
        await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
      }
      for (const name of ["Forum cycles", "Commitments dashboard", "People", "Audit log"]) {
        await expect(nav.getByRole("link", { name, exact: true })).toHaveCount(0);
      }
      await nav.getByRole("link", { name: "Reports", exact: true }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Annual progress reports" })).toBeVisible();
      await expect(page.getByRole("link", { name: "New event" })).toHaveCount(0);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("a visitor without an account finds the public agendas, models and report on the front page, and nothing private", async ({
      page,
      db,
    }) => {
      const open = makeEvent(db, { title: `Open convening ${unique()}`, visibility: "public" });
      const members = makeEvent(db, { title: `Members convening ${unique()}`, visibility: "members" });
      const draft = makeEvent(db, { title: `Draft convening ${unique()}`, visibility: "public", published: false });
      const secretariat = actorOf(db, SECRETARIAT);
      const model = makeGroupWithDocument(db, { lead: SECRETARIAT, title: `Public model ${unique()}` });
      expect(publishDocument(db, secretariat, model.documentId, { visibility: "public", name: (n) => `v${n}` }, meta).ok).toBe(true);
      const closed = makeGroupWithDocument(db, { lead: SECRETARIAT, title: `Members model ${unique()}` });
      expect(publishDocument(db, secretariat, closed.documentId, { visibility: "members", name: (n) => `v${n}` }, meta).ok).toBe(true);
      const year = closedYear(db);

      await page.goto("/");
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole("heading", { level: 1, name: "The coalition's forum, in the open" })).toBeVisible();
      await expect(page.getByRole("main").getByRole("link", { name: "Sign in" })).toBeVisible();
      await expect(page.getByRole("link", { name: open.title })).toBeVisible();
      await expect(page.getByRole("link", { name: model.title })).toBeVisible();
      await expect(page.getByRole("link", { name: `Annual progress report ${year} (public version)` })).toBeVisible();
      await expect(page.getByText(members.title)).toHaveCount(0);
      await expect(page.getByText(draft.title)).toHaveCount(0);
      await expect(page.getByText(closed.title)).toHaveCount(0);
      await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await page.getByRole("link", { name: open.title }).click();
      await expect(page.getByRole("heading", { level: 1, name: open.title })).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
      await page.goBack();
      await page.getByRole("link", { name: model.title }).click();
      await expect(page).toHaveURL(new RegExp(`/documents/${model.documentId}/v/1$`));
      await expect(page.getByRole("heading", { level: 1, name: model.title })).toBeVisible();
      await expectAccessible(page);
      await page.goBack();
      await page.getByRole("link", { name: `Annual progress report ${year} (public version)` }).click();
      await expect(page).toHaveURL(new RegExp(`/reports/${year}/public$`));
      await expectAccessible(page);

      // The header's way in leads to the sign-in page.
      await page.getByRole("banner").getByRole("link", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/sign-in$/);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });
  });
}

test.describe("the secretariat's waiting work", () => {
  // Counts are forum-wide: this journey has a server to itself, so no other journey changes them meanwhile.
  test.use({ ownServer: true });
  for (const screen of ["phone", "desktop"] as const) {
    test(`on a ${screen}, the home page counts what waits and links to where to act`, async ({ browser, db, signIn }) => {
      const context = await browser.newContext(screens[screen]);
      await signIn(context, SECRETARIAT);
      const page = await context.newPage();
      const count = async (testId: string) => {
        const item = page.getByTestId(testId);
        return (await item.count()) === 0 ? 0 : Number(await item.locator(".waiting-list__count").innerText());
      };
      await page.goto("/");
      await expect(page.getByRole("heading", { name: "Waiting for you" })).toBeVisible();
      const before = {
        progress: await count("waiting-progress"),
        invitations: await count("waiting-invitations"),
        overdue: await count("waiting-overdue"),
      };

      const secretariat = actorOf(db, SECRETARIAT);
      const event = makeEvent(db, { registrationRequiresApproval: true });
      for (let i = 0; i < 2; i++) {
        const person = await makePerson(db, { organisation: "Children First Alliance (demo)" });
        expect(registerForEvent(db, actorOf(db, person.id), event.row, meta).ok).toBe(true);
      }
      const year = new Date().getUTCFullYear();
      const commitment = makeCommitment(db, {
        organisation: "Children First Alliance (demo)",
        milestones: [{ title: "An early milestone", dueOn: `${year}-01-16` }],
      });
      const progress = addProgressUpdate(
        db,
        secretariat,
        commitment.id,
        { completion: "limited", percent: 10, narrative: "Begun.", links: [], files: [] },
        meta,
      );
      expect(progress.ok).toBe(true);
      const invited = createInvitation(
        db,
        secretariat,
        { email: `waiting-${unique()}@example.org`, role: "delegate", organisationId: null },
        { baseUrl: "http://localhost", compose: (link) => ({ subject: "Invitation", body: link }) },
        meta,
      );
      expect(invited.ok).toBe(true);

      await page.reload();
      await expect(page.getByTestId(`waiting-registrations-${event.id}`)).toContainText(`2 registrations to decide for ${event.title}`);
      expect(await count("waiting-progress")).toBe(before.progress + 1);
      expect(await count("waiting-invitations")).toBe(before.invitations + 1);
      expect(await count("waiting-overdue")).toBe(before.overdue + 1);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await page.getByRole("link", { name: `2 registrations to decide for ${event.title}` }).click();
      await expect(page).toHaveURL(new RegExp(`/events/${event.id}/registrations$`));
      await expectAccessible(page);
      await page.goBack();
      await page.getByTestId("waiting-invitations").getByRole("link").click();
      await expect(page).toHaveURL(/\/invitations$/);
      await page.goBack();
      await expect(page.getByTestId("waiting-progress").getByRole("link")).toHaveAttribute("href", "/commitments?progress=unchecked");
      await page.getByTestId("waiting-overdue").getByRole("link").first().click();
      await expect(page).toHaveURL(/\/commitments\/dashboard$/);
      await expectAccessible(page);
      await context.close();
    });
  }
});

test("no two landmarks alike on the secretariat's main pages", async ({ page, context, db, signIn }) => {
  test.setTimeout(300_000);
  const event = makeEvent(db, { registrationRequiresApproval: true });
  const person = await makePerson(db, { organisation: "Children First Alliance (demo)" });
  expect(registerForEvent(db, actorOf(db, person.id), event.row, meta).ok).toBe(true);
  const year = closedYear(db);
  await signIn(context, SECRETARIAT);
  const pages = [
    "/",
    "/events",
    `/events/${event.id}`,
    `/events/${event.id}/registrations`,
    "/groups",
    "/documents",
    "/commitments",
    "/commitments/import",
    "/commitments/dashboard",
    "/cycles",
    "/reports",
    `/reports/${year}`,
    `/reports/${year}/public`,
    "/people",
    "/invitations",
    "/audit",
  ];
  for (const path of pages) {
    await page.goto(path);
    const results = await new AxeBuilder({ page }).setLegacyMode().withRules(["landmark-unique"]).analyze();
    expect(
      results.violations.flatMap((v) => v.nodes.map((n) => n.target.join(" "))),
      `landmarks alike on ${path}`,
    ).toEqual([]);
  }
});
