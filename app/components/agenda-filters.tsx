import { Form, Link, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { sessionKinds } from "../domain/vocabulary";

/** The agenda's filters, kept in the query string so a filtered agenda can be shared and reloaded. */
export function AgendaFilters({
  day,
  useEventZone,
  pillars,
  rooms,
}: {
  day: string;
  useEventZone: boolean;
  pillars: readonly { slug: string }[];
  rooms: readonly { id: number; name: string }[];
}) {
  const { t } = useTranslation(["agenda", "common"]);
  const [params] = useSearchParams();
  return (
    <Form method="get" className="filters panel no-print" aria-label={t("agenda.filters")} preventScrollReset>
      <input type="hidden" name="day" value={day} />
      {useEventZone ? <input type="hidden" name="zone" value="event" /> : null}
      <div className="field">
        <label htmlFor="f-q">{t("agenda.search")}</label>
        <input id="f-q" type="search" name="q" defaultValue={params.get("q") ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="f-pillar">{t("agenda.track")}</label>
        <select id="f-pillar" name="pillar" defaultValue={params.get("pillar") ?? ""}>
          <option value="">{t("agenda.allTracks")}</option>
          {pillars.map((p) => (
            <option key={p.slug} value={p.slug}>
              {t(`common:pillars.${p.slug}` as "common:pillars.tech-innovation")}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-room">{t("agenda.room")}</label>
        <select id="f-room" name="room" defaultValue={params.get("room") ?? ""}>
          <option value="">{t("agenda.allRooms")}</option>
          {rooms.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-kind">{t("agenda.kind")}</label>
        <select id="f-kind" name="kind" defaultValue={params.get("kind") ?? ""}>
          <option value="">{t("agenda.allKinds")}</option>
          {sessionKinds.map((k) => (
            <option key={k} value={k}>
              {t(`agenda.kinds.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field field--check">
        <input id="f-mine" type="checkbox" name="mine" value="1" defaultChecked={params.get("mine") === "1"} />
        <label htmlFor="f-mine">{t("agenda.myAgenda")}</label>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button">
          {t("agenda.apply")}
        </button>
        <Link to={`?day=${day}`} className="button button--quiet">
          {t("agenda.clear")}
        </Link>
      </div>
    </Form>
  );
}
