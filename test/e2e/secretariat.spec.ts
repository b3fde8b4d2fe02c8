import { expect, expectAccessible, makePerson, test } from "./fixtures";

test("a deactivated person's open page loses its live connection at once", async ({ browser, db, signIn }) => {
  const person = await makePerson(db, { name: "Tomás Rivera", organisation: "Federal Cybercrime Unit (demo)" });
  const delegateContext = await browser.newContext();
  await signIn(delegateContext, person);
  const delegate = await delegateContext.newPage();
  await delegate.goto("/");
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "live");

  const secretariatContext = await browser.newContext();
  await signIn(secretariatContext, "secretariat@convene.example");
  const admin = await secretariatContext.newPage();
  await admin.goto("/people");
  await expectAccessible(admin);
  const row = admin.getByTestId(`person-${person.email}`);
  await row.getByRole("button", { name: "Deactivate Tomás Rivera" }).click();
  await admin.getByRole("button", { name: "Yes, deactivate Tomás Rivera" }).click();
  await expect(admin.getByText("Deactivated. Their sessions have ended")).toBeVisible();
  await expect(row.getByText("Deactivated", { exact: true })).toBeVisible();

  // No reload on the delegate's side: the server closed the socket and the page says why.
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "ended");
  await expect(delegate.getByRole("alert")).toContainText("Your account has been deactivated");
  await expectAccessible(delegate);
  await delegate.reload();
  await expect(delegate.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();

  await row.getByRole("button", { name: "Reactivate Tomás Rivera" }).click();
  await expect(admin.getByText("Reactivated. They can sign in again.")).toBeVisible();
  await delegateContext.close();
  await secretariatContext.close();
});

test("the secretariat manages organisations and browses the audit log", async ({ context, page, signIn }) => {
  await signIn(context, "secretariat@convene.example");
  await page.goto("/organisations");
  await expectAccessible(page);
  const form = page.getByRole("region", { name: "Add an organisation" });
  await form.getByLabel("Organisation name").fill("Pacific Trust & Safety Forum");
  await form.getByRole("button", { name: "Add organisation" }).click();
  await expect(form.getByText("Choose one of the options.").first()).toBeVisible();
  await expect(form.getByLabel("Organisation name")).toHaveValue("Pacific Trust & Safety Forum");
  await form.getByLabel("Stakeholder group").selectOption("industry");
  await form.getByLabel("Country").selectOption("NZ");
  await form.getByRole("button", { name: "Add organisation" }).click();
  await expect(page.getByText("Pacific Trust & Safety Forum was added.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Pacific Trust & Safety Forum" })).toBeVisible();

  await page.goto("/audit");
  await expectAccessible(page);
  await page.getByLabel("Action").selectOption("organisation.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=organisation.create/);
  const entry = page.getByTestId("audit-row").filter({ hasText: "Pacific Trust & Safety Forum" });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText("Added an organisation");

  await page.goto("/account");
  await expectAccessible(page);
  await expect(page.getByTestId("session-item").first()).toBeVisible();
});
