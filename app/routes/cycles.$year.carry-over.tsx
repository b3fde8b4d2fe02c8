import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { CandidateItem, type CarryResult } from "../components/cycle-carry-over";
import { EmptyState, FormAlert } from "../components/form";
import { DateTime } from "../components/time";
import { carryOver, currentCycle, getCycleByYear } from "../models/commitments.server";
import { refusalStatus } from "../models/commitment-refusals.server";
import { listCarryCandidates, listCarryDecisions } from "../models/cycles.server";
import { forbidden, notFound, requirePermission } from "../utils/auth.server";
import { carryDecisionSchema, isCarryKind } from "../utils/cycle-validation";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("cycles:titles.carryOver");

function cycleFor(context: LoaderFunctionArgs["context"], raw: string | undefined) {
  if (!raw || !/^\d{4}$/.test(raw)) notFound();
  const db = context.services.db;
  const cycle = getCycleByYear(db, Number(raw)) ?? notFound();
  const current = currentCycle(db);
  return { cycle, current, isCurrent: current !== null && current.id === cycle.id };
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const { cycle, current, isCurrent } = cycleFor(context, params.year);
  return {
    year: cycle.year,
    isCurrent,
    currentYear: current?.year ?? null,
    candidates: isCurrent ? listCarryCandidates(db, cycle) : [],
    decisions: isCurrent ? listCarryDecisions(db, cycle) : [],
  };
}

function refused(form: FormData, result: Partial<CarryResult>, status: number) {
  return data<CarryResult>(
    { ok: false, commitmentId: null, kind: null, message: null, errors: {}, values: keptValues(form), ...result },
    { status },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "cycles.manage");
  const { cycle, isCurrent } = cycleFor(context, params.year);
  const form = await readForm(request);
  if (form.get("intent") !== "decide") return refused(form, { message: "errors.invalidValue" }, 400);
  // A review left open in an earlier cycle's page must not decide anything.
  if (!isCurrent) return refused(form, { message: "cycles:errors.notCurrent" }, 409);

  const commitmentId = Number(form.get("commitmentId"));
  const kind = form.get("kind");
  if (!Number.isInteger(commitmentId) || commitmentId <= 0) return refused(form, { message: "errors.notFound" }, 404);
  if (!isCarryKind(kind)) return refused(form, { commitmentId, message: "errors.invalidChoice" }, 400);
  const parsed = parseForm(form, carryDecisionSchema(kind));
  if (!parsed.ok) return refused(form, { commitmentId, kind, errors: parsed.errors, message: "cycles:errors.checkDecision" }, 400);

  const result = carryOver(context.services.db, user, commitmentId, parsed.data, context.requestMeta);
  if (!result.ok) {
    if (result.refusal === "forbidden") throw forbidden();
    const { form: message, ...errors } = result.errors;
    return refused(form, { commitmentId, kind, errors, message: message ?? "cycles:errors.checkDecision" }, refusalStatus[result.refusal]);
  }
  return redirect(`/cycles/${cycle.year}/carry-over?decided=${encodeURIComponent(result.reference)}&kind=${parsed.data.kind}`);
}

export default function CarryOverPage() {
  const { t } = useTranslation(["cycles", "common"]);
  const { year, isCurrent, currentYear, candidates, decisions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const decided = search.get("decided");
  const decidedKind = search.get("kind");
  const success =
    decided && isCarryKind(decidedKind) && decisions.some((d) => d.reference === decided || d.becomes.some((b) => b.reference === decided))
      ? t("carry.decidedNow", { reference: decided, decision: t(`decision.${decidedKind}`) })
      : null;
  // A refusal about a commitment shows at its form; one about nothing in particular, at the top.
  const pageMessage =
    result?.message && (result.commitmentId === null || !candidates.some((c) => c.id === result.commitmentId))
      ? t(result.message as "errors.notCurrent")
      : null;

  return (
    <div className="stack-lg">
      <header className="page-header">
        <p>
          <Link to={`/cycles/${year}`}>← {t("carry.back", { year })}</Link>
        </p>
        <h1>{t("carry.title", { year })}</h1>
        <p className="lead">{t("carry.lead", { year })}</p>
      </header>

      <FormAlert message={success} tone="success" />
      <FormAlert message={pageMessage} />

      {!isCurrent ? (
        <section className="panel stack" data-testid="carry-not-current">
          <p>{currentYear !== null ? t("carry.notCurrent", { year: currentYear }) : t("carry.noCurrent")}</p>
          {currentYear !== null ? (
            <p>
              <Link to={`/cycles/${currentYear}/carry-over`}>{t("carry.goToCurrent", { year: currentYear })}</Link>
            </p>
          ) : null}
        </section>
      ) : (
        <>
          <section aria-labelledby="pending-title" className="stack">
            <h2 id="pending-title">{t("carry.pendingTitle", { count: candidates.length })}</h2>
            {candidates.length === 0 ? (
              <EmptyState title={t("carry.pendingEmpty")} />
            ) : (
              <ul className="card-list" aria-labelledby="pending-title">
                {candidates.map((c) => (
                  <CandidateItem
                    key={c.id}
                    candidate={c}
                    others={candidates.filter((o) => o.id !== c.id)}
                    year={year}
                    result={result && result.commitmentId === c.id ? result : null}
                  />
                ))}
              </ul>
            )}
          </section>

          <section aria-labelledby="decided-title" className="stack">
            <h2 id="decided-title">{t("carry.decidedTitle", { count: decisions.length })}</h2>
            {decisions.length === 0 ? (
              <EmptyState title={t("carry.decidedEmpty")} />
            ) : (
              <ul className="row-list panel">
                {decisions.map((d) => (
                  <li key={d.fromId} className="row-list__item" data-testid="carry-decided" data-reference={d.reference}>
                    <div>
                      <span className="cell-title">{`${d.reference} · ${d.title}`}</span>
                      <span className="cell-sub">{t("carry.fromYear", { year: d.year })}</span>
                      <span className="cell-sub">{t("carry.rationaleIs", { text: d.rationale })}</span>
                      <span className="cell-sub">
                        {d.becomes.length === 0 ? (
                          t("carry.notCarried")
                        ) : (
                          <>
                            {t("carry.becomes")}{" "}
                            {d.becomes.map((b, i) => (
                              <span key={b.id}>
                                {i > 0 ? ", " : null}
                                <Link to={`/commitments/${b.id}`}>{`${b.reference} · ${b.title}`}</Link>
                              </span>
                            ))}
                          </>
                        )}
                      </span>
                      <span className="cell-sub">
                        <Trans
                          t={t}
                          i18nKey="carry.decidedBy"
                          values={{ name: d.decidedBy ?? "" }}
                          components={{ date: <DateTime value={d.decidedAt} /> }}
                        />
                      </span>
                    </div>
                    <span className="badge">{t(`decision.${d.kind}`)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
