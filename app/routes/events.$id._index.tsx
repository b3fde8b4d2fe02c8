import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { AgendaFilters } from "../components/agenda-filters";
import { useAgendaLive } from "../components/agenda-live";
import { AgendaSessionItem, PlacesForm, StarsForm, useAgendaLabels, usePlaces, useStars } from "../components/agenda-session";
import { useRealtime } from "../components/realtime";
import { EmptyState } from "../components/form";
import { DateRange } from "../components/time";
import { visibleEvent } from "../models/events.server";
import { agendaPageAction, agendaPageData } from "../models/event-page.server";
import type { AgendaSessionView } from "../realtime/protocol";
import { sessionsFromData } from "../utils/agenda-data";
import { groupAcrossRooms, matchesAgendaFilter, readAgendaFilter } from "../utils/agenda-filter";
import { notFound, requireEventReader, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { dateFormatter } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { noticeTime } from "../utils/session-time";
import { utcToZoned } from "../utils/zoned-time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.event.title ?? "Agenda"} · Convene` }];

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, event } = requireEventReader(context, request, Number(params.id));
  return agendaPageData(context.services.db, user, event, new URL(request.url).searchParams);
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const event = visibleEvent(db, user, Number(params.id)) ?? notFound();
  const form = await readForm(request);
  return agendaPageAction(db, user, event, form, context.requestMeta);
}

export default function Agenda() {
  const { t } = useTranslation(["agenda", "common"]);
  const {
    event,
    days,
    day,
    hasSessions,
    rooms,
    pillars,
    sessions: sent,
    people,
    starred,
    clashWith,
    onNow,
    next,
    signedIn,
    canEdit,
    canManage,
    registration,
    placeAccess,
    places,
    myPlaces,
  } = useLoaderData<typeof loader>();
  const loaderSessions = useMemo(() => sessionsFromData(sent, people, rooms), [sent, people, rooms]);
  const labels = useAgendaLabels();
  const stars = useStars();
  const placeForms = usePlaces();
  const [params] = useSearchParams();
  const prefs = useFormatPrefs();
  const useEventZone = params.get("zone") === "event";
  const zone = useEventZone ? event.timeZone : prefs.timeZone;
  const { notify } = useRealtime();
  const { lastChange, updates, closed } = useAgendaLive(signedIn ? event.id : null, (change) =>
    // Each change is told where the person is, until they dismiss it; its time carries the date unless it is today.
    notify({
      tone: "info",
      testId: "agenda-notice",
      message: t(`agenda.notice.${change.change}`, {
        kind: t(`agenda.kinds.${change.session.kind}`),
        title: change.session.title,
        time: noticeTime(change.session.startsAt, { locale: prefs.locale, timeZone: zone }),
        room: change.session.roomName ?? t("agenda.noRoom"),
      }),
    }),
  );
  // Live changes are applied here, on top of the loader's data: newer copies win, and a session
  // moved onto this day (or created) joins the list when it matches the filters.
  const filter = readAgendaFilter(params, day);
  const byId = new Map<number, AgendaSessionView>(loaderSessions.map((s) => [s.id, s]));
  for (const u of updates.values()) {
    const known = byId.get(u.id);
    if (!known || u.sequence > known.sequence) byId.set(u.id, u);
  }
  const sessions = [...byId.values()]
    .filter(
      (s) =>
        !updates.has(s.id) || matchesAgendaFilter({ ...s, day: utcToZoned(new Date(s.startsAt), event.timeZone).date }, filter, starred),
    )
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id - b.id);
  const cards = groupAcrossRooms(sessions, rooms);
  const activeFilters = [filter.q, filter.pillar, filter.room, filter.kind, filter.mine || null].filter(Boolean).length;

  const withParams = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes))
      if (v === null) p.delete(k);
      else p.set(k, v);
    return `?${p.toString()}`;
  };
  const dayLabel = (d: string) =>
    dateFormatter(prefs.locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`));

  return (
    <div className="stack agenda">
      <header className="page-header agenda-header">
        <p className="card__eyebrow">{t(`common:eventKind.${event.kind}`)}</p>
        <h1>{event.title}</h1>
        <p className="lead">
          <DateRange start={event.startsOn} end={event.endsOn} /> · {event.venue ?? t("common:home.online")}
          {event.onlineUrl ? (
            <>
              {" · "}
              <a href={event.onlineUrl} rel="noopener noreferrer">
                {t("agenda.joinOnline")}
              </a>
            </>
          ) : null}
        </p>
      </header>

      <div className="agenda-toolbar no-print">
        {canEdit ? (
          <Link to={`/events/${event.id}/timetable`} className="button button--small">
            {t("agenda.editTimetable")}
          </Link>
        ) : null}
        {canManage ? (
          <Link to={`/events/${event.id}/settings`} className="button button--small button--quiet">
            {t("agenda.settings")}
          </Link>
        ) : null}
        <details className="disclosure agenda-export">
          <summary className="button button--small button--quiet">{t("agenda.export")}</summary>
          <ul className="disclosure__menu">
            {signedIn ? (
              <>
                <li>
                  <a href={`/events/${event.id}/agenda.ics`}>{t("agenda.downloadIcs")}</a>
                </li>
                <li>
                  <Link to="/calendar">{t("agenda.subscribe")}</Link>
                </li>
              </>
            ) : null}
            {canManage ? (
              <li>
                <a href={`/events/${event.id}/agenda.csv`}>{t("agenda.exportCsv")}</a>
              </li>
            ) : null}
            <li>
              <Link to={`/events/${event.id}/programme`}>{t("agenda.print")}</Link>
            </li>
          </ul>
        </details>
        {signedIn ? (
          <Form method="post" className="registration-box" id="registration">
            {registration ? (
              <>
                <span
                  className={`badge badge--${registration.status === "approved" ? "active" : registration.status === "pending" ? "pending" : "revoked"}`}
                >
                  {t(`registrations.status.${registration.status}`)}
                </span>
                <button type="submit" name="intent" value="withdraw" className="button button--small button--quiet">
                  {t("registrations.withdraw")}
                </button>
              </>
            ) : (
              <button type="submit" name="intent" value="register" className="button button--small">
                {t("registrations.register")}
              </button>
            )}
          </Form>
        ) : null}
      </div>

      {closed ? (
        <div className="alert alert--error" role="alert" data-testid="agenda-closed">
          <p>{t("agenda.accessRemoved")}</p>
          <p>
            <Link to="/events">{t("agenda.accessRemovedLink")}</Link>
          </p>
        </div>
      ) : null}

      {onNow.length || next.length ? (
        <section className="now-next" aria-labelledby="now-next-title">
          <h2 id="now-next-title" className="visually-hidden">
            {t("agenda.nowNext")}
          </h2>
          {onNow.length ? (
            <p>
              <strong>{t("agenda.now")}</strong> {onNow.join(" · ")}
            </p>
          ) : null}
          {next.length ? (
            <p>
              <strong>{t("agenda.next")}</strong> {next.join(" · ")}
            </p>
          ) : null}
        </section>
      ) : null}

      <nav aria-label={t("agenda.days")} className="day-tabs no-print">
        <ul>
          {days.map((d, i) => (
            <li key={d}>
              <Link to={withParams({ day: d })} aria-current={d === day ? "page" : undefined} preventScrollReset>
                {t("agenda.dayN", { n: i + 1 })} <span className="muted">{dayLabel(d)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <div className="agenda-controls no-print">
        <details className="disclosure agenda-filters">
          <summary className="button button--small button--quiet" data-testid="filters-toggle">
            {activeFilters ? t("agenda.filtersActive", { count: activeFilters }) : t("agenda.filtersToggle")}
          </summary>
          <AgendaFilters day={day} useEventZone={useEventZone} pillars={pillars} rooms={rooms} />
        </details>
        <p className="zone-toggle">
          <span>{t("agenda.timesIn", { zone })}</span>{" "}
          {useEventZone ? (
            <Link to={withParams({ zone: null })}>{t("agenda.showMyZone", { zone: prefs.timeZone })}</Link>
          ) : (
            <Link to={withParams({ zone: "event" })}>{t("agenda.showEventZone", { zone: event.timeZone })}</Link>
          )}
        </p>
      </div>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title" className="visually-hidden">
          {t("agenda.sessionsOf", { day: dayLabel(day) })}
        </h2>
        {cards.length === 0 ? (
          <EmptyState title={hasSessions ? t("agenda.noMatches") : t("agenda.noSessionsYet")} />
        ) : (
          <>
            {signedIn ? (
              <>
                <StarsForm stars={stars} />
                {placeAccess ? <PlacesForm places={placeForms} /> : null}
              </>
            ) : null}
            <ol className="session-list">
              {cards.map(({ session: s, ids, roomNames, everyRoom }) => (
                <AgendaSessionItem
                  key={s.id}
                  session={s}
                  ids={ids}
                  roomNames={roomNames}
                  everyRoom={everyRoom}
                  eventId={event.id}
                  zone={zone}
                  locale={prefs.locale}
                  tabDate={day}
                  signedIn={signedIn}
                  changed={!!lastChange && ids.includes(lastChange.sessionId)}
                  starred={ids.some((id) => starred.includes(id))}
                  clashesWith={[...new Set(ids.flatMap((id) => clashWith[id] ?? []))]}
                  counts={places[s.id]}
                  mine={myPlaces[s.id]}
                  placeAccess={placeAccess}
                  labels={labels}
                  stars={stars}
                  places={placeForms}
                />
              ))}
            </ol>
          </>
        )}
      </section>

      {event.description ? (
        <section aria-labelledby="about-event" className="event-about">
          <h2 id="about-event">{t("agenda.aboutEvent")}</h2>
          <p className="event-description">{event.description}</p>
        </section>
      ) : null}
    </div>
  );
}
