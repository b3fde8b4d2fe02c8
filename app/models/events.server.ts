import { peopleAsActors } from "./people.server";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, events, eventSeries, pillars, rooms, trackLeads, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { EventStatus, EventVisibility } from "../domain/vocabulary";
import type { AgendaChange } from "../realtime/protocol";
import { can, type Actor } from "../utils/policy";
import { utcToZoned, zonedToUtc } from "../utils/zoned-time";
import { getEvent, sessionsLeftWithoutRoom, type AgendaEvent } from "./agenda.server";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";
import { displayTimeZone } from "../utils/time-zones";
import { preparedPerDatabase } from "./prepared.server";

const forbidden = { ok: false as const, field: "form", error: "errors.forbidden" as const };

/** An event for the secretariat's pages, or the 404 page. */
export function eventOrNotFound(db: DbOrTx, id: string | undefined): AgendaEvent {
  const event = getEvent(db, Number(id));
  if (!event) throw new Response("Not found", { status: 404, statusText: "Not Found" });
  return event;
}

/** Events this person may see, newest first. */
export function listVisibleEvents(db: DbOrTx, actor: Actor) {
  return db
    .select()
    .from(events)
    .orderBy(asc(events.startsOn))
    .all()
    .filter((e) => can(actor, "event.view", e))
    .map((e) => ({ ...e, timeZone: displayTimeZone(e.timeZone) }));
}

/** The event if this person may see it; otherwise null, exactly as if it did not exist. */
export function visibleEvent(db: DbOrTx, actor: Actor | null, eventId: number) {
  const event = Number.isInteger(eventId) && eventId > 0 ? getEvent(db, eventId) : null;
  return event && can(actor, "event.view", event) ? event : null;
}

/** The reads of every agenda page (whether the reader may edit a track): prepared once per database. */
const readQueries = preparedPerDatabase((db) => ({
  trackLeads: db
    .select()
    .from(trackLeads)
    .where(eq(trackLeads.eventId, sql.placeholder("eventId")))
    .prepare(),
  pillarIds: db.select({ id: pillars.id }).from(pillars).prepare(),
}));

/** Tracks (pillars) at an event that this person may edit. */
export function editableTracks(db: DbOrTx, actor: Actor, eventId: number): number[] {
  const leads = listTrackLeads(db, eventId);
  return readQueries(db)
    .pillarIds.all()
    .map((p) => p.id)
    .filter((pillarId) => can(actor, "agenda.edit", { trackLeadIds: leads[pillarId] ?? [] }));
}

export interface EventInput {
  kind: "forum" | "convening";
  seriesId: number | null;
  title: string;
  description: string;
  startsOn: string;
  endsOn: string;
  timeZone: string;
  venue: string | null;
  onlineUrl: string | null;
  visibility: EventVisibility;
  invitedGroups: string[];
  registrationRequiresApproval: boolean;
  rooms: string[];
  /** A new series to create and put this convening in. */
  newSeries?: { name: string; cadence: (typeof eventSeries.$inferInsert)["cadence"] } | null;
}

export type SaveEventResult = { ok: true; eventId: number; events: DomainEvent[] } | { ok: false; field: string; error: string };

function forumYearTaken(db: DbOrTx, year: number, exceptId?: number): boolean {
  const row = db
    .select({ id: events.id })
    .from(events)
    .where(and(eq(events.kind, "forum"), eq(events.year, year)))
    .get();
  return !!row && row.id !== exceptId;
}

/**
 * Keeps rooms that are still named, adds new ones and removes the rest: their sessions lose the room,
 * not their place, and those changes are returned.
 */
function syncRooms(tx: DbOrTx, eventId: number, names: string[]): AgendaChange[] {
  const existing = tx.select().from(rooms).where(eq(rooms.eventId, eventId)).all();
  const wanted = [...new Set(names.map((n) => n.trim()).filter(Boolean))];
  const removed = existing.filter((room) => !wanted.includes(room.name)).map((room) => room.id);
  const homeless = removed.length
    ? tx
        .select({ id: agendaSessions.id })
        .from(agendaSessions)
        .where(inArray(agendaSessions.roomId, removed))
        .all()
        .map((s) => s.id)
    : [];
  if (removed.length) tx.delete(rooms).where(inArray(rooms.id, removed)).run();
  wanted.forEach((name, position) => {
    const room = existing.find((r) => r.name === name);
    if (room) tx.update(rooms).set({ position }).where(eq(rooms.id, room.id)).run();
    else tx.insert(rooms).values({ eventId, name, position }).run();
  });
  return sessionsLeftWithoutRoom(tx, homeless);
}

/** Whether who may see the event changes: its visibility, or the groups invited to it. */
function accessChanged(before: AgendaEvent, after: Pick<AgendaEvent, "visibility" | "invitedGroups">): boolean {
  const groups = (g: readonly string[]) => [...g].sort().join(",");
  return before.visibility !== after.visibility || groups(before.invitedGroups) !== groups(after.invitedGroups);
}

/**
 * Creates an event (as a draft) or updates one: the secretariat's. Announces a change of who may see it,
 * and the sessions that lost a removed room.
 */
export function saveEvent(db: Db, actor: Actor, eventId: number | null, input: EventInput, meta: RequestMeta): SaveEventResult {
  if (!can(actor, "event.manage")) return forbidden;
  const actorId = actor.id;
  const year = Number(input.startsOn.slice(0, 4));
  if (input.endsOn < input.startsOn) return { ok: false, field: "endsOn", error: "errors.endBeforeStart" };
  const result = db.transaction((tx) => {
    const before = eventId === null ? null : getEvent(tx, eventId);
    if (eventId !== null && !before) return { ok: false as const, field: "form", error: "errors.notFound" };
    if (input.kind === "forum" && forumYearTaken(tx, year, eventId ?? undefined))
      return { ok: false as const, field: "startsOn", error: "errors.forumYearTaken" };
    if (input.seriesId !== null && !tx.select({ id: eventSeries.id }).from(eventSeries).where(eq(eventSeries.id, input.seriesId)).get()) {
      return { ok: false as const, field: "seriesId", error: "errors.invalidChoice" };
    }
    const { rooms: roomNames, newSeries, ...fields } = input;
    const seriesId =
      input.kind !== "convening" ? null : newSeries ? createSeries(tx, newSeries.name, newSeries.cadence).id : input.seriesId;
    const values = { ...fields, seriesId, year, invitedGroups: input.visibility === "groups" ? input.invitedGroups : [] };
    const id = before
      ? tx.update(events).set(values).where(eq(events.id, before.id)).returning({ id: events.id }).get()!.id
      : tx
          .insert(events)
          .values({ ...values, status: "draft" })
          .returning({ id: events.id })
          .get().id;
    const agendaChanges = syncRooms(tx, id, roomNames);
    recordAudit(
      tx,
      {
        actorId,
        action: eventId === null ? "event.create" : "event.update",
        targetType: "event",
        targetId: id,
        detail: { title: input.title, kind: input.kind },
      },
      meta,
    );
    const caused: DomainEvent[] = agendaChanges.map((change) => ({ type: "agenda.changed", change }));
    if (before && accessChanged(before, values)) caused.push({ type: "event.accessChanged", eventId: id });
    return { ok: true as const, eventId: id, events: caused };
  });
  return result.ok ? { ...result, events: announce(db, result.events) } : result;
}

export type SetStatusResult =
  | { ok: true; events: DomainEvent[] }
  | { ok: false; error: "errors.forbidden" | "errors.notFound" }
  /** Asked first, and not yet answered: nothing was done (decision 036). */
  | { ok: false; error: "unconfirmed" };

/**
 * Publishes, unpublishes (back to draft) or archives an event: the secretariat's. Who may see it changes with it.
 * Back to draft and archiving take the event away from the people following it, so they are done only once
 * confirmed (`confirmed`); publishing, or asking for the status it already has, needs no confirmation.
 */
export function setEventStatus(
  db: Db,
  actor: Actor,
  eventId: number,
  status: EventStatus,
  meta: RequestMeta,
  opts: { confirmed?: boolean } = {},
): SetStatusResult {
  if (!can(actor, "event.manage")) return { ok: false, error: "errors.forbidden" };
  const actorId = actor.id;
  const result = db.transaction((tx) => {
    const before = getEvent(tx, eventId);
    if (!before) return null;
    if (status !== "published" && before.status !== status && !opts.confirmed) return "unconfirmed" as const;
    tx.update(events).set({ status }).where(eq(events.id, eventId)).run();
    recordAudit(
      tx,
      {
        actorId,
        action: `event.${status === "published" ? "publish" : status === "archived" ? "archive" : "unpublish"}`,
        targetType: "event",
        targetId: eventId,
      },
      meta,
    );
    return { changed: before.status !== status };
  });
  if (!result) return { ok: false, error: "errors.notFound" };
  if (result === "unconfirmed") return { ok: false, error: result };
  return { ok: true, events: announce(db, result.changed ? [{ type: "event.accessChanged", eventId }] : []) };
}

/** Turns the validated event form into the model's input. */
export function eventInputOf(
  form: {
    newSeriesName: string | null;
    newSeriesCadence?: EventInput["newSeries"] extends infer S ? (S extends { cadence: infer C } ? C : never) : never;
  } & Omit<EventInput, "newSeries">,
): EventInput {
  const { newSeriesName, newSeriesCadence, ...rest } = form;
  return { ...rest, newSeries: newSeriesName ? { name: newSeriesName, cadence: newSeriesCadence ?? "quarterly" } : null };
}

export function listSeries(db: DbOrTx) {
  return db.select().from(eventSeries).orderBy(asc(eventSeries.name)).all();
}

export function createSeries(db: DbOrTx, name: string, cadence: (typeof eventSeries.$inferInsert)["cadence"]) {
  return db.insert(eventSeries).values({ name, cadence }).returning().get();
}

const CADENCE_MONTHS = { monthly: 1, quarterly: 3, half_yearly: 6, yearly: 12, ad_hoc: 3 } as const;

function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/**
 * The next convening of a series, as a draft: same rooms, track leads and standing sessions
 * (plenaries and breaks), one cadence later, at the same local times. Made only once confirmed
 * (`confirmed`): a second click would make a second one.
 */
export function createNextInSeries(
  db: Db,
  actor: Actor,
  previousId: number,
  meta: RequestMeta,
  opts: { confirmed?: boolean } = {},
): SaveEventResult {
  if (!can(actor, "event.manage")) return forbidden;
  const actorId = actor.id;
  // A new draft: nobody follows it yet, so there is nothing to announce.
  return db.transaction((tx) => {
    const previous = tx.select().from(events).where(eq(events.id, previousId)).get();
    if (!previous || previous.kind !== "convening" || previous.seriesId === null)
      return { ok: false as const, field: "form", error: "errors.notFound" };
    if (!opts.confirmed) return { ok: false as const, field: "form", error: "unconfirmed" };
    const series = tx.select().from(eventSeries).where(eq(eventSeries.id, previous.seriesId)).get()!;
    const months = CADENCE_MONTHS[series.cadence];
    const startsOn = addMonths(previous.startsOn, months);
    const endsOn = addMonths(previous.endsOn, months);
    const { id: _id, createdAt: _createdAt, ...copy } = previous;
    const next = tx
      .insert(events)
      .values({ ...copy, title: `${series.name}: ${startsOn}`, startsOn, endsOn, year: Number(startsOn.slice(0, 4)), status: "draft" })
      .returning()
      .get();
    const roomMap = new Map<number, number>();
    for (const room of tx.select().from(rooms).where(eq(rooms.eventId, previous.id)).all()) {
      roomMap.set(
        room.id,
        tx.insert(rooms).values({ eventId: next.id, name: room.name, position: room.position }).returning({ id: rooms.id }).get().id,
      );
    }
    for (const lead of tx.select().from(trackLeads).where(eq(trackLeads.eventId, previous.id)).all()) {
      tx.insert(trackLeads)
        .values({ ...lead, eventId: next.id })
        .run();
    }
    const dayShift = (Date.parse(`${startsOn}T00:00:00Z`) - Date.parse(`${previous.startsOn}T00:00:00Z`)) / 86_400_000;
    const standing = tx
      .select()
      .from(agendaSessions)
      .where(
        and(
          eq(agendaSessions.eventId, previous.id),
          inArray(agendaSessions.kind, ["plenary", "break"]),
          eq(agendaSessions.status, "scheduled"),
        ),
      )
      .all();
    for (const s of standing) {
      const start = utcToZoned(s.startsAt, previous.timeZone);
      const end = utcToZoned(s.endsAt, previous.timeZone);
      const shift = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + dayShift * 86_400_000).toISOString().slice(0, 10);
      const { id: _sid, createdAt: _c, updatedAt: _u, ...session } = s;
      tx.insert(agendaSessions)
        .values({
          ...session,
          eventId: next.id,
          roomId: s.roomId === null ? null : (roomMap.get(s.roomId) ?? null),
          startsAt: zonedToUtc(shift(start.date), start.time, previous.timeZone),
          endsAt: zonedToUtc(shift(end.date), end.time, previous.timeZone),
          sequence: 0,
        })
        .run();
    }
    recordAudit(
      tx,
      {
        actorId,
        action: "event.create_next",
        targetType: "event",
        targetId: next.id,
        detail: { from: previous.id, standingSessions: standing.length },
      },
      meta,
    );
    return { ok: true as const, eventId: next.id, events: [] };
  });
}

/** The facilitators leading each track at an event, as pillar id → user ids. */
export function listTrackLeads(db: DbOrTx, eventId: number): Record<number, number[]> {
  const out: Record<number, number[]> = {};
  for (const lead of readQueries(db).trackLeads.all({ eventId })) (out[lead.pillarId] ??= []).push(lead.userId);
  return out;
}

/** The people who may be named to lead a track, by name. */
export function listTrackLeadCandidates(db: DbOrTx): { id: number; name: string }[] {
  return peopleAsActors(db)
    .orderBy(asc(users.name))
    .all()
    .filter((person) => can(person, "agenda.leadTrack"))
    .map(({ id, name }) => ({ id, name }));
}

/**
 * Replaces who leads which track at an event: the secretariat's. Only people who may lead a track are kept.
 * Leads change who edits, not who sees: nothing to announce.
 */
export function setTrackLeads(
  db: Db,
  actor: Actor,
  eventId: number,
  leads: { pillarId: number; userId: number }[],
  meta: RequestMeta,
): { ok: true; events: DomainEvent[] } | { ok: false; error: "errors.forbidden" | "errors.notFound" } {
  if (!can(actor, "event.manage")) return { ok: false, error: "errors.forbidden" };
  const actorId = actor.id;
  return db.transaction((tx) => {
    if (!getEvent(tx, eventId)) return { ok: false as const, error: "errors.notFound" as const };
    const candidates = new Set(listTrackLeadCandidates(tx).map((u) => u.id));
    const pillarIds = new Set(
      tx
        .select({ id: pillars.id })
        .from(pillars)
        .all()
        .map((p) => p.id),
    );
    const valid = leads.filter((l) => candidates.has(l.userId) && pillarIds.has(l.pillarId));
    tx.delete(trackLeads).where(eq(trackLeads.eventId, eventId)).run();
    if (valid.length)
      tx.insert(trackLeads)
        .values(valid.map((l) => ({ ...l, eventId })))
        .run();
    recordAudit(tx, { actorId, action: "event.track_leads", targetType: "event", targetId: eventId, detail: { leads: valid } }, meta);
    return { ok: true as const, events: [] };
  });
}
