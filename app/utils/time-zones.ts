/**
 * Time-zone names and rules, read from the Intl data the server (or browser) runs on.
 * See docs/decisions/037-time-zone-rules-and-names.md.
 */
import { memo } from "./memo";

/**
 * Old spellings that JavaScript engines still report as canonical (CLDR keeps them for stability),
 * and the current IANA name of each. Intl accepts both spellings for the same rules; people should
 * only be offered, and only find stored, the current one.
 */
export const TIME_ZONE_ALIASES: Readonly<Record<string, string>> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

/**
 * The current IANA name of a zone given by any name Intl knows (an old spelling, a link such as
 * `US/Eastern`, any letter case), or null when Intl does not know it.
 */
export function canonicalTimeZone(name: string): string | null {
  // Asked on every request (the reader's zone, the event's): building a formatter costs far more than the lookup.
  return canonicalNames(name, () => resolveTimeZone(name));
}
const canonicalNames = memo<string | null>(2_000);

function resolveTimeZone(name: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return TIME_ZONE_ALIASES[resolved] ?? resolved;
}

/** A stored zone as it should be shown and used: its current name (an unknown one is left as it is). */
export function displayTimeZone(name: string): string {
  return canonicalTimeZone(name) ?? name;
}

let offered: string[] | null = null;

/** The zones people may choose, by their current IANA names, sorted; and UTC, which engines leave out of the list. */
export function offeredTimeZones(): string[] {
  offered ??= [...new Set([...Intl.supportedValuesOf("timeZone").map((z) => TIME_ZONE_ALIASES[z] ?? z), "UTC"])].sort();
  return offered;
}

const LOCAL = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(instant: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
    if (offsetFormatters.size > 500) offsetFormatters.clear();
    offsetFormatters.set(timeZone, f);
  }
  const t = Math.floor(instant / 1000) * 1000;
  // "3/29/2026, 02:00:00": format() is several times faster than formatToParts(), and offsets are read often.
  const m = LOCAL.exec(f.format(t));
  if (!m) throw new RangeError(`Unreadable local time in ${timeZone}`);
  const local = new Date(0);
  local.setUTCFullYear(Number(m[3]), Number(m[1]) - 1, Number(m[2]));
  local.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return local.getTime() - t;
}

/** A change of a zone's UTC offset: from `at` (a UTC instant, in ms) the offset is `to` instead of `from`. */
export interface ZoneTransition {
  at: number;
  from: number;
  to: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Offsets are sampled this far apart: no rule changes a zone's offset and back within a week (the test checks every zone). */
const STEP = 7 * DAY;

/** The first instant (to the second) in (lo, hi] at which the offset differs from `before`. */
function firstChange(timeZone: string, lo: number, hi: number, before: number): number {
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

const transitionCache = new Map<string, ZoneTransition[]>();

/** Every change of the zone's offset from `from` to `to` (UTC instants, in ms), in order. */
export function transitionsBetween(timeZone: string, from: number, to: number): ZoneTransition[] {
  const key = `${timeZone}|${from}|${to}`;
  const cached = transitionCache.get(key);
  if (cached) return cached;
  const out: ZoneTransition[] = [];
  let t = from;
  let offset = offsetAt(t, timeZone);
  while (t < to) {
    const next = Math.min(t + STEP, to);
    const nextOffset = offsetAt(next, timeZone);
    if (nextOffset !== offset) {
      const at = firstChange(timeZone, t, next, offset);
      const after = offsetAt(at, timeZone);
      out.push({ at, from: offset, to: after });
      // A second change between `at` and `next` (none known) would be found from here on.
      t = at;
      offset = after;
      continue;
    }
    t = next;
  }
  if (transitionCache.size > 200) transitionCache.clear();
  transitionCache.set(key, out);
  return out;
}

/** An offset as ISO 8601 basic format, as iCalendar writes it: +0530, -0300, +005328 (with seconds when there are any). */
export function formatOffset(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const total = Math.round(Math.abs(offset) / 1000);
  const hh = String(Math.floor(total / 3600)).padStart(2, "0");
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const ss = total % 60 ? String(total % 60).padStart(2, "0") : "";
  return `${sign}${hh}${mm}${ss}`;
}
