import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { documentVisibilities } from "../domain/vocabulary";
import { DocumentEditor } from "../components/document-editor";
import { FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../components/form";
import { DateTime } from "../components/time";
import { listPublicationsFor, publishDocument, setDocumentStatus, updateDocument } from "../models/documents.server";
import { forbidden } from "../utils/auth.server";
import { loadDocumentFor, refusedOrOk } from "../utils/documents.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { DocumentSchema } from "../utils/validation";
import { i18next } from "../i18next.server";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.document.title ?? ""} · Convene` }];

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, access, document, canEdit, canManage } = loadDocumentFor(context, request, params.id);
  return {
    document,
    membership: access.membership,
    canEdit,
    canManage,
    user: { id: user.id, name: user.name },
    publications: listPublicationsFor(context.services.db, user, document.id),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, document, canManage } = loadDocumentFor(context, request, params.id);
  if (!canManage) throw forbidden();
  const db = context.services.db;
  const form = await readForm(request);
  const intent = form.get("intent");
  const t = await i18next.getFixedT(request, "documents");

  if (intent === "settings") {
    const parsed = parseForm(form, DocumentSchema);
    if (!parsed.ok) return data({ ...parsed, intent }, { status: 400 });
    refusedOrOk(updateDocument(db, user, document.id, parsed.data, context.requestMeta));
    return data({ ok: true as const, intent, errors: {}, values: {} });
  }
  if (intent === "review" || intent === "draft") {
    refusedOrOk(setDocumentStatus(db, user, document.id, intent, t("versions.autoReview"), context.requestMeta));
    return data({ ok: true as const, intent, errors: {}, values: {} });
  }
  if (intent === "publish") {
    const parsed = parseForm(form, DocumentSchema.pick({ visibility: true }));
    if (!parsed.ok) return data({ ...parsed, intent }, { status: 400 });
    const published = refusedOrOk(
      publishDocument(
        db,
        user,
        document.id,
        { visibility: parsed.data.visibility, name: (n) => t("versions.autoPublished", { number: n }) },
        context.requestMeta,
      ),
    );
    throw redirect(`/documents/${document.id}/v/${published.number}`);
  }
  return invalid({ form: "errors.malformedRequest" }, form);
}

export default function DocumentPage() {
  const { t } = useTranslation(["documents", "common"]);
  const { document, canManage, user, publications, membership } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const settingsErrors =
    actionData && !actionData.ok && "intent" in actionData && actionData.intent === "settings" ? actionData.errors : {};
  const settingsValues =
    actionData && !actionData.ok && "intent" in actionData && actionData.intent === "settings" ? actionData.values : {};
  const publishErrors = actionData && !actionData.ok && "intent" in actionData && actionData.intent === "publish" ? actionData.errors : {};

  return (
    <div className="stack-lg doc-page">
      <header className="page-header">
        <p className="breadcrumb">
          <Link to={`/groups/${document.groupId}`}>{document.groupName}</Link>
        </p>
        <h1>{document.title}</h1>
        <p className="doc-meta">
          <span className={`badge badge--${document.status}`}>{t(`status.${document.status}`)}</span>
          <span>{t(`visibility.${document.visibility}`)}</span>
          {membership ? <span>{t(`membership.${membership}`)}</span> : null}
          <span>
            {t("meta.updated")} <DateTime value={document.updatedAt} options={{ dateStyle: "medium", timeStyle: "short" }} />
          </span>
        </p>
        {document.summary ? <p className="lead">{document.summary}</p> : null}
      </header>

      <div className="doc-layout">
        <section aria-label={t("editor.region")} className="doc-layout__main">
          <DocumentEditor documentId={document.id} user={user} />
        </section>

        <aside className="doc-layout__side stack">
          <section className="panel stack" aria-labelledby="doc-history">
            <h2 id="doc-history">{t("side.history")}</h2>
            <p>
              <Link to={`/documents/${document.id}/versions`}>{t("side.versions")}</Link>
            </p>
            {publications.length ? (
              <ul className="row-list" aria-label={t("side.published")}>
                {publications.map((p) => (
                  <li key={p.number} className="row-list__item">
                    <Link to={`/documents/${document.id}/v/${p.number}`}>{t("side.publishedVersion", { number: p.number })}</Link>
                    <span className="cell-sub">
                      <DateTime value={p.publishedAt} options={{ dateStyle: "medium" }} />
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{t("side.notPublished")}</p>
            )}
          </section>

          {canManage ? (
            <section className="panel stack" aria-labelledby="doc-workflow">
              <h2 id="doc-workflow">{t("workflow.title")}</h2>
              <p className="muted">{t(`workflow.explain.${document.status}`)}</p>
              {document.status === "draft" ? (
                <Form method="post">
                  <SubmitButton intent="review">{t("workflow.toReview")}</SubmitButton>
                </Form>
              ) : null}
              {document.status === "review" ? (
                <Form method="post">
                  <SubmitButton intent="draft" className="button button--quiet">
                    {t("workflow.backToDraft")}
                  </SubmitButton>
                </Form>
              ) : null}
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="publish" />
                <SelectField
                  name="visibility"
                  label={t("workflow.publishAs")}
                  defaultValue={document.visibility}
                  error={publishErrors.visibility}
                  options={documentVisibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
                />
                <SubmitButton>{t("workflow.publish")}</SubmitButton>
              </Form>
            </section>
          ) : null}

          {canManage ? (
            <section className="panel stack" aria-labelledby="doc-settings">
              <h2 id="doc-settings">{t("settings.title")}</h2>
              <FormAlert message={actionData?.ok && actionData.intent === "settings" ? t("settings.saved") : null} tone="success" />
              <Form method="post" className="stack" key={String(document.updatedAt)}>
                <input type="hidden" name="intent" value="settings" />
                <TextField
                  name="title"
                  label={t("settings.titleField")}
                  required
                  defaultValue={settingsValues.title ?? document.title}
                  error={settingsErrors.title}
                />
                <TextAreaField
                  name="summary"
                  label={t("settings.summary")}
                  rows={3}
                  defaultValue={settingsValues.summary ?? document.summary}
                  error={settingsErrors.summary}
                />
                <SelectField
                  name="visibility"
                  label={t("settings.visibility")}
                  defaultValue={settingsValues.visibility ?? document.visibility}
                  error={settingsErrors.visibility}
                  options={documentVisibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
                />
                <SubmitButton>{t("settings.save")}</SubmitButton>
              </Form>
            </section>
          ) : null}
        </aside>
      </div>
    </div>
  );
}
