import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { myBreakout } from "../models/breakout-plan.server";
import { formatNumber } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { EmptyState, SubmitButton } from "./form";

export type HubData = Extract<ReturnType<typeof myBreakout>, { ok: true }>;
type HubRoom = HubData["rooms"][number];

/** What a room shows on the hub: its pillar, question, places left or "Full", and its meeting link. */
function RoomFacts({ room }: { room: HubRoom }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const { locale } = useFormatPrefs();
  const left = room.capacity === null ? null : Math.max(0, room.capacity - room.assigned);
  return (
    <>
      <p className="card__eyebrow">
        {room.pillarSlug ? (
          <span className="badge">{t(`common:pillars.${room.pillarSlug}` as "common:pillars.tech-innovation")}</span>
        ) : null}
        {room.full ? (
          <span className="badge badge--revoked" data-testid="room-full">
            {t("hub.full")}
          </span>
        ) : null}
      </p>
      <h3 className="card__title">{room.name}</h3>
      {room.question ? <p>{t("hub.question", { question: room.question })}</p> : null}
      <p className="card__meta" data-testid="room-places">
        {left === null
          ? t("hub.noLimit")
          : room.full
            ? t("hub.full")
            : t("hub.placesLeft", { count: left, formatted: formatNumber(left, locale) })}
        {" · "}
        {t("hub.people", { count: room.assigned })}
      </p>
    </>
  );
}

/** The rooms to choose from (choice mode): each with a button that names its room. */
export function BreakoutHubChoices({ hub }: { hub: HubData }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const headingId = useId();
  if (hub.rooms.length === 0) return <EmptyState title={t("hub.noRooms")} />;
  return (
    <section className="stack" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("hub.roomsTitle")}</h2>
      {hub.mayChoose && hub.session.status !== "closed" ? <p>{t("hub.chooseLead")}</p> : null}
      <ul className="card-list breakout-hub-rooms">
        {hub.rooms.map((room) => (
          <li
            key={room.id}
            className={`card${room.id === hub.myRoomId ? " card--highlight" : ""}`}
            data-testid="hub-room"
            data-room-id={room.id}
          >
            <RoomFacts room={room} />
            {room.id === hub.myRoomId ? (
              <p>
                <span className="badge badge--active">{t("hub.chosen")}</span>
              </p>
            ) : hub.mayChoose && hub.session.status !== "closed" && !(hub.session.status === "open" && hub.myRoomId !== null) ? (
              <Form method="post">
                <input type="hidden" name="roomId" value={room.id} />
                <SubmitButton intent="choose" className="button button--small" aria-disabled={room.full || undefined}>
                  {t("hub.choose", { name: room.name })}
                </SubmitButton>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Planned mode before publishing: the preferred pillar, through the room that has it. */
export function BreakoutHubPreference({ hub }: { hub: HubData }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const selectId = useId();
  const withPillar = hub.rooms.filter((r) => r.pillarId !== null && r.pillarSlug);
  const preferred = withPillar.find((r) => r.pillarId === hub.preferredPillarId);
  const pillarName = (slug: string | null) => (slug ? t(`common:pillars.${slug}` as "common:pillars.tech-innovation") : "");
  return (
    <section className="panel stack" data-testid="hub-preference">
      <p className="lead">{t("hub.willBeAssigned")}</p>
      {preferred ? <p>{t("hub.preferenceIs", { pillar: pillarName(preferred.pillarSlug) })}</p> : null}
      {hub.mayChoose && withPillar.length ? (
        <Form method="post" className="inline-form">
          <p>{t("hub.preferenceLead")}</p>
          <label htmlFor={selectId}>{t("hub.preferenceLabel")}</label>
          <select id={selectId} name="roomId" defaultValue={preferred?.id ?? withPillar[0]!.id}>
            {withPillar.map((r) => (
              <option key={r.id} value={r.id}>
                {pillarName(r.pillarSlug)}
              </option>
            ))}
          </select>
          <SubmitButton intent="choose" className="button button--small">
            {t("hub.preferenceSave")}
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}

/** The reader's own room, and while the rooms run a prominent way in. */
export function BreakoutHubMyRoom({ hub }: { hub: HubData }) {
  const { t } = useTranslation(["breakouts", "common"]);
  const room = hub.rooms.find((r) => r.id === hub.myRoomId);
  if (!room)
    return (
      <p className="lead">
        {hub.mayChoose ? (hub.session.assignmentMode === "choice" ? t("hub.noRoomYet") : t("hub.notAssigned")) : t("hub.observerLead")}
      </p>
    );
  return (
    <section className="panel stack breakout-hub-mine" data-testid="hub-my-room">
      <p className="lead">{t("hub.yourRoom", { name: room.name })}</p>
      {room.question ? <p>{t("hub.question", { question: room.question })}</p> : null}
      {hub.session.status === "open" ? (
        <p>
          <Link className="button breakout-hub-mine__go" to={`/breakouts/${hub.session.sessionId}/rooms/${room.id}`}>
            {t("hub.goToRoom", { name: room.name })}
          </Link>
        </p>
      ) : null}
      {room.meetingUrl ? (
        <p>
          <a href={room.meetingUrl} target="_blank" rel="noopener noreferrer">
            {t("hub.meetingLink", { name: room.name })}
          </a>
        </p>
      ) : null}
    </section>
  );
}
