import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { StakeholderGroup } from "../domain/vocabulary";
import type { BreakoutHandsView, BreakoutPersonView } from "../realtime/protocol";
import type { RoomRequestResult } from "./breakout-room-live";

/** A person as the server sent them: their name where the session's rule allows it, else their stakeholder group. */
export function usePersonLabel() {
  const { t } = useTranslation(["breakoutRoom", "common"]);
  return (p: { name: string | null; group: string | null }) =>
    p.name ?? (p.group ? t(`common:stakeholderGroups.${p.group as StakeholderGroup}`) : t("breakoutRoom:person.noGroup"));
}

/** Which roles the roster marks: facilitators and rapporteurs, not everyone. */
const roleBadge: Record<BreakoutPersonView["role"], boolean> = { facilitator: true, rapporteur: true, participant: false };

/** "Who is here": from the room's live connections, each person once. */
export function RoomRoster({ people }: { people: BreakoutPersonView[] }) {
  const { t } = useTranslation("breakoutRoom");
  const label = usePersonLabel();
  return (
    <section className="panel stack breakout-roster" aria-labelledby="room-roster">
      <h2 id="room-roster">{t("roster.title")}</h2>
      <p className="muted" role="status" aria-live="polite" data-testid="roster-count">
        {t("roster.count", { count: people.length })}
      </p>
      {people.length ? (
        <ul className="breakout-people" data-testid="roster">
          {people.map((p, i) => (
            <li key={`${p.name ?? ""}|${p.group ?? ""}|${p.role}|${i}`} className="breakout-people__person">
              <span>{label(p)}</span>
              {roleBadge[p.role] ? <span className="badge">{t(`person.role.${p.role}`)}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("roster.empty")}</p>
      )}
    </section>
  );
}

function Ordinal({ place }: { place: number }) {
  const { t } = useTranslation("breakoutRoom");
  return <>{t("hands.myPlace", { count: place, ordinal: true })}</>;
}

/**
 * The raised-hands queue, first raised first. Everyone who may speak raises and lowers their own hand and sees their
 * place; the room's managers may lower anyone's.
 */
export function RoomHands({
  hands,
  myHandId,
  maySpeak,
  mayManage,
  onHand,
}: {
  hands: BreakoutHandsView;
  myHandId: number | null;
  maySpeak: boolean;
  mayManage: boolean;
  onHand: (raised: boolean, handId?: number) => Promise<RoomRequestResult>;
}) {
  const { t } = useTranslation("breakoutRoom");
  const label = usePersonLabel();
  const [error, setError] = useState(false);
  const [busy, setBusy] = useState(false);
  const place = myHandId === null ? 0 : hands.findIndex((h) => h.id === myHandId) + 1;
  const run = async (raised: boolean, handId?: number) => {
    setBusy(true);
    const result = await onHand(raised, handId);
    setBusy(false);
    setError(!result.ok);
  };
  return (
    <section className="panel stack breakout-hands" aria-labelledby="room-hands">
      <h2 id="room-hands">{t("hands.title")}</h2>
      <div role="status" aria-live="polite" data-testid="my-hand">
        {place > 0 ? (
          <p>
            <Ordinal place={place} />
          </p>
        ) : null}
        {error ? <p className="field__error">{t("hands.error")}</p> : null}
      </div>
      {maySpeak ? (
        <p>
          <button
            type="button"
            className={place > 0 ? "button button--quiet" : "button"}
            aria-disabled={busy || undefined}
            onClick={() => void (busy ? undefined : run(place === 0))}
          >
            {place > 0 ? t("hands.lower") : t("hands.raise")}
          </button>
        </p>
      ) : null}
      {hands.length ? (
        <ol className="breakout-hands__queue" data-testid="hands">
          {hands.map((h) => (
            <li key={h.id} className="breakout-hands__hand">
              <span>
                {label(h)} {h.id === myHandId ? <span className="muted">{t("hands.you")}</span> : null}
              </span>
              {mayManage && h.id !== myHandId ? (
                <button
                  type="button"
                  className="button button--small button--quiet"
                  aria-label={t("hands.lowerOf", { person: label(h) })}
                  onClick={() => void run(false, h.id)}
                >
                  {t("hands.lowerShort")}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{t("hands.empty")}</p>
      )}
    </section>
  );
}
