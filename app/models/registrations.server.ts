import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, agendaStars, eventRegistrations, organisations, sessionRegistrations, users } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import { can, type Actor } from "../utils/policy";
import type { AgendaEvent } from "./agenda.server";
import { recordAudit, type RequestMeta } from "./audit.server";
import { announce } from "./domain-events.server";
import { preparedPerDatabase } from "./prepared.server";

/** Registering and places are for people who may see the event; anyone else learns nothing of it. */
const notFound = { ok: false as const, error: "errors.notFound" as const };
const forbidden = { ok: false as const, error: "errors.forbidden" as const };

/** The reads of every agenda page (the reader's registration, places and the places taken): prepared once per database. */
const readQueries = preparedPerDatabase((db) => {
  const userId = sql.placeholder("userId");
  const eventId = sql.placeholder("eventId");
  return {
    registration: db
      .select({ status: eventRegistrations.status, createdAt: eventRegistrations.createdAt })
      .from(eventRegistrations)
      .where(and(eq(eventRegistrations.userId, userId), eq(eventRegistrations.eventId, eventId)))
      .prepare(),
    placeCounts: db
      .select({ sessionId: sessionRegistrations.sessionId, status: sessionRegistrations.status, n: count() })
      .from(sessionRegistrations)
      .innerJoin(agendaSessions, eq(agendaSessions.id, sessionRegistrations.sessionId))
      .where(eq(agendaSessions.eventId, eventId))
      .groupBy(sessionRegistrations.sessionId, sessionRegistrations.status)
      .prepare(),
    myPlaces: db
      .select({ id: sessionRegistrations.id, sessionId: sessionRegistrations.sessionId, status: sessionRegistrations.status })
      .from(sessionRegistrations)
      .innerJoin(agendaSessions, eq(agendaSessions.id, sessionRegistrations.sessionId))
      .where(and(eq(sessionRegistrations.userId, userId), eq(agendaSessions.eventId, eventId)))
      .prepare(),
  };
});

// Event registrations ------------------------------------------------------

export function myEventRegistration(db: DbOrTx, userId: number, eventId: number) {
  return readQueries(db).registration.get({ userId, eventId }) ?? null;
}

export type RegistrationStatus = (typeof eventRegistrations.$inferSelect)["status"];

/** Registers the actor; approved at once unless the event asks for the secretariat's approval. Idempotent. */
export function registerForEvent(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  meta: RequestMeta,
): { ok: true; status: RegistrationStatus; events: DomainEvent[] } | typeof notFound {
  if (!can(actor, "event.view", event)) return notFound;
  const status = db.transaction((tx) => {
    const existing = myEventRegistration(tx, actor.id, event.id);
    if (existing) return existing.status;
    const status = event.registrationRequiresApproval ? "pending" : "approved";
    tx.insert(eventRegistrations).values({ eventId: event.id, userId: actor.id, status }).run();
    recordAudit(
      tx,
      { actorId: actor.id, action: "registration.create", targetType: "event", targetId: event.id, detail: { status } },
      meta,
    );
    return status;
  });
  return { ok: true, status, events: [] };
}

/** Withdraws the actor's registration, if any. */
export function withdrawFromEvent(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  meta: RequestMeta,
): { ok: true; withdrawn: boolean; events: DomainEvent[] } | typeof notFound {
  if (!can(actor, "event.view", event)) return notFound;
  const result = db.transaction((tx) => {
    const done =
      tx
        .delete(eventRegistrations)
        .where(and(eq(eventRegistrations.userId, actor.id), eq(eventRegistrations.eventId, event.id)))
        .run().changes === 1;
    if (!done) return { withdrawn: false, promoted: [] as Promotion[] };
    recordAudit(tx, { actorId: actor.id, action: "registration.withdraw", targetType: "event", targetId: event.id }, meta);
    // A place needs a registration: withdrawing gives up the person's places, and the next people waiting move up.
    return { withdrawn: true, promoted: givePlacesUp(tx, actor.id, event.id, actor.id, meta) };
  });
  return { ok: true, withdrawn: result.withdrawn, events: announce(db, result.promoted.map(promotedEvent)) };
}

export function listEventRegistrations(db: DbOrTx, eventId: number) {
  return db
    .select({
      id: eventRegistrations.id,
      status: eventRegistrations.status,
      createdAt: eventRegistrations.createdAt,
      name: users.name,
      email: users.email,
      organisation: organisations.name,
      stakeholderGroup: organisations.stakeholderGroup,
    })
    .from(eventRegistrations)
    .innerJoin(users, eq(users.id, eventRegistrations.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(eventRegistrations.eventId, eventId))
    .orderBy(asc(eventRegistrations.id))
    .all();
}

/** Registration counts per stakeholder group and status ("" for people without an organisation). */
export function registrationCountsByGroup(db: DbOrTx, eventId: number) {
  const rows = db
    .select({ group: organisations.stakeholderGroup, status: eventRegistrations.status, n: count() })
    .from(eventRegistrations)
    .innerJoin(users, eq(users.id, eventRegistrations.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(eventRegistrations.eventId, eventId))
    .groupBy(organisations.stakeholderGroup, eventRegistrations.status)
    .all();
  const out: Record<string, { pending: number; approved: number; declined: number }> = {};
  for (const r of rows) {
    const key = r.group ?? "";
    out[key] ??= { pending: 0, approved: 0, declined: 0 };
    out[key][r.status] = r.n;
  }
  return out;
}

/** Approves or declines several registrations of one event in one transaction: the secretariat's decision. */
export function decideRegistrations(
  db: Db,
  actor: Actor,
  eventId: number,
  ids: number[],
  decision: "approved" | "declined",
  meta: RequestMeta,
): { ok: true; count: number; events: DomainEvent[] } | typeof forbidden {
  if (!can(actor, "event.manage")) return forbidden;
  if (ids.length === 0) return { ok: true, count: 0, events: [] };
  const actorId = actor.id;
  const promoted: Promotion[] = [];
  const count = db.transaction((tx) => {
    const changed = tx
      .update(eventRegistrations)
      .set({ status: decision, decidedAt: new Date(), decidedById: actorId })
      .where(and(eq(eventRegistrations.eventId, eventId), inArray(eventRegistrations.id, ids)))
      .returning({ id: eventRegistrations.id, userId: eventRegistrations.userId })
      .all();
    // Someone declined keeps no place in the event's sessions; the next people waiting move up.
    if (decision === "declined") for (const c of changed) promoted.push(...givePlacesUp(tx, c.userId, eventId, actorId, meta));
    if (changed.length)
      recordAudit(
        tx,
        {
          actorId,
          action: `registration.${decision === "approved" ? "approve" : "decline"}`,
          targetType: "event",
          targetId: eventId,
          detail: { registrations: changed.map((c) => c.id) },
        },
        meta,
      );
    return changed.length;
  });
  return { ok: true, count, events: announce(db, promoted.map(promotedEvent)) };
}

// Session places and waiting lists -------------------------------------------

export type SessionPlace = { status: "confirmed" } | { status: "waitlisted"; position: number };

/** Taken places and waiting-list length of every capacity-limited session of an event. */
export function sessionPlaceCounts(db: DbOrTx, eventId: number): Record<number, { confirmed: number; waitlisted: number }> {
  const rows = readQueries(db).placeCounts.all({ eventId });
  const out: Record<number, { confirmed: number; waitlisted: number }> = {};
  for (const r of rows) {
    out[r.sessionId] ??= { confirmed: 0, waitlisted: 0 };
    out[r.sessionId]![r.status] = r.n;
  }
  return out;
}

/** This person's place (or waiting-list position) in each session of an event. */
export function mySessionPlaces(db: DbOrTx, userId: number, eventId: number): Record<number, SessionPlace> {
  const mine = readQueries(db).myPlaces.all({ userId, eventId });
  const waitingIn = mine.filter((r) => r.status === "waitlisted").map((r) => r.sessionId);
  // Everyone waiting in those sessions, in one query, to count who is ahead.
  const queue = waitingIn.length
    ? db
        .select({ id: sessionRegistrations.id, sessionId: sessionRegistrations.sessionId })
        .from(sessionRegistrations)
        .where(and(inArray(sessionRegistrations.sessionId, waitingIn), eq(sessionRegistrations.status, "waitlisted")))
        .all()
    : [];
  const out: Record<number, SessionPlace> = {};
  for (const r of mine) {
    out[r.sessionId] =
      r.status === "confirmed"
        ? { status: "confirmed" }
        : { status: "waitlisted", position: queue.filter((w) => w.sessionId === r.sessionId && w.id < r.id).length + 1 };
  }
  return out;
}

/**
 * Whether this person may take places in the event's sessions, and what taking one does: `registered` (they may),
 * `registersOnTake` (taking a place registers them, the event needing no approval), or why they may not yet
 * (`approvalNeeded`: they must register and wait for the secretariat; `pending`; `declined`), or never (`observer`).
 */
export type PlaceAccess = "registered" | "registersOnTake" | "approvalNeeded" | "pending" | "declined" | "observer";

export function placeAccess(
  actor: Actor,
  event: Pick<AgendaEvent, "registrationRequiresApproval">,
  registration: { status: RegistrationStatus } | null,
): PlaceAccess {
  if (!can(actor, "session.takePlace")) return "observer";
  if (registration?.status === "approved") return "registered";
  if (registration?.status === "pending") return "pending";
  if (registration?.status === "declined") return "declined";
  return event.registrationRequiresApproval ? "approvalNeeded" : "registersOnTake";
}

export type TakePlaceError =
  | "errors.notFound"
  | "errors.noCapacity"
  | "errors.sessionCancelled"
  | "errors.observerNoPlace"
  | "errors.registrationNeeded"
  | "errors.registrationPending"
  | "errors.registrationDeclined";

export type TakePlaceResult =
  | {
      ok: true;
      place: "confirmed" | "waitlisted";
      /** Taking the place registered the person for the event (it needs no approval). */
      registered: boolean;
      events: DomainEvent[];
    }
  | { ok: false; error: TakePlaceError };

const placeRefusal: Record<Exclude<PlaceAccess, "registered" | "registersOnTake">, TakePlaceError> = {
  observer: "errors.observerNoPlace",
  approvalNeeded: "errors.registrationNeeded",
  pending: "errors.registrationPending",
  declined: "errors.registrationDeclined",
};

/**
 * Takes a place for the actor in a capacity-limited session, or joins its waiting list when it is full. A place
 * needs a registration for the event: where the event needs no approval, taking a place registers the person in
 * the same transaction; otherwise their registration must be approved first. Observers take no places. The
 * session goes into the person's agenda (starred), and with it into their calendar feed.
 */
export function takePlace(db: Db, actor: Actor, event: AgendaEvent, sessionId: number, meta: RequestMeta): TakePlaceResult {
  if (!can(actor, "event.view", event)) return notFound;
  const userId = actor.id;
  const eventId = event.id;
  return db.transaction((tx): TakePlaceResult => {
    const session = tx
      .select()
      .from(agendaSessions)
      .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
      .get();
    if (!session) return { ok: false, error: "errors.notFound" };
    if (session.capacity === null) return { ok: false, error: "errors.noCapacity" };
    if (session.status === "cancelled") return { ok: false, error: "errors.sessionCancelled" };
    const access = placeAccess(actor, event, myEventRegistration(tx, userId, eventId));
    if (access !== "registered" && access !== "registersOnTake") return { ok: false, error: placeRefusal[access] };
    const existing = tx
      .select({ status: sessionRegistrations.status })
      .from(sessionRegistrations)
      .where(and(eq(sessionRegistrations.sessionId, sessionId), eq(sessionRegistrations.userId, userId)))
      .get();
    if (existing) return { ok: true, place: existing.status, registered: false, events: [] };
    const registered = access === "registersOnTake";
    if (registered) {
      tx.insert(eventRegistrations).values({ eventId, userId, status: "approved" }).run();
      recordAudit(
        tx,
        {
          actorId: userId,
          action: "registration.create",
          targetType: "event",
          targetId: eventId,
          detail: { status: "approved", sessionId },
        },
        meta,
      );
    }
    const taken = tx
      .select({ n: count() })
      .from(sessionRegistrations)
      .where(and(eq(sessionRegistrations.sessionId, sessionId), eq(sessionRegistrations.status, "confirmed")))
      .get()!.n;
    const place = taken < session.capacity ? ("confirmed" as const) : ("waitlisted" as const);
    tx.insert(sessionRegistrations).values({ sessionId, userId, status: place }).run();
    tx.insert(agendaStars).values({ userId, sessionId }).onConflictDoNothing().run();
    recordAudit(
      tx,
      {
        actorId: userId,
        action: `session_place.${place === "confirmed" ? "take" : "waitlist"}`,
        targetType: "session",
        targetId: sessionId,
      },
      meta,
    );
    return { ok: true, place, registered, events: [] };
  });
}

export type Promotion = Omit<Extract<DomainEvent, { type: "place.promoted" }>, "type">;

/**
 * Gives up the actor's place or leaves the waiting list, and takes the session out of their agenda. When a
 * confirmed place frees up, the first person waiting gets it in the same transaction; the promotion is
 * announced, so they are told.
 */
export function releasePlace(
  db: Db,
  actor: Actor,
  event: AgendaEvent,
  sessionId: number,
  meta: RequestMeta,
): { ok: true; released: boolean; promoted: Promotion | null; events: DomainEvent[] } | typeof notFound {
  if (!can(actor, "event.view", event)) return notFound;
  const userId = actor.id;
  const eventId = event.id;
  const result = db.transaction((tx) => {
    const session = tx
      .select({ id: agendaSessions.id })
      .from(agendaSessions)
      .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
      .get();
    if (!session) return { released: false, promoted: null };
    const released = releaseOne(tx, userId, eventId, sessionId, userId, meta);
    if (!released) return { released: false, promoted: null };
    tx.delete(agendaStars)
      .where(and(eq(agendaStars.userId, userId), eq(agendaStars.sessionId, sessionId)))
      .run();
    return { released: true, promoted: released.promoted };
  });
  const events: DomainEvent[] = result.promoted ? [promotedEvent(result.promoted)] : [];
  return { ok: true, ...result, events: announce(db, events) };
}

const promotedEvent = (p: Promotion): DomainEvent => ({ type: "place.promoted", ...p });

/**
 * Takes one person out of one session (place or waiting list), inside the caller's transaction; a freed confirmed
 * place goes to the first person waiting. Null when they held nothing there.
 */
function releaseOne(
  tx: DbOrTx,
  userId: number,
  eventId: number,
  sessionId: number,
  actorId: number,
  meta: RequestMeta,
): { promoted: Promotion | null } | null {
  const mine = tx
    .delete(sessionRegistrations)
    .where(and(eq(sessionRegistrations.sessionId, sessionId), eq(sessionRegistrations.userId, userId)))
    .returning({ status: sessionRegistrations.status })
    .get();
  if (!mine) return null;
  recordAudit(
    tx,
    {
      actorId,
      action: "session_place.release",
      targetType: "session",
      targetId: sessionId,
      detail: actorId === userId ? { was: mine.status } : { was: mine.status, userId },
    },
    meta,
  );
  if (mine.status !== "confirmed") return { promoted: null };
  const next = tx
    .select({ id: sessionRegistrations.id, userId: sessionRegistrations.userId })
    .from(sessionRegistrations)
    .where(and(eq(sessionRegistrations.sessionId, sessionId), eq(sessionRegistrations.status, "waitlisted")))
    .orderBy(asc(sessionRegistrations.id))
    .limit(1)
    .get();
  if (!next) return { promoted: null };
  tx.update(sessionRegistrations).set({ status: "confirmed" }).where(eq(sessionRegistrations.id, next.id)).run();
  recordAudit(
    tx,
    { actorId: null, action: "session_place.promote", targetType: "session", targetId: sessionId, detail: { userId: next.userId } },
    meta,
  );
  const title = tx.select({ title: agendaSessions.title }).from(agendaSessions).where(eq(agendaSessions.id, sessionId)).get()!.title;
  return { promoted: { userId: next.userId, eventId, sessionId, title } };
}

/** Every place and waiting-list entry a person holds in an event's sessions, given up (their registration went). */
function givePlacesUp(tx: DbOrTx, userId: number, eventId: number, actorId: number, meta: RequestMeta): Promotion[] {
  const held = tx
    .select({ sessionId: sessionRegistrations.sessionId })
    .from(sessionRegistrations)
    .innerJoin(agendaSessions, eq(agendaSessions.id, sessionRegistrations.sessionId))
    .where(and(eq(sessionRegistrations.userId, userId), eq(agendaSessions.eventId, eventId)))
    .all();
  return held.flatMap((h) => releaseOne(tx, userId, eventId, h.sessionId, actorId, meta)?.promoted ?? []);
}
