import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { startAuthentication } from "@simplewebauthn/browser";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, SubmitButton, TextField } from "../components/form";
import { postJson, useHydrated } from "../components/second-factor";
import { findPendingSignIn, pendingCookie, pendingSignInPage, readPendingToken, verifySignInCode } from "../models/second-factor.server";
import { requireAnonymous, safeRedirect } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("security:titles.verify");

/** Back to the password, keeping where the person was going. */
function restart(request: Request): never {
  const back = new URL(request.url).searchParams.get("redirectTo");
  throw redirect(back ? `/sign-in?${new URLSearchParams({ redirectTo: back })}` : "/sign-in");
}

export function loader({ request, context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  const pending = findPendingSignIn(context.services.db, readPendingToken(request));
  if (!pending) restart(request);
  if (pending.step === "enrol") throw redirect(`/sign-in/enrol${new URL(request.url).search}`);
  return pendingSignInPage(context.services.db, pending);
}

const CodeSchema = z.object({
  intent: z.enum(["totp", "recovery"]),
  code: z.string().trim().min(1, "errors.required").max(100, "errors.tooLong"),
});

export async function action({ request, context }: ActionFunctionArgs) {
  requireAnonymous(context);
  const { db, env } = context.services;
  const pending = findPendingSignIn(db, readPendingToken(request));
  if (!pending || pending.step !== "verify") restart(request);
  const parsed = CodeSchema.safeParse(Object.fromEntries(await readForm(request)));
  const intent = parsed.success ? parsed.data.intent : "totp";
  if (!parsed.success) return data({ intent, error: "security:errors.codeMissing", minutes: 0 }, { status: 400 });
  const result = verifySignInCode(db, pending, { kind: parsed.data.intent, code: parsed.data.code }, context.requestMeta);
  if (!result.ok) {
    if (result.reason === "expired") restart(request);
    if (result.reason === "throttled")
      return data({ intent, error: "security:errors.throttled", minutes: result.retryAfterMinutes }, { status: 429 });
    return data(
      { intent, error: intent === "totp" ? "security:errors.codeInvalid" : "security:errors.recoveryInvalid", minutes: 0 },
      { status: 400 },
    );
  }
  const headers = new Headers();
  headers.append("Set-Cookie", context.sessionCookie.serialize(result.token));
  headers.append("Set-Cookie", pendingCookie(null, env.APP_URL));
  return redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")), { headers });
}

function PasskeyButton() {
  const { t } = useTranslation("security");
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hydrated = useHydrated();
  async function go() {
    setBusy(true);
    setError(null);
    try {
      const options = await postJson<{ options: Parameters<typeof startAuthentication>[0]["optionsJSON"] }>("/sign-in/passkey", {
        intent: "options",
      });
      if (!options.ok) throw new Error(options.error);
      const response = await startAuthentication({ optionsJSON: options.options });
      const result = await postJson<{ redirectTo: string }>("/sign-in/passkey", {
        intent: "verify",
        response,
        redirectTo: params.get("redirectTo") ?? "",
      });
      if (!result.ok) throw new Error(result.error);
      window.location.assign(result.redirectTo);
    } catch (e) {
      const key = (e as Error).message;
      setError(key.startsWith("security:") ? key : "security:errors.passkeyFailed");
      setBusy(false);
    }
  }
  return (
    <div className="stack">
      <FormAlert message={error ? t(error as "errors.passkeyFailed") : null} />
      <button type="button" className="button" onClick={go} disabled={!hydrated} aria-disabled={busy || undefined}>
        {t("verify.usePasskey")}
      </button>
    </div>
  );
}

export default function VerifySignIn() {
  const { t } = useTranslation("security");
  const methods = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [useRecovery, setUseRecovery] = useState(result?.intent === "recovery" || !methods.totp);
  const message = result?.error ? t(result.error as "errors.codeInvalid", { count: result.minutes }) : null;
  return (
    <section className="auth-card stack" aria-labelledby="verify-title">
      <h1 id="verify-title">{t("verify.title")}</h1>
      <p className="lead">{t("verify.lead", { email: methods.email })}</p>
      {methods.passkey ? <PasskeyButton /> : null}
      {methods.totp && !useRecovery ? (
        <Form method="post" noValidate className="stack">
          <FormAlert message={message} />
          <TextField
            name="code"
            label={t("verify.codeLabel")}
            hint={t("verify.codeHint")}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
          />
          <SubmitButton intent="totp" pendingLabel={t("verify.checking")}>
            {t("verify.submit")}
          </SubmitButton>
        </Form>
      ) : null}
      {methods.recovery && useRecovery ? (
        <Form method="post" noValidate className="stack">
          <FormAlert message={message} />
          <TextField name="code" label={t("verify.recoveryLabel")} hint={t("verify.recoveryHint")} autoComplete="off" required />
          <SubmitButton intent="recovery" pendingLabel={t("verify.checking")}>
            {t("verify.submit")}
          </SubmitButton>
        </Form>
      ) : null}
      {methods.recovery && methods.totp ? (
        <button type="button" className="button button--quiet" onClick={() => setUseRecovery(!useRecovery)}>
          {useRecovery ? t("verify.useApp") : t("verify.useRecovery")}
        </button>
      ) : null}
    </section>
  );
}
