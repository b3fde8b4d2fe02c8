/** A commitment's years: each cycle's record, its frozen assessment, and what it came from and became. */
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { CommitmentPageData } from "../models/commitment-page.server";
import { DateTime } from "./time";

/** The badge tone of a commitment's status. */
export function statusTone(status: string): string {
  return status === "completed" ? "active" : status === "withdrawn" ? "revoked" : status === "carried" ? "draft" : "pending";
}

export function Timeline({ years, currentId }: { years: CommitmentPageData["years"]; currentId: number }) {
  const { t } = useTranslation(["commitment", "common"]);
  return (
    <section className="stack" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("sections.timeline")}</h2>
      <ol className="card-list commitment-timeline" data-testid="timeline">
        {years.map((y) => (
          <li key={y.id} className="card" aria-current={y.id === currentId ? "page" : undefined}>
            <h3 className="card__title">
              {y.year}:{" "}
              {y.id === currentId ? (
                <>
                  {y.title} <span className="muted">{t("timeline.thisPage")}</span>
                </>
              ) : (
                <Link to={`/commitments/${y.id}`}>{y.title}</Link>
              )}{" "}
              <span className={`badge badge--${statusTone(y.status)}`}>{t(`status.${y.status}`)}</span>
            </h3>
            {y.in.map((l, i) => (
              <p key={`in-${i}`} className="card__meta">
                {t("timeline.inFrom", { kind: t(`carryKind.${l.kind}`) })}{" "}
                {l.source.visible ? (
                  <Link to={`/commitments/${l.source.id}`}>{`${l.source.reference} ${l.source.title}`}</Link>
                ) : (
                  t("timeline.hiddenSource")
                )}
                {" · "}
                {t("timeline.decided")} <DateTime value={l.decidedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                {l.rationale ? <>: {l.rationale}</> : null}
              </p>
            ))}
            {y.assessment ? (
              <div className="stack" data-testid={`assessment-${y.year}`}>
                <p>
                  {t("timeline.assessment", {
                    year: y.year,
                    completion: t(`completion.${y.assessment.completion}`),
                    percent: y.assessment.percent,
                  })}
                </p>
                {y.assessment.earlyResult ? <p>{t("timeline.earlyResult", { text: y.assessment.earlyResult })}</p> : null}
                {y.assessment.note ? <p className="muted">{t("timeline.note", { text: y.assessment.note })}</p> : null}
              </div>
            ) : (
              <p className="muted">{t("timeline.notAssessed")}</p>
            )}
            {y.out.map((l, i) => (
              <p key={`out-${i}`} className="card__meta">
                <strong>{l.withdrawn ? t("timeline.outWithdrawn") : t(`carryKind.${l.kind}`)}</strong>
                {l.withdrawn ? null : (
                  <>
                    {" → "}
                    {l.target.visible ? (
                      <Link to={`/commitments/${l.target.id}`}>{`${l.target.reference} ${l.target.title}`}</Link>
                    ) : (
                      t("timeline.hiddenTarget")
                    )}
                  </>
                )}
                {" · "}
                {t("timeline.decided")} <DateTime value={l.decidedAt} options={{ dateStyle: "medium", timeStyle: undefined }} />
                {l.rationale ? <>: {l.rationale}</> : null}
              </p>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}
