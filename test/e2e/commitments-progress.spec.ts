import type { Db } from "../../db/client";
import { expect, expectAccessible, makeCommitment, test } from "./fixtures";

/** A seeded commitment, for journeys that only read it. */
function commitmentIdOf(db: Db, title: string): number {
  return (db.$client.prepare("SELECT id FROM commitments WHERE title = ? ORDER BY id DESC").get(title) as { id: number }).id;
}

const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
]);

test("an owner reports progress with a link and a file; a wrong file is refused with what was typed kept; the secretariat checks it", async ({
  browser,
  db,
  signIn,
}) => {
  const { id, title } = makeCommitment(db, {
    organisation: "Federal Cybercrime Unit (demo)",
    title: `Quarterly threat briefings ${Date.now()}`,
  });
  const stamp = Date.now();
  const narrative = `Second briefing held with four units (${stamp}).`;

  const ownerContext = await browser.newContext();
  await signIn(ownerContext, "police@convene.example");
  const owner = await ownerContext.newPage();
  await owner.goto(`/commitments/${id}`);
  await expect(owner.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(owner.getByTestId("commitment-reference")).toContainText(/[A-Z]{2}-\d{4}-\d{2}/);
  await expectAccessible(owner);

  const form = owner.getByTestId("progress-form");
  await form.getByLabel("Completion").selectOption("substantial");
  await form.getByLabel("Percent done").fill("60");
  await form.getByLabel("What happened").fill(narrative);
  await form.getByLabel("Evidence link 1").fill("https://example.org/briefing-2");
  // Not an accepted kind of file: refused, nothing stored, the text stays.
  await form.getByLabel("Evidence files").setInputFiles({ name: "notes.html", mimeType: "text/html", buffer: Buffer.from("<p>notes</p>") });
  await form.getByRole("button", { name: "Post update" }).click();
  await expect(owner.getByTestId("file-errors")).toContainText("“notes.html” is not an accepted kind of file");
  await expect(form.getByLabel("What happened")).toHaveValue(narrative);
  await expect(form.getByLabel("Evidence link 1")).toHaveValue("https://example.org/briefing-2");
  await expectAccessible(owner);

  await form.getByLabel("Evidence files").setInputFiles({ name: `attendance-${stamp}.png`, mimeType: "image/png", buffer: PNG });
  await form.getByRole("button", { name: "Post update" }).click();
  await expect(owner.getByText("Your update is posted.")).toBeVisible();

  const card = owner.getByTestId(/^update-\d+$/).filter({ hasText: narrative });
  await expect(card).toHaveCount(1);
  await expect(card).toHaveAttribute("data-verified", "false");
  await expect(card).toContainText("Self-reported");
  await expect(card.getByRole("link", { name: "https://example.org/briefing-2" })).toBeVisible();
  await expect(card.getByRole("link", { name: `attendance-${stamp}.png` })).toBeVisible();
  // The form is empty again for the next update.
  await expect(owner.getByTestId("progress-form").getByLabel("What happened")).toHaveValue("");
  // Owners do not check their own updates.
  await expect(card.getByRole("button", { name: "Mark as checked" })).toHaveCount(0);
  await expectAccessible(owner);

  const download = owner.waitForEvent("download");
  await card.getByRole("link", { name: `attendance-${stamp}.png` }).click();
  expect((await download).suggestedFilename()).toBe(`attendance-${stamp}.png`);

  const secretariatContext = await browser.newContext();
  await signIn(secretariatContext, "secretariat@convene.example");
  const secretariat = await secretariatContext.newPage();
  await secretariat.goto(`/commitments/${id}`);
  const checked = secretariat.getByTestId(/^update-\d+$/).filter({ hasText: narrative });
  await checked.getByLabel("Note (optional)").fill("Confirmed with two units.");
  await checked.getByRole("button", { name: "Mark as checked" }).click();
  await expect(checked).toHaveAttribute("data-verified", "true");
  await expect(checked).toContainText("Checked by the secretariat on");
  await expect(checked).toContainText("Confirmed with two units.");
  await expect(checked.getByRole("button", { name: "Mark as checked" })).toHaveCount(0);
  await expectAccessible(secretariat);

  await Promise.all([ownerContext.close(), secretariatContext.close()]);
});

test("an owner marks an overdue milestone done; others see the timeline and no forms", async ({ browser, db, signIn }) => {
  const due = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
  const { id } = makeCommitment(db, {
    organisation: "Federal Cybercrime Unit (demo)",
    milestones: [{ title: "Trend report shared", dueOn: due }],
  });
  const milestoneId = (db.$client.prepare("SELECT id FROM milestones WHERE commitment_id = ?").get(id) as { id: number }).id;

  const readerContext = await browser.newContext();
  await signIn(readerContext, "observer@convene.example");
  const reader = await readerContext.newPage();
  await reader.goto(`/commitments/${id}`);
  const readerRow = reader.getByTestId(`milestone-${milestoneId}`);
  await expect(readerRow).toHaveAttribute("data-overdue", "true");
  await expect(readerRow).toContainText("Overdue");
  await expect(reader.getByRole("button", { name: "Mark done" })).toHaveCount(0);
  await expect(reader.getByTestId("progress-form")).toHaveCount(0);
  await expectAccessible(reader);

  const ownerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await signIn(ownerContext, "police@convene.example");
  const owner = await ownerContext.newPage();
  await owner.goto(`/commitments/${id}`);
  const row = owner.getByTestId(`milestone-${milestoneId}`);
  await row.getByRole("button", { name: "Mark done" }).click();
  await expect(owner.getByText("The milestone is marked done.")).toBeVisible();
  await expect(row).toContainText("Done on");
  await expect(row).not.toHaveAttribute("data-overdue", "true");
  await expectAccessible(owner);

  await Promise.all([readerContext.close(), ownerContext.close()]);
});

test("carried work shows its years, and a public commitment can be read without an account", async ({ browser, db, signIn }) => {
  const carried = commitmentIdOf(db, "Shared triage of reports between hotlines and platforms");
  const memberContext = await browser.newContext();
  await signIn(memberContext, "industry@convene.example");
  const member = await memberContext.newPage();
  await member.goto(`/commitments/${carried}`);
  const timeline = member.getByTestId("timeline");
  await expect(timeline.getByRole("listitem")).toHaveCount(2);
  await expect(timeline).toContainText("Continued");
  await expect(timeline).toContainText("Three more platforms asked to join.");
  await expect(timeline).toContainText("Two platforms triage together.");
  await expect(member.getByTestId("organisations")).toContainText("Engineering time for the shared queue");
  await expectAccessible(member);
  await memberContext.close();

  const publicId = commitmentIdOf(db, "Open-source hash matching for smaller platforms");
  const anonymousContext = await browser.newContext();
  const anonymous = await anonymousContext.newPage();
  await anonymous.goto(`/commitments/${publicId}`);
  await expect(anonymous.getByRole("heading", { level: 1, name: "Open-source hash matching for smaller platforms" })).toBeVisible();
  await expect(anonymous.getByText("The matcher is released under an open licence.")).toBeVisible();
  await expect(anonymous.getByTestId("progress-form")).toHaveCount(0);
  await expectAccessible(anonymous);
  await anonymousContext.close();
});
