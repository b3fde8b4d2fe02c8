import type { LoaderFunctionArgs } from "@remix-run/node";
import { attachmentDisposition, commitmentAccess, evidenceDir, getEvidence, readStoredFile } from "../models/evidence.server";
import { notFound, requireReader } from "../utils/auth.server";
import { can } from "../utils/policy";

/**
 * An evidence file, as a download. Only someone who may see the commitment gets it. Anyone else is
 * answered alike whether the file exists or not: someone signed out is asked to sign in (unless the
 * commitment is public), someone signed in gets a 404.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const id = Number(params.id);
  const { db, env } = context.services;
  const found = Number.isInteger(id) && id > 0 ? getEvidence(db, id) : null;
  const access = found ? commitmentAccess(db, found.commitmentId) : null;
  const user = requireReader(context, request, (u) => access !== null && can(u, "commitment.view", access));
  if (!found || !access) notFound();
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
