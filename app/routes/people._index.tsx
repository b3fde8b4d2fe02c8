import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { roles } from "../domain/vocabulary";
import { EmptyState, FormAlert } from "../components/form";
import { changeRole, deactivatePerson, listPeople, reactivatePerson, type PersonResult } from "../models/people.server";
import { forbidden, requirePermission } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { useRootData } from "../utils/root-data";
import { RoleChangeSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.people");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "people.view");
  return { people: listPeople(context.services.db) };
}

type ActionResult = { ok: boolean; message: string; personId?: number };

const writes = { deactivate: deactivatePerson, reactivate: reactivatePerson } as const;

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
  } else if (intent === "deactivate" || intent === "reactivate") {
    result = writes[intent](db, actor, personId, context.requestMeta);
  } else {
    return data<ActionResult>({ ok: false, message: "errors.invalidValue" }, { status: 400 });
  }
  if (!result.ok && result.reason === "forbidden") throw forbidden();
  if (!result.ok) return data<ActionResult>({ ok: false, message: "errors.notFound" }, { status: 404 });
  return data<ActionResult>({ ok: true, message: result.message, personId });
}

export default function People() {
  const { t } = useTranslation();
  const { people } = useLoaderData<typeof loader>();
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
      <FormAlert message={result ? t(result.message as "people.roleChanged") : null} tone={result?.ok ? "success" : "error"} />
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
