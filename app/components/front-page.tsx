import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "./form";
import { EventCard } from "./event-card";
import { DateTime } from "./time";

export interface FrontPageData {
  events: {
    id: number;
    kind: "forum" | "convening";
    title: string;
    startsOn: string;
    endsOn: string;
    timeZone: string;
    venue: string | null;
  }[];
  models: {
    documentId: number;
    number: number;
    title: string;
    summary: string;
    groupName: string;
    pillarName: string;
    publishedAt: string | Date;
  }[];
  reports: { year: number }[];
}

/** What a visitor without an account may read: public agendas, published public models and the public reports. */
export function FrontPage({ data }: { data: FrontPageData }) {
  const { t } = useTranslation();
  return (
    <div className="stack-lg front-page">
      <header className="page-header">
        <h1>{t("front.title")}</h1>
        <p className="lead">{t("front.lead")}</p>
        <p className="front-page__sign-in">
          <Link to="/sign-in" className="button">
            {t("front.signIn")}
          </Link>{" "}
          <span className="muted">{t("front.byInvitation")}</span>
        </p>
      </header>

      <section aria-labelledby="front-events" className="panel">
        <h2 id="front-events">{t("front.eventsTitle")}</h2>
        {data.events.length === 0 ? (
          <EmptyState title={t("front.noEvents")} />
        ) : (
          <ul className="card-list" data-testid="front-events">
            {data.events.map((e) => (
              <EventCard key={e.id} event={e} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="front-models" className="panel">
        <h2 id="front-models">{t("front.modelsTitle")}</h2>
        <p className="muted">{t("front.modelsLead")}</p>
        {data.models.length === 0 ? (
          <EmptyState title={t("front.noModels")} />
        ) : (
          <ul className="card-list" data-testid="front-models">
            {data.models.map((m) => (
              <li key={m.documentId} className="card">
                <p className="card__eyebrow">{m.pillarName}</p>
                <h3 className="card__title">
                  <Link to={`/documents/${m.documentId}/v/${m.number}`}>{m.title}</Link>
                </h3>
                {m.summary ? <p>{m.summary}</p> : null}
                <p className="card__meta">
                  {t("front.modelBy", { group: m.groupName })}
                  {" · "}
                  {t("front.modelVersion", { number: m.number })} <DateTime value={m.publishedAt} options={{ dateStyle: "medium" }} />
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="front-reports" className="panel">
        <h2 id="front-reports">{t("front.reportsTitle")}</h2>
        <p className="muted">{t("front.reportsLead")}</p>
        {data.reports.length === 0 ? (
          <EmptyState title={t("front.noReports")} />
        ) : (
          <ul className="link-list" data-testid="front-reports">
            {data.reports.map((r) => (
              <li key={r.year}>
                <Link to={`/reports/${r.year}/public`}>{t("front.report", { year: r.year })}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
