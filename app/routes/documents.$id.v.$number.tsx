import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { renderToReactElement } from "@tiptap/static-renderer/pm/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { DateTime } from "../components/time";
import { contentExtensions } from "../editor/extensions";
import { stateToJSON } from "../models/document-content.server";
import { documentAccess, listPublicationsFor } from "../models/documents.server";
import { requirePublicationReader } from "../utils/documents.server";
import { can } from "../utils/policy";

export const meta: MetaFunction<typeof loader> = ({ data: d }) =>
  d
    ? [
        { title: `${d.publication.title} (v${d.publication.number}) · Convene` },
        { name: "description", content: d.publication.summary },
        ...(d.publication.visibility === "public" ? [] : [{ name: "robots", content: "noindex" }]),
      ]
    : [];

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, publication } = requirePublicationReader(context, request, params);
  const db = context.services.db;
  const access = user ? documentAccess(db, publication.documentId, user.id) : null;
  const { state, ...rest } = publication;
  return {
    publication: rest,
    content: stateToJSON(state),
    others: listPublicationsFor(db, user, publication.documentId).filter((p) => p.number !== publication.number),
    canOpenDraft: !!access && can(user, "document.view", access),
    url: `${context.services.env.APP_URL}/documents/${publication.documentId}/v/${publication.number}`,
  };
}

export default function Publication() {
  const { t } = useTranslation("documents");
  const { publication: p, content, others, canOpenDraft, url } = useLoaderData<typeof loader>();
  const body = useMemo(() => renderToReactElement({ content, extensions: contentExtensions }), [content]);
  const date = new Date(p.publishedAt).toISOString().slice(0, 10);
  return (
    <article className="publication stack-lg">
      <header className="page-header">
        <p className="card__eyebrow">{t("publication.eyebrow", { pillar: p.pillarName })}</p>
        <h1>{p.title}</h1>
        {p.summary ? <p className="lead">{p.summary}</p> : null}
        <dl className="publication__facts">
          <div>
            <dt>{t("publication.version", { number: p.number })}</dt>
            <dd>
              {t("publication.publishedOn")} <DateTime value={p.publishedAt} options={{ dateStyle: "long" }} />
              {p.publishedBy ? ` ${t("publication.by", { name: p.publishedBy })}` : null}
            </dd>
          </div>
          <div>
            <dt>{t("publication.group")}</dt>
            <dd>{p.groupName}</dd>
          </div>
          <div>
            <dt>{t("publication.visibility")}</dt>
            <dd>{t(`publishedVisibility.${p.visibility ?? "group"}`)}</dd>
          </div>
        </dl>
        <p className="publication__actions no-print">
          <a className="button" href={`/documents/${p.documentId}/v/${p.number}.md`} download>
            {t("publication.download")}
          </a>
          <button type="button" className="button button--quiet" onClick={() => window.print()}>
            {t("publication.print")}
          </button>
          {canOpenDraft ? <Link to={`/documents/${p.documentId}`}>{t("publication.openDraft")}</Link> : null}
        </p>
        <p className="muted no-print">{t("publication.frozen")}</p>
      </header>

      <div className="prose publication__body" data-testid="publication-body">
        {body}
      </div>

      <footer className="publication__cite">
        <h2>{t("publication.cite")}</h2>
        <p>{t("publication.citation", { group: p.groupName, title: p.title, number: p.number, date, url })}</p>
        {others.length ? (
          <nav aria-label={t("publication.otherVersions")} className="no-print">
            <h2>{t("publication.otherVersions")}</h2>
            <ul>
              {others.map((o) => (
                <li key={o.number}>
                  <Link to={`/documents/${p.documentId}/v/${o.number}`}>{t("publication.version", { number: o.number })}</Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </footer>
    </article>
  );
}
