import type { Db } from "../../db/client";
import { expect, expectAccessible, test } from "./fixtures";

/**
 * The secretariat's cycle pages in a browser. A cycle is forum-wide, and the other journeys of a worker
 * share its database, so these tests change nothing: they read, and try what is refused (a duplicate
 * year, a decision without its rationale) or stopped short (closing is reviewed, then taken back).
 */

function currentYear(db: Db): number {
  const row = db.$client.prepare("SELECT year FROM forum_cycles WHERE status = 'open' ORDER BY year DESC LIMIT 1").get() as {
    year: number;
  };
  return row.year;
}

test("the secretariat sees the cycles, and a second cycle for a year is refused with the input kept", async ({
  context,
  page,
  db,
  signIn,
}) => {
  await signIn(context, "secretariat@convene.example");
  const year = currentYear(db);
  await page.goto("/cycles");
  await expect(page.getByRole("heading", { level: 1, name: "Forum cycles" })).toBeVisible();
  await expect(page.getByTestId(`cycle-${year}`)).toContainText("Current");
  await expectAccessible(page);

  const form = page.getByRole("form", { name: "Open the next cycle" });
  await form.getByLabel("Year").fill(String(year));
  await form.getByLabel("Report date").fill(`${year}-11-30`);
  await form.getByRole("button", { name: "Open cycle" }).click();
  await expect(form.getByText("There is already a cycle for that year.")).toBeVisible();
  await expect(form.getByLabel("Year")).toHaveValue(String(year));
  await expect(form.getByLabel("Report date")).toHaveValue(`${year}-11-30`);
  await expectAccessible(page);

  await page.getByRole("link", { name: `Cycle ${year}`, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/cycles/${year}$`));
  await expect(page.getByRole("heading", { level: 1, name: `Forum cycle ${year}` })).toBeVisible();
  await expect(page.getByTestId("group-open")).toBeVisible();
  await expectAccessible(page);

  // Before the report date the page says when; from then on, closing is reviewed first (and taken back here).
  const notYet = page.getByTestId("close-not-yet");
  const closeForm = page.getByTestId("close-form");
  await expect(notYet.or(closeForm)).toBeVisible();
  if (await closeForm.isVisible()) {
    await closeForm.getByRole("button", { name: "Review and close" }).click();
    await expect(page.getByRole("heading", { name: `Close the ${year} cycle for good?` })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Back to the notes" }).click();
    await expect(page.getByTestId("close-form")).toBeVisible();
  } else {
    await expect(notYet).toContainText("This cycle can be closed on or after its report date");
  }
});

test("the carry-over review lists what is left to decide and what was decided", async ({ context, page, db, signIn }) => {
  await signIn(context, "secretariat@convene.example");
  const year = currentYear(db);
  await page.goto(`/cycles/${year}/carry-over`);
  await expect(page.getByRole("heading", { level: 1, name: `Carry-over review ${year}` })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^To decide/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Decided/ })).toBeVisible();
  await expectAccessible(page);

  const candidates = page.getByTestId("carry-candidate");
  if ((await candidates.count()) > 0) {
    // A decision without a rationale is refused at its own form, which stays open with the message.
    const first = candidates.first();
    const reference = await first.getAttribute("data-reference");
    await first.locator("summary", { hasText: "Withdraw" }).click();
    const withdraw = first.getByRole("form", { name: `Withdraw: ${reference}` });
    await withdraw.getByRole("button", { name: /Withdraw/ }).click();
    await expect(withdraw.getByText("Give a rationale for this decision.")).toBeVisible();
    await expect(page.locator(`[data-testid="carry-candidate"][data-reference="${reference}"]`)).toBeVisible();
    await expectAccessible(page);
  } else {
    await expect(page.getByText("Nothing left to decide")).toBeVisible();
  }
  // Each decision shows what was decided.
  const decided = page.getByTestId("carry-decided");
  if ((await decided.count()) > 0) await expect(decided.first()).toContainText(/Continued|Rescoped|Split|Merged|Withdrawn/);
});

test("the dashboard draws its charts on the server, with tables, for any year, and prints", async ({ context, page, db, signIn }) => {
  await signIn(context, "secretariat@convene.example");
  await page.goto("/commitments/dashboard");
  await expect(page.getByRole("heading", { level: 1, name: "Commitments dashboard" })).toBeVisible();
  const status = page.getByRole("img", { name: /by pillar and status/ });
  await expect(status).toBeVisible();
  await expect(page.getByRole("img", { name: /per cycle/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Overdue milestones by pillar/ })).toBeVisible();
  await expect(page.getByTestId("status-by-pillar-table")).toContainText("Collective Action");
  await expect(page.getByTestId("flow-by-year-table").locator("tbody tr")).not.toHaveCount(0);
  await expectAccessible(page);

  const years = db.$client.prepare("SELECT year FROM forum_cycles ORDER BY year").all() as { year: number }[];
  const oldest = years[0]!.year;
  await page.getByLabel("Year", { exact: true }).selectOption(String(oldest));
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`year=${oldest}`));
  await expect(page.getByRole("heading", { name: `Status by pillar, ${oldest}` })).toBeVisible();

  // In print, the year chooser goes and the charts and tables stay.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "Show" })).toBeHidden();
  await expect(page.getByRole("img", { name: /by pillar and status/ })).toBeVisible();
  await expect(page.getByTestId("status-by-pillar-table")).toBeVisible();
  await page.emulateMedia({ media: "screen" });
});

test("people other than the secretariat are refused the cycle pages and the dashboard", async ({ context, page, db, signIn }) => {
  await signIn(context, "ngo@convene.example");
  const year = currentYear(db);
  for (const path of ["/cycles", `/cycles/${year}`, `/cycles/${year}/carry-over`, "/commitments/dashboard"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }
  await expectAccessible(page);
});
