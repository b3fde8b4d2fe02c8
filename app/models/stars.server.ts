import { and, eq } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { agendaSessions, agendaStars } from "../../db/schema";

export function starredSessionIds(db: DbOrTx, userId: number, eventId: number): number[] {
  return db
    .select({ id: agendaStars.sessionId })
    .from(agendaStars)
    .innerJoin(agendaSessions, eq(agendaSessions.id, agendaStars.sessionId))
    .where(and(eq(agendaStars.userId, userId), eq(agendaSessions.eventId, eventId)))
    .all()
    .map((r) => r.id);
}

/** Stars or unstars a session of this event for this person; returns whether it is now starred. */
export function setStar(db: Db, userId: number, eventId: number, sessionId: number, starred: boolean): boolean | null {
  const session = db
    .select({ id: agendaSessions.id })
    .from(agendaSessions)
    .where(and(eq(agendaSessions.id, sessionId), eq(agendaSessions.eventId, eventId)))
    .get();
  if (!session) return null;
  if (starred) db.insert(agendaStars).values({ userId, sessionId }).onConflictDoNothing().run();
  else
    db.delete(agendaStars)
      .where(and(eq(agendaStars.userId, userId), eq(agendaStars.sessionId, sessionId)))
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
