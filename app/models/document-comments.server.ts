/**
 * Comments on a passage of a document's live text, with replies, resolving and reopening (decision 038).
 * They belong to the draft only: published versions are frozen copies of the text and never read this table.
 * Everyone who may read the document may comment; where the document is a breakout room's notes, authors are shown
 * under the session's attribution rule exactly as the notes' carets are (`notesPresenceName`).
 */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { documentComments, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { CommentThreadView, CommentView, CommentsListResult, RelativePositionJSON } from "../realtime/protocol";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { notesPresenceName } from "./breakout-notes.server";
import { announce } from "./domain-events.server";
import { documentAccess, type DocumentAccess } from "./documents.server";

export type CommentRefusal = { ok: false; reason: "not_found" | "forbidden" };
const notFound: CommentRefusal = { ok: false, reason: "not_found" };
const forbidden: CommentRefusal = { ok: false, reason: "forbidden" };

/** The document's access facts when the actor may read it; a document they may not read does not exist for them. */
function readable(db: Db, actor: Actor, documentId: number): DocumentAccess | null {
  const access = documentAccess(db, documentId, actor.id);
  return access && can(actor, "document.view", access) ? access : null;
}

function parseAnchor(start: string | null, end: string | null): CommentThreadView["anchor"] {
  if (!start || !end) return null;
  try {
    return { start: JSON.parse(start) as RelativePositionJSON, end: JSON.parse(end) as RelativePositionJSON };
  } catch {
    return null;
  }
}

/** The comments on a document as this person may see them, oldest thread first, or null when they may not read it. */
export function listComments(db: Db, actor: Actor, documentId: number): CommentsListResult | null {
  const access = readable(db, actor, documentId);
  if (!access) return null;
  const rows = db
    .select({ comment: documentComments, authorName: users.name })
    .from(documentComments)
    .innerJoin(users, eq(users.id, documentComments.authorId))
    .where(eq(documentComments.documentId, documentId))
    .orderBy(asc(documentComments.id))
    .all();
  // One answer per author: their name, or their stakeholder group where the notes' attribution rule withholds it.
  const shown = new Map<number, string>();
  const authorOf = (authorId: number, name: string) => {
    if (!shown.has(authorId)) shown.set(authorId, notesPresenceName(db, documentId, authorId) ?? name);
    return shown.get(authorId)!;
  };
  const view = ({ comment: c, authorName }: (typeof rows)[number]): CommentView => ({
    id: c.id,
    author: authorOf(c.authorId, authorName),
    mine: c.authorId === actor.id,
    body: c.body,
    createdAt: c.createdAt.toISOString(),
    canDelete: can(actor, "comment.delete", { authorId: c.authorId }),
  });
  const threads = new Map<number, CommentThreadView>();
  for (const row of rows) {
    const c = row.comment;
    if (c.parentId === null) {
      threads.set(c.id, {
        ...view(row),
        quote: c.quote,
        anchor: parseAnchor(c.anchorStart, c.anchorEnd),
        resolvedAt: c.resolvedAt?.toISOString() ?? null,
        canResolve: can(actor, "comment.resolve", { authorId: c.authorId, leadId: access.leadId, membership: access.membership }),
        replies: [],
      });
    } else threads.get(c.parentId)?.replies.push(view(row));
  }
  return { threads: [...threads.values()], canComment: can(actor, "document.comment", access) };
}

export interface NewComment {
  documentId: number;
  body: string;
  quote: string;
  anchor: { start: RelativePositionJSON; end: RelativePositionJSON };
}

const changed = (documentId: number): DomainEvent[] => [{ type: "document.commentsChanged", documentId }];

/** Comments on a passage of the live text. */
export function addComment(
  db: Db,
  actor: Actor,
  input: NewComment,
  meta: RequestMeta,
): { ok: true; commentId: number; events: DomainEvent[] } | CommentRefusal {
  const access = readable(db, actor, input.documentId);
  if (!access) return notFound;
  if (!can(actor, "document.comment", access)) return forbidden;
  const commentId = db.transaction((tx) => {
    const id = tx
      .insert(documentComments)
      .values({
        documentId: input.documentId,
        authorId: actor.id,
        body: input.body,
        quote: input.quote,
        anchorStart: JSON.stringify(input.anchor.start),
        anchorEnd: JSON.stringify(input.anchor.end),
      })
      .returning({ id: documentComments.id })
      .get().id;
    recordAudit(
      tx,
      { actorId: actor.id, action: "document.comment", targetType: "document", targetId: input.documentId, detail: { commentId: id } },
      meta,
    );
    return id;
  });
  return { ok: true, commentId, events: announce(db, changed(input.documentId)) };
}

/** A thread's first comment and what the actor may do with the document, if they may read it. */
function threadFor(db: Db, actor: Actor, commentId: number) {
  const comment = db.select().from(documentComments).where(eq(documentComments.id, commentId)).get();
  if (!comment) return null;
  const access = readable(db, actor, comment.documentId);
  return access ? { comment, access } : null;
}

/** Answers a thread (a reply to a reply joins the same thread). */
export function replyToComment(
  db: Db,
  actor: Actor,
  input: { commentId: number; body: string },
  meta: RequestMeta,
): { ok: true; commentId: number; events: DomainEvent[] } | CommentRefusal {
  const found = threadFor(db, actor, input.commentId);
  if (!found) return notFound;
  if (!can(actor, "document.comment", found.access)) return forbidden;
  const parentId = found.comment.parentId ?? found.comment.id;
  const { documentId } = found.comment;
  const commentId = db.transaction((tx) => {
    const id = tx
      .insert(documentComments)
      .values({ documentId, parentId, authorId: actor.id, body: input.body })
      .returning({ id: documentComments.id })
      .get().id;
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "document.comment.reply",
        targetType: "document",
        targetId: documentId,
        detail: { commentId: id, parentId },
      },
      meta,
    );
    return id;
  });
  return { ok: true, commentId, events: announce(db, changed(documentId)) };
}

/** Resolves or reopens a thread. */
export function setCommentResolved(
  db: Db,
  actor: Actor,
  input: { commentId: number; resolved: boolean },
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | CommentRefusal {
  const found = threadFor(db, actor, input.commentId);
  if (!found || found.comment.parentId !== null) return notFound;
  const { comment, access } = found;
  if (!can(actor, "comment.resolve", { authorId: comment.authorId, leadId: access.leadId, membership: access.membership }))
    return forbidden;
  db.transaction((tx) => {
    tx.update(documentComments)
      .set(input.resolved ? { resolvedAt: new Date(), resolvedBy: actor.id } : { resolvedAt: null, resolvedBy: null })
      .where(eq(documentComments.id, comment.id))
      .run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: input.resolved ? "document.comment.resolve" : "document.comment.reopen",
        targetType: "document",
        targetId: comment.documentId,
        detail: { commentId: comment.id },
      },
      meta,
    );
  });
  return { ok: true, events: announce(db, changed(comment.documentId)) };
}

/** Deletes a comment; deleting a thread's first comment deletes its replies with it. */
export function deleteComment(
  db: Db,
  actor: Actor,
  input: { commentId: number },
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | CommentRefusal {
  const found = threadFor(db, actor, input.commentId);
  if (!found) return notFound;
  const { comment } = found;
  if (!can(actor, "comment.delete", { authorId: comment.authorId })) return forbidden;
  db.transaction((tx) => {
    tx.delete(documentComments).where(eq(documentComments.parentId, comment.id)).run();
    tx.delete(documentComments).where(eq(documentComments.id, comment.id)).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "document.comment.delete",
        targetType: "document",
        targetId: comment.documentId,
        detail: { commentId: comment.id },
      },
      meta,
    );
  });
  return { ok: true, events: announce(db, changed(comment.documentId)) };
}
