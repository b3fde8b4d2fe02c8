import { dateFormatter } from "./format";
import { memo } from "./memo";
import { offsetAt, transitionsBetween } from "./time-zones";

/** What a wall-clock date and time in a zone means (see docs/decisions/037-time-zone-rules-and-names.md). */
export type LocalTime =
  /** The instant it names; `repeated` when the clocks go back and it happens twice (this is the first time). */
  | { ok: true; instant: Date; repeated: boolean }
  /** No such time: the clocks jump over it, from `from` to `to` (wall-clock HH:MM of that date). */
  | { ok: false; skipped: { from: string; to: string } };

const HOUR = 3_600_000;

interface Resolved {
  /** The instants that show this wall-clock time, in order (none, one, or two when the clocks go back). */
  instants: number[];
  /** The offset change the wall-clock time falls in, when it is skipped. */
  jump: { at: number; from: number; to: number } | null;
  local: number;
}

function resolve(date: string, time: string, timeZone: string): Resolved {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  const wall = new Date(0);
  wall.setUTCFullYear(y, m - 1, d);
  wall.setUTCHours(hh, mm, 0, 0);
  const local = wall.getTime();
  // Every offset in force within 30 hours of the wall time (offsets stay within ±14 h): the instant is the
  // wall time minus one of them, if that instant does have that offset.
  const changes = transitionsBetween(timeZone, local - 30 * HOUR, local + 30 * HOUR);
  const offsets = new Set([offsetAt(local - 30 * HOUR, timeZone), ...changes.map((c) => c.to)]);
  const instants = [...offsets]
    .map((offset) => local - offset)
    .filter((instant) => offsetAt(instant, timeZone) === local - instant)
    .sort((a, b) => a - b);
  const jump = instants.length ? null : (changes.find((c) => c.to > c.from && local >= c.at + c.from && local < c.at + c.to) ?? null);
  return { instants, jump, local };
}

/** HH:MM of a wall-clock time held as milliseconds since the epoch, read as UTC. */
const clock = (wall: number) => new Date(wall).toISOString().slice(11, 16);

/**
 * The instant of a wall-clock date (YYYY-MM-DD) and time (HH:MM) in an IANA zone. A time that happens
 * twice, when the clocks go back, is its first occurrence (RFC 5545 §3.3.5); a time the clocks jump
 * over, when they go forward, is refused with the jump it falls in.
 */
export function resolveLocalTime(date: string, time: string, timeZone: string): LocalTime {
  const { instants, jump } = resolve(date, time, timeZone);
  if (instants.length) return { ok: true, instant: new Date(instants[0]!), repeated: instants.length > 1 };
  return { ok: false, skipped: jump ? { from: clock(jump.at + jump.from), to: clock(jump.at + jump.to) } : { from: time, to: time } };
}

/**
 * The UTC instant of a wall-clock date and time in an IANA zone, for callers that must have one (a day's
 * bounds, a copied session): a repeated time is its first occurrence; a skipped time is read with the
 * offset before the jump, so it moves forward by the jump's length, as calendars do. Forms refuse
 * skipped times instead (`resolveLocalTime`).
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date {
  const { instants, jump, local } = resolve(date, time, timeZone);
  if (instants.length) return new Date(instants[0]!);
  return new Date(local - (jump ? jump.from : offsetAt(local, timeZone)));
}

/** The wall-clock date (YYYY-MM-DD) and time (HH:MM) of an instant in an IANA zone. */
export function utcToZoned(instant: Date, timeZone: string): { date: string; time: string } {
  // An agenda asks this of every session on every request; zones change their offset on whole minutes.
  return { ...zonedMinutes(`${timeZone}|${Math.floor(instant.getTime() / 60_000)}`, () => zonedParts(instant, timeZone)) };
}
const zonedMinutes = memo<{ date: string; time: string }>(20_000);

function zonedParts(instant: Date, timeZone: string): { date: string; time: string } {
  const parts = dateFormatter("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "00";
  return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}` };
}

/** Every calendar date from start to end inclusive (YYYY-MM-DD). */
export function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`) && out.length < 60; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}
