import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { AppLoadContext } from "@remix-run/node";
import { parse } from "cookie";
import { SESSION_COOKIE } from "../models/session.server";
import { buildReport, closedCycle, publishable, type Audience, type ReportData } from "../models/report.server";
import type { FormatPrefs } from "./format";
import { notFound, requirePermission } from "./auth.server";
import { listWriter } from "./report-list-pdf.server";

/**
 * A closed cycle's report for an audience: the full one needs `cycles.manage`; the public one is for anyone.
 * With `forPdf`, when no PDF of this report is kept yet, Chromium starts while the report is built, so a first
 * print does not wait for it afterwards (decision 048).
 */
export function requireReport(
  context: AppLoadContext,
  request: Request,
  yearParam: string | undefined,
  audience: Audience,
  { forPdf = false } = {},
) {
  const user = audience === "full" ? requirePermission(context, request, "cycles.manage") : (context.auth?.user ?? null);
  const year = Number(yearParam);
  if (!Number.isInteger(year) || year < 2000 || year > 2999) notFound();
  // Only for a closed cycle's report, so a request for any other year never starts a browser.
  const unprinted = () => !keptPdfs(context.services.env.DATABASE_PATH, year).some((n) => n.startsWith(`${audience}-`));
  if (forPdf && closedCycle(context.services.db, year) && unprinted()) context.services.pdf.warm();
  const report = buildReport(context.services.db, year, audience) ?? notFound();
  return { user, report };
}

/** The search parameter that asks a report page for its printed form, in the coalition's format. */
export const PRINT_PARAM = "print";

/** The value of `?print` that leaves the list of commitments out: it is written apart and joined after (decision 048). */
const WITHOUT_LIST = "without-list";

/**
 * The path Chromium prints for a report: the page itself, in the coalition's language and time zone, with or
 * without its list of commitments.
 */
export function printPath(year: number, audience: Audience, withoutList = false): string {
  return `/reports/${year}${audience === "public" ? "/public" : ""}?${PRINT_PARAM}${withoutList ? `=${WITHOUT_LIST}` : ""}`;
}

/** Whether this is a print whose list of commitments is written apart (decision 048). */
export function listPrintedApart(request: Request): boolean {
  return new URL(request.url).searchParams.get(PRINT_PARAM) === WITHOUT_LIST;
}

/**
 * How a report page formats dates and numbers: the reader's own way, or for a print (`?print`) the
 * coalition's (`COALITION_LOCALE`, `COALITION_TIME_ZONE`), so a PDF reads the same whoever downloads it.
 */
export function reportFormat(context: AppLoadContext, request: Request): FormatPrefs | null {
  if (!new URL(request.url).searchParams.has(PRINT_PARAM)) return null;
  return coalitionFormat(context);
}

export function coalitionFormat(context: AppLoadContext): FormatPrefs {
  const env = context.services.env;
  return { locale: env.COALITION_LOCALE, timeZone: env.COALITION_TIME_ZONE };
}

/**
 * Where a closed cycle's report PDF is kept: beside the database, under `reports/<year>/`, named by its
 * audience and a digest of what the report shows and of the format it is printed in, so a highlight or
 * title changed after closing, or a new `COALITION_LOCALE` or `COALITION_TIME_ZONE`, gets a new print, and
 * the same content is never printed twice (decisions 022 and 047).
 */
export function reportPdfFile(databasePath: string, report: ReportData, format: FormatPrefs): string {
  const digest = createHash("sha256")
    .update(JSON.stringify({ report: publishable(report), format: { locale: format.locale, timeZone: format.timeZone } }))
    .digest("hex")
    .slice(0, 16);
  return join(reportsDir(databasePath, report.year), `${report.audience}-${digest}.pdf`);
}

/** Where a year's report PDFs are kept: `reports/<year>/` beside the database. */
function reportsDir(databasePath: string, year: number): string {
  return join(dirname(resolve(databasePath)), "reports", String(year));
}

/** The names of the PDFs kept for a year's reports. */
function keptPdfs(databasePath: string, year: number): string[] {
  try {
    return readdirSync(reportsDir(databasePath, year)).filter((n) => n.endsWith(".pdf"));
  } catch {
    return [];
  }
}

type PrintSession = { name: string; value: string } | null;

/** The requester's own sign-in session, for printing the full report as they see it. */
export function printSession(context: AppLoadContext, request: Request): PrintSession {
  const token = context.auth ? parse(request.headers.get("cookie") ?? "")[SESSION_COOKIE] : undefined;
  return token ? { name: SESSION_COOKIE, value: token } : null;
}

/**
 * The report's PDF: the kept file when this content was printed before, otherwise a new print (with the
 * requester's `session` for the full report), kept for whoever asks next. Null when this server cannot print.
 * Whoever calls it has already checked that the requester may read this report.
 */
export async function reportPdf(context: AppLoadContext, report: ReportData, session: PrintSession): Promise<Buffer | null> {
  const { pdf: printer, selfUrl, env } = context.services;
  const file = reportPdfFile(env.DATABASE_PATH, report, coalitionFormat(context));
  const kept = await readFile(file).catch(() => null);
  if (kept) return kept;
  if (!selfUrl || !printer.available()) return null;
  // The list of commitments is written apart when its fonts can show it, and Chromium prints the rest (decision 048).
  const list = listWriter(report, coalitionFormat(context), { regular: env.PDF_FONT, bold: env.PDF_FONT_BOLD });
  const pdf = await printer.printToFile(file, selfUrl, printPath(report.year, report.audience, list !== null), session, list ?? undefined);
  void dropOlderPdfs(file);
  return pdf;
}

/**
 * Prints the report's PDF in the background when the printer is idle and this content has no PDF yet, so
 * a download that follows a visit finds it ready. A busy printer is left alone: a download never waits
 * behind prints nobody asked for.
 */
export function preparePdf(context: AppLoadContext, report: ReportData, session: PrintSession): void {
  const { pdf: printer, selfUrl, env } = context.services;
  if (!selfUrl || !printer.available() || printer.busy()) return;
  if (existsSync(reportPdfFile(env.DATABASE_PATH, report, coalitionFormat(context)))) return;
  reportPdf(context, report, session).catch(() => {});
}

/** Removes the year's earlier PDFs for the same audience once a newer one is kept (best effort). */
async function dropOlderPdfs(kept: string): Promise<void> {
  const audience = basename(kept).split("-")[0];
  const names = await readdir(dirname(kept)).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith(`${audience}-`) && /-[0-9a-f]+\.pdf$/.test(n) && n !== basename(kept))
      .map((n) => rm(join(dirname(kept), n), { force: true }).catch(() => {})),
  );
}
