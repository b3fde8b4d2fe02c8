import { expect, expectAccessible, test } from "./fixtures";

const year = new Date().getUTCFullYear();

test("a delegate finds the registry, records a commitment for their organisation and sees it among their own", async ({
  context,
  page,
  signIn,
}) => {
  await signIn(context, "ngo@convene.example");
  await page.goto("/commitments");
  await expect(page.getByRole("heading", { level: 1, name: "Commitments" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Shared triage of reports between hotlines and platforms" })).toBeVisible();
  // A secretariat-only commitment of another organisation is not listed.
  await expect(page.getByText("Joint response protocol for live-streamed abuse")).toHaveCount(0);
  await expectAccessible(page);

  await page.getByRole("link", { name: "Record a commitment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Record a commitment" })).toBeVisible();
  await expectAccessible(page);

  const title = `Referral guide for small platforms ${Date.now()}`;
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Problem it addresses").fill("Small platforms do not know where to refer reports.");
  await page.getByLabel("Expected result").fill("A referral guide used by twenty small platforms.");
  await page.getByLabel("Pillar", { exact: true }).selectOption({ label: "Information & Knowledge Sharing" });
  await page.getByRole("checkbox", { name: "2 · Combat new child sexual abuse material", exact: true }).check();
  await page.getByLabel("Supporting organisation 1", { exact: true }).selectOption({ label: "Safe Line Hotline Network (demo)" });
  await page.getByLabel("What supporting organisation 1 contributes").fill("Referral data");
  await page.getByLabel("Start date").fill(`${year}-03-01`);
  await page.getByLabel("End date").fill(`${year}-02-01`);
  await page.getByLabel("Milestone 1", { exact: true }).fill("Draft guide shared");
  await page.getByLabel("Milestone 1 due date").fill(`${year}-06-30`);
  await page.getByRole("button", { name: "Record commitment" }).click();

  // A mistake is explained next to its field, and what was typed stays.
  await expect(page.getByText("The end date cannot be before the start date.")).toBeVisible();
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(title);
  await expectAccessible(page);
  await page.getByLabel("End date").fill(`${year + 1}-06-30`);
  await page.getByRole("button", { name: "Record commitment" }).click();
  await expect(page).toHaveURL(/\/commitments\/\d+$/);

  await page.goto("/commitments?mine=1");
  await expect(page.getByRole("link", { name: "My organisation's commitments" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await expectAccessible(page);
});

test("the secretariat imports commitments from a CSV file, and a second import changes nothing", async ({ context, page, signIn }) => {
  await signIn(context, "secretariat@convene.example");
  await page.goto("/commitments/import");
  await expect(page.getByRole("heading", { level: 1, name: "Import commitments" })).toBeVisible();
  await expectAccessible(page);

  const id = `E2E-${Date.now()}`;
  const csv = [
    "external_id,title,problem,expected_result,pillar,principles,lead_organisation,contact_name,starts_on,ends_on,visibility",
    `${id},Imported helpline rota ${id},Helplines close at night,A shared night rota,CA,3;4,Safe Line Hotline Network (demo),Maria Santos,${year}-01-10,${year}-12-20,members`,
  ].join("\r\n");
  const file = { name: "commitments.csv", mimeType: "text/csv", buffer: Buffer.from(csv) };

  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Created: 1. Skipped as already imported: 0.")).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Created: 0. Skipped as already imported: 1.")).toBeVisible();

  await page.goto(`/commitments?q=${encodeURIComponent(id)}`);
  await expect(page.getByTestId("registry-row")).toHaveCount(1);
});
