import type { LoaderFunctionArgs } from "@remix-run/node";
import { getSession } from "../models/agenda.server";
import { visibleEvent } from "../models/events.server";
import { requireUser } from "../utils/auth.server";

/** A session's Markdown description, fetched when someone opens it on the agenda. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = context.services.db;
  const user = context.auth?.user ?? (visibleEvent(db, null, Number(params.id)) ? null : requireUser(context, request));
  const event = visibleEvent(db, user, Number(params.id));
  const session = event ? getSession(db, event.id, Number(params.sessionId)) : null;
  if (!session) throw new Response("Not found", { status: 404 });
  return { markdown: session.description };
}
