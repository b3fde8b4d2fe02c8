import type { NextFunction, Request, Response } from "express";
import { parse, serialize } from "cookie";
import { SESSION_COOKIE, validateSessionToken, type ValidatedSession } from "../../app/models/session.server";
import type { Db } from "../../db/client";
import type { SessionCookie } from "../context";
import type { Env } from "../env";

export function idleTimeoutMs(env: Env): number {
  return env.SESSION_IDLE_DAYS * 24 * 60 * 60 * 1000;
}

export function createSessionCookie(env: Env): SessionCookie {
  const base = {
    httpOnly: true,
    sameSite: "lax" as const,
    path: "/",
    // Secure whenever Convene is served over HTTPS, which is what production means here.
    secure: env.APP_URL.startsWith("https:"),
  };
  return {
    serialize: (token) => serialize(SESSION_COOKIE, token, { ...base, maxAge: Math.floor(idleTimeoutMs(env) / 1000) }),
    clear: () => serialize(SESSION_COOKIE, "", { ...base, maxAge: 0 }),
  };
}

export function readSessionToken(cookieHeader: string | undefined): string | undefined {
  return cookieHeader ? parse(cookieHeader)[SESSION_COOKIE] : undefined;
}

/** Resolves the session of every page request once, renewing or clearing its cookie as needed. */
export function sessionMiddleware(db: Db, env: Env, cookie: SessionCookie) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = readSessionToken(req.headers.cookie);
    let auth: ValidatedSession | null = null;
    if (token) {
      auth = validateSessionToken(db, token, idleTimeoutMs(env));
      if (!auth) res.append("Set-Cookie", cookie.clear());
      else if (auth.refreshed) res.append("Set-Cookie", cookie.serialize(token));
    }
    res.locals.auth = auth;
    next();
  };
}
