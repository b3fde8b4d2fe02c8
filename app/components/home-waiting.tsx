import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { WaitingWork } from "../models/home.server";
import { formatNumber } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { EmptyState } from "./form";

/** The work waiting for the reader, each kind with its count and where to act on it. */
export function WaitingForYou({ work }: { work: WaitingWork }) {
  const { t } = useTranslation();
  const { locale } = useFormatPrefs();
  const n = (count: number) => ({ count, n: formatNumber(count, locale) });
  const progress = work.progressToCheck && work.progressToCheck.updates > 0 ? work.progressToCheck : null;
  const registrations = work.registrations ?? [];
  const invitations = work.invitationsOutstanding ?? 0;
  const overdue = work.overdueMilestones && work.overdueMilestones.milestones > 0 ? work.overdueMilestones : null;
  const empty = !progress && registrations.length === 0 && invitations === 0 && !overdue;
  return (
    <section aria-labelledby="waiting-title" className="panel" data-testid="waiting">
      <h2 id="waiting-title">{t("home.waitingTitle")}</h2>
      {empty ? (
        <EmptyState title={t("home.waitingNone")}>{t("home.waitingNoneBody")}</EmptyState>
      ) : (
        <ul className="waiting-list">
          {progress ? (
            <li className="waiting-list__item" data-testid="waiting-progress">
              <span className="waiting-list__count">{formatNumber(progress.updates, locale)}</span>
              <span>
                <Link to="/commitments?progress=unchecked">{t("home.progressToCheck", n(progress.updates))}</Link>{" "}
                <span className="muted">{t("home.progressOn", n(progress.commitments))}</span>
              </span>
            </li>
          ) : null}
          {registrations.map((r) => (
            <li key={r.eventId} className="waiting-list__item" data-testid={`waiting-registrations-${r.eventId}`}>
              <span className="waiting-list__count">{formatNumber(r.pending, locale)}</span>
              <span>
                <Link to={`/events/${r.eventId}/registrations`}>
                  {t("home.registrationsToDecide", { ...n(r.pending), event: r.title })}
                </Link>
              </span>
            </li>
          ))}
          {invitations > 0 ? (
            <li className="waiting-list__item" data-testid="waiting-invitations">
              <span className="waiting-list__count">{formatNumber(invitations, locale)}</span>
              <span>
                <Link to="/invitations">{t("home.invitationsOutstanding", n(invitations))}</Link>
              </span>
            </li>
          ) : null}
          {overdue ? (
            <li className="waiting-list__item" data-testid="waiting-overdue">
              <span className="waiting-list__count">{formatNumber(overdue.milestones, locale)}</span>
              <span className="waiting-list__body">
                <span>
                  {overdue.all ? (
                    <Link to="/commitments/dashboard">{t("home.overdueMilestones", n(overdue.milestones))}</Link>
                  ) : (
                    t("home.overdueMilestones", n(overdue.milestones))
                  )}{" "}
                  <span className="muted">{t("home.overdueOn", n(overdue.commitmentCount))}</span>
                </span>
                <ul className="waiting-list__commitments">
                  {overdue.commitments.map((c) => (
                    <li key={c.id}>
                      <Link to={`/commitments/${c.id}`}>{t("home.overdueCommitment", { reference: c.reference, title: c.title })}</Link>{" "}
                      <span className="muted">({t("home.overdueCount", n(c.milestones))})</span>
                    </li>
                  ))}
                </ul>
                {overdue.commitmentCount > overdue.commitments.length ? (
                  <span className="muted">
                    {t("home.overdueMore", n(overdue.commitmentCount - overdue.commitments.length))}{" "}
                    <Link to={overdue.all ? "/commitments/dashboard" : "/commitments"}>{t("home.overdueAll")}</Link>
                  </span>
                ) : null}
              </span>
            </li>
          ) : null}
        </ul>
      )}
    </section>
  );
}
