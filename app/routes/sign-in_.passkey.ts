/**
 * The passkey step of a pending sign-in, as JSON: `options` for `startAuthentication`, then `verify` its answer;
 * or, for someone who must set up a second factor, `register-options` for `startRegistration`, then `register`.
 */
import { type ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import {
  enrolPasskeyAtSignIn,
  findPendingSignIn,
  passkeyEnrolmentOptions,
  passkeySignInOptions,
  pendingCookie,
  readPendingToken,
  relyingParty,
  verifyPasskeySignIn,
} from "../models/second-factor.server";
import { safeRedirect } from "../utils/auth.server";

const Credential = z.object({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal("public-key") }).passthrough();
const Body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("options") }),
  z.object({ intent: z.literal("verify"), response: Credential, redirectTo: z.string().max(500).optional() }),
  z.object({ intent: z.literal("register-options") }),
  z.object({
    intent: z.literal("register"),
    response: Credential,
    name: z.string().trim().min(1).max(100),
    redirectTo: z.string().max(500).optional(),
  }),
]);
const STEP = { options: "verify", verify: "verify", "register-options": "enrol", register: "enrol" } as const;

const json = (body: unknown, status = 200, headers: HeadersInit = {}) => Response.json(body, { status, headers });

export function loader() {
  return json({ ok: false, error: "security:errors.passkeyFailed" }, 405);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { db, env } = context.services;
  if (context.auth) return json({ ok: false, error: "security:errors.expired" }, 409);
  const pending = findPendingSignIn(db, readPendingToken(request));
  if (!pending) return json({ ok: false, error: "security:errors.expired" }, 401);
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return json({ ok: false, error: "security:errors.passkeyFailed" }, 400);
  const body = parsed.data;
  if (STEP[body.intent] !== pending.step) return json({ ok: false, error: "security:errors.expired" }, 401);
  const rp = relyingParty(env.APP_URL, request.url);
  if (body.intent === "options") return json({ ok: true, options: await passkeySignInOptions(db, pending, rp) });
  if (body.intent === "register-options") return json({ ok: true, options: await passkeyEnrolmentOptions(db, pending, rp) });

  const result =
    body.intent === "verify"
      ? await verifyPasskeySignIn(db, pending, body.response as unknown as AuthenticationResponseJSON, rp, context.requestMeta)
      : await enrolPasskeyAtSignIn(
          db,
          pending,
          { response: body.response as unknown as RegistrationResponseJSON, name: body.name },
          rp,
          context.requestMeta,
        );
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
  const headers = new Headers();
  headers.append("Set-Cookie", context.sessionCookie.serialize(result.token));
  headers.append("Set-Cookie", pendingCookie(null, env.APP_URL));
  const recoveryCodes = "recoveryCodes" in result ? result.recoveryCodes : null;
  return Response.json({ ok: true, redirectTo: safeRedirect(body.redirectTo), recoveryCodes }, { headers });
}
