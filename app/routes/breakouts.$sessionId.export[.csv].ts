import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { breakoutExport } from "../models/breakout-reports.server";
import { notFound, requireUser, idParam } from "../utils/auth.server";
import { spreadsheetCell } from "../utils/csv";

/**
 * A breakout session's rooms for the record (its managers and the secretariat; a 404 for anyone else): per room,
 * people assigned and people who wrote in its chat, counted by stakeholder group with any count below five shown as
 * "fewer than 5", the number of chat messages, and the report-back. Nobody is named, but the rapporteur on the record.
 */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = idParam(params.sessionId);
  const found = breakoutExport(context.services.db, user, sessionId) ?? notFound();
  const onRecord = found.session.attribution === "on_record";
  const header = [
    "room",
    "pillar",
    "assigned_total",
    ...found.groups.map((g) => `assigned_${g}`),
    "wrote_in_chat_total",
    ...found.groups.map((g) => `wrote_in_chat_${g}`),
    "chat_messages",
    "report_back",
    "key_points",
    "proposed_actions",
    ...(onRecord ? ["rapporteur"] : []),
  ];
  const rows = found.rows.map((r) =>
    [
      r.room,
      r.pillar,
      r.assignedTotal,
      ...found.groups.map((g) => r.assigned[g]),
      r.wroteTotal,
      ...found.groups.map((g) => r.wrote[g]),
      r.chatMessages,
      r.reportStatus,
      r.keyPoints,
      r.actions.join("\n"),
      ...(onRecord ? [r.rapporteur] : []),
    ].map(spreadsheetCell),
  );
  const csv = stringify([header, ...rows]);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="breakout-${sessionId}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
