import type { LoaderFunctionArgs } from "@remix-run/node";
import { stringify } from "csv-stringify/sync";
import { importTemplateCsv } from "../models/commitments-import.server";
import { exportRegistry, registryFilterFrom } from "../models/registry.server";
import { requirePermission } from "../utils/auth.server";
import { spreadsheetCell } from "../utils/csv";
import { IMPORT_PERMISSION, registryFilterOf } from "../utils/commitment-validation";

const HEADER = [
  "id",
  "reference",
  "year",
  "title",
  "pillar",
  "lead_organisation",
  "lead_stakeholder_group",
  "supporting_organisations",
  "status",
  "origin",
  "completion",
  "percent",
  "overdue",
  "carried_twice_rescope",
  "visibility",
  "starts_on",
  "ends_on",
  "contact_name",
];

/** The import template: the header row the import page documents (`?template=1`, for those who may import). */
function template(): Response {
  return new Response(`\uFEFF${importTemplateCsv()}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="commitments-import-template.csv"',
      "Cache-Control": "private, no-store",
    },
  });
}

/** The registry with the page's filters (not its paging), only the commitments this person may see. */
export function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.has("template")) {
    requirePermission(context, request, IMPORT_PERMISSION);
    return template();
  }
  const user = requirePermission(context, request, "commitments.view");
  const db = context.services.db;
  const params = registryFilterOf(url.searchParams);
  const filter = registryFilterFrom(db, user, params);
  const rows = exportRegistry(db, user, filter).map((r) =>
    [
      r.id,
      r.reference,
      r.year,
      r.title,
      r.pillarSlug,
      r.leadOrganisation,
      r.leadStakeholderGroup,
      r.supporting,
      r.status,
      r.carried ? "carried" : "new",
      r.completion,
      r.percent,
      r.overdue ? "yes" : "no",
      r.cycles >= 3 ? "yes" : "no",
      r.visibility,
      r.startsOn,
      r.endsOn,
      r.contactName,
    ].map(spreadsheetCell),
  );
  const csv = stringify([HEADER, ...rows]);
  const name = `commitments-${filter.year ?? "all"}${params.mine ? "-mine" : ""}.csv`;
  return new Response(`\uFEFF${csv}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
