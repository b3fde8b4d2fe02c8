import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { stakeholderGroups } from "../domain/vocabulary";
import { FormAlert, SelectField, SubmitButton, TextField } from "./form";

export function OrganisationForm({
  errors,
  values,
  submitLabel,
  intent,
  countries,
}: {
  errors: Record<string, string>;
  values: Record<string, string>;
  submitLabel: string;
  intent: string;
  /** From the loader: `countryOptions(locale)`. */
  countries: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  return (
    <Form method="post" noValidate className="stack">
      <FormAlert message={errors.form ? t(errors.form as "errors.malformedRequest") : null} />
      <TextField name="name" label={t("fields.organisationName")} required defaultValue={values.name} error={errors.name} />
      <SelectField
        name="stakeholderGroup"
        label={t("fields.stakeholderGroup")}
        defaultValue={values.stakeholderGroup ?? ""}
        error={errors.stakeholderGroup}
        options={[
          { value: "", label: t("fields.choose") },
          ...stakeholderGroups.map((g) => ({ value: g, label: t(`stakeholderGroups.${g}`) })),
        ]}
      />
      <SelectField
        name="country"
        label={t("fields.country")}
        defaultValue={values.country ?? ""}
        error={errors.country}
        options={[{ value: "", label: t("fields.choose") }, ...countries]}
      />
      <SubmitButton intent={intent}>{submitLabel}</SubmitButton>
    </Form>
  );
}
