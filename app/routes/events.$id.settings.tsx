import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Confirm, isConfirmed } from "../components/confirm";
import { EventForm } from "../components/event-form";
import { FormAlert } from "../components/form";
import { listRooms } from "../models/agenda.server";
import {
  createNextInSeries,
  eventInputOf,
  eventOrNotFound,
  listSeries,
  listTrackLeadCandidates,
  listTrackLeads,
  saveEvent,
  setEventStatus,
  setTrackLeads,
} from "../models/events.server";
import { listPillars } from "../models/forum.server";
import { forbidden, notFound, requirePermission, requireUser } from "../utils/auth.server";
import { invalid, parseForm, readForm } from "../utils/forms.server";
import { pageTitle } from "../utils/meta";
import { EventFormSchema } from "../utils/validation";
import { offeredTimeZones } from "../utils/time-zones";

export const meta: MetaFunction = pageTitle("titles.eventSettings");

export function loader({ request, params, context }: LoaderFunctionArgs) {
  requirePermission(context, request, "event.manage");
  const event = eventOrNotFound(context.services.db, params.id);
  const db = context.services.db;
  return {
    event: { id: event.id, title: event.title, status: event.status, kind: event.kind, seriesId: event.seriesId },
    values: {
      kind: event.kind,
      seriesId: event.seriesId ? String(event.seriesId) : "",
      title: event.title,
      description: event.description,
      startsOn: event.startsOn,
      endsOn: event.endsOn,
      timeZone: event.timeZone,
      venue: event.venue ?? "",
      onlineUrl: event.onlineUrl ?? "",
      visibility: event.visibility,
      invitedGroups: event.invitedGroups.join(","),
      registrationRequiresApproval: event.registrationRequiresApproval ? "1" : "",
      rooms: listRooms(db, event.id)
        .map((r) => r.name)
        .join("\n"),
    } as Record<string, string>,
    series: listSeries(db).map((s) => ({ id: s.id, name: s.name })),
    timeZones: offeredTimeZones(),
    pillars: listPillars(db).map((p) => ({ id: p.id, slug: p.slug })),
    facilitators: listTrackLeadCandidates(db),
    leads: listTrackLeads(db, event.id),
  };
}

const done = (message: string) => data({ ok: true as const, message, errors: {} as Record<string, string>, values: null });

/** Going back to draft, archiving and making the next convening are not easily undone: they are asked first. */
type AskedFirst = "unpublish" | "archive" | "next";
const ask = (intent: AskedFirst) => data({ ok: false as const, ask: intent, errors: {} as Record<string, string>, values: null });

/** Each intent is one call of the events model, which decides whether this person may make it. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = requireUser(context, request);
  const { db } = context.services;
  const event = eventOrNotFound(db, params.id);
  const form = await readForm(request);
  const meta = context.requestMeta;
  const intent = form.get("intent");
  // Some actions are asked first: without the answer the model does nothing, and the page asks (also without script).
  const confirmed = isConfirmed(form);
  if (intent === "publish" || intent === "archive" || intent === "unpublish") {
    const status = intent === "publish" ? "published" : intent === "archive" ? "archived" : "draft";
    const result = setEventStatus(db, user, event.id, status, meta, { confirmed });
    if (!result.ok && result.error === "unconfirmed") return ask(intent as AskedFirst);
    if (!result.ok) throw result.error === "errors.forbidden" ? forbidden() : notFound();
    return done(`eventForm.done.${intent}`);
  }
  if (intent === "leads") {
    const leads = form
      .getAll("lead")
      .map((v) => String(v).split(":").map(Number))
      .filter((pair): pair is [number, number] => pair.length === 2 && pair.every((n) => Number.isInteger(n) && n > 0))
      .map(([pillarId, userId]) => ({ pillarId, userId }));
    const result = setTrackLeads(db, user, event.id, leads, meta);
    if (!result.ok) throw result.error === "errors.forbidden" ? forbidden() : notFound();
    return done("eventForm.done.leads");
  }
  if (intent === "next") {
    const result = createNextInSeries(db, user, event.id, meta, { confirmed });
    if (!result.ok && result.error === "errors.forbidden") throw forbidden();
    if (!result.ok && result.error === "unconfirmed") return ask("next");
    if (!result.ok) return invalid({ form: result.error }, {});
    return redirect(`/events/${result.eventId}/settings?created=1`);
  }
  const parsed = parseForm(form, EventFormSchema);
  if (!parsed.ok) return data(parsed, { status: 400 });
  const result = saveEvent(db, user, event.id, eventInputOf(parsed.data), meta);
  if (!result.ok && result.error === "errors.forbidden") throw forbidden();
  if (!result.ok) return invalid({ [result.field]: result.error }, form);
  return done("eventForm.done.save");
}

export default function EventSettings() {
  const { t } = useTranslation(["agenda", "common"]);
  const { event, values, series, timeZones, pillars, facilitators, leads } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const message = actionData && "message" in actionData ? actionData.message : params.get("created") ? "eventForm.done.created" : null;
  const asking = actionData && "ask" in actionData ? actionData.ask : null;
  return (
    <div className="stack-lg narrow-wide">
      <header className="page-header page-header--split">
        <div>
          <p>
            <Link to={`/events/${event.id}`}>← {event.title}</Link>
          </p>
          <h1>{t("eventForm.settingsTitle")}</h1>
          <p className="lead">
            <span className={`badge badge--${event.status}`}>{t(`common:eventStatus.${event.status}`)}</span>{" "}
            {t(`eventForm.statusHelp.${event.status}`)}
          </p>
        </div>
        <div className="header-actions">
          <Form method="post" className="inline-form">
            {event.status !== "published" ? (
              <button type="submit" name="intent" value="publish" className="button">
                {t("eventForm.publish")}
              </button>
            ) : (
              <button type="submit" name="intent" value="unpublish" id="event-unpublish" className="button button--quiet">
                {t("eventForm.unpublish")}
              </button>
            )}
            {event.status !== "archived" ? (
              <button type="submit" name="intent" value="archive" id="event-archive" className="button button--quiet">
                {t("eventForm.archive")}
              </button>
            ) : null}
            {event.kind === "convening" && event.seriesId ? (
              <button type="submit" name="intent" value="next" id="event-next" className="button button--quiet">
                {t("eventForm.next")}
              </button>
            ) : null}
          </Form>
          <Link to={`/events/${event.id}/registrations`} className="button button--quiet">
            {t("registrations.title")}
          </Link>
          <Link to={`/events/${event.id}/timetable`} className="button button--quiet">
            {t("agenda.editTimetable")}
          </Link>
        </div>
      </header>
      {asking ? (
        <Confirm
          intent={asking}
          question={t(`eventForm.confirm.${asking}.question`, { title: event.title })}
          detail={t(`eventForm.confirm.${asking}.detail`)}
          confirmLabel={t(`eventForm.confirm.${asking}.yes`)}
          danger={asking !== "next"}
          returnFocusTo={`event-${asking}`}
        />
      ) : null}
      <FormAlert tone="success" message={message ? t(message as "eventForm.done.save") : null} />
      <section className="panel">
        <EventForm
          values={actionData && "values" in actionData && actionData.values ? actionData.values : values}
          errors={actionData?.errors ?? {}}
          series={series}
          timeZones={timeZones}
          submitLabel={t("common:common.save")}
        />
      </section>
      <section className="panel" aria-labelledby="leads-title">
        <h2 id="leads-title">{t("eventForm.leadsTitle")}</h2>
        <p className="muted">{t("eventForm.leadsLead")}</p>
        {facilitators.length === 0 ? (
          <p>{t("eventForm.noFacilitators")}</p>
        ) : (
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="leads" />
            {pillars.map((p) => (
              <fieldset key={p.id} className="speakers">
                <legend>{t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation")}</legend>
                <div className="speaker-grid">
                  {facilitators.map((f) => (
                    <label key={f.id} className="check">
                      <input type="checkbox" name="lead" value={`${p.id}:${f.id}`} defaultChecked={leads[p.id]?.includes(f.id)} /> {f.name}
                    </label>
                  ))}
                </div>
              </fieldset>
            ))}
            <button type="submit" className="button">
              {t("eventForm.saveLeads")}
            </button>
          </Form>
        )}
      </section>
    </div>
  );
}
