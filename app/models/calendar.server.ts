/**
 * ICS calendars of agendas: one event's timetable, and a person's starred sessions behind a secret feed URL.
 * See docs/decisions/008-calendar-feeds.md.
 */
import { actorFor } from "./people.server";
import { randomBytes } from "node:crypto";
import { TZDate } from "@date-fns/tz";
import { asc, eq, inArray } from "drizzle-orm";
import ical, { ICalEventStatus, type ICalCalendar } from "ical-generator";
import type { Db, DbOrTx } from "../../db/client";
import { calendarFeeds, events, organisations, rooms, sessionSpeakers, users } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import { translatorFor } from "../utils/translators.server";
import { canonicalTimeZone, displayTimeZone } from "../utils/time-zones";
import { spanOf, vtimezone } from "../utils/vtimezone";
import type { AgendaEvent, AgendaSession } from "./agenda.server";
import { recordAudit, type RequestMeta } from "./audit.server";
import { hashSecret } from "./session.server";
import { starredSessionsOf } from "./stars.server";

export interface CalendarOptions {
  /** The app's public origin (`APP_URL`), for the link back to each event. */
  baseUrl: string;
  /** Language of the calendar's own words; calendar apps send none, so English unless a page asks. */
  locale?: string;
}

/** Room names and speakers of these sessions, looked up once for the whole calendar. */
function detailsOf(db: DbOrTx, sessions: readonly AgendaSession[]) {
  const roomIds = [...new Set(sessions.flatMap((s) => (s.roomId === null ? [] : [s.roomId])))];
  const roomNames = new Map(
    roomIds.length
      ? db
          .select({ id: rooms.id, name: rooms.name })
          .from(rooms)
          .where(inArray(rooms.id, roomIds))
          .all()
          .map((r) => [r.id, r.name])
      : [],
  );
  const ids = sessions.map((s) => s.id);
  const speakers = new Map<number, string[]>();
  if (ids.length) {
    const rows = db
      .select({
        sessionId: sessionSpeakers.sessionId,
        userName: users.name,
        guestName: sessionSpeakers.guestName,
        orgName: organisations.name,
        guestOrganisation: sessionSpeakers.guestOrganisation,
      })
      .from(sessionSpeakers)
      .leftJoin(users, eq(users.id, sessionSpeakers.userId))
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(inArray(sessionSpeakers.sessionId, ids))
      .orderBy(asc(sessionSpeakers.position))
      .all();
    for (const r of rows) {
      const name = r.userName ?? r.guestName ?? "";
      const organisation = r.orgName ?? r.guestOrganisation;
      const list = speakers.get(r.sessionId) ?? [];
      list.push(organisation ? `${name} (${organisation})` : name);
      speakers.set(r.sessionId, list);
    }
  }
  return { roomNames, speakers };
}

/** The zone a calendar writes an event's times in, by its current name; null for UTC, whose times go out as UTC. */
function calendarZone(timeZone: string): string | null {
  const zone = canonicalTimeZone(timeZone);
  return zone && zone !== "UTC" ? zone : null;
}

/** A calendar being filled, and the instants of its sessions, which its zones' VTIMEZONE blocks must cover. */
interface FeedCalendar {
  calendar: ICalCalendar;
  instants: Date[];
}

function newCalendar(name: string, opts: { ttlSeconds?: number }): FeedCalendar {
  const calendar = ical({ name, prodId: { company: "Convene", product: "Convene", language: "EN" } });
  const instants: Date[] = [];
  // No calendar-wide zone name: ical-generator would then write DTSTAMP and LAST-MODIFIED as floating local
  // times, where RFC 5545 wants UTC. The generator still adds a VTIMEZONE for every event's TZID, written
  // when the calendar is, from the rules this server runs on, over a span that covers every session.
  calendar.timezone({ name: null, generator: (zone) => vtimezone(zone, spanOf(instants)) });
  if (opts.ttlSeconds) calendar.ttl(opts.ttlSeconds);
  return { calendar, instants };
}

function addSessions(
  db: DbOrTx,
  { calendar, instants }: FeedCalendar,
  event: AgendaEvent,
  sessions: readonly AgendaSession[],
  opts: CalendarOptions,
) {
  const t = translatorFor(opts.locale ?? "en", "calendar");
  const { roomNames, speakers } = detailsOf(db, sessions);
  const url = `${opts.baseUrl.replace(/\/+$/, "")}/events/${event.id}`;
  const zone = calendarZone(event.timeZone);
  for (const s of [...sessions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id - b.id)) {
    const cancelled = s.status === "cancelled";
    const names = speakers.get(s.id) ?? [];
    const description = [
      cancelled ? t("ics.cancelled") : null,
      s.description.trim() || null,
      names.length ? t("ics.speakers", { names: names.join(", ") }) : null,
      t(`ics.attribution.${s.attribution}`),
      event.title,
    ]
      .filter((line): line is string => !!line)
      .join("\n\n");
    const roomName = s.roomId === null ? null : (roomNames.get(s.roomId) ?? null);
    instants.push(s.startsAt, s.endsAt);
    calendar.createEvent({
      // Stable across every change, so calendar apps update the entry instead of adding another.
      id: `session-${s.id}@convene`,
      sequence: s.sequence,
      stamp: s.updatedAt,
      lastModified: s.updatedAt,
      created: s.createdAt,
      // A TZDate carries the zone, so ical-generator writes the event's wall-clock time beside its TZID.
      start: zone ? new TZDate(s.startsAt.getTime(), zone) : s.startsAt,
      end: zone ? new TZDate(s.endsAt.getTime(), zone) : s.endsAt,
      timezone: zone,
      summary: s.title,
      location: [roomName, event.venue].filter(Boolean).join(", ") || null,
      description,
      url,
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
}

/** One event's whole timetable, cancelled sessions included (marked cancelled, so subscribers drop them). */
export function eventCalendar(db: DbOrTx, event: AgendaEvent, sessions: readonly AgendaSession[], opts: CalendarOptions): string {
  const t = translatorFor(opts.locale ?? "en", "calendar");
  const feed = newCalendar(t("ics.eventCalendarName", { title: event.title }), {});
  feed.calendar.x([["X-WR-TIMEZONE", displayTimeZone(event.timeZone)]]);
  addSessions(db, feed, event, sessions, opts);
  return feed.calendar.toString();
}

/**
 * The sessions a person starred, across the events they may still see.
 * Null when the person is gone or deactivated, so their feed answers as if it never existed.
 */
export function personalCalendar(db: DbOrTx, userId: number, opts: CalendarOptions): string | null {
  // A feed request carries no session: the person is read fresh, as the policy sees them now.
  const actor = actorFor(db, userId);
  if (!actor || actor.status !== "active") return null;
  const byEvent = new Map<number, AgendaSession[]>();
  for (const s of starredSessionsOf(db, userId)) byEvent.set(s.eventId, [...(byEvent.get(s.eventId) ?? []), s]);
  const visible = byEvent.size
    ? db
        .select()
        .from(events)
        .where(inArray(events.id, [...byEvent.keys()]))
        .orderBy(asc(events.startsOn), asc(events.id))
        .all()
        .filter((e) => can(actor, "event.view", e))
    : [];

  const t = translatorFor(opts.locale ?? "en", "calendar");
  const feed = newCalendar(t("ics.personalCalendarName"), { ttlSeconds: 60 * 60 });
  for (const event of visible) addSessions(db, feed, event, byEvent.get(event.id)!, opts);
  return feed.calendar.toString();
}

const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Replaces the person's feed link with a new one and returns its token. Only a hash is kept,
 * so this is the one moment the token can be shown; the old link stops working at once.
 */
export function regenerateFeedToken(db: Db, actor: Actor, meta: RequestMeta, now = new Date()): string | null {
  if (!can(actor, "account.manage")) return null;
  const userId = actor.id;
  const token = randomBytes(32).toString("base64url");
  const tokenHash = hashSecret(token);
  db.transaction((tx) => {
    const replaced =
      tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).returning({ userId: calendarFeeds.userId }).all().length > 0;
    tx.insert(calendarFeeds).values({ userId, tokenHash, createdAt: now }).run();
    recordAudit(
      tx,
      { actorId: userId, action: "calendar.feed_regenerate", targetType: "user", targetId: userId, detail: { replaced } },
      meta,
      now,
    );
  });
  return token;
}

/** When the person's current feed link was made, or null if they have none. */
export function feedCreatedAt(db: DbOrTx, userId: number): Date | null {
  return (
    db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId)).get()?.createdAt ?? null
  );
}

export function hasFeed(db: DbOrTx, userId: number): boolean {
  return feedCreatedAt(db, userId) !== null;
}

/** Whose feed this token opens, or null for anything that is not a current token. */
export function findFeedUser(db: DbOrTx, token: string): number | null {
  if (!FEED_TOKEN.test(token)) return null;
  return (
    db
      .select({ userId: calendarFeeds.userId })
      .from(calendarFeeds)
      .where(eq(calendarFeeds.tokenHash, hashSecret(token)))
      .get()?.userId ?? null
  );
}

/** A file name from the event's title: "annual-multi-stakeholder-forum-2026.ics". */
export function calendarFileName(event: Pick<AgendaEvent, "id" | "title">): string {
  const slug = event.title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${slug || `event-${event.id}`}.ics`;
}
