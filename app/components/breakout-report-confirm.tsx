import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { SubmitButton, TextAreaField, TextField } from "./form";

export interface DraftToConfirm {
  title: string;
  problem: string;
  expectedResult: string;
  startsOn: string;
  endsOn: string;
}

/**
 * On a draft commitment proposed from a report-back's action: its lead organisation (or the secretariat) completes
 * what the breakout could not say (the problem, the expected result, the dates) and confirms it in one step. After a
 * refusal the typed values come back with the messages at their fields.
 */
export function ConfirmDraftForm({
  draft,
  organisation,
  result,
}: {
  draft: DraftToConfirm;
  organisation: string;
  result: { ok: boolean; intent: string | null; errors: Record<string, string>; values: Record<string, string> } | undefined;
}) {
  const { t } = useTranslation(["commitment", "registry", "common"]);
  const failed = result && !result.ok && result.intent === "confirm" ? result : null;
  const value = (key: keyof DraftToConfirm) => failed?.values[key] ?? draft[key];
  const error = (key: keyof DraftToConfirm) => failed?.errors[key];
  return (
    <Form method="post" className="stack" aria-labelledby="confirm-draft-title" noValidate>
      <h2 id="confirm-draft-title">{t("commitment:draft.confirmTitle")}</h2>
      <p className="muted">{t("commitment:draft.confirmHint", { organisation })}</p>
      <TextField name="title" label={t("commitment:draft.fields.title")} error={error("title")} defaultValue={value("title")} required />
      <TextAreaField
        name="problem"
        label={t("registry:form.problem")}
        hint={t("registry:form.problemHint")}
        error={error("problem")}
        defaultValue={value("problem")}
        rows={3}
        required
      />
      <TextAreaField
        name="expectedResult"
        label={t("registry:form.expectedResult")}
        hint={t("registry:form.expectedResultHint")}
        error={error("expectedResult")}
        defaultValue={value("expectedResult")}
        rows={3}
        required
      />
      <div className="two-col">
        <TextField
          name="startsOn"
          type="date"
          label={t("registry:form.startsOn")}
          error={error("startsOn")}
          defaultValue={value("startsOn")}
        />
        <TextField name="endsOn" type="date" label={t("registry:form.endsOn")} error={error("endsOn")} defaultValue={value("endsOn")} />
      </div>
      <div>
        <SubmitButton intent="confirm" pendingLabel={t("commitment:draft.confirming")}>
          {t("commitment:draft.confirm")}
        </SubmitButton>
      </div>
    </Form>
  );
}
