import { asc, gte } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { events, pillars } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import { displayTimeZone } from "../utils/time-zones";
import { preparedPerDatabase } from "./prepared.server";

/** The pillars, read on every agenda page: prepared once per database. */
const pillarsInOrder = preparedPerDatabase((db) => db.select().from(pillars).orderBy(asc(pillars.position)).prepare());

export function listPillars(db: DbOrTx) {
  return pillarsInOrder(db).all();
}

/** Events that have not ended yet and that this person (or, with null, a visitor) may see, soonest first. */
export function upcomingEventsFor(db: DbOrTx, actor: Actor | null, today: string) {
  return db
    .select({
      id: events.id,
      kind: events.kind,
      title: events.title,
      startsOn: events.startsOn,
      endsOn: events.endsOn,
      timeZone: events.timeZone,
      venue: events.venue,
      status: events.status,
      visibility: events.visibility,
      invitedGroups: events.invitedGroups,
    })
    .from(events)
    .where(gte(events.endsOn, today))
    .orderBy(asc(events.startsOn))
    .all()
    .filter((e) => e.status !== "archived" && can(actor, "event.view", e))
    .map((e) => ({ ...e, timeZone: displayTimeZone(e.timeZone) }));
}
