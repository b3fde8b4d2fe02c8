import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { PlanActionResult } from "../routes/breakouts.$sessionId.plan";
import { EmptyState, SelectField, SubmitButton, TextAreaField, TextField } from "./form";
import type { PlanData } from "./breakout-plan-tools";

type PlanRoom = PlanData["rooms"][number];

/** The rooms editor: each room's details in its own form, and a form to add one while the session is planned. */
export function BreakoutPlanRooms({ plan, result }: { plan: PlanData; result: PlanActionResult | null }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const planning = plan.session.status === "planning";
  const closed = plan.session.status === "closed";
  const failedFor = (roomId: string) =>
    result && !result.ok && (result.intent === "saveRoom" || result.intent === "removeRoom") && (result.roomId ?? "") === roomId
      ? result
      : null;
  return (
    <section className="panel stack" aria-labelledby="rooms-title">
      <h2 id="rooms-title">{t("rooms.title")}</h2>
      <p className="muted">{planning ? t("rooms.lead") : t("rooms.leadRunning")}</p>
      {plan.rooms.length === 0 ? <EmptyState title={t("rooms.none")} /> : null}
      <div className="breakout-rooms">
        {plan.rooms.map((room) => (
          <details
            key={room.id}
            className="breakout-room-editor"
            data-testid="room-editor"
            data-room-name={room.name}
            open={!!failedFor(String(room.id))}
          >
            <summary>
              {room.name}
              {room.pillarSlug ? (
                <span className="badge">{t(`common:pillars.${room.pillarSlug}` as "common:pillars.tech-innovation")}</span>
              ) : null}
              <span className="muted">
                {" "}
                {room.facilitatorName ? t("rooms.facilitatedBy", { name: room.facilitatorName }) : t("rooms.noFacilitator")}
              </span>
            </summary>
            <RoomForm plan={plan} room={room} failure={failedFor(String(room.id))} disabled={closed} />
            {planning ? (
              <Form method="post" className="breakout-room-editor__remove">
                <input type="hidden" name="roomId" value={room.id} />
                <SubmitButton intent="removeRoom" className="button button--small button--danger">
                  {t("rooms.remove", { name: room.name })}
                </SubmitButton>
                {room.people.length ? <span className="muted"> {t("rooms.removeHint", { count: room.people.length })}</span> : null}
              </Form>
            ) : null}
          </details>
        ))}
      </div>
      {planning ? (
        <details className="breakout-room-editor" open={!!failedFor("")}>
          <summary>{t("rooms.add")}</summary>
          <RoomForm plan={plan} room={null} failure={failedFor("")} disabled={false} />
        </details>
      ) : null}
    </section>
  );
}

function RoomForm({
  plan,
  room,
  failure,
  disabled,
}: {
  plan: PlanData;
  room: PlanRoom | null;
  failure: PlanActionResult | null;
  disabled: boolean;
}) {
  const { t } = useTranslation(["breakouts", "common"]);
  const errors = failure?.errors ?? {};
  const values = failure?.values ?? {
    name: room?.name ?? "",
    question: room?.question ?? "",
    pillarId: room?.pillarId ? String(room.pillarId) : "",
    capacity: room?.capacity ? String(room.capacity) : "",
    facilitatorId: room?.facilitatorId ? String(room.facilitatorId) : "",
    rapporteurId: room?.rapporteurId ? String(room.rapporteurId) : "",
    venueRoomId: room?.venueRoomId ? String(room.venueRoomId) : "",
    meetingUrl: room?.meetingUrl ?? "",
  };
  const none = { value: "", label: t("rooms.noneChosen") };
  const message = failure?.message ? t(failure.message as "errors.onlyWhilePlanning") : null;
  return (
    <Form method="post" className="stack breakout-room-form" key={JSON.stringify(values)}>
      <input type="hidden" name="roomId" value={room?.id ?? ""} />
      {message ? (
        <p className="field__error" role="alert">
          {message}
        </p>
      ) : null}
      <TextField
        name="name"
        label={t("rooms.name")}
        defaultValue={values.name}
        error={errors.name}
        required
        maxLength={200}
        disabled={disabled}
      />
      <TextAreaField
        name="question"
        label={t("rooms.question")}
        defaultValue={values.question}
        error={errors.question}
        rows={2}
        disabled={disabled}
      />
      <div className="breakout-room-form__grid">
        <SelectField
          name="pillarId"
          label={t("rooms.pillar")}
          defaultValue={values.pillarId}
          error={errors.pillarId}
          options={[
            none,
            ...plan.pillars.map((p) => ({ value: String(p.id), label: t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation") })),
          ]}
          disabled={disabled}
        />
        <TextField
          name="capacity"
          type="number"
          min={1}
          inputMode="numeric"
          label={t("rooms.capacity")}
          hint={t("rooms.capacityHint")}
          defaultValue={values.capacity}
          error={errors.capacity}
          disabled={disabled}
        />
        <SelectField
          name="facilitatorId"
          label={t("rooms.facilitator")}
          defaultValue={values.facilitatorId}
          error={errors.facilitatorId}
          options={[none, ...plan.facilitators.map((p) => ({ value: String(p.id), label: p.name }))]}
          disabled={disabled}
        />
        <SelectField
          name="rapporteurId"
          label={t("rooms.rapporteur")}
          defaultValue={values.rapporteurId}
          error={errors.rapporteurId}
          options={[none, ...plan.rapporteurs.map((p) => ({ value: String(p.id), label: p.name }))]}
          disabled={disabled}
        />
        <SelectField
          name="venueRoomId"
          label={t("rooms.venue")}
          defaultValue={values.venueRoomId}
          error={errors.venueRoomId}
          options={[none, ...plan.venueRooms.map((r) => ({ value: String(r.id), label: r.name }))]}
          disabled={disabled}
        />
        <TextField
          name="meetingUrl"
          type="url"
          label={t("rooms.meetingUrl")}
          hint={t("rooms.meetingUrlHint")}
          defaultValue={values.meetingUrl}
          error={errors.meetingUrl}
          disabled={disabled}
        />
      </div>
      <div>
        <SubmitButton intent="saveRoom" disabled={disabled}>
          {room ? t("rooms.save", { name: room.name }) : t("rooms.addSubmit")}
        </SubmitButton>
      </div>
    </Form>
  );
}
