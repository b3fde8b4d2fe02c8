/**
 * The end-to-end fixtures: each worker runs its own Convene on its own copy of the seeded template, so
 * journeys run in parallel and in any order. A journey makes the data it changes (an event, a person, a
 * group…) through the models on that server's database, and signs browser contexts in directly.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type BrowserContext, type Page } from "@playwright/test";
import { createSession } from "../../app/models/session.server";
import type { Db } from "../../db/client";
import { startConvene, type TestServer } from "../support/convene";
import { userIdOf, type Person } from "../support/factories";
import { TEMPLATE_ENV } from "../support/template";

export { expect };
export { DEMO_PASSWORD } from "../../db/seed";
export * from "../support/factories";

interface WorkerFixtures {
  workerServer: TestServer;
}

interface TestFixtures {
  /** A journey that changes something forum-wide (closing the year's cycle) asks for a server of its own. */
  ownServer: boolean;
  server: TestServer;
  /** The database of the server under test: the same connection, so models announce their changes to it. */
  db: Db;
  /** Signs a browser context in directly, for journeys that are not about signing in. */
  signIn: (context: BrowserContext, who: string | Person) => Promise<void>;
  browserErrors: string[];
}

async function startForTest(): Promise<TestServer> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: the end-to-end global setup makes the template database.`);
  return startConvene(template);
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  workerServer: [
    // Playwright reads a fixture's dependencies from its first parameter, which must be a pattern even when empty.
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide) => {
      const server = await startForTest();
      await provide(server);
      await server.close();
    },
    // Loading the build on a busy machine can take a while; it happens once per worker.
    { scope: "worker", timeout: 120_000 },
  ],
  ownServer: [false, { option: true }],
  server: async ({ ownServer, workerServer }, provide, testInfo) => {
    const server = ownServer ? await startForTest() : workerServer;
    const logged = server.logs.length;
    await provide(server);
    // What the server logged during a failed journey (a request that threw) is kept with its report.
    const logs = server.logs.slice(logged);
    if (testInfo.status !== testInfo.expectedStatus && logs.length) await testInfo.attach("server log", { body: logs.join("\n") });
    if (ownServer) await server.close();
  },
  baseURL: async ({ server }, provide) => provide(server.url),
  db: async ({ server }, provide) => provide(server.db),
  signIn: async ({ server }, provide) => {
    await provide(async (context, who) => {
      const userId = typeof who === "string" ? userIdOf(server.db, who) : who.id;
      const { token } = createSession(server.db, userId, { userAgent: "e2e" });
      await context.addCookies([{ name: "convene_session", value: token, url: server.url, httpOnly: true, sameSite: "Lax" }]);
    });
  },

  /** Every test fails on a script error or a logged error in any page it opened (hydration mismatches included). */
  browserErrors: [
    async ({ browser, context }, provide) => {
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
      await provide(errors);
      browser.newContext = newContext;
      expect(errors, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

/** Runs axe on the page as it is now: no serious or critical violations allowed. */
export async function expectAccessible(page: Page) {
  // One axe run in the page itself: Convene's pages embed no cross-origin frames, which are all that the
  // default mode's extra blank page (opened and closed on every call) would add.
  const results = await new AxeBuilder({ page }).setLegacyMode().analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`);
  expect(serious, `axe found problems on ${page.url()}`).toEqual([]);
}

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

/** The two screens every journey of the people-first work runs on: a phone held upright and a common laptop. */
export const screens = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
} as const;
export type ScreenName = keyof typeof screens;

/**
 * Fails when the page as it is now scrolls sideways (wider than its viewport), naming the widest elements and
 * attaching a screenshot of the page, so the overflow can be seen.
 */
export async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth <= width + 1) return null;
    const culprits = [...document.body.querySelectorAll<HTMLElement>("*")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .filter((el) => !el.closest(".visually-hidden, .skip-link"))
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""} (right ${Math.round(el.getBoundingClientRect().right)} px)`,
      );
    return { scrollWidth: root.scrollWidth, width, culprits };
  });
  if (overflow) {
    await test.info().attach(`sideways scroll on ${new URL(page.url()).pathname}`, {
      body: await page.screenshot({ fullPage: true }),
      contentType: "image/png",
    });
  }
  expect(overflow, `${page.url()} scrolls sideways`).toBeNull();
}
