import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { completionLevels } from "../domain/vocabulary";
import type { ActionResult, CommitmentPageData } from "../models/commitment-page.server";
import { EVIDENCE_LINK_FIELDS, MAX_NARRATIVE, MAX_NOTE, evidenceAccept } from "../utils/progress-validation";
import { useFormatPrefs } from "../utils/root-data";
import { ErrorSummary } from "./commitment-error-summary";
import { EmptyState, FormAlert, SelectField, SubmitButton, TextAreaField, TextField } from "./form";
import { DateTime } from "./time";

/** A file size in the reader's number format ("2.5 MB"); units are the translation's, so server and browser agree. */
function useFileSize() {
  const { t } = useTranslation("commitment");
  const { locale } = useFormatPrefs();
  return (bytes: number) => {
    const number = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(n);
    if (bytes >= 1024 * 1024) return t("sizes.mb", { value: number(bytes / (1024 * 1024)) });
    if (bytes >= 1024) return t("sizes.kb", { value: number(bytes / 1024) });
    return t("sizes.bytes", { value: number(bytes) });
  };
}

/** Text as typed: blank lines part paragraphs, single line breaks are kept. */
export function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p, i) => (
          <p key={i}>
            {p.split("\n").map((line, j) => (
              <span key={j}>
                {j > 0 ? <br /> : null}
                {line}
              </span>
            ))}
          </p>
        ))}
    </>
  );
}

/** The short names of the accepted file types, for their labels. */
const fileTypeKeys: Record<string, "pdf" | "png" | "jpeg" | "text" | "csv" | "docx" | "xlsx"> = {
  "application/pdf": "pdf",
  "image/png": "png",
  "image/jpeg": "jpeg",
  "text/plain": "text",
  "text/csv": "csv",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
};

/** The progress reported on a commitment's work, newest first, with the form to post more and the secretariat's check. */
export function Progress({ d, actionData }: { d: CommitmentPageData; actionData: ActionResult | undefined }) {
  const { t } = useTranslation(["commitment", "common"]);
  const fileSize = useFileSize();
  const verifyResult = actionData && actionData.intent === "verify" ? actionData : null;
  return (
    <section className="stack" aria-labelledby="progress-title" id="progress">
      <h2 id="progress-title">{t("sections.progress")}</h2>

      {d.canReport ? (
        <ProgressForm d={d} actionData={actionData} />
      ) : d.currentRecord ? (
        <div className="alert alert--info">
          <p>
            {t("progress.notCurrent", { year: d.commitment.year })}{" "}
            <Link to={`/commitments/${d.currentRecord.id}`}>{t("progress.goCurrent", { year: d.currentRecord.year })}</Link>
          </p>
        </div>
      ) : !d.signedIn ? (
        <p className="muted">{t("progress.signInToReport")}</p>
      ) : null}

      {verifyResult?.ok ? <FormAlert tone="success" message={t("done.verified")} /> : null}
      {verifyResult && !verifyResult.ok && verifyResult.message ? (
        <FormAlert message={t(verifyResult.message as "errors.alreadyChecked")} />
      ) : null}

      {d.updates.length === 0 ? (
        <EmptyState title={t("progress.empty")} />
      ) : (
        <ol className="card-list" data-testid="updates">
          {d.updates.map((u) => {
            const mine =
              verifyResult && !verifyResult.ok && verifyResult.values.updateId === String(u.id) && verifyResult.errors.note
                ? verifyResult
                : null;
            return (
              <li key={u.id} className="card" data-testid={`update-${u.id}`} data-verified={u.verifiedAt ? "true" : "false"}>
                <h3 className="card__title">
                  {t(`completion.${u.completion}`)} · {t("progress.percentValue", { percent: u.percent })}{" "}
                  {u.verifiedAt ? (
                    <span className="badge badge--active">{t("progress.checkedBadge")}</span>
                  ) : (
                    <span className="badge badge--pending">{t("progress.selfReported")}</span>
                  )}
                </h3>
                <p className="card__meta">
                  <DateTime value={u.createdAt} options={{ dateStyle: "medium", timeStyle: "short" }} />
                  {" · "}
                  {u.author && u.organisation
                    ? t("progress.by", { author: u.author, organisation: u.organisation })
                    : u.author
                      ? t("progress.byAuthor", { author: u.author })
                      : u.organisation
                        ? t("progress.byOrganisation", { organisation: u.organisation })
                        : null}
                  {u.year !== d.commitment.year ? <> · {t("progress.reportedIn", { year: u.year })}</> : null}
                </p>
                <div className="prose">
                  <Paragraphs text={u.narrative} />
                </div>
                {u.links.length || u.files.length ? (
                  <div>
                    <h4>{t("progress.evidence")}</h4>
                    <ul>
                      {u.links.map((l) => (
                        <li key={l.id}>
                          <a href={l.url} rel="noopener noreferrer nofollow">
                            {l.url}
                          </a>
                        </li>
                      ))}
                      {u.files.map((f) => (
                        <li key={f.id}>
                          <a href={`/evidence/${f.id}`} download={f.fileName}>
                            {f.fileName}
                          </a>{" "}
                          <span className="cell-sub">
                            (
                            {t("progress.fileSize", {
                              type: t(`fileTypes.${fileTypeKeys[f.mimeType] ?? "other"}`),
                              size: fileSize(f.size),
                            })}
                            )
                          </span>
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                {u.verifiedAt ? (
                  <p className="muted" data-testid="verification">
                    {t("progress.checkedOn")} <DateTime value={u.verifiedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                    {u.verificationNote ? <> · {t("progress.checkedNote", { note: u.verificationNote })}</> : null}
                  </p>
                ) : (
                  <p className="muted" data-testid="verification">
                    {t("progress.selfReported")}
                  </p>
                )}
                {d.canVerify && !u.verifiedAt ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="updateId" value={u.id} />
                    <label htmlFor={`check-note-${u.id}`} className="visually-hidden">
                      {t("progress.checkNote")}
                    </label>
                    <input
                      id={`check-note-${u.id}`}
                      name="note"
                      maxLength={MAX_NOTE}
                      placeholder={t("progress.checkNote")}
                      defaultValue={mine?.values.note}
                      aria-describedby={mine ? `check-error-${u.id}` : undefined}
                    />
                    <SubmitButton intent="verify" className="button button--small">
                      {t("progress.markChecked")}
                    </SubmitButton>
                    {mine ? (
                      <p className="field__error" id={`check-error-${u.id}`} role="alert">
                        {t(mine.errors.note as "errors.noteTooLong")}
                      </p>
                    ) : null}
                  </Form>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

function ProgressForm({ d, actionData }: { d: CommitmentPageData; actionData: ActionResult | undefined }) {
  const { t } = useTranslation(["commitment", "common"]);
  const fileSize = useFileSize();
  const result = actionData && actionData.intent === "progress" ? actionData : null;
  const failed = result && !result.ok ? result : null;
  const errors = failed?.errors ?? {};
  const values = failed?.values ?? {};
  const maxSize = fileSize(d.limits.maxBytes);

  const [fileProblem, setFileProblem] = useState("");
  const fieldErrors = Object.keys(errors).length + (failed?.fileErrors.length ? 1 : 0);
  const summary = failed
    ? [
        failed.message ? t(failed.message as "errors.filesPicked") : null,
        fieldErrors ? t("errors.fixErrors", { count: fieldErrors }) : null,
      ]
        .filter(Boolean)
        .join(" ") || null
    : null;

  /** Says at the field, as soon as they are chosen, when there are too many files or one is too large (the server checks again). */
  function checkFiles(event: React.ChangeEvent<HTMLInputElement>) {
    const files = [...(event.currentTarget.files ?? [])];
    const big = files.find((f) => f.size > d.limits.maxBytes);
    setFileProblem(
      files.length > d.limits.maxFiles
        ? t("errors.fileTooMany", { name: files[d.limits.maxFiles]!.name, count: d.limits.maxFiles })
        : big
          ? t("errors.fileTooLarge", { name: big.name, size: maxSize })
          : "",
    );
  }
  const fileInvalid = !!fileProblem || !!failed?.fileErrors.length;

  return (
    <div className="panel stack">
      <h3>{t("sections.postUpdate")}</h3>
      {result?.ok ? <FormAlert tone="success" message={t("done.posted")} /> : null}
      <ErrorSummary message={summary} attempt={result} testId="progress-error-summary" />
      <p className="muted">{t("progress.appendOnly")}</p>
      <Form
        method="post"
        encType="multipart/form-data"
        className="stack"
        key={d.updates[0]?.id ?? 0}
        data-testid="progress-form"
        noValidate
        onSubmit={() => setFileProblem("")}
      >
        <div className="form-row">
          <SelectField
            name="completion"
            label={t("progress.completion")}
            required
            defaultValue={values.completion ?? ""}
            error={errors.completion}
            options={[
              { value: "", label: t("common:fields.choose") },
              ...completionLevels.map((c) => ({ value: c, label: t(`completion.${c}`) })),
            ]}
          />
          <TextField
            name="percent"
            label={t("progress.percent")}
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            required
            hint={t("progress.percentHint")}
            defaultValue={values.percent ?? ""}
            error={errors.percent}
          />
        </div>
        <TextAreaField
          name="narrative"
          label={t("progress.narrative")}
          hint={t("progress.narrativeHint")}
          rows={5}
          required
          maxLength={MAX_NARRATIVE}
          defaultValue={values.narrative ?? ""}
          error={errors.narrative}
        />
        <fieldset className="stack">
          <legend>{t("progress.links")}</legend>
          <p className="field__hint">{t("progress.linksHint")}</p>
          {EVIDENCE_LINK_FIELDS.map((name, i) => (
            <TextField
              key={name}
              name={name}
              label={t("progress.link", { number: i + 1 })}
              type="url"
              inputMode="url"
              placeholder="https://"
              defaultValue={values[name] ?? ""}
              error={errors[name]}
            />
          ))}
        </fieldset>
        <div className={`field${fileInvalid ? " field--invalid" : ""}`}>
          <label htmlFor="evidence-files">{t("progress.files")}</label>
          <input
            id="evidence-files"
            type="file"
            name="files"
            multiple
            accept={evidenceAccept}
            onChange={checkFiles}
            aria-invalid={fileInvalid ? true : undefined}
            aria-describedby={fileInvalid ? "evidence-files-hint evidence-files-error" : "evidence-files-hint"}
          />
          <p className="field__hint" id="evidence-files-hint">
            {t("progress.filesHint", { count: d.limits.maxFiles, size: maxSize })}
          </p>
          {fileProblem ? (
            <p className="field__error" id="evidence-files-error" role="alert">
              {fileProblem}
            </p>
          ) : failed?.fileErrors.length ? (
            <ul className="field__error" id="evidence-files-error" data-testid="file-errors">
              {failed.fileErrors.map((e, i) => (
                <li key={i}>{t(e.key as "errors.fileTooLarge", { name: e.name, size: maxSize, count: d.limits.maxFiles })}</li>
              ))}
            </ul>
          ) : null}
        </div>
        <div>
          <SubmitButton intent="progress" pendingLabel={t("progress.posting")}>
            {t("progress.post")}
          </SubmitButton>
        </div>
      </Form>
    </div>
  );
}
