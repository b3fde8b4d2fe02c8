import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRevalidator, useRouteError } from "@remix-run/react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { useChangeLanguage } from "remix-i18next/react";
import { AppShell } from "./components/app-shell";
import { i18next } from "./i18next.server";
import styles from "./styles/app.css?url";
import { pickFormatLocale } from "./utils/format";
import { useNonce } from "./utils/nonce";
import { useRootData } from "./utils/root-data";
import { can } from "./utils/policy";
import { canonicalTimeZone } from "./utils/time-zones";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Convene" }];

function readCookie(header: string | null, name: string): string | null {
  const match = header?.match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const locale = await i18next.getLocale(request);
  const user = context.auth?.user ?? null;
  const browserZone = readCookie(request.headers.get("cookie"), "tz");
  // By its current name, whatever spelling was stored or reported (Asia/Calcutta is shown as Asia/Kolkata).
  const timeZone = canonicalTimeZone(user?.timeZone ?? browserZone ?? "UTC") ?? "UTC";
  return {
    locale,
    /** Whether the zone was chosen in the account; otherwise the browser's own zone should win. */
    zoneFromAccount: !!user?.timeZone,
    formatLocale: pickFormatLocale(request.headers.get("accept-language"), locale),
    timeZone,
    user: user && { id: user.id, name: user.name, email: user.email, role: user.role },
    nav: {
      people: can(user, "people.view"),
      organisations: can(user, "organisations.view"),
      invitations: can(user, "invitations.view"),
      audit: can(user, "audit.view"),
      /** Forum cycles and the commitments dashboard. */
      cycles: can(user, "cycles.manage"),
    },
  };
}

// Remembers the browser's time zone for server-rendered times, until the person picks one in their account.
const TIME_ZONE_HINT = `(function(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;var m=document.cookie.match(/(?:^|; )tz=([^;]*)/);if(!m||decodeURIComponent(m[1])!==z){document.cookie="tz="+encodeURIComponent(z)+"; path=/; max-age=31536000; samesite=lax";}}catch(e){}})();`;

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRootData();
  const nonce = useNonce();
  const { i18n } = useTranslation();
  const lang = data?.locale ?? "en";
  return (
    <html lang={lang} dir={i18n.dir(lang)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: TIME_ZONE_HINT }} />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const data = useRootData();
  useChangeLanguage(data?.locale ?? "en");
  const revalidator = useRevalidator();
  // On a browser's first visit the server could not know its zone yet: once the hint cookie is set, render again with it.
  useEffect(() => {
    if (!data || data.zoneFromAccount) return;
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && canonicalTimeZone(browserZone) !== data.timeZone && document.cookie.includes("tz=")) revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data?.timeZone, data?.zoneFromAccount]);
  return (
    <AppShell>
      <Outlet />
    </AppShell>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const key = status === 403 ? "forbidden" : status === 404 ? "notFound" : status === 400 ? "badRequest" : "serverError";
  if (!isRouteErrorResponse(error)) console.error(error);
  return (
    <AppShell>
      <section className="error-page" aria-labelledby="error-title">
        <p className="error-code">{status}</p>
        <h1 id="error-title">{t(`errorPage.${key}.title`)}</h1>
        <p>{t(`errorPage.${key}.body`)}</p>
        <p>
          <a href="/">{t("errorPage.home")}</a>
        </p>
      </section>
    </AppShell>
  );
}
