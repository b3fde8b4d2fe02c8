import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { commitmentTypes, commitmentVisibilities, voluntaryPrinciples } from "../domain/vocabulary";
import { MILESTONE_ROWS, SUPPORTING_ROWS } from "../utils/commitment-validation";
import { ErrorSummary } from "./commitment-error-summary";
import { usePrincipleLabel } from "./commitment-principles";
import { SelectField, SubmitButton, TextAreaField, TextField } from "./form";

interface Choice {
  id: number;
  name: string;
}

/**
 * The form that records a commitment in the open cycle. The secretariat chooses the lead organisation;
 * anyone else records for their own, shown but not to be changed.
 */
export function CommitmentForm({
  cycle,
  chooseLead,
  ownOrganisation,
  organisations,
  pillars,
  sessions,
  errors,
  values,
  attempt,
}: {
  cycle: { year: number };
  chooseLead: boolean;
  ownOrganisation: Choice | null;
  organisations: Choice[];
  pillars: { id: number; slug: string }[];
  sessions: { id: number; title: string; day: string }[];
  errors: Record<string, string>;
  values: Record<string, string>;
  /** The answer to the last submission: a new one moves the focus to the error summary. */
  attempt?: unknown;
}) {
  const { t } = useTranslation(["registry", "common"]);
  const principleLabel = usePrincipleLabel();
  const v = (name: string) => values[name] ?? "";
  const principles = new Set(v("principles").split(",").filter(Boolean));
  const fieldErrors = Object.keys(errors).filter((k) => k !== "form").length;
  const orgOptions = [
    { value: "", label: t("registry:form.noOrganisation") },
    ...organisations.map((o) => ({ value: String(o.id), label: o.name })),
  ];

  return (
    <section className="panel">
      <Form method="post" noValidate className="stack">
        <ErrorSummary
          attempt={attempt}
          testId="commitment-error-summary"
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
                  {principleLabel(n)}
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
              sessions.length ? t("registry:form.sessionHint", { year: cycle.year }) : t("registry:form.noSessions", { year: cycle.year })
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
  );
}
