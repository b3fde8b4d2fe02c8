import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { ActionResult, CommitmentPageData } from "../models/commitment-page.server";
import { FormAlert, SubmitButton } from "./form";
import { DateRange } from "./time";

/** The milestones table, with a form to mark each one done for those who may. */
export function Milestones({
  milestones,
  canMark,
  today,
  actionData,
}: {
  milestones: CommitmentPageData["milestones"];
  canMark: boolean;
  today: string;
  actionData: ActionResult | undefined;
}) {
  const { t } = useTranslation(["commitment", "common"]);
  const result = actionData && actionData.intent === "milestone" ? actionData : null;
  return (
    <section className="stack" aria-labelledby="milestones-title">
      <h2 id="milestones-title">{t("sections.milestones")}</h2>
      {result?.ok ? <FormAlert tone="success" message={t("done.milestone")} /> : null}
      {result && !result.ok && result.message ? <FormAlert message={t(result.message as "errors.alreadyDone")} /> : null}
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
                {canMark ? <th scope="col">{t("common:common.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {milestones.map((m) => {
                const mine = result && !result.ok && result.about === m.id && result.errors.doneOn ? result : null;
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
                    {canMark ? (
                      <td>
                        {m.doneOn ? null : (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="milestoneId" value={m.id} />
                            <label className="visually-hidden" htmlFor={`milestone-done-${m.id}`}>
                              {t("milestones.doneOnFor", { title: m.title })}
                            </label>
                            <input
                              id={`milestone-done-${m.id}`}
                              type="date"
                              name="doneOn"
                              required
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
                        )}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
