/**
 * The browser ⇄ server real-time protocol: event names, payload schemas and acknowledgement shapes.
 * Both sides import this module; `docs/realtime.md` describes it for other clients.
 */
import { z } from "zod";
import type { AttributionRule, Role, SessionKind } from "../domain/vocabulary";

/** Largest accepted payload of any request event, in bytes of JSON. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** Largest accepted Yjs message (`doc:message`), in bytes: big enough for a long document's first sync. */
export const MAX_DOC_MESSAGE_BYTES = 512 * 1024;
/** Largest accepted awareness state of one client, in bytes of JSON. */
export const MAX_AWARENESS_STATE_BYTES = 4 * 1024;
/** Most awareness states in one presence message. */
export const MAX_AWARENESS_STATES_PER_MESSAGE = 16;
/** Most distinct presence (awareness) client ids one socket may announce in one document while it has it open. */
export const MAX_PRESENCE_IDS_PER_SOCKET = 4;
/** Presence messages (awareness and query awareness) one socket may send per document: a steady rate and a burst. */
export const PRESENCE_RATE = { perSecond: 30, burst: 60 } as const;

export type ErrorCode =
  | "invalid_payload"
  | "payload_too_large"
  | "unknown_event"
  | "forbidden"
  | "read_only"
  | "not_joined"
  | "malformed_update"
  | "schema_violation"
  | "rate_limited"
  | "internal";
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorCode; message: string };

/** Payload schemas of the request events a client may send; every one is answered through an acknowledgement. */
const eventRef = z.object({ eventId: z.number().int().positive() }).strict();

export const requestSchemas = {
  whoami: z.object({}).strict(),
  /** Follow an event's agenda: allowed when the person may see the event. */
  "event:join": eventRef,
  "event:leave": eventRef,
  /** Open a document: allowed when the person may read it; answers whether they may also edit. */
  "doc:join": z.object({ documentId: z.number().int().positive() }).strict(),
  "doc:leave": z.object({ documentId: z.number().int().positive() }).strict(),
} as const;

export type RequestEvent = keyof typeof requestSchemas;

export interface WhoamiResult {
  user: { id: number; name: string; role: Role; organisationId: number | null };
  sessionId: string;
}

export interface ClientToServerEvents {
  whoami: (payload: z.input<(typeof requestSchemas)["whoami"]>, ack: (res: Ack<WhoamiResult>) => void) => void;
  "event:join": (payload: z.input<typeof eventRef>, ack: (res: Ack) => void) => void;
  "event:leave": (payload: z.input<typeof eventRef>, ack: (res: Ack) => void) => void;
  "doc:join": (payload: { documentId: number }, ack: (res: Ack<DocJoinResult>) => void) => void;
  "doc:leave": (payload: { documentId: number }, ack: (res: Ack) => void) => void;
  /**
   * One y-protocols message for a joined document (sync step 1, step 2, update, awareness).
   * Updates are acknowledged once they are stored; see `docs/realtime.md`.
   */
  "doc:message": (documentId: number, message: Uint8Array | ArrayBuffer, ack?: (res: Ack) => void) => void;
}

export interface DocJoinResult {
  /** True when the server will refuse this person's changes (observers, read-only members). */
  readOnly: boolean;
}

/** Why the server closed a document for a socket. */
export type DocClosedReason = "access_removed" | "deleted";

export type AgendaChangeKind = "created" | "updated" | "moved" | "cancelled" | "restored";

/** A session as the agenda page shows it. */
export interface AgendaSessionView {
  id: number;
  kind: SessionKind;
  title: string;
  status: "scheduled" | "cancelled";
  startsAt: string;
  endsAt: string;
  roomId: number | null;
  roomName: string | null;
  pillarSlug: string | null;
  attribution: AttributionRule;
  capacity: number | null;
  speakers: { userId: number | null; name: string; organisation: string | null }[];
  hasDescription: boolean;
  /** Bumped on every change: a newer copy replaces an older one. */
  sequence: number;
}

/** Sent to an event's room after any change to its agenda. */
export interface AgendaChange {
  eventId: number;
  sessionId: number;
  change: AgendaChangeKind;
  title: string;
  kind: SessionKind;
  startsAt: string;
  endsAt: string;
  roomName: string | null;
  /** The session after the change, so open pages update without asking the server again. */
  session: AgendaSessionView;
}

export type SessionEndReason = "signed_out" | "deactivated" | "revoked" | "password_changed" | "expired";

export interface ServerToClientEvents {
  /** Sent just before the server disconnects a socket whose session ended. */
  "session:ended": (payload: { reason: SessionEndReason }) => void;
  "agenda:changed": (payload: AgendaChange) => void;
  /** The person may no longer see this event (unpublished, narrowed, their group changed): its room is closed to them. */
  "event:access": (payload: { eventId: number; closed: "access_removed" }) => void;
  /** To one person: a place in a full session freed up and is now theirs. */
  "place:promoted": (payload: { eventId: number; sessionId: number; title: string }) => void;
  /** One y-protocols message for a document the socket has joined. */
  "doc:message": (documentId: number, message: Uint8Array | ArrayBuffer) => void;
  /** The person may no longer read this document (or now only read it: `readOnly`). */
  "doc:access": (payload: { documentId: number; readOnly: boolean } | { documentId: number; closed: DocClosedReason }) => void;
}

/** Rooms a socket is put in at connection, so the server can reach it by person or by session. */
export const rooms = {
  user: (id: number) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  event: (id: number) => `event:${id}`,
  doc: (id: number) => `doc:${id}`,
} as const;

/** The y-protocols message types carried by `doc:message` (the first varUint of each message). */
export const docMessageType = { sync: 0, awareness: 1, queryAwareness: 3 } as const;
/** Sync sub-types (the second varUint of a sync message), as y-protocols numbers them. */
export const syncMessageType = { step1: 0, step2: 1, update: 2 } as const;

/** Errors from the handshake middleware, surfaced to the client as `connect_error` with this `data`. */
export type HandshakeError = { code: "origin_not_allowed" | "unauthenticated"; message: string };
