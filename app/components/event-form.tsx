import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { cadences, stakeholderGroups } from "../domain/vocabulary";
import { SelectField, TextAreaField, TextField } from "./form";

export interface EventFormProps {
  values: Record<string, string>;
  errors: Record<string, string>;
  series: { id: number; name: string }[];
  timeZones: string[];
  submitLabel: string;
}

/** The secretariat's form for an event's settings, shared by "new event" and "event settings". */
export function EventForm({ values, errors, series, timeZones, submitLabel }: EventFormProps) {
  const { t } = useTranslation(["agenda", "common"]);
  const groups = new Set((values.invitedGroups ?? "").split(",").filter(Boolean));
  return (
    <Form method="post" noValidate className="stack">
      <input type="hidden" name="intent" value="save" />
      {errors.form ? (
        <p className="alert alert--error" role="alert">
          {t(errors.form as "common:errors.invalidValue")}
        </p>
      ) : null}
      <div className="form-row">
        <SelectField
          name="kind"
          label={t("eventForm.kind")}
          defaultValue={values.kind ?? "convening"}
          error={errors.kind}
          options={[
            { value: "forum", label: t("common:eventKind.forum") },
            { value: "convening", label: t("common:eventKind.convening") },
          ]}
        />
        <SelectField
          name="seriesId"
          label={t("eventForm.series")}
          hint={t("eventForm.seriesHint")}
          defaultValue={values.seriesId ?? ""}
          error={errors.seriesId}
          options={[{ value: "", label: t("eventForm.noSeries") }, ...series.map((s) => ({ value: String(s.id), label: s.name }))]}
        />
      </div>
      <div className="form-row">
        <TextField
          name="newSeriesName"
          label={t("eventForm.newSeries")}
          hint={t("eventForm.newSeriesHint")}
          defaultValue={values.newSeriesName}
          error={errors.newSeriesName}
        />
        <SelectField
          name="newSeriesCadence"
          label={t("eventForm.cadence")}
          defaultValue={values.newSeriesCadence ?? "quarterly"}
          options={cadences.map((c) => ({ value: c, label: t(`eventForm.cadences.${c}`) }))}
        />
      </div>
      <TextField name="title" label={t("eventForm.title")} required defaultValue={values.title} error={errors.title} />
      <TextAreaField
        name="description"
        rows={3}
        label={t("eventForm.description")}
        defaultValue={values.description ?? ""}
        error={errors.description}
      />
      <div className="form-row">
        <TextField
          name="startsOn"
          type="date"
          label={t("eventForm.startsOn")}
          required
          defaultValue={values.startsOn}
          error={errors.startsOn}
        />
        <TextField name="endsOn" type="date" label={t("eventForm.endsOn")} required defaultValue={values.endsOn} error={errors.endsOn} />
        <SelectField
          name="timeZone"
          label={t("eventForm.timeZone")}
          defaultValue={values.timeZone ?? "Europe/Brussels"}
          error={errors.timeZone}
          options={timeZones.map((z) => ({ value: z, label: z.replaceAll("_", " ") }))}
        />
      </div>
      <div className="form-row">
        <TextField name="venue" label={t("eventForm.venue")} defaultValue={values.venue} error={errors.venue} />
        <TextField
          name="onlineUrl"
          type="url"
          label={t("eventForm.onlineUrl")}
          hint={t("eventForm.onlineUrlHint")}
          defaultValue={values.onlineUrl}
          error={errors.onlineUrl}
        />
      </div>
      <SelectField
        name="visibility"
        label={t("eventForm.visibility")}
        defaultValue={values.visibility ?? "members"}
        error={errors.visibility}
        options={(["public", "members", "groups"] as const).map((v) => ({ value: v, label: t(`eventForm.visibilities.${v}`) }))}
      />
      <fieldset className="speakers" aria-describedby={errors.invitedGroups ? "groups-error" : undefined}>
        <legend>{t("eventForm.invitedGroups")}</legend>
        <div className="speaker-grid">
          {stakeholderGroups.map((g) => (
            <label key={g} className="check">
              <input type="checkbox" name="invitedGroups" value={g} defaultChecked={groups.has(g)} /> {t(`common:stakeholderGroups.${g}`)}
            </label>
          ))}
        </div>
        {errors.invitedGroups ? (
          <p className="field__error" id="groups-error">
            {t(errors.invitedGroups as "common:errors.invalidValue")}
          </p>
        ) : null}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          name="registrationRequiresApproval"
          value="1"
          defaultChecked={values.registrationRequiresApproval === "1" || values.registrationRequiresApproval === "true"}
        />{" "}
        {t("eventForm.requiresApproval")}
      </label>
      <TextAreaField
        name="rooms"
        rows={4}
        label={t("eventForm.rooms")}
        hint={t("eventForm.roomsHint")}
        defaultValue={values.rooms ?? ""}
        error={errors.rooms}
      />
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </Form>
  );
}
