import { Form, Link } from "@remix-run/react";
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { StakeholderGroup } from "../domain/vocabulary";
import { formatNumber } from "../utils/format";
import { useFormatPrefs } from "../utils/root-data";
import { ConsoleMessage, type ConsoleResult } from "./breakout-console-controls";
import type { OverviewRow } from "./breakout-console-live";
import { DateTime } from "./time";

export interface ConsoleRoom {
  id: number;
  name: string;
  pillarSlug: string | null;
  people: { id: number; name: string; organisation: string | null; group: string | null }[];
}

function MoveForm({
  person,
  room,
  rooms,
  result,
}: {
  person: ConsoleRoom["people"][number];
  room: ConsoleRoom;
  rooms: ConsoleRoom[];
  result: ConsoleResult | undefined;
}) {
  const { t } = useTranslation("breakoutRoom");
  const id = useId();
  const kept = result && !result.ok && result.intent === "move" && result.values.userId === String(person.id) ? result.values : null;
  const others = rooms.filter((r) => r.id !== room.id);
  if (others.length === 0) return null;
  return (
    <Form method="post" className="inline-form breakout-move">
      <input type="hidden" name="userId" value={person.id} />
      <label htmlFor={id} className="visually-hidden">
        {t("console.move.to", { person: person.name })}
      </label>
      <select id={id} name="toRoomId" defaultValue={kept?.toRoomId ?? String(others[0]!.id)}>
        {others.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      <button type="submit" name="intent" value="move" className="button button--small button--quiet">
        {t("console.move.button")} <span className="visually-hidden">{person.name}</span>
      </button>
    </Form>
  );
}

/** Every room at a glance: who is assigned, who is here now, chat activity and raised hands; moving people while open. */
export function ConsoleRooms({
  rooms,
  overview,
  open,
  sessionId,
  result,
}: {
  rooms: ConsoleRoom[];
  overview: Map<number, OverviewRow>;
  open: boolean;
  sessionId: number;
  result: ConsoleResult | undefined;
}) {
  const { t } = useTranslation(["breakoutRoom", "common"]);
  const { locale } = useFormatPrefs();
  const n = (v: number) => formatNumber(v, locale);
  return (
    <section className="stack" aria-labelledby="console-rooms">
      <h2 id="console-rooms">{t("console.rooms.title")}</h2>
      <div role="status" aria-live="polite">
        <ConsoleMessage result={result} intents={["move"]} />
      </div>
      {!open ? <p className="muted">{t("console.move.onlyWhileOpen")}</p> : null}
      <ul className="breakout-console__rooms">
        {rooms.map((room) => {
          const o = overview.get(room.id);
          return (
            <li key={room.id} className="card stack breakout-console__room" data-testid="console-room" data-room-id={room.id}>
              <h3 className="card__title">{room.name}</h3>
              {room.pillarSlug && t(`common:pillars.${room.pillarSlug as "tech-innovation"}`) !== room.name ? (
                <p className="muted">{t(`common:pillars.${room.pillarSlug as "tech-innovation"}`)}</p>
              ) : null}
              <dl className="breakout-console__facts">
                <div>
                  <dt>{t("console.rooms.present")}</dt>
                  <dd data-testid="present">{n(o?.present ?? 0)}</dd>
                </div>
                <div>
                  <dt>{t("console.rooms.assigned")}</dt>
                  <dd>{n(room.people.length)}</dd>
                </div>
                <div>
                  <dt>{t("console.rooms.messages")}</dt>
                  <dd data-testid="messages">{n(o?.messages ?? 0)}</dd>
                </div>
                <div>
                  <dt>{t("console.rooms.hands")}</dt>
                  <dd data-testid="hands">{n(o?.hands ?? 0)}</dd>
                </div>
                <div>
                  <dt>{t("console.rooms.lastMessage")}</dt>
                  <dd>
                    {o?.lastMessageAt ? (
                      <DateTime value={o.lastMessageAt} options={{ dateStyle: undefined, timeStyle: "short" }} />
                    ) : (
                      t("console.rooms.noMessage")
                    )}
                  </dd>
                </div>
              </dl>
              <p>
                <Link to={`/breakouts/${sessionId}/rooms/${room.id}`}>
                  {t("console.rooms.enter")} <span className="visually-hidden">{room.name}</span>
                </Link>
              </p>
              {room.people.length ? (
                <ul className="row-list" aria-label={`${t("console.rooms.people")}: ${room.name}`}>
                  {room.people.map((p) => (
                    <li key={p.id} className="row-list__item" data-testid="console-person" data-user-id={p.id}>
                      <span>
                        <span className="cell-title">{p.name}</span>
                        <span className="cell-sub">
                          {[p.organisation, p.group ? t(`common:stakeholderGroups.${p.group as StakeholderGroup}`) : null]
                            .filter(Boolean)
                            .join(" · ")}
                        </span>
                      </span>
                      {open ? <MoveForm person={p} room={room} rooms={rooms} result={result} /> : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">{t("console.rooms.noPeople")}</p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
