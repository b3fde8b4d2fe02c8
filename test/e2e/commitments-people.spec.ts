import type { Db } from "../../db/client";
import { expect, expectAccessible, expectNoSidewaysScroll, makeCommitment, screens, test, unique } from "./fixtures";

const year = new Date().getUTCFullYear();
const POLICE = "Federal Cybercrime Unit (demo)";

function setPrinciples(db: Db, id: number, principles: number[]) {
  db.$client.prepare("UPDATE commitments SET principles = ? WHERE id = ?").run(JSON.stringify(principles), id);
}

for (const screen of ["phone", "desktop"] as const) {
  test.describe(`on a ${screen}`, () => {
    test.use(screens[screen]);

    test("the commitment form names each Voluntary Principle, and a refused submit takes the focus to its error summary", async ({
      page,
      context,
      signIn,
    }) => {
      await signIn(context, "ngo@convene.example");
      await page.goto("/commitments/new");
      await expect(page.getByRole("checkbox", { name: "3 · Combat grooming and preparatory behaviour", exact: true })).toBeVisible();
      await expect(page.getByRole("checkbox", { name: "11 · Publish data and insights on efforts", exact: true })).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await page.getByLabel("Title", { exact: true }).fill(`Referral guide ${unique()}`);
      const submit = page.getByRole("button", { name: "Record commitment" });
      await submit.scrollIntoViewIfNeeded();
      await submit.click();
      const summary = page.getByTestId("commitment-error-summary");
      await expect(summary).toContainText("Please correct the");
      await expect(summary).toBeFocused();
      expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("commitment-error-summary");
      await expect(summary).toBeInViewport();
      await expect(page.getByText("Choose at least one Voluntary Principle.")).toBeVisible();
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });

    test("a commitment's page names its principles; the progress form and the milestone form explain mistakes inline", async ({
      page,
      context,
      db,
      signIn,
    }) => {
      const c = makeCommitment(db, { organisation: POLICE, milestones: [{ title: "Units trained", dueOn: `${year}-06-30` }] });
      setPrinciples(db, c.id, [1, 5]);
      await signIn(context, "police@convene.example");
      await page.goto(`/commitments/${c.id}`);
      const principles = page.getByTestId("principles");
      await expect(principles).toContainText("1 · Prevent known child sexual abuse material");
      await expect(principles).toContainText("5 · Combat abuse through livestreaming");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      // Sent empty: no browser pop-up, the messages are at their fields and the summary has the focus.
      const form = page.getByTestId("progress-form");
      await form.getByRole("button", { name: "Post update" }).click();
      await expect(form.getByText("Choose how far the commitment has come.")).toBeVisible();
      await expect(form.getByText("Enter a whole number from 0 to 100.")).toBeVisible();
      await expect(form.getByText("Describe what happened.")).toBeVisible();
      await expect(page.getByTestId("progress-error-summary")).toBeFocused();
      await expectAccessible(page);

      // What was typed stays after a refusal.
      await form.getByLabel("What happened").fill("Two units trained.");
      await form.getByLabel("Percent done").fill("140");
      await form.getByRole("button", { name: "Post update" }).click();
      await expect(form.getByText("Enter a whole number from 0 to 100.")).toBeVisible();
      await expect(form.getByLabel("What happened")).toHaveValue("Two units trained.");
      await expect(page.getByTestId("progress-error-summary")).toBeFocused();

      // A milestone due after the commitment ends is refused at its field.
      const add = page.getByTestId("milestone-add");
      await add.getByLabel("Milestone", { exact: true }).fill("Evaluation published");
      await add.getByLabel("Due date").fill(`${year + 1}-02-01`);
      await add.getByRole("button", { name: "Add a milestone" }).click();
      await expect(add.getByText("A milestone must fall due by the commitment's end date.")).toBeVisible();
      await expect(add.getByLabel("Milestone", { exact: true })).toHaveValue("Evaluation published");
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await add.getByLabel("Due date").fill(`${year}-11-30`);
      await add.getByRole("button", { name: "Add a milestone" }).click();
      await expect(page.getByTestId("milestones")).toContainText("Evaluation published");
    });

    test("the secretariat filters the registry to progress not yet checked, by principle, and clears the filters from inside the panel", async ({
      page,
      context,
      db,
      signIn,
    }) => {
      const tag = `Waiting ${unique()}`;
      const waiting = makeCommitment(db, { organisation: POLICE, title: `${tag} one` });
      const checked = makeCommitment(db, { organisation: POLICE, title: `${tag} two` });
      makeCommitment(db, { organisation: POLICE, title: `${tag} three` });
      setPrinciples(db, waiting.id, [6]);
      const insert = db.$client.prepare(
        "INSERT INTO progress_updates (commitment_id, author_id, organisation_id, completion, percent, narrative) VALUES (?, (SELECT id FROM users WHERE email = 'police@convene.example'), (SELECT id FROM organisations WHERE name = ?), 'limited', 10, 'Started.') RETURNING id",
      );
      insert.get(waiting.id, POLICE);
      const done = insert.get(checked.id, POLICE) as { id: number };
      db.$client
        .prepare(
          "INSERT INTO progress_verifications (update_id, verified_by, note) VALUES (?, (SELECT id FROM users WHERE email = 'secretariat@convene.example'), '')",
        )
        .run(done.id);

      await signIn(context, "secretariat@convene.example");
      await page.goto(`/commitments?progress=unchecked&q=${encodeURIComponent(tag)}`);
      await expect(page.getByLabel("Progress updates")).toHaveValue("unchecked");
      const rows = page.getByTestId("registry-row");
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toHaveAttribute("data-reference", waiting.reference);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);

      await expect(
        page.getByLabel("Voluntary Principle").locator("option", { hasText: "6 · Keep search from surfacing abuse" }),
      ).toHaveCount(1);
      await page.getByLabel("Progress updates").selectOption("");
      await page.getByLabel("Voluntary Principle").selectOption("6");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(page).toHaveURL(/principle=6/);
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toHaveAttribute("data-reference", waiting.reference);

      // "Clear filters" sits inside the filter panel.
      const panel = page.getByRole("form", { name: "Filter commitments" });
      const box = (await panel.boundingBox())!;
      for (const name of ["Apply filters", "Clear filters"]) {
        const button = (await panel.getByRole(name === "Apply filters" ? "button" : "link", { name }).boundingBox())!;
        expect(button.x).toBeGreaterThanOrEqual(box.x);
        expect(button.x + button.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
        expect(button.y + button.height).toBeLessThanOrEqual(box.y + box.height + 0.5);
      }
      await expectNoSidewaysScroll(page);
      await panel.getByRole("link", { name: "Clear filters" }).click();
      await expect(page).toHaveURL(/\/commitments$/);
    });

    test("a delegate is not offered the not-yet-checked filter", async ({ page, context, signIn }) => {
      await signIn(context, "police@convene.example");
      await page.goto("/commitments?progress=unchecked");
      await expect(page.getByRole("form", { name: "Filter commitments" })).toBeVisible();
      await expect(page.getByLabel("Progress updates")).toHaveCount(0);
      await expectAccessible(page);
      await expectNoSidewaysScroll(page);
    });
  });
}
