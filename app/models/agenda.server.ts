import { and, asc, eq, inArray, lt, gt, ne, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, events, organisations, pillars, rooms, sessionSpeakers, trackLeads, users } from "../../db/schema";
import type { AttributionRule, SessionKind } from "../domain/vocabulary";
import { zonedToUtc } from "../utils/zoned-time";
import type { AgendaChange, AgendaChangeKind, AgendaSessionView } from "../realtime/protocol";
import { recordAudit, type RequestMeta } from "./audit.server";

export type AgendaEvent = typeof events.$inferSelect;
export type AgendaSession = typeof agendaSessions.$inferSelect;

export function getEvent(db: DbOrTx, id: number): AgendaEvent | null {
  return db.select().from(events).where(eq(events.id, id)).get() ?? null;
}

export function listRooms(db: DbOrTx, eventId: number) {
  return db.select().from(rooms).where(eq(rooms.eventId, eventId)).orderBy(asc(rooms.position), asc(rooms.id)).all();
}

export function trackLeadIds(db: DbOrTx, eventId: number, pillarId: number | null): number[] {
  if (pillarId === null) return [];
  return db
    .select({ userId: trackLeads.userId })
    .from(trackLeads)
    .where(and(eq(trackLeads.eventId, eventId), eq(trackLeads.pillarId, pillarId)))
    .all()
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
    ? db
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
        .leftJoin(organisations, eq(organisations.id, users.organisationId))
        .where(inArray(sessionSpeakers.sessionId, ids))
        .orderBy(asc(sessionSpeakers.position))
        .all()
    : [];
  const speakers = new Map<number, Speaker[]>();
  for (const s of speakerRows) {
    const list = speakers.get(s.sessionId) ?? [];
    list.push({ userId: s.userId, name: s.userName ?? s.guestName ?? "", organisation: s.orgName ?? s.guestOrganisation ?? null });
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
  | { kind: "outside_event" };

/** What would clash if a session occupied this slot: the same room, a speaker elsewhere, or outside the event's days. */
export function findConflicts(
  db: DbOrTx,
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
  if (slot.roomId !== null) {
    for (const s of db
      .select({ id: agendaSessions.id, title: agendaSessions.title })
      .from(agendaSessions)
      .where(and(overlapping, eq(agendaSessions.roomId, slot.roomId)))
      .all()) {
      conflicts.push({ kind: "room", sessionId: s.id, title: s.title });
    }
  }
  if (slot.speakerIds.length) {
    for (const s of db
      .select({ id: agendaSessions.id, title: agendaSessions.title, speaker: users.name })
      .from(sessionSpeakers)
      .innerJoin(agendaSessions, eq(agendaSessions.id, sessionSpeakers.sessionId))
      .innerJoin(users, eq(users.id, sessionSpeakers.userId))
      .where(and(overlapping, inArray(sessionSpeakers.userId, slot.speakerIds)))
      .all()) {
      conflicts.push({ kind: "speaker", sessionId: s.id, title: s.title, speaker: s.speaker });
    }
  }
  return conflicts;
}

export type SaveSessionResult =
  | { ok: true; sessionId: number; change: AgendaChange }
  | { ok: false; reason: "conflicts"; conflicts: Conflict[] }
  | { ok: false; reason: "invalid"; field: string; error: string };

function changeOf(db: DbOrTx, session: AgendaSession, change: AgendaChangeKind): AgendaChange {
  const view = sessionView(listSessions(db, session.eventId, session.id)[0]!);
  return {
    session: view,
    eventId: session.eventId,
    sessionId: session.id,
    change,
    title: session.title,
    kind: session.kind,
    startsAt: session.startsAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
    roomName: view.roomName,
  };
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

/**
 * Creates or updates a session in one transaction with its speakers and audit entry.
 * Conflicts are refused unless the editor has seen them and confirmed (`acceptConflicts`).
 */
export function saveSession(
  db: Db,
  actorId: number,
  event: AgendaEvent,
  sessionId: number | null,
  input: SessionInput,
  opts: { acceptConflicts: boolean; keepSpeakers?: boolean },
  meta: RequestMeta,
): SaveSessionResult {
  const slot = slotOf(event, input);
  if (!slot) return { ok: false, reason: "invalid", field: "endTime", error: "errors.endBeforeStart" };
  const { startsAt, endsAt } = slot;
  return db.transaction((tx) => {
    if (
      input.roomId !== null &&
      !tx
        .select({ id: rooms.id })
        .from(rooms)
        .where(and(eq(rooms.id, input.roomId), eq(rooms.eventId, event.id)))
        .get()
    ) {
      return { ok: false as const, reason: "invalid" as const, field: "roomId", error: "errors.invalidChoice" };
    }
    const before = sessionId
      ? tx
          .select()
          .from(agendaSessions)
          .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, event.id)))
          .get()
      : undefined;
    if (sessionId && !before) return { ok: false as const, reason: "invalid" as const, field: "form", error: "errors.notFound" };
    const conflicts = findConflicts(tx, event, {
      sessionId: sessionId ?? undefined,
      roomId: input.roomId,
      startsAt,
      endsAt,
      speakerIds: input.speakerIds,
    });
    if (conflicts.length && !opts.acceptConflicts) return { ok: false as const, reason: "conflicts" as const, conflicts };

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

    const moved =
      before &&
      (before.startsAt.getTime() !== startsAt.getTime() || before.roomId !== input.roomId || before.endsAt.getTime() !== endsAt.getTime());
    const change: AgendaChangeKind = !before ? "created" : moved ? "moved" : "updated";
    recordAudit(
      tx,
      {
        actorId,
        action: `agenda.session_${change}`,
        targetType: "session",
        targetId: saved.id,
        detail: {
          eventId: event.id,
          title: saved.title,
          startsAt: startsAt.toISOString(),
          roomId: input.roomId,
          conflictsAccepted: conflicts.length,
        },
      },
      meta,
    );
    return { ok: true as const, sessionId: saved.id, change: changeOf(tx, saved, change) };
  });
}

export function setSessionStatus(
  db: Db,
  actorId: number,
  eventId: number,
  sessionId: number,
  status: "scheduled" | "cancelled",
  meta: RequestMeta,
): AgendaChange | null {
  return db.transaction((tx) => {
    const before = tx
      .select()
      .from(agendaSessions)
      .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
      .get();
    if (!before || before.status === status) return null;
    const saved = tx
      .update(agendaSessions)
      .set({ status, sequence: before.sequence + 1, updatedAt: new Date() })
      .where(eq(agendaSessions.id, sessionId))
      .returning()
      .get()!;
    const change: AgendaChangeKind = status === "cancelled" ? "cancelled" : "restored";
    recordAudit(
      tx,
      { actorId, action: `agenda.session_${change}`, targetType: "session", targetId: sessionId, detail: { eventId, title: saved.title } },
      meta,
    );
    return changeOf(tx, saved, change);
  });
}

export function getSession(db: DbOrTx, eventId: number, sessionId: number) {
  return (
    db
      .select()
      .from(agendaSessions)
      .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
      .get() ?? null
  );
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
  return db
    .select({ userId: sessionSpeakers.userId })
    .from(sessionSpeakers)
    .where(eq(sessionSpeakers.sessionId, sessionId))
    .all()
    .flatMap((r) => (r.userId === null ? [] : [r.userId]));
}
