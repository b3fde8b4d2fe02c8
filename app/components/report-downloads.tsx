import { useTranslation } from "react-i18next";

/** Links to the report's PDF, CSV and JSON downloads, and a print button. */
export function ReportDownloads({ year, audience }: { year: number; audience: "full" | "public" }) {
  const { t } = useTranslation("report");
  const base = `/reports/${year}/download/${audience === "full" ? "report" : "public"}`;
  return (
    <p className="publication__actions no-print">
      <span className="muted">{t("downloads")}:</span>
      <a className="button button--small" href={`${base}.pdf`} download>
        {t("pdf")}
      </a>
      <a className="button button--quiet button--small" href={`${base}.csv`} download>
        {t("csv")}
      </a>
      <a className="button button--quiet button--small" href={`${base}.json`} download>
        {t("json")}
      </a>
      <button type="button" className="button button--quiet button--small" onClick={() => window.print()}>
        {t("print")}
      </button>
    </p>
  );
}
