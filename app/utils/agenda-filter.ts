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
