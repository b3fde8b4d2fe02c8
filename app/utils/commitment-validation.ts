/**
 * Schemas for the commitments registry: its filters, the form that records a commitment and the
 * CSV import (whose rows go through the same schema as the form). Free of server imports.
 * Messages are translation keys: `errors.*` (common) or `registry:errors.*`.
 */
import { z } from "zod";
import { commitmentStatuses, commitmentTypes, commitmentVisibilities, stakeholderGroups, voluntaryPrinciples } from "../domain/vocabulary";
import { fieldErrorsOf, type FieldErrors } from "./validation";

export const MAX_TITLE = 200;
export const MAX_LONG_TEXT = 5_000;
export const MAX_CONTRIBUTION = 500;
/** Blank rows offered on the form for supporting organisations and milestones (and columns in the CSV template). */
export const SUPPORTING_ROWS = 3;
export const MILESTONE_ROWS = 3;
/** More rows than this in a posted form are ignored. */
const MAX_POSTED_ROWS = 20;

export const REGISTRY_PAGE_SIZE = 50;

// ---------------------------------------------------------------------------------------------
// Registry filters (GET parameters): anything unreadable is dropped rather than refused.

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const flag = z
  .preprocess(blank, z.enum(["1", "on", "true"]).optional())
  .transform((v) => v !== undefined)
  .catch(false);

export const RegistryFilterSchema = z.object({
  /** A cycle's year or "all"; absent: the current open cycle's year. */
  year: z.preprocess(blank, z.union([z.literal("all"), z.coerce.number().int().min(1900).max(2200)]).optional()).catch(undefined),
  pillar: z.preprocess(blank, z.string().trim().max(60).optional()).catch(undefined),
  /** A Voluntary Principle's number: commitments that serve it. */
  principle: z
    .preprocess(
      blank,
      z.coerce
        .number()
        .int()
        .refine((n) => (voluntaryPrinciples as readonly number[]).includes(n))
        .optional(),
    )
    .catch(undefined),
  organisation: z
    .preprocess(
      blank,
      z.coerce
        .number()
        .int()
        .positive()
        .max(2 ** 31)
        .optional(),
    )
    .catch(undefined),
  group: z.preprocess(blank, z.enum(stakeholderGroups).optional()).catch(undefined),
  status: z.preprocess(blank, z.enum(commitmentStatuses).optional()).catch(undefined),
  origin: z.preprocess(blank, z.enum(["carried", "new"]).optional()).catch(undefined),
  overdue: flag,
  mine: flag,
  /** "unchecked": commitments with progress updates the secretariat has not checked yet (for those who check them). */
  progress: z.preprocess(blank, z.enum(["unchecked"]).optional()).catch(undefined),
  q: z.preprocess(blank, z.string().trim().max(100).optional()).catch(undefined),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(1_000_000).optional()).catch(undefined),
});
export type RegistryFilterParams = z.output<typeof RegistryFilterSchema>;

/** Reads the registry's filters from a URL's search parameters. */
export function registryFilterOf(params: URLSearchParams): RegistryFilterParams {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(RegistryFilterSchema.shape)) {
    const v = params.get(key);
    if (v !== null) raw[key] = v;
  }
  return RegistryFilterSchema.parse(raw);
}

// ---------------------------------------------------------------------------------------------
// Recording a commitment

const requiredText = (max: number, min = 1) =>
  z
    .string({ required_error: "errors.required", invalid_type_error: "errors.required" })
    .trim()
    .min(1, "errors.required")
    .min(min, "errors.tooShort")
    .max(max, "errors.tooLong");

const optionalText = (max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").trim())
    .pipe(z.string().max(max, "errors.tooLong"));

const isoDate = z
  .string({ required_error: "errors.required", invalid_type_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .date("errors.dateInvalid");

const requiredId = z
  .string({ required_error: "errors.required", invalid_type_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .transform((v, ctx) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 31) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return n;
  });

const optionalId = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 31) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return n;
  });

const optionalEmail = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim())
  .pipe(z.union([z.literal(""), z.string().max(254, "errors.tooLong").email("errors.emailInvalid")]))
  .transform((v) => (v === "" ? null : v.toLowerCase()));

const principleNumbers = voluntaryPrinciples as readonly number[];

const principles = z
  .array(z.string())
  .optional()
  .transform((values, ctx) => {
    const out = new Set<number>();
    for (const v of values ?? []) {
      if (v.trim() === "") continue;
      const n = Number(v.trim());
      if (!principleNumbers.includes(n)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "registry:errors.principleInvalid" });
        return z.NEVER;
      }
      out.add(n);
    }
    return [...out].sort((a, b) => a - b);
  })
  .refine((v) => v.length > 0, "registry:errors.principlesRequired");

const SupportingRow = z.object({ organisationId: optionalId, contribution: optionalText(MAX_CONTRIBUTION) }).superRefine((row, ctx) => {
  if (row.organisationId === null && row.contribution) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["organisationId"], message: "registry:errors.supportingOrganisationMissing" });
  }
});

const MilestoneRow = z.object({ title: optionalText(MAX_TITLE), dueOn: optionalText(10) }).superRefine((row, ctx) => {
  if (row.title && !row.dueOn)
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["dueOn"], message: "registry:errors.milestoneDueMissing" });
  if (!row.title && row.dueOn)
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["title"], message: "registry:errors.milestoneTitleMissing" });
  if (row.dueOn && !z.string().date().safeParse(row.dueOn).success)
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["dueOn"], message: "errors.dateInvalid" });
});

const isDate = (value: string) => z.string().date().safeParse(value).success;

/**
 * The rules a commitment's dates keep, on the form and in the model: it does not end before it
 * starts, and every milestone falls due by its end. Keyed as the form's fields are.
 */
export function commitmentDateProblems(v: { startsOn: string; endsOn: string; milestones: readonly { dueOn: string }[] }): FieldErrors {
  const problems: FieldErrors = {};
  if (v.endsOn < v.startsOn) problems.endsOn = "registry:errors.endBeforeStart";
  if (isDate(v.endsOn))
    v.milestones.forEach((m, i) => {
      if (isDate(m.dueOn) && m.dueOn > v.endsOn) problems[`milestones.${i}.dueOn`] = "registry:errors.milestoneAfterEnd";
    });
  return problems;
}

/**
 * A commitment as typed on the form (or read from a CSV row): plain strings in, a `CommitmentInput`
 * out, apart from checks that need the database (that the organisations, pillar and session exist).
 */
export const CommitmentFormSchema = z
  .object({
    title: requiredText(MAX_TITLE, 3),
    problem: requiredText(MAX_LONG_TEXT),
    expectedResult: requiredText(MAX_LONG_TEXT),
    pillarId: requiredId,
    principles,
    type: z.enum(commitmentTypes, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
    leadOrganisationId: requiredId,
    leadContribution: optionalText(MAX_CONTRIBUTION),
    supporting: z.array(SupportingRow).max(MAX_POSTED_ROWS).optional().default([]),
    contactName: requiredText(MAX_TITLE),
    contactEmail: optionalEmail,
    startsOn: isoDate,
    endsOn: isoDate,
    milestones: z.array(MilestoneRow).max(MAX_POSTED_ROWS).optional().default([]),
    madeAtSessionId: optionalId,
    visibility: z.enum(commitmentVisibilities, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  })
  .superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(commitmentDateProblems(v)))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: path.split("."), message });
    const seen = new Set<number>();
    v.supporting.forEach((row, i) => {
      if (row.organisationId === null) return;
      if (row.organisationId === v.leadOrganisationId) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["supporting", i, "organisationId"],
          message: "registry:errors.supportingIsLead",
        });
      } else if (seen.has(row.organisationId)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["supporting", i, "organisationId"],
          message: "registry:errors.supportingTwice",
        });
      }
      seen.add(row.organisationId);
    });
    if (v.type === "joint" && !v.supporting.some((s) => s.organisationId !== null)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["supporting", 0, "organisationId"],
        message: "registry:errors.jointNeedsSupport",
      });
    }
  })
  .transform((v) => {
    const supporting = v.supporting.flatMap((s) =>
      s.organisationId === null ? [] : [{ organisationId: s.organisationId, contribution: s.contribution }],
    );
    return {
      ...v,
      // Supporting organisations make it joint, whatever was chosen.
      type: supporting.length ? ("joint" as const) : v.type,
      supporting,
      milestones: v.milestones.flatMap((m) => (m.title && m.dueOn ? [{ title: m.title, dueOn: m.dueOn }] : [])),
    };
  });
export type CommitmentFormOutput = z.output<typeof CommitmentFormSchema>;

/** The shape CommitmentFormSchema reads: every value a string, repeated rows as arrays. */
export interface CommitmentRaw {
  [key: string]: string | string[] | Record<string, string>[] | undefined;
  principles?: string[];
  supporting?: Record<string, string>[];
  milestones?: Record<string, string>[];
}

const SINGLE_FIELDS = [
  "title",
  "problem",
  "expectedResult",
  "pillarId",
  "type",
  "leadOrganisationId",
  "leadContribution",
  "contactName",
  "contactEmail",
  "startsOn",
  "endsOn",
  "madeAtSessionId",
  "visibility",
] as const;

/** Repeated rows named like `supporting.0.organisationId`, in index order, gaps closed up. */
function rowsOf(form: FormData, prefix: string, fields: readonly string[]): Record<string, string>[] {
  const pattern = new RegExp(`^${prefix}\\.(\\d{1,2})\\.(${fields.join("|")})$`);
  const byIndex = new Map<number, Record<string, string>>();
  for (const [key, value] of form.entries()) {
    const m = pattern.exec(key);
    if (!m || typeof value !== "string") continue;
    const i = Number(m[1]);
    if (i >= MAX_POSTED_ROWS) continue;
    const row = byIndex.get(i) ?? {};
    row[m[2]!] = value;
    byIndex.set(i, row);
  }
  const max = Math.max(-1, ...byIndex.keys());
  // Keep positions so an error on row 2 points at row 2's fields.
  return Array.from({ length: max + 1 }, (_, i) => byIndex.get(i) ?? {});
}

/** Reads the posted commitment form into the shape the schema expects. */
export function commitmentRawFromForm(form: FormData): CommitmentRaw {
  const raw: CommitmentRaw = {};
  // A field left out of the post reads as empty, so every rule still runs and reports at once.
  for (const name of SINGLE_FIELDS) {
    const v = form.get(name);
    raw[name] = typeof v === "string" ? v : "";
  }
  raw.principles = form.getAll("principles").filter((v): v is string => typeof v === "string");
  raw.supporting = rowsOf(form, "supporting", ["organisationId", "contribution"]);
  raw.milestones = rowsOf(form, "milestones", ["title", "dueOn"]);
  return raw;
}

export function parseCommitment(raw: CommitmentRaw): { ok: true; data: CommitmentFormOutput } | { ok: false; errors: FieldErrors } {
  const result = CommitmentFormSchema.safeParse(raw);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: fieldErrorsOf(result.error) };
}

// ---------------------------------------------------------------------------------------------
// CSV import

/** The import template's columns, in order; `required` ones must be in the header. */
export const IMPORT_COLUMNS = [
  { name: "external_id", required: false },
  { name: "reference", required: false },
  { name: "title", required: true },
  { name: "problem", required: true },
  { name: "expected_result", required: true },
  { name: "pillar", required: true },
  { name: "principles", required: true },
  { name: "type", required: false },
  { name: "lead_organisation", required: true },
  { name: "lead_contribution", required: false },
  ...Array.from({ length: SUPPORTING_ROWS }, (_, i) => [
    { name: `supporting_organisation_${i + 1}`, required: false },
    { name: `supporting_contribution_${i + 1}`, required: false },
  ]).flat(),
  { name: "contact_name", required: true },
  { name: "contact_email", required: false },
  { name: "starts_on", required: true },
  { name: "ends_on", required: true },
  ...Array.from({ length: MILESTONE_ROWS }, (_, i) => [
    { name: `milestone_${i + 1}`, required: false },
    { name: `milestone_${i + 1}_due`, required: false },
  ]).flat(),
  { name: "visibility", required: false },
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]["name"];
export const MAX_IMPORT_ROWS = 2_000;
/** Bulk entry of commitments is the secretariat's (the policy's `commitments.import`). */
export const IMPORT_PERMISSION = "commitments.import" as const;

/** The CSV column a schema path (`supporting.1.organisationId`) came from, for per-row messages. */
export function importColumnOf(path: string): string {
  const direct: Record<string, string> = {
    title: "title",
    problem: "problem",
    expectedResult: "expected_result",
    pillarId: "pillar",
    principles: "principles",
    type: "type",
    leadOrganisationId: "lead_organisation",
    leadContribution: "lead_contribution",
    contactName: "contact_name",
    contactEmail: "contact_email",
    startsOn: "starts_on",
    endsOn: "ends_on",
    visibility: "visibility",
    madeAtSessionId: "made_at_session",
  };
  if (direct[path]) return direct[path];
  const row = /^(supporting|milestones)\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (row) {
    const n = Number(row[2]) + 1;
    if (row[1] === "supporting") return row[3] === "contribution" ? `supporting_contribution_${n}` : `supporting_organisation_${n}`;
    return row[3] === "dueOn" ? `milestone_${n}_due` : `milestone_${n}`;
  }
  return path;
}

/** Undoes the leading quote that formula-safe exports put before =, +, - and @. */
export function unguardCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
