import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FormAlert } from "../components/form";
import { GroupDocuments } from "../components/group-documents";
import { GroupMembers } from "../components/group-members";
import { WorkingGroupForm } from "../components/working-group-form";
import {
  groupPageAction,
  groupPageData,
  viewableGroup,
  type GroupActionResult,
  type GroupIntent,
} from "../models/working-group-page.server";
import type { SessionUser } from "../models/session.server";
import { forbidden, notFound, requireUser } from "../utils/auth.server";
import { readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";

export const meta: MetaFunction = pageTitle("titles.group");

/** The group named in the address, for someone who may see it (404 if there is none, 403 if they may not). */
function groupFor(context: LoaderFunctionArgs["context"], user: SessionUser, raw: string | undefined) {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  const viewed = viewableGroup(context.services.db, user, id);
  if (!viewed.ok && viewed.reason === "not_found") notFound();
  if (!viewed.ok) throw forbidden();
  return viewed;
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  return groupPageData(context.services.db, user, groupFor(context, user, params.id));
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const viewed = groupFor(context, user, params.id);
  const form = await readForm(request);
  const outcome = groupPageAction(context.services.db, user, viewed, form, context.requestMeta);
  if ("redirect" in outcome) return redirect(outcome.redirect);
  if ("forbidden" in outcome) throw forbidden();
  return data<GroupActionResult>(outcome.result, { status: outcome.status });
}

export default function WorkingGroupPage() {
  const { t } = useTranslation(["groups", "common"]);
  const { group, membership, manage, canCreateDocument, members, documents, pillars, leads, addable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failedFor = (intent: GroupIntent) => (result && !result.ok && result.intent === intent ? result : null);
  const fieldsOf = (intent: GroupIntent) => ({ errors: failedFor(intent)?.errors ?? {}, values: failedFor(intent)?.values ?? {} });
  const pillarName = group.pillarSlug ? t(`common:pillars.${group.pillarSlug}` as "common:pillars.tech-innovation") : "";
  const message = result?.message ? t(result.message as "done.updated", { name: result.name ?? "" }) : null;

  const groupValues = failedFor("update")?.values ?? {
    name: group.name,
    description: group.description,
    pillarId: String(group.pillarId),
    leadId: group.leadId ? String(group.leadId) : "",
  };

  return (
    <div className="stack-lg">
      <header className="page-header">
        <p>
          <Link to="/groups">← {t("group.back")}</Link>
        </p>
        <h1>{group.name}</h1>
        <p className="lead">
          {t("group.pillarIs", { pillar: pillarName })}
          {" · "}
          {group.leadName ? t("group.leadIs", { name: group.leadName }) : t("list.noLead")}
          {membership ? (
            <>
              {" · "}
              <span className="badge">{t("group.yourMembership", { membership: t(`membership.${membership}`) })}</span>
            </>
          ) : null}
        </p>
      </header>

      <FormAlert message={message} tone={result?.ok ? "success" : "error"} />

      <section aria-labelledby="about-title" className="panel">
        <h2 id="about-title">{t("group.aboutTitle")}</h2>
        {group.description ? <p>{group.description}</p> : <p className="muted">{t("group.noDescription")}</p>}
      </section>

      <div className="two-col">
        <GroupDocuments documents={documents} canCreateDocument={canCreateDocument} newDocument={fieldsOf("createDocument")} />
        <GroupMembers members={members} leadId={group.leadId} manage={manage} addable={addable} addMember={fieldsOf("addMember")} />
      </div>

      {manage ? (
        <section aria-labelledby="edit-title" className="panel">
          <h2 id="edit-title">{t("group.editTitle")}</h2>
          <WorkingGroupForm
            key={`${group.name}|${group.pillarId}|${group.leadId}|${group.description}`}
            errors={failedFor("update")?.errors ?? {}}
            values={groupValues}
            pillars={pillars}
            leads={leads}
            submitLabel={t("group.save")}
            pendingLabel={t("common:common.saving")}
            intent="update"
          />
        </section>
      ) : null}
    </div>
  );
}
