/**
 * Form and payload schemas shared by the interface and the server.
 * Messages are translation keys under `errors.*`, rendered in the reader's language.
 */
import { z } from "zod";
import {
  attributionRules,
  breakoutAssignmentModes,
  cadences,
  documentVisibilities,
  eventKinds,
  eventVisibilities,
  memberships,
  roles,
  sessionKinds,
  stakeholderGroups,
} from "../domain/vocabulary";
import { countryCodes } from "./countries";
import { messageWith } from "./messages";
import { canonicalTimeZone } from "./time-zones";
import { resolveLocalTime } from "./zoned-time";

export const MAX_TEXT = 200;

const email = z
  .string({ required_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .max(254, "errors.tooLong")
  .email("errors.emailInvalid")
  .transform((v) => v.toLowerCase());

const personName = z.string().trim().min(1, "errors.required").max(MAX_TEXT, "errors.tooLong");

export const newPassword = z.string({ required_error: "errors.required" }).min(12, "errors.passwordTooShort").max(200, "errors.tooLong");

const optionalId = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return n;
  });

/** A zone by any name Intl knows (old spellings such as Asia/Calcutta included), kept by its current IANA name. */
const timeZoneName = z.string({ required_error: "errors.required" }).transform((v, ctx) => {
  const zone = canonicalTimeZone(v);
  if (!zone) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.timeZoneInvalid" });
    return z.NEVER;
  }
  return zone;
});

/**
 * The error for a wall-clock time that does not exist on that date in that zone (the clocks jump over
 * it), or null when it does. A time that happens twice is its first occurrence, and allowed.
 */
export function skippedTimeError(date: string, time: string, timeZone: string): string | null {
  const resolved = resolveLocalTime(date, time, timeZone);
  if (resolved.ok) return null;
  return messageWith("calendar:errors.localTimeSkipped", { time, date, zone: timeZone, ...resolved.skipped });
}

/** The first of a form's wall-clock times (a date with a start and an end time) that does not exist in the zone. */
export function skippedTimes(
  timeZone: string,
  input: { date: string; startTime: string; endTime: string },
): { field: "startTime" | "endTime"; error: string } | null {
  for (const field of ["startTime", "endTime"] as const) {
    const error = skippedTimeError(input.date, input[field], timeZone);
    if (error) return { field, error };
  }
  return null;
}

export const SignInSchema = z.object({
  email,
  password: z.string({ required_error: "errors.required" }).min(1, "errors.required").max(200, "errors.tooLong"),
  redirectTo: z.string().max(500).optional(),
});

export const InviteSchema = z.object({
  email,
  role: z.enum(roles, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  organisationId: optionalId,
});

export const AcceptInvitationSchema = z
  .object({
    name: personName,
    password: newPassword,
    confirmPassword: z.string({ required_error: "errors.required" }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "errors.passwordsDiffer" });

export const OrganisationSchema = z.object({
  name: z.string({ required_error: "errors.required" }).trim().min(2, "errors.tooShort").max(MAX_TEXT, "errors.tooLong"),
  stakeholderGroup: z.enum(stakeholderGroups, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  country: z.enum(countryCodes, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
});

export const AccountSchema = z.object({
  name: personName,
  timeZone: z
    .union([z.literal("").transform(() => null), timeZoneName])
    .optional()
    .transform((v) => v ?? null),
});

export const PasswordChangeSchema = z
  .object({
    currentPassword: z.string({ required_error: "errors.required" }).min(1, "errors.required").max(200, "errors.tooLong"),
    password: newPassword,
    confirmPassword: z.string({ required_error: "errors.required" }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "errors.passwordsDiffer" });

export const RoleChangeSchema = z.object({
  role: z.enum(roles, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
});

export const AuditFilterSchema = z.object({
  actor: z.coerce.number().int().positive().optional().catch(undefined),
  action: z.string().max(100).optional().catch(undefined),
  targetType: z.string().max(50).optional().catch(undefined),
  from: z.string().date().optional().catch(undefined),
  to: z.string().date().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export type FieldErrors = Record<string, string>;

/** A message key of ours: `errors.*` (common) or a namespace's own `registry:errors.*`; zod's own English texts are not. */
const MESSAGE_KEY = /^(\w+:)?errors\./;

/** Turns a zod error into one message key per field (the first), ready for the form to show. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= MESSAGE_KEY.test(issue.message) ? issue.message : "errors.invalidValue";
  }
  return out;
}

const optionalPositiveInt = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0 || n > 100_000) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.positiveNumber" });
      return z.NEVER;
    }
    return n;
  });

/** A textarea read as its non-empty, trimmed lines: at most `max` of them, each cut to `maxLength`. */
const textLines = (max: number, maxLength: number) =>
  z
    .string()
    .max(5_000, "errors.tooLong")
    .optional()
    .transform((v) =>
      (v ?? "")
        .split("\n")
        .map((line) => line.trim().slice(0, maxLength))
        .filter(Boolean)
        .slice(0, max),
    );

const time = z.string({ required_error: "errors.required" }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, "errors.timeInvalid");

export const SessionFormSchema = z.object({
  title: z.string({ required_error: "errors.required" }).trim().min(2, "errors.tooShort").max(MAX_TEXT, "errors.tooLong"),
  kind: z.enum(sessionKinds, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  description: z
    .string()
    .max(10_000, "errors.tooLong")
    .optional()
    .transform((v) => v ?? ""),
  roomId: optionalId,
  pillarId: optionalId,
  date: z.string({ required_error: "errors.required" }).date("errors.dateInvalid"),
  startTime: time,
  endTime: time,
  capacity: optionalPositiveInt,
  attribution: z.enum(attributionRules, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  speakerIds: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(",")
            .map(Number)
            .filter((n) => Number.isInteger(n) && n > 0)
        : [],
    ),
  guests: textLines(20, 2 * MAX_TEXT).transform((lines) =>
    lines.map((line) => {
      const [name, ...org] = line.split(",");
      return { name: name!.trim().slice(0, MAX_TEXT), organisation: org.join(",").trim().slice(0, MAX_TEXT) || null };
    }),
  ),
  acceptConflicts: z
    .string()
    .optional()
    .transform((v) => v === "1"),
  everyRoom: z
    .string()
    .optional()
    .transform((v) => v === "1"),
});

const optionalUrl = z
  .string()
  .trim()
  .max(500, "errors.tooLong")
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || /^https:\/\/\S+$/i.test(v), "errors.urlInvalid");

export const EventFormSchema = z
  .object({
    kind: z.enum(eventKinds, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
    seriesId: optionalId,
    newSeriesName: z
      .string()
      .trim()
      .max(MAX_TEXT, "errors.tooLong")
      .optional()
      .transform((v) => v || null),
    newSeriesCadence: z.enum(cadences).optional().catch(undefined),
    title: z.string({ required_error: "errors.required" }).trim().min(3, "errors.tooShort").max(MAX_TEXT, "errors.tooLong"),
    description: z
      .string()
      .max(10_000, "errors.tooLong")
      .optional()
      .transform((v) => v ?? ""),
    startsOn: z.string({ required_error: "errors.required" }).date("errors.dateInvalid"),
    endsOn: z.string({ required_error: "errors.required" }).date("errors.dateInvalid"),
    timeZone: timeZoneName,
    venue: z
      .string()
      .trim()
      .max(MAX_TEXT, "errors.tooLong")
      .optional()
      .transform((v) => v || null),
    onlineUrl: optionalUrl,
    visibility: z.enum(eventVisibilities, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
    invitedGroups: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").filter((g): g is string => (stakeholderGroups as readonly string[]).includes(g)) : [])),
    registrationRequiresApproval: z
      .string()
      .optional()
      .transform((v) => v === "1"),
    rooms: textLines(50, 100),
  })
  .refine((v) => v.endsOn >= v.startsOn, { path: ["endsOn"], message: "errors.endBeforeStart" })
  .refine((v) => Date.parse(v.endsOn) - Date.parse(v.startsOn) <= 30 * 86_400_000, { path: ["endsOn"], message: "errors.eventTooLong" })
  .refine((v) => v.visibility !== "groups" || v.invitedGroups.length > 0, { path: ["invitedGroups"], message: "errors.chooseGroups" });

// Working groups and their documents

const requiredId = z
  .string({ required_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .transform((v, ctx) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.invalidChoice" });
      return z.NEVER;
    }
    return n;
  });

export const WorkingGroupSchema = z.object({
  name: z
    .string({ required_error: "errors.required" })
    .trim()
    .min(1, "errors.required")
    .min(2, "errors.tooShort")
    .max(MAX_TEXT, "errors.tooLong"),
  description: z
    .string()
    .max(5_000, "errors.tooLong")
    .optional()
    .transform((v) => (v ?? "").trim()),
  pillarId: requiredId,
  leadId: optionalId,
});

export const GroupMemberSchema = z.object({
  userId: requiredId,
  membership: z.enum(memberships, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
});

/** A document's title, summary and who may read it: when it is created and in its settings. */
export const DocumentSchema = z.object({
  title: z
    .string({ required_error: "errors.required" })
    .trim()
    .min(1, "errors.required")
    .min(2, "errors.tooShort")
    .max(MAX_TEXT, "errors.tooLong"),
  summary: z
    .string()
    .max(2_000, "errors.tooLong")
    .optional()
    .transform((v) => (v ?? "").trim()),
  visibility: z.enum(documentVisibilities, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
});

export const VersionNameSchema = z.object({
  name: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(MAX_TEXT, "errors.tooLong"),
});

/** The breakout console: a countdown's length in minutes (1 to 240), as typed. */
export const BreakoutMinutesSchema = z.object({
  minutes: z
    .string({ required_error: "breakoutRoom:errors.minutes" })
    .trim()
    .regex(/^\d{1,3}$/, "breakoutRoom:errors.minutes")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 240, "breakoutRoom:errors.minutes"),
});

/** The breakout console: a message to every room (the chat's own limit). */
export const BreakoutBroadcastSchema = z.object({
  body: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(2_000, "breakoutRoom:errors.broadcast"),
});

/** The breakout console: moving a person to another running room. */
export const BreakoutMoveSchema = z.object({ userId: requiredId, toRoomId: requiredId });

// Breakout planning ----------------------------------------------------------

const optionalCapacity = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "breakouts:errors.capacityInvalid" });
      return z.NEVER;
    }
    return n;
  });

/** A breakout room as the planning page edits it. */
export const BreakoutRoomSchema = z.object({
  name: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(MAX_TEXT, "errors.tooLong"),
  question: z
    .string()
    .max(2_000, "errors.tooLong")
    .optional()
    .transform((v) => (v ?? "").trim()),
  pillarId: optionalId,
  capacity: optionalCapacity,
  facilitatorId: optionalId,
  rapporteurId: optionalId,
  venueRoomId: optionalId,
  meetingUrl: optionalUrl,
});
export type BreakoutRoomInput = z.output<typeof BreakoutRoomSchema>;

/** How people get their room, and whether observers may follow the rooms. */
export const BreakoutOptionsSchema = z.object({
  assignmentMode: z.enum(breakoutAssignmentModes, { errorMap: () => ({ message: "errors.invalidChoice" }) }),
  observersMayWatch: z
    .string()
    .optional()
    .transform((v) => v === "1" || v === "on"),
});
export type BreakoutOptionsInput = z.output<typeof BreakoutOptionsSchema>;

/** One person put in a room by hand (`roomId` empty: unassigned). */
export const BreakoutAssignSchema = z.object({ userId: requiredId, roomId: optionalId });

/** A room chosen (or, for a planned assignment, the pillar preferred through its room). */
export const BreakoutChooseSchema = z.object({ roomId: requiredId });

/** The CSV text of an assignment, pasted or uploaded. */
export const BreakoutImportSchema = z.object({
  csv: z.string().max(1_000_000, "errors.tooLong").optional().default(""),
});

export const BreakoutCopySchema = z.object({ sourceSessionId: requiredId });
