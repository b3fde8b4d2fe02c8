import type { AppLoadContext } from "@remix-run/node";
import { documentAccess, getDocument, getPublication, type DocumentRefusal } from "../models/documents.server";
import { membershipOf } from "../models/working-groups.server";
import { forbidden, notFound, requireReader, requireUser } from "./auth.server";
import { can } from "./policy";

/** The document and what this person may do with it; a document they may not read does not exist for them. */
export function loadDocumentFor(context: AppLoadContext, request: Request, idParam: string | undefined) {
  const user = requireUser(context, request);
  const id = Number(idParam);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const db = context.services.db;
  const access = documentAccess(db, id, user.id);
  // A breakout room's notes are opened only on the room's page: they have no document pages of their own.
  if (!access || access.groupId === null || !can(user, "document.view", access)) notFound();
  const document = getDocument(db, id)!;
  return {
    user,
    access,
    document,
    canEdit: can(user, "document.edit", access),
    canManage: can(user, "document.manage", access),
  };
}

/** A document write's result, or its refusal thrown as the 404 or 403 page. */
export function refusedOrOk<T extends { ok: true }>(result: T | DocumentRefusal): T {
  if (result.ok) return result;
  if (result.reason === "not_found") notFound();
  throw forbidden();
}

/**
 * A published version and its reader. Public versions can be read without an account. Anyone else is
 * answered alike whether the version exists or not: someone signed out is sent to sign in, someone
 * signed in who may not read it gets a 404.
 */
export function requirePublicationReader(context: AppLoadContext, request: Request, params: { id?: string; number?: string }) {
  const db = context.services.db;
  const id = Number(params.id);
  const number = Number(params.number);
  const valid = Number.isInteger(id) && id > 0 && Number.isInteger(number) && number > 0;
  const publication = valid ? getPublication(db, id, number) : null;
  const user = requireReader(
    context,
    request,
    (u) =>
      !!publication &&
      can(u, "publication.view", {
        visibility: publication.visibility ?? "group",
        membership: u && publication.groupId !== null ? membershipOf(db, publication.groupId, u.id) : null,
      }),
  );
  if (!publication) notFound();
  return { user, publication };
}
