import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../components/form";
import { WorkingGroupForm } from "../components/working-group-form";
import { createWorkingGroup, listLeadCandidates, listWorkingGroupsFor } from "../models/working-groups.server";
import { listPillars } from "../models/forum.server";
import { forbidden, requirePermission, requireUser } from "../utils/auth.server";
import { formatNumber } from "../utils/format";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { can } from "../utils/policy";
import { useFormatPrefs } from "../utils/root-data";
import { WorkingGroupSchema } from "../utils/validation";

export const meta: MetaFunction = pageTitle("titles.groups");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const manage = can(user, "workingGroups.manage");
  return {
    manage,
    groups: listWorkingGroupsFor(db, user).map((g) => ({
      id: g.id,
      name: g.name,
      description: g.description,
      pillarSlug: g.pillarSlug,
      leadName: g.leadName,
      membership: g.membership,
      memberCount: Number(g.memberCount),
      documentCount: Number(g.documentCount),
    })),
    pillars: manage ? listPillars(db).map((p) => ({ id: p.id, slug: p.slug })) : [],
    leads: manage ? listLeadCandidates(db) : [],
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requirePermission(context, request, "workingGroups.manage");
  const form = await readForm(request);
  const parsed = parseForm(form, WorkingGroupSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = createWorkingGroup(context.services.db, user, parsed.data, context.requestMeta);
  if (!result.ok && result.reason === "forbidden") throw forbidden();
  if (!result.ok) return invalid(result.errors, form);
  return redirect(`/groups/${result.id}`);
}

export default function WorkingGroups() {
  const { t } = useTranslation(["groups", "common"]);
  const { manage, groups, pillars, leads } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { locale } = useFormatPrefs();

  const list = (
    <section aria-labelledby="groups-list-title" className="panel">
      <h2 id="groups-list-title">{t("list.listTitle", { count: groups.length })}</h2>
      {groups.length === 0 ? (
        manage ? (
          <EmptyState title={t("list.emptySecretariat")} />
        ) : (
          <EmptyState title={t("list.empty")}>{t("list.emptyBody")}</EmptyState>
        )
      ) : (
        <ul className="card-list">
          {groups.map((g) => (
            <li key={g.id} className="card" data-testid="group-card">
              <p className="card__eyebrow">
                {t(`common:pillars.${g.pillarSlug}` as "common:pillars.tech-innovation")}
                {g.membership ? (
                  <>
                    {" "}
                    <span className="badge">{t(`membership.${g.membership}`)}</span>
                  </>
                ) : null}
              </p>
              <h3 className="card__title">
                <Link to={`/groups/${g.id}`}>{g.name}</Link>
              </h3>
              {g.description ? <p>{g.description}</p> : null}
              <p className="card__meta">
                {g.leadName ? t("list.leadBy", { name: g.leadName }) : t("list.noLead")}
                {" · "}
                {t("list.members", { count: g.memberCount, formatted: formatNumber(g.memberCount, locale) })}
                {" · "}
                {t("list.documents", { count: g.documentCount, formatted: formatNumber(g.documentCount, locale) })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  return (
    <div className="stack-lg">
      <header className="page-header">
        <h1>{t("list.title")}</h1>
        <p className="lead">{manage ? t("list.leadSecretariat") : t("list.lead")}</p>
      </header>
      {manage ? (
        <div className="two-col">
          {list}
          <section aria-labelledby="group-new-title" className="panel">
            <h2 id="group-new-title">{t("new.title")}</h2>
            <WorkingGroupForm
              errors={actionData?.errors ?? {}}
              values={actionData?.values ?? {}}
              pillars={pillars}
              leads={leads}
              submitLabel={t("new.create")}
              pendingLabel={t("new.creating")}
              intent="create"
            />
          </section>
        </div>
      ) : (
        list
      )}
    </div>
  );
}
