import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState, FormAlert, SubmitButton, TextField } from "../components/form";
import { currentCycle, openCycle } from "../models/commitments.server";
import { refusedForm } from "../models/commitment-refusals.server";
import { listCyclesWithCounts } from "../models/cycles.server";
import { requirePermission } from "../utils/auth.server";
import { MAX_YEAR, MIN_YEAR, OpenCycleSchema } from "../utils/cycle-validation";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { formatCalendarDate, formatNumber } from "../utils/format";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("cycles:titles.cycles");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const cycles = listCyclesWithCounts(db);
  const current = currentCycle(db);
  const nextYear = (cycles[0]?.year ?? new Date().getUTCFullYear() - 1) + 1;
  return { cycles, currentYear: current?.year ?? null, suggested: { year: String(nextYear), reportOn: `${nextYear}-12-01` } };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "cycles.manage");
  const form = await readForm(request);
  if (form.get("intent") !== "open") return invalid({ form: "errors.invalidValue" }, form);
  const parsed = parseForm(form, OpenCycleSchema);
  if (!parsed.ok) return invalid(parsed.errors, form);
  const result = openCycle(context.services.db, user, parsed.data, context.requestMeta);
  if (!result.ok) return refusedForm(result, form);
  return redirect(`/cycles/${parsed.data.year}?opened=1`);
}

export default function Cycles() {
  const { t } = useTranslation(["cycles", "common"]);
  const { cycles, currentYear, suggested } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { locale } = useFormatPrefs();
  const errors = result?.errors ?? {};
  const values = result?.values ?? suggested;
  const n = (v: number) => formatNumber(v, locale);

  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <h1>{t("list.title")}</h1>
          <p className="lead">{t("list.lead")}</p>
        </div>
        <div className="header-actions">
          <Link to="/commitments/dashboard" className="button button--quiet">
            {t("list.dashboard")}
          </Link>
          <Link to="/reports" className="button button--quiet">
            {t("common:nav.reports")}
          </Link>
          {currentYear !== null ? (
            <Link to={`/cycles/${currentYear}/carry-over`} className="button button--quiet">
              {t("list.carryOver", { year: currentYear })}
            </Link>
          ) : null}
        </div>
      </header>

      <section aria-labelledby="cycles-title" className="stack">
        <h2 id="cycles-title">{t("list.tableTitle")}</h2>
        {cycles.length === 0 ? (
          <EmptyState title={t("list.empty")} />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="cycles-table">
              <thead>
                <tr>
                  <th scope="col">{t("list.year")}</th>
                  <th scope="col">{t("list.status")}</th>
                  <th scope="col">{t("list.reportOn")}</th>
                  <th scope="col">{t("list.total")}</th>
                  <th scope="col">{t("status.open")}</th>
                  <th scope="col">{t("status.completed")}</th>
                  <th scope="col">{t("status.withdrawn")}</th>
                  <th scope="col">{t("status.carried")}</th>
                </tr>
              </thead>
              <tbody>
                {cycles.map((c) => (
                  <tr key={c.id} data-testid={`cycle-${c.year}`}>
                    <th scope="row">
                      <Link to={`/cycles/${c.year}`} className="cell-title">
                        {t("list.cycleLink", { year: c.year })}
                      </Link>
                      {c.year === currentYear ? (
                        <>
                          {" "}
                          <span className="badge badge--active">{t("list.current")}</span>
                        </>
                      ) : null}
                    </th>
                    <td data-label={t("list.status")}>
                      <span className={`badge ${c.status === "open" ? "badge--pending" : "badge--published"}`}>
                        {t(`cycleStatus.${c.status}`)}
                      </span>
                    </td>
                    <td data-label={t("list.reportOn")}>
                      <time dateTime={c.reportOn} suppressHydrationWarning>
                        {formatCalendarDate(c.reportOn, locale)}
                      </time>
                    </td>
                    <td data-label={t("list.total")}>{n(c.total)}</td>
                    <td data-label={t("status.open")}>{n(c.open)}</td>
                    <td data-label={t("status.completed")}>{n(c.completed)}</td>
                    <td data-label={t("status.withdrawn")}>{n(c.withdrawn)}</td>
                    <td data-label={t("status.carried")}>{n(c.carried)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="open-title" className="panel stack">
        <h2 id="open-title">{t("open.title")}</h2>
        <p className="muted">{t("open.lead")}</p>
        <FormAlert message={errors.form ? t(errors.form as "errors.yearInvalid") : null} />
        <Form method="post" noValidate className="stack" aria-labelledby="open-title">
          <div className="form-row">
            <TextField
              name="year"
              label={t("fields.year")}
              inputMode="numeric"
              required
              maxLength={4}
              hint={t("fields.yearHint", { min: MIN_YEAR, max: MAX_YEAR })}
              defaultValue={values.year}
              error={errors.year}
            />
            <TextField
              name="reportOn"
              type="date"
              label={t("fields.reportOn")}
              hint={t("fields.reportOnHint")}
              required
              defaultValue={values.reportOn}
              error={errors.reportOn}
            />
          </div>
          <SubmitButton intent="open" pendingLabel={t("open.pending")}>
            {t("open.submit")}
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}
