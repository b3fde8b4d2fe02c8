import type { LoaderFunctionArgs } from "@remix-run/node";
import { getSession } from "../models/agenda.server";
import { notFound, requireEventReader } from "../utils/auth.server";

/** A session's Markdown description, fetched when someone opens it on the agenda. */
export function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = context.services.db;
  const { event } = requireEventReader(context, request, Number(params.id));
  const session = getSession(db, event.id, Number(params.sessionId)) ?? notFound();
  return { markdown: session.description };
}
