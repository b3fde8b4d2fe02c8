import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { invitations, mailOutbox, organisations, users, type Role } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { hashPassword } from "./password.server";
import { hashSecret, createSession } from "./session.server";
import { actorFor, findPersonByEmail } from "./people.server";
import { beginSecondFactor } from "./second-factor.server";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface InvitationInput {
  email: string;
  role: Role;
  organisationId: number | null;
}

export interface ComposedMail {
  subject: string;
  body: string;
}

export type CreateInvitationResult =
  | { ok: true; invitationId: number; outboxId: number; link: string }
  | { ok: false; field: "email" | "organisationId"; error: "errors.personExists" | "errors.invalidChoice" }
  | { ok: false; field: "form"; error: "errors.forbidden" };

export function createInvitation(
  db: Db,
  actor: Actor,
  input: InvitationInput,
  opts: { baseUrl: string; compose: (link: string) => ComposedMail; now?: Date },
  meta: RequestMeta,
): CreateInvitationResult {
  if (!can(actor, "people.invite")) return { ok: false, field: "form", error: "errors.forbidden" };
  const actorId = actor.id;
  const now = opts.now ?? new Date();
  const token = randomBytes(32).toString("base64url");
  const link = new URL(`/invitations/${token}`, opts.baseUrl).toString();
  return db.transaction((tx) => {
    if (findPersonByEmail(tx, input.email)) return { ok: false as const, field: "email" as const, error: "errors.personExists" as const };
    if (
      input.organisationId !== null &&
      !tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, input.organisationId)).get()
    ) {
      return { ok: false as const, field: "organisationId" as const, error: "errors.invalidChoice" as const };
    }
    // Only the newest link for an address works.
    const superseded = tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id })
      .all();
    redactOutbox(
      tx,
      superseded.map((r) => r.id),
    );
    const invitation = tx
      .insert(invitations)
      .values({
        ...input,
        tokenHash: hashSecret(token),
        invitedById: actorId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      })
      .returning()
      .get();
    const mail = opts.compose(link);
    const outbox = tx
      .insert(mailOutbox)
      .values({
        kind: "invitation",
        recipient: input.email,
        subject: mail.subject,
        body: mail.body,
        link,
        invitationId: invitation.id,
        delivery: "outbox_only",
        createdAt: now,
      })
      .returning({ id: mailOutbox.id })
      .get();
    recordAudit(
      tx,
      {
        actorId,
        action: "invitation.create",
        targetType: "invitation",
        targetId: invitation.id,
        detail: { email: input.email, role: input.role, organisationId: input.organisationId },
      },
      meta,
      now,
    );
    return { ok: true as const, invitationId: invitation.id, outboxId: outbox.id, link };
  });
}

export type InvitationState =
  | { status: "valid"; invitation: typeof invitations.$inferSelect; organisationName: string | null }
  | { status: "expired" | "used" | "revoked" | "unknown" };

export function inspectInvitation(db: DbOrTx, token: string, now = new Date()): InvitationState {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { status: "unknown" };
  const row = db
    .select({ invitation: invitations, organisationName: organisations.name })
    .from(invitations)
    .leftJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(eq(invitations.tokenHash, hashSecret(token)))
    .get();
  if (!row) return { status: "unknown" };
  if (row.invitation.acceptedAt) return { status: "used" };
  if (row.invitation.revokedAt) return { status: "revoked" };
  if (row.invitation.expiresAt.getTime() <= now.getTime()) return { status: "expired" };
  return { status: "valid", invitation: row.invitation, organisationName: row.organisationName };
}

export type AcceptResult =
  | { ok: true; userId: number; token: string; secondFactor?: undefined }
  /** A role that needs a second factor (the secretariat) gets no session until one is set up (decision 023). */
  | { ok: true; userId: number; token?: undefined; secondFactor: { step: "verify" | "enrol"; token: string } }
  | { ok: false; status: "expired" | "used" | "revoked" | "unknown" };

export async function acceptInvitation(
  db: Db,
  token: string,
  input: { name: string; password: string },
  meta: RequestMeta,
  now = new Date(),
): Promise<AcceptResult> {
  const first = inspectInvitation(db, token, now);
  if (first.status !== "valid") return { ok: false, status: first.status };
  const passwordHash = await hashPassword(input.password);
  const accepted = db.transaction((tx) => {
    // Checked again inside the transaction: two tabs submitting at once must not both succeed.
    const state = inspectInvitation(tx, token, now);
    if (state.status !== "valid") return { ok: false as const, status: state.status };
    const { invitation } = state;
    if (findPersonByEmail(tx, invitation.email)) return { ok: false as const, status: "used" as const };
    const user = tx
      .insert(users)
      .values({
        email: invitation.email,
        name: input.name,
        passwordHash,
        role: invitation.role,
        organisationId: invitation.organisationId,
        createdAt: now,
      })
      .returning({ id: users.id })
      .get();
    const claimed = tx
      .update(invitations)
      .set({ acceptedAt: now, acceptedUserId: user.id })
      .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
      .run();
    if (claimed.changes !== 1) throw new Error("invitation was claimed concurrently");
    redactOutbox(tx, [invitation.id]);
    const actor = actorFor(tx, user.id)!;
    const session = can(actor, "secondFactor.skip") ? createSession(tx, user.id, meta, now) : null;
    recordAudit(
      tx,
      {
        actorId: user.id,
        action: "invitation.accept",
        targetType: "invitation",
        targetId: invitation.id,
        detail: { email: invitation.email, role: invitation.role },
      },
      meta,
      now,
    );
    return { ok: true as const, userId: user.id, actor, token: session?.token ?? null };
  });
  if (!accepted.ok) return accepted;
  if (accepted.token) return { ok: true, userId: accepted.userId, token: accepted.token };
  const secondFactor = beginSecondFactor(db, accepted.actor, meta, now);
  if (!secondFactor) throw new Error("a person who needs a second factor got no pending sign-in");
  return { ok: true, userId: accepted.userId, secondFactor };
}

/** Once an invitation can no longer be used, its outbox copy stops holding the link. */
function redactOutbox(db: DbOrTx, invitationIds: number[]): void {
  if (invitationIds.length === 0) return;
  db.update(mailOutbox)
    .set({ link: null, body: sql`replace(${mailOutbox.body}, coalesce(${mailOutbox.link}, ''), '[link no longer valid]')` })
    .where(inArray(mailOutbox.invitationId, invitationIds))
    .run();
}

/** Withdraws an invitation that is still open; false when it was already used, withdrawn or never existed. */
export function revokeInvitation(db: Db, actor: Actor, invitationId: number, meta: RequestMeta): boolean {
  if (!can(actor, "invitation.revoke")) return false;
  const actorId = actor.id;
  return db.transaction((tx) => {
    const done = tx
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(and(eq(invitations.id, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .run();
    if (done.changes !== 1) return false;
    redactOutbox(tx, [invitationId]);
    recordAudit(tx, { actorId, action: "invitation.revoke", targetType: "invitation", targetId: invitationId }, meta);
    return true;
  });
}

/** The outbox's invitations with each one's current state, newest first. */
export function listOutbox(db: DbOrTx, now = new Date()) {
  const rows = db
    .select({ mail: mailOutbox, invitation: invitations, organisationName: organisations.name, invitedByName: users.name })
    .from(mailOutbox)
    .leftJoin(invitations, eq(invitations.id, mailOutbox.invitationId))
    .leftJoin(organisations, eq(organisations.id, invitations.organisationId))
    .leftJoin(users, eq(users.id, invitations.invitedById))
    // Password reset messages are handed over from the people page (decision 024).
    .where(eq(mailOutbox.kind, "invitation"))
    .orderBy(desc(mailOutbox.id))
    .limit(200)
    .all();
  return rows.map(({ mail, invitation, organisationName, invitedByName }) => {
    const state: "unknown" | "accepted" | "revoked" | "expired" | "pending" = !invitation
      ? "unknown"
      : invitation.acceptedAt
        ? "accepted"
        : invitation.revokedAt
          ? "revoked"
          : invitation.expiresAt.getTime() <= now.getTime()
            ? "expired"
            : "pending";
    return {
      id: mail.id,
      recipient: mail.recipient,
      subject: mail.subject,
      createdAt: mail.createdAt,
      delivery: mail.delivery,
      deliveryError: mail.deliveryError,
      invitationId: invitation?.id ?? null,
      role: invitation?.role ?? null,
      organisationName,
      invitedByName,
      expiresAt: invitation?.expiresAt ?? null,
      state,
      // A link is only worth showing while it still works.
      link: state === "pending" ? mail.link : null,
    };
  });
}

export function getOutboxMail(db: DbOrTx, id: number) {
  return db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get() ?? null;
}

export function markOutboxDelivery(db: DbOrTx, id: number, delivery: "sent" | "failed", error?: string): void {
  db.update(mailOutbox)
    .set({ delivery, deliveryError: error?.slice(0, 500) ?? null })
    .where(eq(mailOutbox.id, id))
    .run();
}
