import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BreakoutHubChoices, BreakoutHubMyRoom, BreakoutHubPreference } from "../components/breakout-hub-rooms";
import { useBreakoutFollow } from "../components/breakout-hub-live";
import { FormAlert, useKeptActionData } from "../components/form";
import { DateTime, TimeRange } from "../components/time";
import { chooseRoom, myBreakout, unpreparedBreakout } from "../models/breakout-plan.server";
import { forbidden, notFound, requireUser, idParam } from "../utils/auth.server";
import { parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";
import { BreakoutChooseSchema } from "../utils/validation";

export const meta: MetaFunction = pageTitle("breakouts:hub.title");

type HubActionResult = { ok: boolean; message: string };

/** A refused form (a room just filled, say) still shows the page as it now is. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) =>
  formMethod === "POST" || defaultShouldRevalidate;

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = idParam(params.sessionId);
  const db = context.services.db;
  const hub = myBreakout(db, user, sessionId);
  if (!hub.ok) {
    // A breakout session saved before sessions had rooms: its managers prepare it on the planning page.
    if (unpreparedBreakout(db, user, sessionId)) throw redirect(`/breakouts/${sessionId}/plan`);
    notFound();
  }
  return hub;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = idParam(params.sessionId);
  const form = await readForm(request);
  if (form.get("intent") !== "choose") return data<HubActionResult>({ ok: false, message: "errors.malformedRequest" }, { status: 400 });
  const parsed = parseForm(form, BreakoutChooseSchema);
  if (!parsed.ok) return data<HubActionResult>({ ok: false, message: "errors.invalidChoice" }, { status: 400 });
  const result = chooseRoom(context.services.db, user, sessionId, parsed.data.roomId, context.requestMeta);
  if (result.ok) {
    const planned = myBreakout(context.services.db, user, sessionId);
    const preferred = planned.ok && planned.session.assignmentMode === "planned" && planned.myRoomId !== result.roomId;
    return data<HubActionResult>({ ok: true, message: preferred ? "breakouts:done.preferred" : "breakouts:done.chosen" });
  }
  if (result.reason === "not_found") notFound();
  if (result.reason === "forbidden") throw forbidden();
  const key = result.error ?? `errors.${result.reason}`;
  return data<HubActionResult>(
    { ok: false, message: key.includes(":") ? key : `breakouts:${key}` },
    { status: result.reason === "full" || result.reason === "closed" ? 409 : 400 },
  );
}

export default function BreakoutHub() {
  const { t } = useTranslation(["breakouts", "common"]);
  const hub = useLoaderData<typeof loader>();
  const result = useKeptActionData<typeof action>();
  const { timeZone } = useFormatPrefs();
  const updates = useBreakoutFollow(hub.session.sessionId);
  const { session } = hub;
  // Late arrivals without a room may still choose one while the rooms run, whoever planned them.
  const lateArrival = session.status === "open" && hub.myRoomId === null && hub.mayChoose;
  const showChoices = session.status !== "closed" && (session.assignmentMode === "choice" || lateArrival);
  const awaitingPlan = session.assignmentMode === "planned" && !session.published && session.status === "planning";
  return (
    <div className="stack-lg breakout-hub">
      <header className="page-header">
        <p>
          <Link to={`/events/${hub.event.id}`}>← {hub.event.title}</Link>
        </p>
        <h1>{session.title}</h1>
        <p className="lead">
          <DateTime value={session.startsAt} options={{ dateStyle: "full", timeStyle: undefined }} /> ·{" "}
          <TimeRange start={session.startsAt} end={session.endsAt} timeZone={timeZone} />
        </p>
        <p>{t(`attribution.${session.attribution}`)}</p>
        <p>
          <span className={`badge${session.status === "open" ? " badge--active" : ""}`} data-testid="hub-status">
            {t(`status.${session.status}`)}
          </span>
        </p>
        {hub.mayManage ? (
          <nav className="cluster" aria-label={t("hub.title")}>
            <Link className="button button--quiet" to={`/breakouts/${session.sessionId}/plan`}>
              {t("hub.plan")}
            </Link>{" "}
            <Link className="button button--quiet" to={`/breakouts/${session.sessionId}/console`}>
              {t("hub.run")}
            </Link>
          </nav>
        ) : null}
      </header>

      <div aria-live="polite" data-testid="hub-outcome">
        <FormAlert message={result ? t(result.message as "hub.full") : null} tone={result?.ok ? "success" : "error"} />
        <p className="visually-hidden">{updates > 0 ? t("hub.liveUpdated") : ""}</p>
      </div>

      {session.status === "open" ? <p className="lead">{t("hub.roomsAreOpen")}</p> : null}
      {session.status === "closed" ? (
        <section className="panel stack">
          <p className="lead">{t("hub.closedLead")}</p>
          <p>
            <Link className="button" to={`/breakouts/${session.sessionId}/reports`}>
              {t("hub.reports")}
            </Link>
          </p>
        </section>
      ) : awaitingPlan ? (
        <BreakoutHubPreference hub={hub} />
      ) : (
        <BreakoutHubMyRoom hub={hub} />
      )}

      {showChoices ? <BreakoutHubChoices hub={hub} /> : null}
    </div>
  );
}
