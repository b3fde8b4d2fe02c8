import type { LoaderFunctionArgs } from "@remix-run/node";
import { findFeedUser, personalCalendar } from "../models/calendar.server";

/**
 * A person's starred sessions for calendar apps, which subscribe without a cookie: the secret token is the key.
 * Unknown, replaced and deactivated people's tokens all answer 404.
 */
export function loader({ context, params }: LoaderFunctionArgs) {
  const db = context.services.db;
  const userId = findFeedUser(db, params.token ?? "");
  const body = userId === null ? null : personalCalendar(db, userId, { baseUrl: context.services.env.APP_URL });
  if (body === null) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="convene.ics"',
      "Cache-Control": "private, max-age=300",
      "X-Robots-Tag": "noindex",
    },
  });
}
