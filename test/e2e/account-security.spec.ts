import { Secret, TOTP } from "otpauth";
import { expect, expectAccessible, makePerson, test } from "./fixtures";

const codeNow = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate();

test("a person sets up an app, makes new recovery codes, adds and removes a passkey, removes the app and turns it all off", async ({
  browser,
  server,
  db,
}) => {
  const person = await makePerson(db, { name: "Ada Mensah" });
  // WebAuthn needs a host name, and Chromium's virtual authenticator stands in for the device.
  const context = await browser.newContext({ baseURL: server.url.replace("127.0.0.1", "localhost") });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Ada Mensah" })).toBeVisible();
  await page.goto("/account/security");

  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.replaceAll(" ", "");
  await page.getByLabel("Code from your authenticator app").fill(codeNow(secret));
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your authenticator app is set up." })).toBeVisible();
  const first = await page.getByTestId("recovery-codes").getByRole("listitem").allTextContents();
  expect(first).toHaveLength(10);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Make new recovery codes (the old ones stop working)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "New recovery codes were made." })).toBeVisible();
  const second = await page.getByTestId("recovery-codes").getByRole("listitem").allTextContents();
  expect(second).toHaveLength(10);
  expect(second).not.toEqual(first);

  await page.getByLabel("Name for the new passkey").fill("Office laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-item")).toContainText("Office laptop");
  await page.getByRole("button", { name: "Remove the passkey Office laptop" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The passkey was removed." })).toBeVisible();
  await expect(page.getByTestId("passkey-item")).toHaveCount(0);

  await page.getByRole("button", { name: "Remove the authenticator app" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The authenticator app was removed." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Set up an authenticator app" })).toBeVisible();

  // A passkey again, then everything off at once.
  await page.getByLabel("Name for the new passkey").fill("Phone");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-item")).toContainText("Phone");
  await page.getByRole("button", { name: "Turn off the second factor" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The second factor is off." })).toBeVisible();
  await expect(page.getByTestId("passkey-item")).toHaveCount(0);
  await expectAccessible(page);
  await context.close();
});

test("the secretariat makes a reset link, lifts sign-in limits and clears a lost second factor from the people page", async ({
  page,
  server,
  db,
  signIn,
}) => {
  const person = await makePerson(db, { name: "Kofi Boateng" });
  // Five wrong passwords from one address limit the person there.
  for (let i = 0; i < 5; i++)
    await fetch(`${server.url}/sign-in`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
      body: new URLSearchParams({ email: person.email, password: `wrong ${i}` }),
    });
  // A second factor to lose: an authenticator app, set up on the account page.
  await signIn(page.context(), person);
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent())!.replaceAll(" ", "");
  await page.getByLabel("Code from your authenticator app").fill(codeNow(secret));
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your authenticator app is set up." })).toBeVisible();
  await page.context().clearCookies();

  await signIn(page.context(), "secretariat@convene.example");
  await page.goto("/people");
  const row = page.getByRole("row").filter({ hasText: "Kofi Boateng" });
  await expect(row.getByText("Sign-in limited")).toBeVisible();
  await expectAccessible(page);

  await row.getByRole("button", { name: "Lift sign-in limits" }).click();
  await expect(page.getByText("Kofi Boateng can sign in again from anywhere.")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Kofi Boateng" }).getByText("Sign-in limited")).toHaveCount(0);

  await page.getByRole("row").filter({ hasText: "Kofi Boateng" }).getByRole("button", { name: "Create reset link" }).click();
  await expect(page.getByText("A reset link for Kofi Boateng, valid for one hour.")).toBeVisible();
  await expect(page.getByLabel("Reset link for Kofi Boateng")).toHaveValue(/\/password-reset\//);

  await page.getByRole("row").filter({ hasText: "Kofi Boateng" }).getByRole("button", { name: "Reset second factor" }).click();
  await expect(page.getByText("Kofi Boateng's second factor was cleared")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Kofi Boateng" }).getByRole("button", { name: "Reset second factor" })).toHaveCount(
    0,
  );
  await expectAccessible(page);
});
