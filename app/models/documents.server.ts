/**
 * Working groups' documents, their named versions and published good-practice models (the groups themselves are in `working-groups.server.ts`).
 * The live text itself is in `document-store.server.ts`; this module holds everything around it.
 * Every write asks the policy itself and announces what changes who may read or edit an open copy,
 * or what replaces its text, once it has committed.
 */
import { and, desc, eq, isNotNull, max, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { documents, documentVersions, pillars, users, workingGroupMembers, workingGroups } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { DocumentStatus, DocumentVisibility, Membership, VersionKind } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { readDocumentState } from "./document-store.server";
import { notesMembership, notesRoomOf } from "./breakout-notes.server";
import { announce } from "./domain-events.server";
import { membershipOf } from "./working-groups.server";

/** What the policy needs to decide about one document and one person. */
export interface DocumentAccess {
  id: number;
  /** Null for a breakout room's notes. */
  groupId: number | null;
  title: string;
  status: DocumentStatus;
  visibility: DocumentVisibility;
  leadId: number | null;
  membership: Membership | null;
  /** Nobody may change it any more: a breakout room's notes once the rooms have closed. */
  frozen?: boolean;
}

/** The document's access facts for one person; `documentId` and `userId` are placeholders. */
function accessQuery(db: DbOrTx) {
  return db
    .select({
      id: documents.id,
      groupId: documents.groupId,
      title: documents.title,
      status: documents.status,
      visibility: documents.visibility,
      leadId: workingGroups.leadId,
      membership: workingGroupMembers.membership,
    })
    .from(documents)
    .innerJoin(workingGroups, eq(workingGroups.id, documents.groupId))
    .leftJoin(
      workingGroupMembers,
      and(eq(workingGroupMembers.groupId, documents.groupId), eq(workingGroupMembers.userId, sql.placeholder("userId"))),
    )
    .where(eq(documents.id, sql.placeholder("documentId")));
}

/** A breakout room's notes document (no working group): its title and status. */
function notesDocumentQuery(db: DbOrTx) {
  return db
    .select({ title: documents.title, status: documents.status })
    .from(documents)
    .where(eq(documents.id, sql.placeholder("documentId")));
}

/**
 * The access check runs on every document opened, every re-check and every comment: its queries are built and
 * prepared once per database, not on each call. Only the statements are kept, never what they returned.
 */
function prepareAccessReads(db: Db) {
  return { access: accessQuery(db).prepare(), notesDocument: notesDocumentQuery(db).prepare() };
}

const preparedAccessReads = new WeakMap<Db, ReturnType<typeof prepareAccessReads>>();

/** The prepared reads of this database, or null inside a transaction (whose handle has no client of its own). */
function accessReads(db: DbOrTx): ReturnType<typeof prepareAccessReads> | null {
  if (!("$client" in db)) return null;
  let found = preparedAccessReads.get(db);
  if (!found) preparedAccessReads.set(db, (found = prepareAccessReads(db)));
  return found;
}

export function documentAccess(db: DbOrTx, documentId: number, userId: number): DocumentAccess | null {
  const reads = accessReads(db);
  // A breakout room's notes belong to no working group: the room decides who may read and write them.
  const notesRoom = notesRoomOf(db, documentId);
  if (notesRoom !== null) {
    const doc = reads ? reads.notesDocument.get({ documentId }) : notesDocumentQuery(db).get({ documentId });
    if (!doc) return null;
    const membership = notesMembership(db, notesRoom, userId);
    return {
      id: documentId,
      groupId: null,
      title: doc.title,
      status: doc.status,
      visibility: "group",
      leadId: null,
      membership,
      frozen: membership !== "editor",
    };
  }
  return (reads ? reads.access.get({ documentId, userId }) : accessQuery(db).get({ documentId, userId })) ?? null;
}

/** A document the actor may not read is refused as if it did not exist. */
export type DocumentRefusal = { ok: false; reason: "forbidden" | "not_found" };

const forbidden: DocumentRefusal = { ok: false, reason: "forbidden" };
const notFound: DocumentRefusal = { ok: false, reason: "not_found" };

/** The document's access facts when the actor may take this action on it, or why not. */
function accessFor(db: DbOrTx, actor: Actor, documentId: number, action: "document.edit" | "document.manage") {
  const access = documentAccess(db, documentId, actor.id);
  // A room's notes have no versions, review or publishing: they are reached only through the room.
  if (!access || access.groupId === null || !can(actor, "document.view", access)) return notFound;
  if (!can(actor, action, access)) return forbidden;
  return { ok: true as const, access };
}

// ---------------------------------------------------------------------------------------------
// Documents

const documentColumns = {
  id: documents.id,
  groupId: documents.groupId,
  title: documents.title,
  summary: documents.summary,
  status: documents.status,
  visibility: documents.visibility,
  updatedAt: documents.updatedAt,
  createdAt: documents.createdAt,
};

export function listGroupDocuments(db: DbOrTx, groupId: number) {
  return db.select(documentColumns).from(documents).where(eq(documents.groupId, groupId)).orderBy(desc(documents.updatedAt)).all();
}

/** Documents shared with every member (visibility "members" or "public") plus those of the person's groups. */
export function listDocumentsFor(db: DbOrTx, actor: Actor) {
  const rows = db
    .select({ ...documentColumns, groupName: workingGroups.name, leadId: workingGroups.leadId, membership: workingGroupMembers.membership })
    .from(documents)
    .innerJoin(workingGroups, eq(workingGroups.id, documents.groupId))
    .leftJoin(workingGroupMembers, and(eq(workingGroupMembers.groupId, documents.groupId), eq(workingGroupMembers.userId, actor.id)))
    .orderBy(desc(documents.updatedAt))
    .all();
  return rows.filter((d) => can(actor, "document.view", d));
}

export function getDocument(db: DbOrTx, documentId: number) {
  return (
    db
      .select({ ...documentColumns, groupName: workingGroups.name, leadId: workingGroups.leadId, leadName: users.name })
      .from(documents)
      .innerJoin(workingGroups, eq(workingGroups.id, documents.groupId))
      .leftJoin(users, eq(users.id, workingGroups.leadId))
      .where(eq(documents.id, documentId))
      .get() ?? null
  );
}

export interface DocumentInput {
  title: string;
  summary: string;
  visibility: DocumentVisibility;
}

/** Starts a document in a group: its editors and the secretariat may. */
export function createDocument(
  db: Db,
  actor: Actor,
  groupId: number,
  input: DocumentInput,
  meta: RequestMeta,
): { ok: true; id: number; events: DomainEvent[] } | DocumentRefusal {
  const group = db.select({ id: workingGroups.id }).from(workingGroups).where(eq(workingGroups.id, groupId)).get();
  if (!group) return notFound;
  if (!can(actor, "document.create", { membership: membershipOf(db, groupId, actor.id) })) return forbidden;
  const id = db.transaction((tx) => {
    const { id } = tx
      .insert(documents)
      .values({ ...input, groupId, createdBy: actor.id })
      .returning({ id: documents.id })
      .get();
    recordAudit(
      tx,
      { actorId: actor.id, action: "document.create", targetType: "document", targetId: id, detail: { title: input.title, groupId } },
      meta,
    );
    return id;
  });
  return { ok: true, id, events: [] };
}

/** Title, summary and who may read it; narrowing who may read it closes the document for whoever may no longer. */
export function updateDocument(
  db: Db,
  actor: Actor,
  documentId: number,
  input: DocumentInput,
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | DocumentRefusal {
  const allowed = accessFor(db, actor, documentId, "document.manage");
  if (!allowed.ok) return allowed;
  db.transaction((tx) => {
    tx.update(documents)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(documents.id, documentId))
      .run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "document.update", targetType: "document", targetId: documentId, detail: { ...input } },
      meta,
    );
  });
  const events: DomainEvent[] = input.visibility !== allowed.access.visibility ? [{ type: "document.accessChanged", documentId }] : [];
  return { ok: true, events: announce(db, events) };
}

// ---------------------------------------------------------------------------------------------
// Versions and publishing

function insertVersion(
  tx: DbOrTx,
  documentId: number,
  state: Uint8Array,
  v: { name: string; kind: VersionKind; createdBy: number; publishedNumber?: number; visibility?: DocumentVisibility },
) {
  const doc = tx.select({ title: documents.title, summary: documents.summary }).from(documents).where(eq(documents.id, documentId)).get()!;
  return tx
    .insert(documentVersions)
    .values({ documentId, state: Buffer.from(state), title: doc.title, summary: doc.summary, ...v })
    .returning({ id: documentVersions.id })
    .get().id;
}

/** Freezes the stored text as a named version: the document's editors may. */
export function createVersion(
  db: Db,
  actor: Actor,
  documentId: number,
  name: string,
  meta: RequestMeta,
): { ok: true; id: number; events: DomainEvent[] } | DocumentRefusal {
  const allowed = accessFor(db, actor, documentId, "document.edit");
  if (!allowed.ok) return allowed;
  const state = readDocumentState(db, documentId);
  const id = db.transaction((tx) => insertNamedVersion(tx, actor.id, documentId, state, name, "manual", meta));
  return { ok: true, id, events: [] };
}

function insertNamedVersion(
  tx: DbOrTx,
  actorId: number,
  documentId: number,
  state: Uint8Array,
  name: string,
  kind: VersionKind,
  meta: RequestMeta,
): number {
  const id = insertVersion(tx, documentId, state, { name, kind, createdBy: actorId });
  recordAudit(
    tx,
    { actorId, action: "document.version", targetType: "document", targetId: documentId, detail: { versionId: id, name, kind } },
    meta,
  );
  return id;
}

/**
 * Puts a version's text back. The text being replaced is kept as a version first, so a restore can
 * itself be undone; the open copy receives the restored text like any other edit once this is announced.
 */
export function restoreVersion(
  db: Db,
  actor: Actor,
  documentId: number,
  versionId: number,
  input: { beforeRestoreName: (versionName: string) => string },
  meta: RequestMeta,
): { ok: true; name: string; events: DomainEvent[] } | DocumentRefusal {
  const allowed = accessFor(db, actor, documentId, "document.edit");
  if (!allowed.ok) return allowed;
  const version = getVersion(db, documentId, versionId);
  if (!version) return notFound;
  const current = readDocumentState(db, documentId);
  db.transaction((tx) => {
    insertNamedVersion(tx, actor.id, documentId, current, input.beforeRestoreName(version.name), "restore", meta);
    recordAudit(
      tx,
      { actorId: actor.id, action: "document.restore", targetType: "document", targetId: documentId, detail: { versionId: version.id } },
      meta,
    );
  });
  const state = new Uint8Array(version.state);
  return { ok: true, name: version.name, events: announce(db, [{ type: "document.replaced", documentId, state }]) };
}

export function listVersions(db: DbOrTx, documentId: number) {
  return db
    .select({
      id: documentVersions.id,
      name: documentVersions.name,
      kind: documentVersions.kind,
      publishedNumber: documentVersions.publishedNumber,
      createdAt: documentVersions.createdAt,
      createdBy: users.name,
    })
    .from(documentVersions)
    .leftJoin(users, eq(users.id, documentVersions.createdBy))
    .where(eq(documentVersions.documentId, documentId))
    .orderBy(desc(documentVersions.id))
    .all();
}

export function getVersion(db: DbOrTx, documentId: number, versionId: number) {
  return (
    db
      .select()
      .from(documentVersions)
      .where(and(eq(documentVersions.documentId, documentId), eq(documentVersions.id, versionId)))
      .get() ?? null
  );
}

/** Moves a draft to review (or back to draft), with an automatic version when it goes to review. */
export function setDocumentStatus(
  db: Db,
  actor: Actor,
  documentId: number,
  status: "draft" | "review",
  reviewLabel: string,
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | DocumentRefusal {
  const allowed = accessFor(db, actor, documentId, "document.manage");
  if (!allowed.ok) return allowed;
  const state = status === "review" ? readDocumentState(db, documentId) : null;
  db.transaction((tx) => {
    tx.update(documents).set({ status, updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
    if (state) insertVersion(tx, documentId, state, { name: reviewLabel, kind: "review", createdBy: actor.id });
    recordAudit(
      tx,
      { actorId: actor.id, action: "document.status", targetType: "document", targetId: documentId, detail: { status } },
      meta,
    );
  });
  return { ok: true, events: announce(db, statusEvents(documentId, allowed.access.status, status)) };
}

function statusEvents(documentId: number, before: DocumentStatus, after: DocumentStatus): DomainEvent[] {
  return before === after ? [] : [{ type: "document.accessChanged", documentId }];
}

/**
 * Publishes the current text as the next frozen, citable version ("v1", "v2"…).
 * The document is marked published; editing goes on in the live draft.
 */
export function publishDocument(
  db: Db,
  actor: Actor,
  documentId: number,
  input: { visibility: DocumentVisibility; name: (n: number) => string },
  meta: RequestMeta,
): { ok: true; number: number; events: DomainEvent[] } | DocumentRefusal {
  const allowed = accessFor(db, actor, documentId, "document.manage");
  if (!allowed.ok) return allowed;
  const state = readDocumentState(db, documentId);
  const number = db.transaction((tx) => {
    const last = tx
      .select({ n: max(documentVersions.publishedNumber) })
      .from(documentVersions)
      .where(eq(documentVersions.documentId, documentId))
      .get();
    const number = (last?.n ?? 0) + 1;
    insertVersion(tx, documentId, state, {
      name: input.name(number),
      kind: "published",
      createdBy: actor.id,
      publishedNumber: number,
      visibility: input.visibility,
    });
    tx.update(documents).set({ status: "published", updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "document.publish",
        targetType: "document",
        targetId: documentId,
        detail: { number, visibility: input.visibility },
      },
      meta,
    );
    return number;
  });
  return { ok: true, number, events: announce(db, statusEvents(documentId, allowed.access.status, "published")) };
}

/** What lists and pages show of a published version. */
const publicationColumns = {
  documentId: documentVersions.documentId,
  number: documentVersions.publishedNumber,
  title: documentVersions.title,
  summary: documentVersions.summary,
  visibility: documentVersions.visibility,
  publishedAt: documentVersions.createdAt,
  groupName: workingGroups.name,
  pillarName: pillars.name,
};

/** One published version, its frozen state, and what the policy needs to decide who may read it. */
export function getPublication(db: DbOrTx, documentId: number, number: number) {
  return (
    db
      .select({
        ...publicationColumns,
        id: documentVersions.id,
        state: documentVersions.state,
        publishedBy: users.name,
        groupId: documents.groupId,
      })
      .from(documentVersions)
      .innerJoin(documents, eq(documents.id, documentVersions.documentId))
      .innerJoin(workingGroups, eq(workingGroups.id, documents.groupId))
      .innerJoin(pillars, eq(pillars.id, workingGroups.pillarId))
      .leftJoin(users, eq(users.id, documentVersions.createdBy))
      .where(and(eq(documentVersions.documentId, documentId), eq(documentVersions.publishedNumber, number)))
      .get() ?? null
  );
}

/** Every published version a reader (or, with `null`, anyone) may read, newest first. */
export function listPublicationsFor(db: DbOrTx, actor: Actor | null, documentId?: number) {
  const rows = db
    .select({ ...publicationColumns, membership: workingGroupMembers.membership })
    .from(documentVersions)
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .innerJoin(workingGroups, eq(workingGroups.id, documents.groupId))
    .innerJoin(pillars, eq(pillars.id, workingGroups.pillarId))
    .leftJoin(workingGroupMembers, and(eq(workingGroupMembers.groupId, documents.groupId), eq(workingGroupMembers.userId, actor?.id ?? 0)))
    .where(
      and(isNotNull(documentVersions.publishedNumber), documentId === undefined ? undefined : eq(documentVersions.documentId, documentId)),
    )
    .orderBy(desc(documentVersions.id))
    .all();
  return rows.filter((p) => can(actor, "publication.view", { visibility: p.visibility ?? "group", membership: p.membership }));
}
