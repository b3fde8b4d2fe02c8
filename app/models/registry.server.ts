/**
 * The commitments registry: one filtered, paginated query over every cycle (plus one count), the
 * same rows for the CSV export, the options of the "record a commitment" form and the CSV import.
 *
 * Who may see a row is decided by `commitment.view`; the SQL filter is derived from that rule so the
 * counts and pages are right, and each row is checked with `can` once more before it is shown.
 */
import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, commitmentImports, commitments, events, organisations, pillars } from "../../db/schema";
import {
  commitmentVisibilities,
  pillarCodes,
  type CommitmentStatus,
  type CommitmentVisibility,
  type CompletionLevel,
  type StakeholderGroup,
} from "../domain/vocabulary";
import {
  IMPORT_COLUMNS,
  importColumnOf,
  MAX_IMPORT_ROWS,
  MILESTONE_ROWS,
  parseCommitment,
  parseCsv,
  REGISTRY_PAGE_SIZE,
  SUPPORTING_ROWS,
  unguardCell,
  type CommitmentFormOutput,
  type CommitmentRaw,
  type RegistryFilterParams,
} from "../utils/commitment-validation";
import { can, type Actor } from "../utils/policy";
import { utcToZoned } from "../utils/zoned-time";
import { recordAudit, type RequestMeta } from "./audit.server";
import { createCommitment, currentCycle, latestUpdateIdSql, listCycles, type CommitmentInput } from "./commitments.server";

export interface RegistryFilter {
  /** A cycle's year, or null for every cycle. */
  year: number | null;
  pillar?: string;
  organisationId?: number;
  group?: StakeholderGroup;
  status?: CommitmentStatus;
  origin?: "carried" | "new";
  overdue?: boolean;
  /** Only commitments of this organisation (lead or supporting): "my organisation's commitments". */
  mineOrganisationId?: number | null;
  q?: string;
}

export interface RegistryRow {
  id: number;
  reference: string;
  title: string;
  year: number;
  pillarSlug: string;
  status: CommitmentStatus;
  visibility: CommitmentVisibility;
  startsOn: string;
  endsOn: string;
  leadOrganisationId: number | null;
  leadOrganisation: string | null;
  leadStakeholderGroup: StakeholderGroup | null;
  completion: CompletionLevel | null;
  percent: number | null;
  /** An earlier cycle has the same reference. */
  carried: boolean;
  /** Cycles up to this one that hold the reference: 3 or more means carried twice, to rescope. */
  cycles: number;
  overdue: boolean;
  organisationIds: number[];
}

export function todayIso(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The year the registry shows when none is asked for: the open cycle's, else the newest, else every year. */
export function defaultRegistryYear(db: DbOrTx): number | null {
  return currentCycle(db)?.year ?? listCycles(db)[0]?.year ?? null;
}

/** From the page's GET parameters to the query's filter. */
export function registryFilterFrom(db: DbOrTx, actor: Actor, params: RegistryFilterParams): RegistryFilter {
  return {
    year: params.year === "all" ? null : (params.year ?? defaultRegistryYear(db)),
    pillar: params.pillar,
    organisationId: params.organisation,
    group: params.group,
    status: params.status,
    origin: params.origin,
    overdue: params.overdue,
    mineOrganisationId: params.mine ? actor.organisationId : undefined,
    q: params.q,
  };
}

/**
 * Which visibilities this person sees outright, and which only when their organisation is behind the
 * commitment: asked of the policy, so the SQL never drifts from `commitment.view`.
 */
function visibilityClause(actor: Actor): SQL {
  const everyone: string[] = [];
  const owners: string[] = [];
  for (const visibility of commitmentVisibilities) {
    if (can(actor, "commitment.view", { visibility, organisationIds: [] })) everyone.push(visibility);
    else if (actor.organisationId !== null && can(actor, "commitment.view", { visibility, organisationIds: [actor.organisationId] }))
      owners.push(visibility);
  }
  if (everyone.length === commitmentVisibilities.length) return sql`1`;
  const parts: SQL[] = [];
  if (everyone.length) parts.push(sql`c.visibility IN ${everyone}`);
  if (owners.length) {
    parts.push(
      sql`(c.visibility IN ${owners} AND EXISTS (SELECT 1 FROM commitment_organisations vo WHERE vo.commitment_id = c.id AND vo.organisation_id = ${actor.organisationId}))`,
    );
  }
  return parts.length ? sql`(${sql.join(parts, sql` OR `)})` : sql`0`;
}

const carriedExpr = sql`EXISTS (SELECT 1 FROM commitments e JOIN forum_cycles ey ON ey.id = e.cycle_id WHERE e.reference = c.reference AND ey.year < y.year)`;
const overdueExpr = (today: string) =>
  sql`(c.status = 'open' AND EXISTS (SELECT 1 FROM milestones m WHERE m.commitment_id = c.id AND m.done_on IS NULL AND m.due_on < ${today}))`;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The WHERE clause over `commitments c JOIN forum_cycles y` (and the lead's organisation `lorg` when grouped). */
function whereOf(actor: Actor, f: RegistryFilter, today: string): { where: SQL; needsLead: boolean } {
  const conds: SQL[] = [visibilityClause(actor)];
  if (f.year !== null) conds.push(sql`y.year = ${f.year}`);
  if (f.pillar) conds.push(sql`c.pillar_id = (SELECT id FROM pillars WHERE slug = ${f.pillar})`);
  if (f.organisationId)
    conds.push(sql`c.id IN (SELECT fo.commitment_id FROM commitment_organisations fo WHERE fo.organisation_id = ${f.organisationId})`);
  if (f.mineOrganisationId !== undefined) {
    conds.push(
      f.mineOrganisationId === null
        ? sql`0`
        : sql`c.id IN (SELECT mo.commitment_id FROM commitment_organisations mo WHERE mo.organisation_id = ${f.mineOrganisationId})`,
    );
  }
  if (f.group) conds.push(sql`lorg.stakeholder_group = ${f.group}`);
  if (f.status) conds.push(sql`c.status = ${f.status}`);
  if (f.origin === "carried") conds.push(carriedExpr);
  if (f.origin === "new") conds.push(sql`NOT ${carriedExpr}`);
  if (f.overdue) conds.push(overdueExpr(today));
  if (f.q) {
    const pattern = likePattern(f.q);
    conds.push(sql`(c.title LIKE ${pattern} ESCAPE '\\' OR c.reference LIKE ${pattern} ESCAPE '\\')`);
  }
  return { where: sql.join(conds, sql` AND `), needsLead: !!f.group };
}

const leadJoin = sql`LEFT JOIN commitment_organisations lo ON lo.commitment_id = c.id AND lo.role = 'lead' LEFT JOIN organisations lorg ON lorg.id = lo.organisation_id`;

/** A registry row as SQLite returns it: flags as 0/1, id lists comma-separated. */
type RawRow = Omit<RegistryRow, "carried" | "overdue" | "organisationIds"> & {
  carried: number;
  overdue: number;
  organisationIds: string | null;
  supporting: string | null;
  contactName: string;
};

/** The columns of each shown row, computed for the selected ids only (`pg`). */
function rowsFor(db: DbOrTx, ids: SQL, today: string, withSupporting: boolean): RawRow[] {
  return db.all<RawRow>(sql`
    SELECT c.id AS id, c.reference AS reference, c.title AS title, y.year AS year, p.slug AS pillarSlug,
      c.status AS status, c.visibility AS visibility, c.starts_on AS startsOn, c.ends_on AS endsOn, c.contact_name AS contactName,
      lorg.id AS leadOrganisationId, lorg.name AS leadOrganisation, lorg.stakeholder_group AS leadStakeholderGroup,
      lu.completion AS completion, lu.percent AS percent,
      ${carriedExpr} AS carried,
      (SELECT count(*) FROM commitments e JOIN forum_cycles ey ON ey.id = e.cycle_id WHERE e.reference = c.reference AND ey.year <= y.year) AS cycles,
      ${overdueExpr(today)} AS overdue,
      (SELECT group_concat(oo.organisation_id) FROM commitment_organisations oo WHERE oo.commitment_id = c.id) AS organisationIds,
      ${
        withSupporting
          ? sql`(SELECT group_concat(so.name, '; ') FROM commitment_organisations sc JOIN organisations so ON so.id = sc.organisation_id WHERE sc.commitment_id = c.id AND sc.role = 'supporting')`
          : sql`NULL`
      } AS supporting
    FROM (${ids}) pg
    JOIN commitments c ON c.id = pg.id
    JOIN forum_cycles y ON y.id = c.cycle_id
    JOIN pillars p ON p.id = c.pillar_id
    ${leadJoin}
    -- The newest update of the work up to this cycle (carried work keeps its progress).
    LEFT JOIN progress_updates lu ON lu.id = ${latestUpdateIdSql(sql`c.reference`, sql`y.year`)}
    ORDER BY y.year DESC, c.reference ASC, c.id ASC`);
}

function toRow(r: RawRow): RegistryRow & { supporting: string; contactName: string } {
  return {
    ...r,
    carried: !!r.carried,
    overdue: !!r.overdue,
    organisationIds: r.organisationIds ? r.organisationIds.split(",").map(Number) : [],
    supporting: r.supporting ?? "",
  };
}

function idsQuery(where: SQL, needsLead: boolean, limit: number | null, offset: number): SQL {
  return sql`SELECT c.id AS id FROM commitments c JOIN forum_cycles y ON y.id = c.cycle_id ${needsLead ? leadJoin : sql``}
    WHERE ${where} ORDER BY y.year DESC, c.reference ASC, c.id ASC ${limit === null ? sql`` : sql`LIMIT ${limit} OFFSET ${offset}`}`;
}

/** One page of the registry with the total that matches: two queries, whatever the page size. */
export function listRegistry(db: DbOrTx, actor: Actor, filter: RegistryFilter, page = 1, today = todayIso()) {
  const { where, needsLead } = whereOf(actor, filter, today);
  const total =
    db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM commitments c JOIN forum_cycles y ON y.id = c.cycle_id ${needsLead ? leadJoin : sql``} WHERE ${where}`,
    )?.n ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / REGISTRY_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pageCount);
  const offset = (current - 1) * REGISTRY_PAGE_SIZE;
  const rows =
    total === 0
      ? []
      : rowsFor(db, idsQuery(where, needsLead, REGISTRY_PAGE_SIZE, offset), today, false)
          .map(toRow)
          .filter((r) => can(actor, "commitment.view", { visibility: r.visibility, organisationIds: r.organisationIds }));
  return { rows, total, page: current, pageCount, pageSize: REGISTRY_PAGE_SIZE, offset };
}

/** Every row that matches, for the CSV export. */
export function exportRegistry(db: DbOrTx, actor: Actor, filter: RegistryFilter, today = todayIso()) {
  const { where, needsLead } = whereOf(actor, filter, today);
  return rowsFor(db, idsQuery(where, needsLead, null, 0), today, true)
    .map(toRow)
    .filter((r) => can(actor, "commitment.view", { visibility: r.visibility, organisationIds: r.organisationIds }));
}

/** Choices for the registry's filters. */
export function registryOptions(db: DbOrTx) {
  return {
    years: listCycles(db).map((c) => ({ year: c.year, status: c.status })),
    pillars: db.select({ id: pillars.id, slug: pillars.slug }).from(pillars).orderBy(asc(pillars.position)).all(),
    organisations: listOrganisationChoices(db),
  };
}

export function listOrganisationChoices(db: DbOrTx) {
  return db.select({ id: organisations.id, name: organisations.name }).from(organisations).orderBy(asc(organisations.name)).all();
}

// ---------------------------------------------------------------------------------------------
// Recording a commitment

/**
 * The sessions of a cycle's annual forum (the forum event of the same year), where a commitment may
 * have been made; breaks and cancelled sessions are left out. `day` is the date in the event's zone.
 */
export function forumSessionsOf(db: DbOrTx, year: number) {
  return db
    .select({ id: agendaSessions.id, title: agendaSessions.title, startsAt: agendaSessions.startsAt, timeZone: events.timeZone })
    .from(agendaSessions)
    .innerJoin(events, eq(events.id, agendaSessions.eventId))
    .where(
      sql`${events.kind} = 'forum' AND ${events.year} = ${year} AND ${agendaSessions.kind} <> 'break' AND ${agendaSessions.status} = 'scheduled'`,
    )
    .orderBy(asc(agendaSessions.startsAt), asc(agendaSessions.id))
    .all()
    .map((s) => ({ id: s.id, title: s.title, day: utcToZoned(s.startsAt, s.timeZone).date }));
}

/** Checks that need the database: the pillar, organisations and session exist (and the session is this cycle's). */
export function commitmentProblems(db: DbOrTx, input: CommitmentFormOutput, cycleYear: number): Record<string, string> | null {
  const problems: Record<string, string> = {};
  if (!db.select({ id: pillars.id }).from(pillars).where(eq(pillars.id, input.pillarId)).get()) problems.pillarId = "errors.invalidChoice";
  const orgExists = (id: number) => !!db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, id)).get();
  if (!orgExists(input.leadOrganisationId)) problems.leadOrganisationId = "errors.invalidChoice";
  input.supporting.forEach((s, i) => {
    if (!orgExists(s.organisationId)) problems[`supporting.${i}.organisationId`] = "errors.invalidChoice";
  });
  if (input.madeAtSessionId !== null && !forumSessionsOf(db, cycleYear).some((s) => s.id === input.madeAtSessionId)) {
    problems.madeAtSessionId = "errors.invalidChoice";
  }
  return Object.keys(problems).length ? problems : null;
}

export function commitmentInputOf(v: CommitmentFormOutput): CommitmentInput {
  return {
    title: v.title,
    problem: v.problem,
    expectedResult: v.expectedResult,
    pillarId: v.pillarId,
    principles: v.principles,
    type: v.type,
    leadOrganisationId: v.leadOrganisationId,
    leadContribution: v.leadContribution,
    supporting: v.supporting,
    contactName: v.contactName,
    contactEmail: v.contactEmail,
    startsOn: v.startsOn,
    endsOn: v.endsOn,
    madeAtSessionId: v.madeAtSessionId,
    visibility: v.visibility,
    milestones: v.milestones,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV import

export interface ImportRowError {
  /** The row's number in the file, the header being row 1. */
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
  const records = parseCsv(text);
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
      const more = commitmentProblems(db, parsed.data, cycle.year);
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
        const result = createCommitment(db, actor.id, commitmentInputOf(r.input), meta);
        if (!result.ok)
          throw new ImportAbort({ row: r.row, column: result.field ? importColumnOf(result.field) : null, message: result.error });
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

/** Whether this person may pick any lead organisation (the secretariat), rather than only their own. */
export function mayChooseLead(actor: Actor): boolean {
  // Only someone who may record a commitment without being tied to an organisation of their own.
  return can(actor, "commitment.create", { leadOrganisationId: null });
}
