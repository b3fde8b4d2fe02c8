import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "../components/form";
import { ConflictList, TimetableSessionForm } from "../components/timetable-form";
import { TimetableGrid } from "../components/timetable-grid";
import { editableTracks, visibleEvent } from "../models/events.server";
import { timetableAction, timetableEditorData, type MovedFrom } from "../models/timetable.server";
import { forbidden, notFound, requireUser } from "../utils/auth.server";
import { formatCalendarDate } from "../utils/format";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("titles.timetable");

/** The editor is for people who edit at least one track of an event they may see. */
function editorContext(context: LoaderFunctionArgs["context"], request: Request, eventId: number) {
  const user = requireUser(context, request);
  const event = visibleEvent(context.services.db, user, eventId) ?? notFound();
  const tracks = editableTracks(context.services.db, user, event.id);
  if (tracks.length === 0) throw forbidden();
  return { user, event, tracks };
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, event, tracks } = editorContext(context, request, Number(params.id));
  return timetableEditorData(context.services.db, user, event, tracks, new URL(request.url).searchParams.get("session"));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, event } = editorContext(context, request, Number(params.id));
  const form = await readForm(request);
  return timetableAction(context.services.db, user, event, form, context.requestMeta);
}

export default function Timetable() {
  const { t } = useTranslation(["agenda", "common"]);
  const { event, days, rooms, pillars, allowNoTrack, people, sessions, selected } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();

  const day = params.get("day") && days.includes(params.get("day")!) ? params.get("day")! : (selected?.values.date ?? days[0]!);
  const failed = actionData && !actionData.ok ? actionData : null;
  const failedSave = failed && failed.intent === "save" ? failed : null;
  const slot = newSessionSlot(params, rooms);
  const formValues: Record<string, string> = failedSave?.values ??
    selected?.values ?? {
      date: day,
      kind: "workshop",
      attribution: "on_record",
      roomId: slot?.roomId ?? "",
      startTime: slot?.startTime ?? "09:00",
      endTime: slot?.endTime ?? "10:00",
    };
  // The new-session form starts clean after every successful save; a refused one keeps what was typed.
  const lastSaved = useRef<number | null>(null);
  if (actionData?.ok && actionData.intent === "save") lastSaved.current = actionData.at;
  const formKey = selected
    ? `session-${selected.id}`
    : `new-${lastSaved.current ?? 0}-${day}-${slot?.roomId ?? ""}-${slot?.startTime ?? ""}`;

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

      <div className="timetable-status">
        {actionData?.ok ? (
          actionData.moved ? (
            <MovedNotice moved={actionData.moved} />
          ) : (
            <FormAlert tone="success" message={t(actionData.message as "timetable.saved.save")} />
          )
        ) : null}
      </div>
      {failed && failed.intent === "move" ? (
        <div className="alert alert--error" role="alert">
          <p>{t(failed.errors.form as "timetable.conflictsFound")}</p>
          {failed.conflicts ? (
            <>
              <ConflictList conflicts={failed.conflicts} />
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
      <TimetableGrid day={day} rooms={rooms} sessions={sessions.filter((s) => s.date === day)} />

      <TimetableSessionForm
        key={formKey}
        selected={selected}
        failed={failedSave}
        values={formValues}
        focusTitle={!selected && slot !== null}
        day={day}
        days={days}
        rooms={rooms}
        pillars={pillars}
        allowNoTrack={allowNoTrack}
        people={people}
      />
    </div>
  );
}

/** An empty slot of the grid chosen for a new session (`room`, `start`): an hour long, within the day. */
function newSessionSlot(params: URLSearchParams, rooms: readonly { id: number }[]) {
  const start = params.get("start");
  if (!start || !/^([01]\d|2[0-3]):[0-5]\d$/.test(start)) return null;
  const room = params.get("room");
  const roomId = room && rooms.some((r) => String(r.id) === room) ? room : "";
  const minutes = Math.min(Number(start.slice(0, 2)) * 60 + Number(start.slice(3)) + 60, 24 * 60 - 1);
  const endTime = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
  return { roomId, startTime: start, endTime };
}

/** "Moved “X” to Tue 10:00 · Undo": Undo posts the same move back to where the session was. */
function MovedNotice({ moved }: { moved: { title: string; date: string; start: string; from: MovedFrom } }) {
  const { t } = useTranslation("agenda");
  const { locale } = useFormatPrefs();
  const when = `${formatCalendarDate(moved.date, locale, { weekday: "short" })} ${moved.start}`;
  return (
    <div className="alert alert--success tt-moved" role="status">
      <span>{t("timetable.movedTo", { title: moved.title, when })}</span>
      <Form method="post" preventScrollReset className="tt-moved__undo">
        <input type="hidden" name="intent" value="move" />
        <input type="hidden" name="undo" value="1" />
        {Object.entries(moved.from).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <button type="submit" className="button button--small" aria-label={t("timetable.undoMove", { title: moved.title })}>
          {t("timetable.undo")}
        </button>
      </Form>
    </div>
  );
}
