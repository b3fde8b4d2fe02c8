import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { EventForm } from "../components/event-form";
import { eventInputOf, listSeries, saveEvent } from "../models/events.server";
import { forbidden, requirePermission, requireUser } from "../utils/auth.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { EventFormSchema } from "../utils/validation";
import { offeredTimeZones } from "../utils/time-zones";

export const meta: MetaFunction = pageTitle("titles.newEvent");

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "event.manage");
  return {
    series: listSeries(context.services.db).map((s) => ({ id: s.id, name: s.name })),
    timeZones: offeredTimeZones(),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const form = await readForm(request);
  const parsed = parseForm(form, EventFormSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = saveEvent(context.services.db, user, null, eventInputOf(parsed.data), context.requestMeta);
  if (!result.ok && result.error === "errors.forbidden") throw forbidden();
  if (!result.ok) return invalid({ [result.field]: result.error }, form);
  return redirect(`/events/${result.eventId}/settings?created=1`);
}

export default function NewEvent() {
  const { t } = useTranslation("agenda");
  const { series, timeZones } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="stack-lg narrow-wide">
      <header className="page-header">
        <p>
          <Link to="/events">← {t("events.title")}</Link>
        </p>
        <h1>{t("eventForm.newTitle")}</h1>
        <p className="lead">{t("eventForm.newLead")}</p>
      </header>
      <section className="panel">
        <EventForm
          values={actionData?.values ?? {}}
          errors={actionData?.errors ?? {}}
          series={series}
          timeZones={timeZones}
          submitLabel={t("eventForm.create")}
        />
      </section>
    </div>
  );
}
