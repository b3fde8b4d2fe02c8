import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { BreakoutReportList } from "../components/breakout-report-list";
import { useBreakoutReportsLive } from "../components/breakout-report-live";
import { FormAlert, useKeptActionData } from "../components/form";
import { plenaryView, proposeCommitment } from "../models/breakout-reports.server";
import { forbidden, notFound, requireUser, idParam } from "../utils/auth.server";
import { parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle("breakoutReports:plenary.title");

/** Every report-back of the session, for everyone signed in who may see its event. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return plenaryView(context.services.db, user, idParam(params.sessionId)) ?? notFound();
}

const ProposeSchema = z.object({
  intent: z.literal("propose", { errorMap: () => ({ message: "errors.malformedRequest" }) }),
  actionId: z.coerce.number({ invalid_type_error: "errors.malformedRequest" }).int().positive("errors.malformedRequest"),
});

/** "Make this a commitment for my organisation": a draft commitment, then its page to confirm and complete it. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const sessionId = idParam(params.sessionId);
  if (!plenaryView(db, user, sessionId)) notFound();
  const parsed = parseForm(await readForm(request), ProposeSchema);
  if (!parsed.ok) return data({ message: "common:errors.malformedRequest", actionId: null }, { status: 400 });
  const result = proposeCommitment(db, user, parsed.data.actionId, context.requestMeta);
  if (result.ok) return redirect(`/commitments/${result.commitmentId}`);
  if (result.reason === "not_found") notFound();
  if (result.reason === "forbidden") throw forbidden();
  return data({ message: result.error ?? "common:errors.malformedRequest", actionId: parsed.data.actionId }, { status: 409 });
}

export default function PlenaryPage() {
  const { t } = useTranslation(["breakoutReports", "common"]);
  const d = useLoaderData<typeof loader>();
  const result = useKeptActionData<typeof action>();
  const navigation = useNavigation();
  const refreshes = useBreakoutReportsLive(d.session.id);
  const proposing = navigation.state === "submitting" ? Number(navigation.formData?.get("actionId")) || null : null;
  const submitted = d.reports.filter((r) => r.submittedAt).length;

  return (
    <div className="stack-lg breakout-plenary">
      <header className="page-header page-header--split">
        <div className="stack">
          <p className="breadcrumb">
            <Link to={`/events/${d.session.eventId}`}>{t("plenary.backToEvent")}</Link>
          </p>
          <p className="card__eyebrow">{t("plenary.eyebrow")}</p>
          <h1>{d.session.title}</h1>
          <p className="lead">{t(`attribution.${d.session.attribution}`)}</p>
        </div>
        {d.manager || d.writable.length ? (
          <div className="header-actions">
            {d.writable.length === 1 ? (
              <Link to={`/breakouts/${d.session.id}/rooms/${d.writable[0]!.id}/report`} className="button">
                {t("plenary.writeReport", { room: d.writable[0]!.name })}
              </Link>
            ) : null}
            {d.manager ? (
              <a href={`/breakouts/${d.session.id}/export.csv`} className="button button--quiet">
                {t("plenary.export")}
              </a>
            ) : null}
          </div>
        ) : null}
      </header>

      <p className="live-notice" role="status" aria-live="polite" data-testid="plenary-notice">
        {refreshes > 0 ? t("plenary.count", { count: submitted, rooms: d.roomCount }) : ""}
      </p>

      {result?.message ? <FormAlert message={t(result.message as "errors.alreadyCommitment")} /> : null}

      <BreakoutReportList d={d} proposing={proposing} />

      {d.writable.length > 1 ? (
        <nav aria-label={t("plenary.writeLabel")} className="stack">
          <h2>{t("plenary.writeLabel")}</h2>
          <ul className="breakout-reports__rooms">
            {d.writable.map((room) => (
              <li key={room.id}>
                <Link to={`/breakouts/${d.session.id}/rooms/${room.id}/report`}>{t("plenary.writeReport", { room: room.name })}</Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}
