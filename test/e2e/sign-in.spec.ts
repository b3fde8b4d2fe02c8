import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures";

test("a wrong password gets one neutral message and keeps the email", async ({ page }) => {
  // The front page offers the way in; the keyboard journey starts on the sign-in page as it loads.
  await page.goto("/");
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/sign-in");
  await page.goto("/sign-in");
  await expectAccessible(page);
  // Keyboard first: the skip link is the first stop.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

  await page.getByLabel("Email address").fill("government@convene.example");
  await page.getByLabel("Password").fill("not-my-password");
  await page.getByLabel("Password").press("Enter");
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an active account.");
  await expect(page.getByLabel("Email address")).toHaveValue("government@convene.example");
  await expect(page.getByLabel("Password")).toHaveValue("");
  await expectAccessible(page);

  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Welcome, Priya Natarajan" })).toBeVisible();
});

test("an observer cannot reach secretariat pages and sees a clear 403 page", async ({ context, page, signIn }) => {
  await signIn(context, "observer@convene.example");
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "People" })).toHaveCount(0);
  for (const path of ["/people", "/organisations", "/invitations", "/audit"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }
  await expectAccessible(page);
  await page.getByRole("link", { name: "Go to your home page" }).click();
  await expect(page.getByRole("heading", { name: /Welcome/ })).toBeVisible();
});

test("the home page fits a phone screen", async ({ browser, signIn }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await signIn(context, "ngo@convene.example");
  const page = await context.newPage();
  for (const path of ["/", "/account"]) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  }
  await context.close();
});
