import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { DateRange } from "../components/time";
import { listVisibleEvents } from "../models/events.server";
import { requireUser } from "../utils/auth.server";
import { can } from "../utils/policy";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.events");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return { events: listVisibleEvents(context.services.db, user), canCreate: can(user, "event.manage") };
}

export default function Events() {
  const { t } = useTranslation(["agenda", "common"]);
  const { events, canCreate } = useLoaderData<typeof loader>();
  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <h1>{t("events.title")}</h1>
          <p className="lead">{t("events.lead")}</p>
        </div>
        {canCreate ? (
          <div className="header-actions">
            <Link to="/events/new" className="button">
              {t("common:titles.newEvent")}
            </Link>
          </div>
        ) : null}
      </header>
      {events.length === 0 ? (
        <EmptyState title={t("events.empty")} />
      ) : (
        <ul className="card-list">
          {events.map((e) => (
            <li key={e.id} className="card">
              <p className="card__eyebrow">
                {t(`common:eventKind.${e.kind}`)}
                {e.status !== "published" ? (
                  <span className={`badge badge--${e.status}`}>{t(`common:eventStatus.${e.status}`)}</span>
                ) : null}
              </p>
              <h2 className="card__title">
                <Link to={`/events/${e.id}`}>{e.title}</Link>
              </h2>
              <p className="card__meta">
                <DateRange start={e.startsOn} end={e.endsOn} /> · {e.venue ?? t("common:home.online")} ·{" "}
                {t("common:home.eventZone", { zone: e.timeZone })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
