/**
 * The commitments registry: one filtered, paginated query over every cycle (plus one count), the
 * same rows for the CSV export, and the options of the "record a commitment" form.
 *
 * Who may see a row is decided by `commitment.view`; the SQL filter is derived from that rule so the
 * counts and pages are right, and each row is checked with `can` once more before it is shown.
 */
import { asc, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { organisations, pillars } from "../../db/schema";
import {
  commitmentVisibilities,
  type CommitmentStatus,
  type CommitmentVisibility,
  type CompletionLevel,
  type StakeholderGroup,
} from "../domain/vocabulary";
import { REGISTRY_PAGE_SIZE, type CommitmentFormOutput, type RegistryFilterParams } from "../utils/commitment-validation";
import { can, type Actor } from "../utils/policy";
import { currentCycle, latestUpdateIdSql, listCycles, todayIso, type CommitmentInput } from "./commitments.server";

export interface RegistryFilter {
  /** A cycle's year, or null for every cycle. */
  year: number | null;
  pillar?: string;
  /** Serves this Voluntary Principle. */
  principle?: number;
  organisationId?: number;
  group?: StakeholderGroup;
  status?: CommitmentStatus;
  origin?: "carried" | "new";
  overdue?: boolean;
  /** Only commitments of this organisation (lead or supporting): "my organisation's commitments". */
  mineOrganisationId?: number | null;
  /** Has progress updates not yet checked by the secretariat. */
  unchecked?: boolean;
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

/** The year the registry shows when none is asked for: the open cycle's, else the newest, else every year. */
export function defaultRegistryYear(db: DbOrTx): number | null {
  return currentCycle(db)?.year ?? listCycles(db)[0]?.year ?? null;
}

/** From the page's GET parameters to the query's filter. */
export function registryFilterFrom(db: DbOrTx, actor: Actor, params: RegistryFilterParams): RegistryFilter {
  // Only those who check progress are offered "not yet checked"; for anyone else it is not a filter.
  const unchecked = params.progress === "unchecked" && can(actor, "progress.verify");
  return {
    // Updates wait to be checked on any year's record: "not yet checked" looks in every year unless one is chosen.
    year: params.year === "all" ? null : (params.year ?? (unchecked ? null : defaultRegistryYear(db))),
    pillar: params.pillar,
    principle: params.principle,
    unchecked,
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

/** Progress posted on this record that the secretariat has not checked yet. */
const uncheckedExpr = sql`EXISTS (SELECT 1 FROM progress_updates cu WHERE cu.commitment_id = c.id
  AND NOT EXISTS (SELECT 1 FROM progress_verifications cv WHERE cv.update_id = cu.id))`;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * Drafts (proposed at a breakout, not yet confirmed) count nowhere: only the secretariat and the people of the
 * draft's lead organisation see them in the registry, to confirm them. An export never has them (`withDrafts` false).
 */
function draftClause(actor: Actor, withDrafts: boolean): SQL {
  if (!withDrafts) return sql`c.status <> 'draft'`;
  // The policy says who may confirm a draft of any organisation (the secretariat).
  if (can(actor, "commitment.edit", { leadOrganisationId: null })) return sql`1`;
  if (actor.organisationId === null) return sql`c.status <> 'draft'`;
  return sql`(c.status <> 'draft' OR EXISTS (SELECT 1 FROM commitment_organisations dl WHERE dl.commitment_id = c.id AND dl.role = 'lead' AND dl.organisation_id = ${actor.organisationId}))`;
}

/** The WHERE clause over `commitments c JOIN forum_cycles y` (and the lead's organisation `lorg` when grouped). */
function whereOf(actor: Actor, f: RegistryFilter, today: string, withDrafts = true): { where: SQL; needsLead: boolean } {
  const conds: SQL[] = [visibilityClause(actor), draftClause(actor, withDrafts)];
  if (f.year !== null) conds.push(sql`y.year = ${f.year}`);
  if (f.pillar) conds.push(sql`c.pillar_id = (SELECT id FROM pillars WHERE slug = ${f.pillar})`);
  if (f.principle) conds.push(sql`EXISTS (SELECT 1 FROM json_each(c.principles) pr WHERE pr.value = ${f.principle})`);
  if (f.unchecked) conds.push(uncheckedExpr);
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

/** Every row that matches, for the CSV export (never a draft). */
export function exportRegistry(db: DbOrTx, actor: Actor, filter: RegistryFilter, today = todayIso()) {
  const { where, needsLead } = whereOf(actor, filter, today, false);
  return rowsFor(db, idsQuery(where, needsLead, null, 0), today, true)
    .map(toRow)
    .filter((r) => can(actor, "commitment.view", { visibility: r.visibility, organisationIds: r.organisationIds }));
}

/**
 * How many drafts (proposed at a breakout) wait for this person to confirm them: their organisation's, or every
 * draft for the secretariat. The registry offers them as the "Drafts to confirm" filter (status "draft").
 */
export function draftsToConfirm(db: DbOrTx, actor: Actor): number {
  const confirmsAny = can(actor, "commitment.edit", { leadOrganisationId: null });
  if (!confirmsAny && (actor.organisationId === null || !can(actor, "commitment.edit", { leadOrganisationId: actor.organisationId })))
    return 0;
  const own = confirmsAny
    ? sql``
    : sql`AND EXISTS (SELECT 1 FROM commitment_organisations dl WHERE dl.commitment_id = c.id AND dl.role = 'lead' AND dl.organisation_id = ${actor.organisationId})`;
  return (
    db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM commitments c JOIN forum_cycles y ON y.id = c.cycle_id WHERE c.status = 'draft' AND y.status = 'open' ${own}`,
    )?.n ?? 0
  );
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

/** The form's (or an imported row's) values as the model's input. */
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

/** Whether this person may pick any lead organisation (the secretariat), rather than only their own. */
export function mayChooseLead(actor: Actor): boolean {
  // Only someone who may record a commitment without being tied to an organisation of their own.
  return can(actor, "commitment.create", { leadOrganisationId: null });
}
