import { Form } from "@remix-run/react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { planOf } from "../models/breakout-plan.server";
import type { PlanActionResult } from "../routes/breakouts.$sessionId.plan";
import { formatDateTime } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { SelectField, SubmitButton, TextAreaField } from "./form";

export type PlanData = Extract<ReturnType<typeof planOf>, { ok: true }>;

/** The planning tools: how people get a room, the balanced proposal, importing, publishing and copying. */
export function BreakoutPlanTools({ plan, result }: { plan: PlanData; result: PlanActionResult | null }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const prefs = useFormatPrefs();
  const { session } = plan;
  const planning = session.status === "planning";
  const closed = session.status === "closed";
  const failed = (intent: PlanActionResult["intent"]) => (result && !result.ok && result.intent === intent ? result : null);
  const importFailure = failed("import");
  const importLinesTitle = useId();
  return (
    <div className="breakout-tools">
      <section className="panel stack" aria-labelledby="options-title">
        <h2 id="options-title">{t("options.title")}</h2>
        <Form method="post" className="stack">
          <fieldset className="speakers" disabled={closed}>
            <legend>{t("options.mode")}</legend>
            {(["choice", "planned"] as const).map((mode) => (
              <label key={mode} className="check">
                <input
                  type="radio"
                  name="assignmentMode"
                  value={mode}
                  defaultChecked={session.assignmentMode === mode}
                  disabled={!planning}
                />{" "}
                {t(`options.modes.${mode}`)}
              </label>
            ))}
            {!planning ? <input type="hidden" name="assignmentMode" value={session.assignmentMode} /> : null}
          </fieldset>
          <label className="check">
            <input type="checkbox" name="observersMayWatch" value="1" defaultChecked={session.observersMayWatch} disabled={closed} />{" "}
            {t("options.observers")}
          </label>
          <div>
            <SubmitButton intent="options" className="button button--quiet" disabled={closed}>
              {t("options.save")}
            </SubmitButton>
          </div>
        </Form>
      </section>

      <section className="panel stack" aria-labelledby="assign-title">
        <h2 id="assign-title">{t("assign.title")}</h2>
        <Form method="post" className="stack">
          <p>{t("assign.proposeLead")}</p>
          {plan.wouldReplace > 0 ? (
            <div className={`field${failed("propose")?.errors?.confirm ? " field--invalid" : ""}`}>
              <label className="check">
                <input type="checkbox" name="confirm" value="1" required aria-describedby="propose-confirm-error" />{" "}
                {t("assign.confirmReplace", { count: plan.wouldReplace })}
              </label>
              {failed("propose")?.errors?.confirm ? (
                <p className="field__error" id="propose-confirm-error">
                  {t(failed("propose")!.errors!.confirm as "errors.confirmReplace")}
                </p>
              ) : null}
            </div>
          ) : null}
          <div>
            <SubmitButton intent="propose" disabled={!planning} pendingLabel={t("assign.proposing")}>
              {t("assign.propose")}
            </SubmitButton>
          </div>
        </Form>
        <Form method="post" className="stack">
          <p>{session.published ? t("assign.publishedLead") : t("assign.publishLead")}</p>
          <div>
            <SubmitButton intent="publish" className="button" disabled={closed}>
              {session.published ? t("assign.publishAgain") : t("assign.publish")}
            </SubmitButton>
          </div>
        </Form>
      </section>

      <section className="panel stack" aria-labelledby="import-title">
        <h2 id="import-title">{t("import.title")}</h2>
        <p>{t("import.lead")}</p>
        <Form method="post" encType="multipart/form-data" className="stack">
          <TextAreaField
            name="csv"
            label={t("import.paste")}
            hint={t("import.hint")}
            rows={5}
            defaultValue={importFailure?.values?.csv ?? ""}
            error={importFailure?.errors?.csv}
            disabled={!planning}
          />
          <div className="field">
            <label htmlFor="breakout-import-file">{t("import.file")}</label>
            <input id="breakout-import-file" type="file" name="file" accept=".csv,text/csv,text/plain" disabled={!planning} />
          </div>
          <div>
            <SubmitButton intent="import" className="button button--quiet" disabled={!planning}>
              {t("import.submit")}
            </SubmitButton>
          </div>
        </Form>
        {importFailure?.lines?.length ? (
          <div className="stack" data-testid="import-errors">
            <h3 id={importLinesTitle}>{t("import.errorsTitle", { count: importFailure.lines.length })}</h3>
            <ul className="row-list" aria-labelledby={importLinesTitle}>
              {importFailure.lines.map((l, i) => (
                <li key={i} className="row-list__item" data-testid="import-error">
                  {t("import.lineError", { line: l.line, value: l.value, problem: t(l.error as "import.unknownEmail") })}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      <section className="panel stack" aria-labelledby="copy-title">
        <h2 id="copy-title">{t("copy.title")}</h2>
        {plan.copySources.length === 0 ? (
          <p className="muted">{t("copy.none")}</p>
        ) : (
          <Form method="post" className="stack">
            <p>{t("copy.lead")}</p>
            <SelectField
              name="sourceSessionId"
              label={t("copy.source")}
              options={plan.copySources.map((s) => ({
                value: String(s.sessionId),
                label: `${s.title} · ${s.eventTitle} · ${formatDateTime(s.startsAt, prefs)}`,
              }))}
              error={failed("copy")?.errors?.sourceSessionId}
              disabled={!planning}
            />
            <div>
              <SubmitButton intent="copy" className="button button--quiet" disabled={!planning}>
                {t("copy.submit")}
              </SubmitButton>
            </div>
          </Form>
        )}
      </section>
    </div>
  );
}
