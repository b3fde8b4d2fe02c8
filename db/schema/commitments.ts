import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agendaSessions } from "./agenda";
import { breakoutRooms } from "./breakouts";
import { pillars } from "./forum";
import { organisations, users } from "./people";
import {
  carryKinds,
  commitmentStatuses,
  commitmentTypes,
  commitmentVisibilities,
  completionLevels,
  cycleStatuses,
} from "../../app/domain/vocabulary";

const now = sql`(unixepoch('subsec') * 1000)`;

/** One forum year: commitments are made, followed and assessed within it. */
export const forumCycles = sqliteTable("forum_cycles", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  year: integer("year").notNull().unique(),
  status: text("status", { enum: cycleStatuses }).notNull().default("open"),
  /** The date of the year's progress report: the cycle can be closed from then on. */
  reportOn: text("report_on").notNull(),
  openedAt: integer("opened_at", { mode: "timestamp_ms" }).notNull().default(now),
  closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  closedBy: integer("closed_by").references(() => users.id),
});

/**
 * A commitment as it stands in one cycle. Work carried into the next cycle becomes a new row there
 * with the same `reference` (continued, rescoped) or new ones (split, merged), linked in `carryLinks`.
 */
export const commitments = sqliteTable(
  "commitments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    cycleId: integer("cycle_id")
      .notNull()
      .references(() => forumCycles.id),
    /** Stable for life: pillar code, year of origin, number (CA-2026-07). */
    reference: text("reference").notNull(),
    pillarId: integer("pillar_id")
      .notNull()
      .references(() => pillars.id),
    title: text("title").notNull(),
    problem: text("problem").notNull().default(""),
    expectedResult: text("expected_result").notNull().default(""),
    /** Voluntary Principles it serves, as a JSON array of numbers. */
    principles: text("principles", { mode: "json" })
      .$type<number[]>()
      .notNull()
      .default(sql`'[]'`),
    type: text("type", { enum: commitmentTypes }).notNull().default("single"),
    contactName: text("contact_name").notNull(),
    contactEmail: text("contact_email"),
    startsOn: text("starts_on").notNull(),
    endsOn: text("ends_on").notNull(),
    /** Where it was made: a forum session (or breakout), if any. */
    madeAtSessionId: integer("made_at_session_id").references(() => agendaSessions.id, { onDelete: "set null" }),
    /** The breakout room whose report-back proposed it, if any. */
    madeAtBreakoutRoomId: integer("made_at_breakout_room_id").references(() => breakoutRooms.id, { onDelete: "set null" }),
    visibility: text("visibility", { enum: commitmentVisibilities }).notNull().default("members"),
    status: text("status", { enum: commitmentStatuses }).notNull().default("open"),
    /** The cycle in which it was completed (completion is credited there). */
    completedInCycleId: integer("completed_in_cycle_id").references(() => forumCycles.id),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("commitments_cycle_reference_unique").on(t.cycleId, t.reference),
    index("commitments_reference_idx").on(t.reference),
    index("commitments_cycle_pillar_idx").on(t.cycleId, t.pillarId, t.status),
  ],
);

/** The lead organisation and supporting ones, with what each contributes. */
export const commitmentOrganisations = sqliteTable(
  "commitment_organisations",
  {
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id, { onDelete: "cascade" }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id),
    role: text("role", { enum: ["lead", "supporting"] }).notNull(),
    contribution: text("contribution").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.commitmentId, t.organisationId] }), index("commitment_organisations_org_idx").on(t.organisationId)],
);

export const milestones = sqliteTable(
  "milestones",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    dueOn: text("due_on").notNull(),
    doneOn: text("done_on"),
    doneBy: integer("done_by").references(() => users.id),
  },
  (t) => [index("milestones_commitment_idx").on(t.commitmentId), index("milestones_due_idx").on(t.dueOn)],
);

/** Progress reported by an owning organisation. Append-only: a correction is a new update. */
export const progressUpdates = sqliteTable(
  "progress_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id),
    organisationId: integer("organisation_id").references(() => organisations.id),
    completion: text("completion", { enum: completionLevels }).notNull(),
    percent: integer("percent").notNull(),
    narrative: text("narrative").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("progress_updates_commitment_idx").on(t.commitmentId, t.id)],
);

/** The secretariat's check of a progress update; an update without one is self-reported. */
export const progressVerifications = sqliteTable("progress_verifications", {
  updateId: integer("update_id")
    .primaryKey()
    .references(() => progressUpdates.id),
  verifiedBy: integer("verified_by")
    .notNull()
    .references(() => users.id),
  note: text("note").notNull().default(""),
  verifiedAt: integer("verified_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** Evidence attached to an update: a link, or a file stored under the data directory by its content hash. */
export const evidence = sqliteTable(
  "evidence",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    updateId: integer("update_id")
      .notNull()
      .references(() => progressUpdates.id),
    kind: text("kind", { enum: ["link", "file"] }).notNull(),
    url: text("url"),
    fileName: text("file_name"),
    mimeType: text("mime_type"),
    size: integer("size"),
    sha256: text("sha256"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("evidence_update_idx").on(t.updateId)],
);

/** Lineage: what became of a commitment when a new cycle opened. Withdrawn links have no target. */
export const carryLinks = sqliteTable(
  "carry_links",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    fromId: integer("from_id")
      .notNull()
      .references(() => commitments.id),
    toId: integer("to_id").references(() => commitments.id),
    kind: text("kind", { enum: carryKinds }).notNull(),
    rationale: text("rationale").notNull(),
    decidedBy: integer("decided_by")
      .notNull()
      .references(() => users.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("carry_links_from_idx").on(t.fromId), index("carry_links_to_idx").on(t.toId)],
);

/** A commitment's standing when its cycle closed; frozen for good. */
export const cycleAssessments = sqliteTable(
  "cycle_assessments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    cycleId: integer("cycle_id")
      .notNull()
      .references(() => forumCycles.id),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id),
    completion: text("completion", { enum: completionLevels }).notNull(),
    percent: integer("percent").notNull(),
    earlyResult: text("early_result").notNull().default(""),
    note: text("note").notNull().default(""),
    assessedBy: integer("assessed_by").references(() => users.id),
    frozenAt: integer("frozen_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [uniqueIndex("cycle_assessments_unique").on(t.cycleId, t.commitmentId)],
);

/** Commitments the secretariat chose to highlight in a cycle's annual progress report. */
export const reportHighlights = sqliteTable(
  "report_highlights",
  {
    cycleId: integer("cycle_id")
      .notNull()
      .references(() => forumCycles.id),
    commitmentId: integer("commitment_id")
      .notNull()
      .references(() => commitments.id),
    note: text("note").notNull().default(""),
    position: integer("position").notNull().default(0),
    chosenBy: integer("chosen_by").references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.cycleId, t.commitmentId] })],
);
