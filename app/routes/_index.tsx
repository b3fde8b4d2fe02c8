import type { LoaderFunctionArgs, MetaFunction, SerializeFrom } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { EventCard } from "../components/event-card";
import { FrontPage } from "../components/front-page";
import { WaitingForYou } from "../components/home-waiting";
import { actsOnWaitingWork, publicFrontPage, waitingFor } from "../models/home.server";
import { listWorkingGroupsFor } from "../models/working-groups.server";
import { listPillars, upcomingEventsFor } from "../models/forum.server";
import { requirePermission } from "../utils/auth.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction<typeof loader> = (args) =>
  pageTitle(args.data?.signedIn === false ? "front.pageTitle" : "titles.home")(args);

export function loader({ request, context }: LoaderFunctionArgs) {
  const today = new Date().toISOString().slice(0, 10);
  const db = context.services.db;
  // Someone without an account sees what the coalition makes public, and the way in.
  if (!context.auth) return { signedIn: false as const, front: publicFrontPage(db, today) };
  const user = requirePermission(context, request, "home.view");
  const waiting = waitingFor(db, user, today);
  return {
    signedIn: true as const,
    waiting: actsOnWaitingWork(waiting) ? waiting : null,
    name: user.name,
    events: upcomingEventsFor(db, user, today),
    pillars: listPillars(db).map((p) => p.slug),
    workingGroups: listWorkingGroupsFor(db, user).map((g) => ({
      id: g.id,
      name: g.name,
      pillarSlug: g.pillarSlug,
      leadName: g.leadName,
      membership: g.membership,
    })),
  };
}

export default function Index() {
  const data = useLoaderData<typeof loader>();
  return data.signedIn ? <Home data={data} /> : <FrontPage data={data.front} />;
}

function Home({ data }: { data: Extract<SerializeFrom<typeof loader>, { signedIn: true }> }) {
  const { t } = useTranslation(["common", "groups"]);
  const { name, events, pillars, workingGroups, waiting } = data;
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("home.title", { name })}</h1>
        <p className="lead">{t("home.lead")}</p>
      </header>

      {waiting ? <WaitingForYou work={waiting} /> : null}

      <section aria-labelledby="events-title" className="panel">
        <h2 id="events-title">{t("home.eventsTitle")}</h2>
        {events.length === 0 ? (
          <EmptyState title={t("home.noEvents")} />
        ) : (
          <ul className="card-list">
            {events.map((e) => (
              <EventCard key={e.id} event={e} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="groups-title" className="panel">
        <h2 id="groups-title">{t("home.groupsTitle")}</h2>
        {workingGroups.length === 0 ? (
          <EmptyState title={t("home.noGroups")}>{t("home.noGroupsBody")}</EmptyState>
        ) : (
          <ul className="card-list">
            {workingGroups.map((g) => (
              <li key={g.id} className="card">
                <p className="card__eyebrow">
                  {t(`pillars.${g.pillarSlug}` as "pillars.tech-innovation")}{" "}
                  <span className="badge">
                    {g.membership
                      ? t("home.groupMembership", { membership: t(`groups:membership.${g.membership}`) })
                      : t("home.groupNotMember")}
                  </span>
                </p>
                <h3 className="card__title">
                  <Link to={`/groups/${g.id}`}>{g.name}</Link>
                </h3>
                <p className="card__meta">{g.leadName ? t("home.groupLead", { name: g.leadName }) : t("home.groupNoLead")}</p>
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to="/groups">{t("home.groupsAll")}</Link>
        </p>
      </section>

      <section aria-labelledby="pillars-title" className="panel">
        <h2 id="pillars-title">{t("home.pillarsTitle")}</h2>
        <ol className="pillar-list">
          {pillars.map((slug) => (
            <li key={slug}>{t(`pillars.${slug}` as "pillars.tech-innovation")}</li>
          ))}
        </ol>
      </section>
    </div>
  );
}
