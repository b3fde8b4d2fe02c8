/** Adding a passkey from the account's security page, as JSON: `options` for `startRegistration`, then `verify` its answer. */
import { type ActionFunctionArgs } from "@remix-run/node";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { addPasskey, passkeyRegistrationOptions, relyingParty } from "../models/second-factor.server";
import { can } from "../utils/policy";

const Body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("options") }),
  z.object({
    intent: z.literal("verify"),
    response: z.object({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal("public-key") }).passthrough(),
    name: z.string().trim().min(1).max(100),
  }),
]);

const json = (body: unknown, status = 200) => Response.json(body, { status });

export function loader() {
  return json({ ok: false, error: "security:errors.passkeyFailed" }, 405);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = context.auth?.user;
  if (!user) return json({ ok: false, error: "security:errors.expired" }, 401);
  if (!can(user, "account.manage")) return json({ ok: false, error: "security:errors.passkeyFailed" }, 403);
  const { db, env } = context.services;
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return json({ ok: false, error: "security:errors.passkeyFailed" }, 400);
  const rp = relyingParty(env.APP_URL, request.url);
  if (parsed.data.intent === "options") return json({ ok: true, options: await passkeyRegistrationOptions(db, user, rp) });
  const response = parsed.data.response as unknown as RegistrationResponseJSON;
  const result = await addPasskey(db, user, { response, name: parsed.data.name }, rp, context.requestMeta);
  if (!result.ok) return json({ ok: false, error: "security:errors.passkeyFailed" }, 400);
  return json({ ok: true, recoveryCodes: result.recoveryCodes });
}
