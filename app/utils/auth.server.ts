import { redirect, type AppLoadContext } from "@remix-run/node";
import { visibleEvent } from "../models/events.server";
import type { SessionUser } from "../models/session.server";
import { can, type Action, type TargetArgs } from "./policy";

/** The signed-in person, or a redirect to the sign-in page that brings them back here afterwards. */
export function requireUser(context: AppLoadContext, request: Request): SessionUser {
  if (context.auth) return context.auth.user;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(back === "/" ? "/sign-in" : `/sign-in?redirectTo=${encodeURIComponent(back)}`);
}

export function requireAnonymous(context: AppLoadContext): void {
  if (context.auth) throw redirect("/");
}

export function forbidden(): Response {
  return new Response("Forbidden", { status: 403, statusText: "Forbidden" });
}

/** Throws the 404 page; used for things that do not exist and for things this person may not know exist. */
export function notFound(): never {
  throw new Response("Not found", { status: 404, statusText: "Not Found" });
}

/** A route's id parameter as a positive whole number; anything else is a 404. */
export function idParam(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return id;
}

/**
 * The reader of something a signed-out visitor may read when it is public: whoever `mayRead` lets in.
 * Anyone else signed out is sent to sign in; a signed-in person who may not read it gets a 404, as if
 * it did not exist.
 */
export function requireReader(
  context: AppLoadContext,
  request: Request,
  mayRead: (user: SessionUser | null) => boolean,
): SessionUser | null {
  const user = context.auth?.user ?? null;
  if (mayRead(user)) return user;
  if (!user) requireUser(context, request);
  notFound();
}

/** Requires a signed-in person who may take this action; anyone else gets the 403 page. */
export function requirePermission<A extends Action>(
  context: AppLoadContext,
  request: Request,
  action: A,
  ...target: TargetArgs<A>
): SessionUser {
  const user = requireUser(context, request);
  if (!can(user, action, ...target)) throw forbidden();
  return user;
}

/**
 * The reader of an event's pages and the event itself. A published public event can be read
 * without an account; anything else needs one, and an event this person may not see is a 404.
 */
export function requireEventReader(context: AppLoadContext, request: Request, eventId: number) {
  const db = context.services.db;
  const user = context.auth?.user ?? (visibleEvent(db, null, eventId) ? null : requireUser(context, request));
  const event = visibleEvent(db, user, eventId) ?? notFound();
  return { user, event };
}

/** Stands in for the site's own origin: only the path of the resolved address is ever returned. */
const SELF = "http://convene.invalid";

/**
 * Where to go after signing in: only a path on this site, read as a browser would read it, so a
 * crafted link cannot send someone elsewhere. Browsers drop ASCII tabs and line breaks anywhere in a
 * URL and read `\` as `/`, so `/\t/evil.example` and `/\\evil.example` both mean `//evil.example`.
 * The value is cleaned the same way, resolved against this site and kept only if it stays here; the
 * answer is the resolved path, query and fragment, never a scheme-relative `//…`.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string") return fallback;
  const cleaned = to.replace(/[\t\n\r]/g, "");
  if (!cleaned.startsWith("/") || cleaned.startsWith("//") || cleaned.includes("\\")) return fallback;
  let url: URL;
  try {
    url = new URL(cleaned, SELF);
  } catch {
    return fallback;
  }
  if (url.origin !== SELF || url.pathname.startsWith("//")) return fallback;
  return url.pathname + url.search + url.hash;
}
