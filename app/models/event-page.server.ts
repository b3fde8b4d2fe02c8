/**
 * The agenda page's server side: what it shows of an event (filtered here, so the page receives only
 * the sessions it lists), and its forms' intents: registering, stars and places.
 */
import { data } from "@remix-run/node";
import type { Db } from "../../db/client";
import { matchesAgendaFilter, readAgendaFilter } from "../utils/agenda-filter";
import { can, type Actor } from "../utils/policy";
import { daysBetween, utcToZoned } from "../utils/zoned-time";
import type { AgendaSessionView } from "../realtime/protocol";
import { sendSessions } from "../utils/agenda-data";
import { listRooms, listSessions, sessionView, type AgendaEvent, type TimetableSession } from "./agenda.server";
import type { RequestMeta } from "./audit.server";
import { editableTracks } from "./events.server";
import { listPillars } from "./forum.server";
import {
  myEventRegistration,
  mySessionPlaces,
  placeAccess,
  registerForEvent,
  releasePlace,
  sessionPlaceCounts,
  takePlace,
  withdrawFromEvent,
} from "./registrations.server";
import { clashesAmong, setStars, starredSessionIds } from "./stars.server";

type DaySession = TimetableSession & { day: string };
interface KeptAgenda {
  version: number;
  timeZone: string;
  /** Every session with its day in the event's zone, and what the page is sent of each (same order). */
  sessions: readonly DaySession[];
  views: readonly AgendaSessionView[];
  /** The event's rooms in their order (a change to them bumps the version too). */
  rooms: readonly { id: number; name: string }[];
}

/** Agendas kept per database (tests open many) and event; a few dozen events at most are read at any time. */
const kept = new WeakMap<Db, Map<number, KeptAgenda>>();
const KEPT_EVENTS = 64;

/**
 * An event's sessions as the agenda shows them, worked out once per agenda version: the database bumps the version
 * on every change to them (decision 042), so a kept copy is used only while it is still the stored one. The event's
 * row, version included, is read before the sessions, so a copy is never older than the version it is kept under.
 * Kept objects are shared between requests: never change them.
 */
function agendaOf(db: Db, event: AgendaEvent): KeptAgenda {
  let perEvent = kept.get(db);
  if (!perEvent) kept.set(db, (perEvent = new Map()));
  const known = perEvent.get(event.id);
  if (known && known.version === event.agendaVersion && known.timeZone === event.timeZone) return known;
  const sessions = listSessions(db, event.id).map((s) => ({ ...s, day: utcToZoned(s.startsAt, event.timeZone).date }));
  const rooms = listRooms(db, event.id).map((r) => ({ id: r.id, name: r.name }));
  const agenda = { version: event.agendaVersion, timeZone: event.timeZone, sessions, views: sessions.map(sessionView), rooms };
  perEvent.delete(event.id);
  perEvent.set(event.id, agenda);
  if (perEvent.size > KEPT_EVENTS) perEvent.delete(perEvent.keys().next().value!);
  return agenda;
}

/** The agenda page of an event for this reader (null: signed out), filtered by the page's query string. */
export function agendaPageData(db: Db, user: Actor | null, event: AgendaEvent, query: URLSearchParams) {
  const { sessions: all, views, rooms } = agendaOf(db, event);
  const starred = user ? starredSessionIds(db, user.id, event.id) : [];
  const days = daysBetween(event.startsOn, event.endsOn);

  const requestedDay = query.get("day");
  const day = requestedDay && days.includes(requestedDay) ? requestedDay : (days.find((d) => all.some((s) => s.day === d)) ?? days[0]!);
  const filter = readAgendaFilter(query, day);
  const shown = views.filter((_, i) => matchesAgendaFilter(all[i]!, filter, starred));
  const registration = user ? myEventRegistration(db, user.id, event.id) : null;
  const clashWith: Record<number, string[]> = {};
  for (const [a, b] of clashesAmong(all, starred)) {
    const title = (id: number) => all.find((s) => s.id === id)!.title;
    (clashWith[a] ??= []).push(title(b));
    (clashWith[b] ??= []).push(title(a));
  }
  // "Now" and "next" as of this request; every live change or navigation brings them up to date.
  const now = Date.now();
  const scheduled = all.filter((s) => s.status === "scheduled");
  return {
    event: {
      id: event.id,
      title: event.title,
      kind: event.kind,
      startsOn: event.startsOn,
      endsOn: event.endsOn,
      timeZone: event.timeZone,
      venue: event.venue,
      onlineUrl: event.onlineUrl,
      description: event.description,
      status: event.status,
      registrationRequiresApproval: event.registrationRequiresApproval,
    },
    days,
    day,
    hasSessions: all.length > 0,
    rooms,
    pillars: listPillars(db).map((p) => ({ id: p.id, slug: p.slug })),
    // Only what the page shows, each room and speaker named once; a description is fetched when someone opens it.
    ...sendSessions(shown),
    starred,
    clashWith,
    onNow: scheduled.filter((s) => s.startsAt.getTime() <= now && now < s.endsAt.getTime()).map((s) => s.title),
    next: scheduled
      .filter((s) => s.startsAt.getTime() > now)
      .slice(0, 3)
      .map((s) => s.title),
    signedIn: !!user,
    canEdit: !!user && editableTracks(db, user, event.id).length > 0,
    canManage: can(user, "event.manage"),
    registration,
    /** Whether the reader may take places, and what taking one does (null: signed out). */
    placeAccess: user ? placeAccess(user, event, registration) : null,
    places: sessionPlaceCounts(db, event.id),
    myPlaces: user ? mySessionPlaces(db, user.id, event.id) : {},
  };
}

export interface AgendaPageActionData {
  ok: boolean;
  error: string | null;
  /** After taking a place: which, and whether that also registered the person for the event. */
  place?: "confirmed" | "waitlisted";
  registered?: boolean;
}

const done = { ok: true, error: null } satisfies AgendaPageActionData;
const refused = (error: string, status: number) => data<AgendaPageActionData>({ ok: false, error }, { status });

/** The agenda page's intents: register or withdraw for the event; star, take or release a session's place. */
export function agendaPageAction(db: Db, user: Actor, event: AgendaEvent, form: FormData, meta: RequestMeta) {
  const intent = form.get("intent");
  if (intent === "register") {
    const result = registerForEvent(db, user, event, meta);
    return result.ok ? done : refused(result.error, 404);
  }
  if (intent === "withdraw") {
    const result = withdrawFromEvent(db, user, event, meta);
    return result.ok ? done : refused(result.error, 404);
  }
  // A break or plenary set in every room is one card: its star carries every copy's id. A star button of the
  // agenda's one star form (no scripts) names them with the new state: "12,13:1".
  const star = intent === "star" ? /^(\d+(?:,\d+)*):([01])$/.exec(String(form.get("star") ?? "")) : null;
  // A place button of the agenda's one places form (no scripts) names its session and what to do: "15:take".
  const place = intent === "place" ? /^(\d+):(take|release)$/.exec(String(form.get("place") ?? "")) : null;
  if (intent === "place" && !place) return refused("errors.invalidValue", 400);
  const sessionIds = star ? star[1]!.split(",").map(Number) : place ? [Number(place[1])] : form.getAll("sessionId").map(Number);
  const starring = star ? star[2] === "1" : form.get("starred") === "1";
  const sessionId = sessionIds[0]!;
  if (sessionIds.length === 0 || sessionIds.some((id) => !Number.isInteger(id) || id <= 0)) return refused("errors.invalidValue", 400);
  switch (place ? place[2] : intent) {
    case "star":
      return setStars(db, user, event, sessionIds, starring) === null ? refused("errors.notFound", 404) : done;
    case "take": {
      const result = takePlace(db, user, event, sessionId, meta);
      if (!result.ok) return refused(result.error, result.error === "errors.observerNoPlace" ? 403 : 409);
      return { ...done, place: result.place, registered: result.registered } satisfies AgendaPageActionData;
    }
    case "release": {
      const result = releasePlace(db, user, event, sessionId, meta);
      return result.ok ? done : refused(result.error, 404);
    }
    default:
      return refused("errors.invalidValue", 400);
  }
}
