import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { CopyField } from "../components/copy-field";
import { FormAlert, SubmitButton } from "../components/form";
import { DateTime } from "../components/time";
import { feedCreatedAt, regenerateFeedToken } from "../models/calendar.server";
import { forbidden, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.calendar");

// Document responses take their headers from here, not from the action's `data()`.
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers();
  const cacheControl = actionHeaders.get("Cache-Control");
  if (cacheControl) headers.set("Cache-Control", cacheControl);
  return headers;
};

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return { createdAt: feedCreatedAt(context.services.db, user.id) };
}

type Result = { ok: true; feedUrl: string } | { ok: false };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const form = await readForm(request);
  if (form.get("intent") !== "regenerate") return data<Result>({ ok: false }, { status: 400 });
  const token = regenerateFeedToken(context.services.db, user, context.requestMeta);
  if (!token) throw forbidden();
  const base = context.services.env.APP_URL.replace(/\/+$/, "");
  // The page carries the only copy of the token: keep it out of every cache.
  return data<Result>({ ok: true, feedUrl: `${base}/calendar/${token}.ics` }, { headers: { "Cache-Control": "no-store" } });
}

export default function Calendar() {
  const { t } = useTranslation("calendar");
  const { createdAt } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const feedUrl = result?.ok ? result.feedUrl : null;

  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("page.title")}</h1>
        <p className="lead">{t("page.lead")}</p>
      </header>
      <section aria-labelledby="feed-title" className="panel stack">
        <h2 id="feed-title">{t("page.linkTitle")}</h2>
        <FormAlert message={result && !result.ok ? t("page.invalid") : null} />
        {feedUrl ? (
          <>
            <p className="alert alert--success" role="status">
              {t("page.created")}
            </p>
            <CopyField label={t("page.urlLabel")} value={feedUrl} />
            <p>
              <a href={feedUrl.replace(/^https?:\/\//, "webcal://")}>{t("page.webcal")}</a>
              <br />
              <span className="muted">{t("page.webcalHint")}</span>
            </p>
          </>
        ) : createdAt ? (
          <p>
            <Trans t={t} i18nKey="page.hasFeed" components={{ date: <DateTime value={createdAt} /> }} />
          </p>
        ) : (
          <p>{t("page.noFeed")}</p>
        )}
        <Form method="post">
          <SubmitButton
            intent="regenerate"
            pendingLabel={t("page.working")}
            className={createdAt ? "button button--quiet calendar-feed__action" : "button calendar-feed__action"}
          >
            {createdAt ? t("page.regenerate") : t("page.create")}
          </SubmitButton>
        </Form>
      </section>
      <section aria-labelledby="how-title" className="panel stack">
        <h2 id="how-title">{t("page.howTitle")}</h2>
        <ol className="stack">
          <li>{t("page.howStar")}</li>
          <li>{t("page.howSubscribe")}</li>
          <li>{t("page.howRefresh")}</li>
        </ol>
        <p className="muted">{t("page.howSecret")}</p>
      </section>
    </div>
  );
}
