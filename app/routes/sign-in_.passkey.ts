/** The passkey step of a pending sign-in, as JSON: `options` for `startAuthentication`, then `verify` its answer. */
import { type ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import {
  findPendingSignIn,
  passkeySignInOptions,
  pendingCookie,
  readPendingToken,
  relyingParty,
  verifyPasskeySignIn,
} from "../models/second-factor.server";
import { safeRedirect } from "../utils/auth.server";

const Body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("options") }),
  z.object({
    intent: z.literal("verify"),
    response: z.object({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal("public-key") }).passthrough(),
    redirectTo: z.string().max(500).optional(),
  }),
]);

const json = (body: unknown, status = 200, headers: HeadersInit = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "private, no-store", ...headers } });

export function loader() {
  return json({ ok: false, error: "security:errors.passkeyFailed" }, 405);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { db, env } = context.services;
  if (context.auth) return json({ ok: false, error: "security:errors.expired" }, 409);
  const pending = findPendingSignIn(db, readPendingToken(request));
  if (!pending || pending.step !== "verify") return json({ ok: false, error: "security:errors.expired" }, 401);
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return json({ ok: false, error: "security:errors.passkeyFailed" }, 400);
  const rp = relyingParty(env.APP_URL, request.url);
  if (parsed.data.intent === "options") return json({ ok: true, options: await passkeySignInOptions(db, pending, rp) });

  const response = parsed.data.response as unknown as AuthenticationResponseJSON;
  const result = await verifyPasskeySignIn(db, pending, response, rp, context.requestMeta);
  if (!result.ok) {
    const error =
      result.reason === "throttled"
        ? "security:errors.throttled"
        : `security:errors.${result.reason === "expired" ? "expired" : "passkeyFailed"}`;
    return json(
      { ok: false, error, minutes: result.reason === "throttled" ? result.retryAfterMinutes : 0 },
      result.reason === "throttled" ? 429 : 400,
    );
  }
  const headers = new Headers({ "Cache-Control": "private, no-store" });
  headers.append("Set-Cookie", context.sessionCookie.serialize(result.token));
  headers.append("Set-Cookie", pendingCookie(null, env.APP_URL));
  return Response.json({ ok: true, redirectTo: safeRedirect(parsed.data.redirectTo) }, { headers });
}
