import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, SelectField, SubmitButton, TextField } from "../components/form";
import { ProgressReport } from "../components/progress-report";
import { ReportDownloads } from "../components/report-downloads";
import { refusedForm } from "../models/commitment-refusals.server";
import { publishable, setHighlight } from "../models/report.server";
import { parseForm, readForm } from "../utils/forms.server";
import { pageTitleWith } from "../utils/meta";
import { listPrintedApart, preparePdf, printSession, reportFormat, requireReport } from "../utils/reports.server";

export const meta: MetaFunction<typeof loader> = pageTitleWith("report:title", (d: { report: { year: number } }) => ({
  year: d.report.year,
}));

const HighlightSchema = z.object({
  commitmentId: z.coerce.number({ invalid_type_error: "errors.invalidChoice" }).int().positive("errors.invalidChoice"),
  note: z.string().trim().max(1000, "errors.tooLong").default(""),
});

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { report } = requireReport(context, request, params.year, "full");
  const format = reportFormat(context, request);
  // Whoever reads the report may want its PDF next: it is printed now if the printer is idle (decision 047).
  if (!format) {
    context.services.pdf.warm();
    preparePdf(context, report, printSession(context, request));
  }
  const listApart = listPrintedApart(request);
  const sent = publishable(report);
  return { report: listApart ? { ...sent, commitments: [] } : sent, format, listApart };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, report } = requireReport(context, request, params.year, "full");
  const form = await readForm(request);
  const intent = form.get("intent");
  const parsed = parseForm(form, HighlightSchema);
  if (!parsed.ok) return data({ ...parsed, intent }, { status: 400 });
  const result = setHighlight(
    context.services.db,
    user!,
    report.year,
    parsed.data.commitmentId,
    intent === "unhighlight" ? null : { note: parsed.data.note },
    context.requestMeta,
  );
  if (!result.ok) return refusedForm(result, form);
  return data({ ok: true as const, intent, errors: {}, values: {} });
}

export default function FullReport() {
  const { t } = useTranslation("report");
  const { report, format, listApart } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData && !actionData.ok ? actionData.errors : {};
  const values = actionData && !actionData.ok ? actionData.values : {};
  const highlighted = new Set(report.highlights.map((h) => h.commitmentId));
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("title", { year: report.year })}</h1>
        <ReportDownloads year={report.year} audience="full" />
      </header>
      <ProgressReport report={report} format={format} listApart={listApart} />
      <section className="panel stack no-print" aria-labelledby="choose-highlights">
        <h2 id="choose-highlights">{t("highlights.choose")}</h2>
        <FormAlert
          message={actionData?.ok ? t(actionData.intent === "unhighlight" ? "highlights.removed" : "highlights.added") : null}
          tone="success"
        />
        <Form method="post" className="stack" key={report.highlights.length}>
          <SelectField
            name="commitmentId"
            label={t("highlights.commitment")}
            defaultValue={values.commitmentId ?? ""}
            error={errors.commitmentId}
            options={[
              { value: "", label: "—" },
              ...report.commitments
                .filter((c) => !highlighted.has(c.commitmentId))
                .map((c) => ({ value: String(c.commitmentId), label: `${c.reference} ${c.title}` })),
            ]}
          />
          <TextField name="note" label={t("highlights.note")} defaultValue={values.note ?? ""} error={errors.note} />
          <SubmitButton intent="highlight">{t("highlights.add")}</SubmitButton>
        </Form>
        {report.highlights.length ? (
          <ul className="row-list">
            {report.highlights.map((h) => (
              <li key={h.commitmentId} className="row-list__item">
                <span className="cell-title">
                  <span className="report-ref">{h.reference}</span> {h.title}
                </span>
                <Form method="post">
                  <input type="hidden" name="commitmentId" value={h.commitmentId} />
                  <SubmitButton
                    intent="unhighlight"
                    className="button button--quiet button--small"
                    aria-label={`${t("highlights.remove")}: ${h.reference}`}
                  >
                    {t("highlights.remove")}
                  </SubmitButton>
                </Form>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </div>
  );
}
