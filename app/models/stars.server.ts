import { and, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, agendaStars } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import type { AgendaEvent } from "./agenda.server";

export function starredSessionIds(db: DbOrTx, userId: number, eventId: number): number[] {
  return db
    .select({ id: agendaStars.sessionId })
    .from(agendaStars)
    .innerJoin(agendaSessions, eq(agendaSessions.id, agendaStars.sessionId))
    .where(and(eq(agendaStars.userId, userId), eq(agendaSessions.eventId, eventId)))
    .all()
    .map((r) => r.id);
}

/**
 * Stars or unstars a session of this event for the actor; returns whether it is now starred, or null when
 * there is no such session the actor may see.
 */
export function setStar(db: Db, actor: Actor, event: AgendaEvent, sessionId: number, starred: boolean): boolean | null {
  if (!can(actor, "event.view", event)) return null;
  const session = db
    .select({ id: agendaSessions.id })
    .from(agendaSessions)
    .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, event.id)))
    .get();
  if (!session) return null;
  if (starred) db.insert(agendaStars).values({ userId: actor.id, sessionId }).onConflictDoNothing().run();
  else
    db.delete(agendaStars)
      .where(and(eq(agendaStars.userId, actor.id), eq(agendaStars.sessionId, sessionId)))
      .run();
  return starred;
}

/** Pairs of starred sessions that overlap in time (cancelled ones never clash). */
export function clashesAmong<T extends { id: number; startsAt: Date | string; endsAt: Date | string; status: string }>(
  sessions: T[],
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
