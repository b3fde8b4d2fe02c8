import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PrincipleList } from "../components/commitment-principles";
import { voluntaryPrinciples } from "../domain/vocabulary";
import { EmptyState, FormAlert, SubmitButton } from "../components/form";
import { currentCycle } from "../models/commitments.server";
import { importCommitments, type ImportRowError } from "../models/commitments-import.server";
import { requirePermission } from "../utils/auth.server";
import { IMPORT_COLUMNS, IMPORT_PERMISSION, MAX_IMPORT_ROWS } from "../utils/commitment-validation";
import { formatNumber } from "../utils/format";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";

export const meta: MetaFunction = pageTitle("registry:import.title");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, IMPORT_PERMISSION);
  const cycle = currentCycle(context.services.db);
  return { cycle: cycle && { year: cycle.year } };
}

type ImportOutcome =
  | { ok: true; fileName: string; created: { id: number; reference: string; row: number }[]; skipped: { row: number; key: string }[] }
  | { ok: false; fileName: string | null; errors: ImportRowError[] };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, IMPORT_PERMISSION);
  const form = await readForm(request);
  const file = form.get("file");
  const fail = (message: string, status = 400) =>
    data<ImportOutcome>({ ok: false, fileName: null, errors: [{ row: 0, column: null, message }] }, { status });
  if (!file || typeof file === "string" || file.size === 0) return fail("registry:errors.importNoFile");
  if (!/\.csv$/i.test(file.name) && !/csv|text\/plain/.test(file.type)) return fail("registry:errors.importNotCsv");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    return fail("registry:errors.importNotUtf8");
  }
  const result = importCommitments(context.services.db, user, text, file.name, context.requestMeta);
  if (!result.ok) return data<ImportOutcome>({ ok: false, fileName: file.name, errors: result.errors }, { status: 400 });
  return data<ImportOutcome>({ ok: true, fileName: file.name, created: result.created, skipped: result.skipped });
}

export default function ImportCommitments() {
  const { t } = useTranslation(["registry", "common"]);
  const { cycle } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const { locale } = useFormatPrefs();
  const message = (key: string) => t((key.includes(":") ? key : `common:${key}`) as "registry:errors.importNoFile");

  return (
    <div className="stack-lg">
      <header className="page-header">
        <p>
          <Link to="/commitments">← {t("registry:title")}</Link>
        </p>
        <h1>{t("registry:import.title")}</h1>
        <p className="lead">
          {cycle
            ? t("registry:import.lead", { year: cycle.year, max: formatNumber(MAX_IMPORT_ROWS, locale) })
            : t("registry:form.leadNoCycle")}
        </p>
      </header>

      {outcome?.ok ? (
        <section className="panel stack" aria-labelledby="import-summary" data-testid="import-summary">
          <h2 id="import-summary">{t("registry:import.summaryTitle")}</h2>
          <FormAlert
            tone="success"
            message={t("registry:import.summary", { created: outcome.created.length, skipped: outcome.skipped.length })}
          />
          {outcome.created.length ? (
            <ul className="row-list">
              {outcome.created.map((c) => (
                <li key={c.id} className="row-list__item">
                  <Link to={`/commitments/${c.id}`}>{c.reference}</Link>
                  <span className="muted">{t("registry:import.fromRow", { row: c.row })}</span>
                </li>
              ))}
            </ul>
          ) : null}
          {outcome.skipped.length ? (
            <p className="muted">
              {t("registry:import.skippedList", { keys: outcome.skipped.map((s) => s.key).join(", "), count: outcome.skipped.length })}
            </p>
          ) : null}
        </section>
      ) : null}

      {outcome && !outcome.ok ? (
        <section className="panel stack" data-testid="import-errors">
          <h2 id="import-errors">{t("registry:import.errorsTitle")}</h2>
          <FormAlert message={t("registry:import.nothingImported", { count: outcome.errors.length })} />
          <div className="table-wrap" role="region" aria-labelledby="import-errors" tabIndex={0}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("registry:import.row")}</th>
                  <th scope="col">{t("registry:import.column")}</th>
                  <th scope="col">{t("registry:import.problem")}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.errors.map((e, i) => (
                  <tr key={i} data-testid="import-error">
                    <td data-label={t("registry:import.row")}>{e.row > 0 ? e.row : "—"}</td>
                    <td data-label={t("registry:import.column")}>{e.column ? <code>{e.column}</code> : "—"}</td>
                    <td data-label={t("registry:import.problem")}>{message(e.message)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {!cycle ? (
        <EmptyState title={t("registry:errors.noOpenCycle")} />
      ) : (
        <section className="panel stack" aria-labelledby="import-upload">
          <h2 id="import-upload">{t("registry:import.uploadTitle")}</h2>
          <p>
            <a href="/commitments.csv?template=1" download>
              {t("registry:import.template")}
            </a>
          </p>
          <Form method="post" encType="multipart/form-data" className="stack">
            <div className="field">
              <label htmlFor="import-file">{t("registry:import.file")}</label>
              <input id="import-file" type="file" name="file" accept=".csv,text/csv" required aria-describedby="import-file-hint" />
              <p className="field__hint" id="import-file-hint">
                {t("registry:import.fileHint")}
              </p>
            </div>
            <div>
              <SubmitButton pendingLabel={t("registry:import.importing")}>{t("registry:import.submit")}</SubmitButton>
            </div>
          </Form>
        </section>
      )}

      <section className="panel stack">
        <h2 id="import-columns">{t("registry:import.columnsTitle")}</h2>
        <p>
          {t("registry:import.columnsLead", {
            principles: `${voluntaryPrinciples[0]}–${voluntaryPrinciples[voluntaryPrinciples.length - 1]}`,
          })}
        </p>
        <PrincipleList principles={voluntaryPrinciples} />
        <div className="table-wrap" role="region" aria-labelledby="import-columns" tabIndex={0}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("registry:import.column")}</th>
                <th scope="col">{t("registry:import.required")}</th>
                <th scope="col">{t("registry:import.meaning")}</th>
              </tr>
            </thead>
            <tbody>
              {IMPORT_COLUMNS.map((c) => (
                <tr key={c.name}>
                  <th scope="row" data-label={t("registry:import.column")}>
                    <code>{c.name}</code>
                  </th>
                  <td data-label={t("registry:import.required")}>{c.required ? t("registry:import.yes") : t("registry:import.no")}</td>
                  <td data-label={t("registry:import.meaning")}>
                    {t(`registry:import.columns.${columnDocKey(c.name)}` as "registry:import.columns.title")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** Numbered columns share one explanation. */
function columnDocKey(name: string): string {
  return name.replace(/_\d+(_due)?$/, (_, due: string | undefined) => (due ? "_n_due" : "_n"));
}
