import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { attributionRules, sessionKinds } from "../domain/vocabulary";
import { FormAlert, SelectField, TextAreaField, TextField } from "../components/form";
import type { Conflict } from "../models/agenda.server";
import { listRooms, listSessions } from "../models/agenda.server";
import { editableTracks, visibleEvent } from "../models/events.server";
import { listPillars } from "../models/forum.server";
import { listPeople } from "../models/people.server";
import { changeStatus, formValuesOf, moveSession, saveFromForm, type TimetableResult } from "../models/timetable.server";
import { forbidden, notFound, requireUser } from "../utils/auth.server";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import type { Services } from "../../server/context";
import { SessionFormSchema } from "../utils/validation";
import { daysBetween, utcToZoned } from "../utils/zoned-time";

export const meta: MetaFunction = pageTitle("titles.timetable");

const SLOT_MINUTES = 15;

function editorContext(context: LoaderFunctionArgs["context"], request: Request, eventId: number) {
  const user = requireUser(context, request);
  const event = visibleEvent(context.services.db, user, eventId) ?? notFound();
  const tracks = editableTracks(context.services.db, user, event.id);
  if (tracks.length === 0) throw forbidden();
  return { user, event, tracks };
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, event, tracks } = editorContext(context, request, Number(params.id));
  const db = context.services.db;
  const url = new URL(request.url);
  const selectedId = Number(url.searchParams.get("session"));
  const selected = Number.isInteger(selectedId) && selectedId > 0 ? formValuesOf(db, event, selectedId) : null;
  const secretariat = user.role === "secretariat";
  return {
    event: { id: event.id, title: event.title, timeZone: event.timeZone },
    days: daysBetween(event.startsOn, event.endsOn),
    rooms: listRooms(db, event.id).map((r) => ({ id: r.id, name: r.name })),
    pillars: listPillars(db)
      .filter((p) => tracks.includes(p.id))
      .map((p) => ({ id: p.id, slug: p.slug })),
    allowNoTrack: secretariat,
    people: listPeople(db)
      .filter((p) => p.status === "active")
      .map((p) => ({ id: p.id, name: p.name, organisation: p.organisationName })),
    sessions: listSessions(db, event.id).map((s) => {
      const start = utcToZoned(s.startsAt, event.timeZone);
      const end = utcToZoned(s.endsAt, event.timeZone);
      return {
        id: s.id,
        title: s.title,
        kind: s.kind,
        status: s.status,
        roomId: s.roomId,
        pillarId: s.pillarId,
        date: start.date,
        start: start.time,
        end: end.time,
        editable: tracks.includes(s.pillarId ?? -1) || (secretariat && s.pillarId === null),
      };
    }),
    selected,
  };
}

type ActionData =
  | { ok: true; message: string }
  | { ok: false; errors: Record<string, string>; values: Record<string, string>; conflicts?: Conflict[]; intent: string };

function answer(result: TimetableResult, intent: string, values: Record<string, string>, live: Pick<Services["live"], "agendaChanged">) {
  if (result.ok) {
    for (const change of result.changes) live.agendaChanged(change);
    return data<ActionData>({ ok: true, message: `timetable.saved.${intent}` });
  }
  if (result.reason === "forbidden") throw forbidden();
  if (result.reason === "not_found") return notFound();
  if (result.reason === "conflicts")
    return data<ActionData>(
      { ok: false, errors: { form: "timetable.conflictsFound" }, values, conflicts: result.conflicts, intent },
      { status: 409 },
    );
  return data<ActionData>({ ok: false, errors: { [result.field]: result.error }, values, intent }, { status: 400 });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, event } = editorContext(context, request, Number(params.id));
  const { db, live } = context.services;
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const sessionId = Number(form.get("sessionId")) || null;
  const meta = context.requestMeta;

  // "Save anyway" is the same save, confirmed after the clashes were shown.
  if (intent === "save" || intent === "saveAnyway") {
    const parsed = parseForm(form, SessionFormSchema);
    if (!parsed.ok) return data<ActionData>({ ...parsed, intent: "save" }, { status: 400 });
    const { acceptConflicts: confirmed, everyRoom, ...input } = parsed.data;
    const acceptConflicts = confirmed || intent === "saveAnyway";
    return answer(
      saveFromForm(db, user, event, sessionId, input, { acceptConflicts, everyRoom }, meta),
      "save",
      keptValues(form),
      live,
    );
  }
  if ((intent === "move" || intent === "cancel" || intent === "restore") && sessionId) {
    if (intent !== "move")
      return answer(changeStatus(db, user, event, sessionId, intent === "cancel" ? "cancelled" : "scheduled", meta), intent, {}, live);
    const slot = SessionFormSchema.pick({ roomId: true, date: true, startTime: true, endTime: true }).safeParse(
      Object.fromEntries(form.entries()),
    );
    if (!slot.success) return data<ActionData>({ ok: false, errors: { form: "errors.invalidValue" }, values: {}, intent }, { status: 400 });
    const values = keptValues(form);
    return answer(
      moveSession(db, user, event, sessionId, slot.data, { acceptConflicts: form.get("acceptConflicts") === "1" }, meta),
      intent,
      values,
      live,
    );
  }
  return data<ActionData>({ ok: false, errors: { form: "errors.invalidValue" }, values: {}, intent }, { status: 400 });
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toHhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

export default function Timetable() {
  const { t } = useTranslation(["agenda", "common"]);
  const { event, days, rooms, pillars, allowNoTrack, people, sessions, selected } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const submit = useSubmit();
  const navigation = useNavigation();
  const grid = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState<{ id: number; mode: "move" | "resize" } | null>(null);

  const day = params.get("day") && days.includes(params.get("day")!) ? params.get("day")! : (selected?.values.date ?? days[0]!);
  const daySessions = sessions.filter((s) => s.date === day);
  const first = Math.min(8 * 60, ...daySessions.map((s) => toMinutes(s.start)));
  const last = Math.max(19 * 60, ...daySessions.map((s) => toMinutes(s.end) || 24 * 60));
  const startSlot = Math.floor(first / SLOT_MINUTES) * SLOT_MINUTES;
  const slots: number[] = [];
  for (let m = startSlot; m < last; m += SLOT_MINUTES) slots.push(m);
  const row = (hhmm: string) => Math.round((toMinutes(hhmm) - startSlot) / SLOT_MINUTES) + 2;

  // Overlaps in one room, flagged on the grid as well as refused on save.
  const clashing = new Set<number>();
  for (const a of daySessions)
    for (const b of daySessions)
      if (
        a.id < b.id &&
        a.roomId !== null &&
        a.roomId === b.roomId &&
        a.status === "scheduled" &&
        b.status === "scheduled" &&
        a.start < b.end &&
        b.start < a.end
      ) {
        clashing.add(a.id);
        clashing.add(b.id);
      }

  const onPointerUp = (e: React.PointerEvent) => {
    if (!dragging) return;
    const session = sessions.find((s) => s.id === dragging.id)!;
    setDragging(null);
    const target = (
      document.elementsFromPoint(e.clientX, e.clientY).find((el) => (el as HTMLElement).dataset.slot) as HTMLElement | undefined
    )?.dataset;
    if (!target?.slot) return;
    const slot = Number(target.slot);
    const duration = toMinutes(session.end) - toMinutes(session.start);
    const move =
      dragging.mode === "move"
        ? { roomId: target.room ?? "", startTime: toHhmm(slot), endTime: toHhmm(Math.min(slot + duration, 24 * 60 - 1)) }
        : {
            roomId: session.roomId ? String(session.roomId) : "",
            startTime: session.start,
            endTime: toHhmm(Math.max(slot + SLOT_MINUTES, toMinutes(session.start) + SLOT_MINUTES)),
          };
    if (move.roomId === String(session.roomId ?? "") && move.startTime === session.start && move.endTime === session.end) return;
    submit({ intent: "move", sessionId: String(session.id), date: day, ...move }, { method: "post", preventScrollReset: true });
  };

  const failed = actionData && !actionData.ok ? actionData : null;
  const formValues: Record<string, string> =
    failed && failed.intent === "save"
      ? failed.values
      : (selected?.values ?? { date: day, kind: "workshop", attribution: "on_record", startTime: "09:00", endTime: "10:00" });
  const selectedSpeakers = new Set((formValues.speakerIds ?? "").split(",").filter(Boolean));
  const conflictText = (c: Conflict) =>
    c.kind === "outside_event"
      ? t("timetable.conflict.outside")
      : c.kind === "room"
        ? t("timetable.conflict.room", { title: c.title })
        : t("timetable.conflict.speaker", { speaker: c.speaker, title: c.title });

  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <p>
            <Link to={`/events/${event.id}`}>← {event.title}</Link>
          </p>
          <h1>{t("timetable.title")}</h1>
          <p className="lead">{t("timetable.lead", { zone: event.timeZone })}</p>
        </div>
        <Link to={`?day=${day}&new=1#session-form`} className="button">
          {t("timetable.newSession")}
        </Link>
      </header>

      {actionData?.ok ? <FormAlert tone="success" message={t(actionData.message as "timetable.saved.save")} /> : null}
      {failed && failed.intent === "move" ? (
        <div className="alert alert--error" role="alert">
          <p>{t(failed.errors.form as "timetable.conflictsFound")}</p>
          {failed.conflicts ? (
            <>
              <ul>
                {failed.conflicts.map((c, i) => (
                  <li key={i}>{conflictText(c)}</li>
                ))}
              </ul>
              <Form method="post" preventScrollReset>
                {Object.entries(failed.values).map(([k, v]) => (
                  <input key={k} type="hidden" name={k} value={v} />
                ))}
                <input type="hidden" name="acceptConflicts" value="1" />
                <button type="submit" className="button button--danger button--small">
                  {t("timetable.moveAnyway")}
                </button>
              </Form>
            </>
          ) : null}
        </div>
      ) : null}

      <nav aria-label={t("agenda.days")} className="day-tabs">
        <ul>
          {days.map((d, i) => (
            <li key={d}>
              <Link to={`?day=${d}`} aria-current={d === day ? "page" : undefined}>
                {t("agenda.dayN", { n: i + 1 })} <span className="muted">{d}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <p className="muted">{t("timetable.dragHint")}</p>
      <div className="timetable-wrap" role="region" aria-label={t("timetable.gridLabel", { day })} tabIndex={0}>
        <div
          ref={grid}
          className={`timetable${dragging ? " timetable--dragging" : ""}`}
          style={{
            gridTemplateColumns: `4.5rem repeat(${rooms.length}, minmax(9rem, 1fr))`,
            gridTemplateRows: `auto repeat(${slots.length}, 1.25rem)`,
          }}
          onPointerUp={onPointerUp}
          onPointerCancel={() => setDragging(null)}
          aria-busy={navigation.state !== "idle"}
        >
          <div className="timetable__corner" />
          {rooms.map((r, i) => (
            <div key={r.id} className="timetable__room" style={{ gridColumn: i + 2, gridRow: 1 }}>
              {r.name}
            </div>
          ))}
          {slots.map((m, i) => (
            <div key={`t${m}`} className="timetable__time" style={{ gridColumn: 1, gridRow: i + 2 }} aria-hidden={m % 60 !== 0}>
              {m % 60 === 0 ? toHhmm(m) : ""}
            </div>
          ))}
          {rooms.map((r, ri) =>
            slots.map((m, i) => (
              <div
                key={`${r.id}-${m}`}
                className="timetable__cell"
                data-slot={m}
                data-room={r.id}
                style={{ gridColumn: ri + 2, gridRow: i + 2 }}
              />
            )),
          )}
          {daySessions
            .filter((s) => s.roomId !== null)
            .map((s) => {
              const col = rooms.findIndex((r) => r.id === s.roomId) + 2;
              return (
                <div
                  key={s.id}
                  className={`tt-session tt-session--${s.kind}${s.status === "cancelled" ? " tt-session--cancelled" : ""}${clashing.has(s.id) ? " tt-session--clash" : ""}${dragging?.id === s.id ? " tt-session--dragging" : ""}`}
                  style={{ gridColumn: col, gridRow: `${row(s.start)} / ${Math.max(row(s.end), row(s.start) + 1)}` }}
                  data-testid="tt-session"
                  data-session-id={s.id}
                  onPointerDown={(e) => {
                    if (!s.editable || (e.target as HTMLElement).closest("a,button")) return;
                    e.preventDefault();
                    setDragging({ id: s.id, mode: "move" });
                  }}
                >
                  <span className="tt-session__time">
                    {s.start}–{s.end}
                  </span>
                  <span className="tt-session__title">{s.title}</span>
                  {clashing.has(s.id) ? <span className="tt-session__flag">{t("timetable.clashFlag")}</span> : null}
                  {s.editable ? (
                    <>
                      <Link
                        to={`?day=${day}&session=${s.id}#session-form`}
                        className="tt-session__edit"
                        aria-label={t("timetable.editSession", { title: s.title })}
                      >
                        {t("timetable.edit")}
                      </Link>
                      <span
                        className="tt-session__resize"
                        aria-hidden="true"
                        onPointerDown={(e) => {
                          e.preventDefault();
                          e.stopPropagation();
                          setDragging({ id: s.id, mode: "resize" });
                        }}
                      />
                    </>
                  ) : null}
                </div>
              );
            })}
        </div>
      </div>

      <section id="session-form" className="panel" aria-labelledby="session-form-title">
        <h2 id="session-form-title">{selected ? t("timetable.editTitle", { title: selected.values.title }) : t("timetable.newTitle")}</h2>
        <Form method="post" noValidate className="stack" key={selected?.id ?? "new"} preventScrollReset>
          {selected ? <input type="hidden" name="sessionId" value={selected.id} /> : null}
          {failed && failed.intent === "save" ? (
            <div className="alert alert--error" role="alert">
              <p>{t(failed.errors.form ?? "timetable.fixErrors", { defaultValue: t("timetable.fixErrors") })}</p>
              {failed.conflicts ? (
                <ul>
                  {failed.conflicts.map((c, i) => (
                    <li key={i}>{conflictText(c)}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          <TextField
            name="title"
            label={t("timetable.field.title")}
            required
            defaultValue={formValues.title}
            error={failed?.errors.title}
          />
          <div className="form-row">
            <SelectField
              name="kind"
              label={t("agenda.kind")}
              defaultValue={formValues.kind}
              error={failed?.errors.kind}
              options={sessionKinds.map((k) => ({ value: k, label: t(`agenda.kinds.${k}`) }))}
            />
            <SelectField
              name="pillarId"
              label={t("agenda.track")}
              defaultValue={formValues.pillarId ?? ""}
              error={failed?.errors.pillarId}
              options={[
                ...(allowNoTrack ? [{ value: "", label: t("timetable.noTrack") }] : []),
                ...pillars.map((p) => ({ value: String(p.id), label: t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation") })),
              ]}
            />
            <SelectField
              name="roomId"
              label={t("agenda.room")}
              defaultValue={formValues.roomId ?? ""}
              error={failed?.errors.roomId}
              options={[{ value: "", label: t("agenda.noRoom") }, ...rooms.map((r) => ({ value: String(r.id), label: r.name }))]}
            />
          </div>
          <div className="form-row">
            <SelectField
              name="date"
              label={t("timetable.field.date")}
              defaultValue={formValues.date ?? day}
              error={failed?.errors.date}
              options={days.map((d, i) => ({ value: d, label: `${t("agenda.dayN", { n: i + 1 })} (${d})` }))}
            />
            <TextField
              name="startTime"
              type="time"
              step={SLOT_MINUTES * 60}
              label={t("timetable.field.start")}
              required
              defaultValue={formValues.startTime}
              error={failed?.errors.startTime}
            />
            <TextField
              name="endTime"
              type="time"
              step={SLOT_MINUTES * 60}
              label={t("timetable.field.end")}
              required
              defaultValue={formValues.endTime}
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
              defaultValue={formValues.capacity}
              error={failed?.errors.capacity}
            />
            <SelectField
              name="attribution"
              label={t("timetable.field.attribution")}
              defaultValue={formValues.attribution}
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
            defaultValue={formValues.guests ?? ""}
            error={failed?.errors.guests}
          />
          <TextAreaField
            name="description"
            rows={4}
            label={t("timetable.field.description")}
            hint={t("timetable.field.descriptionHint")}
            defaultValue={formValues.description ?? ""}
            error={failed?.errors.description}
          />
          {!selected ? (
            <label className="check">
              <input type="checkbox" name="everyRoom" value="1" defaultChecked={formValues.everyRoom === "1"} /> {t("timetable.everyRoom")}
            </label>
          ) : null}
          <div className="inline-form">
            <button type="submit" name="intent" value="save" className="button">
              {navigation.state === "submitting" && navigation.formData?.get("intent") === "save"
                ? t("common:common.saving")
                : t("common:common.save")}
            </button>
            {failed?.conflicts && failed.intent === "save" ? (
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
    </div>
  );
}
