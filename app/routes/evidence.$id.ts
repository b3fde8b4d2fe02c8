import type { LoaderFunctionArgs } from "@remix-run/node";
import { attachmentDisposition, commitmentAccess, evidenceDir, getEvidence, readStoredFile } from "../models/evidence.server";
import { notFound, requireReader } from "../utils/auth.server";
import { can } from "../utils/policy";

/**
 * An evidence file, as a download. Only someone who may see the commitment gets it: anyone else gets a
 * 404 (someone signed out is first asked to sign in, unless the commitment is public).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const { db, env } = context.services;
  const found = getEvidence(db, id) ?? notFound();
  const access = commitmentAccess(db, found.commitmentId) ?? notFound();
  const user = requireReader(context, request, (u) => can(u, "commitment.view", access));
  const { evidence } = found;
  if (evidence.kind !== "file" || !evidence.sha256) notFound();
  const file = (await readStoredFile(evidenceDir(env.DATABASE_PATH), evidence.sha256)) ?? notFound();
  return new Response(file.body, {
    headers: {
      // Text evidence was accepted only as UTF-8.
      "Content-Type": evidence.mimeType?.startsWith("text/")
        ? `${evidence.mimeType}; charset=utf-8`
        : (evidence.mimeType ?? "application/octet-stream"),
      "Content-Length": String(file.size),
      "Content-Disposition": attachmentDisposition(evidence.fileName ?? "evidence"),
      // `X-Content-Type-Options: nosniff` comes with every response (server/http/security.ts); set here too, it would be sent twice.
      // Never shown inside Convene's pages, and never able to run anything if opened directly.
      "Content-Security-Policy": "default-src 'none'; sandbox",
      // Public evidence may be kept briefly; anything else is fetched anew each time.
      "Cache-Control": access.visibility === "public" ? (user ? "private, max-age=300" : "public, max-age=300") : "private, no-store",
    },
  });
}
