/**
 * PDF printing is a service of the server: one Chromium, started on first use and closed with the server,
 * printing one page at a time; a closed cycle's report is printed once per content and kept (decisions 022 and 047).
 */
import { expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { reportPdfFile } from "../../app/utils/reports.server";
import { buildReport } from "../../app/models/report.server";
import { pdfText } from "../support/pdf-text";
import { get, signInAs, startServer } from "../support/server";

it("starts Chromium when warmed, prints one of our pages, and closes it with the server for good", async () => {
  const server = await startServer();
  const pdf = server.convene.services.pdf;
  expect(pdf.available()).toBe(true);
  expect(pdf.running()).toBe(false);

  pdf.warm();
  expect(pdf.running()).toBe(true);
  const printed = await pdf.print(server.convene.services.selfUrl!, "/sign-in", null);
  expect(printed.subarray(0, 5).toString()).toBe("%PDF-");

  await server.close();
  expect(pdf.running()).toBe(false);
  // A request still in flight after shutdown cannot start it again.
  pdf.warm();
  expect(pdf.running()).toBe(false);
  expect(pdf.available()).toBe(false);
});

it("prints a closed cycle's public report once, however many visitors view it or download its PDF at once, and keeps the file", async () => {
  const server = await startServer();
  try {
    const pdf = server.convene.services.pdf;
    const year = new Date().getUTCFullYear() - 1;
    const base = `/reports/${year}`;
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, i) => get(server, i % 2 ? `${base}/public` : `${base}/public.data`).then((r) => r.status)),
    );
    expect(pages.every((s) => s === 200)).toBe(true);
    // Viewing the report never starts the printer.
    expect(pdf.running()).toBe(false);
    expect(pdf.stats().printed).toBe(0);

    const downloads = await Promise.all(Array.from({ length: 8 }, () => get(server, `${base}/download/public.pdf`)));
    const bodies = await Promise.all(downloads.map(async (r) => ({ status: r.status, body: Buffer.from(await r.arrayBuffer()) })));
    expect(bodies.every((b) => b.status === 200 && b.body.subarray(0, 5).toString() === "%PDF-")).toBe(true);
    expect(pdf.stats().printed).toBe(1);

    // Kept beside the database, and served from there afterwards.
    const dir = join(dirname(server.convene.services.env.DATABASE_PATH), "reports", String(year));
    const kept = readdirSync(dir).filter((n) => n.endsWith(".pdf"));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!)).equals(bodies[0]!.body)).toBe(true);
    for (let i = 0; i < 5; i++) expect((await get(server, `${base}/download/public.pdf`)).status).toBe(200);
    expect(pdf.stats().printed).toBe(1);
  } finally {
    await server.close();
  }
});

it("prints one report at a time, and the full report once per content: the secretariat shares it, a change prints it again", async () => {
  const server = await startServer();
  try {
    const pdf = server.convene.services.pdf;
    const year = new Date().getUTCFullYear() - 1;
    const cookie = await signInAs(server, "secretariat@convene.example");
    // A second sign-in session: the print made with one is shared with the other.
    const other = await signInAs(server, "secretariat@convene.example");
    const downloads = await Promise.all([
      get(server, `/reports/${year}/download/report.pdf`, cookie),
      get(server, `/reports/${year}/download/public.pdf`),
      get(server, `/reports/${year}/download/report.pdf`, other),
      get(server, `/reports/${year}/download/report.pdf`, cookie),
    ]);
    expect(downloads.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const bodies = await Promise.all(downloads.map(async (r) => Buffer.from(await r.arrayBuffer())));
    // The full report and the public one: two prints, one after the other.
    expect(pdf.stats()).toMatchObject({ printed: 2, printing: 0, waiting: 0, mostAtOnce: 1 });
    expect(bodies[0]!.equals(bodies[2]!)).toBe(true);
    expect(bodies[0]!.equals(bodies[1]!)).toBe(false);

    // Kept beside the database and served from there, but never to someone who may not read it.
    const dir = join(dirname(server.convene.services.env.DATABASE_PATH), "reports", String(year));
    const kept = () => readdirSync(dir).filter((n) => n.startsWith("full-"));
    expect(kept()).toHaveLength(1);
    expect((await get(server, `/reports/${year}/download/report.pdf`, cookie)).status).toBe(200);
    expect(pdf.stats().printed).toBe(2);
    const delegate = await signInAs(server, "ngo@convene.example");
    expect((await get(server, `/reports/${year}/download/report.pdf`, delegate)).status).not.toBe(200);
    expect((await get(server, `/reports/${year}/download/report.pdf`)).status).not.toBe(200);

    // A change to what the report shows prints it again, and the older file goes.
    const first = buildReport(server.db, year, "full")!.commitments[0]!;
    server.db.$client.prepare("UPDATE commitments SET title = ? WHERE id = ?").run(`${first.title} (renamed)`, first.commitmentId);
    const again = await get(server, `/reports/${year}/download/report.pdf`, cookie);
    expect(again.status).toBe(200);
    expect(pdfText(Buffer.from(await again.arrayBuffer()))).toContain("(renamed)");
    expect(pdf.stats().printed).toBe(3);
    await expect.poll(kept).toHaveLength(1);
  } finally {
    await server.close();
  }
}, 120_000);

it("prints the full report while the secretariat reads it, so the download that follows is ready", async () => {
  const server = await startServer();
  try {
    const pdf = server.convene.services.pdf;
    const year = new Date().getUTCFullYear() - 1;
    const cookie = await signInAs(server, "secretariat@convene.example");
    expect((await get(server, `/reports/${year}`, cookie)).status).toBe(200);
    await expect.poll(() => pdf.stats().printed, { timeout: 60_000 }).toBe(1);
    await expect.poll(() => pdf.busy()).toBe(false);
    // Reading it again, or downloading it, prints nothing more.
    expect((await get(server, `/reports/${year}`, cookie)).status).toBe(200);
    const download = await get(server, `/reports/${year}/download/report.pdf`, cookie);
    expect(download.status).toBe(200);
    expect(pdf.stats().printed).toBe(1);
    // A delegate cannot read it, so their visit prints nothing.
    const delegate = await signInAs(server, "ngo@convene.example");
    expect((await get(server, `/reports/${year}`, delegate)).status).not.toBe(200);
    expect(pdf.stats()).toMatchObject({ printed: 1, printing: 0, waiting: 0 });
  } finally {
    await server.close();
  }
}, 120_000);

it("prints reports in the coalition's language and time zone, whoever downloads them, while the page keeps the reader's format", async () => {
  // An older name of the zone, as many servers' settings still have it.
  const server = await startServer({ COALITION_LOCALE: "en-GB", COALITION_TIME_ZONE: "Asia/Calcutta" });
  try {
    const year = new Date().getUTCFullYear() - 1;
    // Closed late on 2 December in UTC: already 3 December in India.
    server.db.$client.prepare("UPDATE forum_cycles SET closed_at = ? WHERE year = ?").run(Date.UTC(year, 11, 2, 20, 15), year);
    const printed = `3 December ${year} at 01:45`;

    const publicPdf = await get(server, `/reports/${year}/download/public.pdf`);
    expect(publicPdf.status).toBe(200);
    const publicText = pdfText(Buffer.from(await publicPdf.arrayBuffer()));
    expect(publicText).toContain(`Annual progress report ${year} (public version)`);
    expect(publicText).toContain(printed);
    expect(publicText).not.toMatch(/December \d{1,2}, \d{4}/);

    // The full report too, though the secretariat's own account may say otherwise.
    const cookie = await signInAs(server, "secretariat@convene.example");
    const fullPdf = await get(server, `/reports/${year}/download/report.pdf`, cookie);
    expect(fullPdf.status).toBe(200);
    expect(pdfText(Buffer.from(await fullPdf.arrayBuffer()))).toContain(printed);

    // The page itself is in the reader's format: US English, in the zone the browser says.
    const page = await fetch(`${server.url}/reports/${year}/public`, {
      headers: { "Accept-Language": "en-US", Cookie: "tz=America/New_York" },
    });
    expect(await page.text()).toContain(`December 2, ${year} at 3:15`);
  } finally {
    await server.close();
  }
}, 120_000);

it("keeps a PDF per audience and format, so a changed COALITION_LOCALE or COALITION_TIME_ZONE prints it again", async () => {
  const server = await startServer();
  try {
    const report = buildReport(server.db, new Date().getUTCFullYear() - 1, "public")!;
    const database = server.convene.services.env.DATABASE_PATH;
    const gb = reportPdfFile(database, report, { locale: "en-GB", timeZone: "UTC" });
    expect(reportPdfFile(database, report, { locale: "en-GB", timeZone: "UTC" })).toBe(gb);
    expect(reportPdfFile(database, report, { locale: "fr-FR", timeZone: "UTC" })).not.toBe(gb);
    expect(reportPdfFile(database, report, { locale: "en-GB", timeZone: "Europe/Brussels" })).not.toBe(gb);
    const full = buildReport(server.db, new Date().getUTCFullYear() - 1, "full")!;
    expect(reportPdfFile(database, full, { locale: "en-GB", timeZone: "UTC" })).not.toBe(gb);
  } finally {
    await server.close();
  }
});
