import type { IncomingHttpHeaders } from "node:http";
import { isLoopbackHost } from "../env";

export interface OriginOptions {
  /** Behind a trusted reverse proxy (`TRUST_PROXY`), `X-Forwarded-Proto` and `X-Forwarded-Host` say how the browser reached us. */
  trustProxy?: boolean;
  /** The connection itself is TLS (Convene serves plain HTTP, so only a test or a future listener sets this). */
  encrypted?: boolean;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const first = raw?.split(",")[0]?.trim();
  return first ? first : undefined;
}

/** `host[:port]` as a URL authority, or null when it is not one (spaces, a path, a port out of range…). */
export function parseHost(host: string | undefined): URL | null {
  if (!host || !/^[A-Za-z0-9.\-_[\]:]+$/.test(host)) return null;
  try {
    const url = new URL(`http://${host}`);
    return url.pathname === "/" && url.username === "" && url.password === "" ? url : null;
  } catch {
    return null;
  }
}

/**
 * The origin (scheme, host and port) the browser used to reach this request, from `Host` and the
 * connection's scheme (or, behind a trusted proxy, the forwarded ones); null when the host is malformed.
 */
export function requestOrigin(headers: IncomingHttpHeaders, options: OriginOptions = {}): string | null {
  const forwardedProto = options.trustProxy ? firstValue(headers["x-forwarded-proto"])?.toLowerCase() : undefined;
  const scheme = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : options.encrypted ? "https" : "http";
  const host = (options.trustProxy ? firstValue(headers["x-forwarded-host"]) : undefined) ?? headers.host;
  const parsed = parseHost(host);
  if (!parsed) return null;
  return new URL(`${scheme}://${parsed.host}`).origin;
}

/**
 * The origins Convene's pages are served from: `APP_URL`'s, and the one this request was sent to when
 * its host is a loopback address (a server reached on this machine, as in development and tests). Any
 * other `Host` is foreign: a page on a name that merely resolves to this server (DNS rebinding) is not ours.
 */
export function ownOrigins(headers: IncomingHttpHeaders, appUrl: string, options: OriginOptions = {}): string[] {
  const origins = [new URL(appUrl).origin];
  const own = requestOrigin(headers, options);
  if (own && isLoopbackHost(new URL(own).hostname) && !origins.includes(own)) origins.push(own);
  return origins;
}

/**
 * True when a state-changing request (or a socket handshake) comes from Convene's own pages:
 * `Sec-Fetch-Site`, when the browser sends it, must say same-origin, and `Origin`, when present
 * (it must be, unless Sec-Fetch-Site vouches), must equal one of `ownOrigins` as a whole: scheme, host and port.
 */
export function isSameOrigin(headers: IncomingHttpHeaders, appUrl: string, options: OriginOptions = {}): boolean {
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return false;
  const allowed = ownOrigins(headers, appUrl, options);
  const origin = headers.origin;
  // Browsers leave Origin off same-origin GETs (a socket's polling handshake); Sec-Fetch-Site vouches for those,
  // as long as the page's own origin (the request's) is one of ours.
  if (!origin) {
    const own = requestOrigin(headers, options);
    return site === "same-origin" && own !== null && allowed.includes(own);
  }
  if (origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  // An origin is scheme://host[:port] and nothing more.
  if (parsed.origin === "null" || origin.replace(/\/$/, "").toLowerCase() !== parsed.origin.toLowerCase()) return false;
  return allowed.includes(parsed.origin);
}
