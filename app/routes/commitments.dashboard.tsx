import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { chartColors, GroupedColumnChart, StackedBarChart, type ChartSeries } from "../components/charts";
import { EmptyState } from "../components/form";
import { todayIso } from "../models/commitments.server";
import { loadDashboard } from "../models/dashboard.server";
import { requirePermission } from "../utils/auth.server";
import { CalendarDate } from "../components/time";
import { formatNumber } from "../utils/format";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("cycles:titles.dashboard");

export function loader({ request, context }: LoaderFunctionArgs) {
  // The dashboard shows every commitment, whatever its visibility: the secretariat's alone.
  requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const raw = new URL(request.url).searchParams.get("year");
  const requested = raw && /^\d{4}$/.test(raw) ? Number(raw) : null;
  const today = todayIso();
  return { today, ...loadDashboard(db, { year: requested, today }) };
}

export default function Dashboard() {
  const { t } = useTranslation(["cycles", "common"]);
  const { years, year, statusByPillar, flow, overdue, today } = useLoaderData<typeof loader>();
  const { locale } = useFormatPrefs();
  const n = (v: number) => formatNumber(v, locale);
  const pillarName = (slug: string) => t(`common:pillars.${slug}` as "common:pillars.tech-innovation");

  const statusSeries: ChartSeries[] = [
    { key: "open", label: t("status.open"), color: chartColors.blue },
    { key: "completed", label: t("status.completed"), color: chartColors.green },
    { key: "withdrawn", label: t("status.withdrawn"), color: chartColors.red },
    { key: "carried", label: t("status.carried"), color: chartColors.amber },
  ];
  const flowSeries: ChartSeries[] = [
    { key: "made", label: t("dashboard.series.made"), color: chartColors.blue },
    { key: "carriedIn", label: t("dashboard.series.carriedIn"), color: chartColors.amber },
    { key: "completed", label: t("dashboard.series.completed"), color: chartColors.green },
    { key: "withdrawn", label: t("dashboard.series.withdrawn"), color: chartColors.red },
  ];
  const statusTotal = statusByPillar.reduce((sum, r) => sum + r.total, 0);

  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <p className="no-print">
            <Link to="/cycles">← {t("dashboard.back")}</Link>
          </p>
          <h1>{t("dashboard.title")}</h1>
          <p className="lead">
            <Trans t={t} i18nKey="dashboard.lead" components={{ date: <CalendarDate iso={today} /> }} />
          </p>
        </div>
        {years.length > 0 ? (
          <Form method="get" className="inline-form no-print" aria-label={t("dashboard.chooseYear")}>
            <div className="field">
              <label htmlFor="dashboard-year">{t("dashboard.year")}</label>
              <select id="dashboard-year" name="year" defaultValue={year ?? undefined} key={year ?? "none"}>
                {years.map((y) => (
                  <option key={y} value={y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button button--quiet">
              {t("dashboard.show")}
            </button>
          </Form>
        ) : null}
      </header>

      {year === null ? (
        <EmptyState title={t("dashboard.noCycles")} />
      ) : (
        <section aria-labelledby="status-title" className="panel stack">
          <h2 id="status-title">{t("dashboard.status.heading", { year })}</h2>
          <StackedBarChart
            id="status-by-pillar"
            title={t("dashboard.status.title", { year })}
            summary={t("dashboard.status.summary", { year, total: n(statusTotal) })}
            series={statusSeries}
            categoryHeading={t("dashboard.pillar")}
            totalLabel={t("dashboard.total")}
            categories={statusByPillar.map((r) => ({
              key: r.slug,
              label: pillarName(r.slug),
              values: { open: r.open, completed: r.completed, withdrawn: r.withdrawn, carried: r.carried },
            }))}
          />
        </section>
      )}

      {flow.length > 0 ? (
        <section aria-labelledby="flow-title" className="panel stack">
          <h2 id="flow-title">{t("dashboard.flow.heading")}</h2>
          <p className="muted">{t("dashboard.flow.lead")}</p>
          <GroupedColumnChart
            id="flow-by-year"
            title={t("dashboard.flow.title")}
            summary={t("dashboard.flow.summary", { first: flow[0]!.year, last: flow[flow.length - 1]!.year })}
            series={flowSeries}
            categoryHeading={t("dashboard.year")}
            categories={flow.map((r) => ({
              key: String(r.year),
              label: String(r.year),
              values: { made: r.made, carriedIn: r.carriedIn, completed: r.completed, withdrawn: r.withdrawn },
            }))}
          />
        </section>
      ) : null}

      <section aria-labelledby="overdue-title" className="panel stack">
        <h2 id="overdue-title">{t("dashboard.overdue.heading")}</h2>
        <p className="muted">{t("dashboard.overdue.lead", { count: overdue.total, formatted: n(overdue.total) })}</p>
        <StackedBarChart
          id="overdue-by-pillar"
          title={t("dashboard.overdue.title")}
          summary={t("dashboard.overdue.summary", { count: overdue.total, formatted: n(overdue.total) })}
          series={[{ key: "overdue", label: t("dashboard.overdue.series"), color: chartColors.red }]}
          categoryHeading={t("dashboard.pillar")}
          categories={overdue.byPillar.map((r) => ({ key: r.slug, label: pillarName(r.slug), values: { overdue: r.count } }))}
        />
        <h3 id="overdue-list-title">{t("dashboard.overdue.listTitle")}</h3>
        {overdue.items.length === 0 ? (
          <EmptyState title={t("dashboard.overdue.none")} />
        ) : (
          <>
            {overdue.total > overdue.items.length ? (
              <p className="muted">{t("dashboard.overdue.limited", { shown: n(overdue.items.length), total: n(overdue.total) })}</p>
            ) : null}
            <div className="table-wrap">
              <table className="table" aria-labelledby="overdue-list-title" data-testid="overdue-list">
                <thead>
                  <tr>
                    <th scope="col">{t("dashboard.overdue.milestone")}</th>
                    <th scope="col">{t("dashboard.overdue.due")}</th>
                    <th scope="col">{t("dashboard.overdue.commitment")}</th>
                    <th scope="col">{t("dashboard.pillar")}</th>
                    <th scope="col">{t("dashboard.overdue.cycle")}</th>
                  </tr>
                </thead>
                <tbody>
                  {overdue.items.map((m) => (
                    <tr key={m.milestoneId} data-testid="overdue-item">
                      <th scope="row">{m.milestone}</th>
                      <td data-label={t("dashboard.overdue.due")}>
                        <CalendarDate iso={m.dueOn} />
                      </td>
                      <td data-label={t("dashboard.overdue.commitment")}>
                        <Link to={`/commitments/${m.commitmentId}`}>{m.reference}</Link>
                        <span className="cell-sub">{m.title}</span>
                      </td>
                      <td data-label={t("dashboard.pillar")}>{pillarName(m.pillarSlug)}</td>
                      <td data-label={t("dashboard.overdue.cycle")}>{m.year}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
