import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "../components/form";
import { ConflictList, TimetableSessionForm } from "../components/timetable-form";
import { TimetableGrid } from "../components/timetable-grid";
import { editableTracks, visibleEvent } from "../models/events.server";
import { timetableAction, timetableEditorData } from "../models/timetable.server";
import { forbidden, notFound, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

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
  const formValues: Record<string, string> = failedSave?.values ??
    selected?.values ?? { date: day, kind: "workshop", attribution: "on_record", startTime: "09:00", endTime: "10:00" };

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
        selected={selected}
        failed={failedSave}
        values={formValues}
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
