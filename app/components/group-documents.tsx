import { Form, Link } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { documentVisibilities, type DocumentStatus, type DocumentVisibility } from "../domain/vocabulary";
import { EmptyState, SelectField, SubmitButton, TextAreaField, TextField } from "./form";
import { DateTime } from "./time";

type FieldState = { errors: Record<string, string>; values: Record<string, string> };

/** A working group's documents, and the form to start one for those who may. */
export function GroupDocuments({
  documents,
  canCreateDocument,
  newDocument,
}: {
  documents: {
    id: number;
    title: string;
    summary: string;
    status: DocumentStatus;
    visibility: DocumentVisibility;
    updatedAt: Date | string;
  }[];
  canCreateDocument: boolean;
  newDocument: FieldState;
}) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <section aria-labelledby="documents-title" className="panel stack">
      <h2 id="documents-title">{t("group.documentsTitle")}</h2>
      {documents.length === 0 ? (
        <EmptyState title={t("group.documentsEmpty")}>
          {canCreateDocument ? t("group.documentsEmptyEditor") : t("group.documentsEmptyReader")}
        </EmptyState>
      ) : (
        <ul className="row-list">
          {documents.map((d) => (
            <li key={d.id} className="row-list__item" data-testid="group-document">
              <div>
                <Link to={`/documents/${d.id}`} className="cell-title">
                  {d.title}
                </Link>
                {d.summary ? <span className="cell-sub">{d.summary}</span> : null}
                <span className="cell-sub">
                  {t("group.visibilityOf", { visibility: t(`visibility.${d.visibility}`) })}
                  {" · "}
                  <Trans t={t} i18nKey="group.updated" components={{ date: <DateTime value={d.updatedAt} /> }} />
                </span>
              </div>
              <span className={`badge badge--${d.status}`}>{t(`status.${d.status}`)}</span>
            </li>
          ))}
        </ul>
      )}
      {canCreateDocument ? <NewDocumentForm {...newDocument} /> : <p className="muted">{t("group.readerNote")}</p>}
    </section>
  );
}

function NewDocumentForm({ errors, values }: FieldState) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <Form method="post" noValidate className="stack" aria-labelledby="new-document-title">
      <h3 id="new-document-title">{t("group.newDocumentTitle")}</h3>
      <p className="muted">{t("group.newDocumentLead")}</p>
      <input type="hidden" name="intent" value="createDocument" />
      <TextField name="title" label={t("fields.title")} required maxLength={200} defaultValue={values.title} error={errors.title} />
      <TextAreaField
        name="summary"
        label={t("fields.summary")}
        hint={t("fields.summaryHint")}
        rows={2}
        defaultValue={values.summary}
        error={errors.summary}
      />
      <SelectField
        name="visibility"
        label={t("fields.visibility")}
        hint={t("visibilityHint")}
        defaultValue={values.visibility ?? "group"}
        error={errors.visibility}
        options={documentVisibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
      />
      <SubmitButton intent="createDocument" pendingLabel={t("group.creatingDocument")}>
        {t("group.createDocument")}
      </SubmitButton>
    </Form>
  );
}
