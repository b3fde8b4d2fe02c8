/**
 * Working groups' documents, their named versions and published good-practice models (the groups themselves are in `working-groups.server.ts`).
 * The live text itself is in `document-store.server.ts`; this module holds everything around it.
 */
import { and, desc, eq, isNotNull, max } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { documents, documentVersions, organisations, pillars, users, workingGroupMembers, workingGroups } from "../../db/schema";
import type { DocumentStatus, DocumentVisibility, Membership, VersionKind } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { readDocumentState } from "./document-store.server";

/** What the policy needs to decide about one document and one person. */
export interface DocumentAccess {
  id: number;
  groupId: number;
  title: string;
  status: DocumentStatus;
  visibility: DocumentVisibility;
  leadId: number | null;
  membership: Membership | null;
}

export function documentAccess(db: DbOrTx, documentId: number, userId: number): DocumentAccess | null {
  return (
    db
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
      .leftJoin(workingGroupMembers, and(eq(workingGroupMembers.groupId, documents.groupId), eq(workingGroupMembers.userId, userId)))
      .where(eq(documents.id, documentId))
      .get() ?? null
  );
}

/** A person as the policy sees them, read fresh from the database. */
export function actorFor(db: DbOrTx, userId: number): Actor | null {
  return (
    db
      .select({
        id: users.id,
        role: users.role,
        status: users.status,
        organisationId: users.organisationId,
        stakeholderGroup: organisations.stakeholderGroup,
      })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(eq(users.id, userId))
      .get() ?? null
  );
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

export function createDocument(db: Db, actorId: number, groupId: number, input: DocumentInput, meta: RequestMeta): number {
  return db.transaction((tx) => {
    const { id } = tx
      .insert(documents)
      .values({ ...input, groupId, createdBy: actorId })
      .returning({ id: documents.id })
      .get();
    recordAudit(
      tx,
      { actorId, action: "document.create", targetType: "document", targetId: id, detail: { title: input.title, groupId } },
      meta,
    );
    return id;
  });
}

export function updateDocument(db: Db, actorId: number, documentId: number, input: DocumentInput, meta: RequestMeta): void {
  db.transaction((tx) => {
    tx.update(documents)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(documents.id, documentId))
      .run();
    recordAudit(tx, { actorId, action: "document.update", targetType: "document", targetId: documentId, detail: { ...input } }, meta);
  });
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

/** Freezes the stored text as a named version. */
export function createVersion(
  db: Db,
  actorId: number,
  documentId: number,
  name: string,
  meta: RequestMeta,
  kind: VersionKind = "manual",
): number {
  const state = readDocumentState(db, documentId);
  return db.transaction((tx) => {
    const id = insertVersion(tx, documentId, state, { name, kind, createdBy: actorId });
    recordAudit(
      tx,
      { actorId, action: "document.version", targetType: "document", targetId: documentId, detail: { versionId: id, name, kind } },
      meta,
    );
    return id;
  });
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
  actorId: number,
  documentId: number,
  status: "draft" | "review",
  reviewLabel: string,
  meta: RequestMeta,
): void {
  const state = status === "review" ? readDocumentState(db, documentId) : null;
  db.transaction((tx) => {
    tx.update(documents).set({ status, updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
    if (state) insertVersion(tx, documentId, state, { name: reviewLabel, kind: "review", createdBy: actorId });
    recordAudit(tx, { actorId, action: "document.status", targetType: "document", targetId: documentId, detail: { status } }, meta);
  });
}

/**
 * Publishes the current text as the next frozen, citable version ("v1", "v2"…).
 * The document is marked published; editing goes on in the live draft.
 */
export function publishDocument(
  db: Db,
  actorId: number,
  documentId: number,
  input: { visibility: DocumentVisibility; name: (n: number) => string },
  meta: RequestMeta,
): number {
  const state = readDocumentState(db, documentId);
  return db.transaction((tx) => {
    const last = tx
      .select({ n: max(documentVersions.publishedNumber) })
      .from(documentVersions)
      .where(eq(documentVersions.documentId, documentId))
      .get();
    const number = (last?.n ?? 0) + 1;
    insertVersion(tx, documentId, state, {
      name: input.name(number),
      kind: "published",
      createdBy: actorId,
      publishedNumber: number,
      visibility: input.visibility,
    });
    tx.update(documents).set({ status: "published", updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
    recordAudit(
      tx,
      {
        actorId,
        action: "document.publish",
        targetType: "document",
        targetId: documentId,
        detail: { number, visibility: input.visibility },
      },
      meta,
    );
    return number;
  });
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
