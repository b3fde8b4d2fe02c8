import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, SelectField, SubmitButton, TextAreaField } from "./form";

export interface ReportFormData {
  session: { id: number; status: "planning" | "open" | "closed" };
  room: { id: number; pillarId: number | null };
  report: { keyPoints: string; pillarId: number | null; submittedAt: string | null } | null;
  lockedActions: { id: number; text: string; commitmentId: number }[];
  openActions: string[];
  pillars: { id: number; name: string }[];
}

export interface ReportFormResultData {
  ok: boolean;
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

/**
 * The rapporteur's report-back: key points, proposed actions (one per line, so it works without scripts) and the
 * pillar; saved as a draft or submitted to the plenary. After a refusal the typed text comes back as it was.
 */
export function BreakoutReportForm({ d, result }: { d: ReportFormData; result: ReportFormResultData | undefined }) {
  const { t } = useTranslation(["breakoutReports", "common"]);
  const kept = result && !result.ok ? result.values : null;
  const keyPoints = kept?.keyPoints ?? d.report?.keyPoints ?? "";
  const actions = kept?.actions ?? d.openActions.join("\n");
  const pillarId = kept?.pillarId ?? String(d.report?.pillarId ?? d.room.pillarId ?? "");
  const errors = result?.errors ?? {};

  if (d.session.status === "planning") {
    return (
      <div className="empty-state">
        <p className="empty-state__title">{t("form.notYet")}</p>
        <p className="empty-state__body">{t("form.notYetHint")}</p>
      </div>
    );
  }

  return (
    <Form method="post" className="stack-lg panel breakout-report__form" noValidate>
      {result?.message ? <FormAlert tone={result.ok ? "success" : "error"} message={t(result.message as "form.saved")} /> : null}
      {result && !result.ok && Object.keys(errors).length ? <FormAlert message={t("form.fixErrors")} /> : null}
      <TextAreaField
        name="keyPoints"
        label={t("form.keyPoints")}
        hint={t("form.keyPointsHint")}
        error={errors.keyPoints}
        defaultValue={keyPoints}
        rows={8}
      />
      {d.lockedActions.length ? (
        <section className="stack" aria-labelledby="kept-actions">
          <h2 id="kept-actions">{t("form.lockedTitle")}</h2>
          <p className="muted">{t("form.lockedHint")}</p>
          <ul className="breakout-report__actions">
            {d.lockedActions.map((a) => (
              <li key={a.id}>
                {a.text}{" "}
                <Link to={`/commitments/${a.commitmentId}`} className="muted">
                  {t("form.lockedLink")}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <TextAreaField
        name="actions"
        label={t("form.actions")}
        hint={t("form.actionsHint")}
        error={errors.actions}
        defaultValue={actions}
        rows={6}
      />
      <SelectField
        name="pillarId"
        label={t("form.pillar")}
        error={errors.pillarId}
        defaultValue={pillarId}
        options={[{ value: "", label: t("form.noPillar") }, ...d.pillars.map((p) => ({ value: String(p.id), label: p.name }))]}
      />
      <div className="header-actions">
        <SubmitButton intent="submit" pendingLabel={t("form.submitting")}>
          {d.report?.submittedAt ? t("form.resubmit") : t("form.submit")}
        </SubmitButton>
        <SubmitButton intent="save" className="button button--quiet" pendingLabel={t("form.saving")}>
          {t("form.save")}
        </SubmitButton>
      </div>
    </Form>
  );
}
