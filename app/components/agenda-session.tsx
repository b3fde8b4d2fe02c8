import { Link, useFetcher } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import Markdown from "react-markdown";
import type { SessionPlace } from "../models/registrations.server";
import type { AgendaSessionView } from "../realtime/protocol";
import { TimeRange } from "./time";

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

/**
 * One session of the agenda list: its time in `zone`, track and rules, room and speakers, and for a
 * signed-in reader its places, star and clashes with the rest of their agenda.
 */
export function AgendaSessionItem({
  session: s,
  eventId,
  zone,
  signedIn,
  changed,
  starred,
  clashesWith,
  counts,
  mine,
}: {
  session: AgendaSessionView;
  eventId: number;
  zone: string;
  signedIn: boolean;
  /** The session the last live change was about, highlighted. */
  changed: boolean;
  starred: boolean;
  clashesWith?: readonly string[];
  counts?: { confirmed: number; waitlisted: number };
  mine?: SessionPlace;
}) {
  const { t } = useTranslation(["agenda", "common", "breakouts"]);
  return (
    <li
      className={`session session--${s.kind}${s.status === "cancelled" ? " session--cancelled" : ""}${changed ? " session--changed" : ""}`}
      data-testid="agenda-session"
      data-session-id={s.id}
    >
      <div className="session__time">
        <TimeRange start={s.startsAt} end={s.endsAt} timeZone={zone} />
      </div>
      <div className="session__body">
        <p className="card__eyebrow">
          {t(`agenda.kinds.${s.kind}`)}
          {s.pillarSlug ? <span className="badge">{t(`common:pillars.${s.pillarSlug}` as "common:pillars.tech-innovation")}</span> : null}
          {s.attribution !== "on_record" ? <span className="badge badge--rule">{t(`agenda.attribution.${s.attribution}`)}</span> : null}
          {s.status === "cancelled" ? <span className="badge badge--revoked">{t("agenda.cancelled")}</span> : null}
        </p>
        <h3 className="card__title">{s.title}</h3>
        <p className="card__meta">{s.roomName ?? t("agenda.noRoom")}</p>
        {s.speakers.length ? (
          <p className="card__meta">{s.speakers.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join(", ")}</p>
        ) : null}
        {signedIn && s.capacity && s.status === "scheduled" ? (
          <SessionPlaces sessionId={s.id} title={s.title} capacity={s.capacity} counts={counts} mine={mine} />
        ) : null}
        {signedIn && s.kind === "breakout" && s.status === "scheduled" ? (
          <p>
            <Link to={`/breakouts/${s.id}`} data-testid="breakout-link">
              {t("breakouts:card.rooms")}
              <span className="visually-hidden"> {s.title}</span>
            </Link>
          </p>
        ) : null}
        {s.hasDescription ? <SessionDescription eventId={eventId} sessionId={s.id} /> : null}
        {clashesWith?.length ? (
          <p className="clash" role="note">
            {t("agenda.clashesWith", { titles: clashesWith.join(", ") })}
          </p>
        ) : null}
      </div>
      {signedIn ? <StarButton sessionId={s.id} starred={starred} title={s.title} /> : null}
    </li>
  );
}
