import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { FormAlert, SubmitButton, TextField } from "../components/form";
import { pendingCookie } from "../models/second-factor.server";
import { signIn } from "../models/sign-in.server";
import { requireAnonymous, safeRedirect } from "../utils/auth.server";
import { parseForm, readForm } from "../utils/forms.server";
import { SignInSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.signIn");

/** A refused attempt says when to try again (like every page, it is never cached: `privateByDefault`). */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers();
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

export function loader({ context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireAnonymous(context);
  const form = await readForm(request);
  const parsed = parseForm(form, SignInSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = await signIn(context.services.db, context.services.signInThrottle, parsed.data, context.requestMeta);
  if (!result.ok) {
    const values = { email: parsed.data.email, redirectTo: parsed.data.redirectTo ?? "" };
    if (result.reason === "throttled") {
      return data(
        { ok: false as const, errors: { form: "errors.signInThrottled" }, count: result.retryAfterMinutes, values },
        { status: 429, headers: { "Retry-After": String(result.retryAfterMinutes * 60) } },
      );
    }
    if (result.reason === "slowed") {
      return data(
        { ok: false as const, errors: { form: "access:signIn.slowed" }, count: result.retryAfterSeconds, values },
        { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } },
      );
    }
    return data({ ok: false as const, errors: { form: "errors.signInInvalid" }, count: 0, values }, { status: 400 });
  }
  if (result.secondFactor) {
    const back = parsed.data.redirectTo ? `?${new URLSearchParams({ redirectTo: parsed.data.redirectTo })}` : "";
    return redirect(`/sign-in/${result.secondFactor.step}${back}`, {
      headers: { "Set-Cookie": pendingCookie(result.secondFactor.token, context.services.env.APP_URL) },
    });
  }
  return redirect(safeRedirect(parsed.data.redirectTo), { headers: { "Set-Cookie": context.sessionCookie.serialize(result.token) } });
}

export default function SignIn() {
  const { t } = useTranslation();
  const { t: ta } = useTranslation("access");
  const actionData = useActionData<typeof action>();
  const password = useRef<HTMLInputElement>(null);
  // After a failed attempt the password is cleared, the email kept.
  useEffect(() => {
    if (actionData && password.current) {
      password.current.value = "";
      password.current.focus();
    }
  }, [actionData]);
  const [params] = useSearchParams();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values: Record<string, string> = actionData?.values ?? {};
  const count = actionData && "count" in actionData ? actionData.count : 0;
  return (
    <section className="auth-card" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t("auth.signInTitle")}</h1>
      <p className="lead">{t("auth.signInLead")}</p>
      {!actionData && params.get("reset") === "done" ? <FormAlert message={ta("reset.done")} tone="success" /> : null}
      <Form method="post" noValidate className="stack">
        <FormAlert message={errors.form ? t(errors.form as "errors.signInInvalid", { count }) : null} />
        <input type="hidden" name="redirectTo" value={values.redirectTo ?? params.get("redirectTo") ?? ""} />
        <TextField
          name="email"
          type="email"
          label={t("fields.email")}
          autoComplete="username"
          required
          defaultValue={values.email}
          error={errors.email}
        />
        <TextField
          ref={password}
          name="password"
          type="password"
          label={t("fields.password")}
          autoComplete="current-password"
          required
          error={errors.password}
        />
        <SubmitButton pendingLabel={t("auth.signingIn")}>{t("auth.signIn")}</SubmitButton>
      </Form>
      <p>
        <Link to="/password-reset">{ta("signIn.forgot")}</Link>
      </p>
      <p className="muted">{t("auth.noAccount")}</p>
    </section>
  );
}
