/**
 * A report's list of commitments as PDF pages, written with PDFKit instead of laid out by Chromium
 * (decision 048). Chromium needs many seconds to paginate thousands of table rows; writing them directly
 * takes about a second, while Chromium prints the rest of the report at the same time, and the printer
 * joins the two. The pages follow the print stylesheet's list: A4, the printer's margins, a small font,
 * fixed columns, the header row on every page and no row split across pages.
 *
 * It writes only what its fonts can show the way Chromium would: when a font lacks a character, or the
 * text needs right-to-left ordering, it returns null and Chromium prints the whole report as before.
 */
import { readFileSync } from "node:fs";
import { create as openFont, type Font } from "fontkit";
import i18next from "i18next";
import PDFDocument from "pdfkit";
import { supportedLanguages } from "../i18n";
import type { ReportData } from "../models/report.server";
import { formatPercent, type FormatPrefs } from "./format";
import { translatorFor } from "./translators.server";

export interface ListFonts {
  regular: string;
  bold: string;
}

const MM = 72 / 25.4;
/** The printer's page: A4 with the margins it gives Chromium (`server/services/pdf-printer.ts`). */
const PAGE = { width: 210 * MM, height: 297 * MM, top: 14 * MM, bottom: 14 * MM, left: 12 * MM, right: 12 * MM };
const SIZE = 7.5;
const TITLE_SIZE = 13;
const PAD_X = 3;
const PAD_Y = 1;
const LINE_GAP = 1;
const TEXT = "#1c2330";
const RULE = "#c9ced6";
/** Share of the width per column, with and without the reference column. */
const WIDTHS_WITH_REFERENCE = [0.1, 0.26, 0.12, 0.15, 0.11, 0.09, 0.17];
const WIDTHS = [0.29, 0.13, 0.17, 0.12, 0.1, 0.19];
/**
 * The longest the list holds the event loop, in ms, before it lets other work run: live pushes, pages, and
 * the many small exchanges with Chromium while it prints the rest of the report at the same time.
 */
const TURN_MS = 8;
/** Scripts written right to left: PDFKit draws characters in the order stored, so Chromium prints these. */
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;

const fonts = new Map<string, Font | null>();

/**
 * A font file read and parsed once and kept (PDFKit takes the parsed font, so each print neither reads nor
 * parses it again); null when it is missing or not a single font.
 */
function loaded(path: string): Font | null {
  if (!fonts.has(path)) {
    try {
      const font = openFont(readFileSync(path));
      fonts.set(path, "hasGlyphForCodePoint" in font ? (font as Font) : null);
    } catch {
      fonts.set(path, null);
    }
  }
  return fonts.get(path)!;
}

/** The language the printed page is in: the coalition's, when Convene has it (as the page's own detection). */
function languageOf(locale: string): string {
  return supportedLanguages.find((l) => locale === l || locale.startsWith(`${l}-`)) ?? "en";
}

/** Whether every character of `text` is in `font` and none needs right-to-left ordering. */
function canShow(font: Font, text: string): boolean {
  if (RIGHT_TO_LEFT.test(text)) return false;
  for (const ch of new Set(text)) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && !font.hasGlyphForCodePoint(code)) return false;
  }
  return true;
}

/**
 * How the list would be written, or null when Chromium should print it: no list, fonts missing, a
 * language written right to left, or text the fonts cannot show.
 */
export function listWriter(report: ReportData, format: FormatPrefs, fontFiles: ListFonts): (() => Promise<Buffer>) | null {
  if (report.commitments.length === 0) return null;
  const regular = loaded(fontFiles.regular);
  const bold = loaded(fontFiles.bold);
  if (!regular || !bold) return null;
  const language = languageOf(format.locale);
  if (i18next.dir(language) === "rtl") return null;
  const t = translatorFor(language, "report");
  const showReferences = report.audience === "full";
  const header = [
    ...(showReferences ? [t("list.reference")] : []),
    t("list.commitment"),
    t("list.pillar"),
    t("list.lead"),
    t("list.completion"),
    t("list.percent"),
    t("list.earlyResult"),
  ];
  const rows = report.commitments.map((c) => [
    ...(showReferences ? [c.reference] : []),
    c.title,
    c.pillar,
    c.leadOrganisation,
    t(`completion.${c.completion}`),
    formatPercent(c.percent, format.locale),
    c.earlyResult,
  ]);
  if (!canShow(bold, [t("list.title"), ...header].join(""))) return null;
  if (!canShow(regular, rows.map((r) => r.join("")).join(""))) return null;
  return () => writeList(t("list.title"), header, rows, regular, bold);
}

async function writeList(title: string, header: string[], rows: string[][], regular: Font, bold: Font): Promise<Buffer> {
  const doc = new PDFDocument({
    size: [PAGE.width, PAGE.height],
    margins: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.left, right: PAGE.right },
    // Its own fonts from the start, so PDFKit never loads its built-in Helvetica.
    font: regular as unknown as string,
    info: { Title: title },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  // PDFKit takes a parsed fontkit font as well as a file (its types name only the file forms).
  doc.registerFont("regular", regular as unknown as string);
  doc.registerFont("bold", bold as unknown as string);
  const width = PAGE.width - PAGE.left - PAGE.right;
  const bottom = PAGE.height - PAGE.bottom;
  const columns = (header.length === WIDTHS.length ? WIDTHS : WIDTHS_WITH_REFERENCE).map((share) => share * width);
  // A column is at least as wide as the longest word of its heading; the commitment's title gives up the room.
  doc.font("bold").fontSize(SIZE);
  const titleColumn = header.length === WIDTHS.length ? 0 : 1;
  header.forEach((heading, j) => {
    const need = Math.max(...heading.split(/\s+/).map((word) => doc.widthOfString(word))) + 2 * PAD_X + 1;
    if (columns[j]! < need) {
      columns[titleColumn]! -= need - columns[j]!;
      columns[j] = need;
    }
  });
  const cellOptions = (j: number) => ({ width: columns[j]! - 2 * PAD_X, lineGap: LINE_GAP });
  let y = PAGE.top;

  function rowHeight(cells: string[]): number {
    return Math.max(...cells.map((c, j) => (c ? doc.heightOfString(c, cellOptions(j)) : 0)), doc.currentLineHeight(true)) + 2 * PAD_Y;
  }

  function drawRow(cells: string[], height: number, rule: { width: number; colour: string }) {
    let x = PAGE.left;
    cells.forEach((c, j) => {
      if (c) doc.text(c, x + PAD_X, y + PAD_Y, { ...cellOptions(j), height: bottom - y - PAD_Y, ellipsis: true });
      x += columns[j]!;
    });
    y += height;
    doc
      .moveTo(PAGE.left, y)
      .lineTo(PAGE.left + width, y)
      .lineWidth(rule.width)
      .strokeColor(rule.colour)
      .stroke();
  }

  function drawHeader() {
    doc.font("bold").fontSize(SIZE).fillColor(TEXT);
    drawRow(header, rowHeight(header), { width: 0.75, colour: TEXT });
    doc.font("regular");
  }

  doc.font("bold").fontSize(TITLE_SIZE).fillColor(TEXT).text(title, PAGE.left, y, { width });
  y = doc.y + SIZE;
  drawHeader();
  let turn = performance.now();
  for (let i = 0; i < rows.length; i++) {
    if (performance.now() - turn > TURN_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      turn = performance.now();
    }
    const cells = rows[i]!;
    const height = rowHeight(cells);
    // A row is never split across pages; one taller than a page is cut at its foot.
    if (y + height > bottom) {
      doc.addPage();
      y = PAGE.top;
      drawHeader();
    }
    drawRow(cells, height, { width: 0.3, colour: RULE });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
