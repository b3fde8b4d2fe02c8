import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { commitments, forumCycles } from "./commitments";
import { users } from "./people";

/**
 * What a CSV import created: one row per imported line, keyed by the line's `external_id` (or its
 * reference), so importing the same file again skips what is already there.
 */
export const commitmentImports = sqliteTable(
  "commitment_imports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** `external_id` as given in the file, or `reference:<reference>` when the line had no external id. */
    sourceKey: text("source_key").notNull(),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id, { onDelete: "cascade" }),
    cycleId: integer("cycle_id")
      .notNull()
      .references(() => forumCycles.id),
    fileName: text("file_name").notNull().default(""),
    rowNumber: integer("row_number").notNull(),
    importedBy: integer("imported_by").references(() => users.id),
    importedAt: integer("imported_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("commitment_imports_source_key_unique").on(t.sourceKey),
    index("commitment_imports_commitment_idx").on(t.commitmentId),
  ],
);
