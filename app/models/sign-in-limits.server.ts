import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { getPerson } from "./people.server";
import { LIMIT_PREFIX, RATE_LIMIT_TABLE, SIGN_IN_LIMITS, pairKey } from "./sign-in.server";

const table = sql.identifier(RATE_LIMIT_TABLE);

/**
 * Forgets an account's failed sign-ins: its slow-down and every account-and-address pair. What an
 * address did to other accounts stays counted. Returns how many counters were cleared.
 */
export function clearSignInLimits(db: DbOrTx, email: string): number {
  const pairs = `${LIMIT_PREFIX.pair}:${pairKey(email, "")}`;
  const result = db.run(
    sql`DELETE FROM ${table} WHERE key IN (${`${LIMIT_PREFIX.account}:${email}`}, ${`${LIMIT_PREFIX.gate}:${email}`})
        OR substr(key, 1, ${pairs.length}) = ${pairs}`,
  );
  return result.changes;
}

/** The email addresses whose sign-in is limited now: slowed down, or refused from some address. */
export function limitedAccounts(db: DbOrTx, now = Date.now()): Set<string> {
  const rows = db.all<{ key: string; points: number }>(
    sql`SELECT key, points FROM ${table} WHERE (expire IS NULL OR expire > ${now})
        AND (substr(key, 1, ${LIMIT_PREFIX.account.length + 1}) = ${`${LIMIT_PREFIX.account}:`}
          OR substr(key, 1, ${LIMIT_PREFIX.pair.length + 1}) = ${`${LIMIT_PREFIX.pair}:`})`,
  );
  const limited = new Set<string>();
  for (const { key, points } of rows) {
    if (key.startsWith(`${LIMIT_PREFIX.account}:`) && points >= SIGN_IN_LIMITS.slowDownAfter) {
      limited.add(key.slice(LIMIT_PREFIX.account.length + 1));
    } else if (key.startsWith(`${LIMIT_PREFIX.pair}:`) && points >= SIGN_IN_LIMITS.perPair) {
      limited.add(key.slice(LIMIT_PREFIX.pair.length + 1).split(" ")[0]!);
    }
  }
  return limited;
}

export type LiftResult = { ok: true } | { ok: false; reason: "not_found" | "forbidden" };

/** The secretariat lets a person sign in again at once, from anywhere; recorded in the audit log. */
export function liftSignInLimits(db: Db, actor: Actor, personId: number, meta: RequestMeta): LiftResult {
  const person = getPerson(db, personId);
  if (!person) return { ok: false, reason: "not_found" };
  if (!can(actor, "person.liftSignInLimits", { id: personId })) return { ok: false, reason: "forbidden" };
  db.transaction((tx) => {
    const cleared = clearSignInLimits(tx, person.email);
    recordAudit(
      tx,
      { actorId: actor.id, action: "person.lift_sign_in_limits", targetType: "user", targetId: personId, detail: { cleared } },
      meta,
    );
  });
  return { ok: true };
}
