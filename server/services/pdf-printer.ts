/**
 * Prints one of Convene's own pages to PDF with headless Chromium (through playwright-core).
 * A service of the server: created once with the others, its browser started on first use (or when
 * a report page warms it), reused, closed when idle and closed with the server.
 * Each print gets its own context with the requester's session, so the PDF shows exactly what that
 * person may see.
 */
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import type { Env } from "../env";

export type PdfPrinter = ReturnType<typeof createPdfPrinter>;

export function createPdfPrinter(env: Pick<Env, "CHROMIUM_PATH" | "PDF_IDLE_CLOSE_MS">) {
  let browser: Promise<Browser> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let closed = false;

  const available = () => !closed && existsSync(env.CHROMIUM_PATH);

  async function launch(): Promise<Browser> {
    const { chromium } = await import("playwright-core");
    return chromium.launch({
      executablePath: env.CHROMIUM_PATH,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }

  function instance(): Promise<Browser> {
    if (closed) return Promise.reject(new Error("the PDF printer is closed"));
    browser ??= launch().catch((error: unknown) => {
      browser = null;
      throw error;
    });
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void stop(), env.PDF_IDLE_CLOSE_MS);
    idleTimer.unref();
    return browser;
  }

  async function stop(): Promise<void> {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const b = browser;
    browser = null;
    if (b) await (await b.catch(() => null))?.close();
  }

  return {
    /** Whether PDFs can be printed here (Chromium is installed). */
    available,
    /**
     * Starts Chromium in the background when someone opens a report, so a PDF asked for next does
     * not wait for the browser to start. Does nothing when Chromium is missing or already running.
     */
    warm(): void {
      if (available()) instance().catch(() => {});
    },
    /**
     * Loads `selfUrl + path` (a loopback address, never one taken from the request) with the given
     * session cookie, and prints it as A4 with the print stylesheet.
     */
    async print(selfUrl: string, path: string, session: { name: string; value: string } | null): Promise<Buffer> {
      // The page is printed as the server renders it: no scripts, so a long report is not hydrated first.
      const context = await (await instance()).newContext({ javaScriptEnabled: false });
      try {
        if (session) await context.addCookies([{ ...session, url: selfUrl, httpOnly: true, sameSite: "Lax" }]);
        const page = await context.newPage();
        const res = await page.goto(selfUrl + path, { waitUntil: "load" });
        if (!res || !res.ok()) throw new Error(`printing ${path} failed with ${res?.status()}`);
        await page.emulateMedia({ media: "print" });
        return await page.pdf({
          format: "A4",
          printBackground: false,
          margin: { top: "14mm", bottom: "14mm", left: "12mm", right: "12mm" },
        });
      } finally {
        await context.close();
      }
    },
    /** Whether a browser is running now (for tests and health checks). */
    running: () => browser !== null,
    async close(): Promise<void> {
      closed = true;
      await stop();
    },
  };
}
