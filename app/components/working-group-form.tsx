import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "./form";

/** Name, description, pillar and lead of a working group: used to create one and to edit it. */
export function WorkingGroupForm({
  errors,
  values,
  pillars,
  leads,
  submitLabel,
  pendingLabel,
  intent,
}: {
  errors: Record<string, string>;
  values: Record<string, string>;
  pillars: { id: number; slug: string }[];
  leads: { id: number; name: string; organisation: string | null }[];
  submitLabel: string;
  pendingLabel?: string;
  intent: string;
}) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <Form method="post" noValidate className="stack">
      <input type="hidden" name="intent" value={intent} />
      <FormAlert message={errors.form ? t(errors.form as "common:errors.malformedRequest") : null} />
      <TextField name="name" label={t("fields.name")} required maxLength={200} defaultValue={values.name} error={errors.name} />
      <TextAreaField
        name="description"
        label={t("fields.description")}
        hint={t("fields.descriptionHint")}
        rows={3}
        defaultValue={values.description}
        error={errors.description}
      />
      <SelectField
        name="pillarId"
        label={t("fields.pillar")}
        required
        defaultValue={values.pillarId ?? ""}
        error={errors.pillarId}
        options={[
          { value: "", label: t("common:fields.choose") },
          ...pillars.map((p) => ({ value: String(p.id), label: t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation") })),
        ]}
      />
      <SelectField
        name="leadId"
        label={t("fields.lead")}
        hint={t("fields.leadHint")}
        defaultValue={values.leadId ?? ""}
        error={errors.leadId}
        options={[
          { value: "", label: t("fields.noLead") },
          ...leads.map((p) => ({ value: String(p.id), label: p.organisation ? `${p.name} (${p.organisation})` : p.name })),
        ]}
      />
      <SubmitButton intent={intent} pendingLabel={pendingLabel}>
        {submitLabel}
      </SubmitButton>
    </Form>
  );
}
