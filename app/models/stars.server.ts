import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, agendaStars } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import type { AgendaEvent } from "./agenda.server";
import { preparedPerDatabase } from "./prepared.server";

/** The reader's stars, read on every agenda page: prepared once per database. */
const readQueries = preparedPerDatabase((db) => ({
  starred: db
    .select({ id: agendaStars.sessionId })
    .from(agendaStars)
    .innerJoin(agendaSessions, eq(agendaSessions.id, agendaStars.sessionId))
    .where(and(eq(agendaStars.userId, sql.placeholder("userId")), eq(agendaSessions.eventId, sql.placeholder("eventId"))))
    .prepare(),
}));

export function starredSessionIds(db: DbOrTx, userId: number, eventId: number): number[] {
  return readQueries(db)
    .starred.all({ userId, eventId })
    .map((r) => r.id);
}

/**
 * Stars or unstars a session of this event for the actor; returns whether it is now starred, or null when
 * there is no such session the actor may see.
 */
export function setStar(db: Db, actor: Actor, event: AgendaEvent, sessionId: number, starred: boolean): boolean | null {
  return setStars(db, actor, event, [sessionId], starred);
}

/**
 * Stars or unstars several sessions of this event at once (a break or plenary set in every room is one card
 * on the agenda, and one choice): all of them or none. Null when one of them is not a session the actor may see.
 */
export function setStars(db: Db, actor: Actor, event: AgendaEvent, sessionIds: readonly number[], starred: boolean): boolean | null {
  if (!can(actor, "event.view", event) || sessionIds.length === 0) return null;
  const ids = [...new Set(sessionIds)];
  return db.transaction((tx) => {
    const found = tx
      .select({ id: agendaSessions.id })
      .from(agendaSessions)
      .where(and(inArray(agendaSessions.id, ids), eq(agendaSessions.eventId, event.id)))
      .all();
    if (found.length !== ids.length) return null;
    if (starred)
      tx.insert(agendaStars)
        .values(ids.map((sessionId) => ({ userId: actor.id, sessionId })))
        .onConflictDoNothing()
        .run();
    else
      tx.delete(agendaStars)
        .where(and(eq(agendaStars.userId, actor.id), inArray(agendaStars.sessionId, ids)))
        .run();
    return starred;
  });
}

/** Pairs of starred sessions that overlap in time (cancelled ones never clash). */
export function clashesAmong<T extends { id: number; startsAt: Date | string; endsAt: Date | string; status: string }>(
  sessions: readonly T[],
  starred: readonly number[],
): [number, number][] {
  const mine = sessions
    .filter((s) => starred.includes(s.id) && s.status === "scheduled")
    .map((s) => ({ id: s.id, start: new Date(s.startsAt).getTime(), end: new Date(s.endsAt).getTime() }))
    .sort((a, b) => a.start - b.start);
  const pairs: [number, number][] = [];
  for (let i = 0; i < mine.length; i++) {
    for (let j = i + 1; j < mine.length && mine[j]!.start < mine[i]!.end; j++) pairs.push([mine[i]!.id, mine[j]!.id]);
  }
  return pairs;
}

export function starredSessionsOf(db: DbOrTx, userId: number) {
  return db
    .select({ session: agendaSessions })
    .from(agendaStars)
    .innerJoin(agendaSessions, eq(agendaSessions.id, agendaStars.sessionId))
    .where(eq(agendaStars.userId, userId))
    .all()
    .map((r) => r.session);
}
