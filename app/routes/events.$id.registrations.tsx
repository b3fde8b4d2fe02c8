import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { stakeholderGroups } from "../domain/vocabulary";
import { EmptyState, FormAlert } from "../components/form";
import { DateTime } from "../components/time";
import { eventOrNotFound } from "../models/events.server";
import { decideRegistrations, listEventRegistrations, registrationCountsByGroup } from "../models/registrations.server";
import { forbidden, requirePermission, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.registrations");

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "event.manage");
  const event = eventOrNotFound(context.services.db, params.id);
  const db = context.services.db;
  return {
    event: { id: event.id, title: event.title, requiresApproval: event.registrationRequiresApproval },
    registrations: listEventRegistrations(db, event.id),
    counts: registrationCountsByGroup(db, event.id),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const event = eventOrNotFound(context.services.db, params.id);
  const form = await readForm(request);
  const decision = form.get("intent") === "approve" ? "approved" : form.get("intent") === "decline" ? "declined" : null;
  const ids = form
    .getAll("registrationId")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  if (!decision) return data({ ok: false, count: 0 }, { status: 400 });
  const result = decideRegistrations(context.services.db, user, event.id, ids, decision, context.requestMeta);
  if (!result.ok) throw forbidden();
  return { ok: true, count: result.count };
}

export default function Registrations() {
  const { t } = useTranslation(["agenda", "common"]);
  const { event, registrations, counts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const show = params.get("status") ?? "";
  const shown = registrations.filter((r) => !show || r.status === show);
  const groups = [...stakeholderGroups.filter((g) => counts[g]), ...(counts[""] ? [""] : [])];
  const total = (status: "pending" | "approved" | "declined") => Object.values(counts).reduce((n, c) => n + c[status], 0);
  return (
    <div className="stack-lg">
      <header className="page-header">
        <p>
          <Link to={`/events/${event.id}/settings`}>← {event.title}</Link>
        </p>
        <h1>{t("registrations.title")}</h1>
        <p className="lead">{t("registrations.lead")}</p>
      </header>
      <FormAlert tone="success" message={result?.ok ? t("registrations.decided", { count: result.count }) : null} />
      <section className="panel">
        <h2 id="by-group">{t("registrations.byGroup")}</h2>
        {groups.length === 0 ? (
          <EmptyState title={t("registrations.empty")} />
        ) : (
          <div className="table-wrap" role="region" aria-labelledby="by-group" tabIndex={0}>
            <table className="table" data-testid="counts">
              <thead>
                <tr>
                  <th scope="col">{t("registrations.group")}</th>
                  <th scope="col">{t("registrations.pending")}</th>
                  <th scope="col">{t("registrations.approved")}</th>
                  <th scope="col">{t("registrations.declined")}</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((g) => (
                  <tr key={g}>
                    <th scope="row">
                      {g ? t(`common:stakeholderGroups.${g}` as "common:stakeholderGroups.ngo") : t("registrations.noGroup")}
                    </th>
                    <td data-label={t("registrations.pending")}>{counts[g]!.pending}</td>
                    <td data-label={t("registrations.approved")}>{counts[g]!.approved}</td>
                    <td data-label={t("registrations.declined")}>{counts[g]!.declined}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t("registrations.total")}</th>
                  <td data-label={t("registrations.pending")}>{total("pending")}</td>
                  <td data-label={t("registrations.approved")}>{total("approved")}</td>
                  <td data-label={t("registrations.declined")}>{total("declined")}</td>
                </tr>
              </tbody>
            </table>
          </div>
        )}
      </section>
      {registrations.length ? (
        <Form method="post" className="panel stack">
          <div className="inline-form">
            <span>{t("registrations.filter")}</span>
            {["", "pending", "approved", "declined"].map((s) => (
              <Link
                key={s}
                to={s ? `?status=${s}` : "?"}
                aria-current={show === s ? "page" : undefined}
                className="button button--small button--quiet"
              >
                {s ? t(`registrations.${s}` as "registrations.pending") : t("registrations.all")}
              </Link>
            ))}
          </div>
          <ul className="row-list">
            {shown.map((r) => (
              <li key={r.id} className="row-list__item" data-testid="registration">
                <label className="check">
                  <input type="checkbox" name="registrationId" value={r.id} aria-label={t("registrations.select", { name: r.name })} />
                  <span>
                    <span className="cell-title">{r.name}</span>
                    <span className="cell-sub">
                      {r.organisation ?? "—"}
                      {r.stakeholderGroup ? ` · ${t(`common:stakeholderGroups.${r.stakeholderGroup}`)}` : ""} ·{" "}
                      <DateTime value={r.createdAt} />
                    </span>
                  </span>
                </label>
                <span className={`badge badge--${r.status === "approved" ? "active" : r.status === "pending" ? "pending" : "revoked"}`}>
                  {t(`registrations.${r.status}`)}
                </span>
              </li>
            ))}
          </ul>
          <div className="inline-form">
            <button type="submit" name="intent" value="approve" className="button">
              {t("registrations.approve")}
            </button>
            <button type="submit" name="intent" value="decline" className="button button--danger">
              {t("registrations.decline")}
            </button>
          </div>
        </Form>
      ) : null}
    </div>
  );
}
