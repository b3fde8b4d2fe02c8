/** Second factors (TOTP, recovery codes, passkeys) and the pending sign-ins that wait for one (decision 023). */
import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./people";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

const owner = () =>
  integer("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

/** One authenticator app per person; `confirmedAt` is null while enrolment waits for a first code. */
export const totpFactors = sqliteTable("totp_factors", {
  userId: owner().primaryKey(),
  /** Base32; a TOTP secret must be readable by the server to compute codes, so it cannot be hashed. */
  secret: text("secret").notNull(),
  confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  /** The last 30-second time step accepted: a code of that step or an earlier one is never accepted again. */
  lastUsedStep: integer("last_used_step"),
  createdAt: createdAt(),
});

/** Single-use recovery codes, stored as SHA-256 of the normalised code. */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: owner(),
    codeHash: text("code_hash").notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

/** WebAuthn credentials (passkeys and security keys). */
export const passkeys = sqliteTable(
  "passkeys",
  {
    /** The credential id, base64url. */
    id: text("id").primaryKey(),
    userId: owner(),
    publicKey: blob("public_key", { mode: "buffer" }).notNull(),
    counter: integer("counter").notNull().default(0),
    transports: text("transports", { mode: "json" }).$type<string[]>(),
    name: text("name").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("passkeys_user_idx").on(t.userId)],
);

/** A WebAuthn registration in progress from the account page: the challenge the browser must sign. */
export const passkeyChallenges = sqliteTable(
  "passkey_challenges",
  {
    challenge: text("challenge").primaryKey(),
    userId: owner(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("passkey_challenges_user_idx").on(t.userId)],
);

/**
 * A sign-in whose password was right and that waits for the second factor ("verify") or for a first
 * one to be set up ("enrol"). The cookie carries `<id>.<secret>`; only a SHA-256 of the secret is kept.
 */
export const pendingSignIns = sqliteTable(
  "pending_sign_ins",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    secretHash: text("secret_hash").notNull(),
    step: text("step", { enum: ["verify", "enrol"] }).notNull(),
    /** For "enrol": the TOTP secret being set up. */
    totpSecret: text("totp_secret"),
    /** The WebAuthn challenge of the last passkey request, if any. */
    challenge: text("challenge"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("pending_sign_ins_user_idx").on(t.userId)],
);

/** Second-factor attempts per person in the current window, charged before each code is checked. */
export const secondFactorAttempts = sqliteTable("second_factor_attempts", {
  userId: owner().primaryKey(),
  attempts: integer("attempts").notNull(),
  windowStartedAt: integer("window_started_at", { mode: "timestamp_ms" }).notNull(),
});
