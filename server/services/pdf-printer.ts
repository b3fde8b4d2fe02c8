/**
 * Prints one of Convene's own pages to PDF with headless Chromium (through playwright-core).
 * A service of the server: created once with the others, its browser started on first use (or when
 * a report page warms it), reused, closed when idle and closed with the server.
 * Each print gets its own context with the requester's session, so the PDF shows exactly what that
 * person may see, in the coalition's language and time zone (`COALITION_LOCALE`, `COALITION_TIME_ZONE`). Prints run one at a time (the others wait their turn), and `printToFile` prints a
 * page once and keeps the file, however many ask for it at once (decisions 022 and 047). A print may have pages
 * written apart (a report's list of commitments, decision 048): they are written while Chromium prints, and
 * joined after its pages.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Browser } from "playwright-core";
import type { Env } from "../env";

export type PdfPrinter = ReturnType<typeof createPdfPrinter>;

/** Writes pages (a PDF) to follow a printed page's own. */
export type PagesAfter = () => Promise<Buffer>;

/** The pages of `second` after those of `first`, keeping `first`'s title and details. */
async function joinPdfs(first: Buffer, second: Buffer): Promise<Buffer> {
  const { PDFDocument } = await import("pdf-lib");
  const doc = await PDFDocument.load(first, { updateMetadata: false });
  const more = await PDFDocument.load(second, { updateMetadata: false });
  for (const page of await doc.copyPages(more, more.getPageIndices())) doc.addPage(page);
  // Without object streams, as Chromium writes them: readable by every PDF reader.
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export function createPdfPrinter(env: Pick<Env, "CHROMIUM_PATH" | "PDF_IDLE_CLOSE_MS" | "COALITION_LOCALE" | "COALITION_TIME_ZONE">) {
  let browser: Promise<Browser> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let closed = false;
  /** The print running now, or the last one; the next one starts when it settles. */
  let queue: Promise<unknown> = Promise.resolve();
  const stats = { printed: 0, printing: 0, waiting: 0, mostAtOnce: 0, joined: 0 };
  /** Files being printed now, so that everyone asking for one waits for the same print. */
  const pending = new Map<string, Promise<Buffer>>();

  const available = () => !closed && existsSync(env.CHROMIUM_PATH);

  async function launch(): Promise<Browser> {
    // pdf-lib too, for joining pages written apart (decision 048), so the first join does not load it.
    const [{ chromium }] = await Promise.all([import("playwright-core"), import("pdf-lib")]);
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

  /** Loads `selfUrl + path` with the given session cookie and prints it as A4 with the print stylesheet. */
  async function printNow(selfUrl: string, path: string, session: { name: string; value: string } | null): Promise<Buffer> {
    // The page is printed as the server renders it: no scripts, so a long report is not hydrated first.
    // The browser asks in the coalition's language and zone, whoever asked for the print.
    const context = await (
      await instance()
    ).newContext({
      javaScriptEnabled: false,
      locale: env.COALITION_LOCALE,
      timezoneId: env.COALITION_TIME_ZONE,
    });
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
  }

  /** Runs a print after those already waiting: one at a time, so visitors cannot start many. */
  function print(selfUrl: string, path: string, session: { name: string; value: string } | null, after?: PagesAfter): Promise<Buffer> {
    stats.waiting++;
    const turn = queue.then(async () => {
      stats.waiting--;
      stats.printing++;
      stats.mostAtOnce = Math.max(stats.mostAtOnce, stats.printing);
      try {
        const [printed, written] = await Promise.all([printNow(selfUrl, path, session), after?.()]);
        const pdf = written ? await joinPdfs(printed, written) : printed;
        stats.printed++;
        if (written) stats.joined++;
        return pdf;
      } finally {
        stats.printing--;
      }
    });
    queue = turn.catch(() => {});
    return turn;
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
     * session cookie, and prints it as A4 with the print stylesheet, after the prints already waiting;
     * `after` writes pages to join after the printed ones.
     */
    print,
    /**
     * The PDF kept at `file`, printed first (with `session`, if given, and the pages `after` writes) if it is not there yet. Callers
     * asking for the same file while it is printed share that one print; the file is written whole or not at all.
     */
    printToFile(
      file: string,
      selfUrl: string,
      path: string,
      session: { name: string; value: string } | null = null,
      after?: PagesAfter,
    ): Promise<Buffer> {
      const running = pending.get(file);
      if (running) return running;
      const job = (async () => {
        const kept = await readFile(file).catch(() => null);
        if (kept) return kept;
        const pdf = await print(selfUrl, path, session, after);
        await mkdir(dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.partial`;
        await writeFile(partial, pdf);
        await rename(partial, file);
        return pdf;
      })().finally(() => pending.delete(file));
      pending.set(file, job);
      return job;
    },
    /** Whether a print is running or waiting now. */
    busy: () => stats.printing + stats.waiting > 0,
    /**
     * Prints done, running and waiting, the most ever run at once, and how many prints had pages written
     * apart joined to them (for tests and health checks).
     */
    stats: () => ({ ...stats }),
    /** Whether a browser is running now (for tests and health checks). */
    running: () => browser !== null,
    async close(): Promise<void> {
      closed = true;
      await stop();
    },
  };
}
