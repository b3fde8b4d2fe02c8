import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { commitmentTypes, commitmentVisibilities, voluntaryPrinciples } from "../domain/vocabulary";
import { EmptyState, FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "../components/form";
import { createCommitment, currentCycle } from "../models/commitments.server";
import { listPillars } from "../models/forum.server";
import { getOrganisation } from "../models/organisations.server";
import {
  commitmentInputOf,
  commitmentProblems,
  forumSessionsOf,
  listOrganisationChoices,
  mayChooseLead,
  todayIso,
} from "../models/registry.server";
import { forbidden, requireUser } from "../utils/auth.server";
import { commitmentRawFromForm, MILESTONE_ROWS, parseCommitment, SUPPORTING_ROWS } from "../utils/commitment-validation";
import { formatCalendarDate, pickFormatLocale } from "../utils/format";
import { keptValues, readForm, type FormFailure } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { can } from "../utils/policy";

export const meta: MetaFunction = pageTitle("registry:form.title");

export function loader({ request, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  if (!can(user, "commitment.create", { leadOrganisationId: user.organisationId })) throw forbidden();
  const db = context.services.db;
  const cycle = currentCycle(db);
  const chooseLead = mayChooseLead(user);
  const locale = pickFormatLocale(request.headers.get("accept-language"), "en");
  const own = user.organisationId !== null ? getOrganisation(db, user.organisationId) : null;
  return {
    cycle: cycle && { year: cycle.year },
    chooseLead,
    ownOrganisation: own && { id: own.id, name: own.name },
    organisations: listOrganisationChoices(db),
    pillars: listPillars(db).map((p) => ({ id: p.id, slug: p.slug })),
    // The day is written out here, once, so the server and the browser show the same text.
    sessions: cycle
      ? forumSessionsOf(db, cycle.year).map((s) => ({
          id: s.id,
          title: s.title,
          day: formatCalendarDate(s.day, locale, { weekday: "short", day: "numeric", month: "short" }),
        }))
      : [],
    defaults: {
      contactName: chooseLead ? "" : user.name,
      contactEmail: chooseLead ? "" : user.email,
      startsOn: todayIso(),
      type: "single",
      visibility: "members",
    } as Record<string, string>,
  };
}

/** The lead organisation asked for: anyone but the secretariat records for their own organisation. */
function requestedLead(form: FormData, own: number | null): number | null {
  const raw = form.get("leadOrganisationId");
  if (typeof raw !== "string" || raw.trim() === "") return own;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const form = await readForm(request);
  const chooseLead = mayChooseLead(user);
  const lead = chooseLead ? requestedLead(form, null) : requestedLead(form, user.organisationId);
  // Recording for another organisation is refused outright, whatever else the form says.
  if (!can(user, "commitment.create", { leadOrganisationId: lead })) throw forbidden();

  const values = keptValues(form);
  const cycle = currentCycle(db);
  if (!cycle) return data({ ok: false, errors: { form: "registry:errors.noOpenCycle" }, values } satisfies FormFailure, { status: 409 });

  const raw = commitmentRawFromForm(form);
  if (!chooseLead) raw.leadOrganisationId = String(user.organisationId);
  const parsed = parseCommitment(raw);
  if (!parsed.ok) return data({ ok: false, errors: parsed.errors, values } satisfies FormFailure, { status: 400 });
  const problems = commitmentProblems(db, parsed.data, cycle.year);
  if (problems) return data({ ok: false, errors: problems, values } satisfies FormFailure, { status: 400 });

  const result = createCommitment(db, user.id, commitmentInputOf(parsed.data), context.requestMeta);
  if (!result.ok)
    return data({ ok: false, errors: { [result.field ?? "form"]: result.error }, values } satisfies FormFailure, { status: 400 });
  return redirect(`/commitments/${result.id}`);
}

export default function NewCommitment() {
  const { t } = useTranslation(["registry", "common"]);
  const { cycle, chooseLead, ownOrganisation, organisations, pillars, sessions, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string> = actionData?.errors ?? {};
  const values: Record<string, string> = actionData?.values ?? defaults;
  const v = (name: string) => values[name] ?? "";
  const principles = new Set(v("principles").split(",").filter(Boolean));
  const fieldErrors = Object.keys(errors).filter((k) => k !== "form").length;
  const orgOptions = [
    { value: "", label: t("registry:form.noOrganisation") },
    ...organisations.map((o) => ({ value: String(o.id), label: o.name })),
  ];

  return (
    <div className="stack-lg">
      <header className="page-header">
        <p>
          <Link to="/commitments">← {t("registry:title")}</Link>
        </p>
        <h1>{t("registry:form.title")}</h1>
        <p className="lead">{cycle ? t("registry:form.lead", { year: cycle.year }) : t("registry:form.leadNoCycle")}</p>
      </header>
      {!cycle ? (
        <EmptyState title={t("registry:errors.noOpenCycle")}>
          <p>
            <Link to="/commitments">{t("registry:form.backToRegistry")}</Link>
          </p>
        </EmptyState>
      ) : (
        <section className="panel">
          <Form method="post" noValidate className="stack">
            <FormAlert
              message={
                errors.form
                  ? t(errors.form as "registry:errors.noOpenCycle")
                  : fieldErrors
                    ? t("registry:form.fixErrors", { count: fieldErrors })
                    : null
              }
            />

            <fieldset className="speakers stack">
              <legend>{t("registry:form.what")}</legend>
              <TextField
                name="title"
                label={t("registry:form.titleField")}
                required
                maxLength={200}
                defaultValue={v("title")}
                error={errors.title}
              />
              <TextAreaField
                name="problem"
                label={t("registry:form.problem")}
                hint={t("registry:form.problemHint")}
                required
                rows={3}
                defaultValue={v("problem")}
                error={errors.problem}
              />
              <TextAreaField
                name="expectedResult"
                label={t("registry:form.expectedResult")}
                hint={t("registry:form.expectedResultHint")}
                required
                rows={3}
                defaultValue={v("expectedResult")}
                error={errors.expectedResult}
              />
              <SelectField
                name="pillarId"
                label={t("registry:form.pillar")}
                required
                defaultValue={v("pillarId")}
                error={errors.pillarId}
                options={[
                  { value: "", label: t("registry:form.choose") },
                  ...pillars.map((p) => ({
                    value: String(p.id),
                    label: t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation", { defaultValue: p.slug }),
                  })),
                ]}
              />
              <fieldset className="speakers" aria-describedby={errors.principles ? "principles-error" : "principles-hint"}>
                <legend>{t("registry:form.principles")}</legend>
                <p className="field__hint" id="principles-hint">
                  {t("registry:form.principlesHint")}
                </p>
                <div className="speaker-grid">
                  {voluntaryPrinciples.map((n) => (
                    <label key={n} className="check">
                      <input type="checkbox" name="principles" value={String(n)} defaultChecked={principles.has(String(n))} />{" "}
                      {t("registry:form.principle", { number: n })}
                    </label>
                  ))}
                </div>
                {errors.principles ? (
                  <p className="field__error" id="principles-error">
                    {t(errors.principles as "registry:errors.principlesRequired")}
                  </p>
                ) : null}
              </fieldset>
            </fieldset>

            <fieldset className="speakers stack">
              <legend>{t("registry:form.who")}</legend>
              <SelectField
                name="type"
                label={t("registry:form.type")}
                defaultValue={v("type") || "single"}
                error={errors.type}
                options={commitmentTypes.map((k) => ({ value: k, label: t(`registry:type.${k}`) }))}
              />
              {chooseLead ? (
                <SelectField
                  name="leadOrganisationId"
                  label={t("registry:form.leadOrganisation")}
                  required
                  defaultValue={v("leadOrganisationId")}
                  error={errors.leadOrganisationId}
                  options={[
                    { value: "", label: t("registry:form.choose") },
                    ...organisations.map((o) => ({ value: String(o.id), label: o.name })),
                  ]}
                />
              ) : (
                <>
                  <TextField
                    name="leadOrganisationName"
                    label={t("registry:form.leadOrganisation")}
                    hint={t("registry:form.leadFixed")}
                    readOnly
                    value={ownOrganisation?.name ?? ""}
                  />
                  <input type="hidden" name="leadOrganisationId" value={ownOrganisation ? String(ownOrganisation.id) : ""} />
                </>
              )}
              <TextField
                name="leadContribution"
                label={t("registry:form.leadContribution")}
                maxLength={500}
                defaultValue={v("leadContribution")}
                error={errors.leadContribution}
              />
              {Array.from({ length: SUPPORTING_ROWS }, (_, i) => (
                <div className="form-row" key={`s${i}`} data-testid="supporting-row">
                  <SelectField
                    name={`supporting.${i}.organisationId`}
                    label={t("registry:form.supporting", { number: i + 1 })}
                    defaultValue={v(`supporting.${i}.organisationId`)}
                    error={errors[`supporting.${i}.organisationId`]}
                    options={orgOptions}
                  />
                  <TextField
                    name={`supporting.${i}.contribution`}
                    label={t("registry:form.contribution", { number: i + 1 })}
                    maxLength={500}
                    defaultValue={v(`supporting.${i}.contribution`)}
                    error={errors[`supporting.${i}.contribution`]}
                  />
                </div>
              ))}
              <div className="form-row">
                <TextField
                  name="contactName"
                  label={t("registry:form.contactName")}
                  required
                  maxLength={200}
                  autoComplete="name"
                  defaultValue={v("contactName")}
                  error={errors.contactName}
                />
                <TextField
                  name="contactEmail"
                  type="email"
                  label={t("registry:form.contactEmail")}
                  hint={t("registry:form.optional")}
                  autoComplete="email"
                  defaultValue={v("contactEmail")}
                  error={errors.contactEmail}
                />
              </div>
            </fieldset>

            <fieldset className="speakers stack">
              <legend>{t("registry:form.when")}</legend>
              <div className="form-row">
                <TextField
                  name="startsOn"
                  type="date"
                  label={t("registry:form.startsOn")}
                  required
                  defaultValue={v("startsOn")}
                  error={errors.startsOn}
                />
                <TextField
                  name="endsOn"
                  type="date"
                  label={t("registry:form.endsOn")}
                  required
                  defaultValue={v("endsOn")}
                  error={errors.endsOn}
                />
              </div>
              <p className="field__hint">{t("registry:form.milestonesHint")}</p>
              {Array.from({ length: MILESTONE_ROWS }, (_, i) => (
                <div className="form-row" key={`m${i}`} data-testid="milestone-row">
                  <TextField
                    name={`milestones.${i}.title`}
                    label={t("registry:form.milestone", { number: i + 1 })}
                    maxLength={200}
                    defaultValue={v(`milestones.${i}.title`)}
                    error={errors[`milestones.${i}.title`]}
                  />
                  <TextField
                    name={`milestones.${i}.dueOn`}
                    type="date"
                    label={t("registry:form.milestoneDue", { number: i + 1 })}
                    defaultValue={v(`milestones.${i}.dueOn`)}
                    error={errors[`milestones.${i}.dueOn`]}
                  />
                </div>
              ))}
            </fieldset>

            <fieldset className="speakers stack">
              <legend>{t("registry:form.whereAndWho")}</legend>
              <SelectField
                name="madeAtSessionId"
                label={t("registry:form.session")}
                hint={
                  sessions.length
                    ? t("registry:form.sessionHint", { year: cycle.year })
                    : t("registry:form.noSessions", { year: cycle.year })
                }
                defaultValue={v("madeAtSessionId")}
                error={errors.madeAtSessionId}
                options={[
                  { value: "", label: t("registry:form.noSession") },
                  ...sessions.map((s) => ({
                    value: String(s.id),
                    label: t("registry:form.sessionOption", { title: s.title, day: s.day }),
                  })),
                ]}
              />
              <SelectField
                name="visibility"
                label={t("registry:form.visibility")}
                hint={t("registry:form.visibilityHint")}
                defaultValue={v("visibility") || "members"}
                error={errors.visibility}
                options={commitmentVisibilities.map((k) => ({ value: k, label: t(`registry:visibility.${k}`) }))}
              />
            </fieldset>

            <div>
              <SubmitButton pendingLabel={t("registry:form.saving")}>{t("registry:form.submit")}</SubmitButton>
            </div>
          </Form>
        </section>
      )}
    </div>
  );
}
