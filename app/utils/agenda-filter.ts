/** The agenda page's filters, applied the same way by the loader and by a page updating itself live. */
export interface AgendaFilter {
  day: string;
  pillar: string | null;
  room: string | null;
  kind: string | null;
  mine: boolean;
  q: string;
}

export function readAgendaFilter(params: URLSearchParams, day: string): AgendaFilter {
  return {
    day,
    pillar: params.get("pillar") || null,
    room: params.get("room") || null,
    kind: params.get("kind") || null,
    mine: params.get("mine") === "1",
    q: (params.get("q") ?? "").trim().toLowerCase(),
  };
}

export function matchesAgendaFilter(
  s: {
    id: number;
    day: string;
    pillarSlug: string | null;
    roomId: number | null;
    kind: string;
    title: string;
    speakers: { name: string }[];
    description?: string;
  },
  f: AgendaFilter,
  starred: readonly number[],
): boolean {
  return (
    s.day === f.day &&
    (!f.pillar || s.pillarSlug === f.pillar) &&
    (!f.room || String(s.roomId) === f.room) &&
    (!f.kind || s.kind === f.kind) &&
    (!f.mine || starred.includes(s.id)) &&
    (!f.q || [s.title, s.description ?? "", ...s.speakers.map((p) => p.name)].some((text) => text.toLowerCase().includes(f.q)))
  );
}

/** One card of the agenda: a session, or a break or plenary set in several rooms at once, shown once. */
export interface AgendaCard<S> {
  /** The copy the card shows and acts on (the first room's). */
  session: S;
  /** Every copy's id: a star on the card stars them all. */
  ids: number[];
  /** The rooms it is in, in the event's order; empty for a single session (its own room is shown). */
  roomNames: string[];
  /** It is in every room of the event. */
  everyRoom: boolean;
}

/**
 * Gathers the copies of a break or plenary set in several rooms (same title, kind, times and status, no limit on
 * places, each in its own room) into one card; everything else is a card of its own. Keeps the list's order.
 */
export function groupAcrossRooms<
  S extends {
    id: number;
    kind: string;
    title: string;
    status: string;
    startsAt: string;
    endsAt: string;
    roomId: number | null;
    roomName: string | null;
    capacity: number | null;
  },
>(sessions: readonly S[], rooms: readonly { id: number }[]): AgendaCard<S>[] {
  const cards: AgendaCard<S>[] = [];
  const groups = new Map<string, AgendaCard<S>>();
  const roomOrder = new Map(rooms.map((r, i) => [r.id, i]));
  for (const s of sessions) {
    const shared = (s.kind === "break" || s.kind === "plenary") && s.capacity === null && s.roomId !== null;
    const key = shared ? JSON.stringify([s.kind, s.title, s.status, s.startsAt, s.endsAt]) : null;
    const group = key ? groups.get(key) : undefined;
    if (group && !group.ids.some((id) => sessions.find((o) => o.id === id)?.roomId === s.roomId)) {
      group.ids.push(s.id);
      group.roomNames.push(s.roomName ?? "");
      continue;
    }
    const card: AgendaCard<S> = { session: s, ids: [s.id], roomNames: [s.roomName ?? ""], everyRoom: false };
    if (key && !group) groups.set(key, card);
    cards.push(card);
  }
  for (const card of cards) {
    if (card.ids.length < 2) {
      card.roomNames = [];
      continue;
    }
    const byRoom = sessions.filter((s) => card.ids.includes(s.id));
    byRoom.sort((a, b) => (roomOrder.get(a.roomId!) ?? 0) - (roomOrder.get(b.roomId!) ?? 0));
    card.roomNames = byRoom.map((s) => s.roomName ?? "");
    card.session = byRoom[0]!;
    card.everyRoom = rooms.length > 1 && rooms.every((r) => byRoom.some((s) => s.roomId === r.id));
  }
  return cards;
}
