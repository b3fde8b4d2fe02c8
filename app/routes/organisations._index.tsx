import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState, FormAlert } from "../components/form";
import { OrganisationForm } from "../components/organisation-form";
import { createOrganisation, listOrganisations } from "../models/organisations.server";
import { forbidden, requirePermission } from "../utils/auth.server";
import { countryOptions } from "../utils/countries";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { formatNumber, pickFormatLocale } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { OrganisationSchema } from "../utils/validation";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.organisations");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "organisations.view");
  const countries = countryOptions(pickFormatLocale(request.headers.get("accept-language"), "en"));
  return { organisations: listOrganisations(context.services.db), countries };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "organisation.manage");
  const form = await readForm(request);
  const parsed = parseForm(form, OrganisationSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = createOrganisation(context.services.db, user, parsed.data, context.requestMeta);
  if (!result.ok && result.error === "errors.forbidden") throw forbidden();
  if (!result.ok) return invalid({ ["field" in result ? result.field : "form"]: result.error }, form);
  return data({ ok: true as const, errors: {}, values: {}, created: parsed.data.name });
}

export default function Organisations() {
  const { t } = useTranslation();
  const { organisations, countries } = useLoaderData<typeof loader>();
  const countryNames = new Map(countries.map((c) => [c.value, c.label]));
  const actionData = useActionData<typeof action>();
  const { locale } = useFormatPrefs();
  const created = actionData && "created" in actionData ? actionData.created : null;
  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("organisations.title")}</h1>
        <p className="lead">{t("organisations.lead")}</p>
      </header>
      <div className="two-col">
        <section aria-labelledby="org-list-title" className="panel">
          <h2 id="org-list-title">{t("organisations.listTitle", { count: organisations.length })}</h2>
          {organisations.length === 0 ? (
            <EmptyState title={t("organisations.empty")} />
          ) : (
            <ul className="row-list">
              {organisations.map((o) => (
                <li key={o.id} className="row-list__item">
                  <div>
                    <Link to={`/organisations/${o.id}`} className="cell-title">
                      {o.name}
                    </Link>
                    <span className="cell-sub">
                      {t(`stakeholderGroups.${o.stakeholderGroup}`)} · {countryNames.get(o.country) ?? o.country}
                    </span>
                  </div>
                  <span className="muted">{t("organisations.people", { count: o.people, formatted: formatNumber(o.people, locale) })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="org-new-title" className="panel">
          <h2 id="org-new-title">{t("organisations.newTitle")}</h2>
          <FormAlert message={created ? t("organisations.created", { name: created }) : null} tone="success" />
          <OrganisationForm
            key={created ?? "new"}
            errors={actionData?.errors ?? {}}
            values={actionData && !created ? actionData.values : {}}
            submitLabel={t("organisations.create")}
            intent="create"
            countries={countries}
          />
        </section>
      </div>
    </div>
  );
}
