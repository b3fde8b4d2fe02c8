import { asc } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { events, pillars } from "../../db/schema";
import { can, type Actor } from "../utils/policy";
import { getEvent, trackLeadIds } from "./agenda.server";

/** Events this person may see, newest first. */
export function listVisibleEvents(db: DbOrTx, actor: Actor) {
  return db
    .select()
    .from(events)
    .orderBy(asc(events.startsOn))
    .all()
    .filter((e) => can(actor, "event.view", e));
}

/** The event if this person may see it; otherwise null, exactly as if it did not exist. */
export function visibleEvent(db: DbOrTx, actor: Actor, eventId: number) {
  const event = Number.isInteger(eventId) && eventId > 0 ? getEvent(db, eventId) : null;
  return event && can(actor, "event.view", event) ? event : null;
}

/** Tracks (pillars) at an event that this person may edit. */
export function editableTracks(db: DbOrTx, actor: Actor, eventId: number): number[] {
  return db
    .select({ id: pillars.id })
    .from(pillars)
    .all()
    .map((p) => p.id)
    .filter((pillarId) => can(actor, "agenda.edit", { trackLeadIds: trackLeadIds(db, eventId, pillarId) }));
}
