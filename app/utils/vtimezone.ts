/**
 * VTIMEZONE blocks (RFC 5545 §3.6.5) built from the time-zone rules this process runs on, so a calendar
 * file carries the same offsets as every time Convene shows. See docs/decisions/037-time-zone-rules-and-names.md.
 */
import { dateFormatter } from "./format";
import { formatOffset, offsetAt, transitionsBetween } from "./time-zones";

/** The UTC instants (ms) a calendar's VTIMEZONE must describe. */
export interface ZoneSpan {
  from: number;
  to: number;
}

const DAY = 86_400_000;
const YEAR = 365 * DAY;

/**
 * The span a calendar's zones should cover: from a year before its first session to three years after
 * its last one (or after today, whichever is later), in whole UTC days.
 */
export function spanOf(instants: readonly Date[], now = new Date()): ZoneSpan {
  const times = instants.map((d) => d.getTime());
  const first = Math.min(now.getTime(), ...times);
  const last = Math.max(now.getTime(), ...times);
  return { from: Math.floor((first - YEAR) / DAY) * DAY, to: Math.ceil((last + 3 * YEAR) / DAY) * DAY };
}

/** Daylight saving is the higher of a year's two offsets, where January's and July's differ. */
function isDaylight(instant: number, offset: number, timeZone: string): boolean {
  const year = new Date(instant + offset).getUTCFullYear();
  const january = offsetAt(Date.UTC(year, 0, 1), timeZone);
  const july = offsetAt(Date.UTC(year, 6, 1), timeZone);
  return january !== july && offset === Math.max(january, july);
}

const NUMERIC_NAME = /^(GMT|UTC)[+\-\u2212]/;

/** The zone's abbreviation at an instant ("CEST", "EST"), or its offset as tzdata writes it ("-03", "+0530"). */
function abbreviation(instant: number, offset: number, timeZone: string): string {
  for (const locale of ["en-US", "en-GB"]) {
    const name = dateFormatter(locale, { timeZone, timeZoneName: "short" })
      .formatToParts(new Date(instant))
      .find((p) => p.type === "timeZoneName")?.value;
    if (name && !NUMERIC_NAME.test(name)) return name;
  }
  const numeric = formatOffset(offset);
  return numeric.endsWith("00") && numeric.length === 5 ? numeric.slice(0, 3) : numeric;
}

/** A local date-time as iCalendar writes it without a zone: 20270328T020000. */
function localStamp(instant: number, offset: number): string {
  return new Date(instant + offset)
    .toISOString()
    .replace(/\.\d{3}Z$/, "")
    .replace(/[-:]/g, "");
}

interface Observance {
  kind: "STANDARD" | "DAYLIGHT";
  from: number;
  to: number;
  name: string;
  /** Local onsets, in the offset in force before each. */
  onsets: string[];
}

/**
 * The VTIMEZONE of an IANA zone over a span: one observance for the offset in force at its start, then
 * the zone's every offset change within it, observances of the same kind, offsets and name sharing one
 * sub-component with RDATEs. A zone without changes gets one STANDARD.
 */
export function vtimezone(timeZone: string, span: ZoneSpan): string {
  const start = offsetAt(span.from, timeZone);
  const observances = new Map<string, Observance>();
  const add = (instant: number, from: number, to: number) => {
    const kind = isDaylight(instant, to, timeZone) ? "DAYLIGHT" : "STANDARD";
    const name = abbreviation(instant, to, timeZone);
    const key = `${kind}|${from}|${to}|${name}`;
    const onset = localStamp(instant, from);
    const existing = observances.get(key);
    if (existing) existing.onsets.push(onset);
    else observances.set(key, { kind, from, to, name, onsets: [onset] });
  };
  add(span.from, start, start);
  for (const t of transitionsBetween(timeZone, span.from, span.to)) add(t.at, t.from, t.to);

  const lines = ["BEGIN:VTIMEZONE", `TZID:${timeZone}`, `X-LIC-LOCATION:${timeZone}`];
  for (const o of observances.values()) {
    lines.push(
      `BEGIN:${o.kind}`,
      `DTSTART:${o.onsets[0]}`,
      ...o.onsets.slice(1).map((onset) => `RDATE:${onset}`),
      `TZOFFSETFROM:${formatOffset(o.from)}`,
      `TZOFFSETTO:${formatOffset(o.to)}`,
      `TZNAME:${o.name}`,
      `END:${o.kind}`,
    );
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n") + "\r\n";
}
