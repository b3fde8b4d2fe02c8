import type { Browser, Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { expect, expectAccessible, makePerson, test, type Person } from "./fixtures";

const codeAt = (secret: string, timestamp: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp });

async function enterPassword(page: Page, person: Person) {
  await page.getByLabel("Email address").fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A browser context on localhost (WebAuthn needs a host name, not an IP address) with Chromium's virtual authenticator. */
async function withAuthenticator(browser: Browser, serverUrl: string) {
  const context = await browser.newContext({ baseURL: serverUrl.replace("127.0.0.1", "localhost") });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { context, page };
}

test("a secretariat member is made to set up an authenticator app, then signs in with its codes", async ({ page, db }) => {
  const person = await makePerson(db, { role: "secretariat", name: "Ines Duarte" });
  await page.goto("/people");
  await expect(page).toHaveURL(/\/sign-in\?redirectTo=%2Fpeople$/);
  await enterPassword(page, person);

  // No session yet: enrolment first, the way back kept.
  await expect(page).toHaveURL(/\/sign-in\/enrol\?redirectTo=%2Fpeople$/);
  await expect(page.getByRole("heading", { name: "Set up a second factor" })).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code for setting up an authenticator app" })).toBeVisible();
  await expectAccessible(page);
  const secret = (await page.getByTestId("totp-secret").textContent())!.replaceAll(" ", "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  const codeField = page.getByLabel("Code from your authenticator app");
  await codeField.fill(codeAt(secret, Date.now() + 10 * 60_000));
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await expectAccessible(page);

  await page.getByLabel("Code from your authenticator app").fill(codeAt(secret, Date.now()));
  await page.getByRole("button", { name: "Confirm and turn on" }).click();
  await expect(page.getByRole("heading", { name: "Your second factor is on" })).toBeVisible();
  await expect(page.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Continue to Convene" }).click();
  await expect(page).toHaveURL(/\/people$/);
  await expect(page.getByRole("heading", { name: "People", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();
  await enterPassword(page, person);
  await expect(page).toHaveURL(/\/sign-in\/verify$/);
  await expect(page.getByRole("heading", { name: "Confirm it is you" })).toBeVisible();
  await expectAccessible(page);
  // The next time step: the code that confirmed the app is never accepted twice.
  await page.getByLabel("Code from your authenticator app").fill(codeAt(secret, Date.now() + 30_000));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Ines Duarte" })).toBeVisible();

  await page.goto("/account/security");
  await expect(page.getByText("Your role needs a second factor")).toBeVisible();
  await expect(page.getByRole("button", { name: "Turn off the second factor" })).toHaveCount(0);
  await expectAccessible(page);
});

test("a person adds a passkey and signs in with it", async ({ browser, server, db }) => {
  const person = await makePerson(db, { name: "Tomás Reyes" });
  const { context, page } = await withAuthenticator(browser, server.url);
  await page.goto("/sign-in");
  await enterPassword(page, person);
  await expect(page.getByRole("heading", { name: "Welcome, Tomás Reyes" })).toBeVisible();
  await page.goto("/account");
  await page.getByRole("link", { name: "Sign-in security (second factor and passkeys)" }).click();
  await expect(page.getByRole("heading", { name: "Sign-in security", level: 1 })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("Name for the new passkey").fill("Test laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your passkey was added." })).toBeVisible();
  await expect(page.getByTestId("passkey-item")).toHaveCount(1);
  await expect(page.getByTestId("passkey-item")).toContainText("Test laptop");
  await expect(page.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();
  await enterPassword(page, person);
  await expect(page).toHaveURL(/\/sign-in\/verify$/);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Tomás Reyes" })).toBeVisible();
  await context.close();
});

test("a secretariat member may set up a passkey instead of an app, and signs in with it", async ({ browser, server, db }) => {
  const person = await makePerson(db, { role: "secretariat", name: "Mei Lin" });
  const { context, page } = await withAuthenticator(browser, server.url);
  await page.goto("/sign-in?redirectTo=%2Faudit");
  await enterPassword(page, person);
  await expect(page).toHaveURL(/\/sign-in\/enrol\?redirectTo=%2Faudit$/);
  await page.getByRole("button", { name: "Set up a passkey instead" }).click();
  await expect(page.getByRole("heading", { name: "Your second factor is on" })).toBeVisible();
  await expect(page.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Continue to Convene" }).click();
  await expect(page).toHaveURL(/\/audit$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Convene" })).toBeVisible();
  await enterPassword(page, person);
  await expect(page).toHaveURL(/\/sign-in\/verify$/);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Mei Lin" })).toBeVisible();
  await context.close();
});
