/**
 * A session's time as the agenda shows it under one of the event's day tabs, in the viewer's zone: "09:30–10:30"
 * when it falls on the tab's date there, and with its date otherwise ("Sat 3 Apr, 18:30–19:30"), since a viewer far
 * from the event can see a session of "Sun 4 Apr" happen on Saturday. Through Intl only.
 */
import { dateFormatter } from "./format";
import { memo } from "./memo";

// An agenda asks these again and again (a slot's sessions in every room share their times); they are pure.
const dates = memo<string>(20_000);
const times = memo<SessionTime>(20_000);

/**
 * The calendar date (YYYY-MM-DD) of an instant in a zone. Zones change their offset on whole minutes, so every
 * instant of the same minute has the same date: one answer per zone and minute.
 */
export function dateIn(instant: Date, timeZone: string): string {
  return dates(`${timeZone}|${Math.floor(instant.getTime() / 60_000)}`, () => {
    const parts = dateFormatter("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
    return `${part("year")}-${part("month")}-${part("day")}`;
  });
}

/**
 * A short date with the time, written the way `timeStyle: "short"` writes the time alone: a 24-hour locale pads the
 * hour ("07:30", as en-GB's short time does), a 12-hour one does not ("7:30 AM").
 */
function withDate(locale: string, timeZone: string): Intl.DateTimeFormat {
  const cycle = dateFormatter(locale, { hour: "numeric", timeZone: "UTC" }).resolvedOptions().hourCycle;
  const hour = cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";
  return dateFormatter(locale, { weekday: "short", day: "numeric", month: "short", hour, minute: "2-digit", timeZone });
}

export interface SessionTime {
  /** What to show: "09:30–10:30", or with the date where it differs from the tab's. */
  text: string;
  /** The start's date in the viewer's zone differs from the tab's (or the session ends on another day). */
  dated: boolean;
}

/**
 * `tabDate`: the date of the day tab the session is listed under (YYYY-MM-DD, the event's own day). A session
 * ending exactly at midnight ends on its start's day.
 */
export function sessionTime(
  start: Date | string,
  end: Date | string,
  { locale, timeZone, tabDate }: { locale: string; timeZone: string; tabDate: string },
): SessionTime {
  const s = new Date(start);
  const e = new Date(end);
  return times(`${locale}|${timeZone}|${tabDate}|${s.getTime()}|${e.getTime()}`, () => shownTime(s, e, locale, timeZone, tabDate));
}

function shownTime(s: Date, e: Date, locale: string, timeZone: string, tabDate: string): SessionTime {
  const startDate = dateIn(s, timeZone);
  const endDate = dateIn(new Date(Math.max(s.getTime(), e.getTime() - 1)), timeZone);
  if (startDate === tabDate && endDate === startDate) {
    const time = dateFormatter(locale, { timeStyle: "short", timeZone });
    // Ending exactly at midnight: Intl would print both dates for what reads as one evening.
    const text = dateIn(e, timeZone) === startDate ? time.formatRange(s, e) : `${time.format(s)}–${time.format(e)}`;
    return { text, dated: false };
  }
  return { text: withDate(locale, timeZone).formatRange(s, e), dated: true };
}

/**
 * A moment for a live notice ("Panel moved to …"): the time alone when it is today in the viewer's zone, with
 * its date otherwise.
 */
export function noticeTime(
  instant: Date | string,
  { locale, timeZone, now = new Date() }: { locale: string; timeZone: string; now?: Date },
): string {
  const d = new Date(instant);
  return dateIn(d, timeZone) === dateIn(now, timeZone)
    ? dateFormatter(locale, { timeStyle: "short", timeZone }).format(d)
    : withDate(locale, timeZone).format(d);
}
