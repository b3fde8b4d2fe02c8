import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { OrganisationForm } from "../components/organisation-form";
import { getOrganisation, updateOrganisation } from "../models/organisations.server";
import { forbidden, requirePermission } from "../utils/auth.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { OrganisationSchema } from "../utils/validation";
import { countryOptions } from "../utils/countries";
import { pickFormatLocale } from "../utils/format";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.editOrganisation");

function orgId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw new Response("Not found", { status: 404 });
  return id;
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "organisation.manage");
  const org = getOrganisation(context.services.db, orgId(params.id));
  if (!org) throw new Response("Not found", { status: 404 });
  const countries = countryOptions(pickFormatLocale(request.headers.get("accept-language"), "en"));
  return { countries, organisation: { id: org.id, name: org.name, stakeholderGroup: org.stakeholderGroup, country: org.country } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "organisation.manage");
  const id = orgId(params.id);
  const form = await readForm(request);
  const parsed = parseForm(form, OrganisationSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = updateOrganisation(context.services.db, user, id, parsed.data, context.requestMeta);
  if (!result.ok) {
    if (result.error === "errors.forbidden") throw forbidden();
    if (!("field" in result)) throw new Response("Not found", { status: 404 });
    return invalid({ [result.field]: result.error }, form);
  }
  return redirect("/organisations");
}

export default function EditOrganisation() {
  const { t } = useTranslation();
  const { organisation, countries } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="stack-lg narrow">
      <header className="page-header">
        <p>
          <Link to="/organisations">← {t("organisations.title")}</Link>
        </p>
        <h1>{t("organisations.editTitle", { name: organisation.name })}</h1>
      </header>
      <section className="panel">
        <OrganisationForm
          errors={actionData?.errors ?? {}}
          values={
            actionData?.values ?? {
              name: organisation.name,
              stakeholderGroup: organisation.stakeholderGroup,
              country: organisation.country,
            }
          }
          submitLabel={t("common.save")}
          intent="update"
          countries={countries}
        />
      </section>
    </div>
  );
}
