import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { useBreakoutFollow } from "../components/breakout-hub-live";
import { BreakoutPlanBoard } from "../components/breakout-plan-board";
import { BreakoutPlanRooms } from "../components/breakout-plan-rooms";
import { BreakoutPlanTools } from "../components/breakout-plan-tools";
import { FormAlert, SubmitButton, useKeptActionData } from "../components/form";
import { TimeRange } from "../components/time";
import {
  assignPerson,
  copyAssignment,
  importAssignment,
  planOf,
  prepareBreakout,
  proposalWouldReplace,
  proposeBalanced,
  publishAssignment,
  removeBreakoutRoom,
  saveBreakoutRoom,
  setBreakoutOptions,
  unpreparedBreakout,
  type ImportLineError,
} from "../models/breakout-plan.server";
import type { BreakoutRefusal } from "../models/breakouts.server";
import { forbidden, notFound, requireUser, idParam } from "../utils/auth.server";
import { keptValues, parseForm, readForm, type FormValues } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { useFormatPrefs } from "../utils/root-data";
import {
  BreakoutAssignSchema,
  BreakoutCopySchema,
  BreakoutImportSchema,
  BreakoutOptionsSchema,
  BreakoutRoomSchema,
  type FieldErrors,
} from "../utils/validation";

export const meta: MetaFunction = pageTitle("breakouts:plan.title");

const intents = ["prepare", "saveRoom", "removeRoom", "options", "assign", "import", "propose", "publish", "copy"] as const;
export type PlanIntent = (typeof intents)[number];

export type PlanActionResult = {
  ok: boolean;
  intent: PlanIntent | null;
  /** A translation key (with `count` where it has one). */
  message?: string;
  count?: number;
  roomId?: string;
  errors?: FieldErrors;
  values?: FormValues;
  lines?: ImportLineError[];
};

/** A refused form (a room just filled, say) still shows the page as it now is. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) =>
  formMethod === "POST" || defaultShouldRevalidate;

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = idParam(params.sessionId);
  const db = context.services.db;
  const unprepared = unpreparedBreakout(db, user, sessionId);
  if (unprepared) return { unprepared, plan: null };
  const plan = planOf(db, user, sessionId);
  if (!plan.ok) throw plan.reason === "forbidden" ? forbidden() : notFound();
  return { unprepared: null, plan };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = idParam(params.sessionId);
  const db = context.services.db;
  const meta = context.requestMeta;
  const form = await readForm(request);
  const rawIntent = form.get("intent");
  const intent = intents.find((i) => i === rawIntent) ?? null;
  const roomId = form.get("roomId");
  const answer = (result: PlanActionResult, status = 200) => data<PlanActionResult>(result, { status });
  const refused = (r: BreakoutRefusal, extra: Partial<PlanActionResult> = {}) => {
    if (r.reason === "not_found") notFound();
    if (r.reason === "forbidden") throw forbidden();
    const errors = r.field ? { [r.field]: r.error ?? "errors.invalidValue" } : undefined;
    const message = r.field ? undefined : (r.error ?? `breakouts:errors.${r.reason}`);
    return answer(
      { ok: false, intent, message, errors, values: keptValues(form), roomId: typeof roomId === "string" ? roomId : undefined, ...extra },
      r.reason === "full" || r.reason === "closed" ? 409 : 400,
    );
  };
  const invalidForm = (errors: FieldErrors) =>
    answer({ ok: false, intent, errors, values: keptValues(form), roomId: typeof roomId === "string" ? roomId : undefined }, 400);

  switch (intent) {
    case "prepare": {
      const r = prepareBreakout(db, user, sessionId, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.prepared" }) : refused(r);
    }
    case "saveRoom": {
      const parsed = parseForm(form, BreakoutRoomSchema);
      if (!parsed.ok) return invalidForm(parsed.errors);
      const id = typeof roomId === "string" && roomId !== "" ? Number(roomId) : null;
      if (id !== null && !(Number.isInteger(id) && id > 0)) notFound();
      const r = saveBreakoutRoom(db, user, sessionId, id, parsed.data, meta);
      return r.ok
        ? answer({ ok: true, intent, message: id === null ? "breakouts:done.roomAdded" : "breakouts:done.roomSaved" })
        : refused(r);
    }
    case "removeRoom": {
      const id = Number(roomId);
      if (!Number.isInteger(id) || id <= 0) notFound();
      const r = removeBreakoutRoom(db, user, sessionId, id, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.roomRemoved" }) : refused(r);
    }
    case "options": {
      const parsed = parseForm(form, BreakoutOptionsSchema);
      if (!parsed.ok) return invalidForm(parsed.errors);
      const r = setBreakoutOptions(db, user, sessionId, parsed.data, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.options" }) : refused(r);
    }
    case "assign": {
      const parsed = parseForm(form, BreakoutAssignSchema);
      if (!parsed.ok) return invalidForm(parsed.errors);
      const r = assignPerson(db, user, sessionId, parsed.data.userId, parsed.data.roomId, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.assigned" }) : refused(r);
    }
    case "import": {
      const parsed = parseForm(form, BreakoutImportSchema);
      if (!parsed.ok) return invalidForm(parsed.errors);
      const file = form.get("file");
      let text = parsed.data.csv;
      if (file && typeof file !== "string" && file.size > 0) {
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
        } catch {
          return invalidForm({ csv: "breakouts:errors.importNotUtf8" });
        }
      }
      const r = importAssignment(db, user, sessionId, text, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.imported", count: r.imported }) : refused(r, { lines: r.lines });
    }
    case "propose": {
      if (proposalWouldReplace(db, sessionId) > 0 && form.get("confirm") !== "1")
        return invalidForm({ confirm: "breakouts:errors.confirmReplace" });
      const r = proposeBalanced(db, user, sessionId, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.proposed", count: r.placed }) : refused(r);
    }
    case "publish": {
      const r = publishAssignment(db, user, sessionId, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.published" }) : refused(r);
    }
    case "copy": {
      const parsed = parseForm(form, BreakoutCopySchema);
      if (!parsed.ok) return invalidForm(parsed.errors);
      const r = copyAssignment(db, user, sessionId, parsed.data.sourceSessionId, meta);
      return r.ok ? answer({ ok: true, intent, message: "breakouts:done.copied", count: r.people }) : refused(r);
    }
    default:
      return answer({ ok: false, intent: null, message: "errors.malformedRequest" }, 400);
  }
}

export default function BreakoutPlan() {
  const { t } = useTranslation(["breakouts", "common"]);
  const { unprepared, plan } = useLoaderData<typeof loader>();
  const result = useKeptActionData<typeof action>();
  const { timeZone } = useFormatPrefs();
  const message = result?.message ? t(result.message as "breakouts:done.prepared", { count: result.count ?? 0 }) : null;
  // Choices made by delegates meanwhile show up on the board.
  useBreakoutFollow(plan?.session.sessionId ?? 0);

  if (!plan) {
    return (
      <div className="stack-lg">
        <header className="page-header">
          <h1>{t("plan.title")}</h1>
          <p className="lead">{unprepared?.title}</p>
        </header>
        <FormAlert message={message} tone={result?.ok ? "success" : "error"} />
        <section className="panel stack">
          <p>{t("plan.unprepared")}</p>
          <Form method="post">
            <SubmitButton intent="prepare">{t("plan.prepare")}</SubmitButton>
          </Form>
        </section>
      </div>
    );
  }
  const { session } = plan;
  const planning = session.status === "planning";
  return (
    <div className="stack-lg breakout-plan">
      <header className="page-header">
        <p>
          <Link to={`/breakouts/${session.sessionId}`}>← {t("plan.back")}</Link>
        </p>
        <h1>{t("plan.title")}</h1>
        <p className="lead">
          {session.title} · <TimeRange start={session.startsAt} end={session.endsAt} timeZone={timeZone} /> ·{" "}
          <span className="badge">{t(`status.${session.status}`)}</span>{" "}
          {session.published ? <span className="badge badge--published">{t("plan.isPublished")}</span> : null}
        </p>
        <p>
          <Link to={`/breakouts/${session.sessionId}/console`}>{t("hub.run")}</Link>
        </p>
      </header>
      {/* Outcomes of the forms below, announced when they change. */}
      <div aria-live="polite" data-testid="plan-outcome">
        <FormAlert message={message} tone={result?.ok ? "success" : "error"} />
      </div>
      {!planning ? <p className="muted">{t("plan.notPlanning")}</p> : null}
      <BreakoutPlanTools plan={plan} result={result ?? null} />
      <BreakoutPlanBoard plan={plan} result={result ?? null} />
      <BreakoutPlanRooms plan={plan} result={result ?? null} />
    </div>
  );
}
