import type { IncomingHttpHeaders } from "node:http";

/**
 * True when a state-changing request (or a socket handshake) comes from Convene's own pages:
 * `Sec-Fetch-Site`, when the browser sends it, must say same-origin, and `Origin`, when present
 * (it must be, unless Sec-Fetch-Site vouches), must name the host the request was sent to or the public URL.
 */
export function isSameOrigin(headers: IncomingHttpHeaders, appUrl: string): boolean {
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return false;
  const origin = headers.origin;
  // Browsers leave Origin off same-origin GETs (a socket's polling handshake); Sec-Fetch-Site vouches for those.
  if (!origin) return site === "same-origin";
  if (origin === "null") return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  if (originHost === headers.host) return true;
  return origin === new URL(appUrl).origin;
}
