import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Milestones } from "../components/commitment-milestones";
import { PrincipleList } from "../components/commitment-principles";
import { Paragraphs, Progress } from "../components/commitment-progress";
import { ConfirmDraftForm } from "../components/breakout-report-confirm";
import { FormAlert } from "../components/form";
import { statusTone, Timeline } from "../components/commitment-timeline";
import { DateRange } from "../components/time";
import { commitmentPageAction, loadCommitmentPage } from "../models/commitment-page.server";

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${d.commitment.reference} · ${d.commitment.title} · Convene` : "Convene" },
];

export function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadCommitmentPage(context, request, params.id);
}

export function action({ request, params, context }: ActionFunctionArgs) {
  return commitmentPageAction(context, request, params.id);
}

export default function CommitmentPage() {
  const { t } = useTranslation(["commitment", "common"]);
  const d = useLoaderData<typeof loader>();
  const { commitment: c } = d;
  const actionData = useActionData<typeof action>();
  const lead = c.owners.filter((o) => o.part === "lead");
  const supporting = c.owners.filter((o) => o.part === "supporting");

  return (
    <div className="stack-lg commitment-page">
      <header className="page-header stack">
        <p className="breadcrumb">
          <Link to="/commitments">{t("breadcrumb")}</Link>
        </p>
        <p className="commitment-ref" data-testid="commitment-reference">
          <span className="visually-hidden">{t("referenceLabel")}: </span>
          <strong>{c.reference}</strong>
        </p>
        <h1>{c.title}</h1>
        <p className="doc-meta">
          <span className={`badge badge--${statusTone(c.status)}`}>{t(`status.${c.status}`)}</span>
          <span>{c.pillarName}</span>
          <span>{t("facts.cycleValue", { year: c.year, status: t(`cycleStatus.${c.cycleStatus}`) })}</span>
          <span>{t(`visibility.${c.visibility}`)}</span>
        </p>
      </header>

      {actionData?.intent === "confirm" && actionData.message ? (
        <FormAlert
          tone={actionData.ok ? "success" : "error"}
          message={t(actionData.message as "errors.endBeforeMilestone", { title: actionData.params?.title ?? "" })}
        />
      ) : null}

      {d.draft ? (
        <div className="banner banner--warning" role="note" data-testid="draft-banner">
          <p>
            <strong>{t("draft.banner", { organisation: d.draft.organisation })}</strong> {t("draft.countsNowhere")}
          </p>
        </div>
      ) : null}
      {d.draft && d.canConfirm ? (
        <section className="panel">
          <ConfirmDraftForm
            draft={{ title: c.title, problem: c.problem, expectedResult: c.expectedResult, startsOn: c.startsOn, endsOn: c.endsOn }}
            organisation={d.draft.organisation}
            result={actionData}
          />
        </section>
      ) : null}

      {d.carriedTimes >= 2 ? (
        <div className="banner banner--warning" role="note" data-testid="carried-flag">
          <p>
            <strong>{d.carriedTimes === 2 ? t("timeline.carriedTwice") : t("timeline.carriedMany", { count: d.carriedTimes })}</strong>{" "}
            {t("timeline.carriedHint")}
          </p>
        </div>
      ) : null}

      <section className="panel stack" aria-labelledby="facts-title">
        <h2 id="facts-title" className="visually-hidden">
          {t("facts.label")}
        </h2>
        <dl className="publication__facts">
          <div>
            <dt>{t("facts.pillar")}</dt>
            <dd>{c.pillarName}</dd>
          </div>
          <div>
            <dt>{t("facts.cycle")}</dt>
            <dd>{t("facts.cycleValue", { year: c.year, status: t(`cycleStatus.${c.cycleStatus}`) })}</dd>
          </div>
          <div>
            <dt>{t("facts.status")}</dt>
            <dd>{t(`status.${c.status}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.visibility")}</dt>
            <dd>{t(`visibility.${c.visibility}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.type")}</dt>
            <dd>{t(`type.${c.type}`)}</dd>
          </div>
          <div>
            <dt>{t("facts.dates")}</dt>
            <dd>
              <DateRange start={c.startsOn} end={c.endsOn} />
            </dd>
          </div>
          <div>
            <dt>{t("facts.contact")}</dt>
            <dd>
              {c.contactName}
              {c.contactEmail ? (
                <>
                  {" "}
                  (<a href={`mailto:${c.contactEmail}`}>{c.contactEmail}</a>)
                </>
              ) : null}
            </dd>
          </div>
          {d.madeAtBreakout ? (
            <div data-testid="made-at-breakout">
              <dt>{t("facts.madeAt")}</dt>
              <dd>
                {d.madeAtBreakout.linkable ? (
                  <Link to={`/breakouts/${d.madeAtBreakout.sessionId}/reports`}>
                    {t("facts.madeAtBreakoutValue", { session: d.madeAtBreakout.sessionTitle, room: d.madeAtBreakout.roomName })}
                  </Link>
                ) : (
                  t("facts.madeAtBreakoutValue", { session: d.madeAtBreakout.sessionTitle, room: d.madeAtBreakout.roomName })
                )}
              </dd>
            </div>
          ) : null}
          {d.madeAt ? (
            <div>
              <dt>{t("facts.madeAt")}</dt>
              <dd>
                <Link to={`/events/${d.madeAt.eventId}`}>
                  {t("facts.madeAtValue", { session: d.madeAt.title, event: d.madeAt.eventTitle })}
                </Link>
              </dd>
            </div>
          ) : null}
          <div>
            <dt>{t("facts.principles")}</dt>
            <dd>{c.principles.length ? <PrincipleList principles={c.principles} /> : t("facts.none")}</dd>
          </div>
        </dl>
      </section>

      <div className="two-col">
        <section className="stack" aria-labelledby="problem-title">
          <h2 id="problem-title">{t("sections.problem")}</h2>
          {c.problem ? <Paragraphs text={c.problem} /> : <p className="muted">{t("facts.none")}</p>}
        </section>
        <section className="stack" aria-labelledby="result-title">
          <h2 id="result-title">{t("sections.expectedResult")}</h2>
          {c.expectedResult ? <Paragraphs text={c.expectedResult} /> : <p className="muted">{t("facts.none")}</p>}
        </section>
      </div>

      <section className="stack" aria-labelledby="organisations-title">
        <h2 id="organisations-title">{t("sections.organisations")}</h2>
        <ul className="card-list" data-testid="organisations">
          {[...lead, ...supporting].map((o) => (
            <li key={o.organisationId} className="card">
              <p className="card__title">
                <strong>{o.name}</strong>{" "}
                <span className={`badge badge--${o.part === "lead" ? "active" : "pending"}`}>{t(`organisations.${o.part}`)}</span>
              </p>
              <p className="card__meta">
                {o.contribution ? t("organisations.contributes", { contribution: o.contribution }) : t("organisations.noContribution")}
              </p>
            </li>
          ))}
        </ul>
      </section>

      <Timeline years={d.years} currentId={c.id} />

      <Milestones
        milestones={d.milestones}
        canMark={d.canMarkMilestones}
        canEdit={d.canEditMilestones}
        endsOn={c.endsOn}
        today={d.today}
        actionData={actionData}
      />

      <Progress d={d} actionData={actionData} />
    </div>
  );
}
