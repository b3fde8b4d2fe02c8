import { data, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useKeptActionData } from "../components/form";
import { useBreakoutConsoleLive } from "../components/breakout-console-live";
import { ConsoleBroadcast, ConsoleOpenClose, ConsoleTimer, type ConsoleResult } from "../components/breakout-console-controls";
import { ConsoleRooms } from "../components/breakout-console-rooms";
import {
  broadcastToRooms,
  closeBreakout,
  consoleOf,
  moveBreakoutPerson,
  overviewOf,
  openBreakout,
  setBreakoutTimer,
  type BreakoutWrite,
} from "../models/breakout-live.server";
import { breakoutSessionOf, mayFollowBreakout, mayManageBreakout, type BreakoutRefusal } from "../models/breakouts.server";
import { notFound, requireUser } from "../utils/auth.server";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
import { BreakoutBroadcastSchema, BreakoutMinutesSchema, BreakoutMoveSchema } from "../utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [{ title: `${d?.session.title ?? ""} · Convene` }];

/** The breakout session and its rooms, for the people who run it; anyone else gets the 404 page. */
function managed(context: AppLoadContext, request: Request, sessionIdParam: string | undefined) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const sessionId = Number(sessionIdParam);
  const session = Number.isSafeInteger(sessionId) ? breakoutSessionOf(db, sessionId) : null;
  if (!session || !mayFollowBreakout(db, user, session) || !mayManageBreakout(db, user, session)) notFound();
  return { user, db, session };
}

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const { user, db, session } = managed(context, request, params.sessionId);
  const view = consoleOf(db, user, session.sessionId) ?? notFound();
  return {
    session: { id: session.sessionId, title: session.title, status: view.session.status },
    rooms: view.rooms,
    // Chat and hands as stored; who is present comes from live connections once the page follows the session.
    overview: overviewOf(db, session.sessionId, new Map()),
    timer: { endsAt: view.session.timerEndsAt?.toISOString() ?? null, serverNow: new Date().toISOString() },
  };
}

const refusalKey = (reason: string) => `console.refused.${reason}`;

/** The live model's reasons for refusing invalid input, as this page says them: for the form, or for one field. */
const invalidMessages: Record<string, { form?: string; field?: string }> = {
  "errors.notOpen": { form: "console.refused.notOpen" },
  "errors.alreadyOpen": { form: "console.refused.alreadyOpen" },
  "errors.cannotTakePart": { form: "console.refused.cannotTakePart" },
  "errors.timerMinutes": { field: "breakoutRoom:errors.minutes" },
  "errors.messageLength": { field: "breakoutRoom:errors.broadcast" },
};

function refusalErrors(write: BreakoutRefusal): Record<string, string> {
  const known = write.error ? invalidMessages[write.error] : undefined;
  const errors: Record<string, string> = { form: known?.form ?? refusalKey(write.reason) };
  if (known?.field && write.field) errors[write.field] = known.field;
  return errors;
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const { user, db, session } = managed(context, request, params.sessionId);
  const form = await readForm(request);
  const intent = String(form.get("intent") ?? "");
  const meta = context.requestMeta;
  const sid = session.sessionId;

  const answer = (write: BreakoutWrite, done: string, params?: Record<string, string>) => {
    if (write.ok) return data<ConsoleResult>({ ok: true, intent, done, params, at: Date.now() });
    return data<ConsoleResult>(
      { ok: false, intent, errors: refusalErrors(write), values: keptValues(form) },
      { status: write.reason === "invalid" ? 400 : 409 },
    );
  };
  const invalidForm = (parsed: { errors: Record<string, string>; values: Record<string, string> }) =>
    data<ConsoleResult>({ ok: false, intent, errors: parsed.errors, values: parsed.values }, { status: 400 });

  switch (intent) {
    case "open":
      return answer(openBreakout(db, user, sid, meta), "console.opened");
    case "close":
      if (form.get("confirm") !== "yes") return data<ConsoleResult>({ ok: false, intent, errors: {}, values: {}, confirm: true });
      return answer(closeBreakout(db, user, sid, meta), "console.closedDone");
    case "timer-start":
    case "timer-extend": {
      const parsed = parseForm(form, BreakoutMinutesSchema);
      if (!parsed.ok) return invalidForm(parsed);
      const minutes = parsed.data.minutes;
      const change = intent === "timer-start" ? { start: minutes } : { extend: minutes };
      return answer(
        setBreakoutTimer(db, user, sid, change, meta),
        intent === "timer-start" ? "console.timer.started" : "console.timer.extended",
      );
    }
    case "timer-stop":
      return answer(setBreakoutTimer(db, user, sid, { stop: true }, meta), "console.timer.stopped");
    case "broadcast": {
      const parsed = parseForm(form, BreakoutBroadcastSchema);
      if (!parsed.ok) return invalidForm(parsed);
      return answer(broadcastToRooms(db, user, sid, parsed.data.body, meta), "console.broadcast.sent");
    }
    case "move": {
      const parsed = parseForm(form, BreakoutMoveSchema);
      if (!parsed.ok) return invalidForm({ errors: { form: refusalKey("invalid"), ...parsed.errors }, values: parsed.values });
      const view = consoleOf(db, user, sid);
      const person = view?.rooms.flatMap((r) => r.people).find((p) => p.id === parsed.data.userId);
      const room = view?.rooms.find((r) => r.id === parsed.data.toRoomId);
      if (!person || !room) return answer({ ok: false, reason: "not_found" }, "");
      return answer(moveBreakoutPerson(db, user, sid, person.id, room.id, meta), "console.move.moved", {
        person: person.name,
        room: room.name,
      });
    }
    default:
      return data<ConsoleResult>(
        { ok: false, intent, errors: { form: "common:errors.malformedRequest" }, values: keptValues(form) },
        { status: 400 },
      );
  }
}

export default function BreakoutConsole() {
  const { t } = useTranslation("breakoutRoom");
  const { session, rooms, overview, timer: loadedTimer } = useLoaderData<typeof loader>();
  const result = useKeptActionData<typeof action>() as ConsoleResult | undefined;
  const loaded = useMemo(
    () => ({
      status: session.status,
      timer: { ...loadedTimer, offsetMs: null },
      assigned: Object.fromEntries(rooms.map((r) => [r.id, r.people.length])),
      overview,
    }),
    [session.status, loadedTimer, rooms, overview],
  );
  const live = useBreakoutConsoleLive(session.id, loaded);
  const open = live.status === "open";
  const base = `/breakouts/${session.id}`;

  return (
    <div className="stack-lg breakout-console" data-testid="breakout-console" data-status={live.status}>
      <header className="page-header stack">
        <p className="breadcrumb">
          <Link to={base}>{t("console.breadcrumb", { title: session.title })}</Link>
        </p>
        <h1>{t("console.title")}</h1>
        <p className="lead">{t("console.lead")}</p>
        <p className="header-actions">
          <Link to={`${base}/plan`}>{t("console.planLink")}</Link>
        </p>
      </header>
      <div className="breakout-console__controls">
        <ConsoleOpenClose status={live.status} result={result} />
        <ConsoleTimer timer={live.timer} open={open} result={result} />
        {open ? <ConsoleBroadcast result={result} /> : null}
      </div>
      <ConsoleRooms rooms={rooms} overview={live.overview} open={open} sessionId={session.id} result={result} />
    </div>
  );
}
