import { Form, NavLink } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useRootData } from "../utils/root-data";
import { BreakoutGuide } from "./breakout-room-guide";
import { LiveStatus, PlaceNotices, RealtimeProvider, SessionEndedBanner } from "./realtime";

export function AppShell({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const data = useRootData();
  const user = data?.user ?? null;
  const nav = data?.nav;
  const links = [
    { to: "/", label: t("nav.home"), show: !!user, end: true },
    { to: "/events", label: t("nav.events"), show: !!user },
    { to: "/groups", label: t("nav.groups"), show: !!user },
    { to: "/documents", label: t("nav.documents"), show: !!user },
    { to: "/commitments", label: t("nav.commitments"), show: !!user },
    { to: "/people", label: t("nav.people"), show: !!nav?.people },
    { to: "/organisations", label: t("nav.organisations"), show: !!nav?.organisations },
    { to: "/invitations", label: t("nav.invitations"), show: !!nav?.invitations },
    { to: "/audit", label: t("nav.audit"), show: !!nav?.audit },
  ].filter((l) => l.show);

  const page = (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <a className="brand" href="/">
            <span className="brand__mark" aria-hidden="true">
              ◆
            </span>
            Convene
          </a>
          {user ? (
            <div className="site-header__account">
              <LiveStatus />
              <NavLink to="/account" className="account-link">
                {t("nav.account")} <span className="visually-hidden">({user.name})</span>
              </NavLink>
              <Form method="post" action="/sign-out">
                <button type="submit" className="button button--quiet button--small">
                  {t("auth.signOut")}
                </button>
              </Form>
            </div>
          ) : null}
          {user ? (
            <nav aria-label={t("nav.main")} className="site-nav">
              <ul className="nav-list">
                {links.map((l) => (
                  <li key={l.to}>
                    <NavLink to={l.to} end={l.end} prefetch="intent">
                      {l.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
        </div>
      </header>
      {user ? <SessionEndedBanner /> : null}
      {user ? <PlaceNotices /> : null}
      {user ? <BreakoutGuide /> : null}
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>{t("footer.tagline")}</p>
        {data ? <p>{t("footer.timeZone", { zone: data.timeZone })}</p> : null}
      </footer>
    </>
  );
  return user ? <RealtimeProvider userId={user.id}>{page}</RealtimeProvider> : page;
}
