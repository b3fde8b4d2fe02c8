import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { CopyField } from "../components/copy-field";
import { EmptyState, FormAlert, SubmitButton } from "../components/form";
import { listOutbox, revokeInvitation } from "../models/invitations.server";
import { requirePermission } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { DateTime } from "../components/time";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.invitations");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "invitations.view");
  return { outbox: listOutbox(context.services.db), mailEnabled: context.services.mailer.enabled };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "invitation.revoke");
  const form = await readForm(request);
  const id = Number(form.get("invitationId"));
  if (form.get("intent") !== "revoke" || !Number.isInteger(id) || id <= 0) {
    return data({ ok: false, message: "errors.invalidValue" }, { status: 400 });
  }
  const done = revokeInvitation(context.services.db, user, id, context.requestMeta);
  return data({ ok: done, message: done ? "invitations.revoked" : "errors.alreadyClosed" }, { status: done ? 200 : 409 });
}

export default function Invitations() {
  const { t } = useTranslation();
  const { outbox, mailEnabled } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const created = Number(params.get("created"));
  const result = useActionData<typeof action>();
  return (
    <div className="stack-lg">
      <FormAlert message={result ? t(result.message as "invitations.revoked") : null} tone={result?.ok ? "success" : "error"} />
      <header className="page-header page-header--split">
        <div>
          <h1>{t("invitations.title")}</h1>
          <p className="lead">{mailEnabled ? t("invitations.leadMail") : t("invitations.leadNoMail")}</p>
        </div>
        <Link to="/invitations/new" className="button">
          {t("invitations.invite")}
        </Link>
      </header>
      {outbox.length === 0 ? (
        <EmptyState title={t("invitations.empty")}>
          <Link to="/invitations/new">{t("invitations.inviteFirst")}</Link>
        </EmptyState>
      ) : (
        <ul className="card-list" aria-label={t("invitations.listLabel")}>
          {outbox.map((m) => (
            <li key={m.id} className={`card${m.id === created ? " card--highlight" : ""}`} data-testid="outbox-item">
              {m.id === created ? (
                <p className="alert alert--success" role="status">
                  {t("invitations.created", { email: m.recipient })}
                </p>
              ) : null}
              <div className="card__row">
                <h2 className="card__title">{m.recipient}</h2>
                <span className={`badge badge--${m.state}`}>{t(`invitations.state.${m.state}`)}</span>
              </div>
              <p className="card__meta">
                {m.role ? t(`roles.${m.role}`) : null}
                {m.organisationName ? ` · ${m.organisationName}` : ""}
                {" · "}
                <Trans
                  i18nKey="invitations.sentBy"
                  values={{ name: m.invitedByName ?? "—" }}
                  components={{ date: <DateTime value={m.createdAt} /> }}
                />
                {m.expiresAt && m.state === "pending" ? (
                  <>
                    {" · "}
                    <Trans i18nKey="invitations.expires" components={{ date: <DateTime value={m.expiresAt} /> }} />
                  </>
                ) : null}
              </p>
              <p className="card__meta">
                {t(`invitations.delivery.${m.delivery}`)}
                {m.deliveryError ? `: ${m.deliveryError}` : ""}
              </p>
              {m.link ? <CopyField label={t("invitations.linkFor", { email: m.recipient })} value={m.link} /> : null}
              {m.state === "pending" && m.invitationId ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="invitationId" value={m.invitationId} />
                  <SubmitButton intent="revoke" className="button button--danger button--small">
                    {t("invitations.revoke")} <span className="visually-hidden">{m.recipient}</span>
                  </SubmitButton>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
