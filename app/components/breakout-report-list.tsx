import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { DateTime } from "./time";

export interface ReportListData {
  session: { id: number; status: "planning" | "open" | "closed" };
  manager: boolean;
  reports: {
    roomId: number;
    roomName: string;
    pillarName: string | null;
    keyPoints: string;
    actions: { id: number; text: string; commitment: { id: number; reference: string; status: string; visible: boolean } | null }[];
    submittedAt: string | null;
    updatedAt: string;
    reportedBy: string | null;
  }[];
  proposeFor: { id: number; name: string } | null;
}

/**
 * Every report-back of a breakout session, for the plenary: room, pillar, key points and proposed actions. An action
 * that became a commitment links to it; otherwise a person who may record commitments for their organisation can
 * make it one (posted to the plenary page, wherever this list is shown). Names only on the record.
 */
export function BreakoutReportList({ d, proposing }: { d: ReportListData; proposing?: number | null }) {
  const { t } = useTranslation(["breakoutReports", "common"]);
  if (d.reports.length === 0) {
    return (
      <div className="empty-state" data-testid="no-report-backs">
        <p className="empty-state__title">{t("plenary.emptyTitle")}</p>
        <p className="empty-state__body">{d.session.status === "closed" ? t("plenary.emptyClosed") : t("plenary.emptyOpen")}</p>
      </div>
    );
  }
  return (
    <ol className="card-list breakout-reports" aria-label={t("plenary.listLabel")}>
      {d.reports.map((r) => (
        <li key={r.roomId} className="card breakout-reports__item" data-testid={`report-back-${r.roomId}`}>
          <article className="stack" aria-labelledby={`report-${r.roomId}-title`}>
            <header className="card__row">
              <h2 id={`report-${r.roomId}-title`} className="card__title">
                {r.roomName}
              </h2>
              {r.submittedAt ? null : <span className="badge badge--draft">{t("status.draftManagers")}</span>}
            </header>
            <p className="card__meta">
              {r.pillarName ? <span>{t("plenary.pillar", { pillar: r.pillarName })}</span> : null}
              {r.reportedBy ? <span data-testid="reported-by"> · {t("plenary.reportedBy", { name: r.reportedBy })}</span> : null}
              {r.submittedAt ? (
                <span>
                  {" "}
                  · {t("plenary.submittedAt")} <DateTime value={r.submittedAt} />
                </span>
              ) : null}
            </p>
            <section className="stack">
              <h3>{t("plenary.keyPoints")}</h3>
              {r.keyPoints ? (
                r.keyPoints.split(/\n{2,}/).map((para, i) => (
                  <p key={i} className="breakout-reports__text">
                    {para}
                  </p>
                ))
              ) : (
                <p className="muted">{t("plenary.noKeyPoints")}</p>
              )}
            </section>
            <section className="stack">
              <h3>{t("plenary.actions")}</h3>
              {r.actions.length === 0 ? (
                <p className="muted">{t("plenary.noActions")}</p>
              ) : (
                <ul className="breakout-reports__actions">
                  {r.actions.map((a) => (
                    <li key={a.id} className="breakout-reports__action" data-testid={`action-${a.id}`}>
                      <p>{a.text}</p>
                      {a.commitment ? (
                        a.commitment.visible ? (
                          <Link to={`/commitments/${a.commitment.id}`}>
                            {a.commitment.status === "draft"
                              ? t("plenary.draftCommitment", { reference: a.commitment.reference })
                              : t("plenary.commitment", { reference: a.commitment.reference })}
                          </Link>
                        ) : (
                          <p className="muted">{t("plenary.becameCommitment")}</p>
                        )
                      ) : d.proposeFor ? (
                        <Form method="post" action={`/breakouts/${d.session.id}/reports`}>
                          <input type="hidden" name="actionId" value={a.id} />
                          <button
                            type="submit"
                            name="intent"
                            value="propose"
                            className="button button--small button--quiet"
                            aria-disabled={proposing === a.id || undefined}
                          >
                            {t("plenary.propose", { organisation: d.proposeFor.name })}
                          </button>
                        </Form>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </article>
        </li>
      ))}
    </ol>
  );
}
