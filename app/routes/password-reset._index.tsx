import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { FormAlert, SubmitButton, TextField } from "../components/form";
import { i18next } from "../i18next.server";
import { requestPasswordReset } from "../models/password-resets.server";
import { chargeResetRequest } from "../models/sign-in.server";
import { requireAnonymous } from "../utils/auth.server";
import { parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { SignInSchema } from "../utils/validation";

export const meta: MetaFunction = pageTitle("access:reset.requestTitle");

const ResetRequestSchema = z.object({ email: SignInSchema.shape.email });

export function loader({ context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  return data(null);
}

/** The same answer whether or not the address has an account, so the page tells no one who has one. */
export async function action({ request, context }: ActionFunctionArgs) {
  requireAnonymous(context);
  const form = await readForm(request);
  const parsed = parseForm(form, ResetRequestSchema);
  if (!parsed.ok) return data({ ...parsed, sent: false as const }, { status: 400 });
  const { services } = context;
  const { email } = parsed.data;
  if (!(await chargeResetRequest(services.signInThrottle, context.requestMeta))) {
    return data(
      { ok: false as const, sent: false as const, errors: { form: "access:reset.requestThrottled" }, values: { email } },
      { status: 429 },
    );
  }
  const t = await i18next.getFixedT(request, "access");
  const { outboxId } = requestPasswordReset(
    services.db,
    email,
    {
      baseUrl: services.env.APP_URL,
      compose: (link, to) => ({ subject: t("reset.mailSubject"), body: t("reset.mailBody", { email: to, link }) }),
    },
    context.requestMeta,
  );
  // Mail goes out after the answer, so how long the answer takes does not depend on the account either.
  if (outboxId !== null) void services.mailer.deliver(outboxId);
  return data({ ok: true as const, sent: true as const, email, byMail: services.mailer.enabled });
}

export default function PasswordResetRequest() {
  const { t } = useTranslation("access");
  const { t: tc } = useTranslation();
  const actionData = useActionData<typeof action>();
  if (actionData?.sent) {
    return (
      <section className="auth-card" aria-labelledby="reset-title">
        <h1 id="reset-title">{t("reset.requestedTitle")}</h1>
        <p role="status">
          {actionData.byMail
            ? t("reset.requestedMail", { email: actionData.email })
            : t("reset.requestedOutbox", { email: actionData.email })}
        </p>
        <p>
          <Link to="/sign-in">{t("reset.backToSignIn")}</Link>
        </p>
      </section>
    );
  }
  const errors: Record<string, string> = actionData && "errors" in actionData ? actionData.errors : {};
  const values: Record<string, string> = actionData && "values" in actionData ? actionData.values : {};
  return (
    <section className="auth-card" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("reset.requestTitle")}</h1>
      <p className="lead">{t("reset.requestLead")}</p>
      <Form method="post" noValidate className="stack">
        <FormAlert message={errors.form ? tc(errors.form as "errors.required") : null} />
        <TextField
          name="email"
          type="email"
          label={tc("fields.email")}
          autoComplete="username"
          required
          defaultValue={values.email}
          error={errors.email}
        />
        <SubmitButton pendingLabel={t("reset.requesting")}>{t("reset.requestSubmit")}</SubmitButton>
      </Form>
      <p>
        <Link to="/sign-in">{t("reset.backToSignIn")}</Link>
      </p>
    </section>
  );
}
