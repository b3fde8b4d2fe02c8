import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { carryKinds, type CarryKind } from "../domain/vocabulary";
import { EmptyState, FormAlert, SubmitButton, TextAreaField, TextField } from "../components/form";
import { DateTime } from "../components/time";
import { carryOver, currentCycle, getCommitment, getCycleByYear } from "../models/commitments.server";
import { listCarryCandidates, listCarryDecisions, type CarryCandidate } from "../models/cycles.server";
import { notFound, requirePermission } from "../utils/auth.server";
import { formRecord, isCarryKind, MAX_NOTE, MAX_PARTS, MAX_TITLE, parseCarryDecision, RESCOPE_AFTER } from "../utils/cycle-validation";
import { keptValues, readForm } from "../utils/forms.server";
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

interface ActionResult {
  ok: false;
  commitmentId: number | null;
  kind: CarryKind | null;
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

function refused(form: FormData, result: Partial<ActionResult>, status: number) {
  return data<ActionResult>(
    { ok: false, commitmentId: null, kind: null, message: null, errors: {}, values: keptValues(form), ...result },
    { status },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "cycles.manage");
  const db = context.services.db;
  const { cycle, isCurrent } = cycleFor(context, params.year);
  const form = await readForm(request);
  if (form.get("intent") !== "decide") return refused(form, { message: "errors.invalidValue" }, 400);
  if (!isCurrent) return refused(form, { message: "cycles:errors.notCurrent" }, 409);

  const commitmentId = Number(form.get("commitmentId"));
  const kind = form.get("kind");
  const from = Number.isInteger(commitmentId) && commitmentId > 0 ? getCommitment(db, commitmentId) : null;
  if (!from) return refused(form, { message: "errors.notFound" }, 404);
  if (!isCarryKind(kind)) return refused(form, { commitmentId, message: "errors.invalidChoice" }, 400);

  const parsed = parseCarryDecision(kind, formRecord(form));
  if (!parsed.ok) return refused(form, { commitmentId, kind, errors: parsed.errors, message: "cycles:errors.checkDecision" }, 400);
  const decision = parsed.data;
  if (decision.kind === "merged" && decision.withIds.includes(commitmentId)) {
    return refused(form, { commitmentId, kind, errors: { withIds: "errors.invalidChoice" }, message: "cycles:errors.checkDecision" }, 400);
  }

  const result = carryOver(db, user.id, commitmentId, decision, context.requestMeta);
  if (!result.ok) return refused(form, { commitmentId, kind, message: result.error }, 409);
  return redirect(`/cycles/${cycle.year}/carry-over?decided=${encodeURIComponent(from.reference)}&kind=${decision.kind}`);
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

function CandidateItem({
  candidate: c,
  others,
  year,
  result,
}: {
  candidate: CarryCandidate;
  others: CarryCandidate[];
  year: number;
  result: ActionResult | null;
}) {
  const { t } = useTranslation(["cycles", "common"]);
  const flagged = c.carriedTimes >= RESCOPE_AFTER;
  const headingId = `candidate-${c.id}`;
  return (
    <li className="card stack" data-testid="carry-candidate" data-reference={c.reference}>
      <h3 id={headingId}>{`${c.reference} · ${c.title}`}</h3>
      <p className="cell-sub">
        {t("carry.fromYear", { year: c.year })}
        {" · "}
        {t(`common:pillars.${c.pillarSlug}` as "common:pillars.tech-innovation")}
        {" · "}
        {c.latestCompletion
          ? t("carry.latest", { completion: t(`completion.${c.latestCompletion}`), percent: c.latestPercent ?? 0 })
          : t("carry.noUpdate")}
        {" · "}
        {c.carriedTimes === 0 ? t("carry.neverCarried") : t("carry.carried", { count: c.carriedTimes })}
      </p>
      {flagged ? (
        <p>
          <span className="badge badge--expired" data-testid="rescope-flag">
            {t("carry.rescopeFlag")}
          </span>
        </p>
      ) : null}
      {result?.message && result.kind === null ? <FormAlert message={t(result.message as "errors.notCurrent")} /> : null}
      <div className="stack no-print">
        {carryKinds.map((kind) => (
          <DecisionForm
            key={kind}
            kind={kind}
            candidate={c}
            others={others}
            year={year}
            result={result && result.kind === kind ? result : null}
          />
        ))}
      </div>
    </li>
  );
}

function DecisionForm({
  kind,
  candidate: c,
  others,
  year,
  result,
}: {
  kind: CarryKind;
  candidate: CarryCandidate;
  others: CarryCandidate[];
  year: number;
  result: ActionResult | null;
}) {
  const { t } = useTranslation(["cycles", "common"]);
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const chosen = new Set((values.withIds ?? "").split(",").filter(Boolean));
  const label = `${t(`kind.${kind}`)}: ${c.reference}`;
  return (
    <details className="session__details" open={result !== null} data-kind={kind}>
      <summary>
        {t(`kind.${kind}`)} <span className="visually-hidden">{c.reference}</span>
      </summary>
      <Form method="post" noValidate className="stack" aria-label={label} key={result ? JSON.stringify(values) : "new"}>
        <input type="hidden" name="commitmentId" value={c.id} />
        <input type="hidden" name="kind" value={kind} />
        <p className="muted">{t(`kindHint.${kind}`, { year })}</p>
        {result?.message ? <FormAlert message={t(result.message as "errors.notCurrent")} /> : null}
        {kind === "rescoped" || kind === "merged" ? (
          <>
            <TextField
              name="title"
              label={t("fields.newTitle")}
              required
              maxLength={MAX_TITLE}
              defaultValue={values.title ?? (kind === "rescoped" ? c.title : "")}
              error={errors.title}
            />
            <TextAreaField
              name="expectedResult"
              label={t("fields.newExpectedResult")}
              required
              rows={2}
              maxLength={MAX_NOTE}
              defaultValue={values.expectedResult ?? (kind === "rescoped" ? c.expectedResult : "")}
              error={errors.expectedResult}
            />
          </>
        ) : null}
        {kind === "split"
          ? Array.from({ length: MAX_PARTS }, (_, i) => i + 1).map((n) => (
              <fieldset key={n} className="stack">
                <legend>{n <= 2 ? t("fields.part", { n }) : t("fields.partOptional", { n })}</legend>
                <TextField
                  name={`part${n}Title`}
                  label={t("fields.partTitle", { n })}
                  required={n <= 2}
                  maxLength={MAX_TITLE}
                  defaultValue={values[`part${n}Title`]}
                  error={errors[`part${n}Title`]}
                />
                <TextAreaField
                  name={`part${n}ExpectedResult`}
                  label={t("fields.partExpectedResult", { n })}
                  required={n <= 2}
                  rows={2}
                  maxLength={MAX_NOTE}
                  defaultValue={values[`part${n}ExpectedResult`]}
                  error={errors[`part${n}ExpectedResult`]}
                />
              </fieldset>
            ))
          : null}
        {kind === "merged" ? (
          <fieldset className={`stack field${errors.withIds ? " field--invalid" : ""}`}>
            <legend>{t("fields.mergeWith")}</legend>
            {others.length === 0 ? (
              <p className="muted">{t("carry.noneToMerge")}</p>
            ) : (
              others.map((o) => (
                <label key={o.id} className="check">
                  <input type="checkbox" name="withIds" value={o.id} defaultChecked={chosen.has(String(o.id))} />
                  <span>{`${o.reference} · ${o.title}`}</span>
                </label>
              ))
            )}
            {errors.withIds ? <p className="field__error">{t(errors.withIds as "errors.chooseMerge")}</p> : null}
          </fieldset>
        ) : null}
        <TextAreaField
          name="rationale"
          label={t("fields.rationale")}
          hint={t("fields.rationaleHint")}
          required
          rows={2}
          maxLength={MAX_NOTE}
          defaultValue={values.rationale}
          error={errors.rationale}
        />
        <SubmitButton intent="decide" className={kind === "withdrawn" ? "button button--danger" : "button"}>
          {t(`submit.${kind}`, { year })} <span className="visually-hidden">{c.reference}</span>
        </SubmitButton>
      </Form>
    </details>
  );
}
