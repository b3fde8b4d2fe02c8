import type { Db } from "../../db/client";
import type { AgendaChange } from "../realtime/protocol";
import { can, type Actor } from "../utils/policy";
import { utcToZoned } from "../utils/zoned-time";
import {
  findConflicts,
  getSession,
  slotOf,
  listRooms,
  saveSession,
  sessionGuestLines,
  sessionSpeakerIds,
  setSessionStatus,
  trackLeadIds,
  type AgendaEvent,
  type Conflict,
  type SessionInput,
} from "./agenda.server";
import type { RequestMeta } from "./audit.server";

export type TimetableResult =
  | { ok: true; changes: AgendaChange[] }
  | { ok: false; reason: "forbidden" }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "conflicts"; conflicts: Conflict[] }
  | { ok: false; reason: "invalid"; field: string; error: string };

function mayEditTrack(db: Db, actor: Actor, eventId: number, pillarId: number | null): boolean {
  return can(actor, "agenda.edit", { trackLeadIds: trackLeadIds(db, eventId, pillarId) });
}

/** Saves a session from the editor's form; a new break or plenary can be added to every room at once. */
export function saveFromForm(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number | null,
  input: SessionInput,
  opts: { acceptConflicts: boolean; everyRoom: boolean },
  meta: RequestMeta,
): TimetableResult {
  if (!mayEditTrack(db, actor, event.id, input.pillarId)) return { ok: false, reason: "forbidden" };
  if (sessionId !== null) {
    const before = getSession(db, event.id, sessionId);
    if (!before) return { ok: false, reason: "not_found" };
    if (!mayEditTrack(db, actor, event.id, before.pillarId)) return { ok: false, reason: "forbidden" };
  }
  const everyRoom = sessionId === null && opts.everyRoom && (input.kind === "break" || input.kind === "plenary");
  const roomIds = everyRoom ? listRooms(db, event.id).map((r) => r.id) : [input.roomId];
  // Check every room first, so "add to every room" is all or nothing.
  if (!opts.acceptConflicts && everyRoom) {
    const slot = slotOf(event, input);
    if (!slot) return { ok: false, reason: "invalid", field: "endTime", error: "errors.endBeforeStart" };
    const conflicts = roomIds.flatMap((roomId) => findConflicts(db, event, { roomId, ...slot, speakerIds: input.speakerIds }));
    if (conflicts.length) return { ok: false, reason: "conflicts", conflicts };
  }
  const changes: AgendaChange[] = [];
  for (const roomId of roomIds) {
    const result = saveSession(
      db,
      actor.id,
      event,
      sessionId,
      { ...input, roomId },
      { acceptConflicts: opts.acceptConflicts || everyRoom },
      meta,
    );
    if (!result.ok) return result;
    changes.push(result.change);
  }
  return { ok: true, changes };
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
): TimetableResult {
  const before = getSession(db, event.id, sessionId);
  if (!before) return { ok: false, reason: "not_found" };
  if (!mayEditTrack(db, actor, event.id, before.pillarId)) return { ok: false, reason: "forbidden" };
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
  const result = saveSession(db, actor.id, event, sessionId, input, { ...opts, keepSpeakers: true }, meta);
  return result.ok ? { ok: true, changes: [result.change] } : result;
}

export function changeStatus(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number,
  status: "scheduled" | "cancelled",
  meta: RequestMeta,
): TimetableResult {
  const before = getSession(db, event.id, sessionId);
  if (!before) return { ok: false, reason: "not_found" };
  if (!mayEditTrack(db, actor, event.id, before.pillarId)) return { ok: false, reason: "forbidden" };
  const change = setSessionStatus(db, actor.id, event.id, sessionId, status, meta);
  return { ok: true, changes: change ? [change] : [] };
}

/** The form's values for an existing session, in the event's own wall-clock time. */
export function formValuesOf(db: Db, event: AgendaEvent, sessionId: number) {
  const s = getSession(db, event.id, sessionId);
  if (!s) return null;
  const start = utcToZoned(s.startsAt, event.timeZone);
  const end = utcToZoned(s.endsAt, event.timeZone);
  return {
    id: s.id,
    status: s.status,
    values: {
      title: s.title,
      kind: s.kind,
      description: s.description,
      roomId: s.roomId ? String(s.roomId) : "",
      pillarId: s.pillarId ? String(s.pillarId) : "",
      date: start.date,
      startTime: start.time,
      endTime: end.time,
      capacity: s.capacity ? String(s.capacity) : "",
      attribution: s.attribution,
      speakerIds: sessionSpeakerIds(db, s.id).join(","),
      guests: sessionGuestLines(db, s.id),
    } as Record<string, string>,
  };
}
