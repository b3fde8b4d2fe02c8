import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState, FormAlert, SubmitButton, TextField } from "../components/form";
import { DocumentDiff } from "../components/document-diff";
import { DateTime } from "../components/time";
import { compareStates, type DiffBlock } from "../models/document-content.server";
import { readDocumentState } from "../models/document-store.server";
import { createVersion, getVersion, listVersions, restoreVersion } from "../models/documents.server";
import { forbidden, notFound } from "../utils/auth.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { VersionNameSchema } from "../utils/validation";
import { i18next } from "../i18next.server";
import { loadDocumentFor, refusedOrOk } from "../utils/documents.server";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.document.title ?? ""} · Convene` }];

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { document, canEdit } = loadDocumentFor(context, request, params.id);
  const db = context.services.db;
  const versions = listVersions(db, document.id);
  const compareId = Number(new URL(request.url).searchParams.get("compare"));
  let comparison = null;
  if (Number.isInteger(compareId) && compareId > 0) {
    const version = getVersion(db, document.id, compareId) ?? notFound();
    comparison = { id: version.id, name: version.name, ...compareStates(version.state, readDocumentState(db, document.id)) };
  }
  return { document: { id: document.id, title: document.title }, versions, canEdit, comparison };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, document, canEdit } = loadDocumentFor(context, request, params.id);
  if (!canEdit) throw forbidden();
  const db = context.services.db;
  const form = await readForm(request);
  const intent = form.get("intent");

  if (intent === "create") {
    const parsed = parseForm(form, VersionNameSchema);
    if (!parsed.ok) return data({ ...parsed, intent }, { status: 400 });
    refusedOrOk(createVersion(db, user, document.id, parsed.data.name, context.requestMeta));
    return data({ ok: true as const, intent, created: parsed.data.name, errors: {}, values: {} });
  }
  if (intent === "restore") {
    const t = await i18next.getFixedT(request, "documents");
    const beforeRestoreName = (name: string) => t("versions.beforeRestore", { name });
    const restored = restoreVersion(db, user, document.id, Number(form.get("versionId")), { beforeRestoreName }, context.requestMeta);
    if (!restored.ok && restored.reason === "not_found") return invalid({ form: "errors.notFound" }, form, 404);
    if (!restored.ok) throw forbidden();
    return data({ ok: true as const, intent, restored: restored.name, errors: {}, values: {} });
  }
  return invalid({ form: "errors.malformedRequest" }, form);
}

export default function Versions() {
  const { t } = useTranslation(["documents", "common"]);
  const { document, versions, canEdit, comparison } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const created = actionData?.ok && "created" in actionData ? actionData.created : null;
  const restored = actionData?.ok && "restored" in actionData ? actionData.restored : null;
  const createErrors = actionData && !actionData.ok ? actionData.errors : {};
  const createValues = actionData && !actionData.ok ? actionData.values : {};

  return (
    <div className="stack-lg">
      <header className="page-header">
        <p className="breadcrumb">
          <Link to={`/documents/${document.id}`}>{t("versions.back")}</Link>
        </p>
        <h1>{t("versions.title", { title: document.title })}</h1>
        <p className="lead">{t("versions.lead")}</p>
      </header>
      <FormAlert message={restored ? t("versions.restored", { name: restored }) : null} tone="success" />
      <FormAlert message={createErrors.form ? t(createErrors.form as "errors.notFound", { ns: "common" }) : null} />

      {comparison ? (
        <section className="panel stack">
          <h2 id="comparison-title">{t("versions.comparisonTitle", { name: comparison.name })}</h2>
          {comparison.added === 0 && comparison.removed === 0 ? (
            <p>{t("versions.same")}</p>
          ) : (
            <>
              <p>{t("versions.comparisonSummary", { added: comparison.added, removed: comparison.removed })}</p>
              <div className="diff-legend" role="note" aria-label={t("versions.legendTitle")}>
                <ins>{t("versions.legendAdded")}</ins> <del>{t("versions.legendRemoved")}</del>
              </div>
              <DocumentDiff blocks={comparison.blocks as DiffBlock[]} labelledBy="comparison-title" />
            </>
          )}
          <p>
            <Link to={`/documents/${document.id}/versions`}>{t("versions.closeComparison")}</Link>
          </p>
        </section>
      ) : null}

      <div className="two-col">
        <section className="panel" aria-labelledby="versions-title">
          <h2 id="versions-title">{t("versions.listTitle")}</h2>
          {versions.length === 0 ? (
            <EmptyState title={t("versions.empty")} />
          ) : (
            <ul className="row-list">
              {versions.map((v) => (
                <li key={v.id} className="row-list__item version">
                  <div>
                    <span className="cell-title">{v.name}</span>
                    <span className="cell-sub">
                      {t(`versions.kind.${v.kind}`)} ·{" "}
                      <DateTime value={v.createdAt} options={{ dateStyle: "medium", timeStyle: "short" }} />
                      {v.createdBy ? ` · ${t("versions.by", { name: v.createdBy })}` : null}
                    </span>
                  </div>
                  <div className="version__actions">
                    <Link to={`?compare=${v.id}`} aria-label={`${t("versions.compare")}: ${v.name}`}>
                      {t("versions.compare")}
                    </Link>
                    {canEdit ? (
                      <Form
                        method="post"
                        onSubmit={(e) => {
                          if (!window.confirm(t("versions.restoreConfirm", { name: v.name }))) e.preventDefault();
                        }}
                      >
                        <input type="hidden" name="versionId" value={v.id} />
                        <SubmitButton
                          intent="restore"
                          className="button button--quiet button--small"
                          aria-label={`${t("versions.restore")}: ${v.name}`}
                        >
                          {t("versions.restore")}
                        </SubmitButton>
                      </Form>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        {canEdit ? (
          <section className="panel stack" aria-labelledby="create-version-title">
            <h2 id="create-version-title">{t("versions.createTitle")}</h2>
            <FormAlert message={created ? t("versions.created", { name: created }) : null} tone="success" />
            <Form method="post" className="stack" key={created ?? "new"}>
              <TextField
                name="name"
                label={t("versions.name")}
                hint={t("versions.nameHint")}
                required
                defaultValue={createValues.name ?? ""}
                error={createErrors.name}
              />
              <SubmitButton intent="create">{t("versions.create")}</SubmitButton>
            </Form>
          </section>
        ) : null}
      </div>
    </div>
  );
}
