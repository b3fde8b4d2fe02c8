import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { roles } from "../domain/vocabulary";
import { FormAlert, SelectField, SubmitButton, TextField } from "../components/form";
import { i18next } from "../i18next.server";
import { createInvitation } from "../models/invitations.server";
import { listOrganisations } from "../models/organisations.server";
import { requirePermission } from "../utils/auth.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { InviteSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.invite");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "people.invite");
  return { organisations: listOrganisations(context.services.db).map((o) => ({ id: o.id, name: o.name })) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "people.invite");
  const form = await readForm(request);
  const parsed = parseForm(form, InviteSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const t = await i18next.getFixedT(request);
  const { services } = context;
  const result = createInvitation(
    services.db,
    user,
    parsed.data,
    {
      baseUrl: services.env.APP_URL,
      compose: (link) => ({
        subject: t("mail.invitationSubject"),
        body: t("mail.invitationBody", { inviter: user.name, role: t(`roles.${parsed.data.role}`), link, days: 7 }),
      }),
    },
    context.requestMeta,
  );
  if (!result.ok) return invalid({ [result.field]: result.error }, form);
  await services.mailer.deliver(result.outboxId);
  return redirect(`/invitations?created=${result.outboxId}`);
}

export default function NewInvitation() {
  const { t } = useTranslation();
  const { organisations } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values: Record<string, string> = actionData?.values ?? {};
  return (
    <div className="stack-lg narrow">
      <header className="page-header">
        <p>
          <Link to="/invitations">← {t("invitations.title")}</Link>
        </p>
        <h1>{t("invitations.newTitle")}</h1>
        <p className="lead">{t("invitations.newLead")}</p>
      </header>
      <Form method="post" noValidate className="stack panel">
        <FormAlert message={errors.form ? t(errors.form as "errors.malformedRequest") : null} />
        <TextField
          name="email"
          type="email"
          label={t("fields.email")}
          required
          autoComplete="off"
          defaultValue={values.email}
          error={errors.email}
        />
        <SelectField
          name="role"
          label={t("fields.role")}
          defaultValue={values.role ?? "delegate"}
          error={errors.role}
          options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          hint={t("fields.roleHint")}
        />
        <SelectField
          name="organisationId"
          label={t("fields.organisation")}
          defaultValue={values.organisationId ?? ""}
          error={errors.organisationId}
          options={[
            { value: "", label: t("fields.noOrganisation") },
            ...organisations.map((o) => ({ value: String(o.id), label: o.name })),
          ]}
        />
        <SubmitButton pendingLabel={t("invitations.sending")}>{t("invitations.send")}</SubmitButton>
      </Form>
    </div>
  );
}
