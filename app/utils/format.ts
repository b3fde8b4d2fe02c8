/** Dates and numbers through Intl, in the reader's locale and time zone. */
import { memo } from "./memo";

const formatters = memo<Intl.DateTimeFormat>(500);

/** One Intl.DateTimeFormat per locale and options: building one costs far more than using it. */
export function dateFormatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return formatters(`${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}
export interface FormatPrefs {
  locale: string;
  timeZone: string;
}

export function formatDateTime(value: Date | string | number, prefs: FormatPrefs, opts: Intl.DateTimeFormatOptions = {}): string {
  return dateFormatter(prefs.locale, { dateStyle: "medium", timeStyle: "short", timeZone: prefs.timeZone, ...opts }).format(
    new Date(value),
  );
}

/** A calendar date (YYYY-MM-DD) as written, without shifting it through any time zone. */
export function formatCalendarDate(isoDate: string, locale: string, opts: Intl.DateTimeFormatOptions = { dateStyle: "medium" }): string {
  return dateFormatter(locale, { ...opts, timeZone: "UTC" }).format(new Date(`${isoDate}T00:00:00Z`));
}

export function formatDateRange(startIso: string, endIso: string, locale: string): string {
  const f = dateFormatter(locale, { dateStyle: "medium", timeZone: "UTC" });
  const start = new Date(`${startIso}T00:00:00Z`);
  return startIso === endIso ? f.format(start) : f.formatRange(start, new Date(`${endIso}T00:00:00Z`));
}

const numberFormatters = memo<Intl.NumberFormat>(100);

export function formatNumber(value: number, locale: string): string {
  return numberFormatters(locale, () => new Intl.NumberFormat(locale)).format(value);
}

/** A whole percentage (0–100) in the reader's locale: "40 %", "40%"… */
export function formatPercent(percent: number, locale: string): string {
  return numberFormatters(`${locale}|%`, () => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 })).format(
    percent / 100,
  );
}

/** The first Accept-Language tag Intl knows, so dates read the way this reader expects (en-GB vs en-US). */
export function pickFormatLocale(acceptLanguage: string | null, fallback: string): string {
  const tags = (acceptLanguage ?? "")
    .split(",")
    .map((part) => part.split(";")[0]!.trim())
    .filter(Boolean);
  for (const tag of tags) {
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf(tag).length) return tag;
    } catch {
      // not a valid language tag: try the next
    }
  }
  return fallback;
}
