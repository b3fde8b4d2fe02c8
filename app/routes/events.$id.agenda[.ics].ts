import type { LoaderFunctionArgs } from "@remix-run/node";
import { getEvent, listSessions } from "../models/agenda.server";
import { calendarFileName, eventCalendar } from "../models/calendar.server";
import { requireUser } from "../utils/auth.server";
import { can } from "../utils/policy";

/** The event's whole agenda as an .ics file, for people who may see the event. */
export function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const id = Number(params.id);
  const event = Number.isSafeInteger(id) && id > 0 ? getEvent(db, id) : null;
  // An event the person may not see answers exactly like one that does not exist.
  if (!event || !can(user, "event.view", event)) return new Response("Not found", { status: 404 });
  const body = eventCalendar(db, event, listSessions(db, event.id), { baseUrl: context.services.env.APP_URL });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${calendarFileName(event)}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
