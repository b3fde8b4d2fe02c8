import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BreakoutReportForm } from "../components/breakout-report-form";
import { ReportBackFormSchema, reportForm, saveReportBack } from "../models/breakout-reports.server";
import { notFound, requireUser, idParam } from "../utils/auth.server";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta = pageTitle("breakoutReports:form.title");

/** The rapporteur's form: the room's rapporteur and the session's managers; anyone else gets a 404. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return reportForm(context.services.db, user, idParam(params.sessionId), idParam(params.roomId)) ?? notFound();
}

export interface ReportFormResult {
  ok: boolean;
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const sessionId = idParam(params.sessionId);
  const roomId = idParam(params.roomId);
  if (!reportForm(db, user, sessionId, roomId)) notFound();
  const form = await readForm(request);
  const parsed = parseForm(form, ReportBackFormSchema);
  if (!parsed.ok)
    return data<ReportFormResult>({ ok: false, message: null, errors: parsed.errors, values: parsed.values }, { status: 400 });
  const { keyPoints, actions, pillarId, intent } = parsed.data;
  const result = saveReportBack(db, user, roomId, { keyPoints, actions, pillarId, submit: intent === "submit" }, context.requestMeta);
  if (result.ok) {
    return data<ReportFormResult>({
      ok: true,
      message: intent === "submit" ? "breakoutReports:form.submitted" : "breakoutReports:form.saved",
      errors: {},
      values: {},
    });
  }
  if (result.reason === "not_found" || result.reason === "forbidden") notFound();
  const field = result.field ?? "form";
  const error = result.error ?? "errors.malformedRequest";
  return data<ReportFormResult>(
    {
      ok: false,
      message: field === "form" ? error : null,
      errors: field === "form" ? {} : { [field]: error },
      values: keptValues(form),
    },
    { status: result.reason === "invalid" ? 400 : 409 },
  );
}

export default function ReportBackPage() {
  const { t } = useTranslation(["breakoutReports", "common"]);
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack-lg breakout-report">
      <header className="page-header stack">
        <p className="breadcrumb">
          <Link to={`/breakouts/${d.session.id}/reports`}>{t("form.backToPlenary")}</Link>
        </p>
        <p className="card__eyebrow">{d.session.title}</p>
        <h1>{t("form.heading", { room: d.room.name })}</h1>
        {d.room.question ? <p className="lead">{d.room.question}</p> : null}
        <p className="doc-meta">
          <span className={`badge ${d.report?.submittedAt ? "badge--published" : "badge--draft"}`} data-testid="report-status">
            {d.report?.submittedAt ? t("status.submitted") : d.report ? t("status.draft") : t("status.notStarted")}
          </span>
          <span>{t(`attribution.${d.session.attribution}`)}</span>
        </p>
      </header>
      <BreakoutReportForm d={d} result={result} />
    </div>
  );
}
