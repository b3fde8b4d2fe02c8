import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, NewPasswordFields, SubmitButton, TextField } from "../components/form";
import { completePasswordReset, inspectPasswordReset } from "../models/password-resets.server";
import { parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { newPassword } from "../utils/validation";

export const meta: MetaFunction = pageTitle("access:reset.setTitle");

const statusCode = { expired: 410, used: 410, unknown: 404 } as const;

const SetPasswordSchema = z
  .object({ password: newPassword, confirmPassword: z.string({ required_error: "errors.required" }) })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "errors.passwordsDiffer" });

export function loader({ params, context }: LoaderFunctionArgs) {
  const state = inspectPasswordReset(context.services.db, params.token ?? "");
  if (state.status !== "valid") return data({ status: state.status, email: null }, { status: statusCode[state.status] });
  return data({ status: "valid" as const, email: state.email });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(form, SetPasswordSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = await completePasswordReset(context.services.db, params.token ?? "", parsed.data.password, context.requestMeta);
  if (!result.ok) {
    return data(
      { ok: false as const, errors: { form: `access:reset.${result.status}` }, values: {} },
      { status: statusCode[result.status] },
    );
  }
  // Every session of this person has ended, this browser's included; they sign in with the new password.
  const headers = new Headers();
  if (context.auth) headers.append("Set-Cookie", context.sessionCookie.clear());
  return redirect("/sign-in?reset=done", { headers });
}

export default function PasswordResetSet() {
  const { t } = useTranslation("access");
  const { t: tc } = useTranslation();
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  if (loaderData.status !== "valid") {
    return (
      <section className="auth-card" aria-labelledby="reset-title">
        <h1 id="reset-title">{t("reset.invalidTitle")}</h1>
        <p>{t(`reset.${loaderData.status}`)}</p>
        <p>
          <Link to="/password-reset">{t("reset.askAgain")}</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="auth-card" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("reset.setTitle")}</h1>
      <p className="lead">{t("reset.setLead", { email: loaderData.email })}</p>
      <Form method="post" noValidate className="stack">
        <FormAlert message={errors.form ? tc(errors.form as "errors.required") : null} />
        <TextField name="email" type="email" label={tc("fields.email")} value={loaderData.email ?? ""} readOnly autoComplete="username" />
        <NewPasswordFields errors={errors} />
        <SubmitButton pendingLabel={t("reset.setting")}>{t("reset.setSubmit")}</SubmitButton>
      </Form>
    </section>
  );
}
