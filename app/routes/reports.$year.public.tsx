import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ProgressReport } from "../components/progress-report";
import { ReportDownloads } from "../components/report-downloads";
import { publishable } from "../models/report.server";
import { pageTitleWith } from "../utils/meta";
import { requireReport } from "../utils/reports.server";

export const meta: MetaFunction<typeof loader> = pageTitleWith("report:publicTitle", (d: { report: { year: number } }) => ({
  year: d.report.year,
}));

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { report } = requireReport(context, request, params.year, "public");
  // Whoever reads a report may want its PDF next.
  context.services.pdf.warm();
  return { report: publishable(report) };
}

export default function PublicReport() {
  const { t } = useTranslation("report");
  const { report } = useLoaderData<typeof loader>();
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("publicTitle", { year: report.year })}</h1>
        <ReportDownloads year={report.year} audience="public" />
      </header>
      <ProgressReport report={report} />
    </div>
  );
}
