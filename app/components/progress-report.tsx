import { Trans, useTranslation } from "react-i18next";
import { completionLevels, type CompletionLevel } from "../domain/vocabulary";
import type { Figure, ReportData } from "../models/report.server";
import { formatNumber, formatPercent } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { DateTime } from "./time";

export const MIN_ORGANISATIONS_SHOWN = 5;

function Num({ figure }: { figure: Figure }) {
  const { t } = useTranslation("report");
  const { locale } = useFormatPrefs();
  if (figure.value === null) {
    return (
      <span className="suppressed" title={t("suppressedLabel", { min: MIN_ORGANISATIONS_SHOWN })}>
        <span aria-hidden="true">{t("suppressed")}</span>
        <span className="visually-hidden">{t("suppressedLabel", { min: MIN_ORGANISATIONS_SHOWN })}</span>
      </span>
    );
  }
  return <>{formatNumber(figure.value, locale)}</>;
}

/** Horizontal stacked bars of completion levels per pillar, as SVG so they print. */
function CompletionBars({ report }: { report: ReportData }) {
  const { t } = useTranslation("report");
  const rows = report.pillars.filter((p) => (p.commitments.value ?? 0) > 0);
  const max = Math.max(1, ...rows.map((p) => p.commitments.value ?? 0));
  const width = 560;
  const label = 200;
  const bar = 18;
  const gap = 10;
  const height = rows.length * (bar + gap) + 24;
  const colour: Record<CompletionLevel, string> = {
    not_started: "#c4cad3",
    limited: "#e0a43a",
    substantial: "#4f8fc0",
    complete: "#1d6b3a",
    withdrawn: "#a12a2a",
  };
  if (!rows.length) return null;
  return (
    <figure className="report-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="chart-completion-title" width="100%">
        <title id="chart-completion-title">{t("chart.completionByPillar")}</title>
        {rows.map((p, i) => {
          let x = label;
          const y = i * (bar + gap);
          return (
            <g key={p.slug}>
              <text x={0} y={y + bar - 4} fontSize="12" fill="#1c2330">
                {p.name}
              </text>
              {completionLevels.map((level) => {
                const n = p.byCompletion[level].value ?? 0;
                const w = ((width - label - 10) * n) / max;
                const rect = <rect key={level} x={x} y={y} width={w} height={bar} fill={colour[level]} />;
                x += w;
                return rect;
              })}
            </g>
          );
        })}
        {completionLevels.map((level, i) => (
          <g key={level} transform={`translate(${label + i * 72}, ${height - 10})`}>
            <rect width="10" height="10" y={-9} fill={colour[level]} />
            <text x="14" fontSize="11" fill="#1c2330">
              {t(`completion.${level}`)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="visually-hidden">{t("chart.completionByPillar")}</figcaption>
    </figure>
  );
}

/** The annual progress report, full or public, as a page that also prints well. */
export function ProgressReport({ report }: { report: ReportData }) {
  const { t } = useTranslation("report");
  const { locale } = useFormatPrefs();
  const o = report.overview;
  // The public version leaves references out: their numbering would count what is not listed (decision 022).
  const showReferences = report.audience === "full";
  const facts: [string, Figure][] = [
    ["commitments", o.commitments],
    ["organisations", o.organisations],
    ["stakeholderGroups", o.stakeholderGroups],
    ["newThisYear", o.newThisYear],
    ["carriedIn", o.carriedIn],
    ["completed", o.completed],
    ["substantialOrBetter", o.substantialOrBetter],
    ["withdrawn", o.withdrawn],
  ];
  return (
    <article className="report stack-lg">
      <p className="lead">
        <Trans
          t={t}
          i18nKey="lead"
          values={{ year: report.year }}
          components={{ date: <DateTime value={report.closedAt} options={{ dateStyle: "long" }} /> }}
        />
      </p>
      {report.audience === "public" ? <p className="muted">{t("publicNote", { min: MIN_ORGANISATIONS_SHOWN })}</p> : null}

      <section aria-labelledby="report-overview" className="panel stack">
        <h2 id="report-overview">{t("overview.title")}</h2>
        <dl className="report-facts" data-testid="report-overview">
          {facts.map(([key, f]) => (
            <div key={key} className="report-fact" data-key={key}>
              <dt>{t(`overview.${key}` as "overview.commitments")}</dt>
              <dd>
                <Num figure={f} />
              </dd>
            </div>
          ))}
        </dl>
        <table className="report-table">
          <caption className="visually-hidden">{t("list.completion")}</caption>
          <thead>
            <tr>
              {completionLevels.map((level) => (
                <th key={level} scope="col">
                  {t(`completion.${level}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {completionLevels.map((level) => (
                <td key={level}>
                  <Num figure={o.byCompletion[level]} />
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </section>

      <section className="panel stack">
        <h2 id="report-pillars">{t("pillars.title")}</h2>
        <CompletionBars report={report} />
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="report-pillars">
          <table className="report-table" data-testid="report-pillars">
            <thead>
              <tr>
                <th scope="col">{t("pillars.pillar")}</th>
                <th scope="col">{t("pillars.commitments")}</th>
                {completionLevels.map((level) => (
                  <th key={level} scope="col">
                    {t(`completion.${level}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.pillars.map((p) => (
                <tr key={p.slug}>
                  <th scope="row">{p.name}</th>
                  <td>
                    <Num figure={p.commitments} />
                  </td>
                  {completionLevels.map((level) => (
                    <td key={level}>
                      <Num figure={p.byCompletion[level]} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="report-highlights" className="panel stack">
        <h2 id="report-highlights">{t("highlights.title")}</h2>
        {report.highlights.length === 0 ? (
          <p className="muted">{t("highlights.empty")}</p>
        ) : (
          <ul className="card-list">
            {report.highlights.map((h) => (
              <li key={h.commitmentId} className="card">
                <p className="card__eyebrow">{[h.reference, h.pillar].filter(Boolean).join(" · ")}</p>
                <h3 className="card__title">{h.title}</h3>
                <p>{h.highlightNote}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="report-carried" className="panel stack">
        <h2 id="report-carried">{t("carried.title")}</h2>
        {report.carried.length === 0 ? (
          <p className="muted">{t("carried.empty")}</p>
        ) : (
          <ul className="row-list">
            {report.carried.map((c) => (
              <li key={c.commitmentId} className="row-list__item">
                <div>
                  <span className="cell-title">{[c.reference, c.title].filter(Boolean).join(" ")}</span>
                  <span className="cell-sub">
                    {t("carried.since", { year: c.originYear })} · {t(`completion.${c.completion}`)}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="report-method" className="panel stack">
        <h2 id="report-method">{t("methodology.title")}</h2>
        <p>{t("methodology.body")}</p>
      </section>

      <section className="panel stack report-list">
        <h2 id="report-list">{t("list.title")}</h2>
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="report-list">
          <table className="report-table" data-testid="report-list">
            <thead>
              <tr>
                {showReferences ? <th scope="col">{t("list.reference")}</th> : null}
                <th scope="col">{t("list.commitment")}</th>
                <th scope="col">{t("list.pillar")}</th>
                <th scope="col">{t("list.lead")}</th>
                <th scope="col">{t("list.completion")}</th>
                <th scope="col">{t("list.percent")}</th>
                <th scope="col">{t("list.earlyResult")}</th>
              </tr>
            </thead>
            <tbody>
              {report.commitments.map((c) => (
                <tr key={c.commitmentId}>
                  {showReferences ? <td>{c.reference}</td> : null}
                  <td>{c.title}</td>
                  <td>{c.pillar}</td>
                  <td>{c.leadOrganisation}</td>
                  <td>{t(`completion.${c.completion}`)}</td>
                  <td>{formatPercent(c.percent, locale)}</td>
                  <td>{c.earlyResult}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </article>
  );
}
