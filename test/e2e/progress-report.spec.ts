import { expect, expectAccessible, test } from "./fixtures";

const year = new Date().getUTCFullYear();
const PDF_HEADER = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a]);

// Closing the year's cycle changes the whole forum (no new commitments, no progress), so this journey gets a server of its own.
test.use({ ownServer: true });

test("a delegate records a commitment and reports progress with a file; the secretariat checks it; the dashboard and the report show it, and the public report leaves it out", async ({
  browser,
  db,
  signIn,
}) => {
  const title = `Escalation contacts between hotlines (${Date.now()})`;
  const delegateContext = await browser.newContext();
  await signIn(delegateContext, "ngo@convene.example");
  const delegate = await delegateContext.newPage();

  await delegate.goto("/commitments/new");
  await delegate.getByLabel("Title", { exact: true }).fill(title);
  await delegate.getByLabel("Problem it addresses").fill("Hotlines cannot reach each other quickly out of hours.");
  await delegate.getByLabel("Expected result").fill("A shared list of escalation contacts, checked every quarter.");
  await delegate.getByLabel("Pillar", { exact: true }).selectOption({ label: "Collective Action" });
  await delegate.getByRole("checkbox", { name: "4 · Combat advertising, recruiting and soliciting of children", exact: true }).check();
  await delegate.getByLabel("Start date").fill(`${year}-02-01`);
  await delegate.getByLabel("End date").fill(`${year}-12-31`);
  await delegate.getByRole("button", { name: "Record commitment" }).click();
  await expect(delegate).toHaveURL(/\/commitments\/\d+$/);
  const reference = /[A-Z]{2}-\d{4}-\d{2}/.exec((await delegate.getByTestId("commitment-reference").textContent()) ?? "")?.[0] ?? "";
  expect(reference).toMatch(new RegExp(`^CA-${year}-\\d{2}$`));
  await expectAccessible(delegate);

  const form = delegate.getByTestId("progress-form");
  await form.getByLabel("Completion").selectOption("complete");
  await form.getByLabel("Percent done").fill("100");
  await form.getByLabel("What happened").fill("The contact list is live and was tested in a night drill.");
  await form
    .getByLabel("Evidence files")
    .setInputFiles({ name: "drill-report.pdf", mimeType: "application/pdf", buffer: Buffer.concat([PDF_HEADER, Buffer.from("%%EOF\n")]) });
  await form.getByRole("button", { name: "Post update" }).click();
  await expect(delegate.getByText("Your update is posted.")).toBeVisible();
  const update = delegate.getByTestId(/^update-\d+$/).filter({ hasText: "night drill" });
  await expect(update).toContainText("Self-reported");
  await expect(update.getByRole("link", { name: "drill-report.pdf" })).toBeVisible();

  const adminContext = await browser.newContext();
  await signIn(adminContext, "secretariat@convene.example");
  const admin = await adminContext.newPage();
  await admin.goto(delegate.url().replace(/^https?:\/\/[^/]+/, ""));
  const checked = admin.getByTestId(/^update-\d+$/).filter({ hasText: "night drill" });
  await checked.getByRole("button", { name: "Mark as checked" }).click();
  await expect(checked).toContainText("Checked by the secretariat on");

  // The dashboard counts what the database holds for this year, the new completion included.
  await admin.goto(`/commitments/dashboard?year=${year}`);
  const completed = db.$client
    .prepare("SELECT count(*) AS n FROM commitments c JOIN forum_cycles f ON f.id = c.completed_in_cycle_id WHERE f.year = ?")
    .get(year) as { n: number };
  expect(completed.n).toBeGreaterThan(0);
  await expect(admin.getByRole("img", { name: /by pillar and status/ })).toBeVisible();
  await expectAccessible(admin);

  // The report date has come (set here, as only time would): the secretariat closes the cycle and opens its report.
  db.$client.prepare("UPDATE forum_cycles SET report_on = ? WHERE year = ?").run(new Date().toISOString().slice(0, 10), year);
  await admin.goto(`/cycles/${year}`);
  await admin.getByTestId("close-form").getByRole("button", { name: "Review and close" }).click();
  await admin.getByRole("button", { name: `Close ${year} now` }).click();
  await expect(admin.getByRole("heading", { name: "Frozen assessments" })).toBeVisible();

  await admin.goto(`/reports/${year}`);
  await expect(admin.getByRole("heading", { level: 1, name: `Annual progress report ${year}` })).toBeVisible();
  const row = admin.getByTestId("report-list").getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText(title);
  await expect(row).toContainText("Complete");
  await expectAccessible(admin);

  // The public version is for anyone, and leaves members-only commitments out.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/reports/${year}/public`);
  await expect(visitor.getByRole("heading", { level: 1, name: `Annual progress report ${year} (public version)` })).toBeVisible();
  await expect(visitor.getByText(title)).toHaveCount(0);
  await expect(visitor.getByText(reference)).toHaveCount(0);
  // It says that some commitments are not listed (how many, unless that would undo a suppression).
  await expect(visitor.getByTestId("report-unlisted")).toHaveText(
    /^(\d+ commitments? (is|are)|Some commitments are) not public and (is|are )?not listed/,
  );
  await expectAccessible(visitor);
  // The PDF is printed once; a second download is the same file.
  const pdf = await visitor.request.get(`/reports/${year}/download/public.pdf`);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  const again = await visitor.request.get(`/reports/${year}/download/public.pdf`);
  expect((await again.body()).equals(await pdf.body())).toBe(true);

  await Promise.all([delegateContext.close(), adminContext.close()]);
});
