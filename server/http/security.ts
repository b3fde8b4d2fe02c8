import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";
import type { Env } from "../env";
import { EVIDENCE_MAX_FILES } from "../../app/utils/progress-validation";
import { isSameOrigin, parseHost } from "./origin";

export const MAX_BODY_BYTES = 1024 * 1024;

export function cspNonce(_req: Request, res: Response, next: NextFunction) {
  res.locals.cspNonce = randomBytes(16).toString("base64");
  next();
}

/** Security headers, with a Content-Security-Policy whose script nonce changes on every request. */
export function securityHeaders(env: Env) {
  const dev = env.NODE_ENV === "development";
  const https = env.APP_URL.startsWith("https:");
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'strict-dynamic'", "'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
        // Vite injects <style> tags while developing; built pages only use the stylesheet.
        styleSrc: dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        // Layout-only style attributes (a session's place on the timetable grid); <style> elements stay refused.
        styleSrcAttr: ["'unsafe-inline'"],
        connectSrc: dev ? ["'self'", "ws:"] : ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A commitment's page (or its single-fetch data URL), where progress updates are posted with evidence files. */
const EVIDENCE_UPLOAD_PATH = /^\/commitments\/\d+(?:\.data)?$/;

/**
 * Bodies stay under 1 MiB, except a multipart POST to a commitment's page: up to the evidence files
 * an update may carry (each checked again, and counted as it streams, by the page's action).
 */
export function bodyLimitFor(req: Pick<Request, "method" | "path" | "headers">, env: Pick<Env, "EVIDENCE_MAX_BYTES">): number {
  const multipart = /^multipart\/form-data\s*;/i.test(req.headers["content-type"] ?? "");
  if (req.method === "POST" && multipart && EVIDENCE_UPLOAD_PATH.test(req.path))
    return EVIDENCE_MAX_FILES * env.EVIDENCE_MAX_BYTES + MAX_BODY_BYTES;
  return MAX_BODY_BYTES;
}

/** Refuses cross-site mutations and oversized bodies before they reach the app. */
export function guardMutations(env: Env) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (!isSameOrigin(req.headers, env.APP_URL, { trustProxy: env.TRUST_PROXY })) {
      res.status(403).type("text/plain").send("This request did not come from a Convene page, so it was refused.");
      return;
    }
    // Forms always declare their length; an undeclared (chunked) body could not be size-checked up front.
    if (req.headers["transfer-encoding"] !== undefined) {
      res.status(411).type("text/plain").send("Send this request with a Content-Length.");
      return;
    }
    const length = Number(req.headers["content-length"] ?? 0);
    if (length > bodyLimitFor(req, env)) {
      res.status(413).type("text/plain").send("This request is too large.");
      return;
    }
    next();
  };
}

/** Adds a Server-Timing header so the time spent in the server can be read by any client. */
export function serverTiming(_req: Request, res: Response, next: NextFunction) {
  const start = process.hrtime.bigint();
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<typeof writeHead>) {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (!this.headersSent) this.setHeader("Server-Timing", `app;dur=${ms.toFixed(2)}`);
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
}

/** What every answer that does not say otherwise carries: confidential pages, their data and downloads stay out of every cache. */
export const PRIVATE_CACHE_CONTROL = "private, no-store";

/**
 * Marks every answer `Cache-Control: private, no-store` unless it set its own (static assets, a public
 * report or version, a calendar feed): a route that forgets cannot leave a confidential page in a cache.
 */
export function privateByDefault(_req: Request, res: Response, next: NextFunction) {
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<typeof writeHead>) {
    if (!this.headersSent && !this.hasHeader("Cache-Control")) this.setHeader("Cache-Control", PRIVATE_CACHE_CONTROL);
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
}

/**
 * Answers 400 to a `Host` (or trusted `X-Forwarded-Host`) that is no host at all, instead of failing to
 * build the page's URL. A request without one (HTTP/1.0) goes on, and a mutation must then name `APP_URL`'s origin.
 */
export function rejectMalformedHost(env: Pick<Env, "TRUST_PROXY">) {
  return (req: Request, res: Response, next: NextFunction) => {
    const forwarded = env.TRUST_PROXY ? req.headers["x-forwarded-host"] : undefined;
    const hosts = [req.headers.host, forwarded === undefined ? undefined : String(forwarded).split(",")[0]!.trim()];
    if (hosts.some((h) => h !== undefined && parseHost(h) === null)) {
      res.status(400).type("text/plain").send("This request names no valid host.");
      return;
    }
    next();
  };
}

/**
 * Convene's pages fetch their data from `<path>.data`; the older `?_data=<route>` form is answered 404,
 * as Remix no longer serves it reliably (routes answering with a status failed there with a 500).
 */
export function refuseLegacyDataRequests(req: Request, res: Response, next: NextFunction) {
  const query = req.originalUrl.indexOf("?");
  if (query !== -1 && new URLSearchParams(req.originalUrl.slice(query + 1)).has("_data")) {
    res.status(404).type("text/plain").send("Not found.");
    return;
  }
  next();
}

/** The last handler: a request Express itself rejected (an undecodable path) keeps its 4xx; anything else is logged and answered 500. */
export function errorHandler(log: (m: string) => void) {
  return (error: Error & { status?: number; statusCode?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const status = error.status ?? error.statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      if (!res.headersSent)
        res
          .status(status)
          .type("text/plain")
          .send(status === 413 ? "This request is too large." : "This request is not valid.");
      return;
    }
    log(`request failed: ${error.stack ?? error}`);
    if (res.headersSent) return;
    res.status(500).type("text/plain").send("Something went wrong on our side. Please try again.");
  };
}
