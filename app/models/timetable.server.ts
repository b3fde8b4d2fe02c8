/**
 * The timetable editor's server side: what its page shows, and its form's intents turned into calls
 * of the agenda model (which checks who may edit what, and announces every change).
 */
import { data } from "@remix-run/node";
import type { Db } from "../../db/client";
import { forbidden, notFound } from "../utils/auth.server";
import { keptValues, parseForm } from "../utils/forms.server";
import { can, type Actor } from "../utils/policy";
import { SessionFormSchema } from "../utils/validation";
import { daysBetween, utcToZoned } from "../utils/zoned-time";
import {
  getSession,
  listRooms,
  listSessions,
  moveSession,
  saveSession,
  sessionGuestLines,
  sessionSpeakerIds,
  setSessionStatus,
  type AgendaEvent,
  type AgendaWriteResult,
  type Conflict,
} from "./agenda.server";
import type { RequestMeta } from "./audit.server";
import { listPillars } from "./forum.server";
import { listPeople } from "./people.server";

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

/** The editor's page: the event's days, rooms and sessions, and the tracks (`tracks`: pillar ids) this person edits. */
export function timetableEditorData(db: Db, actor: Actor, event: AgendaEvent, tracks: readonly number[], selectedParam: string | null) {
  const selectedId = Number(selectedParam);
  const selected = Number.isInteger(selectedId) && selectedId > 0 ? formValuesOf(db, event, selectedId) : null;
  // Sessions outside every track are the secretariat's: whoever may edit a track nobody leads.
  const allowNoTrack = can(actor, "agenda.edit", { trackLeadIds: [] });
  return {
    event: { id: event.id, title: event.title, timeZone: event.timeZone },
    days: daysBetween(event.startsOn, event.endsOn),
    rooms: listRooms(db, event.id).map((r) => ({ id: r.id, name: r.name })),
    pillars: listPillars(db)
      .filter((p) => tracks.includes(p.id))
      .map((p) => ({ id: p.id, slug: p.slug })),
    allowNoTrack,
    people: listPeople(db)
      .filter((p) => p.status === "active")
      .map((p) => ({ id: p.id, name: p.name, organisation: p.organisationName })),
    sessions: listSessions(db, event.id).map((s) => {
      const start = utcToZoned(s.startsAt, event.timeZone);
      const end = utcToZoned(s.endsAt, event.timeZone);
      return {
        id: s.id,
        title: s.title,
        kind: s.kind,
        status: s.status,
        roomId: s.roomId,
        pillarId: s.pillarId,
        date: start.date,
        start: start.time,
        end: end.time,
        editable: s.pillarId === null ? allowNoTrack : tracks.includes(s.pillarId),
      };
    }),
    selected,
  };
}

/** Where a session was before a move: what "Undo" posts back through the same move. */
export type MovedFrom = { sessionId: string; roomId: string; date: string; startTime: string; endTime: string };

/**
 * What the editor's form and grid are answered. `at` tells one success from the next (the new-session
 * form starts clean after each); a move carries where the session went and where it was, for its Undo.
 */
export type TimetableActionData =
  | { ok: true; message: string; intent: string; at: number; moved?: { title: string; date: string; start: string; from: MovedFrom } }
  | { ok: false; errors: Record<string, string>; values: Record<string, string>; conflicts?: Conflict[]; intent: string };

function answer(result: AgendaWriteResult, intent: string, values: Record<string, string>, moved?: MovedOutcome) {
  if (result.ok) return data<TimetableActionData>({ ok: true, message: `timetable.saved.${intent}`, intent, at: Date.now(), moved });
  if (result.reason === "forbidden") throw forbidden();
  if (result.reason === "not_found") return notFound();
  if (result.reason === "conflicts")
    return data<TimetableActionData>(
      { ok: false, errors: { form: "timetable.conflictsFound" }, values, conflicts: result.conflicts, intent },
      { status: 409 },
    );
  return data<TimetableActionData>({ ok: false, errors: { [result.field]: result.error }, values, intent }, { status: 400 });
}

function invalidIntent(intent: string) {
  return data<TimetableActionData>({ ok: false, errors: { form: "errors.invalidValue" }, values: {}, intent }, { status: 400 });
}

/** "Save anyway" is the same save, confirmed after the clashes were shown. */
function save(db: Db, actor: Actor, event: AgendaEvent, form: FormData, intent: string, meta: RequestMeta) {
  const parsed = parseForm(form, SessionFormSchema);
  if (!parsed.ok) return data<TimetableActionData>({ ...parsed, intent: "save" }, { status: 400 });
  const { acceptConflicts: confirmed, everyRoom, ...input } = parsed.data;
  const acceptConflicts = confirmed || intent === "saveAnyway";
  const sessionId = Number(form.get("sessionId")) || null;
  return answer(saveSession(db, actor, event, sessionId, input, { acceptConflicts, everyRoom }, meta), "save", keptValues(form));
}

type MovedOutcome = { title: string; date: string; start: string; from: MovedFrom };

/**
 * A session dropped on another slot or room, or resized; or such a move undone (`undo=1`: the same move
 * back to where it was, so its clash checks and live pushes are those of any move).
 */
function move(db: Db, actor: Actor, event: AgendaEvent, form: FormData, sessionId: number, meta: RequestMeta) {
  const slot = SessionFormSchema.pick({ roomId: true, date: true, startTime: true, endTime: true }).safeParse(
    Object.fromEntries(form.entries()),
  );
  if (!slot.success) return invalidIntent("move");
  const acceptConflicts = form.get("acceptConflicts") === "1";
  const undoing = form.get("undo") === "1";
  const before = formValuesOf(db, event, sessionId);
  const result = moveSession(db, actor, event, sessionId, slot.data, { acceptConflicts }, meta);
  const moved: MovedOutcome | undefined =
    before && !undoing
      ? {
          title: before.values.title!,
          date: slot.data.date,
          start: slot.data.startTime,
          from: {
            sessionId: String(sessionId),
            roomId: before.values.roomId!,
            date: before.values.date!,
            startTime: before.values.startTime!,
            endTime: before.values.endTime!,
          },
        }
      : undefined;
  return answer(result, undoing ? "undo" : "move", keptValues(form), moved);
}

/** The editor's form and drag and drop: one intent per submit button (save, saveAnyway, cancel, restore) or drop (move). */
export function timetableAction(db: Db, actor: Actor, event: AgendaEvent, form: FormData, meta: RequestMeta) {
  const intent = String(form.get("intent") ?? "");
  const sessionId = Number(form.get("sessionId")) || null;
  if (intent === "save" || intent === "saveAnyway") return save(db, actor, event, form, intent, meta);
  if (!sessionId) return invalidIntent(intent);
  if (intent === "move") return move(db, actor, event, form, sessionId, meta);
  if (intent === "cancel" || intent === "restore")
    return answer(setSessionStatus(db, actor, event, sessionId, intent === "cancel" ? "cancelled" : "scheduled", meta), intent, {});
  return invalidIntent(intent);
}
