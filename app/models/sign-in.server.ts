import type BetterSqlite3 from "better-sqlite3";
import { and, eq, gt } from "drizzle-orm";
import { RateLimiterRes, RateLimiterSQLite } from "rate-limiter-flexible";
import type { Db } from "../../db/client";
import { auditLog, users } from "../../db/schema";
import { recordAudit, type RequestMeta } from "./audit.server";
import { verifyAgainstDummy, verifyPassword } from "./password.server";
import { beginSecondFactor } from "./second-factor.server";
import { createSession } from "./session.server";

/**
 * The limits on guessing passwords (decision 024). Every attempt is charged before its password is
 * checked, with an atomic consume, so attempts made in parallel cannot all slip under a limit.
 */
export const SIGN_IN_LIMITS = {
  /** Attempts on one account from one address within the window; the pair is then refused until it ends. */
  perPair: 5,
  /** Attempts from one address, on any accounts, within the window. */
  perAddress: 30,
  windowSeconds: 15 * 60,
  /** Failed attempts on one account (from any address) after which each further one must wait. */
  slowDownAfter: 5,
  /** The longest wait between two checked attempts on a slowed-down account. */
  maxDelaySeconds: 60,
  /** How long an account's failures count towards its slow-down. */
  accountWindowSeconds: 24 * 60 * 60,
  /** Password reset requests from one address within the window. */
  resetRequestsPerAddress: 10,
  /** An address this account signed in from this recently is not slowed down by other addresses' failures. */
  knownAddressDays: 30,
} as const;

/** The table the limits are kept in, and the prefixes of their keys there. */
export const RATE_LIMIT_TABLE = "rate_limits";
export const LIMIT_PREFIX = {
  pair: "signin_pair",
  address: "signin_address",
  account: "signin_failures",
  gate: "signin_gate",
  resetAddress: "reset_address",
} as const;

/** Counts attempts in SQLite, so a restart does not reset them. */
export function createSignInThrottle(sqlite: BetterSqlite3.Database) {
  const common = { storeClient: sqlite, storeType: "better-sqlite3" as const, tableName: RATE_LIMIT_TABLE };
  const window = { ...common, duration: SIGN_IN_LIMITS.windowSeconds };
  return {
    perPair: new RateLimiterSQLite({ ...window, keyPrefix: LIMIT_PREFIX.pair, points: SIGN_IN_LIMITS.perPair }),
    perAddress: new RateLimiterSQLite({ ...window, keyPrefix: LIMIT_PREFIX.address, points: SIGN_IN_LIMITS.perAddress }),
    resetRequests: new RateLimiterSQLite({
      ...window,
      keyPrefix: LIMIT_PREFIX.resetAddress,
      points: SIGN_IN_LIMITS.resetRequestsPerAddress,
    }),
    // A counter, never refused by itself: it sets the delay the gate enforces.
    perAccount: new RateLimiterSQLite({
      ...common,
      keyPrefix: LIMIT_PREFIX.account,
      points: Number.MAX_SAFE_INTEGER,
      duration: SIGN_IN_LIMITS.accountWindowSeconds,
    }),
    // One checked attempt per delay on a slowed-down account; each consume sets the delay that follows it.
    accountGate: new RateLimiterSQLite({ ...common, keyPrefix: LIMIT_PREFIX.gate, points: 1, duration: SIGN_IN_LIMITS.maxDelaySeconds }),
  };
}
export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

export type SignInResult =
  | { ok: true; userId: number; token: string; secondFactor?: undefined }
  /** The password was right; the session waits for the second factor (decision 023). */
  | { ok: true; userId: number; token?: undefined; secondFactor: { step: "verify" | "enrol"; token: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMinutes: number }
  | { ok: false; reason: "slowed"; retryAfterSeconds: number };

/** The key of one account from one address (an email holds no space). */
export function pairKey(email: string, address: string): string {
  return `${email} ${address}`;
}

/** The wait after an account's `attempts`-th attempt since its last success before another is checked: 1, 2, 4… seconds. */
export function delayAfter(attempts: number): number {
  const over = attempts - SIGN_IN_LIMITS.slowDownAfter;
  return over < 0 ? 0 : Math.min(2 ** over, SIGN_IN_LIMITS.maxDelaySeconds);
}

/** Whether this person signed in from this address recently: their own address is not slowed down by strangers. */
function isKnownAddress(db: Db, userId: number | undefined, address: string | null | undefined, now = Date.now()): boolean {
  if (userId === undefined || !address) return false;
  const since = new Date(now - SIGN_IN_LIMITS.knownAddressDays * 24 * 60 * 60 * 1000);
  const row = db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(and(eq(auditLog.actorId, userId), eq(auditLog.action, "auth.sign_in"), eq(auditLog.ipAddress, address), gt(auditLog.at, since)))
    .limit(1)
    .get();
  return row !== undefined;
}

type Refusal = Extract<SignInResult, { reason: "throttled" | "slowed" }>;

/** Charges a password reset request to its address; false once the address has asked too often. */
export async function chargeResetRequest(throttle: SignInThrottle, meta: RequestMeta): Promise<boolean> {
  try {
    await throttle.resetRequests.consume(meta.ipAddress ?? "unknown");
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}

function refusedFor(error: unknown): Refusal {
  if (!(error instanceof RateLimiterRes)) throw error;
  return { ok: false, reason: "throttled", retryAfterMinutes: Math.max(1, Math.ceil(error.msBeforeNext / 60_000)) };
}

/**
 * Charges one attempt to the address, the account-and-address pair and (unless the address is this
 * person's own) the account's slow-down, before any password is checked. Each consume is one SQLite
 * statement, so parallel attempts are counted one by one. An attempt the slow-down holds back is not
 * checked and its charge to the pair and account is given back.
 */
async function chargeAttempt(throttle: SignInThrottle, email: string, address: string, knownAddress: boolean): Promise<Refusal | null> {
  try {
    await throttle.perAddress.consume(address);
  } catch (error) {
    return refusedFor(error);
  }
  const pair = pairKey(email, address);
  try {
    await throttle.perPair.consume(pair);
  } catch (error) {
    return refusedFor(error);
  }
  if (knownAddress) return null;
  const delay = delayAfter((await throttle.perAccount.consume(email)).consumedPoints);
  if (delay === 0) return null;
  try {
    await throttle.accountGate.consume(email, 1, { customDuration: delay });
    return null;
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    await Promise.all([throttle.perAccount.reward(email), throttle.perPair.reward(pair)]);
    return { ok: false, reason: "slowed", retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
  }
}

export async function signIn(
  db: Db,
  throttle: SignInThrottle,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<SignInResult> {
  const address = meta.ipAddress ?? "unknown";
  const user = db.select().from(users).where(eq(users.email, input.email)).get();
  const refused = await chargeAttempt(throttle, input.email, address, isKnownAddress(db, user?.id, meta.ipAddress));
  if (refused) return refused;

  const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);

  if (!user || !valid || user.status !== "active") {
    recordAudit(
      db,
      { actorId: user?.id ?? null, action: "auth.sign_in_failed", targetType: "user", targetId: user?.id, detail: { email: input.email } },
      meta,
    );
    return { ok: false, reason: "invalid" };
  }

  // The right password clears this account's failures; the address keeps its count of other attempts.
  await Promise.all([
    throttle.perAccount.delete(input.email),
    throttle.accountGate.delete(input.email),
    throttle.perPair.delete(pairKey(input.email, address)),
    throttle.perAddress.reward(address),
  ]);
  const secondFactor = beginSecondFactor(db, user, meta);
  if (secondFactor) return { ok: true, userId: user.id, secondFactor };
  const token = db.transaction((tx) => {
    const { token } = createSession(tx, user.id, meta);
    recordAudit(tx, { actorId: user.id, action: "auth.sign_in", targetType: "user", targetId: user.id }, meta);
    return token;
  });
  return { ok: true, userId: user.id, token };
}
