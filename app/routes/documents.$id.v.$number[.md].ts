import type { LoaderFunctionArgs } from "@remix-run/node";
import { stateToMarkdown } from "../models/document-content.server";
import { requirePublicationReader } from "../utils/documents.server";
import { i18next } from "../i18next.server";

/** A published version as Markdown, headed by its title, version and citation. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { publication } = requirePublicationReader(context, request, params);
  const t = await i18next.getFixedT(request, "documents");
  const url = `${context.services.env.APP_URL}/documents/${publication.documentId}/v/${publication.number}`;
  const date = publication.publishedAt.toISOString().slice(0, 10);
  const body = [
    `# ${publication.title}`,
    "",
    publication.summary ? `${publication.summary}\n` : null,
    `*${t("publication.citation", { group: publication.groupName, title: publication.title, number: publication.number, date, url })}*`,
    "",
    stateToMarkdown(publication.state),
    "",
  ]
    .filter((line) => line !== null)
    .join("\n");
  const slug =
    publication.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "document";
  return new Response(body, {
    headers: {
      "Content-Type": "text/markdown; charset=utf-8",
      "Content-Disposition": `attachment; filename="${slug}-v${publication.number}.md"`,
      "Cache-Control": publication.visibility === "public" ? "public, max-age=300" : "private, no-store",
    },
  });
}
