import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { events, pillars } from "./forum";
import { users } from "./people";
import { agendaSessionStatuses, attributionRules, placeStatuses, registrationStatuses, sessionKinds } from "../../app/domain/vocabulary";

const now = sql`(unixepoch('subsec') * 1000)`;

export const rooms = sqliteTable(
  "rooms",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [uniqueIndex("rooms_event_name_unique").on(t.eventId, t.name)],
);

/** A session on the timetable; times are UTC instants, shown in the event's zone or the viewer's. */
export const agendaSessions = sqliteTable(
  "agenda_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    roomId: integer("room_id").references(() => rooms.id, { onDelete: "set null" }),
    pillarId: integer("pillar_id").references(() => pillars.id),
    kind: text("kind", { enum: sessionKinds }).notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    startsAt: integer("starts_at", { mode: "timestamp_ms" }).notNull(),
    endsAt: integer("ends_at", { mode: "timestamp_ms" }).notNull(),
    capacity: integer("capacity"),
    attribution: text("attribution", { enum: attributionRules }).notNull().default("on_record"),
    status: text("status", { enum: agendaSessionStatuses }).notNull().default("scheduled"),
    /** Bumped on every change, for calendar subscribers (ICS SEQUENCE). */
    sequence: integer("sequence").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("agenda_sessions_event_start_idx").on(t.eventId, t.startsAt)],
);

export const sessionSpeakers = sqliteTable(
  "session_speakers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => agendaSessions.id, { onDelete: "cascade" }),
    userId: integer("user_id").references(() => users.id),
    guestName: text("guest_name"),
    guestOrganisation: text("guest_organisation"),
    position: integer("position").notNull().default(0),
  },
  (t) => [index("session_speakers_session_idx").on(t.sessionId), index("session_speakers_user_idx").on(t.userId)],
);

/** Facilitators edit the sessions of the tracks (pillars) they lead at an event. */
export const trackLeads = sqliteTable(
  "track_leads",
  {
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    pillarId: integer("pillar_id")
      .notNull()
      .references(() => pillars.id),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.pillarId, t.userId] })],
);

export const agendaStars = sqliteTable(
  "agenda_stars",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => agendaSessions.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sessionId] })],
);

export const sessionRegistrations = sqliteTable(
  "session_registrations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    sessionId: integer("session_id")
      .notNull()
      .references(() => agendaSessions.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: placeStatuses }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("session_registrations_unique").on(t.sessionId, t.userId),
    index("session_registrations_queue_idx").on(t.sessionId, t.status, t.id),
  ],
);

export const eventRegistrations = sqliteTable(
  "event_registrations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status", { enum: registrationStatuses }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decidedById: integer("decided_by_id").references(() => users.id),
  },
  (t) => [uniqueIndex("event_registrations_unique").on(t.eventId, t.userId)],
);

/** A person's secret calendar feed; only a hash of its token is kept. */
export const calendarFeeds = sqliteTable("calendar_feeds", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
});
