/**
 * What a progress update, a secretariat check and a milestone completion must look like.
 * Shared by the commitment page (limits, `accept`) and its action; messages are keys in the `commitment` namespace.
 */
import { z } from "zod";
import { completionLevels } from "../domain/vocabulary";

/** At most this many files on one update (each at most `EVIDENCE_MAX_BYTES`, a server setting). */
export const EVIDENCE_MAX_FILES = 5;

/** The evidence link fields of the form. */
export const EVIDENCE_LINK_FIELDS = ["link1", "link2", "link3"] as const;

export const MAX_NARRATIVE = 5000;
export const MAX_NOTE = 1000;
export const MAX_URL = 2000;

/** The kinds of file accepted as evidence, by their canonical MIME type, with the names they may carry. */
export const evidenceTypes = {
  "application/pdf": [".pdf"],
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "text/plain": [".txt"],
  "text/csv": [".csv"],
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": [".docx"],
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
} as const satisfies Record<string, readonly string[]>;
export type EvidenceType = keyof typeof evidenceTypes;

/** For `<input type="file" accept>`. */
export const evidenceAccept = [...Object.values(evidenceTypes).flat(), ...Object.keys(evidenceTypes)].join(",");

const msg = (key: string) => `commitment:errors.${key}`;

const httpsUrl = z
  .string()
  .trim()
  .max(MAX_URL, msg("urlTooLong"))
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: msg("urlInvalid") });
      return z.NEVER;
    }
    if (url.protocol !== "https:" || !url.hostname || url.username || url.password) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: msg("urlInvalid") });
      return z.NEVER;
    }
    return url.href;
  });

export const ProgressSchema = z
  .object({
    completion: z.enum(completionLevels, { errorMap: () => ({ message: msg("completionRequired") }) }),
    percent: z
      .string({ required_error: msg("percentInvalid") })
      .trim()
      .regex(/^\d{1,3}$/, msg("percentInvalid"))
      .transform(Number)
      .refine((n) => n >= 0 && n <= 100, msg("percentInvalid")),
    narrative: z
      .string({ required_error: msg("narrativeRequired") })
      .trim()
      .min(1, msg("narrativeRequired"))
      .max(MAX_NARRATIVE, msg("narrativeTooLong")),
    link1: httpsUrl,
    link2: httpsUrl,
    link3: httpsUrl,
  })
  .superRefine((v, ctx) => {
    if (v.completion === "complete" && v.percent !== 100)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["percent"], message: msg("completeNeeds100") });
    if (v.completion === "not_started" && v.percent !== 0)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["percent"], message: msg("notStartedNeeds0") });
  })
  .transform(({ link1, link2, link3, ...rest }) => ({
    ...rest,
    // The same link given twice is kept once.
    links: [...new Set([link1, link2, link3].filter((l): l is string => l !== null))],
  }));
export type ProgressFormData = z.output<typeof ProgressSchema>;

const positiveId = z
  .string({ required_error: "errors.invalidValue" })
  .regex(/^\d{1,12}$/, "errors.invalidValue")
  .transform(Number)
  .refine((n) => n > 0, "errors.invalidValue");

export const VerifySchema = z.object({
  updateId: positiveId,
  note: z.string().trim().max(MAX_NOTE, msg("noteTooLong")).optional().default(""),
});

/** A calendar date that exists (YYYY-MM-DD). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export const MilestoneDoneSchema = z.object({
  milestoneId: positiveId,
  doneOn: z
    .string({ required_error: msg("dateInvalid") })
    .trim()
    .refine(isIsoDate, msg("dateInvalid")),
});

const milestoneFields = {
  title: z
    .string({ required_error: "registry:errors.milestoneTitleMissing" })
    .trim()
    .min(1, "registry:errors.milestoneTitleMissing")
    .max(200, "errors.tooLong"),
  dueOn: z
    .string({ required_error: "registry:errors.milestoneDueMissing" })
    .trim()
    .min(1, "registry:errors.milestoneDueMissing")
    .refine(isIsoDate, msg("dateInvalid")),
};

/** A new milestone: a title and a due date (the model checks it falls due by the commitment's end). */
export const MilestoneSchema = z.object(milestoneFields);

/** A change to a milestone not yet done. */
export const MilestoneChangeSchema = z.object({ milestoneId: positiveId, ...milestoneFields });

/** The extension of a file name, lower case with its dot ("" if none). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(dot).toLowerCase() : "";
}
