import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { DateTime } from "../components/time";
import { listDocumentsFor, listPublicationsFor } from "../models/documents.server";
import { requireUser } from "../utils/auth.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("documents:list.title");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  return { documents: listDocumentsFor(db, user), publications: listPublicationsFor(db, user) };
}

export default function DocumentsIndex() {
  const { t } = useTranslation("documents");
  const { documents, publications } = useLoaderData<typeof loader>();
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("list.title")}</h1>
        <p className="lead">{t("list.lead")}</p>
      </header>
      <div className="two-col">
        <section className="panel" aria-labelledby="docs-yours">
          <h2 id="docs-yours">{t("list.yours")}</h2>
          {documents.length === 0 ? (
            <EmptyState title={t("list.empty")} />
          ) : (
            <ul className="row-list">
              {documents.map((d) => (
                <li key={d.id} className="row-list__item">
                  <div>
                    <Link to={`/documents/${d.id}`} className="cell-title">
                      {d.title}
                    </Link>
                    <span className="cell-sub">
                      {d.groupName} · {t(`visibility.${d.visibility}`)} · <DateTime value={d.updatedAt} options={{ dateStyle: "medium" }} />
                    </span>
                  </div>
                  <span className={`badge badge--${d.status}`}>{t(`status.${d.status}`)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="docs-published">
          <h2 id="docs-published">{t("list.published")}</h2>
          {publications.length === 0 ? (
            <EmptyState title={t("list.noPublished")} />
          ) : (
            <ul className="row-list">
              {publications.map((p) => (
                <li key={`${p.documentId}-${p.number}`} className="row-list__item">
                  <div>
                    <Link to={`/documents/${p.documentId}/v/${p.number}`} className="cell-title">
                      {p.title}
                    </Link>
                    <span className="cell-sub">
                      {p.pillarName} · {p.groupName} · <DateTime value={p.publishedAt} options={{ dateStyle: "medium" }} />
                    </span>
                  </div>
                  <span className="badge">{t("publication.version", { number: p.number })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}
