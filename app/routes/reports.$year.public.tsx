import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ProgressReport } from "../components/progress-report";
import { ReportDownloads } from "../components/report-downloads";
import { publishable } from "../models/report.server";
import { formatNumber } from "../utils/format";
import { pageTitleWith } from "../utils/meta";
import { listPrintedApart, reportFormat, requireReport } from "../utils/reports.server";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction<typeof loader> = pageTitleWith("report:publicTitle", (d: { report: { year: number } }) => ({
  year: d.report.year,
}));

export function loader({ request, context, params }: LoaderFunctionArgs) {
  // A page view never starts the printer: the PDF is printed once, on its first download.
  const { report } = requireReport(context, request, params.year, "public");
  const listApart = listPrintedApart(request);
  const sent = publishable(report);
  return { report: listApart ? { ...sent, commitments: [] } : sent, format: reportFormat(context, request), listApart };
}

export default function PublicReport() {
  const { t } = useTranslation("report");
  const { report, format, listApart } = useLoaderData<typeof loader>();
  const reader = useFormatPrefs();
  const { locale } = format ?? reader;
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("publicTitle", { year: report.year })}</h1>
        <ReportDownloads year={report.year} audience="public" />
      </header>
      <p data-testid="report-unlisted">
        {report.unlisted.value === null
          ? t("unlisted.some")
          : report.unlisted.value === 0
            ? t("unlisted.none")
            : t("unlisted.count", { count: report.unlisted.value, n: formatNumber(report.unlisted.value, locale) })}
      </p>
      <ProgressReport report={report} format={format} listApart={listApart} />
    </div>
  );
}
