import { readFile } from "node:fs/promises";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { parse } from "cookie";
import { stringify } from "csv-stringify/sync";
import { publishable } from "../models/report.server";
import { SESSION_COOKIE } from "../models/session.server";
import { notFound } from "../utils/auth.server";
import { spreadsheetCell } from "../utils/csv";
import { coalitionFormat, dropOlderPdfs, printPath, publicPdfFile, requireReport } from "../utils/reports.server";
import { i18next } from "../i18next.server";

/** `report.{pdf,csv,json}` (full: secretariat) and `public.{pdf,csv,json}` (anyone). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const match = /^(report|public)\.(pdf|csv|json)$/.exec(params.file ?? "");
  if (!match) notFound();
  const audience = match[1] === "report" ? "full" : "public";
  const format = match[2]!;
  const { report } = requireReport(context, request, params.year, audience);
  const name = `convene-progress-report-${report.year}${audience === "public" ? "-public" : ""}`;
  const privacy = audience === "public" ? "public, max-age=300" : "private, no-store";

  if (format === "json") {
    return new Response(JSON.stringify(publishable(report), null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}.json"`,
        "Cache-Control": privacy,
      },
    });
  }
  if (format === "csv") {
    const t = await i18next.getFixedT(request, "report");
    // The public version has no references (decision 022).
    const rows = report.commitments.map((c) => [
      ...(audience === "full" ? [c.reference] : []),
      c.title,
      c.pillar,
      c.leadOrganisation,
      c.organisations.join("; "),
      c.originYear,
      c.carriedIn ? "yes" : "no",
      t(`completion.${c.completion}`),
      c.percent,
      c.earlyResult,
      ...(audience === "full" ? [c.visibility, c.note] : []),
    ]);
    const header = [
      ...(audience === "full" ? ["reference"] : []),
      "title",
      "pillar",
      "lead_organisation",
      "organisations",
      "origin_year",
      "carried_in",
      "completion",
      "percent",
      "early_result",
      ...(audience === "full" ? ["visibility", "secretariat_note"] : []),
    ];
    const csv = stringify([header, ...rows.map((r) => r.map(spreadsheetCell))]);
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}.csv"`,
        "Cache-Control": privacy,
      },
    });
  }

  const headers = {
    "Content-Type": "application/pdf",
    "Content-Disposition": `attachment; filename="${name}.pdf"`,
    "Cache-Control": privacy,
  };
  const selfUrl = context.services.selfUrl;
  const printer = context.services.pdf;
  if (audience === "public") {
    // Printed once per content and kept: visitors share that one print and never start another (decision 022).
    const file = publicPdfFile(context.services.env.DATABASE_PATH, report, coalitionFormat(context));
    const kept = await readFile(file).catch(() => null);
    if (kept) return new Response(new Uint8Array(kept), { headers });
    if (selfUrl && printer.available()) {
      const pdf = await printer.printToFile(file, selfUrl, printPath(report.year, "public")).catch(() => null);
      if (pdf) {
        void dropOlderPdfs(file);
        return new Response(new Uint8Array(pdf), { headers });
      }
    }
    return unavailable(request);
  }
  if (!selfUrl || !printer.available()) return unavailable(request);
  // The full report is printed with the requester's own session, in turn with any other print, in the coalition's format.
  const token = context.auth ? parse(request.headers.get("cookie") ?? "")[SESSION_COOKIE] : undefined;
  const pdf = await printer.print(selfUrl, printPath(report.year, "full"), token ? { name: SESSION_COOKIE, value: token } : null);
  return new Response(new Uint8Array(pdf), { headers });
}

async function unavailable(request: Request) {
  const t = await i18next.getFixedT(request, "report");
  return new Response(t("pdfUnavailable"), { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
