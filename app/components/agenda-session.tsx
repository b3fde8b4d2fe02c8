import { Link, useFetcher, useFetchers, useFormAction, useSubmit } from "@remix-run/react";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { attributionRules, sessionKinds } from "../domain/vocabulary";
import Markdown from "react-markdown";
import type { PlaceAccess, SessionPlace } from "../models/registrations.server";
import type { AgendaSessionView } from "../realtime/protocol";
import { sessionTime } from "../utils/session-time";

type PlaceAnswer = { ok: boolean; error: string | null; place?: "confirmed" | "waitlisted"; registered?: boolean };

/** The id of the list's one places form, which every place button submits where scripts have not loaded. */
const PLACES_FORM = "agenda-places";

/**
 * Places for a whole list, from one set of hooks instead of a fetcher per workshop: each take or release posts
 * through its own fetcher key (`place:<id>`), a place being saved marks its button busy, and only a card whose place
 * was asked for on this page mounts a fetcher to read its answer.
 */
export function usePlaces() {
  const submit = useSubmit();
  const action = useFormAction();
  const fetchers = useFetchers();
  const [asked, setAsked] = useState<ReadonlySet<number>>(() => new Set());
  const busy = new Set<number>();
  for (const f of fetchers) if (f.key.startsWith("place:") && f.state !== "idle") busy.add(Number(f.key.slice(6)));
  return {
    action,
    busy,
    asked,
    save(sessionId: number, intent: "take" | "release") {
      const data = new FormData();
      data.set("intent", intent);
      data.set("sessionId", String(sessionId));
      submit(data, { method: "post", action, navigate: false, fetcherKey: `place:${sessionId}` });
      setAsked((known) => (known.has(sessionId) ? known : new Set(known).add(sessionId)));
    },
  };
}
export type Places = ReturnType<typeof usePlaces>;

/**
 * The one form every place button of a list submits where scripts have not loaded: each button names its session
 * and what to do (`place=15:take`). With scripts, a place is saved through its own fetcher instead.
 */
export function PlacesForm({ places }: { places: Places }) {
  return (
    <form method="post" action={places.action} id={PLACES_FORM} hidden>
      <input type="hidden" name="intent" value="place" />
    </form>
  );
}

/** The answer to a place asked for on this page, read from its fetcher. */
function usePlaceAnswer(sessionId: number): PlaceAnswer | undefined {
  const fetcher = useFetcher<PlaceAnswer>({ key: `place:${sessionId}` });
  return fetcher.state === "idle" ? fetcher.data : undefined;
}

function PlaceSaid({ sessionId, labels }: { sessionId: number; labels: PlaceLabels }) {
  const answer = usePlaceAnswer(sessionId);
  if (!answer?.ok) return null;
  return answer.place === "confirmed"
    ? answer.registered
      ? labels.tookPlaceRegistered
      : labels.tookPlace
    : answer.place === "waitlisted"
      ? answer.registered
        ? labels.joinedWaitlistRegistered
        : labels.joinedWaitlist
      : labels.released;
}

function PlaceRefusal({ sessionId, labels }: { sessionId: number; labels: PlaceLabels }) {
  const answer = usePlaceAnswer(sessionId);
  const refusal = answer && !answer.ok && answer.error ? answer.error.replace(/^errors\./, "") : null;
  return refusal ? (
    <p className="places__answer places__answer--error" role="alert">
      {labels.refused(refusal)}
    </p>
  ) : null;
}

/**
 * A session's places: how many are taken, the reader's own, and the one button that names its session (take a
 * place, join the waiting list, give it up), or why the reader cannot take one yet (registration waiting for
 * approval, or not made where approval is needed) or at all (observers).
 */
function SessionPlaces({
  sessionId,
  title,
  capacity,
  counts,
  mine,
  access,
  labels,
  places,
}: {
  sessionId: number;
  title: string;
  capacity: number;
  counts?: { confirmed: number; waitlisted: number };
  mine?: SessionPlace;
  access: PlaceAccess;
  labels: PlaceLabels;
  places: Places;
}) {
  const taken = counts?.confirmed ?? 0;
  const full = taken >= capacity;
  const busy = places.busy.has(sessionId) || undefined;
  const asked = places.asked.has(sessionId);
  const mayTake = access === "registered" || access === "registersOnTake";
  const intent = mine ? "release" : "take";
  return (
    <div className="places">
      <span className="muted places__count">{labels.places(taken, capacity)}</span>
      {mine ? (
        <span className={`badge badge--${mine.status === "confirmed" ? "active" : "pending"}`}>
          {mine.status === "confirmed" ? labels.confirmed : labels.waitlisted(mine.position)}
        </span>
      ) : null}
      {mine || mayTake ? (
        <button
          form={PLACES_FORM}
          name="place"
          value={`${sessionId}:${intent}`}
          className={mine ? "button button--small button--quiet" : "button button--small"}
          aria-disabled={busy}
          onClick={(e) => {
            e.preventDefault();
            places.save(sessionId, intent);
          }}
        >
          {mine
            ? mine.status === "confirmed"
              ? labels.cancel(title)
              : labels.leave(title)
            : full
              ? labels.join(title)
              : labels.register(title)}
        </button>
      ) : null}
      {!mine && mayTake && full ? <p className="muted places__note">{labels.full}</p> : null}
      {!mine && access === "registersOnTake" ? <p className="muted places__note">{labels.registersOnTake}</p> : null}
      {!mine && access === "approvalNeeded" ? (
        <p className="places__note" data-testid="place-needs-registration">
          {labels.approvalNeeded} <a href="#registration">{labels.approvalNeededLink}</a>
        </p>
      ) : null}
      {!mine && (access === "pending" || access === "declined" || access === "observer") ? (
        <p className="muted places__note" data-testid="place-unavailable">
          {labels[access]}
        </p>
      ) : null}
      <p className="places__answer" role="status">
        {asked ? <PlaceSaid sessionId={sessionId} labels={labels} /> : null}
      </p>
      {asked ? <PlaceRefusal sessionId={sessionId} labels={labels} /> : null}
    </div>
  );
}

/**
 * A session's Markdown description, fetched and parsed only when someone opens it: parsing every description of a
 * day up front made the page several times slower to render. Until it is first opened, it is only a disclosure.
 */
function SessionDescription({ eventId, sessionId, labels }: { eventId: number; sessionId: number; labels: AgendaLabels }) {
  const [opened, setOpened] = useState(false);
  return (
    <details onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary>{labels.details}</summary>
      {opened ? <DescriptionText eventId={eventId} sessionId={sessionId} loading={labels.loading} /> : null}
    </details>
  );
}

function DescriptionText({ eventId, sessionId, loading }: { eventId: number; sessionId: number; loading: string }) {
  const fetcher = useFetcher<{ markdown: string }>();
  const { load } = fetcher;
  useEffect(() => {
    void load(`/events/${eventId}/sessions/${sessionId}/description`);
  }, [load, eventId, sessionId]);
  /* Markdown without raw HTML; unsafe link protocols are dropped. */
  return fetcher.data ? <Markdown skipHtml>{fetcher.data.markdown}</Markdown> : <p className="muted">{loading}</p>;
}

/**
 * A message with values, translated once with a marker in each value's place and filled in per card (a lookup costs
 * more than rendering the text). Where a value does not come back as given, it is translated each time instead.
 */
function template<K extends string>(translate: (values: Record<K, string>) => string, names: readonly K[]) {
  const parts = translate(Object.fromEntries(names.map((n) => [n, `\u0000${n}\u0000`])) as Record<K, string>).split("\u0000");
  const known = parts.every((p, i) => i % 2 === 0 || names.includes(p as K));
  return (values: Record<K, string | number>) =>
    known
      ? parts.map((p, i) => (i % 2 === 0 ? p : String(values[p as K]))).join("")
      : translate(Object.fromEntries(names.map((n) => [n, String(values[n])])) as Record<K, string>);
}

/**
 * The words every card of an agenda uses, translated once per page instead of once per card (a day has over a
 * hundred cards, and each translation lookup costs more than rendering the text).
 */
export function useAgendaLabels() {
  const { t } = useTranslation(["agenda", "common", "breakouts"]);
  return useMemo(() => {
    const pillars = new Map<string, string>();
    const star = template((v) => t("agenda.star", v), ["title"]);
    const places = template((v) => t("sessionRegistration.places", v), ["taken", "capacity"]);
    const waitlisted = template((v) => t("sessionRegistration.waitlisted", v), ["position"]);
    const register = template((v) => t("sessionRegistration.register", v), ["title"]);
    const join = template((v) => t("sessionRegistration.join", v), ["title"]);
    const cancel = template((v) => t("sessionRegistration.cancel", v), ["title"]);
    const leave = template((v) => t("sessionRegistration.leave", v), ["title"]);
    return {
      kind: Object.fromEntries(sessionKinds.map((k) => [k, t(`agenda.kinds.${k}`)])) as Record<(typeof sessionKinds)[number], string>,
      attribution: Object.fromEntries(attributionRules.map((r) => [r, t(`agenda.attribution.${r}`)])) as Record<
        (typeof attributionRules)[number],
        string
      >,
      pillar(slug: string) {
        let label = pillars.get(slug);
        if (label === undefined) pillars.set(slug, (label = t(`common:pillars.${slug}` as "common:pillars.tech-innovation")));
        return label;
      },
      everyRoom: t("agenda.everyRoom"),
      noRoom: t("agenda.noRoom"),
      inRooms: (rooms: string) => t("agenda.inRooms", { rooms }),
      cancelled: t("agenda.cancelled"),
      details: t("agenda.details"),
      loading: t("common:common.loading"),
      breakoutRooms: t("breakouts:card.rooms"),
      clashesWith: (titles: string) => t("agenda.clashesWith", { titles }),
      star: (title: string) => star({ title }),
      /** A workshop's places. */
      place: {
        places: (taken: number, capacity: number) => places({ taken, capacity }),
        confirmed: t("sessionRegistration.confirmed"),
        waitlisted: (position: number) => waitlisted({ position }),
        register: (title: string) => register({ title }),
        join: (title: string) => join({ title }),
        cancel: (title: string) => cancel({ title }),
        leave: (title: string) => leave({ title }),
        full: t("sessionRegistration.full"),
        registersOnTake: t("sessionRegistration.registersOnTake"),
        approvalNeeded: t("sessionRegistration.approvalNeeded"),
        approvalNeededLink: t("sessionRegistration.approvalNeededLink"),
        pending: t("sessionRegistration.pending"),
        declined: t("sessionRegistration.declined"),
        observer: t("sessionRegistration.observer"),
        tookPlace: t("sessionRegistration.tookPlace"),
        tookPlaceRegistered: t("sessionRegistration.tookPlaceRegistered"),
        joinedWaitlist: t("sessionRegistration.joinedWaitlist"),
        joinedWaitlistRegistered: t("sessionRegistration.joinedWaitlistRegistered"),
        released: t("sessionRegistration.released"),
        refused: (code: string) => t(`sessionRegistration.refused.${code}` as "sessionRegistration.refused.notFound"),
      },
    };
  }, [t]);
}
export type AgendaLabels = ReturnType<typeof useAgendaLabels>;
type PlaceLabels = AgendaLabels["place"];

/**
 * Stars for a whole list, from one set of hooks instead of a fetcher per card (a day has over a hundred cards, and a
 * fetcher form per card was a third of the page's rendering): each star posts through its own fetcher key, and a
 * star being saved shows its new state until the agenda's data comes back.
 */
export function useStars() {
  const submit = useSubmit();
  const action = useFormAction();
  const fetchers = useFetchers();
  const pending = new Map<string, boolean>();
  for (const f of fetchers) if (f.key.startsWith("star:") && f.formData) pending.set(f.key, f.formData.get("starred") === "1");
  return {
    action,
    pending,
    save(sessionIds: readonly number[], starred: boolean) {
      const data = new FormData();
      data.set("intent", "star");
      for (const id of sessionIds) data.append("sessionId", String(id));
      data.set("starred", starred ? "1" : "0");
      submit(data, { method: "post", action, navigate: false, fetcherKey: `star:${sessionIds.join(",")}` });
    },
  };
}
export type Stars = ReturnType<typeof useStars>;

/** The id of the list's one star form, which every star button submits (see `StarsForm`). */
const STARS_FORM = "agenda-stars";

/**
 * The one form every star of a list submits where scripts have not loaded: each button names its sessions and the
 * new state (`star=12,13:1`). With scripts, a star is saved through its own fetcher instead.
 */
export function StarsForm({ stars }: { stars: Stars }) {
  return (
    <form method="post" action={stars.action} id={STARS_FORM} hidden>
      <input type="hidden" name="intent" value="star" />
    </form>
  );
}

function StarButton({
  sessionIds,
  starred,
  label,
  stars,
}: {
  sessionIds: readonly number[];
  starred: boolean;
  label: string;
  stars: Stars;
}) {
  const on = stars.pending.get(`star:${sessionIds.join(",")}`) ?? starred;
  return (
    // Its label names the session, so the star itself is not read; a button submits its form by default.
    <button
      form={STARS_FORM}
      name="star"
      value={`${sessionIds.join(",")}:${on ? 0 : 1}`}
      className={on ? "star star--on" : "star"}
      aria-pressed={on}
      aria-label={label}
      onClick={(e) => {
        e.preventDefault();
        stars.save(sessionIds, !on);
      }}
    >
      {on ? "★" : "☆"}
    </button>
  );
}

/** An instant for `<time dateTime>`, without the seconds where they are zero ("2027-01-01T07:00Z"). */
function machineTime(iso: string): string {
  return iso.endsWith(":00.000Z") ? `${iso.slice(0, 16)}Z` : iso;
}

/**
 * One card of the agenda list: a session (or a break or plenary set in several rooms, shown once) with its time in
 * `zone` (and its date where that differs from the day tab's), track and rules, room and speakers, and for a
 * signed-in reader its places, star and clashes with the rest of their agenda.
 */
export function AgendaSessionItem({
  session: s,
  ids,
  roomNames,
  everyRoom,
  eventId,
  zone,
  locale,
  tabDate,
  signedIn,
  changed,
  starred,
  clashesWith,
  counts,
  mine,
  placeAccess,
  labels,
  stars,
  places,
}: {
  session: AgendaSessionView;
  /** Every copy's id (a session set in several rooms), the shown one first. */
  ids: readonly number[];
  /** The rooms a session set in several rooms is in (empty: one session, in its own room). */
  roomNames: readonly string[];
  everyRoom: boolean;
  eventId: number;
  zone: string;
  /** The reader's locale, for the card's time. */
  locale: string;
  /** The date of the day tab the card is listed under. */
  tabDate: string;
  signedIn: boolean;
  /** The session the last live change was about, highlighted. */
  changed: boolean;
  starred: boolean;
  clashesWith?: readonly string[];
  counts?: { confirmed: number; waitlisted: number };
  mine?: SessionPlace;
  placeAccess: PlaceAccess | null;
  /** From `useAgendaLabels`, once for the whole list. */
  labels: AgendaLabels;
  /** From `useStars`, once for the whole list. */
  stars: Stars;
  /** From `usePlaces`, once for the whole list. */
  places: Places;
}) {
  const room = everyRoom ? labels.everyRoom : roomNames.length ? labels.inRooms(roomNames.join(", ")) : (s.roomName ?? labels.noRoom);
  const shown = sessionTime(s.startsAt, s.endsAt, { locale, timeZone: zone, tabDate });
  // Only what readers (and the page's own styles) use: the card's parts are styled by their place in it.
  return (
    <li
      className={`session${s.kind === "break" ? " session--break" : ""}${s.status === "cancelled" ? " session--cancelled" : ""}${changed ? " session--changed" : ""}${roomNames.length ? " session--rooms" : ""}`}
      data-testid="agenda-session"
      data-session-id={s.id}
    >
      {/* The server's and the browser's ICU data can differ in small ways: the browser's rendering wins. */}
      <time
        dateTime={machineTime(s.startsAt)}
        className={shown.dated ? "session__time session-time--dated" : "session__time"}
        suppressHydrationWarning
      >
        {shown.text}
      </time>
      <div className="session__body">
        <p className="card__eyebrow">
          {labels.kind[s.kind]}
          {s.pillarSlug ? <span className="badge">{labels.pillar(s.pillarSlug)}</span> : null}
          {s.attribution !== "on_record" ? <span className="badge badge--rule">{labels.attribution[s.attribution]}</span> : null}
          {s.status === "cancelled" ? <span className="badge badge--revoked">{labels.cancelled}</span> : null}
        </p>
        <h3>{s.title}</h3>
        <p className="card__meta">{room}</p>
        {s.speakers.length ? (
          <p className="card__meta">{s.speakers.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join(", ")}</p>
        ) : null}
        {signedIn && placeAccess && s.capacity && s.status === "scheduled" ? (
          <SessionPlaces
            sessionId={s.id}
            title={s.title}
            capacity={s.capacity}
            counts={counts}
            mine={mine}
            access={placeAccess}
            labels={labels.place}
            places={places}
          />
        ) : null}
        {signedIn && s.kind === "breakout" && s.status === "scheduled" ? (
          <p>
            <Link to={`/breakouts/${s.id}`} data-testid="breakout-link">
              {labels.breakoutRooms}
              <span className="visually-hidden">{` ${s.title}`}</span>
            </Link>
          </p>
        ) : null}
        {s.hasDescription ? <SessionDescription eventId={eventId} sessionId={s.id} labels={labels} /> : null}
        {clashesWith?.length ? (
          <p className="clash" role="note">
            {labels.clashesWith(clashesWith.join(", "))}
          </p>
        ) : null}
      </div>
      {signedIn ? <StarButton sessionIds={ids} starred={starred} label={labels.star(s.title)} stars={stars} /> : null}
    </li>
  );
}
