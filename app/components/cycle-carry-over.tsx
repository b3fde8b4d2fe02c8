import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { carryKinds, type CarryKind } from "../domain/vocabulary";
import type { CarryCandidate } from "../models/cycles.server";
import { MAX_NOTE, MAX_PARTS, MAX_TITLE, RESCOPE_AFTER } from "../utils/cycle-validation";
import { FormAlert, SubmitButton, TextAreaField, TextField } from "./form";

/** What the carry-over page's action answers when it refuses a decision, and about which commitment and kind. */
export interface CarryResult {
  ok: false;
  commitmentId: number | null;
  kind: CarryKind | null;
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

/** An open commitment of an earlier cycle, with a form for each decision that can be taken on it. */
export function CandidateItem({
  candidate: c,
  others,
  year,
  result,
}: {
  candidate: CarryCandidate;
  others: CarryCandidate[];
  year: number;
  result: CarryResult | null;
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
  result: CarryResult | null;
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
