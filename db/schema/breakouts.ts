import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agendaSessions, rooms } from "./agenda";
import { documents } from "./documents";
import { pillars } from "./forum";
import { users } from "./people";
import { breakoutAssignmentModes, breakoutAssignmentSources, breakoutStatuses } from "../../app/domain/vocabulary";

const now = sql`(unixepoch('subsec') * 1000)`;

/** The breakout state of an agenda session of kind "breakout": how people get a room, and whether the rooms run. */
export const breakouts = sqliteTable("breakouts", {
  sessionId: integer("session_id")
    .primaryKey()
    .references(() => agendaSessions.id, { onDelete: "cascade" }),
  assignmentMode: text("assignment_mode", { enum: breakoutAssignmentModes }).notNull().default("choice"),
  /** A planned assignment is shown to delegates once published; choices are always shown. */
  published: integer("published", { mode: "boolean" }).notNull().default(false),
  /** Observers may follow the rooms read-only. */
  observersMayWatch: integer("observers_may_watch", { mode: "boolean" }).notNull().default(false),
  status: text("status", { enum: breakoutStatuses }).notNull().default("planning"),
  openedAt: integer("opened_at", { mode: "timestamp_ms" }),
  closedAt: integer("closed_at", { mode: "timestamp_ms" }),
  /** The countdown everyone sees, kept by the server: clients show this instant, never their own clock's idea of it. */
  timerEndsAt: integer("timer_ends_at", { mode: "timestamp_ms" }),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** One room of a breakout session: by default one per pillar, with a guiding question. */
export const breakoutRooms = sqliteTable(
  "breakout_rooms",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => breakouts.sessionId, { onDelete: "cascade" }),
    name: text("name").notNull(),
    question: text("question").notNull().default(""),
    pillarId: integer("pillar_id").references(() => pillars.id),
    capacity: integer("capacity"),
    facilitatorId: integer("facilitator_id").references(() => users.id),
    rapporteurId: integer("rapporteur_id").references(() => users.id),
    /** A physical room of the event (in person). */
    venueRoomId: integer("venue_room_id").references(() => rooms.id, { onDelete: "set null" }),
    /** The delegates' own video tool (online). */
    meetingUrl: text("meeting_url"),
    /** The room's shared notes: a live document of its own, readable only through the room. */
    documentId: integer("document_id").references(() => documents.id),
    /** The BigBlueButton meeting made for this room, when Convene makes them. */
    videoMeetingId: text("video_meeting_id"),
    position: integer("position").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("breakout_rooms_session_name_unique").on(t.sessionId, t.name),
    uniqueIndex("breakout_rooms_document_unique").on(t.documentId),
  ],
);

/** Who is in which room of a breakout session: one room per person per session. */
export const breakoutAssignments = sqliteTable(
  "breakout_assignments",
  {
    sessionId: integer("session_id")
      .notNull()
      .references(() => breakouts.sessionId, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    roomId: integer("room_id")
      .notNull()
      .references(() => breakoutRooms.id, { onDelete: "cascade" }),
    source: text("source", { enum: breakoutAssignmentSources }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] }), index("breakout_assignments_room_idx").on(t.roomId)],
);

/** A delegate's preferred pillar for a planned assignment. */
export const breakoutPreferences = sqliteTable(
  "breakout_preferences",
  {
    sessionId: integer("session_id")
      .notNull()
      .references(() => breakouts.sessionId, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    pillarId: integer("pillar_id")
      .notNull()
      .references(() => pillars.id),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

/** The raised-hands queue of a room, in the order hands went up. */
export const breakoutHands = sqliteTable(
  "breakout_hands",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roomId: integer("room_id")
      .notNull()
      .references(() => breakoutRooms.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    raisedAt: integer("raised_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [uniqueIndex("breakout_hands_room_user_unique").on(t.roomId, t.userId)],
);

/** A room's chat, and the facilitator's messages to every room (`roomId` null). Stored before anyone sees it. */
export const breakoutMessages = sqliteTable(
  "breakout_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => breakouts.sessionId, { onDelete: "cascade" }),
    roomId: integer("room_id").references(() => breakoutRooms.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("breakout_messages_session_room_idx").on(t.sessionId, t.roomId, t.id)],
);

/** A room's report-back, written by its rapporteur when the room closes. */
export const breakoutReports = sqliteTable("breakout_reports", {
  roomId: integer("room_id")
    .primaryKey()
    .references(() => breakoutRooms.id, { onDelete: "cascade" }),
  pillarId: integer("pillar_id").references(() => pillars.id),
  keyPoints: text("key_points").notNull().default(""),
  /** Kept for the audit trail; never shown where the session's attribution rule withholds names. */
  authorId: integer("author_id").references(() => users.id),
  submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** A proposed action of a report-back; it may become a draft commitment. */
export const breakoutActions = sqliteTable(
  "breakout_actions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roomId: integer("room_id")
      .notNull()
      .references(() => breakoutRooms.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    position: integer("position").notNull().default(0),
    /** The draft commitment it became, if any (set by `proposeCommitment`). */
    commitmentId: integer("commitment_id"),
  },
  (t) => [index("breakout_actions_room_idx").on(t.roomId, t.position)],
);
