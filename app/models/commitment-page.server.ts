/**
 * The server side of a commitment's page: what it shows to whom (the loader's data), and its forms
 * (a progress update, with or without evidence files; the secretariat's check; a milestone done,
 * added or changed; a draft confirmed). Each form is read here and handed to one model write, which decides; a refusal becomes the
 * page's message with the matching status.
 */
import { data, type AppLoadContext } from "@remix-run/node";
import { z } from "zod";
import { forbidden, notFound, requireReader, requireUser } from "../utils/auth.server";
import { parseForm, readForm, keptValues } from "../utils/forms.server";
import { MAX_LONG_TEXT, MAX_TITLE } from "../utils/commitment-validation";
import { can } from "../utils/policy";
import {
  EVIDENCE_MAX_FILES,
  MilestoneChangeSchema,
  MilestoneDoneSchema,
  MilestoneSchema,
  ProgressSchema,
  VerifySchema,
} from "../utils/progress-validation";
import { utcToZoned } from "../utils/zoned-time";
import { breakoutWhereMade } from "./breakout-reports.server";
import {
  addMilestone,
  addProgressUpdate,
  changeMilestone,
  completeMilestone,
  confirmCommitment,
  currentCycle,
  getCommitment,
  lineageOf,
  listProgress,
  progressRefusal,
  takesProgress,
  verifyProgressUpdate,
  type Commitment,
  type Failure,
} from "./commitments.server";
import { refusalStatus } from "./commitment-refusals.server";
import { visibleEvent } from "./events.server";
import {
  commitmentsAccess,
  commitmentTitles,
  evidenceDir,
  receiveEvidenceUpload,
  sessionWhereMade,
  storeStagedFile,
  UploadRefused,
  type FileProblem,
} from "./evidence.server";
import type { SessionUser } from "./session.server";

// ---------------------------------------------------------------------------------------------
// Access

function idOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return id;
}

/**
 * The commitment and its reader. A public commitment can be read without an account; for anything
 * else someone signed out is sent to sign in, and someone who may not see it gets a 404.
 */
function readableCommitment(context: AppLoadContext, request: Request, idParam: string | undefined) {
  const commitment = getCommitment(context.services.db, idOf(idParam)) ?? notFound();
  const user = requireReader(context, request, (u) =>
    can(u, "commitment.view", { visibility: commitment.visibility, organisationIds: commitment.organisationIds }),
  );
  return { user, commitment };
}

/** The reader's calendar date, in their own time zone when they set one. */
function todayFor(user: SessionUser | null): string {
  return utcToZoned(new Date(), user?.timeZone ?? "UTC").date;
}

/** One end of a carry-over link as a reader sees it. */
export type LineageEnd = { visible: true; id: number; reference: string; title: string } | { visible: false };

// ---------------------------------------------------------------------------------------------
// Loader

export function loadCommitmentPage(context: AppLoadContext, request: Request, idParam: string | undefined) {
  const { user, commitment } = readableCommitment(context, request, idParam);
  const db = context.services.db;
  const env = context.services.env;
  const today = todayFor(user);

  const lineage = lineageOf(db, commitment.reference);
  const linkedIds = lineage.links.flatMap((l) => [l.fromId, l.toId]).filter((id): id is number => id !== null);
  const yearIds = lineage.years.map((y) => y.id);
  const access = commitmentsAccess(db, [...new Set([...yearIds, ...linkedIds])]);
  const viewable = (id: number | null) => {
    const a = id === null ? undefined : access.get(id);
    return !!a && can(user, "commitment.view", a);
  };
  const titles = commitmentTitles(db, linkedIds.filter(viewable));
  // The other end of a carry-over link: named when this reader may see it, otherwise only said to exist
  // ("an earlier commitment you cannot see"), with nothing of it (reference, title, rationale) sent.
  const other = (id: number | null, reference: string | null): LineageEnd =>
    id !== null && viewable(id) ? { visible: true, id, reference: reference ?? "", title: titles.get(id) ?? "" } : { visible: false };

  const years = lineage.years
    .filter((y) => y.id === commitment.id || viewable(y.id))
    .map((y) => ({
      id: y.id,
      year: y.year,
      title: y.title,
      status: y.status,
      assessment: y.assessment
        ? {
            completion: y.assessment.completion,
            percent: y.assessment.percent,
            earlyResult: y.assessment.earlyResult,
            note: y.assessment.note,
          }
        : null,
      // What this year's record became, and where it came from when that was another reference (split, merged).
      out: lineage.links
        .filter((l) => l.fromId === y.id)
        .map((l) => {
          const target = other(l.toId, l.toReference);
          const withdrawn = l.toId === null;
          return { kind: l.kind, rationale: withdrawn || target.visible ? l.rationale : null, decidedAt: l.decidedAt, withdrawn, target };
        }),
      in: lineage.links
        .filter((l) => l.toId === y.id && !yearIds.includes(l.fromId))
        .map((l) => {
          const source = other(l.fromId, l.fromReference);
          return { kind: l.kind, rationale: source.visible ? l.rationale : null, decidedAt: l.decidedAt, source };
        }),
    }));

  const cycle = currentCycle(db);
  const currentRecord = cycle ? (lineage.years.find((y) => y.year === cycle.year && viewable(y.id)) ?? null) : null;
  const mayReport = can(user, "commitment.report", { organisationIds: commitment.organisationIds });
  const open = takesProgress(db, commitment);

  const updates = listProgress(db, commitment.reference)
    .filter((u) => u.commitmentId === commitment.id || viewable(u.commitmentId))
    .map((u) => ({
      id: u.id,
      year: u.year,
      completion: u.completion,
      percent: u.percent,
      narrative: u.narrative,
      createdAt: u.createdAt,
      // Names of people are for members; the public sees the organisation.
      author: user ? u.author : null,
      organisation: u.organisation,
      verifiedAt: u.verifiedAt,
      verificationNote: u.verificationNote,
      links: u.evidence.filter((e) => e.kind === "link" && e.url?.startsWith("https://")).map((e) => ({ id: e.id, url: e.url! })),
      files: u.evidence
        .filter((e) => e.kind === "file")
        .map((e) => ({ id: e.id, fileName: e.fileName ?? "evidence", mimeType: e.mimeType ?? "", size: e.size ?? 0 })),
    }));

  const made = commitment.madeAtSessionId ? sessionWhereMade(db, commitment.madeAtSessionId) : null;
  const madeAt = made && visibleEvent(db, user, made.eventId) ? made : null;
  // Proposed at a breakout: the session and room, with the plenary page's report-backs for those who may follow it.
  const madeAtBreakout =
    commitment.madeAtSessionId !== null && commitment.madeAtBreakoutRoomId !== null
      ? breakoutWhereMade(db, user, commitment.madeAtSessionId, commitment.madeAtBreakoutRoomId)
      : null;
  const leadName = commitment.owners.find((o) => o.part === "lead")?.name ?? "";

  return {
    commitment: {
      id: commitment.id,
      reference: commitment.reference,
      title: commitment.title,
      problem: commitment.problem,
      expectedResult: commitment.expectedResult,
      principles: commitment.principles,
      type: commitment.type,
      pillarName: commitment.pillarName,
      year: commitment.year,
      cycleStatus: commitment.cycleStatus,
      status: commitment.status,
      visibility: commitment.visibility,
      contactName: commitment.contactName,
      contactEmail: user ? commitment.contactEmail : null,
      startsOn: commitment.startsOn,
      endsOn: commitment.endsOn,
      owners: commitment.owners.map((o) => ({
        organisationId: o.organisationId,
        name: o.name,
        part: o.part,
        contribution: o.contribution,
      })),
    },
    milestones: commitment.milestones.map((m) => ({
      id: m.id,
      title: m.title,
      dueOn: m.dueOn,
      doneOn: m.doneOn,
      overdue: !m.doneOn && m.dueOn < today && commitment.status === "open",
    })),
    madeAt: madeAtBreakout ? null : madeAt,
    madeAtBreakout,
    draft: commitment.status === "draft" ? { organisation: leadName } : null,
    canConfirm:
      commitment.status === "draft" &&
      commitment.cycleStatus === "open" &&
      can(user, "commitment.edit", { leadOrganisationId: commitment.leadOrganisationId }),
    years,
    carriedTimes: lineage.carriedTimes,
    currentRecord: currentRecord && currentRecord.id !== commitment.id ? { id: currentRecord.id, year: currentRecord.year } : null,
    updates,
    today,
    signedIn: !!user,
    canReport: mayReport && open,
    canMarkMilestones: mayReport && open,
    canEditMilestones: open && can(user, "commitment.edit", { leadOrganisationId: commitment.leadOrganisationId }),
    canVerify: can(user, "progress.verify"),
    limits: { maxBytes: env.EVIDENCE_MAX_BYTES, maxFiles: EVIDENCE_MAX_FILES },
  };
}
export type CommitmentPageData = ReturnType<typeof loadCommitmentPage>;

// ---------------------------------------------------------------------------------------------
// Actions

const confirmText = (max: number) =>
  z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(max, "errors.tooLong");
const confirmDate = z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").date("errors.dateInvalid");

/** A draft's details as its organisation completes them when confirming it. */
const ConfirmSchema = z.object({
  title: confirmText(MAX_TITLE).pipe(z.string().min(3, "errors.tooShort")),
  problem: confirmText(MAX_LONG_TEXT),
  expectedResult: confirmText(MAX_LONG_TEXT),
  startsOn: confirmDate,
  endsOn: confirmDate,
});

export type Intent = "progress" | "verify" | "milestone" | "milestoneAdd" | "milestoneChange" | "confirm";

export interface ActionResult {
  ok: boolean;
  intent: Intent | null;
  /** A translation key, with its namespace, for the form-level message. */
  message: string | null;
  /** What the message names (a milestone's title). */
  params?: Record<string, string>;
  /** The update or milestone the message is about. */
  about?: number;
  errors: Record<string, string>;
  fileErrors: { key: string; name: string }[];
  values: Record<string, string>;
}

function done(intent: Intent, message: string, about?: number) {
  return data<ActionResult>({ ok: true, intent, message, about, errors: {}, fileErrors: [], values: {} });
}

function failed(
  intent: Intent | null,
  init: {
    message?: string;
    params?: Record<string, string>;
    about?: number;
    errors?: Record<string, string>;
    fileErrors?: ActionResult["fileErrors"];
    form?: FormData;
  },
  status = 400,
) {
  return data<ActionResult>(
    {
      ok: false,
      intent,
      message: init.message ?? null,
      params: init.params,
      about: init.about,
      errors: init.errors ?? {},
      fileErrors: init.fileErrors ?? [],
      values: init.form ? keptValues(init.form) : {},
    },
    { status },
  );
}

/** A model's refusal as the page's answer: fields keep their messages, the rest is the form's message. */
function refused(intent: Intent, failure: Failure, init: { about?: number; form?: FormData } = {}) {
  if (failure.refusal === "forbidden") throw forbidden();
  const { form: message, ...errors } = failure.errors;
  // Messages of the common namespace come without one.
  const qualified = message === undefined ? undefined : message.includes(":") ? message : `common:${message}`;
  return failed(intent, { ...init, message: qualified, params: failure.params, errors }, refusalStatus[failure.refusal]);
}

const fileProblemKeys: Record<FileProblem, string> = {
  tooLarge: "commitment:errors.fileTooLarge",
  tooMany: "commitment:errors.fileTooMany",
  empty: "commitment:errors.fileEmpty",
  badType: "commitment:errors.fileBadType",
};

const uploadRefusedKeys: Record<UploadRefused["reason"], string> = {
  textTooLarge: "commitment:errors.filesTooLarge",
  badFileName: "commitment:errors.fileNameUnreadable",
  malformed: "commitment:errors.uploadMalformed",
};

/** Handles one of the page's forms. */
export async function commitmentPageAction(context: AppLoadContext, request: Request, idParam: string | undefined) {
  const user = requireUser(context, request);
  const { commitment } = readableCommitment(context, request, idParam);
  // Every change on this page is for the people behind the commitment and the secretariat.
  if (!can(user, "commitment.report", { organisationIds: commitment.organisationIds })) throw forbidden();

  // Files come only with a progress update.
  if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data"))
    return postProgressWithFiles(context, request, user, commitment);

  const { db } = context.services;
  const meta = context.requestMeta;
  const form = await readForm(request);
  const intent = form.get("intent");

  if (intent === "confirm") {
    // Confirming a draft proposed at a breakout, with its details completed: its lead organisation and the secretariat.
    const parsed = parseForm(form, ConfirmSchema);
    if (!parsed.ok) return failed("confirm", { errors: parsed.errors, form });
    const result = confirmCommitment(db, user, commitment.id, meta, parsed.data);
    return result.ok ? done("confirm", "done.confirmed") : refused("confirm", result, { form });
  }

  if (intent === "progress") {
    const refusal = progressRefusal(db, user, commitment);
    if (refusal) return refused("progress", refusal, { form });
    const parsed = parseForm(form, ProgressSchema);
    if (!parsed.ok) return failed("progress", { errors: parsed.errors, form });
    const result = addProgressUpdate(db, user, commitment.id, { ...parsed.data, files: [] }, meta);
    return result.ok ? done("progress", "done.posted", result.id) : refused("progress", result, { form });
  }

  if (intent === "verify") {
    if (!can(user, "progress.verify")) throw forbidden();
    const parsed = parseForm(form, VerifySchema);
    if (!parsed.ok) return failed("verify", { errors: parsed.errors, form });
    const { updateId, note } = parsed.data;
    const result = verifyProgressUpdate(db, user, { commitmentId: commitment.id, updateId, note }, meta);
    return result.ok ? done("verify", "done.verified", updateId) : refused("verify", result, { about: updateId });
  }

  if (intent === "milestone") {
    const parsed = parseForm(form, MilestoneDoneSchema);
    if (!parsed.ok) return failed("milestone", { errors: parsed.errors, form, about: Number(form.get("milestoneId")) || undefined });
    const { milestoneId, doneOn } = parsed.data;
    const result = completeMilestone(db, user, { commitmentId: commitment.id, milestoneId, doneOn, today: todayFor(user) }, meta);
    if (result.ok) return done("milestone", "done.milestone", milestoneId);
    // A mistake in the date is shown at its field, with the date given back; a refusal says why above the table.
    return refused("milestone", result, { about: milestoneId, form: result.refusal === "invalid" ? form : undefined });
  }

  if (intent === "milestoneAdd") {
    const parsed = parseForm(form, MilestoneSchema);
    if (!parsed.ok) return failed("milestoneAdd", { errors: parsed.errors, form });
    const result = addMilestone(db, user, commitment.id, parsed.data, meta);
    return result.ok ? done("milestoneAdd", "done.milestoneAdded", result.id) : refused("milestoneAdd", result, { form });
  }

  if (intent === "milestoneChange") {
    const about = Number(form.get("milestoneId")) || undefined;
    const parsed = parseForm(form, MilestoneChangeSchema);
    if (!parsed.ok) return failed("milestoneChange", { errors: parsed.errors, form, about });
    const { milestoneId, ...change } = parsed.data;
    const result = changeMilestone(db, user, { commitmentId: commitment.id, milestoneId, ...change }, meta);
    return result.ok ? done("milestoneChange", "done.milestoneChanged", milestoneId) : refused("milestoneChange", result, { form, about });
  }

  return failed(null, { message: "common:errors.malformedRequest", form });
}

/**
 * A progress update with evidence files. The body is read only once the update would be taken, so
 * nothing is stored for a refused one; files chosen alongside a mistake elsewhere are not kept.
 */
async function postProgressWithFiles(context: AppLoadContext, request: Request, user: SessionUser, commitment: Commitment) {
  const { db, env } = context.services;
  const refusal = progressRefusal(db, user, commitment);
  if (refusal) return refused("progress", refusal);
  const dir = evidenceDir(env.DATABASE_PATH);
  let upload: Awaited<ReturnType<typeof receiveEvidenceUpload>>;
  try {
    upload = await receiveEvidenceUpload(request, dir, { maxBytes: env.EVIDENCE_MAX_BYTES, maxFiles: EVIDENCE_MAX_FILES });
  } catch (error) {
    if (error instanceof UploadRefused)
      return failed("progress", { message: uploadRefusedKeys[error.reason] }, error.reason === "textTooLarge" ? 413 : 400);
    throw error;
  }
  try {
    const { form, files } = upload;
    if (form.get("intent") !== "progress") return failed(null, { message: "common:errors.malformedRequest", form });
    const parsed = parseForm(form, ProgressSchema);
    const fileErrors = files.filter((f) => f.problem).map((f) => ({ key: fileProblemKeys[f.problem!], name: f.fileName }));
    if (!parsed.ok || fileErrors.length) {
      return failed("progress", {
        errors: parsed.ok ? {} : parsed.errors,
        fileErrors,
        // The browser must send the files again.
        message: files.length ? "commitment:errors.filesPicked" : undefined,
        form,
      });
    }
    const stored = [];
    for (const file of files) stored.push(await storeStagedFile(dir, file));
    const result = addProgressUpdate(db, user, commitment.id, { ...parsed.data, files: stored }, context.requestMeta);
    return result.ok ? done("progress", "done.posted", result.id) : refused("progress", result, { form });
  } finally {
    await upload.discard();
  }
}
