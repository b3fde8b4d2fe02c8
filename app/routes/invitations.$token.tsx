import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert, NewPasswordFields, SubmitButton, TextField } from "../components/form";
import { acceptInvitation, inspectInvitation } from "../models/invitations.server";
import { pendingCookie } from "../models/second-factor.server";
import { signOut } from "../models/session.server";
import { parseForm, readForm } from "../utils/forms.server";
import { AcceptInvitationSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.acceptInvitation");

const statusCode = { expired: 410, used: 410, revoked: 410, unknown: 404 } as const;

export function loader({ params, context }: LoaderFunctionArgs) {
  const state = inspectInvitation(context.services.db, params.token ?? "");
  if (state.status !== "valid") return data({ status: state.status, invitation: null }, { status: statusCode[state.status] });
  const { invitation, organisationName } = state;
  return {
    status: "valid" as const,
    invitation: { email: invitation.email, role: invitation.role, organisationName, expiresAt: invitation.expiresAt.toISOString() },
    signedInAs: context.auth?.user.email ?? null,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const parsed = parseForm(form, AcceptInvitationSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = await acceptInvitation(context.services.db, params.token ?? "", parsed.data, context.requestMeta);
  if (!result.ok)
    return data(
      { ok: false as const, errors: { form: `invitation.${result.status}.title` }, values: { name: parsed.data.name } },
      { status: statusCode[result.status] },
    );
  // Whoever was signed in on this browser before is signed out: the invitee takes over.
  if (context.auth) signOut(context.services.db, context.auth.user.id, context.auth.session.id, context.requestMeta);
  // A role that needs a second factor sets one up before its first session.
  if (result.secondFactor)
    return redirect(`/sign-in/${result.secondFactor.step}`, {
      headers: { "Set-Cookie": pendingCookie(result.secondFactor.token, context.services.env.APP_URL) },
    });
  return redirect("/", { headers: { "Set-Cookie": context.sessionCookie.serialize(result.token) } });
}

export default function AcceptInvitation() {
  const { t } = useTranslation();
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values: Record<string, string> = actionData?.values ?? {};

  if (loaderData.status !== "valid" || !loaderData.invitation) {
    return (
      <section className="auth-card" aria-labelledby="invitation-title">
        <h1 id="invitation-title">{t(`invitation.${loaderData.status}.title`)}</h1>
        <p>{t(`invitation.${loaderData.status}.body`)}</p>
        <p>
          <Link to="/sign-in">{t("auth.goToSignIn")}</Link>
        </p>
      </section>
    );
  }
  const { invitation } = loaderData;
  return (
    <section className="auth-card" aria-labelledby="invitation-title">
      <h1 id="invitation-title">{t("invitation.acceptTitle")}</h1>
      <p className="lead">
        {invitation.organisationName
          ? t("invitation.acceptLeadOrg", { role: t(`roles.${invitation.role}`), organisation: invitation.organisationName })
          : t("invitation.acceptLead", { role: t(`roles.${invitation.role}`) })}
      </p>
      {"signedInAs" in loaderData && loaderData.signedInAs ? (
        <p className="alert alert--info">{t("invitation.signedInAs", { email: loaderData.signedInAs })}</p>
      ) : null}
      <Form method="post" noValidate className="stack">
        <FormAlert message={errors.form ? t(errors.form as "invitation.used.title") : null} />
        <TextField name="email" type="email" label={t("fields.email")} value={invitation.email} readOnly autoComplete="username" />
        <TextField name="name" label={t("fields.fullName")} autoComplete="name" required defaultValue={values.name} error={errors.name} />
        <NewPasswordFields errors={errors} />
        <SubmitButton pendingLabel={t("invitation.accepting")}>{t("invitation.accept")}</SubmitButton>
      </Form>
    </section>
  );
}
