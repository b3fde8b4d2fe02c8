import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { cadences, eventKinds, eventStatuses, eventVisibilities } from "../../app/domain/vocabulary";

export const pillars = sqliteTable("pillars", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  position: integer("position").notNull(),
});

export const eventSeries = sqliteTable("event_series", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  cadence: text("cadence", { enum: cadences }).notNull(),
});

export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: eventKinds }).notNull(),
    seriesId: integer("series_id").references(() => eventSeries.id),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    /** The forum's year; one annual forum per year. */
    year: integer("year").notNull(),
    /** First and last day, as calendar dates in the event's own time zone. */
    startsOn: text("starts_on").notNull(),
    endsOn: text("ends_on").notNull(),
    timeZone: text("time_zone").notNull(),
    venue: text("venue"),
    onlineUrl: text("online_url"),
    status: text("status", { enum: eventStatuses }).notNull().default("draft"),
    visibility: text("visibility", { enum: eventVisibilities }).notNull().default("members"),
    /** With visibility "groups": the stakeholder groups invited. */
    invitedGroups: text("invited_groups", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    registrationRequiresApproval: integer("registration_requires_approval", { mode: "boolean" }).notNull().default(false),
    /**
     * Bumped by database triggers on every change to what the agenda shows of this event (its sessions, their
     * speakers and rooms, the names of speakers, their organisations and the pillars), whatever made it, so what is
     * worked out from the agenda alone can be kept until it changes (migration 0011).
     */
    agendaVersion: integer("agenda_version").notNull().default(0),
    createdAt: integer("created_at", { mode: "timestamp_ms" })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [
    uniqueIndex("events_one_forum_per_year")
      .on(t.year)
      .where(sql`${t.kind} = 'forum'`),
    index("events_starts_on_idx").on(t.startsOn),
  ],
);
