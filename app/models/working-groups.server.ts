/**
 * Working groups and their members: who writes a pillar's good-practice documents, and who leads them.
 * Every write is the secretariat's (the policy says so), checks the group's rules itself (the lead is an
 * active person who may manage documents, and always an editing member), records its audit entry in the
 * same transaction, and announces who may now read or edit the group's documents once it has committed.
 */
import { peopleAsActors } from "./people.server";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { documents, organisations, pillars, users, workingGroupMembers, workingGroups } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { Membership } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";

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

/**
 * Why a write was refused. `message` is a key for the page-level message, `errors` field errors by
 * field name; both are i18n keys (the page's default namespace is `groups`).
 */
export type Refusal =
  | { ok: false; reason: "forbidden" }
  | { ok: false; reason: "not_found" | "conflict" | "invalid"; message: string | null; errors: Record<string, string> };

const forbidden: Refusal = { ok: false, reason: "forbidden" };

function refused(reason: "not_found" | "conflict" | "invalid", message: string | null, errors: Record<string, string> = {}): Refusal {
  return { ok: false, reason, message, errors };
}

export type SaveWorkingGroupResult = { ok: true; id: number; events: DomainEvent[] } | Refusal;

/** The person a membership change is about, for the page's message. */
export type MemberChangeResult = { ok: true; person: { id: number; name: string }; events: DomainEvent[] } | Refusal;

/**
 * Whether this person may be named lead: the lead reviews and publishes the group's documents, so
 * only someone the policy would let manage them once they lead it (active, and not an observer).
 */
function mayLead(db: DbOrTx, userId: number): boolean {
  const person = peopleAsActors(db).where(eq(users.id, userId)).get();
  return !!person && can(person, "document.manage", { leadId: person.id });
}

/** Whether another working group already goes by this name, ignoring case. */
function nameTaken(db: DbOrTx, name: string, exceptId: number | null): boolean {
  const row = db
    .select({ id: workingGroups.id })
    .from(workingGroups)
    .where(sql`lower(${workingGroups.name}) = lower(${name})`)
    .get();
  return !!row && row.id !== exceptId;
}

/**
 * What is wrong with a group's name, pillar or lead, as field errors (or null when all is well).
 * The group's current lead may stay even if they could no longer be chosen.
 */
function inputProblems(db: DbOrTx, input: WorkingGroupInput, groupId: number | null, currentLeadId: number | null) {
  const problems: Record<string, string> = {};
  if (nameTaken(db, input.name, groupId)) problems.name = "groups:errors.nameTaken";
  if (!db.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get()) problems.pillarId = "errors.invalidChoice";
  if (input.leadId !== null && input.leadId !== currentLeadId && !mayLead(db, input.leadId))
    problems.leadId = "groups:errors.leadUnavailable";
  return Object.keys(problems).length ? problems : null;
}

/** The lead is always an editing member. */
function makeLeadAnEditor(tx: DbOrTx, groupId: number, leadId: number) {
  tx.insert(workingGroupMembers)
    .values({ groupId, userId: leadId, membership: "editor" })
    .onConflictDoUpdate({ target: [workingGroupMembers.groupId, workingGroupMembers.userId], set: { membership: "editor" } })
    .run();
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** Two people picking the same name at the same moment: the database's unique index has the last word. */
function orNameTaken<T>(write: () => T): T | Refusal {
  try {
    return write();
  } catch (error) {
    if (isUniqueViolation(error)) return refused("invalid", null, { name: "groups:errors.nameTaken" });
    throw error;
  }
}

/** Creates a group (the secretariat does); its lead becomes an editing member. */
export function createWorkingGroup(db: Db, actor: Actor, input: WorkingGroupInput, meta: RequestMeta): SaveWorkingGroupResult {
  if (!can(actor, "workingGroups.manage")) return forbidden;
  const result = orNameTaken(() =>
    db.transaction((tx) => {
      const problems = inputProblems(tx, input, null, null);
      if (problems) return refused("invalid", null, problems);
      const { id } = tx.insert(workingGroups).values(input).returning({ id: workingGroups.id }).get();
      if (input.leadId !== null) makeLeadAnEditor(tx, id, input.leadId);
      recordAudit(
        tx,
        {
          actorId: actor.id,
          action: "working_group.create",
          targetType: "working_group",
          targetId: id,
          detail: { name: input.name, leadId: input.leadId },
        },
        meta,
      );
      return { ok: true as const, id };
    }),
  );
  if (!result.ok) return result;
  const events: DomainEvent[] = input.leadId !== null ? [{ type: "workingGroup.accessChanged", groupId: result.id }] : [];
  return { ok: true, id: result.id, events: announce(db, events) };
}

/** Edits a group; a new lead becomes an editing member (the previous one stays a member). */
export function updateWorkingGroup(
  db: Db,
  actor: Actor,
  groupId: number,
  input: WorkingGroupInput,
  meta: RequestMeta,
): SaveWorkingGroupResult {
  if (!can(actor, "workingGroups.manage")) return forbidden;
  const result = orNameTaken(() =>
    db.transaction((tx) => {
      const before = tx.select({ leadId: workingGroups.leadId }).from(workingGroups).where(eq(workingGroups.id, groupId)).get();
      if (!before) return refused("not_found", "common:errors.notFound");
      const problems = inputProblems(tx, input, groupId, before.leadId);
      if (problems) return refused("invalid", null, problems);
      tx.update(workingGroups).set(input).where(eq(workingGroups.id, groupId)).run();
      if (input.leadId !== null) makeLeadAnEditor(tx, groupId, input.leadId);
      recordAudit(
        tx,
        { actorId: actor.id, action: "working_group.update", targetType: "working_group", targetId: groupId, detail: { ...input } },
        meta,
      );
      return { ok: true as const, leadChanged: input.leadId !== before.leadId };
    }),
  );
  if (!result.ok) return result;
  const events: DomainEvent[] = result.leadChanged ? [{ type: "workingGroup.accessChanged", groupId }] : [];
  return { ok: true, id: groupId, events: announce(db, events) };
}

function groupLeadOf(db: DbOrTx, groupId: number): { leadId: number | null } | undefined {
  return db.select({ leadId: workingGroups.leadId }).from(workingGroups).where(eq(workingGroups.id, groupId)).get();
}

function finishMemberChange(db: Db, groupId: number, result: { ok: true; person: { id: number; name: string } } | Refusal) {
  if (!result.ok) return result;
  return { ok: true as const, person: result.person, events: announce(db, [{ type: "workingGroup.accessChanged", groupId }]) };
}

/** Adds an active person who is not in the group yet, as an editor or a reader. */
export function addMember(
  db: Db,
  actor: Actor,
  groupId: number,
  userId: number,
  membership: Membership,
  meta: RequestMeta,
): MemberChangeResult {
  if (!can(actor, "workingGroups.manage")) return forbidden;
  const result = db.transaction((tx) => {
    if (!groupLeadOf(tx, groupId)) return refused("not_found", "common:errors.notFound");
    const person = tx.select({ id: users.id, name: users.name, status: users.status }).from(users).where(eq(users.id, userId)).get();
    if (!person || person.status !== "active") return refused("invalid", null, { userId: "groups:errors.personUnavailable" });
    if (membershipOf(tx, groupId, userId) !== null) return refused("invalid", null, { userId: "groups:errors.alreadyMember" });
    tx.insert(workingGroupMembers).values({ groupId, userId, membership }).run();
    auditMembership(tx, actor, groupId, userId, membership, meta);
    return { ok: true as const, person: { id: person.id, name: person.name } };
  });
  return finishMemberChange(db, groupId, result);
}

/** Adding a member and changing a membership are one audit action: who now has which membership. */
function auditMembership(tx: DbOrTx, actor: Actor, groupId: number, userId: number, membership: Membership, meta: RequestMeta) {
  recordAudit(
    tx,
    {
      actorId: actor.id,
      action: "working_group.member_set",
      targetType: "working_group",
      targetId: groupId,
      detail: { userId, membership },
    },
    meta,
  );
}

/** Makes a member an editor or a reader; the lead stays an editor. */
export function changeMembership(
  db: Db,
  actor: Actor,
  groupId: number,
  userId: number,
  membership: Membership,
  meta: RequestMeta,
): MemberChangeResult {
  if (!can(actor, "workingGroups.manage")) return forbidden;
  const result = db.transaction((tx) => {
    const group = groupLeadOf(tx, groupId);
    if (!group) return refused("not_found", "common:errors.notFound");
    const person = tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId)).get();
    if (!person || membershipOf(tx, groupId, userId) === null) return refused("not_found", "errors.notMember");
    if (userId === group.leadId && membership !== "editor") return refused("invalid", "errors.leadStaysEditor");
    tx.update(workingGroupMembers)
      .set({ membership })
      .where(and(eq(workingGroupMembers.groupId, groupId), eq(workingGroupMembers.userId, userId)))
      .run();
    auditMembership(tx, actor, groupId, userId, membership, meta);
    return { ok: true as const, person };
  });
  return finishMemberChange(db, groupId, result);
}

/** Removes a member; the lead cannot be removed without naming another lead first. */
export function removeMember(db: Db, actor: Actor, groupId: number, userId: number, meta: RequestMeta): MemberChangeResult {
  if (!can(actor, "workingGroups.manage")) return forbidden;
  const result = db.transaction((tx) => {
    const group = groupLeadOf(tx, groupId);
    if (!group) return refused("not_found", "common:errors.notFound");
    const person = tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId)).get();
    if (!person || membershipOf(tx, groupId, userId) === null) return refused("not_found", "errors.notMember");
    if (userId === group.leadId) return refused("conflict", "errors.leadCannotBeRemoved");
    tx.delete(workingGroupMembers)
      .where(and(eq(workingGroupMembers.groupId, groupId), eq(workingGroupMembers.userId, userId)))
      .run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "working_group.member_remove", targetType: "working_group", targetId: groupId, detail: { userId } },
      meta,
    );
    return { ok: true as const, person };
  });
  return finishMemberChange(db, groupId, result);
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

/** Active people who may lead a working group: those the policy lets manage its documents once they lead it. */
export function listLeadCandidates(db: DbOrTx) {
  return peopleAsActors(db)
    .where(eq(users.status, "active"))
    .orderBy(asc(users.name))
    .all()
    .filter((person) => can(person, "document.manage", { leadId: person.id }))
    .map((person) => ({ id: person.id, name: person.name, organisation: person.organisation }));
}
