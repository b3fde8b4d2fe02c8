import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import Markdown from "react-markdown";
import { sessionKinds } from "../domain/vocabulary";
import { useAgendaLive } from "../components/agenda-live";
import { EmptyState } from "../components/form";
import { DateRange, TimeRange } from "../components/time";
import { listPillars } from "../models/forum.server";
import { listRooms, listSessions, sessionView } from "../models/agenda.server";
import type { AgendaSessionView } from "../realtime/protocol";
import { matchesAgendaFilter, readAgendaFilter } from "../utils/agenda-filter";
import { editableTracks, visibleEvent } from "../models/events.server";
import {
  myEventRegistration,
  mySessionPlaces,
  registerForEvent,
  releasePlace,
  sessionPlaceCounts,
  takePlace,
  withdrawFromEvent,
  type SessionPlace,
} from "../models/registrations.server";
import { clashesAmong, setStar, starredSessionIds } from "../models/stars.server";
import { can } from "../utils/policy";
import { notFound, requireEventReader, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { dateFormatter } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { daysBetween, utcToZoned } from "../utils/zoned-time";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.event.title ?? "Agenda"} · Convene` }];

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = context.services.db;
  const { user, event } = requireEventReader(context, request, Number(params.id));
  const all = listSessions(db, event.id).map((s) => ({ ...s, day: utcToZoned(s.startsAt, event.timeZone).date }));
  const starred = user ? starredSessionIds(db, user.id, event.id) : [];
  const days = daysBetween(event.startsOn, event.endsOn);

  // Filtering happens here, so the page receives only the sessions it shows.
  const params_ = new URL(request.url).searchParams;
  const requestedDay = params_.get("day");
  const day = requestedDay && days.includes(requestedDay) ? requestedDay : (days.find((d) => all.some((s) => s.day === d)) ?? days[0]!);
  const filter = readAgendaFilter(params_, day);
  const shown = all.filter((s) => matchesAgendaFilter(s, filter, starred));
  const clashWith: Record<number, string[]> = {};
  for (const [a, b] of clashesAmong(all, starred)) {
    const title = (id: number) => all.find((s) => s.id === id)!.title;
    (clashWith[a] ??= []).push(title(b));
    (clashWith[b] ??= []).push(title(a));
  }
  // "Now" and "next" as of this request; every live change or navigation brings them up to date.
  const now = Date.now();
  const scheduled = all.filter((s) => s.status === "scheduled");
  return {
    event: {
      id: event.id,
      title: event.title,
      kind: event.kind,
      startsOn: event.startsOn,
      endsOn: event.endsOn,
      timeZone: event.timeZone,
      venue: event.venue,
      onlineUrl: event.onlineUrl,
      description: event.description,
      status: event.status,
    },
    days,
    day,
    hasSessions: all.length > 0,
    rooms: listRooms(db, event.id).map((r) => ({ id: r.id, name: r.name })),
    pillars: listPillars(db).map((p) => ({ id: p.id, slug: p.slug })),
    // Only what the page shows; a description is fetched when someone opens it.
    sessions: shown.map(sessionView),
    starred,
    clashWith,
    onNow: scheduled.filter((s) => s.startsAt.getTime() <= now && now < s.endsAt.getTime()).map((s) => s.title),
    next: scheduled
      .filter((s) => s.startsAt.getTime() > now)
      .slice(0, 3)
      .map((s) => s.title),
    signedIn: !!user,
    canEdit: !!user && editableTracks(db, user, event.id).length > 0,
    canManage: can(user, "event.manage"),
    registration: user ? myEventRegistration(db, user.id, event.id) : null,
    places: sessionPlaceCounts(db, event.id),
    myPlaces: user ? mySessionPlaces(db, user.id, event.id) : {},
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const event = visibleEvent(db, user, Number(params.id)) ?? notFound();
  const form = await readForm(request);
  const sessionId = Number(form.get("sessionId"));
  const meta = context.requestMeta;
  switch (form.get("intent")) {
    case "register":
      registerForEvent(db, user.id, event, meta);
      return { ok: true, error: null };
    case "withdraw":
      withdrawFromEvent(db, user.id, event.id, meta);
      return { ok: true, error: null };
  }
  if (!Number.isInteger(sessionId) || sessionId <= 0) return data({ ok: false, error: "errors.invalidValue" }, { status: 400 });
  switch (form.get("intent")) {
    case "star": {
      const result = setStar(db, user.id, event.id, sessionId, form.get("starred") === "1");
      return result === null ? data({ ok: false, error: "errors.notFound" }, { status: 404 }) : { ok: true, error: null };
    }
    case "take": {
      const result = takePlace(db, user.id, event.id, sessionId, meta);
      return result.ok ? { ok: true, error: null } : data({ ok: false, error: result.error }, { status: 409 });
    }
    case "release": {
      const { promoted } = releasePlace(db, user.id, event.id, sessionId, meta);
      if (promoted) context.services.live.placePromoted(promoted);
      return { ok: true, error: null };
    }
    default:
      return data({ ok: false, error: "errors.invalidValue" }, { status: 400 });
  }
}

function SessionPlaces({
  sessionId,
  title,
  capacity,
  counts,
  mine,
}: {
  sessionId: number;
  title: string;
  capacity: number;
  counts?: { confirmed: number; waitlisted: number };
  mine?: SessionPlace;
}) {
  const { t } = useTranslation("agenda");
  const fetcher = useFetcher<{ ok: boolean; error: string | null }>();
  const taken = counts?.confirmed ?? 0;
  const busy = fetcher.state !== "idle";
  return (
    <div className="places">
      <span className="muted">{t("sessionRegistration.places", { taken, capacity })}</span>
      {mine ? (
        <span className={`badge badge--${mine.status === "confirmed" ? "active" : "pending"}`}>
          {mine.status === "confirmed"
            ? t("sessionRegistration.confirmed")
            : t("sessionRegistration.waitlisted", { position: mine.position })}
        </span>
      ) : null}
      <fetcher.Form method="post">
        <input type="hidden" name="sessionId" value={sessionId} />
        {mine ? (
          <button
            type="submit"
            name="intent"
            value="release"
            className="button button--small button--quiet"
            aria-disabled={busy || undefined}
          >
            {mine.status === "confirmed" ? t("sessionRegistration.cancel") : t("sessionRegistration.leave")}
            <span className="visually-hidden"> {title}</span>
          </button>
        ) : (
          <button
            type="submit"
            name="intent"
            value="take"
            className="button button--small"
            aria-disabled={busy || undefined}
            aria-label={t("sessionRegistration.register", { title })}
          >
            {t("sessionRegistration.register", { title: "" }).trim()}
          </button>
        )}
      </fetcher.Form>
      {!mine && taken >= capacity ? <span className="muted">{t("sessionRegistration.full")}</span> : null}
    </div>
  );
}

/**
 * A session's Markdown description, parsed only when someone opens it: parsing every description
 * of a day up front made the page several times slower to render.
 */
function SessionDescription({ eventId, sessionId }: { eventId: number; sessionId: number }) {
  const { t } = useTranslation(["agenda", "common"]);
  const fetcher = useFetcher<{ markdown: string }>();
  return (
    <details
      className="session__details"
      onToggle={(e) => {
        if (e.currentTarget.open && fetcher.state === "idle" && !fetcher.data)
          fetcher.load(`/events/${eventId}/sessions/${sessionId}/description`);
      }}
    >
      <summary>{t("agenda.details")}</summary>
      {/* Markdown without raw HTML; unsafe link protocols are dropped. */}
      {fetcher.data ? <Markdown skipHtml>{fetcher.data.markdown}</Markdown> : <p className="muted">{t("common:common.loading")}</p>}
    </details>
  );
}

function StarButton({ sessionId, starred, title }: { sessionId: number; starred: boolean; title: string }) {
  const { t } = useTranslation("agenda");
  const fetcher = useFetcher();
  const pending = fetcher.formData ? fetcher.formData.get("starred") === "1" : starred;
  return (
    <fetcher.Form method="post" className="star-form">
      <input type="hidden" name="intent" value="star" />
      <input type="hidden" name="sessionId" value={sessionId} />
      <input type="hidden" name="starred" value={pending ? "0" : "1"} />
      <button type="submit" className={`star${pending ? " star--on" : ""}`} aria-pressed={pending} aria-label={t("agenda.star", { title })}>
        <span aria-hidden="true">{pending ? "★" : "☆"}</span>
      </button>
    </fetcher.Form>
  );
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
    sessions: loaderSessions,
    starred,
    clashWith,
    onNow,
    next,
    signedIn,
    canEdit,
    canManage,
    registration,
    places,
    myPlaces,
  } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const prefs = useFormatPrefs();
  const { lastChange, updates } = useAgendaLive(signedIn ? event.id : null);
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
  const useEventZone = params.get("zone") === "event";
  const zone = useEventZone ? event.timeZone : prefs.timeZone;

  const withParams = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes))
      if (v === null) p.delete(k);
      else p.set(k, v);
    return `?${p.toString()}`;
  };
  const dayLabel = (d: string) =>
    dateFormatter(prefs.locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`));
  const noticeTime = lastChange
    ? dateFormatter(prefs.locale, { timeStyle: "short", timeZone: zone }).format(new Date(lastChange.startsAt))
    : "";

  return (
    <div className="stack-lg agenda">
      <header className="page-header page-header--split">
        <div>
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
          {event.description ? <p className="event-description">{event.description}</p> : null}
        </div>
        <div className="header-actions no-print">
          {canEdit ? (
            <Link to={`/events/${event.id}/timetable`} className="button">
              {t("agenda.editTimetable")}
            </Link>
          ) : null}
          {canManage ? (
            <>
              <Link to={`/events/${event.id}/settings`} className="button button--quiet">
                {t("agenda.settings")}
              </Link>
              <a href={`/events/${event.id}/agenda.csv`} className="button button--quiet">
                {t("agenda.exportCsv")}
              </a>
            </>
          ) : null}
          <Link to={`/events/${event.id}/programme`} className="button button--quiet">
            {t("agenda.print")}
          </Link>
          {signedIn ? (
            <>
              <a href={`/events/${event.id}/agenda.ics`} className="button button--quiet">
                {t("agenda.downloadIcs")}
              </a>
              <Link to="/calendar" className="button button--quiet">
                {t("agenda.subscribe")}
              </Link>
            </>
          ) : null}
        </div>
      </header>

      {signedIn ? (
        <Form method="post" className="registration-box panel no-print">
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
            <button type="submit" name="intent" value="register" className="button">
              {t("registrations.register")}
            </button>
          )}
        </Form>
      ) : null}

      <p className="live-notice" role="status" aria-live="polite" data-testid="agenda-notice">
        {lastChange
          ? t(`agenda.notice.${lastChange.change}`, {
              kind: t(`agenda.kinds.${lastChange.kind}`),
              title: lastChange.title,
              time: noticeTime,
              room: lastChange.roomName ?? t("agenda.noRoom"),
            })
          : ""}
      </p>

      {onNow.length || next.length ? (
        <section className="now-next panel" aria-labelledby="now-next-title">
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

      <div className="zone-toggle no-print">
        <span>{t("agenda.timesIn", { zone })}</span>{" "}
        {useEventZone ? (
          <Link to={withParams({ zone: null })}>{t("agenda.showMyZone", { zone: prefs.timeZone })}</Link>
        ) : (
          <Link to={withParams({ zone: "event" })}>{t("agenda.showEventZone", { zone: event.timeZone })}</Link>
        )}
      </div>

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

      <Form method="get" className="filters panel no-print" aria-label={t("agenda.filters")} preventScrollReset>
        <input type="hidden" name="day" value={day} />
        {useEventZone ? <input type="hidden" name="zone" value="event" /> : null}
        <div className="field">
          <label htmlFor="f-q">{t("agenda.search")}</label>
          <input id="f-q" type="search" name="q" defaultValue={params.get("q") ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="f-pillar">{t("agenda.track")}</label>
          <select id="f-pillar" name="pillar" defaultValue={params.get("pillar") ?? ""}>
            <option value="">{t("agenda.allTracks")}</option>
            {pillars.map((p) => (
              <option key={p.slug} value={p.slug}>
                {t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation")}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-room">{t("agenda.room")}</label>
          <select id="f-room" name="room" defaultValue={params.get("room") ?? ""}>
            <option value="">{t("agenda.allRooms")}</option>
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-kind">{t("agenda.kind")}</label>
          <select id="f-kind" name="kind" defaultValue={params.get("kind") ?? ""}>
            <option value="">{t("agenda.allKinds")}</option>
            {sessionKinds.map((k) => (
              <option key={k} value={k}>
                {t(`agenda.kinds.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--check">
          <input id="f-mine" type="checkbox" name="mine" value="1" defaultChecked={params.get("mine") === "1"} />
          <label htmlFor="f-mine">{t("agenda.myAgenda")}</label>
        </div>
        <div className="filters__actions">
          <button type="submit" className="button">
            {t("agenda.apply")}
          </button>
          <Link to={`?day=${day}`} className="button button--quiet">
            {t("agenda.clear")}
          </Link>
        </div>
      </Form>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title" className="visually-hidden">
          {t("agenda.sessionsOf", { day: dayLabel(day) })}
        </h2>
        {sessions.length === 0 ? (
          <EmptyState title={hasSessions ? t("agenda.noMatches") : t("agenda.noSessionsYet")} />
        ) : (
          <ol className="session-list">
            {sessions.map((s) => (
              <li
                key={s.id}
                className={`session session--${s.kind}${s.status === "cancelled" ? " session--cancelled" : ""}${lastChange?.sessionId === s.id ? " session--changed" : ""}`}
                data-testid="agenda-session"
                data-session-id={s.id}
              >
                <div className="session__time">
                  <TimeRange start={s.startsAt} end={s.endsAt} timeZone={zone} />
                </div>
                <div className="session__body">
                  <p className="card__eyebrow">
                    {t(`agenda.kinds.${s.kind}`)}
                    {s.pillarSlug ? (
                      <span className="badge">{t(`common:pillars.${s.pillarSlug}` as "common:pillars.tech-innovation")}</span>
                    ) : null}
                    {s.attribution !== "on_record" ? (
                      <span className="badge badge--rule">{t(`agenda.attribution.${s.attribution}`)}</span>
                    ) : null}
                    {s.status === "cancelled" ? <span className="badge badge--revoked">{t("agenda.cancelled")}</span> : null}
                  </p>
                  <h3 className="card__title">{s.title}</h3>
                  <p className="card__meta">{s.roomName ?? t("agenda.noRoom")}</p>
                  {s.speakers.length ? (
                    <p className="card__meta">
                      {s.speakers.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join(", ")}
                    </p>
                  ) : null}
                  {signedIn && s.capacity && s.status === "scheduled" ? (
                    <SessionPlaces sessionId={s.id} title={s.title} capacity={s.capacity} counts={places[s.id]} mine={myPlaces[s.id]} />
                  ) : null}
                  {s.hasDescription ? <SessionDescription eventId={event.id} sessionId={s.id} /> : null}
                  {clashWith[s.id]?.length ? (
                    <p className="clash" role="note">
                      {t("agenda.clashesWith", { titles: clashWith[s.id]!.join(", ") })}
                    </p>
                  ) : null}
                </div>
                {signedIn ? <StarButton sessionId={s.id} starred={starred.includes(s.id)} title={s.title} /> : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
