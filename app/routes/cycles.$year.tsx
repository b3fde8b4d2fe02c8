import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useOutlet, useSearchParams } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { commitmentStatuses, type CommitmentStatus } from "../domain/vocabulary";
import { EmptyState, FormAlert, SubmitButton, TextAreaField } from "../components/form";
import { DateTime, CalendarDate } from "../components/time";
import { closeCycle, currentCycle, getCycleByYear } from "../models/commitments.server";
import { listCycleAssessments, listCycleCommitments, todayIso } from "../models/cycles.server";
import { notFound, requirePermission } from "../utils/auth.server";
import { formRecord, MAX_NOTE, parseCloseNotes } from "../utils/cycle-validation";
import { keptValues, readForm } from "../utils/forms.server";
import { formatNumber } from "../utils/format";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("cycles:titles.cycle");

function yearOf(raw: string | undefined): number {
  if (!raw || !/^\d{4}$/.test(raw)) notFound();
  return Number(raw);
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const cycle = getCycleByYear(db, yearOf(params.year)) ?? notFound();
  const current = currentCycle(db);
  // Pages below this one (the carry-over review) render instead of it and load their own data.
  const own = new URL(request.url).pathname.replace(/\/+$/, "") === `/cycles/${cycle.year}`;
  const today = todayIso();
  return {
    cycle: { id: cycle.id, year: cycle.year, status: cycle.status, reportOn: cycle.reportOn, closedAt: cycle.closedAt },
    isCurrent: current?.id === cycle.id,
    canClose: cycle.status === "open" && today >= cycle.reportOn,
    commitments: own ? listCycleCommitments(db, cycle) : [],
    assessments: own && cycle.status === "closed" ? listCycleAssessments(db, cycle.id) : [],
  };
}

type Step = "edit" | "confirm";

interface ActionResult {
  ok: boolean;
  step: Step;
  /** A key for the page-level message. */
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

function answer(form: FormData, result: Partial<ActionResult>, status = 200) {
  return data<ActionResult>({ ok: status < 400, step: "edit", message: null, errors: {}, values: keptValues(form), ...result }, { status });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const cycle = getCycleByYear(db, yearOf(params.year)) ?? notFound();
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent !== "reviewClose" && intent !== "editClose" && intent !== "close")
    return answer(form, { message: "errors.invalidValue" }, 400);
  if (cycle.status !== "open") return answer(form, { message: "cycles:errors.alreadyClosed" }, 409);
  const today = todayIso();
  if (today < cycle.reportOn) return answer(form, { message: "commitments:errors.beforeReportDate" }, 409);
  if (intent === "editClose") return answer(form, { step: "edit" });

  const ids = listCycleCommitments(db, cycle).map((c) => c.id);
  const notes = parseCloseNotes(formRecord(form), ids);
  if (!notes.ok) return answer(form, { step: "edit", errors: notes.errors, message: "cycles:errors.checkNotes" }, 400);
  // Closing takes a second, explicit step: the summary of what will be frozen.
  if (intent === "reviewClose" || form.get("confirmed") !== "yes") return answer(form, { step: "confirm" });

  const result = closeCycle(db, user.id, cycle.id, notes.data, today, context.requestMeta);
  if (!result.ok) {
    const message = result.error === "errors.alreadyClosed" ? "cycles:errors.alreadyClosed" : result.error;
    return answer(form, { message }, 409);
  }
  return redirect(`/cycles/${cycle.year}?closed=${result.assessed}`);
}

const statusOrder: CommitmentStatus[] = ["open", "completed", "carried", "withdrawn"];

export default function CyclePage() {
  const outlet = useOutlet();
  if (outlet) return outlet;
  return <CycleOverview />;
}

function CycleOverview() {
  const { t } = useTranslation(["cycles", "common"]);
  const { cycle, isCurrent, canClose, commitments, assessments } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const { locale } = useFormatPrefs();
  const reportDate = <CalendarDate iso={cycle.reportOn} />;
  const grouped = statusOrder
    .filter((s) => commitmentStatuses.includes(s))
    .map((status) => ({ status, items: commitments.filter((c) => c.status === status) }));
  const closedCount = search.get("closed");
  const success = search.get("opened")
    ? t("cycle.opened", { year: cycle.year })
    : closedCount !== null && cycle.status === "closed"
      ? t("cycle.closedNow", { count: Number(closedCount) || 0 })
      : null;

  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <p>
            <Link to="/cycles">← {t("cycle.back")}</Link>
          </p>
          <h1>{t("cycle.title", { year: cycle.year })}</h1>
          <p className="lead">
            <span className={`badge ${cycle.status === "open" ? "badge--pending" : "badge--published"}`}>
              {t(`cycleStatus.${cycle.status}`)}
            </span>{" "}
            <Trans t={t} i18nKey="cycle.reportOn" components={{ date: reportDate }} />
            {cycle.closedAt ? (
              <>
                {" · "}
                <Trans t={t} i18nKey="cycle.closedOn" components={{ date: <DateTime value={cycle.closedAt} /> }} />
              </>
            ) : null}
          </p>
        </div>
        <div className="header-actions no-print">
          {isCurrent ? (
            <Link to={`/cycles/${cycle.year}/carry-over`} className="button button--quiet">
              {t("cycle.carryOver")}
            </Link>
          ) : null}
          <Link to={`/commitments/dashboard?year=${cycle.year}`} className="button button--quiet">
            {t("cycle.dashboard")}
          </Link>
        </div>
      </header>

      <FormAlert message={success} tone="success" />
      <FormAlert message={result?.message ? t(result.message as "errors.alreadyClosed") : null} tone="error" />

      <section aria-labelledby="commitments-title" className="stack">
        <h2 id="commitments-title">{t("cycle.commitmentsTitle", { count: commitments.length })}</h2>
        {commitments.length === 0 ? (
          <EmptyState title={t("cycle.empty")} />
        ) : (
          grouped.map(({ status, items }) => (
            <section key={status} aria-labelledby={`group-${status}`} className="panel stack" data-testid={`group-${status}`}>
              <h3 id={`group-${status}`}>
                {t("cycle.groupTitle", { status: t(`status.${status}`), n: formatNumber(items.length, locale) })}
              </h3>
              {items.length === 0 ? (
                <p className="muted">{t("cycle.groupEmpty")}</p>
              ) : (
                <ul className="row-list">
                  {items.map((c) => (
                    <li key={c.id} className="row-list__item" data-testid="cycle-commitment">
                      <div>
                        <Link to={`/commitments/${c.id}`} className="cell-title">
                          {`${c.reference} · ${c.title}`}
                        </Link>
                        <span className="cell-sub">
                          {t(`common:pillars.${c.pillarSlug}` as "common:pillars.tech-innovation")}
                          {" · "}
                          {c.latestCompletion
                            ? t("cycle.latest", { completion: t(`completion.${c.latestCompletion}`), percent: c.latestPercent ?? 0 })
                            : t("cycle.noUpdate")}
                        </span>
                      </div>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))
        )}
      </section>

      {cycle.status === "open" ? (
        canClose ? (
          <CloseCycle year={cycle.year} commitments={commitments} result={result ?? null} />
        ) : (
          <section aria-labelledby="close-title" className="panel stack" data-testid="close-not-yet">
            <h2 id="close-title">{t("close.title")}</h2>
            <p>
              <Trans t={t} i18nKey="close.notYet" components={{ date: reportDate }} />
            </p>
          </section>
        )
      ) : (
        <Assessments assessments={assessments} />
      )}
    </div>
  );
}

type CycleCommitment = ReturnType<typeof useLoaderData<typeof loader>>["commitments"][number];

function CloseCycle({ year, commitments, result }: { year: number; commitments: CycleCommitment[]; result: ActionResult | null }) {
  const { t } = useTranslation(["cycles", "common"]);
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const noted = commitments.filter((c) => (values[`earlyResult.${c.id}`] ?? "").trim() || (values[`note.${c.id}`] ?? "").trim());

  if (result?.ok && result.step === "confirm") {
    return (
      <section aria-labelledby="confirm-title" className="panel stack no-print" data-testid="close-confirm">
        <h2 id="confirm-title">{t("close.confirmTitle", { year })}</h2>
        <div className="alert alert--info" role="status">
          {t("close.confirmLead", { count: commitments.length })}
        </div>
        {noted.length === 0 ? (
          <p className="muted">{t("close.noNotes")}</p>
        ) : (
          <ul className="row-list">
            {noted.map((c) => (
              <li key={c.id} className="row-list__item">
                <div>
                  <span className="cell-title">{`${c.reference} · ${c.title}`}</span>
                  {values[`earlyResult.${c.id}`]?.trim() ? (
                    <span className="cell-sub">{t("close.earlyResultIs", { text: values[`earlyResult.${c.id}`]!.trim() })}</span>
                  ) : null}
                  {values[`note.${c.id}`]?.trim() ? (
                    <span className="cell-sub">{t("close.noteIs", { text: values[`note.${c.id}`]!.trim() })}</span>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
        <Form method="post" className="header-actions" key="confirm">
          {noted.flatMap((c) => [
            <input key={`e${c.id}`} type="hidden" name={`earlyResult.${c.id}`} value={values[`earlyResult.${c.id}`] ?? ""} />,
            <input key={`n${c.id}`} type="hidden" name={`note.${c.id}`} value={values[`note.${c.id}`] ?? ""} />,
          ])}
          <input type="hidden" name="confirmed" value="yes" />
          <SubmitButton intent="close" className="button button--danger" pendingLabel={t("close.closing")}>
            {t("close.confirm", { year })}
          </SubmitButton>
          <SubmitButton intent="editClose" className="button button--quiet">
            {t("close.back")}
          </SubmitButton>
        </Form>
      </section>
    );
  }

  return (
    <section aria-labelledby="close-title" className="panel stack no-print" data-testid="close-form">
      <h2 id="close-title">{t("close.title")}</h2>
      <p>{t("close.lead")}</p>
      <Form method="post" noValidate className="stack" key={`edit-${result?.step ?? "new"}`}>
        {commitments.map((c) => (
          <fieldset key={c.id} className="stack">
            <legend className="cell-title">{`${c.reference} · ${c.title}`}</legend>
            <TextAreaField
              name={`earlyResult.${c.id}`}
              label={t("fields.earlyResult")}
              rows={2}
              maxLength={MAX_NOTE}
              defaultValue={values[`earlyResult.${c.id}`]}
              error={errors[`earlyResult.${c.id}`]}
            />
            <TextAreaField
              name={`note.${c.id}`}
              label={t("fields.note")}
              rows={2}
              maxLength={MAX_NOTE}
              defaultValue={values[`note.${c.id}`]}
              error={errors[`note.${c.id}`]}
            />
          </fieldset>
        ))}
        <SubmitButton intent="reviewClose">{t("close.review")}</SubmitButton>
      </Form>
    </section>
  );
}

type Assessment = ReturnType<typeof useLoaderData<typeof loader>>["assessments"][number];

function Assessments({ assessments }: { assessments: Assessment[] }) {
  const { t } = useTranslation(["cycles", "common"]);
  return (
    <section aria-labelledby="assessments-title" className="stack" data-testid="assessments">
      <h2 id="assessments-title">{t("assessments.title")}</h2>
      <p className="muted">{t("assessments.lead")}</p>
      {assessments.length === 0 ? (
        <EmptyState title={t("assessments.empty")} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("assessments.commitment")}</th>
                <th scope="col">{t("assessments.completion")}</th>
                <th scope="col">{t("assessments.earlyResult")}</th>
                <th scope="col">{t("assessments.note")}</th>
              </tr>
            </thead>
            <tbody>
              {assessments.map((a) => (
                <tr key={a.commitmentId} data-testid="assessment">
                  <th scope="row">
                    <Link to={`/commitments/${a.commitmentId}`}>{a.reference}</Link>
                    <span className="cell-sub">{a.title}</span>
                  </th>
                  <td data-label={t("assessments.completion")}>
                    {t("assessments.completionIs", { completion: t(`completion.${a.completion}`), percent: a.percent })}
                  </td>
                  <td data-label={t("assessments.earlyResult")}>
                    {a.earlyResult || <span className="muted">{t("assessments.none")}</span>}
                  </td>
                  <td data-label={t("assessments.note")}>{a.note || <span className="muted">{t("assessments.none")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
