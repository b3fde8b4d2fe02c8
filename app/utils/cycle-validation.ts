/**
 * Form schemas for the secretariat's cycle pages: opening a cycle, carry-over decisions and the notes
 * given when a cycle closes. Messages are translation keys: `errors.*` (common) or `cycles:errors.*`.
 * Free of server imports, so the interface may use the limits too.
 */
import { z } from "zod";
import { carryKinds, type CarryKind } from "../domain/vocabulary";
import type { FieldErrors } from "./validation";

export const MAX_TITLE = 200;
export const MAX_NOTE = 2000;
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** Carried forward this many times, the work should be rescoped rather than continued again. */
export const RESCOPE_AFTER = 2;
/** A split makes two or three parts. */
export const MAX_PARTS = 3;

/** One message key per field (the first), keeping this namespace's own keys. */
export function cycleErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= issue.message.startsWith("errors.") || issue.message.startsWith("cycles:errors.") ? issue.message : "errors.invalidValue";
  }
  return out;
}

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

/** What a carry-over form sends, flat: `part1Title`, `part2ExpectedResult`, `withIds` (comma-joined). */
export type CarryForm = Record<string, string>;

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

/** Parses one carry-over decision; a split needs its first two parts, and a third is optional. */
export function parseCarryDecision(
  kind: CarryKind,
  raw: CarryForm,
): { ok: true; data: ParsedDecision } | { ok: false; errors: FieldErrors } {
  const fail = (error: z.ZodError) => ({ ok: false as const, errors: cycleErrorsOf(error) });
  switch (kind) {
    case "continued":
    case "withdrawn": {
      const r = ContinueSchema.safeParse(raw);
      return r.success ? { ok: true, data: { kind, rationale: r.data.rationale } } : fail(r.error);
    }
    case "rescoped": {
      const r = RescopeSchema.safeParse(raw);
      return r.success ? { ok: true, data: { kind, ...r.data } } : fail(r.error);
    }
    case "merged": {
      const r = MergeSchema.safeParse(raw);
      return r.success ? { ok: true, data: { kind, ...r.data } } : fail(r.error);
    }
    case "split": {
      const shape: Record<string, z.ZodTypeAny> = { rationale };
      const parts: number[] = [];
      for (let n = 1; n <= MAX_PARTS; n++) {
        const given = (raw[`part${n}Title`] ?? "").trim() !== "" || (raw[`part${n}ExpectedResult`] ?? "").trim() !== "";
        if (n <= 2 || given) {
          shape[`part${n}Title`] = title;
          shape[`part${n}ExpectedResult`] = expectedResult;
          parts.push(n);
        } else {
          shape[`part${n}Title`] = optionalText(MAX_TITLE);
          shape[`part${n}ExpectedResult`] = optionalText(MAX_NOTE);
        }
      }
      const r = z.object(shape).safeParse(raw);
      if (!r.success) return fail(r.error);
      const d = r.data as Record<string, string>;
      return {
        ok: true,
        data: {
          kind,
          rationale: d.rationale!,
          parts: parts.map((n) => ({ title: d[`part${n}Title`]!, expectedResult: d[`part${n}ExpectedResult`]! })),
        },
      };
    }
  }
}

/**
 * The secretariat's notes for closing a cycle: `earlyResult.<commitmentId>` and `note.<commitmentId>`,
 * for commitments of the cycle only. Empty notes are left out.
 */
export function parseCloseNotes(
  raw: CarryForm,
  commitmentIds: readonly number[],
): { ok: true; data: Record<number, { earlyResult: string; note: string }> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const data: Record<number, { earlyResult: string; note: string }> = {};
  for (const id of commitmentIds) {
    const earlyResult = (raw[`earlyResult.${id}`] ?? "").trim();
    const note = (raw[`note.${id}`] ?? "").trim();
    if (earlyResult.length > MAX_NOTE) errors[`earlyResult.${id}`] = "errors.tooLong";
    if (note.length > MAX_NOTE) errors[`note.${id}`] = "errors.tooLong";
    if (earlyResult || note) data[id] = { earlyResult, note };
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, data };
}

/** A form's text fields as one record (repeated fields comma-joined, as `parseForm` does). */
export function formRecord(form: FormData): CarryForm {
  const raw: CarryForm = {};
  for (const [key, value] of form.entries())
    if (typeof value === "string") raw[key] = raw[key] === undefined ? value : `${raw[key]},${value}`;
  return raw;
}
