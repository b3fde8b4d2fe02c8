/**
 * Bulk entry of commitments from a CSV file into the current cycle. Every row goes through the form's
 * schema and the model's own checks first; only a file without a single problem is imported, in one
 * transaction, and a row imported before (by its external id or reference) is skipped.
 */
import { CsvError, parse } from "csv-parse/sync";
import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { commitmentImports, commitments, pillars } from "../../db/schema";
import { pillarCodes } from "../domain/vocabulary";
import {
  IMPORT_COLUMNS,
  IMPORT_PERMISSION,
  importColumnOf,
  MAX_IMPORT_ROWS,
  MILESTONE_ROWS,
  parseCommitment,
  SUPPORTING_ROWS,
  unguardCell,
  type CommitmentFormOutput,
  type CommitmentRaw,
} from "../utils/commitment-validation";
import { can, type Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import { commitmentProblems, createCommitment, currentCycle } from "./commitments.server";
import { commitmentInputOf, listOrganisationChoices } from "./registry.server";

export interface ImportRowError {
  /** The row's number in the file, the header being row 1 (blank lines are not counted). */
  row: number;
  column: string | null;
  message: string;
}

export type ImportResult =
  | { ok: true; created: { id: number; reference: string; row: number }[]; skipped: { row: number; key: string }[] }
  | { ok: false; errors: ImportRowError[] };

/** The template's header line (and nothing else), for the download on the import page. */
export function importTemplateCsv(): string {
  return `${IMPORT_COLUMNS.map((c) => c.name).join(",")}\r\n`;
}

/**
 * The file's rows as cells, blank rows left out and a byte-order mark dropped. A header without
 * commas but with semicolons (as some spreadsheets save it) switches the separator to semicolons.
 * A quote inside an unquoted cell is kept as it is; a quote never closed makes the file unreadable.
 */
function readCsv(text: string): { ok: true; records: string[][] } | { ok: false; error: ImportRowError } {
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  const delimiter = !firstLine.includes(",") && firstLine.includes(";") ? ";" : ",";
  try {
    const records: string[][] = parse(text, {
      bom: true,
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
      skip_records_with_empty_values: true,
    });
    return { ok: true, records };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The row being read when it failed, counted as the rows before it are.
    const row = (typeof error.records === "number" ? error.records : 0) + 1;
    return { ok: false, error: { row, column: null, message: "registry:errors.importUnreadable" } };
  }
}

interface ParsedImportRow {
  row: number;
  key: string;
  input: CommitmentFormOutput;
}

/** Reads and validates every row; returns the rows ready to import, or every problem found. */
export function validateImport(
  db: DbOrTx,
  actor: Actor,
  text: string,
): { ok: true; rows: ParsedImportRow[] } | { ok: false; errors: ImportRowError[] } {
  const read = readCsv(text);
  if (!read.ok) return { ok: false, errors: [read.error] };
  const records = read.records;
  const errors: ImportRowError[] = [];
  if (records.length === 0) return { ok: false, errors: [{ row: 1, column: null, message: "registry:errors.importEmpty" }] };
  const header = records[0]!.map((h) => h.trim().toLowerCase());
  const known = new Set<string>(IMPORT_COLUMNS.map((c) => c.name));
  header.forEach((h) => {
    if (!known.has(h)) errors.push({ row: 1, column: h || null, message: "registry:errors.importUnknownColumn" });
  });
  for (const c of IMPORT_COLUMNS)
    if (c.required && !header.includes(c.name)) errors.push({ row: 1, column: c.name, message: "registry:errors.importMissingColumn" });
  if (!header.includes("external_id") && !header.includes("reference"))
    errors.push({ row: 1, column: "external_id", message: "registry:errors.importMissingColumn" });
  if (new Set(header).size !== header.length) errors.push({ row: 1, column: null, message: "registry:errors.importDuplicateColumn" });
  const body = records.slice(1);
  if (body.length === 0) errors.push({ row: 2, column: null, message: "registry:errors.importNoRows" });
  if (body.length > MAX_IMPORT_ROWS) errors.push({ row: MAX_IMPORT_ROWS + 2, column: null, message: "registry:errors.importTooManyRows" });
  if (errors.length) return { ok: false, errors };

  const cycle = currentCycle(db);
  if (!cycle) return { ok: false, errors: [{ row: 1, column: null, message: "registry:errors.noOpenCycle" }] };

  const pillarRows = db.select({ id: pillars.id, slug: pillars.slug, name: pillars.name }).from(pillars).all();
  const pillarIdOf = (value: string): number | null => {
    const v = value.trim().toLowerCase();
    const p = pillarRows.find((p) => p.slug === v || p.name.toLowerCase() === v || pillarCodes[p.slug]?.toLowerCase() === v);
    return p?.id ?? null;
  };
  const orgIds = new Map(listOrganisationChoices(db).map((o) => [o.name.trim().toLowerCase(), o.id]));
  const seenKeys = new Map<string, number>();
  const rows: ParsedImportRow[] = [];

  body.forEach((cells, index) => {
    const rowNumber = index + 2;
    const at = (name: string) => {
      const i = header.indexOf(name);
      return i === -1 ? "" : unguardCell((cells[i] ?? "").trim());
    };
    const rowErrors: ImportRowError[] = [];
    const problem = (column: string | null, message: string) => rowErrors.push({ row: rowNumber, column, message });
    if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim() !== ""))
      problem(null, "registry:errors.importExtraCells");

    const externalId = at("external_id");
    const reference = at("reference").toUpperCase();
    const key = externalId ? `external:${externalId}` : reference ? `reference:${reference}` : "";
    if (!key) problem("external_id", "registry:errors.importKeyMissing");
    else if (externalId.length > 200) problem("external_id", "errors.tooLong");
    else if (seenKeys.has(key)) problem(externalId ? "external_id" : "reference", "registry:errors.importKeyTwice");
    else seenKeys.set(key, rowNumber);

    const idOrBlank = (column: string, value: string, lookup: (v: string) => number | null, message: string) => {
      if (!value) return "";
      const id = lookup(value);
      if (id === null) {
        problem(column, message);
        return "";
      }
      return String(id);
    };
    const pillarId = idOrBlank("pillar", at("pillar"), pillarIdOf, "registry:errors.importUnknownPillar");
    const orgLookup = (v: string) => orgIds.get(v.toLowerCase()) ?? null;
    const leadOrganisationId = idOrBlank(
      "lead_organisation",
      at("lead_organisation"),
      orgLookup,
      "registry:errors.importUnknownOrganisation",
    );
    const supporting = Array.from({ length: SUPPORTING_ROWS }, (_, i) => ({
      organisationId: idOrBlank(
        `supporting_organisation_${i + 1}`,
        at(`supporting_organisation_${i + 1}`),
        orgLookup,
        "registry:errors.importUnknownOrganisation",
      ),
      contribution: at(`supporting_contribution_${i + 1}`),
    }));
    // A supporting organisation that could not be found is reported once, under its own column.
    const supportingOk = supporting.map((s, i) =>
      s.organisationId === "" && at(`supporting_organisation_${i + 1}`) ? { organisationId: "", contribution: "" } : s,
    );
    const raw: CommitmentRaw = {
      title: at("title"),
      problem: at("problem"),
      expectedResult: at("expected_result"),
      pillarId,
      principles: at("principles")
        .split(/[\s,;]+/)
        .filter(Boolean),
      type: (at("type").toLowerCase() || (supportingOk.some((s) => s.organisationId) ? "joint" : "single")) as string,
      leadOrganisationId,
      leadContribution: at("lead_contribution"),
      supporting: supportingOk,
      contactName: at("contact_name"),
      contactEmail: at("contact_email"),
      startsOn: at("starts_on"),
      endsOn: at("ends_on"),
      milestones: Array.from({ length: MILESTONE_ROWS }, (_, i) => ({
        title: at(`milestone_${i + 1}`),
        dueOn: at(`milestone_${i + 1}_due`),
      })),
      madeAtSessionId: "",
      visibility: at("visibility").toLowerCase() || "members",
    };
    const parsed = parseCommitment(raw);
    if (!parsed.ok) {
      for (const [path, message] of Object.entries(parsed.errors)) {
        const column = importColumnOf(path);
        // An unknown name was already reported; "required" on the same column would only repeat it.
        if (!rowErrors.some((e) => e.column === column)) problem(column, message);
      }
    } else {
      if (!can(actor, "commitment.create", { leadOrganisationId: parsed.data.leadOrganisationId }))
        problem("lead_organisation", "registry:errors.importLeadNotAllowed");
      const more = commitmentProblems(db, commitmentInputOf(parsed.data), cycle.year);
      for (const [path, message] of Object.entries(more ?? {})) problem(importColumnOf(path), message);
    }
    errors.push(...rowErrors);
    if (!rowErrors.length && parsed.ok) rows.push({ row: rowNumber, key, input: parsed.data });
  });
  return errors.length ? { ok: false, errors } : { ok: true, rows };
}

/**
 * Imports a validated CSV into the current cycle in one transaction: rows whose key was imported
 * before (or whose reference is already in this cycle) are skipped, the others created. Any failure
 * rolls the whole file back.
 */
export function importCommitments(db: Db, actor: Actor, text: string, fileName: string, meta: RequestMeta): ImportResult {
  if (!can(actor, IMPORT_PERMISSION)) return { ok: false, errors: [{ row: 0, column: null, message: "errors.forbidden" }] };
  const checked = validateImport(db, actor, text);
  if (!checked.ok) return checked;
  try {
    return db.transaction((tx) => {
      const cycle = currentCycle(tx);
      if (!cycle) throw new ImportAbort({ row: 1, column: null, message: "registry:errors.noOpenCycle" });
      const created: { id: number; reference: string; row: number }[] = [];
      const skipped: { row: number; key: string }[] = [];
      for (const r of checked.rows) {
        const before = tx.select({ id: commitmentImports.id }).from(commitmentImports).where(eq(commitmentImports.sourceKey, r.key)).get();
        const inCycle = r.key.startsWith("reference:")
          ? tx
              .select({ id: commitments.id })
              .from(commitments)
              .where(sql`${commitments.cycleId} = ${cycle.id} AND ${commitments.reference} = ${r.key.slice("reference:".length)}`)
              .get()
          : undefined;
        if (before || inCycle) {
          skipped.push({ row: r.row, key: r.key.replace(/^(external|reference):/, "") });
          continue;
        }
        // createCommitment opens its own transaction, which nests here as a savepoint.
        const result = createCommitment(db, actor, commitmentInputOf(r.input), meta);
        if (!result.ok) {
          const [path, message] = Object.entries(result.errors)[0]!;
          throw new ImportAbort({ row: r.row, column: path === "form" ? null : importColumnOf(path), message });
        }
        tx.insert(commitmentImports)
          .values({
            sourceKey: r.key,
            commitmentId: result.id,
            cycleId: cycle.id,
            fileName: fileName.slice(0, 200),
            rowNumber: r.row,
            importedBy: actor.id,
          })
          .run();
        created.push({ id: result.id, reference: result.reference, row: r.row });
      }
      recordAudit(
        tx,
        {
          actorId: actor.id,
          action: "commitment.import",
          targetType: "cycle",
          targetId: cycle.id,
          detail: { fileName: fileName.slice(0, 200), created: created.length, skipped: skipped.length },
        },
        meta,
      );
      return { ok: true as const, created, skipped };
    });
  } catch (e) {
    if (e instanceof ImportAbort) return { ok: false, errors: [e.error] };
    throw e;
  }
}

class ImportAbort extends Error {
  constructor(readonly error: ImportRowError) {
    super(error.message);
  }
}
