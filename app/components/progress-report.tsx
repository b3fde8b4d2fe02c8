import { Trans, useTranslation } from "react-i18next";
import { completionLevels, type CompletionLevel } from "../domain/vocabulary";
import type { Figure, ReportData } from "../models/report.server";
import { formatDateTime, formatNumber, formatPercent, type FormatPrefs } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";

/** Fills with at least 3:1 contrast against white, from the design tokens where there is one. */
const levelColour: Record<CompletionLevel, string> = {
  not_started: "#8a94a3",
  limited: "#b7791f",
  substantial: "#1f5f8b",
  complete: "#1d6b3a",
  withdrawn: "#a12a2a",
};

/**
 * A figure, or the word "withheld" where disclosure control keeps it back (decision 022): never a
 * zero or a dash that could be read as "none".
 */
function Num({ figure, locale }: { figure: Figure; locale: string }) {
  const { t } = useTranslation("report");
  if (figure.value === null) {
    return (
      <span className="withheld" data-withheld="">
        {t("withheld.figure")}
      </span>
    );
  }
  return <>{formatNumber(figure.value, locale)}</>;
}

/** The short note beside a group of figures when some of them are withheld. */
function WithheldHere({ figures, min }: { figures: Figure[]; min: number }) {
  const { t } = useTranslation("report");
  if (!figures.some((f) => f.value === null)) return null;
  return <p className="withheld-note">{t("withheld.here", { min })}</p>;
}

/**
 * Completion by pillar: one row per pillar, its name as text and its bar as a small SVG stretched to
 * the row, so the chart takes the full width on any screen, its labels stay readable, and the legend
 * is an ordinary list that wraps instead of overlapping. The figures are in the table below it.
 */
function CompletionBars({ report, locale }: { report: ReportData; locale: string }) {
  const { t } = useTranslation("report");
  // A pillar with a withheld total still shows its shown parts; one with nothing at all is left out.
  const rows = report.pillars
    .map((p) => {
      const shown = completionLevels.map((level) => ({ level, n: p.byCompletion[level].value ?? 0 }));
      const known = shown.reduce((sum, s) => sum + s.n, 0);
      return { p, shown, length: p.commitments.value ?? known, partial: completionLevels.some((l) => p.byCompletion[l].value === null) };
    })
    .filter((r) => r.length > 0 || r.p.commitments.value === null);
  if (!rows.length) return null;
  const max = Math.max(1, ...rows.map((r) => r.length));
  const summary = rows
    .map(({ p, partial }) =>
      [
        `${p.name}: `,
        completionLevels
          .filter((l) => p.byCompletion[l].value)
          .map((l) => `${t(`completion.${l}`)} ${formatNumber(p.byCompletion[l].value!, locale)}`)
          .join(", ") || t("chart.none"),
        partial ? ` (${t("chart.someWithheld")})` : "",
      ].join(""),
    )
    .join("; ");
  return (
    <div className="report-chart" role="figure" aria-labelledby="chart-completion-title" data-testid="report-chart">
      <p id="chart-completion-title" className="cell-title">
        {t("chart.completionByPillar")}
      </p>
      <ul className="report-chart__legend" data-testid="report-chart-legend">
        {completionLevels.map((level) => (
          <li key={level} className="report-chart__key">
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
              <rect width="12" height="12" rx="2" fill={levelColour[level]} />
            </svg>
            {t(`completion.${level}`)}
          </li>
        ))}
      </ul>
      <div className="report-chart__rows" role="img" aria-label={`${t("chart.completionByPillar")}. ${summary}`}>
        {rows.map(({ p, shown, partial }) => {
          let x = 0;
          return (
            <div key={p.slug} className="report-chart__row">
              <span className="report-chart__label">
                {p.name}
                {partial ? <span className="withheld"> ({t("chart.someWithheld")})</span> : null}
              </span>
              <svg className="report-chart__bar" viewBox="0 0 1000 20" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect width="1000" height="20" fill="#f1f3f6" />
                {shown.map(({ level, n }) => {
                  const w = (1000 * n) / max;
                  const rect = n > 0 ? <rect key={level} x={x} width={w} height="20" fill={levelColour[level]} /> : null;
                  x += w;
                  return rect;
                })}
              </svg>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** What the public version withholds and why, with how many figures on the page are withheld. */
function WithheldSummary({ report }: { report: ReportData }) {
  const { t } = useTranslation("report");
  const n = report.withheld.figures.length;
  return (
    <p className="withheld-summary" data-testid="report-withheld">
      {t("withheld.rule", { min: report.withheld.minOrganisations })} {n === 0 ? t("withheld.none") : t("withheld.count", { count: n })}
    </p>
  );
}

/** The carried-over section: never "nothing carried over" when the figure says otherwise or is withheld. */
function Carried({ report, locale }: { report: ReportData; locale: string }) {
  const { t } = useTranslation("report");
  const listed = report.carried.length;
  const total = report.overview.carriedIn.value;
  let note: string | null = null;
  if (total === 0) note = t("carried.empty");
  else if (total === null) note = listed ? t("carried.moreWithheld") : t("carried.noneListedWithheld");
  else if (total > listed)
    note = listed
      ? t("carried.more", { count: total - listed, n: formatNumber(total - listed, locale) })
      : t("carried.noneListed", { count: total, n: formatNumber(total, locale) });
  return (
    <>
      {listed ? (
        <ul className="row-list">
          {report.carried.map((c) => (
            <li key={c.commitmentId} className="row-list__item">
              <div>
                <span className="cell-title">
                  {c.reference ? <span className="report-ref">{c.reference}</span> : null} {c.title}
                </span>
                <span className="cell-sub">
                  {t("carried.since", { year: c.originYear })} · {t(`completion.${c.completion}`)}
                </span>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {note ? (
        <p className="muted" data-testid="report-carried-note">
          {note}
        </p>
      ) : null}
    </>
  );
}

/** When the cycle closed, in the given format (Trans gives it no children of its own to show). */
function ClosedOn({ value, prefs }: { value: Date; prefs: FormatPrefs }) {
  return (
    <time dateTime={value.toISOString()} data-testid="report-closed-on" suppressHydrationWarning>
      {formatDateTime(value, prefs, { dateStyle: "long" })}
    </time>
  );
}

/**
 * The annual progress report, full or public, as a page that also prints well. `format` overrides the
 * reader's own locale and time zone (a print is in the coalition's).
 */
export function ProgressReport({
  report,
  format,
  listApart = false,
}: {
  report: ReportData;
  format?: FormatPrefs | null;
  /** For a print whose list of commitments is written apart and joined after these pages (decision 048). */
  listApart?: boolean;
}) {
  const { t } = useTranslation("report");
  const reader = useFormatPrefs();
  const prefs = format ?? reader;
  const { locale } = prefs;
  const o = report.overview;
  const isPublic = report.audience === "public";
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
  const closed = new Date(report.closedAt);
  return (
    <article className="report stack-lg">
      <p className="lead">
        <Trans
          t={t}
          i18nKey="lead"
          values={{ year: report.year }}
          components={{
            date: <ClosedOn value={closed} prefs={prefs} />,
          }}
        />
      </p>
      {isPublic ? (
        <>
          <p className="muted">{t("publicNote")}</p>
          <WithheldSummary report={report} />
        </>
      ) : null}

      <section aria-labelledby="report-overview" className="panel stack">
        <h2 id="report-overview">{t("overview.title")}</h2>
        <dl className="report-facts" data-testid="report-overview">
          {facts.map(([key, f]) => (
            <div key={key} className="report-fact" data-key={key}>
              <dt>{t(`overview.${key}` as "overview.commitments")}</dt>
              <dd>
                <Num figure={f} locale={locale} />
              </dd>
            </div>
          ))}
        </dl>
        <h3 id="report-overview-completion" className="report-subtitle">
          {t("list.completion")}
        </h3>
        <dl className="report-facts report-facts--small" aria-labelledby="report-overview-completion" data-testid="report-completion">
          {completionLevels.map((level) => (
            <div key={level} className="report-fact" data-key={level}>
              <dt>{t(`completion.${level}`)}</dt>
              <dd>
                <Num figure={o.byCompletion[level]} locale={locale} />
              </dd>
            </div>
          ))}
        </dl>
        <WithheldHere
          min={report.withheld.minOrganisations}
          figures={[...facts.map(([, f]) => f), ...completionLevels.map((l) => o.byCompletion[l])]}
        />
      </section>

      <section className="panel stack">
        <h2 id="report-pillars">{t("pillars.title")}</h2>
        <CompletionBars report={report} locale={locale} />
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="report-pillars-table">
          <table className="report-table" data-testid="report-pillars">
            <caption id="report-pillars-table" className="visually-hidden">
              {t("pillars.tableCaption")}
            </caption>
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
                    <Num figure={p.commitments} locale={locale} />
                  </td>
                  {completionLevels.map((level) => (
                    <td key={level}>
                      <Num figure={p.byCompletion[level]} locale={locale} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <WithheldHere
          min={report.withheld.minOrganisations}
          figures={report.pillars.flatMap((p) => [p.commitments, ...completionLevels.map((l) => p.byCompletion[l])])}
        />
      </section>

      <section aria-labelledby="report-highlights" className="panel stack">
        <h2 id="report-highlights">{t("highlights.title")}</h2>
        {report.highlights.length === 0 ? (
          <p className="muted">{t(isPublic ? "highlights.emptyPublic" : "highlights.empty")}</p>
        ) : (
          <ul className="card-list">
            {report.highlights.map((h) => (
              <li key={h.commitmentId} className="card">
                <p className="card__eyebrow">
                  {h.reference ? (
                    <>
                      <span className="report-ref">{h.reference}</span> ·{" "}
                    </>
                  ) : null}
                  {h.pillar}
                </p>
                <h3 className="card__title">{h.title}</h3>
                <p>{h.highlightNote}</p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="report-carried" className="panel stack">
        <h2 id="report-carried">{t("carried.title")}</h2>
        <Carried report={report} locale={locale} />
      </section>

      <section aria-labelledby="report-method" className="panel stack">
        <h2 id="report-method">{t("methodology.title")}</h2>
        <p>{t("methodology.body")}</p>
      </section>

      {listApart ? null : (
        <section className="panel stack report-list">
          <h2 id="report-list">{t("list.title")}</h2>
          {report.commitments.length === 0 ? (
            <p className="muted" data-testid="report-list-empty">
              {t(isPublic ? "list.emptyPublic" : "list.empty")}
            </p>
          ) : (
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
                      {showReferences ? (
                        <td>
                          <span className="report-ref">{c.reference}</span>
                        </td>
                      ) : null}
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
          )}
        </section>
      )}
    </article>
  );
}
