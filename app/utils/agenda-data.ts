/**
 * The agenda page's sessions as its loader data carries them, and back: each session a fixed-order row, its room by
 * id and its speakers as indexes into one list of people (decision 046). Encoded on the server, decoded in the page.
 */
import type { AgendaSessionView } from "../realtime/protocol";

/**
 * A session as the page's data carries it: the fields of `AgendaSessionView` in a fixed order, without what the
 * page already has once (its room's name is in `rooms`, its speakers in `people`). The page turns it back into an
 * `AgendaSessionView` (`sessionsFromData`); a live change still carries the whole view.
 */
export type SentSession = [
  id: number,
  kind: AgendaSessionView["kind"],
  title: string,
  status: AgendaSessionView["status"],
  startsAt: string,
  endsAt: string,
  roomId: number | null,
  pillarSlug: string | null,
  attribution: AgendaSessionView["attribution"],
  capacity: number | null,
  /** Indexes into `people`. */
  speakers: number[],
  hasDescription: boolean,
  sequence: number,
];
/** A speaker of the shown sessions, once: user id (null for a guest), name, organisation. */
export type SentPerson = [userId: number | null, name: string, organisation: string | null];

/** The shown sessions as the page's data carries them, each speaker once. */
export function sendSessions(views: readonly AgendaSessionView[]): { sessions: SentSession[]; people: SentPerson[] } {
  const people: SentPerson[] = [];
  const index = new Map<string, number>();
  const sessions = views.map((v): SentSession => {
    const speakers = v.speakers.map((p) => {
      const key = `${p.userId ?? ""}\u0000${p.name}\u0000${p.organisation ?? ""}`;
      let i = index.get(key);
      if (i === undefined) index.set(key, (i = people.push([p.userId, p.name, p.organisation]) - 1));
      return i;
    });
    return [
      v.id,
      v.kind,
      v.title,
      v.status,
      v.startsAt,
      v.endsAt,
      v.roomId,
      v.pillarSlug,
      v.attribution,
      v.capacity,
      speakers,
      v.hasDescription,
      v.sequence,
    ];
  });
  return { sessions, people };
}

/** The page's sessions as `AgendaSessionView`s again, as a live change carries them (see `SentSession`). */
export function sessionsFromData(
  sent: readonly SentSession[],
  people: readonly SentPerson[],
  rooms: readonly { id: number; name: string }[],
): AgendaSessionView[] {
  const roomNames = new Map(rooms.map((r) => [r.id, r.name]));
  const speakers = people.map(([userId, name, organisation]) => ({ userId, name, organisation }));
  return sent.map(
    ([id, kind, title, status, startsAt, endsAt, roomId, pillarSlug, attribution, capacity, speakerIds, hasDescription, sequence]) => ({
      id,
      kind,
      title,
      status,
      startsAt,
      endsAt,
      roomId,
      roomName: roomId === null ? null : (roomNames.get(roomId) ?? null),
      pillarSlug,
      attribution,
      capacity,
      speakers: speakerIds.map((i) => speakers[i]!),
      hasDescription,
      sequence,
    }),
  );
}
