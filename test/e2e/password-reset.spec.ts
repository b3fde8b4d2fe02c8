import { expect, expectAccessible, makePerson, test } from "./fixtures";

const NEW_PASSWORD = "a quiet river at dawn";

test("a person who forgot their password asks for a reset, the secretariat hands over the link, and they sign in with a new one", async ({
  browser,
  db,
  signIn,
}) => {
  const person = await makePerson(db, { name: "Lena Forgetful" });

  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Email address").fill(person.email);
  await page.getByRole("button", { name: "Ask for a reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText("the secretariat has your request")).toBeVisible();
  await expectAccessible(page);

  // Without a mail server, the request waits for the secretariat on the people page.
  const secretariat = await browser.newContext();
  await signIn(secretariat, "secretariat@convene.example");
  const admin = await secretariat.newPage();
  await admin.goto("/people");
  await expect(admin.getByRole("heading", { name: "Password resets to hand over" })).toBeVisible();
  const request = admin.getByTestId(`reset-${person.email}`);
  await expect(request).toContainText("Lena Forgetful");
  const link = await request.getByLabel("Reset link for Lena Forgetful").inputValue();
  expect(link).toMatch(/\/password-reset\/[\w-]{40,}$/);
  await expectAccessible(admin);

  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("New password", { exact: true }).fill("too short");
  await page.getByLabel("Repeat the new password").fill("too short");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set the new password" }).click();

  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();
  await expect(page.getByText("Your password has been changed. Sign in with the new one.")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Email address").fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Lena Forgetful" })).toBeVisible();

  // The link was used; it is gone from the secretariat's list and does not work again.
  await admin.reload();
  await expect(admin.getByTestId(`reset-${person.email}`)).toHaveCount(0);
  const again = await browser.newContext();
  const stale = await again.newPage();
  await stale.goto(new URL(link).pathname);
  await expect(stale.getByRole("heading", { name: "This reset link does not work" })).toBeVisible();
  await expectAccessible(stale);
  await Promise.all([visitor.close(), secretariat.close(), again.close()]);
});
