import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { listClosedCycles } from "../models/report.server";
import { pageTitle } from "../utils/meta";
import { can } from "../utils/policy";

export const meta: MetaFunction = pageTitle("report:indexTitle");

/** The reports of closed cycles: public versions for anyone, full ones for the secretariat. */
export function loader({ context }: LoaderFunctionArgs) {
  const user = context.auth?.user ?? null;
  return { cycles: listClosedCycles(context.services.db), full: can(user, "cycles.manage") };
}

export default function Reports() {
  const { t } = useTranslation(["report", "common"]);
  const { cycles, full } = useLoaderData<typeof loader>();
  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <h1>{t("indexTitle")}</h1>
          <p className="lead">{t("indexLead")}</p>
        </div>
        {full ? (
          <div className="header-actions">
            <Link to="/cycles" className="button button--quiet">
              {t("common:nav.cycles")}
            </Link>
          </div>
        ) : null}
      </header>
      <section className="panel" aria-labelledby="reports-list">
        <h2 id="reports-list" className="visually-hidden">
          {t("indexTitle")}
        </h2>
        {cycles.length === 0 ? (
          <EmptyState title={t("indexEmpty")} />
        ) : (
          <ul className="row-list">
            {cycles.map((c) => (
              <li key={c.year} className="row-list__item">
                <span className="cell-title">{t("title", { year: c.year })}</span>
                <span className="inline-form">
                  <Link to={`/reports/${c.year}/public`}>{t("public")}</Link>
                  {full ? <Link to={`/reports/${c.year}`}>{t("full")}</Link> : null}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
