/**
 * Form schemas for the secretariat's cycle pages: opening a cycle, carry-over decisions and the notes
 * given when a cycle closes. Messages are translation keys: `errors.*` (common) or `cycles:errors.*`.
 * Free of server imports, so the interface may use the limits too.
 */
import { z } from "zod";
import { carryKinds, type CarryKind } from "../domain/vocabulary";

export const MAX_TITLE = 200;
export const MAX_NOTE = 2000;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** Carried forward this many times, the work should be rescoped rather than continued again. */
export const RESCOPE_AFTER = 2;
/** A split makes two or three parts. */
export const MAX_PARTS = 3;

const isoDate = z
  .string({ required_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}$/.test(v) &&
      !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
      new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    "errors.dateInvalid",
  );

export const OpenCycleSchema = z
  .object({
    year: z
      .string({ required_error: "errors.required" })
      .trim()
      .min(1, "errors.required")
      .refine((v) => /^\d{4}$/.test(v) && Number(v) >= MIN_YEAR && Number(v) <= MAX_YEAR, "cycles:errors.yearInvalid")
      .transform(Number),
    reportOn: isoDate,
  })
  // The report comes during the cycle's year or early in the next one.
  .refine(
    (v) => {
      const y = Number(v.reportOn.slice(0, 4));
      return y === v.year || y === v.year + 1;
    },
    { path: ["reportOn"], message: "cycles:errors.reportOnOutsideYear" },
  );
export type OpenCycleInput = z.output<typeof OpenCycleSchema>;

const rationale = z
  .string({ required_error: "cycles:errors.rationaleRequired" })
  .trim()
  .min(1, "cycles:errors.rationaleRequired")
  .max(MAX_NOTE, "errors.tooLong");
const title = z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(MAX_TITLE, "errors.tooLong");
const expectedResult = z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(MAX_NOTE, "errors.tooLong");
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, "errors.tooLong")
    .optional()
    .transform((v) => v ?? "");

export type ParsedDecision =
  | { kind: "continued"; rationale: string }
  | { kind: "rescoped"; rationale: string; title: string; expectedResult: string }
  | { kind: "split"; rationale: string; parts: { title: string; expectedResult: string }[] }
  | { kind: "merged"; rationale: string; withIds: number[]; title: string; expectedResult: string }
  | { kind: "withdrawn"; rationale: string };

export function isCarryKind(value: unknown): value is CarryKind {
  return typeof value === "string" && (carryKinds as readonly string[]).includes(value);
}

const ContinueSchema = z.object({ rationale });
const RescopeSchema = z.object({ rationale, title, expectedResult });
const MergeSchema = z.object({
  rationale,
  title,
  expectedResult,
  withIds: z
    .string({ required_error: "cycles:errors.chooseMerge" })
    .transform((v) => v.split(",").filter(Boolean).map(Number))
    .refine((ids) => ids.length > 0, "cycles:errors.chooseMerge")
    .refine((ids) => ids.every((n) => Number.isInteger(n) && n > 0) && new Set(ids).size === ids.length, "errors.invalidChoice"),
});

/** The parts of a split, numbered from 1: the first two are needed, the others only when begun. */
const partNumbers = Array.from({ length: MAX_PARTS }, (_, i) => i + 1);
const REQUIRED_PARTS = 2;

const splitShape: Record<string, z.ZodTypeAny> = { rationale };
for (const n of partNumbers) {
  splitShape[`part${n}Title`] = n <= REQUIRED_PARTS ? title : optionalText(MAX_TITLE);
  splitShape[`part${n}ExpectedResult`] = n <= REQUIRED_PARTS ? expectedResult : optionalText(MAX_NOTE);
}

const SplitSchema = z
  .object(splitShape)
  .superRefine((v, ctx) => {
    const d = v as Record<string, string>;
    // A part begun must be whole: its title and expected result together.
    for (const n of partNumbers.slice(REQUIRED_PARTS)) {
      if (!d[`part${n}Title`] && !d[`part${n}ExpectedResult`]) continue;
      for (const field of [`part${n}Title`, `part${n}ExpectedResult`])
        if (!d[field]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: "errors.required" });
    }
  })
  .transform((v) => {
    const d = v as Record<string, string>;
    return {
      rationale: d.rationale!,
      parts: partNumbers
        .filter((n) => d[`part${n}Title`])
        .map((n) => ({ title: d[`part${n}Title`]!, expectedResult: d[`part${n}ExpectedResult`]! })),
    };
  });

/** The form of one carry-over decision, by its kind. */
export function carryDecisionSchema(kind: CarryKind): z.ZodType<ParsedDecision, z.ZodTypeDef, unknown> {
  switch (kind) {
    case "continued":
    case "withdrawn":
      return ContinueSchema.transform((v) => ({ kind, rationale: v.rationale }));
    case "rescoped":
      return RescopeSchema.transform((v) => ({ kind, ...v }));
    case "merged":
      return MergeSchema.transform((v) => ({ kind, ...v }));
    case "split":
      return SplitSchema.transform((v) => ({ kind, ...v }));
  }
}

/**
 * The secretariat's notes for closing a cycle: `earlyResult.<commitmentId>` and `note.<commitmentId>`,
 * for commitments of the cycle only. Empty notes are left out.
 */
export function closeNotesSchema(commitmentIds: readonly number[]) {
  const shape: Record<string, z.ZodTypeAny> = {};
  for (const id of commitmentIds) shape[`earlyResult.${id}`] = shape[`note.${id}`] = optionalText(MAX_NOTE);
  return z.object(shape).transform((v) => {
    const d = v as Record<string, string>;
    const notes: Record<number, { earlyResult: string; note: string }> = {};
    for (const id of commitmentIds) {
      const earlyResult = d[`earlyResult.${id}`] ?? "";
      const note = d[`note.${id}`] ?? "";
      if (earlyResult || note) notes[id] = { earlyResult, note };
    }
    return notes;
  });
}
