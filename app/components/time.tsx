import { dateFormatter, formatCalendarDate, formatDateRange, formatDateTime } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { sessionTime } from "../utils/session-time";

// The server's and the browser's ICU data can differ in small ways (spaces, punctuation), so the
// browser's own rendering wins at hydration without a mismatch error.

/** A moment in the reader's locale and time zone. */
export function DateTime({ value, options }: { value: Date | string | number; options?: Intl.DateTimeFormatOptions }) {
  const prefs = useFormatPrefs();
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {formatDateTime(date, prefs, options)}
    </time>
  );
}

/** A span of calendar days (YYYY-MM-DD), as written, in the reader's locale. */
export function DateRange({ start, end }: { start: string; end: string }) {
  const { locale } = useFormatPrefs();
  return (
    <time dateTime={start} suppressHydrationWarning>
      {formatDateRange(start, end, locale)}
    </time>
  );
}

/** A start–end span shown in a given zone, e.g. "14:00 – 15:30". */
export function TimeRange({ start, end, timeZone }: { start: Date | string; end: Date | string; timeZone: string }) {
  const { locale } = useFormatPrefs();
  const s = new Date(start);
  return (
    <time dateTime={s.toISOString()} suppressHydrationWarning>
      {dateFormatter(locale, { timeStyle: "short", timeZone }).formatRange(s, new Date(end))}
    </time>
  );
}

/**
 * A session's start–end in a zone, listed under a day tab (`tabDate`, YYYY-MM-DD): the times alone when they fall
 * on the tab's date there, with the date otherwise ("Sat 3 Apr, 18:30–19:30").
 */
export function SessionTimeRange({
  start,
  end,
  timeZone,
  tabDate,
}: {
  start: Date | string;
  end: Date | string;
  timeZone: string;
  tabDate: string;
}) {
  const { locale } = useFormatPrefs();
  const s = new Date(start);
  const shown = sessionTime(s, end, { locale, timeZone, tabDate });
  return (
    <time dateTime={s.toISOString()} className={shown.dated ? "session-time--dated" : undefined} suppressHydrationWarning>
      {shown.text}
    </time>
  );
}

/** A calendar date (YYYY-MM-DD) as written, in the reader's locale. */
export function CalendarDate({ iso }: { iso: string }) {
  const { locale } = useFormatPrefs();
  return (
    <time dateTime={iso} suppressHydrationWarning>
      {formatCalendarDate(iso, locale)}
    </time>
  );
}
