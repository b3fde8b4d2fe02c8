import { data, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { completionLevels } from "../domain/vocabulary";
import { EmptyState, FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../components/form";
import { DateRange, DateTime } from "../components/time";
import {
  addProgressUpdate,
  completeMilestone,
  currentCycle,
  getCommitment,
  lineageOf,
  listProgress,
  verifyProgressUpdate,
  type Commitment,
} from "../models/commitments.server";
import { visibleEvent } from "../models/events.server";
import {
  commitmentsAccess,
  commitmentTitles,
  evidenceDir,
  milestoneOf,
  receiveEvidenceUpload,
  sessionWhereMade,
  storeStagedFile,
  updateCommitmentId,
  UploadRefused,
  type FileProblem,
} from "../models/evidence.server";
import type { SessionUser } from "../models/session.server";
import { forbidden, notFound, requireReader, requireUser } from "../utils/auth.server";
import { keptValues, readForm } from "../utils/forms.server";
import { useFormatPrefs } from "../utils/root-data";
import { can } from "../utils/policy";
import {
  EVIDENCE_LINK_FIELDS,
  EVIDENCE_MAX_FILES,
  MAX_NARRATIVE,
  MAX_NOTE,
  MilestoneDoneSchema,
  ProgressSchema,
  VerifySchema,
  evidenceAccept,
  validateFields,
} from "../utils/progress-validation";
import { utcToZoned } from "../utils/zoned-time";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${d.commitment.reference} · ${d.commitment.title} · Convene` : "Convene" },
];

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
  const db = context.services.db;
  const commitment = getCommitment(db, idOf(idParam)) ?? notFound();
  const user = requireReader(context, request, (u) =>
    can(u, "commitment.view", { visibility: commitment.visibility, organisationIds: commitment.organisationIds }),
  );
  return { user, commitment };
}

/** Progress is reported only on the current open cycle's record, while the work is not carried or withdrawn. */
function takesProgress(context: AppLoadContext, commitment: Commitment): boolean {
  const cycle = currentCycle(context.services.db);
  return (
    !!cycle &&
    cycle.id === commitment.cycleId &&
    commitment.cycleStatus === "open" &&
    (commitment.status === "open" || commitment.status === "completed")
  );
}

/** The reader's calendar date, in their own time zone when they set one. */
function todayFor(user: SessionUser | null): string {
  return utcToZoned(new Date(), user?.timeZone ?? "UTC").date;
}

// ---------------------------------------------------------------------------------------------
// Loader

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, commitment } = readableCommitment(context, request, params.id);
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
  const other = (id: number | null, reference: string | null) =>
    id !== null && viewable(id) ? { id, reference: reference ?? "", title: titles.get(id) ?? "" } : null;

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
        .map((l) => ({
          kind: l.kind,
          rationale: l.rationale,
          decidedAt: l.decidedAt,
          withdrawn: l.toId === null,
          target: other(l.toId, l.toReference),
        })),
      in: lineage.links
        .filter((l) => l.toId === y.id && !yearIds.includes(l.fromId))
        .map((l) => ({ kind: l.kind, rationale: l.rationale, decidedAt: l.decidedAt, source: other(l.fromId, l.fromReference) })),
    }));

  const cycle = currentCycle(db);
  const currentRecord = cycle ? (lineage.years.find((y) => y.year === cycle.year && viewable(y.id)) ?? null) : null;
  const target = { organisationIds: commitment.organisationIds };
  const mayReport = can(user, "commitment.report", target);
  const open = takesProgress(context, commitment);
  const canVerify = can(user, "progress.verify");

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
        role: o.role,
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
    madeAt,
    years,
    carriedTimes: lineage.carriedTimes,
    currentRecord: currentRecord && currentRecord.id !== commitment.id ? { id: currentRecord.id, year: currentRecord.year } : null,
    updates,
    today,
    signedIn: !!user,
    canReport: mayReport && open,
    canMarkMilestones: mayReport && open,
    canVerify,
    limits: { maxBytes: env.EVIDENCE_MAX_BYTES, maxFiles: EVIDENCE_MAX_FILES },
  };
}

// ---------------------------------------------------------------------------------------------
// Action

type Intent = "progress" | "verify" | "milestone";

interface ActionResult {
  ok: boolean;
  intent: Intent | null;
  /** A key in the `commitment` namespace (or `common:`) for the form-level message. */
  message: string | null;
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
  init: { message?: string; about?: number; errors?: Record<string, string>; fileErrors?: ActionResult["fileErrors"]; form?: FormData },
  status = 400,
) {
  return data<ActionResult>(
    {
      ok: false,
      intent,
      message: init.message ?? null,
      about: init.about,
      errors: init.errors ?? {},
      fileErrors: init.fileErrors ?? [],
      values: init.form ? keptValues(init.form) : {},
    },
    { status },
  );
}

const fileProblemKeys: Record<FileProblem, string> = {
  tooLarge: "errors.fileTooLarge",
  tooMany: "errors.fileTooMany",
  empty: "errors.fileEmpty",
  badType: "errors.fileBadType",
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { commitment } = readableCommitment(context, request, params.id);
  // Every change on this page is for the people behind the commitment and the secretariat.
  if (!can(user, "commitment.report", { organisationIds: commitment.organisationIds })) throw forbidden();
  const { db, env } = context.services;
  const meta = context.requestMeta;

  // Files come only with a progress update; the body is read only once the person may post one here.
  if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
    if (!takesProgress(context, commitment)) return failed("progress", { message: "errors.notCurrent" }, 409);
    const dir = evidenceDir(env.DATABASE_PATH);
    let upload: Awaited<ReturnType<typeof receiveEvidenceUpload>>;
    try {
      upload = await receiveEvidenceUpload(request, dir, { maxBytes: env.EVIDENCE_MAX_BYTES, maxFiles: EVIDENCE_MAX_FILES });
    } catch (error) {
      if (error instanceof UploadRefused) {
        const message = {
          textTooLarge: "errors.filesTooLarge",
          badFileName: "errors.fileNameUnreadable",
          malformed: "errors.uploadMalformed",
        }[error.reason];
        return failed("progress", { message }, error.reason === "textTooLarge" ? 413 : 400);
      }
      throw error;
    }
    try {
      const { form, files } = upload;
      if (form.get("intent") !== "progress") return failed(null, { message: "common:errors.malformedRequest", form });
      const parsed = validateFields(form, ProgressSchema);
      const fileErrors = files.filter((f) => f.problem).map((f) => ({ key: fileProblemKeys[f.problem!], name: f.fileName }));
      if (!parsed.ok || fileErrors.length) {
        return failed("progress", {
          errors: parsed.ok ? {} : parsed.errors,
          fileErrors,
          // Files chosen alongside a mistake elsewhere are not kept: the browser must send them again.
          message: files.length ? "errors.filesPicked" : undefined,
          form,
        });
      }
      const stored = [];
      for (const file of files) stored.push(await storeStagedFile(dir, file));
      const updateId = addProgressUpdate(
        db,
        { id: user.id, organisationId: user.organisationId },
        commitment.id,
        { ...parsed.data, files: stored },
        meta,
      );
      return done("progress", "done.posted", updateId);
    } finally {
      await upload.discard();
    }
  }

  const form = await readForm(request);
  const intent = form.get("intent");

  if (intent === "progress") {
    if (!takesProgress(context, commitment)) return failed("progress", { message: "errors.notCurrent", form }, 409);
    const parsed = validateFields(form, ProgressSchema);
    if (!parsed.ok) return failed("progress", { errors: parsed.errors, form });
    const updateId = addProgressUpdate(
      db,
      { id: user.id, organisationId: user.organisationId },
      commitment.id,
      { ...parsed.data, files: [] },
      meta,
    );
    return done("progress", "done.posted", updateId);
  }

  if (intent === "verify") {
    if (!can(user, "progress.verify")) throw forbidden();
    const parsed = validateFields(form, VerifySchema);
    if (!parsed.ok) return failed("verify", { errors: parsed.errors, form });
    const { updateId, note } = parsed.data;
    // Only an update on this commitment's own lineage, as listed on this page.
    const on = updateCommitmentId(db, updateId);
    const onLineage = on !== null && (on === commitment.id || getCommitment(db, on)?.reference === commitment.reference);
    if (!onLineage) return failed("verify", { message: "common:errors.notFound", about: updateId }, 404);
    if (!verifyProgressUpdate(db, user.id, updateId, note, meta))
      return failed("verify", { message: "errors.alreadyChecked", about: updateId }, 409);
    return done("verify", "done.verified", updateId);
  }

  if (intent === "milestone") {
    const parsed = validateFields(form, MilestoneDoneSchema);
    if (!parsed.ok) return failed("milestone", { errors: parsed.errors, form, about: Number(form.get("milestoneId")) || undefined });
    const { milestoneId, doneOn } = parsed.data;
    const milestone = milestoneOf(db, commitment.id, milestoneId);
    if (!milestone) return failed("milestone", { message: "common:errors.notFound", about: milestoneId }, 404);
    if (!takesProgress(context, commitment)) return failed("milestone", { message: "errors.milestoneClosed", about: milestoneId }, 409);
    if (doneOn > todayFor(user))
      return failed("milestone", { errors: { doneOn: "commitment:errors.dateInFuture" }, form, about: milestoneId });
    if (!completeMilestone(db, user.id, milestoneId, doneOn, meta))
      return failed("milestone", { message: "errors.alreadyDone", about: milestoneId }, 409);
    return done("milestone", "done.milestone", milestoneId);
  }

  return failed(null, { message: "common:errors.malformedRequest", form });
}

// ---------------------------------------------------------------------------------------------
// Page

/** A file size in the reader's number format ("2.5 MB"); units are the translation's, so server and browser agree. */
function useFileSize() {
  const { t } = useTranslation("commitment");
  const { locale } = useFormatPrefs();
  return (bytes: number) => {
    const number = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
    if (bytes >= 1024 * 1024) return t("sizes.mb", { value: number(bytes / (1024 * 1024)) });
    if (bytes >= 1024) return t("sizes.kb", { value: number(bytes / 1024) });
    return t("sizes.bytes", { value: number(bytes) });
  };
}

function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p, i) => (
          <p key={i}>
            {p.split("\n").map((line, j) => (
              <span key={j}>
                {j > 0 ? <br /> : null}
                {line}
              </span>
            ))}
          </p>
        ))}
    </>
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function CommitmentPage() {
  const { t } = useTranslation(["commitment", "common"]);
  const d = useLoaderData<typeof loader>();
  const { commitment: c } = d;
  const lead = c.owners.filter((o) => o.role === "lead");
  const supporting = c.owners.filter((o) => o.role === "supporting");

  return (
    <div className="stack-lg commitment-page">
      <header className="page-header stack">
        <p className="breadcrumb">
          <Link to="/commitments">{t("breadcrumb")}</Link>
        </p>
        <p className="commitment-ref" data-testid="commitment-reference">
          <span className="visually-hidden">{t("referenceLabel")}: </span>
          <strong>{c.reference}</strong>
        </p>
        <h1>{c.title}</h1>
        <p className="doc-meta">
          <span className={`badge badge--${statusTone(c.status)}`}>{t(`status.${c.status}`)}</span>
          <span>{c.pillarName}</span>
          <span>{t("facts.cycleValue", { year: c.year, status: t(`cycleStatus.${c.cycleStatus}`) })}</span>
          <span>{t(`visibility.${c.visibility}`)}</span>
        </p>
      </header>

      {d.carriedTimes >= 2 ? (
        <div className="banner banner--warning" role="note" data-testid="carried-flag">
          <p>
            <strong>{d.carriedTimes === 2 ? t("timeline.carriedTwice") : t("timeline.carriedMany", { count: d.carriedTimes })}</strong>{" "}
            {t("timeline.carriedHint")}
          </p>
        </div>
      ) : null}

      <section className="panel stack" aria-labelledby="facts-title">
        <h2 id="facts-title" className="visually-hidden">
          {t("facts.label")}
        </h2>
        <dl className="publication__facts">
          <div>
            <dt>{t("facts.pillar")}</dt>
            <dd>{c.pillarName}</dd>
          </div>
          <div>
            <dt>{t("facts.cycle")}</dt>
            <dd>{t("facts.cycleValue", { year: c.year, status: t(`cycleStatus.${c.cycleStatus}`) })}</dd>
          </div>
          <div>
            <dt>{t("facts.status")}</dt>
            <dd>{t(`status.${c.status}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.visibility")}</dt>
            <dd>{t(`visibility.${c.visibility}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.type")}</dt>
            <dd>{t(`type.${c.type}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.dates")}</dt>
            <dd>
              <DateRange start={c.startsOn} end={c.endsOn} />
            </dd>
          </div>
          <div>
            <dt>{t("facts.contact")}</dt>
            <dd>
              {c.contactName}
              {c.contactEmail ? (
                <>
                  {" "}
                  (<a href={`mailto:${c.contactEmail}`}>{c.contactEmail}</a>)
                </>
              ) : null}
            </dd>
          </div>
          {d.madeAt ? (
            <div>
              <dt>{t("facts.madeAt")}</dt>
              <dd>
                <Link to={`/events/${d.madeAt.eventId}`}>
                  {t("facts.madeAtValue", { session: d.madeAt.title, event: d.madeAt.eventTitle })}
                </Link>
              </dd>
            </div>
          ) : null}
          <div>
            <dt>{t("facts.principles")}</dt>
            <dd>{c.principles.length ? c.principles.map((n) => t("facts.principle", { number: n })).join(", ") : t("facts.none")}</dd>
          </div>
        </dl>
      </section>

      <div className="two-col">
        <section className="stack" aria-labelledby="problem-title">
          <h2 id="problem-title">{t("sections.problem")}</h2>
          {c.problem ? <Paragraphs text={c.problem} /> : <p className="muted">{t("facts.none")}</p>}
        </section>
        <section className="stack" aria-labelledby="result-title">
          <h2 id="result-title">{t("sections.expectedResult")}</h2>
          {c.expectedResult ? <Paragraphs text={c.expectedResult} /> : <p className="muted">{t("facts.none")}</p>}
        </section>
      </div>

      <section className="stack" aria-labelledby="organisations-title">
        <h2 id="organisations-title">{t("sections.organisations")}</h2>
        <ul className="card-list" data-testid="organisations">
          {[...lead, ...supporting].map((o) => (
            <li key={o.organisationId} className="card">
              <p className="card__title">
                <strong>{o.name}</strong>{" "}
                <span className={`badge badge--${o.role === "lead" ? "active" : "pending"}`}>{t(`organisations.${o.role}`)}</span>
              </p>
              <p className="card__meta">
                {o.contribution ? t("organisations.contributes", { contribution: o.contribution }) : t("organisations.noContribution")}
              </p>
            </li>
          ))}
        </ul>
      </section>

      <Timeline years={d.years} currentId={c.id} />

      <Milestones />

      <Progress />
    </div>
  );
}

/** The short names of the accepted file types, for their labels. */
const fileTypeKeys: Record<string, "pdf" | "png" | "jpeg" | "text" | "csv" | "docx" | "xlsx"> = {
  "application/pdf": "pdf",
  "image/png": "png",
  "image/jpeg": "jpeg",
  "text/plain": "text",
  "text/csv": "csv",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};

function statusTone(status: string): string {
  return status === "completed" ? "active" : status === "withdrawn" ? "revoked" : status === "carried" ? "draft" : "pending";
}

function Timeline({ years, currentId }: { years: LoaderData["years"]; currentId: number }) {
  const { t } = useTranslation(["commitment", "common"]);
  return (
    <section className="stack" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("sections.timeline")}</h2>
      <ol className="card-list commitment-timeline" data-testid="timeline">
        {years.map((y) => (
          <li key={y.id} className="card" aria-current={y.id === currentId ? "page" : undefined}>
            <h3 className="card__title">
              {y.year}:{" "}
              {y.id === currentId ? (
                <>
                  {y.title} <span className="muted">{t("timeline.thisPage")}</span>
                </>
              ) : (
                <Link to={`/commitments/${y.id}`}>{y.title}</Link>
              )}{" "}
              <span className={`badge badge--${statusTone(y.status)}`}>{t(`status.${y.status}`)}</span>
            </h3>
            {y.in.map((l, i) => (
              <p key={`in-${i}`} className="card__meta">
                {t("timeline.inFrom", { kind: t(`carryKind.${l.kind}`) })}{" "}
                {l.source ? (
                  <Link to={`/commitments/${l.source.id}`}>{`${l.source.reference} ${l.source.title}`}</Link>
                ) : (
                  t("timeline.hidden")
                )}
                {" · "}
                {t("timeline.decided")} <DateTime value={l.decidedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                {l.rationale ? <>: {l.rationale}</> : null}
              </p>
            ))}
            {y.assessment ? (
              <div className="stack" data-testid={`assessment-${y.year}`}>
                <p>
                  {t("timeline.assessment", {
                    year: y.year,
                    completion: t(`completion.${y.assessment.completion}`),
                    percent: y.assessment.percent,
                  })}
                </p>
                {y.assessment.earlyResult ? <p>{t("timeline.earlyResult", { text: y.assessment.earlyResult })}</p> : null}
                {y.assessment.note ? <p className="muted">{t("timeline.note", { text: y.assessment.note })}</p> : null}
              </div>
            ) : (
              <p className="muted">{t("timeline.notAssessed")}</p>
            )}
            {y.out.map((l, i) => (
              <p key={`out-${i}`} className="card__meta">
                <strong>{l.withdrawn ? t("timeline.outWithdrawn") : t(`carryKind.${l.kind}`)}</strong>
                {l.withdrawn ? null : (
                  <>
                    {" → "}
                    {l.target ? (
                      <Link to={`/commitments/${l.target.id}`}>{`${l.target.reference} ${l.target.title}`}</Link>
                    ) : (
                      t("timeline.hidden")
                    )}
                  </>
                )}
                {" · "}
                {t("timeline.decided")} <DateTime value={l.decidedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                {l.rationale ? <>: {l.rationale}</> : null}
              </p>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Milestones() {
  const { t } = useTranslation(["commitment", "common"]);
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const result = actionData && actionData.intent === "milestone" ? actionData : null;
  return (
    <section className="stack" aria-labelledby="milestones-title">
      <h2 id="milestones-title">{t("sections.milestones")}</h2>
      {result?.ok ? <FormAlert tone="success" message={t("done.milestone")} /> : null}
      {result && !result.ok && result.message ? <FormAlert message={t(result.message as "errors.alreadyDone")} /> : null}
      {d.milestones.length === 0 ? (
        <p className="muted">{t("milestones.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="milestones">
            <thead>
              <tr>
                <th scope="col">{t("milestones.title")}</th>
                <th scope="col">{t("milestones.due")}</th>
                <th scope="col">{t("milestones.state")}</th>
                {d.canMarkMilestones ? <th scope="col">{t("common:common.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {d.milestones.map((m) => {
                const mine = result && !result.ok && result.about === m.id && result.errors.doneOn ? result : null;
                return (
                  <tr key={m.id} data-testid={`milestone-${m.id}`} data-overdue={m.overdue ? "true" : undefined}>
                    <td className="cell-title">{m.title}</td>
                    <td>
                      <DateRange start={m.dueOn} end={m.dueOn} />
                    </td>
                    <td>
                      {m.doneOn ? (
                        <span className="badge badge--active">
                          {t("milestones.doneOnPrefix")} <DateRange start={m.doneOn} end={m.doneOn} />
                        </span>
                      ) : m.overdue ? (
                        <span className="badge badge--revoked">{t("milestones.overdue")}</span>
                      ) : (
                        <span className="badge">{t("milestones.pending")}</span>
                      )}
                    </td>
                    {d.canMarkMilestones ? (
                      <td>
                        {m.doneOn ? null : (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="milestoneId" value={m.id} />
                            <label className="visually-hidden" htmlFor={`milestone-done-${m.id}`}>
                              {t("milestones.doneOnFor", { title: m.title })}
                            </label>
                            <input
                              id={`milestone-done-${m.id}`}
                              type="date"
                              name="doneOn"
                              required
                              max={d.today}
                              defaultValue={mine?.values.doneOn ?? d.today}
                              aria-invalid={mine?.errors.doneOn ? true : undefined}
                              aria-describedby={mine ? `milestone-error-${m.id}` : undefined}
                            />
                            <SubmitButton intent="milestone" className="button button--small">
                              {t("milestones.markDone")}
                            </SubmitButton>
                            {mine ? (
                              <p className="field__error" id={`milestone-error-${m.id}`} role="alert">
                                {t(mine.errors.doneOn as "errors.dateInvalid")}
                              </p>
                            ) : null}
                          </Form>
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Progress() {
  const { t } = useTranslation(["commitment", "common"]);
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const fileSize = useFileSize();
  const verifyResult = actionData && actionData.intent === "verify" ? actionData : null;
  return (
    <section className="stack" aria-labelledby="progress-title" id="progress">
      <h2 id="progress-title">{t("sections.progress")}</h2>

      {d.canReport ? (
        <ProgressForm />
      ) : d.currentRecord ? (
        <div className="alert alert--info">
          <p>
            {t("progress.notCurrent", { year: d.commitment.year })}{" "}
            <Link to={`/commitments/${d.currentRecord.id}`}>{t("progress.goCurrent", { year: d.currentRecord.year })}</Link>
          </p>
        </div>
      ) : !d.signedIn ? (
        <p className="muted">{t("progress.signInToReport")}</p>
      ) : null}

      {verifyResult?.ok ? <FormAlert tone="success" message={t("done.verified")} /> : null}
      {verifyResult && !verifyResult.ok && verifyResult.message ? (
        <FormAlert message={t(verifyResult.message as "errors.alreadyChecked")} />
      ) : null}

      {d.updates.length === 0 ? (
        <EmptyState title={t("progress.empty")} />
      ) : (
        <ol className="card-list" data-testid="updates">
          {d.updates.map((u) => {
            const mine =
              verifyResult && !verifyResult.ok && verifyResult.values.updateId === String(u.id) && verifyResult.errors.note
                ? verifyResult
                : null;
            return (
              <li key={u.id} className="card" data-testid={`update-${u.id}`} data-verified={u.verifiedAt ? "true" : "false"}>
                <h3 className="card__title">
                  {t(`completion.${u.completion}`)} · {t("progress.percentValue", { percent: u.percent })}{" "}
                  {u.verifiedAt ? (
                    <span className="badge badge--active">{t("progress.checkedBadge")}</span>
                  ) : (
                    <span className="badge badge--pending">{t("progress.selfReported")}</span>
                  )}
                </h3>
                <p className="card__meta">
                  <DateTime value={u.createdAt} options={{ dateStyle: "medium", timeStyle: "short" }} />
                  {" · "}
                  {u.author && u.organisation
                    ? t("progress.by", { author: u.author, organisation: u.organisation })
                    : u.author
                      ? t("progress.byAuthor", { author: u.author })
                      : u.organisation
                        ? t("progress.byOrganisation", { organisation: u.organisation })
                        : null}
                  {u.year !== d.commitment.year ? <> · {t("progress.reportedIn", { year: u.year })}</> : null}
                </p>
                <div className="prose">
                  <Paragraphs text={u.narrative} />
                </div>
                {u.links.length || u.files.length ? (
                  <div>
                    <h4>{t("progress.evidence")}</h4>
                    <ul>
                      {u.links.map((l) => (
                        <li key={l.id}>
                          <a href={l.url} rel="noopener noreferrer nofollow">
                            {l.url}
                          </a>
                        </li>
                      ))}
                      {u.files.map((f) => (
                        <li key={f.id}>
                          <a href={`/evidence/${f.id}`} download={f.fileName}>
                            {f.fileName}
                          </a>{" "}
                          <span className="cell-sub">
                            (
                            {t("progress.fileSize", {
                              type: t(`fileTypes.${fileTypeKeys[f.mimeType] ?? "other"}`),
                              size: fileSize(f.size),
                            })}
                            )
                          </span>
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                {u.verifiedAt ? (
                  <p className="muted" data-testid="verification">
                    {t("progress.checkedOn")} <DateTime value={u.verifiedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                    {u.verificationNote ? <> · {t("progress.checkedNote", { note: u.verificationNote })}</> : null}
                  </p>
                ) : (
                  <p className="muted" data-testid="verification">
                    {t("progress.selfReported")}
                  </p>
                )}
                {d.canVerify && !u.verifiedAt ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="updateId" value={u.id} />
                    <label htmlFor={`check-note-${u.id}`} className="visually-hidden">
                      {t("progress.checkNote")}
                    </label>
                    <input
                      id={`check-note-${u.id}`}
                      name="note"
                      maxLength={MAX_NOTE}
                      placeholder={t("progress.checkNote")}
                      defaultValue={mine?.values.note}
                      aria-describedby={mine ? `check-error-${u.id}` : undefined}
                    />
                    <SubmitButton intent="verify" className="button button--small">
                      {t("progress.markChecked")}
                    </SubmitButton>
                    {mine ? (
                      <p className="field__error" id={`check-error-${u.id}`} role="alert">
                        {t(mine.errors.note as "errors.noteTooLong")}
                      </p>
                    ) : null}
                  </Form>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function ProgressForm() {
  const { t } = useTranslation(["commitment", "common"]);
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const fileSize = useFileSize();
  const result = actionData && actionData.intent === "progress" ? actionData : null;
  const failed = result && !result.ok ? result : null;
  const errors = failed?.errors ?? {};
  const values = failed?.values ?? {};
  const maxSize = fileSize(d.limits.maxBytes);

  /** Refuses too many or too large files in the browser already, before anything is sent. */
  function checkFiles(event: React.ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const files = [...(input.files ?? [])];
    const big = files.find((f) => f.size > d.limits.maxBytes);
    const message =
      files.length > d.limits.maxFiles
        ? t("errors.fileTooMany", { name: files[d.limits.maxFiles]!.name, count: d.limits.maxFiles })
        : big
          ? t("errors.fileTooLarge", { name: big.name, size: maxSize })
          : "";
    input.setCustomValidity(message);
    if (message) input.reportValidity();
  }

  return (
    <div className="panel stack">
      <h3>{t("sections.postUpdate")}</h3>
      {result?.ok ? <FormAlert tone="success" message={t("done.posted")} /> : null}
      {failed?.message ? <FormAlert message={t(failed.message as "errors.filesPicked")} /> : null}
      <p className="muted">{t("progress.appendOnly")}</p>
      <Form method="post" encType="multipart/form-data" className="stack" key={d.updates[0]?.id ?? 0} data-testid="progress-form">
        <div className="form-row">
          <SelectField
            name="completion"
            label={t("progress.completion")}
            required
            defaultValue={values.completion ?? ""}
            error={errors.completion}
            options={[
              { value: "", label: t("common:fields.choose") },
              ...completionLevels.map((c) => ({ value: c, label: t(`completion.${c}`) })),
            ]}
          />
          <TextField
            name="percent"
            label={t("progress.percent")}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            required
            hint={t("progress.percentHint")}
            defaultValue={values.percent ?? ""}
            error={errors.percent}
          />
        </div>
        <TextAreaField
          name="narrative"
          label={t("progress.narrative")}
          hint={t("progress.narrativeHint")}
          rows={5}
          required
          maxLength={MAX_NARRATIVE}
          defaultValue={values.narrative ?? ""}
          error={errors.narrative}
        />
        <fieldset className="stack">
          <legend>{t("progress.links")}</legend>
          <p className="field__hint">{t("progress.linksHint")}</p>
          {EVIDENCE_LINK_FIELDS.map((name, i) => (
            <TextField
              key={name}
              name={name}
              label={t("progress.link", { number: i + 1 })}
              type="url"
              inputMode="url"
              placeholder="https://"
              defaultValue={values[name] ?? ""}
              error={errors[name]}
            />
          ))}
        </fieldset>
        <div className={`field${failed?.fileErrors.length ? " field--invalid" : ""}`}>
          <label htmlFor="evidence-files">{t("progress.files")}</label>
          <input
            id="evidence-files"
            type="file"
            name="files"
            multiple
            accept={evidenceAccept}
            onChange={checkFiles}
            aria-invalid={failed?.fileErrors.length ? true : undefined}
            aria-describedby={failed?.fileErrors.length ? "evidence-files-hint evidence-files-error" : "evidence-files-hint"}
          />
          <p className="field__hint" id="evidence-files-hint">
            {t("progress.filesHint", { count: d.limits.maxFiles, size: maxSize })}
          </p>
          {failed?.fileErrors.length ? (
            <ul className="field__error" id="evidence-files-error" data-testid="file-errors">
              {failed.fileErrors.map((e, i) => (
                <li key={i}>{t(e.key as "errors.fileTooLarge", { name: e.name, size: maxSize, count: d.limits.maxFiles })}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div>
          <SubmitButton intent="progress" pendingLabel={t("progress.posting")}>
            {t("progress.post")}
          </SubmitButton>
        </div>
      </Form>
    </div>
  );
}
