/**
 * A report's list of commitments is written apart with PDFKit and joined after the pages Chromium prints,
 * when its fonts can show every character; otherwise Chromium prints the whole report (decision 048).
 */
import { expect, it } from "vitest";
import { buildReport, type ReportData } from "../../app/models/report.server";
import { listWriter } from "../../app/utils/report-list-pdf.server";
import { pdfText } from "../support/pdf-text";
import { get, signInAs, startServer } from "../support/server";

const format = { locale: "en-GB", timeZone: "UTC" };
const lastYear = () => new Date().getUTCFullYear() - 1;

/** The report with its list made `n` rows long, each row's title and lead numbered. */
function longer(report: ReportData, n: number): ReportData {
  const first = report.commitments[0]!;
  const commitments = Array.from({ length: n }, (_, i) => ({
    ...first,
    commitmentId: i + 1,
    reference: `${first.reference}-${i}`,
    title: `Row ${i} ${"hotline triage and referral ".repeat(1 + (i % 4))}`,
    leadOrganisation: `Organisation ${i}`,
  }));
  return { ...report, commitments };
}

it("writes the full report's list apart and joins it after the printed pages: the header, then every row in order", async () => {
  const server = await startServer();
  try {
    const pdf = server.convene.services.pdf;
    const year = lastYear();
    const report = buildReport(server.db, year, "full")!;
    expect(report.commitments.length).toBeGreaterThan(0);
    const cookie = await signInAs(server, "secretariat@convene.example");
    // A download starts Chromium while the report is built, but only for a closed cycle's report.
    expect((await get(server, `/reports/2999/download/public.pdf`)).status).toBe(404);
    expect((await get(server, `/reports/${year + 1}/download/report.pdf`, cookie)).status).toBe(404);
    expect(pdf.running()).toBe(false);

    const res = await get(server, `/reports/${year}/download/report.pdf`, cookie);
    expect(res.status).toBe(200);
    const text = pdfText(Buffer.from(await res.arrayBuffer()));
    expect(pdf.stats()).toMatchObject({ printed: 1, joined: 1 });

    // The printed pages come first, and the list has the page's words and every commitment.
    const methodology = text.indexOf("Completion is credited to the cycle in which it happened.");
    const header = text.indexOf("Reference Commitment Pillar Lead organisation Completion Progress Early result");
    expect(methodology).toBeGreaterThan(0);
    expect(header).toBeGreaterThan(methodology);
    let at = header;
    for (const c of report.commitments) {
      const found = text.indexOf(c.reference, at);
      expect(found, c.reference).toBeGreaterThan(at);
      expect(text.slice(found)).toContain(c.title.replace(/\s+/g, " ").trim().split(" ")[0]!);
      at = found;
    }

    // The page Chromium printed leaves its list out, and so does its data.
    const page = await get(server, `/reports/${year}?print=without-list`, cookie);
    expect(await page.text()).not.toContain('data-testid="report-list"');
    const data = await get(server, `/reports/${year}.data?print=without-list`, cookie);
    expect(await data.text()).not.toContain(report.commitments[0]!.title);
    // A delegate still cannot read it.
    const delegate = await signInAs(server, "ngo@convene.example");
    expect((await get(server, `/reports/${year}?print=without-list`, delegate)).status).not.toBe(200);
  } finally {
    await server.close();
  }
}, 120_000);

it("repeats the header row on every page of a long list and writes each row once", async () => {
  const server = await startServer();
  try {
    const report = longer(buildReport(server.db, lastYear(), "full")!, 400);
    const write = listWriter(report, format, {
      regular: server.convene.services.env.PDF_FONT,
      bold: server.convene.services.env.PDF_FONT_BOLD,
    });
    expect(write).not.toBeNull();
    const text = pdfText(await write!());
    const headers = text.split("Lead organisation").length - 1;
    expect(headers).toBeGreaterThan(3);
    for (let i = 0; i < 400; i++) expect(text.split(`Organisation ${i} `).length - 1, `row ${i}`).toBe(1);
    // The public version has no reference column.
    const publicText = pdfText(
      await listWriter({ ...report, audience: "public" }, format, {
        regular: server.convene.services.env.PDF_FONT,
        bold: server.convene.services.env.PDF_FONT_BOLD,
      })!(),
    );
    expect(publicText).not.toContain("Reference");
    expect(publicText).not.toContain(report.commitments[0]!.reference);
  } finally {
    await server.close();
  }
}, 60_000);

it("leaves the list to Chromium when its font lacks a character, the text runs right to left, or the fonts are missing", async () => {
  const server = await startServer();
  try {
    const env = server.convene.services.env;
    const fonts = { regular: env.PDF_FONT, bold: env.PDF_FONT_BOLD };
    const report = longer(buildReport(server.db, lastYear(), "full")!, 3);
    const titled = (title: string): ReportData => ({
      ...report,
      commitments: [...report.commitments, { ...report.commitments[0]!, title }],
    });
    // Latin, Greek and Cyrillic with their accents are in the font.
    expect(listWriter(titled("Protección · Προστασία · Защита детей"), format, fonts)).not.toBeNull();
    expect(listWriter(titled("حماية الأطفال على الإنترنت"), format, fonts)).toBeNull();
    expect(listWriter(titled("הגנה על ילדים"), format, fonts)).toBeNull();
    expect(listWriter(titled("儿童在线保护"), format, fonts)).toBeNull();
    expect(listWriter(report, format, { ...fonts, regular: `${env.PDF_FONT}.missing` })).toBeNull();
    expect(listWriter({ ...report, commitments: [] }, format, fonts)).toBeNull();

    // Through the download: Chromium prints the whole report, list included.
    const year = lastYear();
    const first = buildReport(server.db, year, "full")!.commitments[0]!;
    server.db.$client.prepare("UPDATE commitments SET title = ? WHERE id = ?").run(`حماية ${first.title}`, first.commitmentId);
    const cookie = await signInAs(server, "secretariat@convene.example");
    const res = await get(server, `/reports/${year}/download/report.pdf`, cookie);
    expect(res.status).toBe(200);
    const text = pdfText(Buffer.from(await res.arrayBuffer()));
    expect(server.convene.services.pdf.stats()).toMatchObject({ printed: 1, joined: 0 });
    expect(text).toContain(first.reference);
    expect(text).toContain("Lead organisation");
  } finally {
    await server.close();
  }
}, 120_000);
