import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { RegistryFilters } from "../components/commitment-registry-filters";
import { EmptyState } from "../components/form";
import { draftsToConfirm, listRegistry, registryFilterFrom, registryOptions } from "../models/registry.server";
import { requirePermission } from "../utils/auth.server";
import { IMPORT_PERMISSION, registryFilterOf } from "../utils/commitment-validation";
import { formatNumber } from "../utils/format";
import { pageTitle } from "../utils/meta";
import { can } from "../utils/policy";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("registry:title");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requirePermission(context, request, "commitments.view");
  const db = context.services.db;
  const params = registryFilterOf(new URL(request.url).searchParams);
  const filter = registryFilterFrom(db, user, params);
  const result = listRegistry(db, user, filter, params.page ?? 1);
  const options = registryOptions(db);
  return {
    ...result,
    rows: result.rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      title: r.title,
      year: r.year,
      pillarSlug: r.pillarSlug,
      status: r.status,
      visibility: r.visibility,
      leadOrganisation: r.leadOrganisation,
      leadStakeholderGroup: r.leadStakeholderGroup,
      completion: r.completion,
      percent: r.percent,
      carried: r.carried,
      rescope: r.cycles >= 3,
      overdue: r.overdue,
    })),
    year: filter.year === null ? "all" : String(filter.year),
    mine: !!params.mine,
    hasOrganisation: user.organisationId !== null,
    canVerify: can(user, "progress.verify"),
    canRecord: can(user, "commitment.create", { leadOrganisationId: user.organisationId }),
    canImport: can(user, IMPORT_PERMISSION),
    draftsToConfirm: draftsToConfirm(db, user),
    options,
  };
}

const FILTER_KEYS = [
  "q",
  "year",
  "pillar",
  "principle",
  "organisation",
  "group",
  "status",
  "origin",
  "progress",
  "overdue",
  "mine",
] as const;

export default function Registry() {
  const { t } = useTranslation(["registry", "common"]);
  const data = useLoaderData<typeof loader>();
  const { rows, total, page, pageCount, offset, year, mine, options } = data;
  const [params] = useSearchParams();
  const loading = useNavigation().state === "loading";
  const { locale } = useFormatPrefs();

  // The filters as they stand, without the page: for the CSV link, the quick filter and paging.
  const current = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = params.get(key);
    if (v) current.set(key, v);
  }
  const withParams = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(current);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    return s ? `?${s}` : "";
  };
  const filtered = FILTER_KEYS.some((k) => k !== "year" && params.get(k));

  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <h1>{t("registry:title")}</h1>
          <p className="lead">{t("registry:lead")}</p>
        </div>
        <div className="header-actions">
          {data.canRecord ? (
            <Link to="/commitments/new" className="button">
              {t("registry:record")}
            </Link>
          ) : null}
          {data.canImport ? (
            <Link to="/commitments/import" className="button button--quiet">
              {t("registry:importLink")}
            </Link>
          ) : null}
          {data.draftsToConfirm > 0 ? (
            <Link to="/commitments?year=all&status=draft" className="button button--quiet">
              {t("registry:filters.draftsToConfirm", { count: data.draftsToConfirm })}
            </Link>
          ) : null}
          <a href={`/commitments.csv${withParams({})}`} className="button button--quiet" download>
            {t("registry:exportCsv")}
          </a>
        </div>
      </header>

      {data.hasOrganisation ? (
        <nav aria-label={t("registry:quickFilters")} className="day-tabs">
          <ul>
            <li>
              <Link to={withParams({ mine: null, page: null })} aria-current={!mine ? "page" : undefined}>
                {t("registry:allCommitments")}
              </Link>
            </li>
            <li>
              <Link to={withParams({ mine: "1", page: null })} aria-current={mine ? "page" : undefined}>
                {t("registry:mine")}
              </Link>
            </li>
          </ul>
        </nav>
      ) : null}

      <RegistryFilters year={year} mine={mine} hasOrganisation={data.hasOrganisation} canVerify={data.canVerify} options={options} />

      <section aria-labelledby="registry-results" className="stack">
        <h2 id="registry-results" aria-live="polite">
          {total === 0
            ? t("registry:results.none")
            : t("registry:results.range", {
                count: total,
                from: formatNumber(offset + 1, locale),
                to: formatNumber(offset + rows.length, locale),
                total: formatNumber(total, locale),
              })}
        </h2>
        {rows.length === 0 ? (
          filtered || year !== "all" ? (
            <EmptyState title={t("registry:empty.filtered")}>
              <p>
                {year !== "all" ? (
                  <Link to={withParams({ year: "all", page: null })}>{t("registry:empty.allYears")}</Link>
                ) : (
                  <Link to="/commitments">{t("registry:filters.clear")}</Link>
                )}
              </p>
            </EmptyState>
          ) : (
            <EmptyState title={t("registry:empty.none")}>
              {data.canRecord ? <Link to="/commitments/new">{t("registry:record")}</Link> : null}
            </EmptyState>
          )
        ) : (
          <div className="table-wrap" role="region" aria-labelledby="registry-caption" tabIndex={0}>
            <table className="table" aria-busy={loading}>
              <caption id="registry-caption" className="visually-hidden">
                {t("registry:title")}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("registry:columns.commitment")}</th>
                  <th scope="col">{t("registry:columns.lead")}</th>
                  <th scope="col">{t("registry:columns.year")}</th>
                  <th scope="col">{t("registry:columns.status")}</th>
                  <th scope="col">{t("registry:columns.progress")}</th>
                  <th scope="col">{t("registry:columns.flags")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-testid="registry-row" data-reference={r.reference}>
                    <th scope="row" data-label={t("registry:columns.commitment")}>
                      <Link to={`/commitments/${r.id}`} className="cell-title">
                        {r.title}
                      </Link>
                      <span className="cell-sub">
                        {r.reference} ·{" "}
                        {t(`common:pillars.${r.pillarSlug}` as "common:pillars.tech-innovation", { defaultValue: r.pillarSlug })}
                        {r.visibility !== "members" ? ` · ${t(`registry:visibility.${r.visibility}`)}` : ""}
                      </span>
                    </th>
                    <td data-label={t("registry:columns.lead")}>
                      {r.leadOrganisation ?? "—"}
                      {r.leadStakeholderGroup ? (
                        <span className="cell-sub">{t(`common:stakeholderGroups.${r.leadStakeholderGroup}`)}</span>
                      ) : null}
                    </td>
                    <td data-label={t("registry:columns.year")}>{r.year}</td>
                    <td data-label={t("registry:columns.status")}>
                      <span className={statusTone(r.status)}>{t(`registry:status.${r.status}`)}</span>
                    </td>
                    <td data-label={t("registry:columns.progress")}>
                      {r.completion ? (
                        <>
                          {t(`registry:completion.${r.completion}`)}
                          <span className="cell-sub">{t("registry:percent", { value: formatNumber(r.percent ?? 0, locale) })}</span>
                        </>
                      ) : (
                        <span className="muted">{t("registry:noProgress")}</span>
                      )}
                    </td>
                    <td data-label={t("registry:columns.flags")}>
                      <span className="badge">{r.carried ? t("registry:origin.carried") : t("registry:origin.new")}</span>
                      {r.overdue ? <span className="badge badge--expired">{t("registry:flags.overdue")}</span> : null}
                      {r.rescope ? <span className="badge badge--draft">{t("registry:flags.rescope")}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pageCount > 1 ? (
          <nav aria-label={t("registry:pagination.label")} className="filters__actions">
            {page > 1 ? (
              <Link to={withParams({ page: String(page - 1) })} className="button button--quiet" rel="prev">
                {t("registry:pagination.previous")}
              </Link>
            ) : null}
            <span className="muted">
              {t("registry:pagination.page", { page: formatNumber(page, locale), pages: formatNumber(pageCount, locale) })}
            </span>
            {page < pageCount ? (
              <Link to={withParams({ page: String(page + 1) })} className="button button--quiet" rel="next">
                {t("registry:pagination.next")}
              </Link>
            ) : null}
          </nav>
        ) : null}
      </section>
    </div>
  );
}

function statusTone(status: string): string {
  switch (status) {
    case "completed":
      return "badge badge--published";
    case "withdrawn":
      return "badge badge--revoked";
    case "carried":
      return "badge badge--pending";
    default:
      return "badge badge--review";
  }
}
