import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { mailOutbox, users } from "./people";

/**
 * Single-use links to set a new password (decision 024). Only a SHA-256 of the token is stored; a
 * link works until it expires, is used, or a newer one for the same person replaces it.
 */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    /** Who asked: the person on the sign-in page, or the secretariat for them. */
    origin: text("origin", { enum: ["request", "secretariat"] }).notNull(),
    createdById: integer("created_by_id").references(() => users.id),
    /** The outbox message that carries the link (mailed, or handed over by the secretariat). */
    outboxId: integer("outbox_id").references(() => mailOutbox.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("password_resets_user_idx").on(t.userId)],
);
