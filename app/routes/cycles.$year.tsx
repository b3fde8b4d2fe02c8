import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useOutlet, useSearchParams } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { commitmentStatuses, type CommitmentStatus } from "../domain/vocabulary";
import { Assessments, CloseCycle, type CloseResult } from "../components/cycle-close";
import { EmptyState, FormAlert } from "../components/form";
import { DateTime, CalendarDate } from "../components/time";
import { closeCycle, closeRefusal, currentCycle, getCycleByYear, todayIso, type Failure } from "../models/commitments.server";
import { refusalStatus } from "../models/commitment-refusals.server";
import { listCycleAssessments, listCycleCommitments } from "../models/cycles.server";
import { forbidden, notFound, requirePermission } from "../utils/auth.server";
import { closeNotesSchema } from "../utils/cycle-validation";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
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

function answer(form: FormData, result: Partial<CloseResult>, status = 200) {
  return data<CloseResult>({ ok: status < 400, step: "edit", message: null, errors: {}, values: keptValues(form), ...result }, { status });
}

function refused(form: FormData, failure: Failure) {
  if (failure.refusal === "forbidden") throw forbidden();
  return answer(form, { message: failure.errors.form ?? null }, refusalStatus[failure.refusal]);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const cycle = getCycleByYear(db, yearOf(params.year)) ?? notFound();
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent !== "reviewClose" && intent !== "editClose" && intent !== "close")
    return answer(form, { message: "errors.invalidValue" }, 400);
  const today = todayIso();
  const refusal = closeRefusal(user, cycle, today);
  if (refusal) return refused(form, refusal);
  if (intent === "editClose") return answer(form, { step: "edit" });

  const ids = listCycleCommitments(db, cycle).map((c) => c.id);
  const notes = parseForm(form, closeNotesSchema(ids));
  if (!notes.ok) return answer(form, { step: "edit", errors: notes.errors, message: "cycles:errors.checkNotes" }, 400);
  // Closing takes a second, explicit step: the summary of what will be frozen.
  if (intent === "reviewClose" || form.get("confirmed") !== "yes") return answer(form, { step: "confirm" });

  const result = closeCycle(db, user, cycle.id, notes.data, today, context.requestMeta);
  if (!result.ok) return refused(form, result);
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
