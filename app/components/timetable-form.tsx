import { Form, Link, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { attributionRules, sessionKinds, type AgendaSessionStatus } from "../domain/vocabulary";
import type { Conflict } from "../models/agenda.server";
import { SelectField, TextAreaField, TextField } from "./form";
import { SLOT_MINUTES } from "./timetable-grid";

/** What the timetable would clash with, one line per clash. */
export function ConflictList({ conflicts }: { conflicts: readonly Conflict[] }) {
  const { t } = useTranslation("agenda");
  const text = (c: Conflict) => {
    switch (c.kind) {
      case "outside_event":
        return t("timetable.conflict.outside");
      case "room":
        return t("timetable.conflict.room", { title: c.title });
      case "speaker":
        return t("timetable.conflict.speaker", { speaker: c.speaker, title: c.title });
      case "speaker_hidden":
        return t("timetable.conflict.speakerHidden", { speaker: c.speaker });
    }
  };
  return (
    <ul>
      {conflicts.map((c, i) => (
        <li key={i}>{text(c)}</li>
      ))}
    </ul>
  );
}

/** A save that was refused: field errors, clashes, and what the editor had typed. */
export interface FailedSave {
  errors: Record<string, string>;
  conflicts?: Conflict[];
}

/**
 * The session form: a new session, or the one chosen on the grid (`selected`). Its submit buttons carry
 * their own intent: save, save anyway (after clashes were shown), cancel or put back. Its fields are
 * uncontrolled: the page gives it a new `key` whenever it must start afresh (after a successful save, or
 * for another session or slot), and keeps the key when a save was refused, so what was typed stays.
 * `focusTitle`: a slot of the grid was chosen, so the title takes focus at once.
 */
export function TimetableSessionForm({
  selected,
  failed,
  values,
  day,
  days,
  rooms,
  pillars,
  allowNoTrack,
  people,
  focusTitle = false,
}: {
  selected: { id: number; status: AgendaSessionStatus; values: Record<string, string> } | null;
  failed: FailedSave | null;
  values: Record<string, string>;
  day: string;
  days: readonly string[];
  rooms: readonly { id: number; name: string }[];
  pillars: readonly { id: number; slug: string }[];
  allowNoTrack: boolean;
  people: readonly { id: number; name: string; organisation: string | null }[];
  focusTitle?: boolean;
}) {
  const { t } = useTranslation(["agenda", "common"]);
  const navigation = useNavigation();
  const selectedSpeakers = new Set((values.speakerIds ?? "").split(",").filter(Boolean));
  const title = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusTitle) title.current?.focus();
  }, [focusTitle]);
  return (
    <section id="session-form" className="panel" aria-labelledby="session-form-title">
      <h2 id="session-form-title">{selected ? t("timetable.editTitle", { title: selected.values.title }) : t("timetable.newTitle")}</h2>
      {/* Posted to the day (and the session), not to a chosen slot: after a save the form starts clean. */}
      <Form
        method="post"
        action={selected ? `?day=${day}&session=${selected.id}` : `?day=${day}`}
        noValidate
        className="stack"
        preventScrollReset
      >
        {selected ? <input type="hidden" name="sessionId" value={selected.id} /> : null}
        {failed ? (
          <div className="alert alert--error" role="alert">
            <p>{t(failed.errors.form ?? "timetable.fixErrors", { defaultValue: t("timetable.fixErrors") })}</p>
            {failed.conflicts ? <ConflictList conflicts={failed.conflicts} /> : null}
          </div>
        ) : null}
        <TextField
          ref={title}
          name="title"
          label={t("timetable.field.title")}
          required
          defaultValue={values.title}
          error={failed?.errors.title}
        />
        <div className="form-row">
          <SelectField
            name="kind"
            label={t("agenda.kind")}
            defaultValue={values.kind}
            error={failed?.errors.kind}
            options={sessionKinds.map((k) => ({ value: k, label: t(`agenda.kinds.${k}`) }))}
          />
          <SelectField
            name="pillarId"
            label={t("agenda.track")}
            defaultValue={values.pillarId ?? ""}
            error={failed?.errors.pillarId}
            options={[
              ...(allowNoTrack ? [{ value: "", label: t("timetable.noTrack") }] : []),
              ...pillars.map((p) => ({ value: String(p.id), label: t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation") })),
            ]}
          />
          <SelectField
            name="roomId"
            label={t("agenda.room")}
            defaultValue={values.roomId ?? ""}
            error={failed?.errors.roomId}
            options={[{ value: "", label: t("agenda.noRoom") }, ...rooms.map((r) => ({ value: String(r.id), label: r.name }))]}
          />
        </div>
        <div className="form-row">
          <SelectField
            name="date"
            label={t("timetable.field.date")}
            defaultValue={values.date ?? day}
            error={failed?.errors.date}
            options={days.map((d, i) => ({ value: d, label: `${t("agenda.dayN", { n: i + 1 })} (${d})` }))}
          />
          <TextField
            name="startTime"
            type="time"
            step={SLOT_MINUTES * 60}
            label={t("timetable.field.start")}
            required
            defaultValue={values.startTime}
            error={failed?.errors.startTime}
          />
          <TextField
            name="endTime"
            type="time"
            step={SLOT_MINUTES * 60}
            label={t("timetable.field.end")}
            required
            defaultValue={values.endTime}
            error={failed?.errors.endTime}
          />
        </div>
        <div className="form-row">
          <TextField
            name="capacity"
            type="number"
            min={1}
            inputMode="numeric"
            label={t("timetable.field.capacity")}
            hint={t("timetable.field.capacityHint")}
            defaultValue={values.capacity}
            error={failed?.errors.capacity}
          />
          <SelectField
            name="attribution"
            label={t("timetable.field.attribution")}
            defaultValue={values.attribution}
            error={failed?.errors.attribution}
            options={attributionRules.map((r) => ({ value: r, label: t(`agenda.attribution.${r}`) }))}
          />
        </div>
        <fieldset className="speakers">
          <legend>{t("timetable.field.speakers")}</legend>
          <div className="speaker-grid">
            {people.map((p) => (
              <label key={p.id} className="check">
                <input type="checkbox" name="speakerIds" value={p.id} defaultChecked={selectedSpeakers.has(String(p.id))} />
                {p.name}
                {p.organisation ? <span className="muted"> ({p.organisation})</span> : null}
              </label>
            ))}
          </div>
        </fieldset>
        <TextAreaField
          name="guests"
          rows={2}
          label={t("timetable.field.guests")}
          hint={t("timetable.field.guestsHint")}
          defaultValue={values.guests ?? ""}
          error={failed?.errors.guests}
        />
        <TextAreaField
          name="description"
          rows={4}
          label={t("timetable.field.description")}
          hint={t("timetable.field.descriptionHint")}
          defaultValue={values.description ?? ""}
          error={failed?.errors.description}
        />
        {!selected ? (
          <label className="check">
            <input type="checkbox" name="everyRoom" value="1" defaultChecked={values.everyRoom === "1"} /> {t("timetable.everyRoom")}
          </label>
        ) : null}
        <div className="inline-form">
          <button type="submit" name="intent" value="save" className="button">
            {navigation.state === "submitting" && navigation.formData?.get("intent") === "save"
              ? t("common:common.saving")
              : t("common:common.save")}
          </button>
          {failed?.conflicts ? (
            <button type="submit" name="intent" value="saveAnyway" className="button button--danger">
              {t("timetable.saveAnyway")}
            </button>
          ) : null}
          {selected ? (
            <button
              type="submit"
              name="intent"
              value={selected.status === "cancelled" ? "restore" : "cancel"}
              className="button button--quiet"
            >
              {selected.status === "cancelled" ? t("timetable.restore") : t("timetable.cancelSession")}
            </button>
          ) : null}
          {selected ? (
            <Link to={`?day=${day}`} className="button button--quiet">
              {t("timetable.close")}
            </Link>
          ) : null}
        </div>
      </Form>
    </section>
  );
}
