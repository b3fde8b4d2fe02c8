/**
 * Messages that carry values: a field error is a translation key, and a few need the values they speak
 * of ("02:30 does not exist on 29 March 2026…"). The values travel with the key, as a query string, through
 * every path a key already takes (zod issues, model refusals, action data), and are read back where the
 * message is shown.
 */

/** A message key with its values: `calendar:errors.localTimeSkipped?time=02%3A30&…`. */
export function messageWith(key: string, values: Record<string, string>): string {
  return `${key}?${new URLSearchParams(values).toString()}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The key and values of a message. A value that is a calendar date (YYYY-MM-DD) is written out in the
 * reader's locale by `formatDate`.
 */
export function readMessage(message: string, formatDate?: (isoDate: string) => string): { key: string; values: Record<string, string> } {
  const at = message.indexOf("?");
  if (at < 0) return { key: message, values: {} };
  const values: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(message.slice(at + 1))) {
    values[name] = formatDate && ISO_DATE.test(value) ? formatDate(value) : value;
  }
  return { key: message.slice(0, at), values };
}
