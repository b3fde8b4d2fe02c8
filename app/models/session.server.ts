/**
 * Sessions as the Lucia authors now recommend building them by hand:
 * the token is `<id>.<secret>`, only a SHA-256 of the secret is stored,
 * the secret is compared in constant time, and a session ends after a
 * period of inactivity, its last-seen time refreshed at most once per interval.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { organisations, sessions, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";

export const SESSION_COOKIE = "convene_session";
const REFRESH_INTERVAL_MS = 60 * 60 * 1000;

export type SessionUser = Pick<typeof users.$inferSelect, "id" | "email" | "name" | "role" | "organisationId" | "timeZone" | "status"> & {
  stakeholderGroup: string | null;
};
export type Session = typeof sessions.$inferSelect;
export interface ValidatedSession {
  session: Session;
  user: SessionUser;
  /** True when lastVerifiedAt moved, so the cookie's lifetime should be renewed too. */
  refreshed: boolean;
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function createSession(
  db: DbOrTx,
  userId: number,
  meta: { ipAddress?: string | null; userAgent?: string | null },
  now = new Date(),
): { session: Session; token: string } {
  const id = randomToken(18);
  const secret = randomToken(32);
  const session = db
    .insert(sessions)
    .values({
      id,
      userId,
      secretHash: hashSecret(secret),
      createdAt: now,
      lastVerifiedAt: now,
      ipAddress: meta.ipAddress ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .returning()
    .get();
  return { session, token: `${id}.${secret}` };
}

/**
 * The person's columns a session carries (`SessionUser`): their password hash and dates are not read on every
 * request and socket check.
 */
const sessionUserColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  organisationId: users.organisationId,
  timeZone: users.timeZone,
  status: users.status,
};

function prepareSessionLookup(db: Db) {
  return db
    .select({ session: sessions, user: sessionUserColumns, stakeholderGroup: organisations.stakeholderGroup })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(sessions.id, sql.placeholder("id")))
    .prepare();
}

/** The lookup behind every request and socket check, built and prepared once per database. */
const sessionLookups = new WeakMap<Db, ReturnType<typeof prepareSessionLookup>>();

function sessionLookup(db: Db) {
  let lookup = sessionLookups.get(db);
  if (!lookup) sessionLookups.set(db, (lookup = prepareSessionLookup(db)));
  return lookup;
}

export function validateSessionToken(db: Db, token: string, idleTimeoutMs: number, now = new Date()): ValidatedSession | null {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 128) return null;
  const row = sessionLookup(db).get({ id });
  if (!row) return null;

  const expected = Buffer.from(row.session.secretHash, "hex");
  const actual = Buffer.from(hashSecret(secret), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;

  const idleFor = now.getTime() - row.session.lastVerifiedAt.getTime();
  if (idleFor >= idleTimeoutMs || row.user.status !== "active") {
    invalidateSession(db, id);
    return null;
  }
  let session = row.session;
  let refreshed = false;
  if (idleFor >= REFRESH_INTERVAL_MS) {
    session = db.update(sessions).set({ lastVerifiedAt: now }).where(eq(sessions.id, id)).returning().get() ?? session;
    refreshed = true;
  }
  const { id: userId, email, name, role, organisationId, timeZone, status } = row.user;
  return {
    session,
    user: { id: userId, email, name, role, organisationId, timeZone, status, stakeholderGroup: row.stakeholderGroup },
    refreshed,
  };
}

export function invalidateSession(db: DbOrTx, sessionId: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of a person; returns the ids so their live sockets can be closed too. */
export function invalidateUserSessions(db: DbOrTx, userId: number): string[] {
  return db
    .delete(sessions)
    .where(eq(sessions.userId, userId))
    .returning({ id: sessions.id })
    .all()
    .map((r) => r.id);
}

export function invalidateOtherSessions(db: DbOrTx, userId: number, keepSessionId: string): string[] {
  return db
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)))
    .returning({ id: sessions.id })
    .all()
    .map((r) => r.id);
}

export function listUserSessions(db: DbOrTx, userId: number) {
  return db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastVerifiedAt: sessions.lastVerifiedAt,
      ipAddress: sessions.ipAddress,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.lastVerifiedAt))
    .all();
}

function sessionByIdQuery(db: DbOrTx) {
  return db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder("id")));
}

/** Read by every live socket's expiry watch: prepared once per database. */
const sessionByIdLookups = new WeakMap<Db, ReturnType<ReturnType<typeof sessionByIdQuery>["prepare"]>>();

export function findSession(db: DbOrTx, sessionId: string) {
  // A transaction's handle has no client of its own: the query is built as usual there.
  if (!("$client" in db)) return sessionByIdQuery(db).get({ id: sessionId }) ?? null;
  let lookup = sessionByIdLookups.get(db);
  if (!lookup) sessionByIdLookups.set(db, (lookup = sessionByIdQuery(db).prepare()));
  return lookup.get({ id: sessionId }) ?? null;
}

/**
 * Ends a session on its person's behalf (signing out, or an invitee taking over the browser); its
 * live connections are closed by the announced event.
 */
export function signOut(db: Db, actorId: number, sessionId: string, meta: RequestMeta): DomainEvent[] {
  db.transaction((tx) => {
    invalidateSession(tx, sessionId);
    recordAudit(tx, { actorId, action: "auth.sign_out", targetType: "user", targetId: actorId }, meta);
  });
  return announce(db, [{ type: "sessions.ended", sessionIds: [sessionId], reason: "signed_out" }]);
}

/** Ends one of the actor's own sessions from the account page. */
export function revokeSession(
  db: Db,
  actor: Actor,
  sessionId: string,
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | { ok: false; reason: "not_found" | "forbidden" } {
  const target = findSession(db, sessionId);
  if (!target) return { ok: false, reason: "not_found" };
  if (!can(actor, "session.revoke", { userId: target.userId })) return { ok: false, reason: "forbidden" };
  db.transaction((tx) => {
    invalidateSession(tx, sessionId);
    recordAudit(tx, { actorId: actor.id, action: "session.revoke", targetType: "session", targetId: sessionId.slice(0, 8) }, meta);
  });
  return { ok: true, events: announce(db, [{ type: "sessions.ended", sessionIds: [sessionId], reason: "revoked" }]) };
}
