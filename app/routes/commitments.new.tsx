import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { CommitmentForm } from "../components/commitment-form";
import { EmptyState } from "../components/form";
import { createCommitment, currentCycle, forumSessionsOf, todayIso } from "../models/commitments.server";
import { refusedForm } from "../models/commitment-refusals.server";
import { listPillars } from "../models/forum.server";
import { getOrganisation } from "../models/organisations.server";
import { commitmentInputOf, listOrganisationChoices, mayChooseLead } from "../models/registry.server";
import { forbidden, requireUser } from "../utils/auth.server";
import { commitmentRawFromForm, parseCommitment } from "../utils/commitment-validation";
import { formatCalendarDate, pickFormatLocale } from "../utils/format";
import { invalid, readForm } from "../utils/forms.server";
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
  const form = await readForm(request);
  const chooseLead = mayChooseLead(user);
  const lead = chooseLead ? requestedLead(form, null) : requestedLead(form, user.organisationId);
  // Recording for another organisation is refused outright, whatever else the form says.
  if (!can(user, "commitment.create", { leadOrganisationId: lead })) throw forbidden();

  const raw = commitmentRawFromForm(form);
  if (!chooseLead) raw.leadOrganisationId = String(user.organisationId);
  const parsed = parseCommitment(raw);
  if (!parsed.ok) return invalid(parsed.errors, form);
  const result = createCommitment(context.services.db, user, commitmentInputOf(parsed.data), context.requestMeta);
  if (!result.ok) return refusedForm(result, form);
  return redirect(`/commitments/${result.id}`);
}

export default function NewCommitment() {
  const { t } = useTranslation(["registry", "common"]);
  const { cycle, chooseLead, ownOrganisation, organisations, pillars, sessions, defaults } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();

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
        <CommitmentForm
          cycle={cycle}
          chooseLead={chooseLead}
          ownOrganisation={ownOrganisation}
          organisations={organisations}
          pillars={pillars}
          sessions={sessions}
          errors={actionData?.errors ?? {}}
          values={actionData?.values ?? defaults}
          attempt={actionData}
        />
      )}
    </div>
  );
}
