import { expect, expectAccessible, signInContext, test } from "./fixtures";

test("a deactivated person's open page loses its live connection at once", async ({ browser }) => {
  const delegateContext = await browser.newContext();
  await signInContext(delegateContext, "police@convene.example");
  const delegate = await delegateContext.newPage();
  await delegate.goto("/");
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "live");

  const secretariatContext = await browser.newContext();
  await signInContext(secretariatContext, "secretariat@convene.example");
  const admin = await secretariatContext.newPage();
  await admin.goto("/people");
  await expectAccessible(admin);
  const row = admin.getByTestId("person-police@convene.example");
  await row.getByRole("button", { name: "Deactivate Jonas Weber" }).click();
  await expect(admin.getByText("Deactivated. Their sessions have ended")).toBeVisible();
  await expect(row.getByText("Deactivated", { exact: true })).toBeVisible();

  // No reload on the delegate's side: the server closed the socket and the page says why.
  await expect(delegate.getByTestId("live-status")).toHaveAttribute("data-status", "ended");
  await expect(delegate.getByRole("alert")).toContainText("Your account has been deactivated");
  await expectAccessible(delegate);
  await delegate.reload();
  await expect(delegate).toHaveURL(/\/sign-in$/);

  await row.getByRole("button", { name: "Reactivate Jonas Weber" }).click();
  await expect(admin.getByText("Reactivated. They can sign in again.")).toBeVisible();
  await delegateContext.close();
  await secretariatContext.close();
});

test("the secretariat manages organisations and browses the audit log", async ({ context, page }) => {
  await signInContext(context, "secretariat@convene.example");
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
  await expect(page.getByTestId("audit-row").first()).toContainText("Added an organisation");
  await expect(page.getByTestId("audit-row").first()).toContainText("Pacific Trust & Safety Forum");

  await page.goto("/account");
  await expectAccessible(page);
  await expect(page.getByTestId("session-item").first()).toBeVisible();
});
