/**
 * Prints one of Convene's own pages to PDF with headless Chromium (through playwright-core).
 * One browser is started on first use and reused; each print gets its own context with the
 * requester's session, so the PDF shows exactly what that person may see.
 */
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

let browser: Promise<Browser> | null = null;
let idleTimer: NodeJS.Timeout | null = null;
/** A browser nobody printed with for this long is closed, to give its memory back. */
const IDLE_CLOSE_MS = 5 * 60_000;

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

export function canPrintPdf(): boolean {
  return existsSync(chromiumPath());
}

async function launch(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

function browserInstance(): Promise<Browser> {
  browser ??= launch().catch((error: unknown) => {
    browser = null;
    throw error;
  });
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closePdfBrowser(), IDLE_CLOSE_MS);
  idleTimer.unref();
  return browser;
}

/**
 * Starts Chromium in the background when someone opens a report, so a PDF asked for next does not
 * wait for the browser to start. Does nothing when Chromium is missing or already running.
 */
export function warmPdfPrinter(): void {
  if (!canPrintPdf()) return;
  browserInstance().catch(() => {});
}

/**
 * Loads `selfUrl + path` (a loopback address, never one taken from the request) with the given
 * session cookie, and prints it as A4 with the print stylesheet.
 */
export async function printPdf(selfUrl: string, path: string, session: { name: string; value: string } | null): Promise<Buffer> {
  // The page is printed as the server renders it: no scripts, so a long report is not hydrated first.
  const context = await (await browserInstance()).newContext({ javaScriptEnabled: false });
  try {
    if (session) await context.addCookies([{ ...session, url: selfUrl, httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    const res = await page.goto(selfUrl + path, { waitUntil: "load" });
    if (!res || !res.ok()) throw new Error(`printing ${path} failed with ${res?.status()}`);
    await page.emulateMedia({ media: "print" });
    return await page.pdf({ format: "A4", printBackground: false, margin: { top: "14mm", bottom: "14mm", left: "12mm", right: "12mm" } });
  } finally {
    await context.close();
  }
}

export async function closePdfBrowser(): Promise<void> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  const b = browser;
  browser = null;
  if (b) await (await b.catch(() => null))?.close();
}
