/**
 * Working groups, their documents, named versions and published good-practice models.
 * The live text itself is in `document-store.server.ts`; this module holds everything around it.
 */
import { and, asc, desc, eq, isNotNull, max, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import {
  documents,
  documentVersions,
  organisations,
  pillars,
  users,
  workingGroupMembers,
  workingGroups,
} from "../../db/schema";
import type { DocumentStatus, DocumentVisibility, Membership, VersionKind } from "../../db/schema/vocabulary";
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
      .select({ id: users.id, role: users.role, status: users.status, organisationId: users.organisationId, stakeholderGroup: organisations.stakeholderGroup })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(eq(users.id, userId))
      .get() ?? null
  );
}

// ---------------------------------------------------------------------------------------------
// Working groups

export function membershipOf(db: DbOrTx, groupId: number, userId: number): Membership | null {
  return (
    db
      .select({ membership: workingGroupMembers.membership })
      .from(workingGroupMembers)
      .where(and(eq(workingGroupMembers.groupId, groupId), eq(workingGroupMembers.userId, userId)))
      .get()?.membership ?? null
  );
}

/** The groups a person belongs to, or every group for the secretariat, with their document counts. */
export function listWorkingGroupsFor(db: DbOrTx, actor: Actor) {
  const rows = db
    .select({
      id: workingGroups.id,
      name: workingGroups.name,
      description: workingGroups.description,
      pillarName: pillars.name,
      pillarSlug: pillars.slug,
      leadName: users.name,
      membership: workingGroupMembers.membership,
      documentCount: sql<number>`(SELECT count(*) FROM documents d WHERE d.group_id = ${workingGroups.id})`,
      memberCount: sql<number>`(SELECT count(*) FROM working_group_members m WHERE m.group_id = ${workingGroups.id})`,
    })
    .from(workingGroups)
    .innerJoin(pillars, eq(pillars.id, workingGroups.pillarId))
    .leftJoin(users, eq(users.id, workingGroups.leadId))
    .leftJoin(workingGroupMembers, and(eq(workingGroupMembers.groupId, workingGroups.id), eq(workingGroupMembers.userId, actor.id)))
    .orderBy(asc(pillars.position), asc(workingGroups.name))
    .all();
  return rows.filter((g) => can(actor, "workingGroup.view", { membership: g.membership }));
}

export function getWorkingGroup(db: DbOrTx, groupId: number) {
  return (
    db
      .select({
        id: workingGroups.id,
        name: workingGroups.name,
        description: workingGroups.description,
        pillarId: workingGroups.pillarId,
        pillarName: pillars.name,
        leadId: workingGroups.leadId,
        leadName: users.name,
      })
      .from(workingGroups)
      .innerJoin(pillars, eq(pillars.id, workingGroups.pillarId))
      .leftJoin(users, eq(users.id, workingGroups.leadId))
      .where(eq(workingGroups.id, groupId))
      .get() ?? null
  );
}

export function listMembers(db: DbOrTx, groupId: number) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: users.role, organisation: organisations.name, membership: workingGroupMembers.membership })
    .from(workingGroupMembers)
    .innerJoin(users, eq(users.id, workingGroupMembers.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(workingGroupMembers.groupId, groupId))
    .orderBy(asc(users.name))
    .all();
}

export interface WorkingGroupInput {
  name: string;
  description: string;
  pillarId: number;
  leadId: number | null;
}

/** Creates a group; its lead becomes an editing member. */
export function createWorkingGroup(db: Db, actorId: number, input: WorkingGroupInput, meta: RequestMeta): number {
  return db.transaction((tx) => {
    const { id } = tx.insert(workingGroups).values(input).returning({ id: workingGroups.id }).get();
    if (input.leadId) tx.insert(workingGroupMembers).values({ groupId: id, userId: input.leadId, membership: "editor" }).run();
    recordAudit(tx, { actorId, action: "working_group.create", targetType: "working_group", targetId: id, detail: { name: input.name, leadId: input.leadId } }, meta);
    return id;
  });
}

export function updateWorkingGroup(db: Db, actorId: number, groupId: number, input: WorkingGroupInput, meta: RequestMeta): void {
  db.transaction((tx) => {
    tx.update(workingGroups).set(input).where(eq(workingGroups.id, groupId)).run();
    if (input.leadId) {
      tx.insert(workingGroupMembers)
        .values({ groupId, userId: input.leadId, membership: "editor" })
        .onConflictDoUpdate({ target: [workingGroupMembers.groupId, workingGroupMembers.userId], set: { membership: "editor" } })
        .run();
    }
    recordAudit(tx, { actorId, action: "working_group.update", targetType: "working_group", targetId: groupId, detail: { ...input } }, meta);
  });
}

export function setMembership(db: Db, actorId: number, groupId: number, userId: number, membership: Membership, meta: RequestMeta): void {
  db.transaction((tx) => {
    tx.insert(workingGroupMembers)
      .values({ groupId, userId, membership })
      .onConflictDoUpdate({ target: [workingGroupMembers.groupId, workingGroupMembers.userId], set: { membership } })
      .run();
    recordAudit(tx, { actorId, action: "working_group.member_set", targetType: "working_group", targetId: groupId, detail: { userId, membership } }, meta);
  });
}

/** Removes a member; the lead cannot be removed without naming another lead first. */
export function removeMember(db: Db, actorId: number, groupId: number, userId: number, meta: RequestMeta): boolean {
  return db.transaction((tx) => {
    const group = tx.select({ leadId: workingGroups.leadId }).from(workingGroups).where(eq(workingGroups.id, groupId)).get();
    if (!group || group.leadId === userId) return false;
    const removed = tx
      .delete(workingGroupMembers)
      .where(and(eq(workingGroupMembers.groupId, groupId), eq(workingGroupMembers.userId, userId)))
      .run().changes;
    if (removed) recordAudit(tx, { actorId, action: "working_group.member_remove", targetType: "working_group", targetId: groupId, detail: { userId } }, meta);
    return removed > 0;
  });
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
    recordAudit(tx, { actorId, action: "document.create", targetType: "document", targetId: id, detail: { title: input.title, groupId } }, meta);
    return id;
  });
}

export function updateDocument(db: Db, actorId: number, documentId: number, input: DocumentInput, meta: RequestMeta): void {
  db.transaction((tx) => {
    tx.update(documents).set({ ...input, updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
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
export function createVersion(db: Db, actorId: number, documentId: number, name: string, meta: RequestMeta, kind: VersionKind = "manual"): number {
  const state = readDocumentState(db, documentId);
  return db.transaction((tx) => {
    const id = insertVersion(tx, documentId, state, { name, kind, createdBy: actorId });
    recordAudit(tx, { actorId, action: "document.version", targetType: "document", targetId: documentId, detail: { versionId: id, name, kind } }, meta);
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
export function setDocumentStatus(db: Db, actorId: number, documentId: number, status: "draft" | "review", reviewLabel: string, meta: RequestMeta): void {
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
    insertVersion(tx, documentId, state, { name: input.name(number), kind: "published", createdBy: actorId, publishedNumber: number, visibility: input.visibility });
    tx.update(documents).set({ status: "published", updatedAt: new Date() }).where(eq(documents.id, documentId)).run();
    recordAudit(tx, { actorId, action: "document.publish", targetType: "document", targetId: documentId, detail: { number, visibility: input.visibility } }, meta);
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
      .select({ ...publicationColumns, id: documentVersions.id, state: documentVersions.state, publishedBy: users.name, groupId: documents.groupId })
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
    .where(and(isNotNull(documentVersions.publishedNumber), documentId === undefined ? undefined : eq(documentVersions.documentId, documentId)))
    .orderBy(desc(documentVersions.id))
    .all();
  return rows.filter((p) => can(actor, "publication.view", { visibility: p.visibility ?? "group", membership: p.membership }));
}

/** People who could be added to a group: every active person not in it yet. */
export function listAddablePeople(db: DbOrTx, groupId: number) {
  const inGroup = db.select({ id: workingGroupMembers.userId }).from(workingGroupMembers).where(eq(workingGroupMembers.groupId, groupId));
  return db
    .select({ id: users.id, name: users.name, role: users.role, organisation: organisations.name })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(users.status, "active"), sql`${users.id} NOT IN ${inGroup}`))
    .orderBy(asc(users.name))
    .all();
}

// Working-group pages

/** Whether another working group already goes by this name, ignoring case. */
export function workingGroupNameTaken(db: DbOrTx, name: string, exceptId?: number): boolean {
  const row = db
    .select({ id: workingGroups.id })
    .from(workingGroups)
    .where(sql`lower(${workingGroups.name}) = lower(${name})`)
    .get();
  return !!row && row.id !== exceptId;
}

export type SaveWorkingGroupResult = { ok: true; id: number } | { ok: false; field: "name"; error: "groups:errors.nameTaken" };

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE";
}

/**
 * Creates a working group (`groupId` null) or edits one, refusing a name another group already has
 * (also when two people pick the same name at the same moment).
 */
export function saveWorkingGroup(db: Db, actorId: number, groupId: number | null, input: WorkingGroupInput, meta: RequestMeta): SaveWorkingGroupResult {
  const taken = { ok: false as const, field: "name" as const, error: "groups:errors.nameTaken" as const };
  if (workingGroupNameTaken(db, input.name, groupId ?? undefined)) return taken;
  try {
    if (groupId === null) return { ok: true, id: createWorkingGroup(db, actorId, input, meta) };
    updateWorkingGroup(db, actorId, groupId, input, meta);
    return { ok: true, id: groupId };
  } catch (error) {
    if (isUniqueViolation(error)) return taken;
    throw error;
  }
}

/** Active people who may lead a working group: those the policy lets manage its documents once they lead it. */
export function listLeadCandidates(db: DbOrTx) {
  return db
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      stakeholderGroup: organisations.stakeholderGroup,
      organisation: organisations.name,
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.status, "active"))
    .orderBy(asc(users.name))
    .all()
    .filter((person) => can(person, "document.manage", { leadId: person.id }))
    .map((person) => ({ id: person.id, name: person.name, organisation: person.organisation }));
}

/**
 * What is wrong with a group's pillar or lead beyond its shape, as field errors (or null when all is well).
 * The group's current lead may stay even if they could no longer be chosen.
 */
export function workingGroupInputProblems(db: DbOrTx, input: WorkingGroupInput, currentLeadId: number | null = null): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (!db.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get()) problems.pillarId = "errors.invalidChoice";
  if (input.leadId !== null && input.leadId !== currentLeadId && !listLeadCandidates(db).some((p) => p.id === input.leadId)) {
    problems.leadId = "groups:errors.leadUnavailable";
  }
  return Object.keys(problems).length ? problems : null;
}
