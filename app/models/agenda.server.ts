import { and, asc, eq, inArray, lt, gt, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, events, organisations, pillars, rooms, sessionSpeakers, trackLeads, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { AgendaSessionStatus, AttributionRule, SessionKind } from "../domain/vocabulary";
import { can, type Actor } from "../utils/policy";
import { displayTimeZone } from "../utils/time-zones";
import { skippedTimes } from "../utils/validation";
import { zonedToUtc } from "../utils/zoned-time";
import type { AgendaChange, AgendaChangeKind, AgendaSessionView } from "../realtime/protocol";
import { recordAudit, type RequestMeta } from "./audit.server";
import { ensureBreakout } from "./breakouts.server";
import { announce } from "./domain-events.server";
import { preparedPerDatabase } from "./prepared.server";

export type AgendaEvent = typeof events.$inferSelect;
export type AgendaSession = typeof agendaSessions.$inferSelect;

/**
 * The queries of a timetable write's path (each move, and the change it announces to every open page), prepared
 * once per database: building a query and preparing its SQL took about as long as running it.
 */
const preparedQueries = preparedPerDatabase(prepareQueries);

function prepareQueries(db: DbOrTx) {
  const id = sql.placeholder("id");
  const eventId = sql.placeholder("eventId");
  const sessionId = sql.placeholder("sessionId");
  return {
    event: db.select().from(events).where(eq(events.id, id)).prepare(),
    rooms: db.select().from(rooms).where(eq(rooms.eventId, eventId)).orderBy(asc(rooms.position), asc(rooms.id)).prepare(),
    session: db
      .select()
      .from(agendaSessions)
      .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
      .prepare(),
    speakerIds: db
      .select({ userId: sessionSpeakers.userId })
      .from(sessionSpeakers)
      .where(eq(sessionSpeakers.sessionId, sessionId))
      .prepare(),
    trackLeadIds: db
      .select({ userId: trackLeads.userId })
      .from(trackLeads)
      .where(and(eq(trackLeads.eventId, eventId), eq(trackLeads.pillarId, sql.placeholder("pillarId"))))
      .prepare(),
    /** `listSessions` for one session, in two prepared queries. */
    oneSession: db
      .select({ session: agendaSessions, roomName: rooms.name, pillarSlug: pillars.slug })
      .from(agendaSessions)
      .leftJoin(rooms, eq(rooms.id, agendaSessions.roomId))
      .leftJoin(pillars, eq(pillars.id, agendaSessions.pillarId))
      .where(and(eq(agendaSessions.eventId, eventId), eq(agendaSessions.id, sessionId)))
      .prepare(),
    speakersOfOne: speakerQuery(db).where(eq(sessionSpeakers.sessionId, sessionId)).orderBy(asc(sessionSpeakers.position)).prepare(),
    /** Scheduled sessions in the room that overlap the slot, other than the session itself (`sessionId` 0 for a new one). */
    roomConflicts: db
      .select({ id: agendaSessions.id, title: agendaSessions.title })
      .from(agendaSessions)
      .where(
        and(
          lt(agendaSessions.startsAt, sql.placeholder("endsAt")),
          gt(agendaSessions.endsAt, sql.placeholder("startsAt")),
          eq(agendaSessions.status, "scheduled"),
          ne(agendaSessions.id, sessionId),
          eq(agendaSessions.roomId, sql.placeholder("roomId")),
        ),
      )
      .prepare(),
  };
}

/** The speakers' rows, with their people's names and organisations: a guest's are on the row itself. */
function speakerQuery(db: DbOrTx) {
  return db
    .select({
      sessionId: sessionSpeakers.sessionId,
      userId: sessionSpeakers.userId,
      guestName: sessionSpeakers.guestName,
      guestOrganisation: sessionSpeakers.guestOrganisation,
      userName: users.name,
      orgName: organisations.name,
    })
    .from(sessionSpeakers)
    .leftJoin(users, eq(users.id, sessionSpeakers.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId));
}

/** A speaker as shown: a person's own name and organisation, or a guest's as entered. */
function speakerOf(row: ReturnType<ReturnType<typeof speakerQuery>["all"]>[number]): Speaker {
  return { userId: row.userId, name: row.userName ?? row.guestName ?? "", organisation: row.orgName ?? row.guestOrganisation ?? null };
}

export function getEvent(db: DbOrTx, id: number): AgendaEvent | null {
  const event = preparedQueries(db).event.get({ id });
  // A zone stored by an old name (Asia/Calcutta) is shown and used by its current one (Asia/Kolkata).
  return event ? { ...event, timeZone: displayTimeZone(event.timeZone) } : null;
}

export function listRooms(db: DbOrTx, eventId: number) {
  return preparedQueries(db).rooms.all({ eventId });
}

export function trackLeadIds(db: DbOrTx, eventId: number, pillarId: number | null): number[] {
  if (pillarId === null) return [];
  return preparedQueries(db)
    .trackLeadIds.all({ eventId, pillarId })
    .map((r) => r.userId);
}

export interface Speaker {
  userId: number | null;
  name: string;
  organisation: string | null;
}

/** The whole timetable of an event (or one session of it), with rooms, tracks and speakers, in start order. */
export function listSessions(db: DbOrTx, eventId: number, onlySessionId?: number) {
  const rows = db
    .select({ session: agendaSessions, roomName: rooms.name, pillarSlug: pillars.slug })
    .from(agendaSessions)
    .leftJoin(rooms, eq(rooms.id, agendaSessions.roomId))
    .leftJoin(pillars, eq(pillars.id, agendaSessions.pillarId))
    .where(
      onlySessionId === undefined
        ? eq(agendaSessions.eventId, eventId)
        : and(eq(agendaSessions.eventId, eventId), eq(agendaSessions.id, onlySessionId)),
    )
    .orderBy(asc(agendaSessions.startsAt), asc(rooms.position), asc(agendaSessions.id))
    .all();
  const ids = rows.map((r) => r.session.id);
  const speakerRows = ids.length
    ? speakerQuery(db).where(inArray(sessionSpeakers.sessionId, ids)).orderBy(asc(sessionSpeakers.position)).all()
    : [];
  const speakers = new Map<number, Speaker[]>();
  for (const s of speakerRows) {
    const list = speakers.get(s.sessionId) ?? [];
    list.push(speakerOf(s));
    speakers.set(s.sessionId, list);
  }
  return rows.map((r) => ({ ...r.session, roomName: r.roomName, pillarSlug: r.pillarSlug, speakers: speakers.get(r.session.id) ?? [] }));
}
export type TimetableSession = ReturnType<typeof listSessions>[number];

/** What the agenda page needs of a session, and what a live change carries. */
export function sessionView(s: TimetableSession): AgendaSessionView {
  return {
    id: s.id,
    kind: s.kind,
    title: s.title,
    status: s.status,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    roomId: s.roomId,
    roomName: s.roomName,
    pillarSlug: s.pillarSlug,
    attribution: s.attribution,
    capacity: s.capacity,
    speakers: s.speakers,
    hasDescription: s.description.trim() !== "",
    sequence: s.sequence,
  };
}

export interface SessionInput {
  title: string;
  kind: SessionKind;
  description: string;
  roomId: number | null;
  pillarId: number | null;
  date: string;
  startTime: string;
  endTime: string;
  capacity: number | null;
  attribution: AttributionRule;
  speakerIds: number[];
  guests: { name: string; organisation: string | null }[];
}

export type Conflict =
  | { kind: "room"; sessionId: number; title: string }
  | { kind: "speaker"; sessionId: number; title: string; speaker: string }
  /** The speaker is busy in a session of an event the editor may not see: the clash is told, never its title. */
  | { kind: "speaker_hidden"; speaker: string }
  | { kind: "outside_event" };

/**
 * What would clash if a session occupied this slot: the same room, a speaker elsewhere, or outside the event's days.
 * A speaker may also speak at events this actor may not see (drafts, other stakeholder groups' convenings):
 * such a clash is reported without the other session's title or id.
 */
export function findConflicts(
  db: DbOrTx,
  actor: Actor,
  event: AgendaEvent,
  slot: { sessionId?: number; roomId: number | null; startsAt: Date; endsAt: Date; speakerIds: number[] },
): Conflict[] {
  const conflicts: Conflict[] = [];
  const eventStart = zonedToUtc(event.startsOn, "00:00", event.timeZone);
  const dayAfterEnd = new Date(Date.parse(`${event.endsOn}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const eventEnd = zonedToUtc(dayAfterEnd, "00:00", event.timeZone);
  if (slot.startsAt < eventStart || slot.endsAt > eventEnd) conflicts.push({ kind: "outside_event" });

  const overlapping = and(
    lt(agendaSessions.startsAt, slot.endsAt),
    gt(agendaSessions.endsAt, slot.startsAt),
    eq(agendaSessions.status, "scheduled"),
    slot.sessionId ? ne(agendaSessions.id, slot.sessionId) : sql`1 = 1`,
  );
  // Rooms belong to one event, and writes are refused to anyone who may not see it: a room's clash is always visible.
  if (slot.roomId !== null) {
    // A placeholder's value goes to SQLite as given: the times as the columns store them.
    for (const s of preparedQueries(db).roomConflicts.all({
      startsAt: agendaSessions.endsAt.mapToDriverValue(slot.startsAt),
      endsAt: agendaSessions.startsAt.mapToDriverValue(slot.endsAt),
      sessionId: slot.sessionId ?? 0,
      roomId: slot.roomId,
    })) {
      conflicts.push({ kind: "room", sessionId: s.id, title: s.title });
    }
  }
  if (slot.speakerIds.length) {
    for (const s of db
      .select({
        id: agendaSessions.id,
        title: agendaSessions.title,
        speaker: users.name,
        event: { status: events.status, visibility: events.visibility, invitedGroups: events.invitedGroups },
      })
      .from(sessionSpeakers)
      .innerJoin(agendaSessions, eq(agendaSessions.id, sessionSpeakers.sessionId))
      .innerJoin(events, eq(events.id, agendaSessions.eventId))
      .innerJoin(users, eq(users.id, sessionSpeakers.userId))
      .where(and(overlapping, inArray(sessionSpeakers.userId, slot.speakerIds)))
      .all()) {
      conflicts.push(
        can(actor, "event.view", s.event)
          ? { kind: "speaker", sessionId: s.id, title: s.title, speaker: s.speaker }
          : { kind: "speaker_hidden", speaker: s.speaker },
      );
    }
  }
  return conflicts;
}

/** What a write to the timetable did, or why it did nothing. */
export type AgendaWriteResult =
  | { ok: true; sessionIds: number[]; events: DomainEvent[] }
  | { ok: false; reason: "forbidden" }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "conflicts"; conflicts: Conflict[] }
  | { ok: false; reason: "invalid"; field: string; error: string };

type Refusal = Exclude<AgendaWriteResult, { ok: true }>;
const notFound = { ok: false, reason: "not_found" } as const satisfies Refusal;
const forbidden = { ok: false, reason: "forbidden" } as const satisfies Refusal;

/** One session as `listSessions` gives it (the same row and speakers), from the prepared queries. */
function oneSession(db: DbOrTx, eventId: number, sessionId: number): TimetableSession | null {
  const queries = preparedQueries(db);
  const row = queries.oneSession.get({ eventId, sessionId });
  if (!row) return null;
  const speakers = queries.speakersOfOne.all({ sessionId }).map(speakerOf);
  return { ...row.session, roomName: row.roomName, pillarSlug: row.pillarSlug, speakers };
}

function changeOf(db: DbOrTx, session: AgendaSession, change: AgendaChangeKind): AgendaChange {
  const view = sessionView(oneSession(db, session.eventId, session.id)!);
  return { eventId: session.eventId, sessionId: session.id, change, session: view };
}

/** Announces what a committed write did to the timetable and returns it as the write's result. */
function announced(db: Db, changes: AgendaChange[]): AgendaWriteResult {
  const caused = changes.map((change): DomainEvent => ({ type: "agenda.changed", change }));
  return { ok: true, sessionIds: changes.map((c) => c.sessionId), events: announce(db, caused) };
}

/** The UTC instants of a form's date and times in the event's zone; null when it would end before it starts. */
export function slotOf(
  event: AgendaEvent,
  input: Pick<SessionInput, "date" | "startTime" | "endTime">,
): { startsAt: Date; endsAt: Date } | null {
  const startsAt = zonedToUtc(input.date, input.startTime, event.timeZone);
  const endsAt = zonedToUtc(input.date, input.endTime, event.timeZone);
  return endsAt > startsAt ? { startsAt, endsAt } : null;
}

/** Whether this person may edit sessions of this track (none: `pillarId` null) at this event. */
export function mayEditTrack(db: DbOrTx, actor: Actor, eventId: number, pillarId: number | null): boolean {
  return can(actor, "agenda.edit", { trackLeadIds: trackLeadIds(db, eventId, pillarId) });
}

/** Who may edit this session, checked for the track it is in and the track it is going to. */
function refusalFor(tx: DbOrTx, actor: Actor, event: AgendaEvent, before: AgendaSession | null, pillarId: number | null) {
  if (!mayEditTrack(tx, actor, event.id, pillarId)) return forbidden;
  if (before && before.pillarId !== pillarId && !mayEditTrack(tx, actor, event.id, before.pillarId)) return forbidden;
  return null;
}

/**
 * Creates or updates a session with its speakers and audit entry, and announces the change.
 * Track leads edit their tracks' sessions, the secretariat any. Conflicts are refused unless the editor
 * has seen them and confirmed (`acceptConflicts`). A new break or plenary can go to every room at once
 * (`everyRoom`): all of them or none.
 */
export function saveSession(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number | null,
  input: SessionInput,
  opts: { acceptConflicts: boolean; everyRoom?: boolean; keepSpeakers?: boolean },
  meta: RequestMeta,
): AgendaWriteResult {
  if (!can(actor, "event.view", event)) return notFound;
  const skipped = skippedTimes(event.timeZone, input);
  if (skipped) return { ok: false, reason: "invalid", ...skipped };
  const slot = slotOf(event, input);
  if (!slot) return { ok: false, reason: "invalid", field: "endTime", error: "errors.endBeforeStart" };
  const { startsAt, endsAt } = slot;
  const result = db.transaction((tx): Refusal | AgendaChange[] => {
    const before = sessionId ? getSession(tx, event.id, sessionId) : null;
    if (sessionId && !before) return notFound;
    const refused = refusalFor(tx, actor, event, before, input.pillarId);
    if (refused) return refused;
    if (input.pillarId !== null && !tx.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get())
      return { ok: false, reason: "invalid", field: "pillarId", error: "errors.invalidChoice" };
    const eventRooms = listRooms(tx, event.id);
    if (input.roomId !== null && !eventRooms.some((r) => r.id === input.roomId))
      return { ok: false, reason: "invalid", field: "roomId", error: "errors.invalidChoice" };
    const everyRoom = !before && opts.everyRoom && (input.kind === "break" || input.kind === "plenary") && eventRooms.length > 0;
    const roomIds = everyRoom ? eventRooms.map((r) => r.id) : [input.roomId];

    const conflictsByRoom = roomIds.map((roomId) =>
      findConflicts(tx, actor, event, { sessionId: sessionId ?? undefined, roomId, startsAt, endsAt, speakerIds: input.speakerIds }),
    );
    const conflicts = uniqueConflicts(conflictsByRoom.flat());
    if (conflicts.length && !opts.acceptConflicts) return { ok: false, reason: "conflicts", conflicts };

    return roomIds.map((roomId, i) =>
      writeSession(tx, actor, event, before, { ...input, roomId }, slot, conflictsByRoom[i]!.length, opts, meta),
    );
  });
  return Array.isArray(result) ? announced(db, result) : result;
}

/** The same clash found from several rooms (a speaker's, or the event's days) is told once. */
function uniqueConflicts(conflicts: Conflict[]): Conflict[] {
  const seen = new Set<string>();
  return conflicts.filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function writeSession(
  tx: DbOrTx,
  actor: Actor,
  event: AgendaEvent,
  before: AgendaSession | null,
  input: SessionInput,
  { startsAt, endsAt }: { startsAt: Date; endsAt: Date },
  conflictsAccepted: number,
  opts: { keepSpeakers?: boolean },
  meta: RequestMeta,
): AgendaChange {
  const values = {
    title: input.title,
    kind: input.kind,
    description: input.description,
    roomId: input.roomId,
    pillarId: input.pillarId,
    startsAt,
    endsAt,
    capacity: input.capacity,
    attribution: input.attribution,
    updatedAt: new Date(),
  };
  const saved = before
    ? tx
        .update(agendaSessions)
        .set({ ...values, sequence: before.sequence + 1 })
        .where(eq(agendaSessions.id, before.id))
        .returning()
        .get()!
    : tx
        .insert(agendaSessions)
        .values({ ...values, eventId: event.id })
        .returning()
        .get();
  if (!opts.keepSpeakers) {
    tx.delete(sessionSpeakers).where(eq(sessionSpeakers.sessionId, saved.id)).run();
    const speakerRows = [
      ...input.speakerIds.map((userId) => ({ sessionId: saved.id, userId })),
      ...input.guests.map((g) => ({ sessionId: saved.id, guestName: g.name, guestOrganisation: g.organisation })),
    ].map((r, position) => ({ ...r, position }));
    if (speakerRows.length) tx.insert(sessionSpeakers).values(speakerRows).run();
  }
  // A breakout session gets its rooms (one per pillar) as soon as it is one.
  ensureBreakout(tx, saved.id);

  const moved =
    before &&
    (before.startsAt.getTime() !== startsAt.getTime() || before.roomId !== input.roomId || before.endsAt.getTime() !== endsAt.getTime());
  const change: AgendaChangeKind = !before ? "created" : moved ? "moved" : "updated";
  recordAudit(
    tx,
    {
      actorId: actor.id,
      action: `agenda.session_${change}`,
      targetType: "session",
      targetId: saved.id,
      detail: { eventId: event.id, title: saved.title, startsAt: startsAt.toISOString(), roomId: input.roomId, conflictsAccepted },
    },
    meta,
  );
  return changeOf(tx, saved, change);
}

/** Moves (or resizes) a session by drag and drop, keeping everything else about it. */
export function moveSession(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number,
  slot: { roomId: number | null; date: string; startTime: string; endTime: string },
  opts: { acceptConflicts: boolean },
  meta: RequestMeta,
): AgendaWriteResult {
  if (!can(actor, "event.view", event)) return notFound;
  const before = getSession(db, event.id, sessionId);
  if (!before) return notFound;
  const input: SessionInput = {
    title: before.title,
    kind: before.kind,
    description: before.description,
    roomId: slot.roomId,
    pillarId: before.pillarId,
    date: slot.date,
    startTime: slot.startTime,
    endTime: slot.endTime,
    capacity: before.capacity,
    attribution: before.attribution,
    speakerIds: sessionSpeakerIds(db, sessionId),
    guests: [],
  };
  return saveSession(db, actor, event, sessionId, input, { ...opts, keepSpeakers: true }, meta);
}

/** Cancels a session or puts it back on the agenda; doing what is already done changes and announces nothing. */
export function setSessionStatus(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number,
  status: AgendaSessionStatus,
  meta: RequestMeta,
): AgendaWriteResult {
  if (!can(actor, "event.view", event)) return notFound;
  const result = db.transaction((tx): Refusal | AgendaChange[] => {
    const before = getSession(tx, event.id, sessionId);
    if (!before) return notFound;
    if (!mayEditTrack(tx, actor, event.id, before.pillarId)) return forbidden;
    if (before.status === status) return [];
    const saved = tx
      .update(agendaSessions)
      .set({ status, sequence: before.sequence + 1, updatedAt: new Date() })
      .where(eq(agendaSessions.id, sessionId))
      .returning()
      .get()!;
    const change: AgendaChangeKind = status === "cancelled" ? "cancelled" : "restored";
    recordAudit(
      tx,
      {
        actorId: actor.id,
        action: `agenda.session_${change}`,
        targetType: "session",
        targetId: sessionId,
        detail: { eventId: event.id, title: saved.title },
      },
      meta,
    );
    return [changeOf(tx, saved, change)];
  });
  return Array.isArray(result) ? announced(db, result) : result;
}

/**
 * After rooms of an event were removed, its sessions that were in them lost their room: each is
 * bumped (so calendars and open pages take the new copy) and its change returned, to announce once
 * the caller's transaction has committed.
 */
export function sessionsLeftWithoutRoom(tx: DbOrTx, sessionIds: readonly number[]): AgendaChange[] {
  if (sessionIds.length === 0) return [];
  return tx
    .update(agendaSessions)
    .set({ sequence: sql`${agendaSessions.sequence} + 1`, updatedAt: new Date() })
    .where(inArray(agendaSessions.id, [...sessionIds]))
    .returning()
    .all()
    .map((s) => changeOf(tx, s, "moved"));
}

export function getSession(db: DbOrTx, eventId: number, sessionId: number) {
  return preparedQueries(db).session.get({ eventId, sessionId }) ?? null;
}

/** Guest speakers as the editor's textarea shows them: "name, organisation" per line. */
export function sessionGuestLines(db: DbOrTx, sessionId: number): string {
  return db
    .select({ name: sessionSpeakers.guestName, organisation: sessionSpeakers.guestOrganisation })
    .from(sessionSpeakers)
    .where(and(eq(sessionSpeakers.sessionId, sessionId), sql`${sessionSpeakers.userId} IS NULL`))
    .orderBy(asc(sessionSpeakers.position))
    .all()
    .map((g) => (g.organisation ? `${g.name}, ${g.organisation}` : (g.name ?? "")))
    .join("\n");
}

export function sessionSpeakerIds(db: DbOrTx, sessionId: number): number[] {
  return preparedQueries(db)
    .speakerIds.all({ sessionId })
    .flatMap((r) => (r.userId === null ? [] : [r.userId]));
}
