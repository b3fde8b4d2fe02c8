import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateRange } from "./time";

/** One event in a list of cards: its kind (and "Draft" where it is one), title, dates, venue and time zone. */
export function EventCard({
  event,
}: {
  event: {
    id: number;
    kind: string;
    title: string;
    startsOn: string;
    endsOn: string;
    venue: string | null;
    timeZone: string;
    status?: string;
  };
}) {
  const { t } = useTranslation();
  return (
    <li className="card">
      <p className="card__eyebrow">
        {t(`eventKind.${event.kind}` as "eventKind.forum")}
        {event.status === "draft" ? <span className="badge badge--draft">{t("eventStatus.draft")}</span> : null}
      </p>
      <h3 className="card__title">
        <Link to={`/events/${event.id}`}>{event.title}</Link>
      </h3>
      <p className="card__meta">
        <DateRange start={event.startsOn} end={event.endsOn} />
        {" · "}
        {event.venue ?? t("home.online")}
        {" · "}
        <span>{t("home.eventZone", { zone: event.timeZone })}</span>
      </p>
    </li>
  );
}
