import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { getEvent, listSessions } from "../models/agenda.server";
import { calendarFileName } from "../models/calendar.server";
import { sessionPlaceCounts } from "../models/registrations.server";
import { requirePermission } from "../utils/auth.server";
import { spreadsheetCell } from "../utils/csv";
import { utcToZoned } from "../utils/zoned-time";

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "event.manage");
  const db = context.services.db;
  const event = getEvent(db, Number(params.id));
  if (!event) throw new Response("Not found", { status: 404 });
  const places = sessionPlaceCounts(db, event.id);
  const rows = listSessions(db, event.id).map((s) => {
    const start = utcToZoned(s.startsAt, event.timeZone);
    const end = utcToZoned(s.endsAt, event.timeZone);
    return [
      s.id,
      start.date,
      start.time,
      end.time,
      event.timeZone,
      s.startsAt.toISOString(),
      s.endsAt.toISOString(),
      s.roomName,
      s.pillarSlug,
      s.kind,
      s.title,
      s.speakers.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join("; "),
      s.attribution,
      s.capacity,
      places[s.id]?.confirmed ?? 0,
      places[s.id]?.waitlisted ?? 0,
      s.status,
    ].map(spreadsheetCell);
  });
  const header = [
    "id",
    "date",
    "start",
    "end",
    "time_zone",
    "starts_at_utc",
    "ends_at_utc",
    "room",
    "track",
    "kind",
    "title",
    "speakers",
    "attribution",
    "capacity",
    "confirmed",
    "waitlisted",
    "status",
  ];
  const csv = stringify([header, ...rows]);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${calendarFileName(event).replace(/\.ics$/, ".csv")}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
