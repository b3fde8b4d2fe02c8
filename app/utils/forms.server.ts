import { data } from "@remix-run/node";
import type { z } from "zod";
import { fieldErrorsOf, type FieldErrors } from "./validation";

export type FormValues = Record<string, string>;

export type FormFailure = { ok: false; errors: FieldErrors; values: FormValues };

/** Reads a submitted form; a malformed body becomes a 400 rather than an exception. */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw data({ ok: false, errors: { form: "errors.malformedRequest" }, values: {} } satisfies FormFailure, { status: 400 });
  }
}

/** The text fields of a form (never passwords), to give back to the form after an error. */
export function keptValues(form: FormData): FormValues {
  const out: FormValues = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && !/password/i.test(key) && value.length <= 10_000)
      out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return out;
}

export function parseForm<S extends z.ZodTypeAny>(form: FormData, schema: S): { ok: true; data: z.output<S> } | FormFailure {
  const raw: Record<string, string> = {};
  // A repeated field (checkboxes, multiple select) arrives as one comma-separated value.
  for (const [key, value] of form.entries())
    if (typeof value === "string") raw[key] = raw[key] === undefined ? value : `${raw[key]},${value}`;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, errors: fieldErrorsOf(result.error), values: keptValues(form) };
}

/** A 400 response carrying field errors and what the person typed. */
export function invalid(errors: FieldErrors, form: FormData | FormValues, status = 400) {
  const values = form instanceof FormData ? keptValues(form) : form;
  return data({ ok: false, errors, values } satisfies FormFailure, { status });
}
