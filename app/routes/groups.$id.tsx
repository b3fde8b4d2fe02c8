import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { documentVisibilities, memberships, type Membership } from "../domain/vocabulary";
import { EmptyState, FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../components/form";
import { DateTime } from "../components/time";
import { WorkingGroupForm } from "../components/working-group-form";
import { createDocument, listGroupDocuments } from "../models/documents.server";
import {
  getWorkingGroup,
  listAddablePeople,
  listLeadCandidates,
  listMembers,
  membershipOf,
  removeMember,
  saveWorkingGroup,
  setMembership,
  workingGroupInputProblems,
} from "../models/working-groups.server";
import { listPillars } from "../models/forum.server";
import { getPerson } from "../models/people.server";
import { forbidden, notFound, requirePermission, requireUser } from "../utils/auth.server";
import { keptValues, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { can } from "../utils/policy";
import { GroupMemberSchema, DocumentSchema, WorkingGroupSchema } from "../utils/validation";

export const meta: MetaFunction = pageTitle("titles.group");

function groupIdOf(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return id;
}

export function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const group = getWorkingGroup(db, groupIdOf(params.id)) ?? notFound();
  const membership = membershipOf(db, group.id, user.id);
  requirePermission(context, request, "workingGroup.view", { membership });
  const manage = can(user, "workingGroups.manage");
  const pillars = listPillars(db).map((p) => ({ id: p.id, slug: p.slug }));
  return {
    group: {
      id: group.id,
      name: group.name,
      description: group.description,
      pillarId: group.pillarId,
      pillarSlug: pillars.find((p) => p.id === group.pillarId)?.slug ?? "",
      leadId: group.leadId,
      leadName: group.leadName,
    },
    membership,
    manage,
    canCreateDocument: can(user, "document.create", { membership }),
    members: listMembers(db, group.id).map((m) => ({
      userId: m.userId,
      name: m.name,
      organisation: m.organisation,
      membership: m.membership,
    })),
    documents: listGroupDocuments(db, group.id)
      .filter((d) => can(user, "document.view", { visibility: d.visibility, membership }))
      .map((d) => ({ id: d.id, title: d.title, summary: d.summary, status: d.status, visibility: d.visibility, updatedAt: d.updatedAt })),
    pillars: manage ? pillars : [],
    leads: manage ? withCurrentLead(listLeadCandidates(db), group) : [],
    addable: manage ? listAddablePeople(db, group.id).map((p) => ({ id: p.id, name: p.name, organisation: p.organisation })) : [],
  };
}

/** The current lead stays choosable in the edit form even if they could no longer be picked anew. */
function withCurrentLead(
  leads: { id: number; name: string; organisation: string | null }[],
  group: { leadId: number | null; leadName: string | null },
) {
  if (group.leadId === null || leads.some((l) => l.id === group.leadId)) return leads;
  return [{ id: group.leadId, name: group.leadName ?? String(group.leadId), organisation: null }, ...leads];
}

type Intent = "update" | "addMember" | "setMembership" | "removeMember" | "createDocument";

interface ActionResult {
  ok: boolean;
  intent: Intent | null;
  /** A key in the `groups` namespace (or `common:` prefixed) for the page-level message. */
  message: string | null;
  /** The person a member change was about, for the message. */
  name?: string;
  errors: Record<string, string>;
  values: Record<string, string>;
}

function done(intent: Intent, message: string, name?: string) {
  return data<ActionResult>({ ok: true, intent, message, name, errors: {}, values: {} });
}

function failed(intent: Intent | null, form: FormData, errors: Record<string, string>, message: string | null = null, status = 400) {
  return data<ActionResult>({ ok: false, intent, message, errors, values: keptValues(form) }, { status });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { db, documents } = context.services;
  const group = getWorkingGroup(db, groupIdOf(params.id)) ?? notFound();
  const membership = membershipOf(db, group.id, user.id);
  if (!can(user, "workingGroup.view", { membership })) throw forbidden();
  const form = await readForm(request);
  const meta = context.requestMeta;
  const intent = form.get("intent");

  if (intent === "createDocument") {
    if (!can(user, "document.create", { membership })) throw forbidden();
    const parsed = parseForm(form, DocumentSchema);
    if (!parsed.ok) return failed(intent, form, parsed.errors);
    const documentId = createDocument(db, user.id, group.id, parsed.data, meta);
    return redirect(`/documents/${documentId}`);
  }

  if (intent !== "update" && intent !== "addMember" && intent !== "setMembership" && intent !== "removeMember") {
    return failed(null, form, {}, "common:errors.invalidValue");
  }
  if (!can(user, "workingGroups.manage")) throw forbidden();

  if (intent === "update") {
    const parsed = parseForm(form, WorkingGroupSchema);
    if (!parsed.ok) return failed(intent, form, parsed.errors);
    const problems = workingGroupInputProblems(db, parsed.data, group.leadId);
    if (problems) return failed(intent, form, problems);
    const result = saveWorkingGroup(db, user.id, group.id, parsed.data, meta);
    if (!result.ok) return failed(intent, form, { [result.field]: result.error });
    // A new lead becomes an editing member: open documents re-check who may read and edit them.
    if (parsed.data.leadId !== group.leadId) documents.refreshAccess({ groupId: group.id });
    return done(intent, "done.updated");
  }

  if (intent === "removeMember") {
    const userId = Number(form.get("userId"));
    const person = Number.isInteger(userId) && userId > 0 ? getPerson(db, userId) : null;
    if (!person || membershipOf(db, group.id, person.id) === null) return failed(intent, form, {}, "errors.notMember", 404);
    if (person.id === group.leadId) return failed(intent, form, {}, "errors.leadCannotBeRemoved", 409);
    if (!removeMember(db, user.id, group.id, person.id, meta)) return failed(intent, form, {}, "errors.notMember", 404);
    // Their open editors of this group's documents close at once.
    documents.refreshAccess({ groupId: group.id });
    return done(intent, "done.removed", person.name);
  }

  const parsed = parseForm(form, GroupMemberSchema);
  if (!parsed.ok) return failed(intent, form, parsed.errors);
  const { userId, membership: wanted } = parsed.data;
  const person = getPerson(db, userId);
  const current = person ? membershipOf(db, group.id, person.id) : null;

  if (intent === "addMember") {
    if (!person || person.status !== "active") return failed(intent, form, { userId: "groups:errors.personUnavailable" });
    if (current !== null) return failed(intent, form, { userId: "groups:errors.alreadyMember" });
  } else {
    if (!person || current === null) return failed(intent, form, {}, "errors.notMember", 404);
    if (person.id === group.leadId && wanted !== "editor") return failed(intent, form, {}, "errors.leadStaysEditor");
  }
  setMembership(db, user.id, group.id, person.id, wanted, meta);
  documents.refreshAccess({ groupId: group.id });
  const verb = intent === "addMember" ? "added" : "changed";
  return done(intent, `done.${verb}${wanted === "editor" ? "Editor" : "Reader"}`, person.name);
}

export default function WorkingGroupPage() {
  const { t } = useTranslation(["groups", "common"]);
  const { group, membership, manage, canCreateDocument, members, documents, pillars, leads, addable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failedFor = (intent: Intent) => (result && !result.ok && result.intent === intent ? result : null);
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
        <section aria-labelledby="documents-title" className="panel stack">
          <h2 id="documents-title">{t("group.documentsTitle")}</h2>
          {documents.length === 0 ? (
            <EmptyState title={t("group.documentsEmpty")}>
              {canCreateDocument ? t("group.documentsEmptyEditor") : t("group.documentsEmptyReader")}
            </EmptyState>
          ) : (
            <ul className="row-list">
              {documents.map((d) => (
                <li key={d.id} className="row-list__item" data-testid="group-document">
                  <div>
                    <Link to={`/documents/${d.id}`} className="cell-title">
                      {d.title}
                    </Link>
                    {d.summary ? <span className="cell-sub">{d.summary}</span> : null}
                    <span className="cell-sub">
                      {t("group.visibilityOf", { visibility: t(`visibility.${d.visibility}`) })}
                      {" · "}
                      <Trans t={t} i18nKey="group.updated" components={{ date: <DateTime value={d.updatedAt} /> }} />
                    </span>
                  </div>
                  <span className={`badge badge--${d.status}`}>{t(`status.${d.status}`)}</span>
                </li>
              ))}
            </ul>
          )}
          {canCreateDocument ? (
            <NewDocumentForm errors={failedFor("createDocument")?.errors ?? {}} values={failedFor("createDocument")?.values ?? {}} />
          ) : (
            <p className="muted">{t("group.readerNote")}</p>
          )}
        </section>

        <section aria-labelledby="members-title" className="panel stack">
          <h2 id="members-title">{t("group.membersTitleCount", { count: members.length })}</h2>
          {members.length === 0 ? (
            <EmptyState title={t("group.membersEmpty")} />
          ) : (
            <ul className="row-list">
              {members.map((m) => {
                const isLead = m.userId === group.leadId;
                return (
                  <li key={m.userId} className="row-list__item" data-testid="group-member">
                    <div>
                      <span className="cell-title">
                        {m.name}
                        {isLead ? (
                          <>
                            {" "}
                            <span className="badge">{t("group.isLead")}</span>
                          </>
                        ) : null}
                      </span>
                      <span className="cell-sub">{m.organisation ?? t("group.noOrganisation")}</span>
                    </div>
                    {manage ? (
                      <div className="stack">
                        {isLead ? (
                          <span>{t(`membership.${m.membership}`)}</span>
                        ) : (
                          <Form method="post" className="inline-form" key={`${m.userId}-${m.membership}`}>
                            <input type="hidden" name="intent" value="setMembership" />
                            <input type="hidden" name="userId" value={m.userId} />
                            <label className="visually-hidden" htmlFor={`membership-${m.userId}`}>
                              {t("group.membershipOf", { name: m.name })}
                            </label>
                            <select id={`membership-${m.userId}`} name="membership" defaultValue={m.membership}>
                              {memberships.map((value) => (
                                <option key={value} value={value}>
                                  {t(`membership.${value}`)}
                                </option>
                              ))}
                            </select>
                            <button type="submit" className="button button--small button--quiet">
                              {t("group.changeMembership")} <span className="visually-hidden">{m.name}</span>
                            </button>
                          </Form>
                        )}
                        {isLead ? (
                          <p className="cell-sub">{t("group.leadCannotBeRemoved")}</p>
                        ) : (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="intent" value="removeMember" />
                            <input type="hidden" name="userId" value={m.userId} />
                            <button type="submit" className="button button--danger button--small">
                              {t("group.remove")} <span className="visually-hidden">{m.name}</span>
                            </button>
                          </Form>
                        )}
                      </div>
                    ) : (
                      <span className="badge">{t(`membership.${m.membership}`)}</span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
          {manage ? (
            <AddMemberForm addable={addable} errors={failedFor("addMember")?.errors ?? {}} values={failedFor("addMember")?.values ?? {}} />
          ) : null}
        </section>
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

function NewDocumentForm({ errors, values }: { errors: Record<string, string>; values: Record<string, string> }) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <Form method="post" noValidate className="stack" aria-labelledby="new-document-title">
      <h3 id="new-document-title">{t("group.newDocumentTitle")}</h3>
      <p className="muted">{t("group.newDocumentLead")}</p>
      <input type="hidden" name="intent" value="createDocument" />
      <TextField name="title" label={t("fields.title")} required maxLength={200} defaultValue={values.title} error={errors.title} />
      <TextAreaField
        name="summary"
        label={t("fields.summary")}
        hint={t("fields.summaryHint")}
        rows={2}
        defaultValue={values.summary}
        error={errors.summary}
      />
      <SelectField
        name="visibility"
        label={t("fields.visibility")}
        hint={t("visibilityHint")}
        defaultValue={values.visibility ?? "group"}
        error={errors.visibility}
        options={documentVisibilities.map((v) => ({ value: v, label: t(`visibility.${v}`) }))}
      />
      <SubmitButton intent="createDocument" pendingLabel={t("group.creatingDocument")}>
        {t("group.createDocument")}
      </SubmitButton>
    </Form>
  );
}

function AddMemberForm({
  addable,
  errors,
  values,
}: {
  addable: { id: number; name: string; organisation: string | null }[];
  errors: Record<string, string>;
  values: Record<string, string>;
}) {
  const { t } = useTranslation(["groups", "common"]);
  return (
    <div className="stack">
      <h3 id="add-member-title">{t("group.addMemberTitle")}</h3>
      {addable.length === 0 ? (
        <p className="muted">{t("group.noneToAdd")}</p>
      ) : (
        <Form method="post" noValidate className="stack" aria-labelledby="add-member-title" key={addable.map((p) => p.id).join(",")}>
          <input type="hidden" name="intent" value="addMember" />
          <SelectField
            name="userId"
            label={t("fields.person")}
            required
            defaultValue={values.userId ?? ""}
            error={errors.userId}
            options={[
              { value: "", label: t("common:fields.choose") },
              ...addable.map((p) => ({ value: String(p.id), label: p.organisation ? `${p.name} (${p.organisation})` : p.name })),
            ]}
          />
          <SelectField
            name="membership"
            label={t("fields.membership")}
            hint={t("fields.membershipHint")}
            defaultValue={values.membership ?? "editor"}
            error={errors.membership}
            options={memberships.map((m: Membership) => ({ value: m, label: t(`membership.${m}`) }))}
          />
          <SubmitButton intent="addMember">{t("group.addMember")}</SubmitButton>
        </Form>
      )}
    </div>
  );
}
