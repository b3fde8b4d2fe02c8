import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { startRegistration } from "@simplewebauthn/browser";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, SubmitButton, TextField } from "../components/form";
import { postJson, RecoveryCodes, TotpSetupSteps, useHydrated } from "../components/second-factor";
import {
  enrolAtSignIn,
  findPendingSignIn,
  pendingCookie,
  pendingSignInPage,
  readPendingToken,
  totpSetup,
} from "../models/second-factor.server";
import { requireAnonymous, safeRedirect } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("security:titles.enrol");

function restart(request: Request): never {
  const back = new URL(request.url).searchParams.get("redirectTo");
  throw redirect(back ? `/sign-in?${new URLSearchParams({ redirectTo: back })}` : "/sign-in");
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  const { db } = context.services;
  const pending = findPendingSignIn(db, readPendingToken(request));
  // No redirect here: this loader also renders the answer to a successful enrolment, which used the pending sign-in up.
  if (!pending) return { email: null, setup: null };
  if (pending.step === "verify" || !pending.totpSecret) throw redirect(`/sign-in/verify${new URL(request.url).search}`);
  const { email } = pendingSignInPage(db, pending);
  return { email, setup: await totpSetup(pending.totpSecret, email) };
}

// Once enrolled the person is signed in: the page keeps showing the recovery codes instead of reloading as signed in.
export const shouldRevalidate = () => false;

const CodeSchema = z.object({ code: z.string().trim().min(1, "errors.required").max(20, "errors.tooLong") });

export async function action({ request, context }: ActionFunctionArgs) {
  requireAnonymous(context);
  const { db, env } = context.services;
  const pending = findPendingSignIn(db, readPendingToken(request));
  if (!pending || pending.step !== "enrol") restart(request);
  const parsed = CodeSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ ok: false as const, error: "security:errors.codeMissing", minutes: 0 }, { status: 400 });
  const result = enrolAtSignIn(db, pending, parsed.data.code, context.requestMeta);
  if (!result.ok) {
    if (result.reason === "expired") restart(request);
    if (result.reason === "throttled")
      return data({ ok: false as const, error: "security:errors.throttled", minutes: result.retryAfterMinutes }, { status: 429 });
    return data({ ok: false as const, error: "security:errors.codeInvalid", minutes: 0 }, { status: 400 });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", context.sessionCookie.serialize(result.token));
  headers.append("Set-Cookie", pendingCookie(null, env.APP_URL));
  const next = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  return data({ ok: true as const, recoveryCodes: result.recoveryCodes, next }, { headers });
}

/** A passkey instead of an app: registered here, and the sign-in completes with it. */
function PasskeyEnrol({ onDone }: { onDone: (done: { recoveryCodes: string[]; next: string }) => void }) {
  const { t } = useTranslation("security");
  const [params] = useSearchParams();
  const hydrated = useHydrated();
  const [error, setError] = useState<string | null>(null);
  async function go() {
    setError(null);
    try {
      const options = await postJson<{ options: Parameters<typeof startRegistration>[0]["optionsJSON"] }>("/sign-in/passkey", {
        intent: "register-options",
      });
      if (!options.ok) throw new Error(options.error);
      const response = await startRegistration({ optionsJSON: options.options });
      const result = await postJson<{ redirectTo: string; recoveryCodes: string[] }>("/sign-in/passkey", {
        intent: "register",
        response,
        name: t("passkeys.defaultName"),
        redirectTo: params.get("redirectTo") ?? "",
      });
      if (!result.ok) throw new Error(result.error);
      onDone({ recoveryCodes: result.recoveryCodes, next: result.redirectTo });
    } catch (e) {
      const key = (e as Error).message;
      setError(key.startsWith("security:") ? key : "security:errors.passkeyFailed");
    }
  }
  return (
    <div className="stack">
      <h2>{t("enrol.passkeyTitle")}</h2>
      <p className="muted">{t("passkeys.intro")}</p>
      <FormAlert message={error ? t(error as "errors.passkeyFailed") : null} />
      <button type="button" className="button button--quiet" onClick={go} disabled={!hydrated}>
        {t("enrol.usePasskey")}
      </button>
    </div>
  );
}

export default function Enrol() {
  const { t } = useTranslation("security");
  const { email, setup } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof action>();
  const [passkeyDone, setPasskeyDone] = useState<{ recoveryCodes: string[]; next: string } | null>(null);
  const result = passkeyDone ? { ok: true as const, ...passkeyDone } : actionResult;
  if (result?.ok) {
    return (
      <section className="auth-card stack" aria-labelledby="enrolled-title">
        <h1 id="enrolled-title">{t("enrol.doneTitle")}</h1>
        <RecoveryCodes codes={result.recoveryCodes} />
        {/* A full page load, so every part of the page knows the person is now signed in. */}
        <Link to={result.next} reloadDocument className="button">
          {t("enrol.continue")}
        </Link>
      </section>
    );
  }
  if (!setup) {
    return (
      <section className="auth-card stack" aria-labelledby="enrol-title">
        <h1 id="enrol-title">{t("enrol.title")}</h1>
        <p>{t("errors.expired")}</p>
        <Link to="/sign-in" className="button">
          {t("enrol.signInAgain")}
        </Link>
      </section>
    );
  }
  return (
    <section className="auth-card stack" aria-labelledby="enrol-title">
      <h1 id="enrol-title">{t("enrol.title")}</h1>
      <p className="lead">{t("enrol.lead", { email })}</p>
      <TotpSetupSteps setup={setup} />
      <Form method="post" noValidate className="stack">
        <FormAlert message={result?.error ? t(result.error as "errors.codeInvalid", { count: result.minutes }) : null} />
        <TextField
          name="code"
          label={t("verify.codeLabel")}
          hint={t("enrol.codeHint")}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
        />
        <SubmitButton pendingLabel={t("verify.checking")}>{t("enrol.submit")}</SubmitButton>
      </Form>
      <PasskeyEnrol onDone={setPasskeyDone} />
    </section>
  );
}
