/**
 * The annual report for the people who read it (issue 15): the public version says what it withholds and
 * why instead of looking as if nothing happened, the chart takes its full width with a legend that
 * wraps, and the tables fit a phone with references kept on one line.
 */
import type { Page } from "@playwright/test";
import { addProgressUpdate, carryOver, closeCycle, createCommitment, openCycle } from "../../app/models/commitments.server";
import { createOrganisation } from "../../app/models/organisations.server";
import type { CommitmentVisibility, CompletionLevel } from "../../app/domain/vocabulary";
import type { Db } from "../../db/client";
import { actorOf, expect, expectAccessible, expectNoSidewaysScroll, pillarIdOf, screens, SECRETARIAT, test, unique } from "./fixtures";

// Each journey closes two cycles of its own, which changes the whole forum: it gets a server of its own.
test.use({ ownServer: true });

const meta = { ipAddress: null, userAgent: "e2e" };

/**
 * A small cycle: two members-only commitments of one organisation carried over from the year before,
 * and three new public ones of another. What was carried is about one organisation's non-public work,
 * so the public version withholds it.
 */
function smallCycle(db: Db) {
  const secretariat = actorOf(db, SECRETARIAT);
  const tag = unique();
  const year = 2900 + Math.floor(Math.random() * 90);
  const org = (name: string) => {
    const made = createOrganisation(db, secretariat, { name: `${name} ${tag}`, stakeholderGroup: "ngo", country: "NL" }, meta);
    if (!made.ok) throw new Error(JSON.stringify(made));
    return made.id;
  };
  const quiet = org("Quiet Helpline");
  const open = org("Open Hotline Network");
  const commit = (cycleYear: number, title: string, lead: number, visibility: CommitmentVisibility, completion: CompletionLevel) => {
    const made = createCommitment(
      db,
      secretariat,
      {
        title,
        problem: "",
        expectedResult: "",
        pillarId: pillarIdOf(db, "collective-action"),
        principles: [],
        type: "single",
        leadOrganisationId: lead,
        leadContribution: "",
        supporting: [],
        contactName: "Contact",
        contactEmail: null,
        startsOn: `${cycleYear}-01-01`,
        endsOn: `${cycleYear}-12-31`,
        madeAtSessionId: null,
        visibility,
        milestones: [],
      },
      meta,
    );
    if (!made.ok) throw new Error(JSON.stringify(made));
    if (completion !== "not_started")
      addProgressUpdate(db, secretariat, made.id, { completion, percent: 60, narrative: "Reported", links: [], files: [] }, meta);
    return { ...made, title };
  };
  const close = (cycleYear: number) => {
    const id = (db.$client.prepare("SELECT id FROM forum_cycles WHERE year = ?").get(cycleYear) as { id: number }).id;
    const closed = closeCycle(db, secretariat, id, {}, `${cycleYear}-12-31`, meta);
    if (!closed.ok) throw new Error(JSON.stringify(closed));
  };

  openCycle(db, secretariat, { year, reportOn: `${year}-12-01` }, meta);
  const carried = [
    commit(year, `Night escalation ${tag}`, quiet, "members", "limited"),
    commit(year, `Survivor line ${tag}`, quiet, "members", "limited"),
  ];
  close(year);
  openCycle(db, secretariat, { year: year + 1, reportOn: `${year + 1}-12-01` }, meta);
  for (const c of carried) {
    const moved = carryOver(db, secretariat, c.id, { kind: "continued", rationale: "Not finished" }, meta);
    if (!moved.ok) throw new Error(JSON.stringify(moved));
  }
  const listed = [
    commit(year + 1, `Shared hash list ${tag}`, open, "public", "complete"),
    commit(year + 1, `Hotline training ${tag}`, open, "public", "substantial"),
    commit(year + 1, `Reporting button ${tag}`, open, "public", "not_started"),
  ];
  close(year + 1);
  return { year: year + 1, listed };
}

/** The chart's legend keys overlap nowhere, and the chart is at least 90% as wide as its panel's content. */
async function expectChartReadable(page: Page) {
  const chart = page.getByTestId("report-chart");
  await expect(chart).toBeVisible();
  const keys = await page
    .getByTestId("report-chart-legend")
    .getByRole("listitem")
    .evaluateAll((items) => items.map((i) => i.getBoundingClientRect().toJSON() as DOMRect));
  expect(keys).toHaveLength(5);
  for (const [i, a] of keys.entries())
    for (const b of keys.slice(i + 1)) {
      const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      expect(overlap, `legend keys at ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`).toBe(false);
    }
  const share = await chart.evaluate((el) => {
    const panel = el.closest("section")!;
    const style = getComputedStyle(panel);
    const content = panel.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return el.getBoundingClientRect().width / content;
  });
  expect(share).toBeGreaterThanOrEqual(0.9);
}

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("the public report of a small cycle says what it withholds and why, and never that nothing was carried over", async ({
      page,
      db,
    }) => {
      const { year, listed } = smallCycle(db);
      await page.goto(`/reports/${year}/public`);
      await expect(page.getByRole("heading", { level: 1, name: `Annual progress report ${year} (public version)` })).toBeVisible();

      // What is withheld, why, and how much of the page it is.
      await expect(page.getByTestId("report-withheld")).toContainText(
        "fewer than 5 organisations are withheld to protect the organisations involved",
      );
      await expect(page.getByTestId("report-withheld")).toContainText(/\d+ figures? on this page (is|are) withheld\./);
      // The carried-over count is withheld in its place, not shown as none.
      const carriedIn = page.getByTestId("report-overview").locator('[data-key="carriedIn"] dd');
      await expect(carriedIn).toHaveText("withheld");
      await expect(page.getByText("Nothing in this cycle was carried over")).toHaveCount(0);
      await expect(page.getByTestId("report-carried-note")).toContainText("How many commitments were carried over in all is withheld");
      await expect(page.getByText(/“withheld” is not zero/).first()).toBeVisible();
      // What can be shown is shown: the new public work and the list.
      await expect(page.getByTestId("report-overview").locator('[data-key="newThisYear"] dd')).toHaveText("3");
      for (const c of listed) await expect(page.getByTestId("report-list")).toContainText(c.title);

      await expectChartReadable(page);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("the full report's chart, tables and references fit the screen", async ({ page, db, signIn, context }) => {
      const { year, listed } = smallCycle(db);
      await signIn(context, SECRETARIAT);
      await page.goto(`/reports/${year}`);
      await expect(page.getByRole("heading", { level: 1, name: `Annual progress report ${year}` })).toBeVisible();
      await expectChartReadable(page);

      // Every figure is shown to the secretariat: nothing withheld.
      await expect(page.getByText("withheld", { exact: true })).toHaveCount(0);
      const list = page.getByTestId("report-list");
      const row = list.getByRole("row").filter({ hasText: listed[0]!.title });
      const reference = row.locator(".report-ref");
      await expect(reference).toHaveText(listed[0]!.reference);
      // The reference is on one line: its box is one line high.
      const lines = await reference.evaluate((el) => {
        const style = getComputedStyle(el);
        const line = style.lineHeight === "normal" ? parseFloat(style.fontSize) * 1.25 : parseFloat(style.lineHeight);
        return el.getBoundingClientRect().height / line;
      });
      expect(lines).toBeLessThan(1.5);

      // The table scrolls inside its own box, which stays within the screen.
      const box = await page.locator(".report-list .table-scroll").boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(screens[screen].viewport.width);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });
  });
}
