import type BetterSqlite3 from "better-sqlite3";
import { eq } from "drizzle-orm";
import { RateLimiterSQLite, type RateLimiterRes } from "rate-limiter-flexible";
import type { Db } from "../../db/client";
import { users } from "../../db/schema";
import { recordAudit, type RequestMeta } from "./audit.server";
import { verifyAgainstDummy, verifyPassword } from "./password.server";
import { beginSecondFactor } from "./second-factor.server";
import { createSession } from "./session.server";

const WINDOW_SECONDS = 15 * 60;

/** Counts failed sign-ins per account and per address, in SQLite so a restart does not reset them. */
export function createSignInThrottle(sqlite: BetterSqlite3.Database) {
  const common = { storeClient: sqlite, storeType: "better-sqlite3" as const, tableName: "rate_limits", duration: WINDOW_SECONDS };
  return {
    perAccount: new RateLimiterSQLite({ ...common, keyPrefix: "signin_account", points: 5 }),
    perAddress: new RateLimiterSQLite({ ...common, keyPrefix: "signin_address", points: 30 }),
  };
}
export type SignInThrottle = ReturnType<typeof createSignInThrottle>;

export type SignInResult =
  | { ok: true; userId: number; token: string; secondFactor?: undefined }
  /** The password was right; the session waits for the second factor (decision 023). */
  | { ok: true; userId: number; token?: undefined; secondFactor: { step: "verify" | "enrol"; token: string } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMinutes: number };

function blockedFor(res: RateLimiterRes | null, points: number): number {
  if (!res || res.consumedPoints < points) return 0;
  return res.msBeforeNext;
}

export async function signIn(
  db: Db,
  throttle: SignInThrottle,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<SignInResult> {
  const accountKey = input.email;
  const addressKey = meta.ipAddress ?? "unknown";
  const [accountState, addressState] = await Promise.all([throttle.perAccount.get(accountKey), throttle.perAddress.get(addressKey)]);
  const waitMs = Math.max(blockedFor(accountState, throttle.perAccount.points), blockedFor(addressState, throttle.perAddress.points));
  if (waitMs > 0) return { ok: false, reason: "throttled", retryAfterMinutes: Math.max(1, Math.ceil(waitMs / 60_000)) };

  const user = db.select().from(users).where(eq(users.email, input.email)).get();
  const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);

  if (!user || !valid || user.status !== "active") {
    await Promise.all([
      throttle.perAccount.penalty(accountKey).catch(() => undefined),
      throttle.perAddress.penalty(addressKey).catch(() => undefined),
    ]);
    recordAudit(
      db,
      { actorId: user?.id ?? null, action: "auth.sign_in_failed", targetType: "user", targetId: user?.id, detail: { email: input.email } },
      meta,
    );
    return { ok: false, reason: "invalid" };
  }

  await throttle.perAccount.delete(accountKey);
  const secondFactor = beginSecondFactor(db, user, meta);
  if (secondFactor) return { ok: true, userId: user.id, secondFactor };
  const token = db.transaction((tx) => {
    const { token } = createSession(tx, user.id, meta);
    recordAudit(tx, { actorId: user.id, action: "auth.sign_in", targetType: "user", targetId: user.id }, meta);
    return token;
  });
  return { ok: true, userId: user.id, token };
}
