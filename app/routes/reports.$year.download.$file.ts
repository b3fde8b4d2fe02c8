import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { publishable } from "../models/report.server";
import { notFound } from "../utils/auth.server";
import { spreadsheetCell } from "../utils/csv";
import { printSession, reportPdf, requireReport } from "../utils/reports.server";
import { i18next } from "../i18next.server";

/** `report.{pdf,csv,json}` (full: secretariat) and `public.{pdf,csv,json}` (anyone). */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const match = /^(report|public)\.(pdf|csv|json)$/.exec(params.file ?? "");
  if (!match) notFound();
  const audience = match[1] === "report" ? "full" : "public";
  const format = match[2]!;
  const { report } = requireReport(context, request, params.year, audience, { forPdf: format === "pdf" });
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
  // The public report is printed without a session: visitors share that one print and never start another
  // (decision 022). The full report is printed with the requester's own session; secretariat members share it
  // too, once per content (decision 047). Each print waits its turn with any other, in the coalition's format.
  const pdf =
    audience === "public"
      ? await reportPdf(context, report, null).catch(() => null)
      : await reportPdf(context, report, printSession(context, request));
  if (!pdf) return unavailable(request);
  return new Response(new Uint8Array(pdf), { headers });
}

async function unavailable(request: Request) {
  const t = await i18next.getFixedT(request, "report");
  return new Response(t("pdfUnavailable"), { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
