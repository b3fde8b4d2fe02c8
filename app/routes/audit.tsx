import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { listAudit, listAuditActions } from "../models/audit.server";
import { listPeople } from "../models/people.server";
import { requirePermission } from "../utils/auth.server";
import { DateTime } from "../components/time";
import { AuditFilterSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.audit");

const DAY_MS = 86_400_000;

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "audit.view");
  const url = new URL(request.url);
  const filter = AuditFilterSchema.parse(Object.fromEntries(url.searchParams));
  const db = context.services.db;
  const page = listAudit(db, {
    actorId: filter.actor,
    action: filter.action,
    targetType: filter.targetType,
    from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
    to: filter.to ? new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + DAY_MS) : undefined,
    before: filter.before,
  });
  return {
    ...page,
    actions: listAuditActions(db),
    people: listPeople(db).map((p) => ({ id: p.id, name: p.name })),
  };
}

export default function Audit() {
  const { t } = useTranslation();
  const { entries, nextBefore, actions, people } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const loading = useNavigation().state === "loading";
  const nextParams = new URLSearchParams(params);
  if (nextBefore) nextParams.set("before", String(nextBefore));
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("audit.title")}</h1>
        <p className="lead">{t("audit.lead")}</p>
      </header>
      <Form method="get" className="filters panel" aria-label={t("audit.filters")}>
        <div className="field">
          <label htmlFor="f-actor">{t("audit.actor")}</label>
          <select id="f-actor" name="actor" defaultValue={params.get("actor") ?? ""}>
            <option value="">{t("audit.anyone")}</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-action">{t("audit.action")}</label>
          <select id="f-action" name="action" defaultValue={params.get("action") ?? ""}>
            <option value="">{t("audit.anyAction")}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {t(`auditActions.${a}` as "auditActions.auth.sign_in", { defaultValue: a })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-from">{t("audit.from")}</label>
          <input id="f-from" type="date" name="from" defaultValue={params.get("from") ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-to">{t("audit.to")}</label>
          <input id="f-to" type="date" name="to" defaultValue={params.get("to") ?? ""} />
        </div>
        <div className="filters__actions">
          <button type="submit" className="button">
            {loading ? t("common.loading") : t("audit.apply")}
          </button>
          <Link to="/audit" className="button button--quiet">
            {t("audit.clear")}
          </Link>
        </div>
      </Form>
      {entries.length === 0 ? (
        <EmptyState title={t("audit.empty")} />
      ) : (
        <div className="table-wrap" role="region" aria-labelledby="audit-caption" tabIndex={0}>
          <table className="table" aria-busy={loading}>
            <caption id="audit-caption" className="visually-hidden">
              {t("audit.title")}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.target")}</th>
                <th scope="col">{t("audit.from_where")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row">
                  <td data-label={t("audit.when")}>
                    <DateTime value={e.at} options={{ timeStyle: "medium" }} />
                  </td>
                  <td data-label={t("audit.actor")}>{e.actorName ?? t("audit.system")}</td>
                  <td data-label={t("audit.action")}>
                    <span className="cell-title">
                      {t(`auditActions.${e.action}` as "auditActions.auth.sign_in", { defaultValue: e.action })}
                    </span>
                    {e.detail ? <code className="cell-sub detail">{JSON.stringify(e.detail)}</code> : null}
                  </td>
                  <td data-label={t("audit.target")}>{e.targetType ? `${e.targetType} #${e.targetId}` : "—"}</td>
                  <td data-label={t("audit.from_where")}>
                    {e.ipAddress ?? "—"}
                    {e.userAgent ? <span className="cell-sub ua">{e.userAgent}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextBefore ? (
        <p>
          <Link to={`/audit?${nextParams.toString()}`} className="button button--quiet">
            {t("audit.older")}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
