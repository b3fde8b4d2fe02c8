import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type BrowserContext, type Page } from "@playwright/test";
import { createSession } from "../../app/models/session.server";
import { openDatabase, type Db } from "../../db/client";

export { expect };
export { DEMO_PASSWORD } from "../../db/seed";

let db: Db | undefined;
/** The same SQLite file the server under test uses, for setting up what the interface cannot (an expired invitation). */
export function testDb(): Db {
  db ??= openDatabase(process.env.E2E_DATABASE_PATH!);
  return db;
}

export function userIdOf(email: string): number {
  const row = testDb().$client.prepare("SELECT id FROM users WHERE email = ?").get(email) as { id: number } | undefined;
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}

/** Signs a browser context in directly, for journeys that are not about signing in. */
export async function signInContext(context: BrowserContext, email: string) {
  const { token } = createSession(testDb(), userIdOf(email), { userAgent: "e2e" });
  await context.addCookies([{ name: "convene_session", value: token, url: process.env.E2E_BASE_URL!, httpOnly: true, sameSite: "Lax" }]);
}

/** Runs axe on the page as it is now: no serious or critical violations allowed. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
  expect(serious, `axe found problems on ${page.url()}`).toEqual([]);
}

/** Every test fails on a script error or a logged error in any page it opened (hydration mismatches included). */
export const test = base.extend<{ browserErrors: string[] }>({
  browserErrors: [
    async ({ browser, context }, use) => {
      const errors: string[] = [];
      const watch = (ctx: BrowserContext) => {
        ctx.on("weberror", (e) => errors.push(`page error: ${e.error().message}`));
        ctx.on("console", (m) => {
          // A 403 or 404 page is an expected answer, which the browser also logs.
          if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`console: ${m.text()}`);
        });
      };
      watch(context);
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const ctx = await newContext(...args);
        watch(ctx);
        return ctx;
      };
      await use(errors);
      browser.newContext = newContext;
      expect(errors, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

/**
 * Routes a page's live connection through the test, which can cut it and keep it cut (as a train
 * tunnel would) and then let it come back. Call before the page opens its socket.
 */
export async function cuttableConnection(page: Page) {
  let offline = false;
  let upgraded = false;
  const open: { close: () => Promise<void> }[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (offline) return void ws.close();
    const server = ws.connectToServer();
    // Socket.IO starts on long-polling and moves to the WebSocket once the client sends "5".
    ws.onMessage((message) => {
      if (message === "5") upgraded = true;
      server.send(message);
    });
    open.push(ws);
  });
  await page.route(/\/socket\.io\//, (route) => (offline ? route.abort("internetdisconnected") : route.continue()));
  return {
    /** Cuts the connection once it has moved from long-polling to its WebSocket. */
    async cut() {
      await expect.poll(() => upgraded).toBe(true);
      offline = true;
      await Promise.all(open.map((ws) => ws.close()));
    },
    restore() {
      offline = false;
    },
  };
}
