/**
 * How a model's domain events reach the server's dispatcher without any caller passing them on.
 * The dispatcher subscribes once per database handle when the server starts; a model announces
 * the events of a write after its transaction has committed, and returns them too.
 *
 * The listener hangs on the database handle under a registered symbol rather than in a module-level
 * map: in development the routes' copy of this module and the server's copy are different module
 * instances, but they share the one handle.
 */
import type { Db } from "../../db/client";
import type { DomainEvent } from "../domain/events";

type Listener = (events: readonly DomainEvent[]) => void;
const LISTENERS = Symbol.for("convene.domainEventListeners");
type WithListeners = { [LISTENERS]?: Set<Listener> };

function listenersOf(db: Db): Set<Listener> {
  const holder = db.$client as WithListeners;
  holder[LISTENERS] ??= new Set();
  return holder[LISTENERS];
}

/** Subscribes to every domain event announced on this database handle; returns the unsubscribe. */
export function onDomainEvents(db: Db, listener: Listener): () => void {
  const set = listenersOf(db);
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Announces what a committed write caused and returns the same list, so a model can end with
 * `return { ok: true, events: announce(db, [...]) }`. Announcing inside a transaction is a bug:
 * a push must never tell of a change that could still roll back.
 */
export function announce(db: Db, events: DomainEvent[]): DomainEvent[] {
  if (events.length === 0) return events;
  if (db.$client.inTransaction) throw new Error("domain events are announced after the transaction commits");
  for (const listener of listenersOf(db)) listener(events);
  return events;
}
