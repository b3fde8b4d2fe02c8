import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { pillars } from "./forum";
import { users } from "./people";
import { documentStatuses, documentVisibilities, memberships, versionKinds } from "../../app/domain/vocabulary";

const now = sql`(unixepoch('subsec') * 1000)`;

/** A working group writes good-practice documents for one pillar. */
export const workingGroups = sqliteTable("working_groups", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  description: text("description").notNull().default(""),
  pillarId: integer("pillar_id")
    .notNull()
    .references(() => pillars.id),
  leadId: integer("lead_id").references(() => users.id),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
});

export const workingGroupMembers = sqliteTable(
  "working_group_members",
  {
    groupId: integer("group_id")
      .notNull()
      .references(() => workingGroups.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    membership: text("membership", { enum: memberships }).notNull().default("editor"),
    addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("working_group_members_user_idx").on(t.userId)],
);

export const documents = sqliteTable(
  "documents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The working group that writes it; null for a breakout room's notes (`breakout_rooms.document_id`). */
    groupId: integer("group_id").references(() => workingGroups.id),
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    status: text("status", { enum: documentStatuses }).notNull().default("draft"),
    visibility: text("visibility", { enum: documentVisibilities }).notNull().default("group"),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("documents_group_idx").on(t.groupId)],
);

/** The append-only tail of Yjs updates since the document's snapshot, in arrival order. */
export const documentUpdates = sqliteTable(
  "document_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    update: blob("update", { mode: "buffer" }).notNull(),
    userId: integer("user_id"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("document_updates_document_idx").on(t.documentId, t.id)],
);

/** The whole state of a document up to and including update `throughUpdateId`; one per document. */
export const documentSnapshots = sqliteTable("document_snapshots", {
  documentId: integer("document_id")
    .primaryKey()
    .references(() => documents.id, { onDelete: "cascade" }),
  state: blob("state", { mode: "buffer" }).notNull(),
  throughUpdateId: integer("through_update_id").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** A named, frozen state of a document; published versions get a citable number of their own. */
export const documentVersions = sqliteTable(
  "document_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: versionKinds }).notNull(),
    state: blob("state", { mode: "buffer" }).notNull(),
    /** The document's title and summary when the version was made. */
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    /** For published versions: 1, 2, 3… per document, cited as "v2". */
    publishedNumber: integer("published_number"),
    /** For published versions: who may read this frozen copy. */
    visibility: text("visibility", { enum: documentVisibilities }),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    index("document_versions_document_idx").on(t.documentId, t.id),
    uniqueIndex("document_versions_published_unique").on(t.documentId, t.publishedNumber),
  ],
);

/**
 * A comment on a passage of a document's live text (never of a published version): the quoted text, and where the
 * passage starts and ends as Yjs relative positions (JSON), so its highlight follows edits. A reply has a `parentId`
 * and no passage of its own. Resolving and reopening is for the thread's first comment.
 */
export const documentComments = sqliteTable(
  "document_comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    documentId: integer("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    parentId: integer("parent_id").references((): AnySQLiteColumn => documentComments.id, { onDelete: "cascade" }),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    quote: text("quote").notNull().default(""),
    anchorStart: text("anchor_start"),
    anchorEnd: text("anchor_end"),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    resolvedBy: integer("resolved_by").references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("document_comments_document_idx").on(t.documentId, t.id), index("document_comments_parent_idx").on(t.parentId)],
);
