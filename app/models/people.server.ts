import { asc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { organisations, users, type Role } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";
import { hashPassword, verifyPassword } from "./password.server";
import { invalidateOtherSessions, invalidateUserSessions } from "./session.server";

export function listPeople(db: DbOrTx) {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      status: users.status,
      organisationId: users.organisationId,
      organisationName: organisations.name,
      stakeholderGroup: organisations.stakeholderGroup,
      createdAt: users.createdAt,
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .orderBy(asc(users.name))
    .all();
}

/** People as the policy sees them (role, status, organisation and its stakeholder group), with their names. */
export function peopleAsActors(db: DbOrTx) {
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
    .$dynamic();
}

function actorQuery(db: DbOrTx) {
  return peopleAsActors(db).where(eq(users.id, sql.placeholder("id")));
}

/** Read on every live re-check and every room's notes opened: prepared once per database (the statement, never the person). */
const actorLookups = new WeakMap<Db, ReturnType<ReturnType<typeof actorQuery>["prepare"]>>();

/** A person as the policy sees them, read fresh from the database (a socket or a feed carries no page session). */
export function actorFor(db: DbOrTx, userId: number): Actor | null {
  // A transaction's handle has no client of its own: the query is built as usual there.
  if (!("$client" in db)) return actorQuery(db).get({ id: userId }) ?? null;
  let lookup = actorLookups.get(db);
  if (!lookup) actorLookups.set(db, (lookup = actorQuery(db).prepare()));
  return lookup.get({ id: userId }) ?? null;
}

export function getPerson(db: DbOrTx, id: number) {
  return db.select().from(users).where(eq(users.id, id)).get() ?? null;
}

export function findPersonByEmail(db: DbOrTx, email: string) {
  return db.select().from(users).where(eq(users.email, email.toLowerCase())).get() ?? null;
}

export type PersonResult =
  | {
      ok: true;
      message: "people.roleChanged" | "people.roleUnchanged" | "people.deactivated" | "people.reactivated";
      events: DomainEvent[];
    }
  | { ok: false; reason: "not_found" | "forbidden" }
  /** Asked first, and not yet answered: nothing was done (decision 036). */
  | { ok: false; reason: "unconfirmed"; name: string };

/** A new role changes what this person may do in everything they have open. */
export function changeRole(db: Db, actor: Actor, personId: number, role: Role, meta: RequestMeta): PersonResult {
  const person = getPerson(db, personId);
  if (!person) return { ok: false, reason: "not_found" };
  if (!can(actor, "person.changeRole", { id: personId })) return { ok: false, reason: "forbidden" };
  const { role: current } = person;
  if (current === role) return { ok: true, message: "people.roleUnchanged", events: [] };
  db.transaction((tx) => {
    tx.update(users).set({ role }).where(eq(users.id, personId)).run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "person.change_role", targetType: "user", targetId: personId, detail: { from: person.role, to: role } },
      meta,
    );
  });
  return { ok: true, message: "people.roleChanged", events: announce(db, [{ type: "person.accessChanged", userId: personId }]) };
}

/**
 * Deactivates a person and ends all their sessions in one transaction; their live connections close at once.
 * Not easily undone (they are signed out everywhere), so it is done only once the secretariat has confirmed.
 */
export function deactivatePerson(
  db: Db,
  actor: Actor,
  personId: number,
  meta: RequestMeta,
  opts: { confirmed?: boolean } = {},
): PersonResult {
  const person = getPerson(db, personId);
  if (!person) return { ok: false, reason: "not_found" };
  if (!can(actor, "person.deactivate", { id: personId })) return { ok: false, reason: "forbidden" };
  if (!opts.confirmed) return { ok: false, reason: "unconfirmed", name: person.name };
  const ended = db.transaction((tx) => {
    tx.update(users).set({ status: "deactivated", deactivatedAt: new Date() }).where(eq(users.id, personId)).run();
    const ended = invalidateUserSessions(tx, personId);
    recordAudit(
      tx,
      { actorId: actor.id, action: "person.deactivate", targetType: "user", targetId: personId, detail: { sessionsEnded: ended.length } },
      meta,
    );
    return ended;
  });
  const events = announce(db, [
    { type: "sessions.ended", sessionIds: ended, reason: "deactivated" },
    { type: "person.signedOut", userId: personId, reason: "deactivated" },
  ]);
  return { ok: true, message: "people.deactivated", events };
}

export function reactivatePerson(db: Db, actor: Actor, personId: number, meta: RequestMeta): PersonResult {
  if (!getPerson(db, personId)) return { ok: false, reason: "not_found" };
  if (!can(actor, "person.reactivate", { id: personId })) return { ok: false, reason: "forbidden" };
  db.transaction((tx) => {
    tx.update(users).set({ status: "active", deactivatedAt: null }).where(eq(users.id, personId)).run();
    recordAudit(tx, { actorId: actor.id, action: "person.reactivate", targetType: "user", targetId: personId }, meta);
  });
  return { ok: true, message: "people.reactivated", events: [] };
}

export function updateAccount(db: Db, actor: Actor, input: { name: string; timeZone: string | null }, meta: RequestMeta): boolean {
  if (!can(actor, "account.manage")) return false;
  const userId = actor.id;
  return db.transaction((tx) => {
    tx.update(users).set(input).where(eq(users.id, userId)).run();
    recordAudit(tx, { actorId: userId, action: "account.update", targetType: "user", targetId: userId, detail: { ...input } }, meta);
    return true;
  });
}

/** Changes a password and signs out every other session, which may have been opened with the old one. */
export async function changePassword(
  db: Db,
  actor: Actor,
  keepSessionId: string,
  input: { currentPassword: string; password: string },
  meta: RequestMeta,
): Promise<{ ok: true; events: DomainEvent[] } | { ok: false; field: "currentPassword"; error: "errors.currentPasswordWrong" }> {
  const userId = actor.id;
  const person = can(actor, "account.manage") ? getPerson(db, userId) : null;
  if (!person || !(await verifyPassword(person.passwordHash, input.currentPassword))) {
    return { ok: false, field: "currentPassword", error: "errors.currentPasswordWrong" };
  }
  const passwordHash = await hashPassword(input.password);
  const endedSessions = db.transaction((tx) => {
    tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
    const ended = invalidateOtherSessions(tx, userId, keepSessionId);
    recordAudit(
      tx,
      { actorId: userId, action: "account.change_password", targetType: "user", targetId: userId, detail: { sessionsEnded: ended.length } },
      meta,
    );
    return ended;
  });
  return { ok: true, events: announce(db, [{ type: "sessions.ended", sessionIds: endedSessions, reason: "password_changed" }]) };
}
