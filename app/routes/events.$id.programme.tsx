import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { listSessions } from "../models/agenda.server";
import { requireEventReader } from "../utils/auth.server";
import { formatCalendarDate } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { daysBetween, utcToZoned } from "../utils/zoned-time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.event.title ?? ""} · Convene` }];

/** The whole programme, one day per printed page, in the event's local time. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = context.services.db;
  const { event } = requireEventReader(context, request, Number(params.id));
  const sessions = listSessions(db, event.id).map((s) => ({
    id: s.id,
    title: s.title,
    kind: s.kind,
    status: s.status,
    room: s.roomName,
    pillarSlug: s.pillarSlug,
    attribution: s.attribution,
    speakers: s.speakers.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join(", "),
    day: utcToZoned(s.startsAt, event.timeZone).date,
    start: utcToZoned(s.startsAt, event.timeZone).time,
    end: utcToZoned(s.endsAt, event.timeZone).time,
  }));
  return {
    event: { id: event.id, title: event.title, timeZone: event.timeZone, venue: event.venue },
    days: daysBetween(event.startsOn, event.endsOn),
    sessions,
  };
}

export default function Programme() {
  const { t } = useTranslation(["agenda", "common"]);
  const { event, days, sessions } = useLoaderData<typeof loader>();
  const { locale } = useFormatPrefs();
  return (
    <div className="programme">
      <p className="no-print">
        <Link to={`/events/${event.id}`}>← {event.title}</Link>{" "}
        <button type="button" className="button button--small" onClick={() => window.print()}>
          {t("agenda.print")}
        </button>
      </p>
      {days.map((day, i) => {
        const list = sessions.filter((s) => s.day === day);
        return (
          <section key={day} className="programme-day" aria-labelledby={`day-${day}`}>
            <p className="card__eyebrow">{event.title}</p>
            <h1 id={`day-${day}`}>
              {t("agenda.dayN", { n: i + 1 })}: {formatCalendarDate(day, locale, { dateStyle: "full" })}
            </h1>
            <p className="muted">{t("agenda.timesIn", { zone: event.timeZone })}</p>
            {list.length === 0 ? (
              <p>{t("agenda.noSessionsYet")}</p>
            ) : (
              <table className="table programme-table">
                <thead>
                  <tr>
                    <th scope="col">{t("timetable.field.start")}</th>
                    <th scope="col">{t("agenda.room")}</th>
                    <th scope="col">{t("timetable.field.title")}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.id} className={s.status === "cancelled" ? "session--cancelled" : undefined}>
                      <td data-label={t("timetable.field.start")}>
                        {s.start}–{s.end}
                      </td>
                      <td data-label={t("agenda.room")}>{s.room ?? t("agenda.noRoom")}</td>
                      <td data-label={t("timetable.field.title")}>
                        <span className="cell-title">
                          {s.title}
                          {s.status === "cancelled" ? ` (${t("agenda.cancelled")})` : ""}
                        </span>
                        <span className="cell-sub">
                          {t(`agenda.kinds.${s.kind}`)}
                          {s.pillarSlug ? ` · ${t(`common:pillars.${s.pillarSlug}` as "common:pillars.tech-innovation")}` : ""}
                          {s.attribution !== "on_record" ? ` · ${t(`agenda.attribution.${s.attribution}`)}` : ""}
                        </span>
                        {s.speakers ? <span className="cell-sub">{s.speakers}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </div>
  );
}
