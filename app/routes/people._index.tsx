import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { Confirm, isConfirmed } from "../components/confirm";
import { CopyField } from "../components/copy-field";
import { DateTime } from "../components/time";
import { i18next } from "../i18next.server";
import { createPasswordReset, listPendingResets } from "../models/password-resets.server";
import { peopleWithSecondFactor, resetSecondFactor } from "../models/second-factor.server";
import { limitedAccounts, liftSignInLimits } from "../models/sign-in-limits.server";
import { roles } from "../domain/vocabulary";
import { EmptyState, FormAlert } from "../components/form";
import { changeRole, deactivatePerson, getPerson, listPeople, reactivatePerson, type PersonResult } from "../models/people.server";
import { forbidden, requirePermission } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { useRootData } from "../utils/root-data";
import { RoleChangeSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.people");

// Reset links are shown here: never kept by a cache.

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "people.view");
  const { db } = context.services;
  const limited = limitedAccounts(db);
  const withSecondFactor = peopleWithSecondFactor(db);
  return data({
    people: listPeople(db).map((p) => ({ ...p, limited: limited.has(p.email), secondFactor: withSecondFactor.has(p.id) })),
    pendingResets: listPendingResets(db),
  });
}

type ActionResult = { ok: boolean; message: string; personId?: number; name?: string; link?: string; ask?: "deactivate" };

export async function action({ request, context }: ActionFunctionArgs) {
  const actor = requirePermission(context, request, "people.view");
  const form = await readForm(request);
  const { db } = context.services;
  const personId = Number(form.get("personId"));
  const intent = String(form.get("intent") ?? "");
  let result: PersonResult;
  if (intent === "changeRole") {
    const parsed = RoleChangeSchema.safeParse({ role: form.get("role") });
    if (!parsed.success) return data<ActionResult>({ ok: false, message: "errors.invalidChoice", personId }, { status: 400 });
    result = changeRole(db, actor, personId, parsed.data.role, context.requestMeta);
  } else if (intent === "deactivate") {
    // Asked first: without the answer, the model does nothing and the page asks (also without script).
    result = deactivatePerson(db, actor, personId, context.requestMeta, { confirmed: isConfirmed(form) });
    if (!result.ok && result.reason === "unconfirmed")
      return data<ActionResult>({ ok: false, message: "", personId, name: result.name, ask: "deactivate" });
  } else if (intent === "reactivate") {
    result = reactivatePerson(db, actor, personId, context.requestMeta);
  } else if (intent === "resetSecondFactor") {
    const reset = resetSecondFactor(db, actor, personId, context.requestMeta);
    if (!reset.ok && reset.reason === "forbidden") throw forbidden();
    if (!reset.ok) return data<ActionResult>({ ok: false, message: "errors.notFound" }, { status: 404 });
    const name = getPerson(db, personId)?.name;
    return data<ActionResult>({ ok: true, message: "security:people.secondFactorReset", personId, name });
  } else if (intent === "liftSignInLimits" || intent === "createPasswordReset") {
    return accessAction(context, request, actor, intent, personId);
  } else {
    return data<ActionResult>({ ok: false, message: "errors.invalidValue" }, { status: 400 });
  }
  if (!result.ok && result.reason === "forbidden") throw forbidden();
  if (!result.ok) return data<ActionResult>({ ok: false, message: "errors.notFound" }, { status: 404 });
  return data<ActionResult>({ ok: true, message: result.message, personId });
}

/** Lifting a person's sign-in limits, or making a reset link to hand over (shown once, here). */
async function accessAction(
  context: ActionFunctionArgs["context"],
  request: Request,
  actor: ReturnType<typeof requirePermission>,
  intent: "liftSignInLimits" | "createPasswordReset",
  personId: number,
) {
  const { db, env } = context.services;
  const name = getPerson(db, personId)?.name;
  if (intent === "liftSignInLimits") {
    const lifted = liftSignInLimits(db, actor, personId, context.requestMeta);
    if (!lifted.ok && lifted.reason === "forbidden") throw forbidden();
    if (!lifted.ok) return data<ActionResult>({ ok: false, message: "errors.notFound" }, { status: 404 });
    return data<ActionResult>({ ok: true, message: "access:people.lifted", personId, name });
  }
  const t = await i18next.getFixedT(request, "access");
  const reset = createPasswordReset(
    db,
    actor,
    personId,
    { baseUrl: env.APP_URL, compose: (link, to) => ({ subject: t("reset.mailSubject"), body: t("reset.mailBody", { email: to, link }) }) },
    context.requestMeta,
  );
  if (!reset.ok && reset.reason === "forbidden") throw forbidden();
  if (!reset.ok)
    return data<ActionResult>(
      { ok: false, message: reset.reason === "inactive" ? "errors.alreadyClosed" : "errors.notFound" },
      { status: 409 },
    );
  return data<ActionResult>({ ok: true, message: "access:people.resetCreated", personId, name, link: reset.link });
}

export default function People() {
  const { t } = useTranslation();
  const { t: ta } = useTranslation("access");
  const { t: ts } = useTranslation("security");
  const { people, pendingResets } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const me = useRootData()?.user;
  const navigation = useNavigation();
  const busyPerson = navigation.state === "submitting" ? navigation.formData?.get("personId") : null;
  return (
    <div className="stack-lg">
      <header className="page-header page-header--split">
        <div>
          <h1>{t("people.title")}</h1>
          <p className="lead">{t("people.lead", { count: people.length })}</p>
        </div>
        <Link to="/invitations/new" className="button">
          {t("invitations.invite")}
        </Link>
      </header>
      {result?.ask && result.personId ? (
        <Confirm
          intent="deactivate"
          fields={{ personId: String(result.personId) }}
          question={t("people.confirmDeactivate.question", { name: result.name })}
          detail={t("people.confirmDeactivate.detail")}
          confirmLabel={t("people.confirmDeactivate.yes", { name: result.name })}
          returnFocusTo={`deactivate-${result.personId}`}
        />
      ) : null}
      <FormAlert
        message={result?.message ? t(result.message as "people.roleChanged", { name: result.name }) : null}
        tone={result?.ok ? "success" : "error"}
      />
      {result?.link ? <CopyField label={ta("people.resetLinkFor", { name: result.name })} value={result.link} /> : null}
      <PendingResets resets={pendingResets} />
      {people.length === 0 ? (
        <EmptyState title={t("people.empty")} />
      ) : (
        <div className="table-wrap" role="region" aria-labelledby="people-caption" tabIndex={0}>
          <table className="table">
            <caption id="people-caption" className="visually-hidden">
              {t("people.title")}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("fields.name")}</th>
                <th scope="col">{t("fields.organisation")}</th>
                <th scope="col">{t("fields.role")}</th>
                <th scope="col">{t("fields.status")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people.map((p) => {
                const self = p.id === me?.id;
                return (
                  <tr key={p.id} data-testid={`person-${p.email}`}>
                    <th scope="row">
                      <span className="cell-title">{p.name}</span>
                      <span className="cell-sub">{p.email}</span>
                    </th>
                    <td data-label={t("fields.organisation")}>
                      {p.organisationName ?? "—"}
                      {p.stakeholderGroup ? <span className="cell-sub">{t(`stakeholderGroups.${p.stakeholderGroup}`)}</span> : null}
                    </td>
                    <td data-label={t("fields.role")}>
                      {self ? (
                        t(`roles.${p.role}`)
                      ) : (
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="personId" value={p.id} />
                          <label className="visually-hidden" htmlFor={`role-${p.id}`}>
                            {t("people.roleOf", { name: p.name })}
                          </label>
                          <select id={`role-${p.id}`} name="role" defaultValue={p.role}>
                            {roles.map((r) => (
                              <option key={r} value={r}>
                                {t(`roles.${r}`)}
                              </option>
                            ))}
                          </select>
                          <button type="submit" name="intent" value="changeRole" className="button button--small button--quiet">
                            {t("people.saveRole")} <span className="visually-hidden">{p.name}</span>
                          </button>
                        </Form>
                      )}
                    </td>
                    <td data-label={t("fields.status")}>
                      <span className={`badge badge--${p.status}`}>{t(`people.status.${p.status}`)}</span>
                      {p.limited ? <span className="badge badge--overdue">{ta("people.limited")}</span> : null}
                    </td>
                    <td>
                      {self ? null : (
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="personId" value={p.id} />
                          {p.status === "active" ? (
                            <button
                              type="submit"
                              name="intent"
                              value="deactivate"
                              id={`deactivate-${p.id}`}
                              className="button button--danger button--small"
                              aria-disabled={busyPerson === String(p.id) || undefined}
                            >
                              {t("people.deactivate")} <span className="visually-hidden">{p.name}</span>
                            </button>
                          ) : (
                            <button type="submit" name="intent" value="reactivate" className="button button--small">
                              {t("people.reactivate")} <span className="visually-hidden">{p.name}</span>
                            </button>
                          )}
                          {p.status === "active" ? (
                            <button type="submit" name="intent" value="createPasswordReset" className="button button--small button--quiet">
                              {ta("people.createReset")} <span className="visually-hidden">{p.name}</span>
                            </button>
                          ) : null}
                          {p.secondFactor ? (
                            <button type="submit" name="intent" value="resetSecondFactor" className="button button--small button--quiet">
                              {ts("people.resetSecondFactor")} <span className="visually-hidden">{p.name}</span>
                            </button>
                          ) : null}
                          {p.limited ? (
                            <button type="submit" name="intent" value="liftSignInLimits" className="button button--small">
                              {ta("people.lift")} <span className="visually-hidden">{p.name}</span>
                            </button>
                          ) : null}
                        </Form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

type PendingReset = { id: number; name: string; email: string; createdAt: string | Date; expiresAt: string | Date; link: string };

/** Reset requests from the sign-in page that no mail carried: the secretariat hands each link over. */
function PendingResets({ resets }: { resets: PendingReset[] }) {
  const { t } = useTranslation("access");
  if (resets.length === 0) return null;
  return (
    <section className="stack" aria-labelledby="pending-resets">
      <h2 id="pending-resets">{t("people.pendingResets")}</h2>
      <p className="muted">{t("people.pendingResetsLead")}</p>
      <ul className="card-list">
        {resets.map((r) => (
          <li key={r.id} className="card" data-testid={`reset-${r.email}`}>
            <h3 className="card__title">
              {r.name} <span className="cell-sub">{r.email}</span>
            </h3>
            <p className="card__meta">
              <Trans t={t} i18nKey="people.requestedAt" components={{ date: <DateTime value={r.createdAt} /> }} />
              {" · "}
              <Trans t={t} i18nKey="people.expiresAt" components={{ date: <DateTime value={r.expiresAt} /> }} />
            </p>
            <p className="card__meta">{t("reset.outboxNote", { name: r.name })}</p>
            <CopyField label={t("people.resetLinkFor", { name: r.name })} value={r.link} />
          </li>
        ))}
      </ul>
    </section>
  );
}
