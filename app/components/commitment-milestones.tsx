import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { ActionResult, CommitmentPageData } from "../models/commitment-page.server";
import { FormAlert, SubmitButton, TextField } from "./form";
import { DateRange } from "./time";

/**
 * The milestones table, with a form to mark each one done for those who may, and for the lead organisation and the
 * secretariat forms to add a milestone and to change one not yet done (each due by the commitment's end).
 */
export function Milestones({
  milestones,
  canMark,
  canEdit,
  endsOn,
  today,
  actionData,
}: {
  milestones: CommitmentPageData["milestones"];
  canMark: boolean;
  canEdit: boolean;
  endsOn: string;
  today: string;
  actionData: ActionResult | undefined;
}) {
  const { t } = useTranslation(["commitment", "common"]);
  const result = actionData && actionData.intent === "milestone" ? actionData : null;
  const changed = actionData && actionData.intent === "milestoneChange" ? actionData : null;
  const added = actionData && actionData.intent === "milestoneAdd" ? actionData : null;
  const actions = canMark || canEdit;
  return (
    <section className="stack" aria-labelledby="milestones-title">
      <h2 id="milestones-title">{t("sections.milestones")}</h2>
      {result?.ok ? <FormAlert tone="success" message={t("done.milestone")} /> : null}
      {result && !result.ok && result.message ? <FormAlert message={t(result.message as "errors.alreadyDone")} /> : null}
      {changed?.ok ? <FormAlert tone="success" message={t("done.milestoneChanged")} /> : null}
      {changed && !changed.ok && changed.message ? <FormAlert message={t(changed.message as "errors.alreadyDone")} /> : null}
      {milestones.length === 0 ? (
        <p className="muted">{t("milestones.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="milestones">
            <thead>
              <tr>
                <th scope="col">{t("milestones.title")}</th>
                <th scope="col">{t("milestones.due")}</th>
                <th scope="col">{t("milestones.state")}</th>
                {actions ? <th scope="col">{t("common:common.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {milestones.map((m) => {
                const mine = result && !result.ok && result.about === m.id && result.errors.doneOn ? result : null;
                const change = changed && !changed.ok && changed.about === m.id ? changed : null;
                return (
                  <tr key={m.id} data-testid={`milestone-${m.id}`} data-overdue={m.overdue ? "true" : undefined}>
                    <td className="cell-title">{m.title}</td>
                    <td>
                      <DateRange start={m.dueOn} end={m.dueOn} />
                    </td>
                    <td>
                      {m.doneOn ? (
                        <span className="badge badge--active">
                          {t("milestones.doneOnPrefix")} <DateRange start={m.doneOn} end={m.doneOn} />
                        </span>
                      ) : m.overdue ? (
                        <span className="badge badge--revoked">{t("milestones.overdue")}</span>
                      ) : (
                        <span className="badge">{t("milestones.pending")}</span>
                      )}
                    </td>
                    {actions ? (
                      <td className="milestone-actions">
                        {canMark && !m.doneOn ? (
                          <Form method="post" className="inline-form" noValidate>
                            <input type="hidden" name="milestoneId" value={m.id} />
                            <label className="visually-hidden" htmlFor={`milestone-done-${m.id}`}>
                              {t("milestones.doneOnFor", { title: m.title })}
                            </label>
                            <input
                              id={`milestone-done-${m.id}`}
                              type="date"
                              name="doneOn"
                              max={today}
                              defaultValue={mine?.values.doneOn ?? today}
                              aria-invalid={mine?.errors.doneOn ? true : undefined}
                              aria-describedby={mine ? `milestone-error-${m.id}` : undefined}
                            />
                            <SubmitButton intent="milestone" className="button button--small">
                              {t("milestones.markDone")}
                            </SubmitButton>
                            {mine ? (
                              <p className="field__error" id={`milestone-error-${m.id}`} role="alert">
                                {t(mine.errors.doneOn as "errors.dateInvalid")}
                              </p>
                            ) : null}
                          </Form>
                        ) : null}
                        {canEdit && !m.doneOn ? (
                          <details className="milestone-change" open={change ? true : undefined}>
                            <summary>
                              {t("milestones.change")}
                              <span className="visually-hidden">: {m.title}</span>
                            </summary>
                            <Form method="post" className="stack" noValidate aria-label={t("milestones.changeFor", { title: m.title })}>
                              <input type="hidden" name="milestoneId" value={m.id} />
                              <TextField
                                name="title"
                                label={t("milestones.changeTitle", { title: m.title })}
                                maxLength={200}
                                defaultValue={change?.values.title ?? m.title}
                                error={change?.errors.title}
                              />
                              <TextField
                                name="dueOn"
                                type="date"
                                label={t("milestones.changeDue", { title: m.title })}
                                max={endsOn}
                                defaultValue={change?.values.dueOn ?? m.dueOn}
                                error={change?.errors.dueOn}
                              />
                              <div>
                                <SubmitButton
                                  intent="milestoneChange"
                                  className="button button--small"
                                  pendingLabel={t("milestones.saving")}
                                >
                                  {t("milestones.save")}
                                </SubmitButton>
                              </div>
                            </Form>
                          </details>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canEdit ? <AddMilestone endsOn={endsOn} result={added} /> : null}
    </section>
  );
}

/** Adds a milestone; after a refusal the typed values come back with the messages at their fields. */
function AddMilestone({ endsOn, result }: { endsOn: string; result: ActionResult | null }) {
  const { t } = useTranslation(["commitment", "common"]);
  const failed = result && !result.ok ? result : null;
  return (
    <Form
      method="post"
      className="panel stack milestone-add"
      noValidate
      aria-labelledby="milestone-add-title"
      data-testid="milestone-add"
      key={result?.ok ? `added-${result.about}` : "add"}
    >
      <h3 id="milestone-add-title">{t("milestones.add")}</h3>
      {result?.ok ? <FormAlert tone="success" message={t("done.milestoneAdded")} /> : null}
      {failed?.message ? <FormAlert message={t(failed.message as "errors.milestoneClosed")} /> : null}
      <p className="field__hint">{t("milestones.addHint")}</p>
      <div className="form-row">
        <TextField
          name="title"
          label={t("milestones.newTitle")}
          maxLength={200}
          defaultValue={failed?.values.title ?? ""}
          error={failed?.errors.title}
        />
        <TextField
          name="dueOn"
          type="date"
          label={t("milestones.newDue")}
          max={endsOn}
          defaultValue={failed?.values.dueOn ?? ""}
          error={failed?.errors.dueOn}
        />
      </div>
      <div>
        <SubmitButton intent="milestoneAdd" pendingLabel={t("milestones.adding")}>
          {t("milestones.add")}
        </SubmitButton>
      </div>
    </Form>
  );
}
