/**
 * Working groups and their members: who writes a pillar's good-practice documents, and who leads them.
 * Every write records its audit entry in the same transaction.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { documents, organisations, pillars, users, workingGroupMembers, workingGroups } from "../../db/schema";
import type { Membership } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";

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

/** The documents of a group, whose open copies are checked again when its lead or members change. */
export function groupDocumentIds(db: DbOrTx, groupId: number): number[] {
  return db
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.groupId, groupId))
    .all()
    .map((d) => d.id);
}

export function listMembers(db: DbOrTx, groupId: number) {
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      organisation: organisations.name,
      membership: workingGroupMembers.membership,
    })
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
    recordAudit(
      tx,
      {
        actorId,
        action: "working_group.create",
        targetType: "working_group",
        targetId: id,
        detail: { name: input.name, leadId: input.leadId },
      },
      meta,
    );
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
    recordAudit(
      tx,
      { actorId, action: "working_group.update", targetType: "working_group", targetId: groupId, detail: { ...input } },
      meta,
    );
  });
}

export function setMembership(db: Db, actorId: number, groupId: number, userId: number, membership: Membership, meta: RequestMeta): void {
  db.transaction((tx) => {
    tx.insert(workingGroupMembers)
      .values({ groupId, userId, membership })
      .onConflictDoUpdate({ target: [workingGroupMembers.groupId, workingGroupMembers.userId], set: { membership } })
      .run();
    recordAudit(
      tx,
      { actorId, action: "working_group.member_set", targetType: "working_group", targetId: groupId, detail: { userId, membership } },
      meta,
    );
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
    if (removed)
      recordAudit(
        tx,
        { actorId, action: "working_group.member_remove", targetType: "working_group", targetId: groupId, detail: { userId } },
        meta,
      );
    return removed > 0;
  });
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
export function saveWorkingGroup(
  db: Db,
  actorId: number,
  groupId: number | null,
  input: WorkingGroupInput,
  meta: RequestMeta,
): SaveWorkingGroupResult {
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
export function workingGroupInputProblems(
  db: DbOrTx,
  input: WorkingGroupInput,
  currentLeadId: number | null = null,
): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (!db.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get()) problems.pillarId = "errors.invalidChoice";
  if (input.leadId !== null && input.leadId !== currentLeadId && !listLeadCandidates(db).some((p) => p.id === input.leadId)) {
    problems.leadId = "groups:errors.leadUnavailable";
  }
  return Object.keys(problems).length ? problems : null;
}
