/**
 * Password resets (decision 024): single-use links to set a new password, stored hashed, valid for
 * an hour. A person asks on the sign-in page (mailed when SMTP is configured, otherwise held in the
 * outbox for the secretariat to hand over), or the secretariat makes one for them.
 */
import { randomBytes } from "node:crypto";
import { and, count, desc, eq, gt, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { mailOutbox, passwordResets, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";
import type { ComposedMail } from "./invitations.server";
import { hashPassword } from "./password.server";
import { getPerson } from "./people.server";
import { hashSecret, invalidateUserSessions } from "./session.server";
import { clearSignInLimits } from "./sign-in-limits.server";

export const RESET_TTL_MS = 60 * 60 * 1000;
/** Requests from the sign-in page for one person within an hour; more are quietly dropped (the answer is the same). */
export const RESET_REQUESTS_PER_HOUR = 3;

export interface ResetMailOptions {
  baseUrl: string;
  compose: (link: string, email: string) => ComposedMail;
  now?: Date;
}

type Person = Pick<typeof users.$inferSelect, "id" | "email" | "status">;

/** Stores a new reset (replacing any earlier open one) and its outbox message, in the caller's transaction. */
function storeReset(
  tx: DbOrTx,
  person: Person,
  origin: "request" | "secretariat",
  createdById: number | null,
  opts: ResetMailOptions,
  now: Date,
): { resetId: number; outboxId: number; link: string } {
  const token = randomBytes(32).toString("base64url");
  const link = new URL(`/password-reset/${token}`, opts.baseUrl).toString();
  const earlier = tx
    .update(passwordResets)
    .set({ revokedAt: now })
    .where(and(eq(passwordResets.userId, person.id), isNull(passwordResets.usedAt), isNull(passwordResets.revokedAt)))
    .returning({ outboxId: passwordResets.outboxId })
    .all();
  redactOutbox(
    tx,
    earlier.flatMap((r) => (r.outboxId === null ? [] : [r.outboxId])),
  );
  const mail = opts.compose(link, person.email);
  const outbox = tx
    .insert(mailOutbox)
    .values({
      kind: "password_reset",
      recipient: person.email,
      subject: mail.subject,
      body: mail.body,
      link,
      delivery: "outbox_only",
      createdAt: now,
    })
    .returning({ id: mailOutbox.id })
    .get();
  const reset = tx
    .insert(passwordResets)
    .values({
      userId: person.id,
      tokenHash: hashSecret(token),
      origin,
      createdById,
      outboxId: outbox.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_TTL_MS),
    })
    .returning({ id: passwordResets.id })
    .get();
  return { resetId: reset.id, outboxId: outbox.id, link };
}

/** Once a link can no longer be used, its outbox copy stops holding it. */
function redactOutbox(db: DbOrTx, outboxIds: number[]): void {
  if (outboxIds.length === 0) return;
  db.update(mailOutbox)
    .set({ link: null, body: sql`replace(${mailOutbox.body}, coalesce(${mailOutbox.link}, ''), '[link no longer valid]')` })
    .where(inArray(mailOutbox.id, outboxIds))
    .run();
}

/**
 * A request from the sign-in page. Whether or not the address has an account, the caller answers
 * the same; only an active account gets a link, and at most a few an hour. Returns the outbox
 * message to deliver, if any.
 */
export function requestPasswordReset(db: Db, email: string, opts: ResetMailOptions, meta: RequestMeta): { outboxId: number | null } {
  const now = opts.now ?? new Date();
  return db.transaction((tx) => {
    const person = tx.select({ id: users.id, email: users.email, status: users.status }).from(users).where(eq(users.email, email)).get();
    const recent = person
      ? (tx
          .select({ n: count() })
          .from(passwordResets)
          .where(
            and(
              eq(passwordResets.userId, person.id),
              eq(passwordResets.origin, "request"),
              gt(passwordResets.createdAt, new Date(now.getTime() - 60 * 60 * 1000)),
            ),
          )
          .get()?.n ?? 0)
      : 0;
    const granted = person?.status === "active" && recent < RESET_REQUESTS_PER_HOUR;
    const stored = granted ? storeReset(tx, person, "request", null, opts, now) : null;
    recordAudit(
      tx,
      {
        actorId: null,
        action: "auth.password_reset_request",
        targetType: "user",
        targetId: person?.id,
        detail: { email, resetId: stored?.resetId ?? null },
      },
      meta,
      now,
    );
    return { outboxId: stored?.outboxId ?? null };
  });
}

export type CreateResetResult =
  { ok: true; link: string; outboxId: number } | { ok: false; reason: "not_found" | "forbidden" | "inactive" };

/** The secretariat makes a link for a person, to hand over themselves (it is kept in the outbox, not mailed). */
export function createPasswordReset(db: Db, actor: Actor, personId: number, opts: ResetMailOptions, meta: RequestMeta): CreateResetResult {
  const person = getPerson(db, personId);
  if (!person) return { ok: false, reason: "not_found" };
  if (!can(actor, "person.createPasswordReset", { id: personId })) return { ok: false, reason: "forbidden" };
  if (person.status !== "active") return { ok: false, reason: "inactive" };
  const now = opts.now ?? new Date();
  return db.transaction((tx) => {
    const stored = storeReset(tx, person, "secretariat", actor.id, opts, now);
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "person.create_password_reset",
        targetType: "user",
        targetId: personId,
        detail: { resetId: stored.resetId },
      },
      meta,
      now,
    );
    return { ok: true as const, link: stored.link, outboxId: stored.outboxId };
  });
}

export type ResetState = { status: "valid"; resetId: number; userId: number; email: string } | { status: "expired" | "used" | "unknown" };

export function inspectPasswordReset(db: DbOrTx, token: string, now = new Date()): ResetState {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: "unknown" };
  const row = db
    .select({ reset: passwordResets, email: users.email, personStatus: users.status })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashSecret(token)))
    .get();
  if (!row || row.personStatus !== "active") return { status: "unknown" };
  if (row.reset.usedAt) return { status: "used" };
  // A link replaced by a newer one reads as expired: the newer one is the one to use.
  if (row.reset.revokedAt || row.reset.expiresAt.getTime() <= now.getTime()) return { status: "expired" };
  return { status: "valid", resetId: row.reset.id, userId: row.reset.userId, email: row.email };
}

export type CompleteResetResult =
  { ok: true; userId: number; email: string; events: DomainEvent[] } | { ok: false; status: "expired" | "used" | "unknown" };

/**
 * Sets the new password, ends every session of the person (their open pages are told and closed),
 * clears their sign-in limits and uses up the link, in one transaction. The person then signs in
 * with the new password, through whatever else sign-in asks of them.
 */
export async function completePasswordReset(
  db: Db,
  token: string,
  password: string,
  meta: RequestMeta,
  now = new Date(),
): Promise<CompleteResetResult> {
  const first = inspectPasswordReset(db, token, now);
  if (first.status !== "valid") return { ok: false, status: first.status };
  const passwordHash = await hashPassword(password);
  const done = db.transaction((tx) => {
    // Checked again inside the transaction: two submissions of one link must not both succeed.
    const state = inspectPasswordReset(tx, token, now);
    if (state.status !== "valid") return { ok: false as const, status: state.status };
    const claimed = tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.id, state.resetId), isNull(passwordResets.usedAt), isNull(passwordResets.revokedAt)))
      .returning({ outboxId: passwordResets.outboxId })
      .all();
    if (claimed.length !== 1) return { ok: false as const, status: "used" as const };
    tx.update(users).set({ passwordHash }).where(eq(users.id, state.userId)).run();
    const others = tx
      .update(passwordResets)
      .set({ revokedAt: now })
      .where(
        and(
          eq(passwordResets.userId, state.userId),
          ne(passwordResets.id, state.resetId),
          isNull(passwordResets.usedAt),
          isNull(passwordResets.revokedAt),
        ),
      )
      .returning({ outboxId: passwordResets.outboxId })
      .all();
    redactOutbox(
      tx,
      [...claimed, ...others].flatMap((r) => (r.outboxId === null ? [] : [r.outboxId])),
    );
    const ended = invalidateUserSessions(tx, state.userId);
    const cleared = clearSignInLimits(tx, state.email);
    recordAudit(
      tx,
      {
        actorId: state.userId,
        action: "auth.password_reset",
        targetType: "user",
        targetId: state.userId,
        detail: { resetId: state.resetId, sessionsEnded: ended.length, limitsCleared: cleared },
      },
      meta,
      now,
    );
    return { ok: true as const, userId: state.userId, email: state.email, ended };
  });
  if (!done.ok) return done;
  const events = announce(db, [
    { type: "sessions.ended", sessionIds: done.ended, reason: "password_changed" },
    { type: "person.signedOut", userId: done.userId, reason: "password_changed" },
  ]);
  return { ok: true, userId: done.userId, email: done.email, events };
}

/** Resets waiting to be handed over: open links whose message was not mailed (no SMTP, or it failed). */
export function listPendingResets(db: DbOrTx, now = new Date()) {
  return db
    .select({
      id: passwordResets.id,
      userId: passwordResets.userId,
      name: users.name,
      email: users.email,
      origin: passwordResets.origin,
      createdAt: passwordResets.createdAt,
      expiresAt: passwordResets.expiresAt,
      link: mailOutbox.link,
      delivery: mailOutbox.delivery,
    })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .innerJoin(mailOutbox, eq(mailOutbox.id, passwordResets.outboxId))
    .where(
      and(
        isNull(passwordResets.usedAt),
        isNull(passwordResets.revokedAt),
        gt(passwordResets.expiresAt, now),
        ne(mailOutbox.delivery, "sent"),
        eq(passwordResets.origin, "request"),
      ),
    )
    .orderBy(desc(passwordResets.id))
    .limit(100)
    .all()
    .flatMap((r) => (r.link ? [{ ...r, link: r.link }] : []));
}
