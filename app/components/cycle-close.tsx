import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { listCycleAssessments, listCycleCommitments } from "../models/cycles.server";
import { MAX_NOTE } from "../utils/cycle-validation";
import { EmptyState, SubmitButton, TextAreaField } from "./form";

/** What the cycle page's action answers: the step of closing shown next, its messages and what was typed. */
export interface CloseResult {
  ok: boolean;
  step: "edit" | "confirm";
  /** A key for the page-level message. */
  message: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

type CycleCommitment = Pick<ReturnType<typeof listCycleCommitments>[number], "id" | "reference" | "title">;

/**
 * Closing a cycle in two steps: the secretariat's notes on each commitment, then a summary of what
 * will be frozen, to confirm.
 */
export function CloseCycle({ year, commitments, result }: { year: number; commitments: CycleCommitment[]; result: CloseResult | null }) {
  const { t } = useTranslation(["cycles", "common"]);
  const values = result?.values ?? {};
  const errors = result?.errors ?? {};
  const noted = commitments.filter((c) => (values[`earlyResult.${c.id}`] ?? "").trim() || (values[`note.${c.id}`] ?? "").trim());

  if (result?.ok && result.step === "confirm") {
    return (
      <section aria-labelledby="confirm-title" className="panel stack no-print" data-testid="close-confirm">
        <h2 id="confirm-title">{t("close.confirmTitle", { year })}</h2>
        <div className="alert alert--info" role="status">
          {t("close.confirmLead", { count: commitments.length })}
        </div>
        {noted.length === 0 ? (
          <p className="muted">{t("close.noNotes")}</p>
        ) : (
          <ul className="row-list">
            {noted.map((c) => (
              <li key={c.id} className="row-list__item">
                <div>
                  <span className="cell-title">{`${c.reference} · ${c.title}`}</span>
                  {values[`earlyResult.${c.id}`]?.trim() ? (
                    <span className="cell-sub">{t("close.earlyResultIs", { text: values[`earlyResult.${c.id}`]!.trim() })}</span>
                  ) : null}
                  {values[`note.${c.id}`]?.trim() ? (
                    <span className="cell-sub">{t("close.noteIs", { text: values[`note.${c.id}`]!.trim() })}</span>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
        <Form method="post" className="header-actions" key="confirm">
          {noted.flatMap((c) => [
            <input key={`e${c.id}`} type="hidden" name={`earlyResult.${c.id}`} value={values[`earlyResult.${c.id}`] ?? ""} />,
            <input key={`n${c.id}`} type="hidden" name={`note.${c.id}`} value={values[`note.${c.id}`] ?? ""} />,
          ])}
          <input type="hidden" name="confirmed" value="yes" />
          <SubmitButton intent="close" className="button button--danger" pendingLabel={t("close.closing")}>
            {t("close.confirm", { year })}
          </SubmitButton>
          <SubmitButton intent="editClose" className="button button--quiet">
            {t("close.back")}
          </SubmitButton>
        </Form>
      </section>
    );
  }

  return (
    <section aria-labelledby="close-title" className="panel stack no-print" data-testid="close-form">
      <h2 id="close-title">{t("close.title")}</h2>
      <p>{t("close.lead")}</p>
      <Form method="post" noValidate className="stack" key={`edit-${result?.step ?? "new"}`}>
        {commitments.map((c) => (
          <fieldset key={c.id} className="stack">
            <legend className="cell-title">{`${c.reference} · ${c.title}`}</legend>
            <TextAreaField
              name={`earlyResult.${c.id}`}
              label={t("fields.earlyResult")}
              rows={2}
              maxLength={MAX_NOTE}
              defaultValue={values[`earlyResult.${c.id}`]}
              error={errors[`earlyResult.${c.id}`]}
            />
            <TextAreaField
              name={`note.${c.id}`}
              label={t("fields.note")}
              rows={2}
              maxLength={MAX_NOTE}
              defaultValue={values[`note.${c.id}`]}
              error={errors[`note.${c.id}`]}
            />
          </fieldset>
        ))}
        <SubmitButton intent="reviewClose">{t("close.review")}</SubmitButton>
      </Form>
    </section>
  );
}

type Assessment = ReturnType<typeof listCycleAssessments>[number];

/** A closed cycle's frozen assessments. */
export function Assessments({ assessments }: { assessments: Assessment[] }) {
  const { t } = useTranslation(["cycles", "common"]);
  return (
    <section aria-labelledby="assessments-title" className="stack" data-testid="assessments">
      <h2 id="assessments-title">{t("assessments.title")}</h2>
      <p className="muted">{t("assessments.lead")}</p>
      {assessments.length === 0 ? (
        <EmptyState title={t("assessments.empty")} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("assessments.commitment")}</th>
                <th scope="col">{t("assessments.completion")}</th>
                <th scope="col">{t("assessments.earlyResult")}</th>
                <th scope="col">{t("assessments.note")}</th>
              </tr>
            </thead>
            <tbody>
              {assessments.map((a) => (
                <tr key={a.commitmentId} data-testid="assessment">
                  <th scope="row">
                    <Link to={`/commitments/${a.commitmentId}`}>{a.reference}</Link>
                    <span className="cell-sub">{a.title}</span>
                  </th>
                  <td data-label={t("assessments.completion")}>
                    {t("assessments.completionIs", { completion: t(`completion.${a.completion}`), percent: a.percent })}
                  </td>
                  <td data-label={t("assessments.earlyResult")}>
                    {a.earlyResult || <span className="muted">{t("assessments.none")}</span>}
                  </td>
                  <td data-label={t("assessments.note")}>{a.note || <span className="muted">{t("assessments.none")}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
