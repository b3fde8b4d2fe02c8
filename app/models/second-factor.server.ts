/**
 * The second factor (decision 023): TOTP with single-use recovery codes, and passkeys (WebAuthn).
 * After a right password, a person with a second factor, or one who must have one (the secretariat),
 * gets a short-lived pending sign-in instead of a session; the session is made only once the second
 * factor is shown (or set up).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { parse, serialize } from "cookie";
import { and, eq, gt, isNotNull, isNull, lt } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import type { Db, DbOrTx } from "../../db/client";
import { passkeyChallenges, passkeys, pendingSignIns, recoveryCodes, secondFactorAttempts, totpFactors, users } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import type { DomainEvent } from "../domain/events";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";
import { createSession, hashSecret, invalidateUserSessions } from "./session.server";

export const PENDING_COOKIE = "convene_pending";
export const PENDING_TTL_MS = 10 * 60 * 1000;
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Wrong second-factor attempts allowed per person in one window. */
export const MAX_ATTEMPTS = 5;
const ATTEMPT_WINDOW_MS = 15 * 60 * 1000;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Convene";
const PERIOD = 30;

type PendingSignIn = typeof pendingSignIns.$inferSelect;
export type Factor = "totp" | "recovery" | "passkey";
export type Refusal = { ok: false; reason: "invalid" | "expired" } | { ok: false; reason: "throttled"; retryAfterMinutes: number };

// ---------------------------------------------------------------- the pending sign-in and its cookie

/** Whether this person gets a pending sign-in after their password, and which step. */
export function secondFactorStep(db: DbOrTx, actor: Actor): "verify" | "enrol" | null {
  if (hasSecondFactor(db, actor.id)) return "verify";
  return can(actor, "secondFactor.skip") ? null : "enrol";
}

function hasSecondFactor(db: DbOrTx, userId: number): boolean {
  const totp = db.select({ c: totpFactors.confirmedAt }).from(totpFactors).where(eq(totpFactors.userId, userId)).get();
  if (totp?.c) return true;
  return !!db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId)).get();
}

/**
 * Called by `signIn()` once the password is right: a pending sign-in (and its cookie token) for a
 * person who needs a second factor, or null when a session may be made at once.
 */
export function beginSecondFactor(
  db: Db,
  actor: Actor,
  meta: RequestMeta,
  now = new Date(),
): { step: "verify" | "enrol"; token: string } | null {
  return db.transaction((tx) => {
    const step = secondFactorStep(tx, actor);
    if (!step) return null;
    tx.delete(pendingSignIns).where(lt(pendingSignIns.expiresAt, now)).run();
    const id = randomBytes(18).toString("base64url");
    const secret = randomBytes(32).toString("base64url");
    tx.insert(pendingSignIns)
      .values({
        id,
        userId: actor.id,
        secretHash: hashSecret(secret),
        step,
        totpSecret: step === "enrol" ? new Secret({ size: 20 }).base32 : null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + PENDING_TTL_MS),
      })
      .run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "auth.password_verified", targetType: "user", targetId: actor.id, detail: { step } },
      meta,
    );
    return { step, token: `${id}.${secret}` };
  });
}

/** The pending sign-in a cookie token names, if it is still valid. */
export function findPendingSignIn(db: Db, token: string | undefined, now = new Date()): PendingSignIn | null {
  if (!token) return null;
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 128) return null;
  const row = db.select().from(pendingSignIns).where(eq(pendingSignIns.id, id)).get();
  if (!row) return null;
  const expected = Buffer.from(row.secretHash, "hex");
  const actual = Buffer.from(hashSecret(secret), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  if (row.expiresAt <= now) {
    db.delete(pendingSignIns).where(eq(pendingSignIns.id, id)).run();
    return null;
  }
  const user = db.select({ status: users.status }).from(users).where(eq(users.id, row.userId)).get();
  return user?.status === "active" ? row : null;
}

export function readPendingToken(request: Request): string | undefined {
  const header = request.headers.get("Cookie");
  return header ? parse(header)[PENDING_COOKIE] : undefined;
}

/** httpOnly, limited to the sign-in pages, and gone after ten minutes. */
export function pendingCookie(token: string | null, appUrl: string): string {
  return serialize(PENDING_COOKIE, token ?? "", {
    httpOnly: true,
    sameSite: "lax",
    path: "/sign-in",
    secure: appUrl.startsWith("https:"),
    maxAge: token ? PENDING_TTL_MS / 1000 : 0,
  });
}

/** The pending sign-in becomes a session, in the transaction that accepted its second factor. */
function complete(tx: DbOrTx, pending: PendingSignIn, factor: Factor, meta: RequestMeta): string {
  tx.delete(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).run();
  tx.delete(secondFactorAttempts).where(eq(secondFactorAttempts.userId, pending.userId)).run();
  const { token } = createSession(tx, pending.userId, meta);
  recordAudit(
    tx,
    { actorId: pending.userId, action: "auth.sign_in", targetType: "user", targetId: pending.userId, detail: { secondFactor: factor } },
    meta,
  );
  return token;
}

// ---------------------------------------------------------------- throttle

/**
 * Charges one attempt before anything is checked (in the caller's transaction, so checking and charging
 * cannot interleave): the number of minutes to wait when this person has no attempt left.
 */
function chargeAttempt(tx: DbOrTx, userId: number, now: Date): number {
  const row = tx.select().from(secondFactorAttempts).where(eq(secondFactorAttempts.userId, userId)).get();
  const windowOpen = row && now.getTime() - row.windowStartedAt.getTime() < ATTEMPT_WINDOW_MS;
  if (windowOpen && row.attempts >= MAX_ATTEMPTS) {
    return Math.max(1, Math.ceil((row.windowStartedAt.getTime() + ATTEMPT_WINDOW_MS - now.getTime()) / 60_000));
  }
  const next = windowOpen ? { attempts: row.attempts + 1, windowStartedAt: row.windowStartedAt } : { attempts: 1, windowStartedAt: now };
  tx.insert(secondFactorAttempts)
    .values({ userId, ...next })
    .onConflictDoUpdate({ target: secondFactorAttempts.userId, set: next })
    .run();
  return 0;
}

function failed(tx: DbOrTx, userId: number, factor: Factor, meta: RequestMeta, why = "invalid") {
  recordAudit(
    tx,
    { actorId: userId, action: "auth.second_factor_failed", targetType: "user", targetId: userId, detail: { factor, why } },
    meta,
  );
}

// ---------------------------------------------------------------- TOTP and recovery codes

const CODE = /^\d{6}$/;

/** The time step a code belongs to (within one step either side), or null when it is wrong. */
function matchingStep(secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, "");
  if (!CODE.test(token)) return null;
  const delta = TOTP.validate({ token, secret: Secret.fromBase32(secret), period: PERIOD, window: 1, timestamp: now.getTime() });
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp: now.getTime() }) + delta;
}

export function totpUri(secret: string, email: string): string {
  return new TOTP({ issuer: ISSUER, label: email, secret: Secret.fromBase32(secret), period: PERIOD }).toString();
}

/** What the enrolment pages show: the secret in groups of four for typing, the otpauth URI and its QR code. */
export async function totpSetup(secret: string, email: string) {
  const uri = totpUri(secret, email);
  return { secret, grouped: secret.replace(/(.{4})/g, "$1 ").trim(), uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 200 }) };
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newRecoveryCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}

/** Replaces a person's recovery codes with new ones, returned once in clear; only their hashes are kept. */
function replaceRecoveryCodes(tx: DbOrTx, userId: number, now: Date): string[] {
  tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  tx.insert(recoveryCodes)
    .values(codes.map((c) => ({ userId, codeHash: hashSecret(normaliseRecoveryCode(c)), createdAt: now })))
    .run();
  return codes;
}

function unusedRecoveryCodes(db: DbOrTx, userId: number): number {
  return db
    .select({ id: recoveryCodes.id })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .all().length;
}

/** Accepts a code of the person's authenticator app once: never a code of the last accepted time step or earlier (ASVS 2.8.4). */
function acceptTotp(tx: DbOrTx, userId: number, code: string, now: Date): "ok" | "invalid" | "reused" {
  const factor = tx.select().from(totpFactors).where(eq(totpFactors.userId, userId)).get();
  if (!factor?.confirmedAt) return "invalid";
  const step = matchingStep(factor.secret, code, now);
  if (step === null) return "invalid";
  if (factor.lastUsedStep !== null && step <= factor.lastUsedStep) return "reused";
  tx.update(totpFactors).set({ lastUsedStep: step }).where(eq(totpFactors.userId, userId)).run();
  return "ok";
}

function acceptRecoveryCode(tx: DbOrTx, userId: number, code: string, now: Date): boolean {
  const normalised = normaliseRecoveryCode(code);
  if (normalised.length !== 12) return false;
  const used = tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashSecret(normalised)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id })
    .all();
  return used.length > 0;
}

/** The second step of a sign-in with a code from the authenticator app, or a recovery code (which is used up). */
export function verifySignInCode(
  db: Db,
  pending: PendingSignIn,
  input: { kind: "totp" | "recovery"; code: string },
  meta: RequestMeta,
  now = new Date(),
): { ok: true; token: string } | Refusal {
  return db.transaction((tx): { ok: true; token: string } | Refusal => {
    if (!tx.select({ id: pendingSignIns.id }).from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get())
      return { ok: false, reason: "expired" };
    const wait = chargeAttempt(tx, pending.userId, now);
    if (wait > 0) return { ok: false, reason: "throttled", retryAfterMinutes: wait };
    const result =
      input.kind === "totp"
        ? acceptTotp(tx, pending.userId, input.code, now)
        : acceptRecoveryCode(tx, pending.userId, input.code, now)
          ? "ok"
          : "invalid";
    if (result !== "ok") {
      failed(tx, pending.userId, input.kind, meta, result);
      return { ok: false, reason: "invalid" };
    }
    if (input.kind === "recovery")
      recordAudit(
        tx,
        { actorId: pending.userId, action: "second_factor.recovery_code_used", targetType: "user", targetId: pending.userId },
        meta,
      );
    return { ok: true, token: complete(tx, pending, input.kind, meta) };
  });
}

/** Enrolment at sign-in (the secretariat's first): the first code confirms the app, and only then is there a session. */
export function enrolAtSignIn(
  db: Db,
  pending: PendingSignIn,
  code: string,
  meta: RequestMeta,
  now = new Date(),
): { ok: true; token: string; recoveryCodes: string[] } | Refusal {
  return db.transaction((tx): { ok: true; token: string; recoveryCodes: string[] } | Refusal => {
    if (pending.step !== "enrol" || !pending.totpSecret) return { ok: false, reason: "expired" };
    if (!tx.select({ id: pendingSignIns.id }).from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get())
      return { ok: false, reason: "expired" };
    const wait = chargeAttempt(tx, pending.userId, now);
    if (wait > 0) return { ok: false, reason: "throttled", retryAfterMinutes: wait };
    const step = matchingStep(pending.totpSecret, code, now);
    if (step === null) {
      failed(tx, pending.userId, "totp", meta);
      return { ok: false, reason: "invalid" };
    }
    const factor = { secret: pending.totpSecret, confirmedAt: now, lastUsedStep: step };
    tx.insert(totpFactors)
      .values({ userId: pending.userId, ...factor, createdAt: now })
      .onConflictDoUpdate({ target: totpFactors.userId, set: factor })
      .run();
    const codes = replaceRecoveryCodes(tx, pending.userId, now);
    recordAudit(tx, { actorId: pending.userId, action: "second_factor.totp_enrolled", targetType: "user", targetId: pending.userId }, meta);
    return { ok: true, token: complete(tx, pending, "totp", meta), recoveryCodes: codes };
  });
}

// ---------------------------------------------------------------- passkeys

export interface RelyingParty {
  id: string;
  origins: string[];
}

/**
 * The WebAuthn relying party: the host name of `APP_URL`, and its origin. On a loopback `APP_URL`
 * (development, tests) the origin the page was served from is accepted too, since its port varies.
 */
export function relyingParty(appUrl: string, requestUrl: string): RelyingParty {
  const app = new URL(appUrl);
  const origins = [app.origin];
  const here = new URL(requestUrl);
  if (app.hostname === "localhost" && here.hostname === "localhost" && here.origin !== app.origin) origins.push(here.origin);
  return { id: app.hostname, origins };
}

function credentialsOf(db: DbOrTx, userId: number) {
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).all();
}

/** Options for `startAuthentication`, with a new challenge kept on the pending sign-in. */
export async function passkeySignInOptions(db: Db, pending: PendingSignIn, rp: RelyingParty) {
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: credentialsOf(db, pending.userId).map((c) => ({ id: c.id, transports: c.transports ?? undefined })),
    userVerification: "preferred",
  });
  db.update(pendingSignIns).set({ challenge: options.challenge }).where(eq(pendingSignIns.id, pending.id)).run();
  return options;
}

/** The second step of a sign-in with a passkey. */
export async function verifyPasskeySignIn(
  db: Db,
  pending: PendingSignIn,
  response: AuthenticationResponseJSON,
  rp: RelyingParty,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ ok: true; token: string } | Refusal> {
  const charged = db.transaction((tx) => {
    const row = tx.select().from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get();
    if (!row?.challenge) return { expired: true, wait: 0, challenge: null };
    // A challenge is good for one answer.
    tx.update(pendingSignIns).set({ challenge: null }).where(eq(pendingSignIns.id, pending.id)).run();
    return { expired: false, wait: chargeAttempt(tx, pending.userId, now), challenge: row.challenge };
  });
  if (charged.expired || !charged.challenge) return { ok: false, reason: "expired" };
  if (charged.wait > 0) return { ok: false, reason: "throttled", retryAfterMinutes: charged.wait };
  const credential = typeof response?.id === "string" ? credentialsOf(db, pending.userId).find((c) => c.id === response.id) : undefined;
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>> | null = null;
  if (credential) {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: charged.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { id: credential.id, publicKey: new Uint8Array(credential.publicKey), counter: credential.counter },
      requireUserVerification: false,
    }).catch(() => null);
  }
  return db.transaction((tx): { ok: true; token: string } | Refusal => {
    if (!verified?.verified || !credential) {
      failed(tx, pending.userId, "passkey", meta);
      return { ok: false, reason: "invalid" };
    }
    if (!tx.select({ id: pendingSignIns.id }).from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get())
      return { ok: false, reason: "expired" };
    tx.update(passkeys)
      .set({ counter: verified.authenticationInfo.newCounter, lastUsedAt: now })
      .where(eq(passkeys.id, credential.id))
      .run();
    return { ok: true, token: complete(tx, pending, "passkey", meta) };
  });
}

// ---------------------------------------------------------------- the account page

export async function accountSecurity(db: Db, actor: Actor & { email: string }) {
  const totp = db.select().from(totpFactors).where(eq(totpFactors.userId, actor.id)).get();
  const keys = credentialsOf(db, actor.id).map((k) => ({ id: k.id, name: k.name, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt }));
  return {
    totpEnrolled: !!totp?.confirmedAt,
    totpSetup: totp && !totp.confirmedAt ? await totpSetup(totp.secret, actor.email) : null,
    passkeys: keys,
    recoveryCodesLeft: unusedRecoveryCodes(db, actor.id),
    required: !can(actor, "secondFactor.skip"),
  };
}

type AccountRefusal = { ok: false; reason: "invalid" | "required" | "not_found" | "enrolled"; retryAfterMinutes?: number };

/** Starts setting up an authenticator app from the account page: a new secret, confirmed by the first code. */
export function startTotpEnrolment(db: Db, actor: Actor): { ok: true } | AccountRefusal {
  const existing = db.select().from(totpFactors).where(eq(totpFactors.userId, actor.id)).get();
  if (existing?.confirmedAt) return { ok: false, reason: "enrolled" };
  const secret = new Secret({ size: 20 }).base32;
  db.insert(totpFactors)
    .values({ userId: actor.id, secret })
    .onConflictDoUpdate({ target: totpFactors.userId, set: { secret, lastUsedStep: null } })
    .run();
  return { ok: true };
}

export function confirmTotpEnrolment(
  db: Db,
  actor: Actor,
  code: string,
  meta: RequestMeta,
  now = new Date(),
): { ok: true; recoveryCodes: string[] | null } | AccountRefusal {
  return db.transaction((tx): { ok: true; recoveryCodes: string[] | null } | AccountRefusal => {
    const factor = tx.select().from(totpFactors).where(eq(totpFactors.userId, actor.id)).get();
    if (!factor) return { ok: false, reason: "not_found" };
    if (factor.confirmedAt) return { ok: false, reason: "enrolled" };
    const wait = chargeAttempt(tx, actor.id, now);
    if (wait > 0) return { ok: false, reason: "invalid", retryAfterMinutes: wait };
    const step = matchingStep(factor.secret, code, now);
    if (step === null) return { ok: false, reason: "invalid" };
    tx.update(totpFactors).set({ confirmedAt: now, lastUsedStep: step }).where(eq(totpFactors.userId, actor.id)).run();
    tx.delete(secondFactorAttempts).where(eq(secondFactorAttempts.userId, actor.id)).run();
    const codes = unusedRecoveryCodes(tx, actor.id) === 0 ? replaceRecoveryCodes(tx, actor.id, now) : null;
    recordAudit(tx, { actorId: actor.id, action: "second_factor.totp_enrolled", targetType: "user", targetId: actor.id }, meta);
    return { ok: true, recoveryCodes: codes };
  });
}

/** Drops every factor-less leftover: recovery codes without a factor to recover are no use. */
function tidyUp(tx: DbOrTx, userId: number) {
  if (!hasSecondFactor(tx, userId)) tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
}

export function removeTotp(db: Db, actor: Actor, meta: RequestMeta): { ok: true } | AccountRefusal {
  return db.transaction((tx): { ok: true } | AccountRefusal => {
    const factor = tx.select().from(totpFactors).where(eq(totpFactors.userId, actor.id)).get();
    if (!factor?.confirmedAt) return { ok: false, reason: "not_found" };
    if (!can(actor, "secondFactor.skip") && credentialsOf(tx, actor.id).length === 0) return { ok: false, reason: "required" };
    tx.delete(totpFactors).where(eq(totpFactors.userId, actor.id)).run();
    tidyUp(tx, actor.id);
    recordAudit(tx, { actorId: actor.id, action: "second_factor.totp_removed", targetType: "user", targetId: actor.id }, meta);
    return { ok: true };
  });
}

export function regenerateRecoveryCodes(
  db: Db,
  actor: Actor,
  meta: RequestMeta,
  now = new Date(),
): { ok: true; recoveryCodes: string[] } | AccountRefusal {
  return db.transaction((tx): { ok: true; recoveryCodes: string[] } | AccountRefusal => {
    if (!hasSecondFactor(tx, actor.id)) return { ok: false, reason: "not_found" };
    const codes = replaceRecoveryCodes(tx, actor.id, now);
    recordAudit(tx, { actorId: actor.id, action: "second_factor.recovery_codes_replaced", targetType: "user", targetId: actor.id }, meta);
    return { ok: true, recoveryCodes: codes };
  });
}

/** Turns the second factor off altogether: the app, every passkey and the recovery codes. Never for the secretariat. */
export function turnOffSecondFactor(db: Db, actor: Actor, meta: RequestMeta): { ok: true } | AccountRefusal {
  if (!can(actor, "secondFactor.skip")) return { ok: false, reason: "required" };
  return db.transaction((tx) => {
    tx.delete(totpFactors).where(eq(totpFactors.userId, actor.id)).run();
    tx.delete(passkeys).where(eq(passkeys.userId, actor.id)).run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.id)).run();
    recordAudit(tx, { actorId: actor.id, action: "second_factor.turned_off", targetType: "user", targetId: actor.id }, meta);
    return { ok: true as const };
  });
}

function registrationOptions(db: DbOrTx, person: { id: number; email: string; name: string }, rp: RelyingParty) {
  return generateRegistrationOptions({
    rpName: ISSUER,
    rpID: rp.id,
    userName: person.email,
    userDisplayName: person.name,
    userID: new TextEncoder().encode(`convene-user-${person.id}`),
    attestationType: "none",
    excludeCredentials: credentialsOf(db, person.id).map((c) => ({ id: c.id, transports: c.transports ?? undefined })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
}

/** The new credential, when the browser's answer signs one of `challenges` for this site. */
async function verifiedCredential(response: RegistrationResponseJSON, challenges: string[], rp: RelyingParty) {
  let used: string | null = null;
  const verified = await verifyRegistrationResponse({
    response,
    expectedChallenge: (c) => {
      used = c;
      return challenges.includes(c);
    },
    expectedOrigin: rp.origins,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch(() => null);
  if (!verified?.verified || !used) return null;
  return { credential: verified.registrationInfo.credential, challenge: used as string };
}

/** Stores a verified credential; false when it is already someone's. */
function storePasskey(
  tx: DbOrTx,
  userId: number,
  credential: { id: string; publicKey: Uint8Array; counter: number; transports?: string[] },
  name: string,
  now: Date,
): boolean {
  if (tx.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.id, credential.id)).get()) return false;
  tx.insert(passkeys)
    .values({
      id: credential.id,
      userId,
      publicKey: Buffer.from(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? null,
      name,
      createdAt: now,
    })
    .run();
  return true;
}

/** Options for `startRegistration` on the account page; the challenge is kept for five minutes. */
export async function passkeyRegistrationOptions(
  db: Db,
  actor: Actor & { email: string; name: string },
  rp: RelyingParty,
  now = new Date(),
) {
  const options = await registrationOptions(db, actor, rp);
  db.transaction((tx) => {
    tx.delete(passkeyChallenges).where(lt(passkeyChallenges.expiresAt, now)).run();
    tx.insert(passkeyChallenges)
      .values({ challenge: options.challenge, userId: actor.id, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) })
      .run();
  });
  return options;
}

export async function addPasskey(
  db: Db,
  actor: Actor,
  input: { response: RegistrationResponseJSON; name: string },
  rp: RelyingParty,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ ok: true; recoveryCodes: string[] | null } | AccountRefusal> {
  const challenges = db
    .select({ challenge: passkeyChallenges.challenge })
    .from(passkeyChallenges)
    .where(and(eq(passkeyChallenges.userId, actor.id), gt(passkeyChallenges.expiresAt, now)))
    .all()
    .map((c) => c.challenge);
  const verified = await verifiedCredential(input.response, challenges, rp);
  if (!verified) return { ok: false, reason: "invalid" };
  return db.transaction((tx): { ok: true; recoveryCodes: string[] | null } | AccountRefusal => {
    const consumed = tx.delete(passkeyChallenges).where(eq(passkeyChallenges.challenge, verified.challenge)).returning().all();
    if (consumed.length === 0) return { ok: false, reason: "invalid" };
    if (!storePasskey(tx, actor.id, verified.credential, input.name, now)) return { ok: false, reason: "enrolled" };
    const codes = unusedRecoveryCodes(tx, actor.id) === 0 ? replaceRecoveryCodes(tx, actor.id, now) : null;
    recordAudit(
      tx,
      { actorId: actor.id, action: "second_factor.passkey_added", targetType: "user", targetId: actor.id, detail: { name: input.name } },
      meta,
    );
    return { ok: true, recoveryCodes: codes };
  });
}

/** Options for `startRegistration` when a passkey is the first factor, set up at sign-in; the challenge is kept on the pending sign-in. */
export async function passkeyEnrolmentOptions(db: Db, pending: PendingSignIn, rp: RelyingParty) {
  const person = db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, pending.userId)).get()!;
  const options = await registrationOptions(db, person, rp);
  db.update(pendingSignIns).set({ challenge: options.challenge }).where(eq(pendingSignIns.id, pending.id)).run();
  return options;
}

/** Enrolment at sign-in with a passkey instead of an authenticator app: the session comes with the new passkey. */
export async function enrolPasskeyAtSignIn(
  db: Db,
  pending: PendingSignIn,
  input: { response: RegistrationResponseJSON; name: string },
  rp: RelyingParty,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ ok: true; token: string; recoveryCodes: string[] } | Refusal> {
  const charged = db.transaction((tx) => {
    const row = tx.select().from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get();
    if (!row?.challenge || row.step !== "enrol") return { challenge: null, wait: 0 };
    tx.update(pendingSignIns).set({ challenge: null }).where(eq(pendingSignIns.id, pending.id)).run();
    return { challenge: row.challenge, wait: chargeAttempt(tx, pending.userId, now) };
  });
  if (!charged.challenge) return { ok: false, reason: "expired" };
  if (charged.wait > 0) return { ok: false, reason: "throttled", retryAfterMinutes: charged.wait };
  const verified = await verifiedCredential(input.response, [charged.challenge], rp);
  return db.transaction((tx): { ok: true; token: string; recoveryCodes: string[] } | Refusal => {
    if (!tx.select({ id: pendingSignIns.id }).from(pendingSignIns).where(eq(pendingSignIns.id, pending.id)).get())
      return { ok: false, reason: "expired" };
    if (!verified || !storePasskey(tx, pending.userId, verified.credential, input.name, now)) {
      failed(tx, pending.userId, "passkey", meta);
      return { ok: false, reason: "invalid" };
    }
    const codes = replaceRecoveryCodes(tx, pending.userId, now);
    recordAudit(
      tx,
      {
        actorId: pending.userId,
        action: "second_factor.passkey_added",
        targetType: "user",
        targetId: pending.userId,
        detail: { name: input.name },
      },
      meta,
    );
    return { ok: true, token: complete(tx, pending, "passkey", meta), recoveryCodes: codes };
  });
}

export function removePasskey(db: Db, actor: Actor, passkeyId: string, meta: RequestMeta): { ok: true } | AccountRefusal {
  return db.transaction((tx): { ok: true } | AccountRefusal => {
    const key = tx
      .select()
      .from(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, actor.id)))
      .get();
    if (!key) return { ok: false, reason: "not_found" };
    const totp = tx.select({ c: totpFactors.confirmedAt }).from(totpFactors).where(eq(totpFactors.userId, actor.id)).get();
    const others = credentialsOf(tx, actor.id).length - 1;
    if (!can(actor, "secondFactor.skip") && !totp?.c && others === 0) return { ok: false, reason: "required" };
    tx.delete(passkeys).where(eq(passkeys.id, passkeyId)).run();
    tidyUp(tx, actor.id);
    recordAudit(
      tx,
      { actorId: actor.id, action: "second_factor.passkey_removed", targetType: "user", targetId: actor.id, detail: { name: key.name } },
      meta,
    );
    return { ok: true };
  });
}

// ---------------------------------------------------------------- what the sign-in steps show

/** The ways a pending sign-in can be completed, and whose it is. */
export function pendingSignInPage(db: Db, pending: PendingSignIn) {
  const person = db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, pending.userId)).get()!;
  const totp = db.select({ c: totpFactors.confirmedAt }).from(totpFactors).where(eq(totpFactors.userId, pending.userId)).get();
  return {
    email: person.email,
    totp: !!totp?.c,
    passkey: credentialsOf(db, pending.userId).length > 0,
    recovery: unusedRecoveryCodes(db, pending.userId) > 0,
  };
}

// ---------------------------------------------------------------- the secretariat's way back

export type ResetSecondFactorResult = { ok: true; events: DomainEvent[] } | { ok: false; reason: "not_found" | "forbidden" };

/**
 * Another secretariat member clears a person's second factor (a lost phone and lost recovery codes):
 * the app, every passkey, the recovery codes and any pending sign-in go, and every session of theirs
 * ends, so whoever holds one signs in again. Someone who must have a second factor sets one up at that
 * sign-in. Audited.
 */
export function resetSecondFactor(db: Db, actor: Actor, personId: number, meta: RequestMeta): ResetSecondFactorResult {
  if (!can(actor, "person.resetSecondFactor", { id: personId })) return { ok: false, reason: "forbidden" };
  const ended = db.transaction((tx) => {
    if (!tx.select({ id: users.id }).from(users).where(eq(users.id, personId)).get()) return null;
    tx.delete(totpFactors).where(eq(totpFactors.userId, personId)).run();
    tx.delete(passkeys).where(eq(passkeys.userId, personId)).run();
    tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, personId)).run();
    tx.delete(pendingSignIns).where(eq(pendingSignIns.userId, personId)).run();
    const sessionIds = invalidateUserSessions(tx, personId);
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: "person.reset_second_factor",
        targetType: "user",
        targetId: personId,
        detail: { sessionsEnded: sessionIds.length },
      },
      meta,
    );
    return sessionIds;
  });
  if (!ended) return { ok: false, reason: "not_found" };
  const events = announce(db, [
    { type: "sessions.ended", sessionIds: ended, reason: "revoked" },
    { type: "person.signedOut", userId: personId, reason: "revoked" },
  ]);
  return { ok: true, events };
}

/** Who has a second factor, for the people page. */
export function peopleWithSecondFactor(db: DbOrTx): Set<number> {
  const withApp = db.select({ userId: totpFactors.userId }).from(totpFactors).where(isNotNull(totpFactors.confirmedAt)).all();
  const withPasskey = db.selectDistinct({ userId: passkeys.userId }).from(passkeys).all();
  return new Set([...withApp, ...withPasskey].map((r) => r.userId));
}
