import { Link, useLocation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useRootData } from "../utils/root-data";
import { BreakoutGuide } from "./breakout-room-guide";
import { SiteMenu, type NavGroup, type NavItem } from "./site-menu";
import { LiveStatus, PlaceNotices, RealtimeProvider, SessionEndedBanner } from "./realtime";

export function AppShell({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const data = useRootData();
  const { pathname } = useLocation();
  const user = data?.user ?? null;
  const nav = data?.nav;
  const only = (show: boolean | undefined, item: NavItem) => (show ? [item] : []);
  const groups: NavGroup[] = [
    {
      id: "forum",
      label: t("nav.forum"),
      items: [
        { to: "/events", label: t("nav.events") },
        ...only(nav?.cycles, { to: "/cycles", label: t("nav.cycles") }),
        { to: "/reports", label: t("nav.reports") },
      ],
    },
    {
      id: "work",
      label: t("nav.work"),
      items: [
        { to: "/groups", label: t("nav.groups") },
        { to: "/documents", label: t("nav.documents") },
        { to: "/commitments", label: t("nav.commitments") },
        ...only(nav?.cycles, { to: "/commitments/dashboard", label: t("nav.dashboard") }),
      ],
    },
    {
      id: "administration",
      label: t("nav.administration"),
      items: [
        ...only(nav?.people, { to: "/people", label: t("nav.people") }),
        ...only(nav?.organisations, { to: "/organisations", label: t("nav.organisations") }),
        ...only(nav?.invitations, { to: "/invitations", label: t("nav.invitations") }),
        ...only(nav?.audit, { to: "/audit", label: t("nav.audit") }),
      ],
    },
  ];
  const onSignInPages = pathname === "/sign-in" || pathname.startsWith("/sign-in/");

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
            <>
              <div className="site-header__status">
                <LiveStatus />
              </div>
              <SiteMenu home={{ to: "/", label: t("nav.home") }} groups={groups} userName={user.name} />
            </>
          ) : onSignInPages ? null : (
            <Link to="/sign-in" className="account-link site-header__sign-in">
              {t("auth.signIn")}
            </Link>
          )}
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
