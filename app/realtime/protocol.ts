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
/**
 * Largest state vector `doc:join` may carry, in bytes (about 250 writers). A client with a larger one joins
 * without it and opens the sync with a step 1 of its own (`docs/realtime.md`).
 */
export const MAX_JOIN_STATE_VECTOR_BYTES = 2 * 1024;
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
  | "full"
  | "closed"
  | "not_found"
  | "internal";
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ErrorCode; message: string };

/** Payload schemas of the request events a client may send; every one is answered through an acknowledgement. */
const eventRef = z.object({ eventId: z.number().int().positive() }).strict();
const sessionRef = z.object({ sessionId: z.number().int().positive() }).strict();
const roomRef = z.object({ roomId: z.number().int().positive() }).strict();

/** Longest chat message, in characters. */
export const MAX_CHAT_LENGTH = 2000;

/** Longest comment (or reply) on a document, and longest quoted passage, in characters. */
export const MAX_COMMENT_LENGTH = 2000;
export const MAX_COMMENT_QUOTE_LENGTH = 500;

const yId = z.object({ client: z.number().int().nonnegative(), clock: z.number().int().nonnegative() }).strict();
/** A Yjs relative position as `Y.relativePositionToJSON` writes it: numbers and the text's field name, nothing else. */
const relativePosition = z
  .object({
    type: yId.optional(),
    tname: z.string().max(100).optional(),
    item: yId.optional(),
    assoc: z.number().int().min(-1).max(1).optional(),
  })
  .strict();
/** A comment's text: required, within its length; the messages are translation keys the comment form shows inline. */
export const commentBody = z.string().trim().min(1, "comments.errors.bodyRequired").max(MAX_COMMENT_LENGTH, "comments.errors.bodyTooLong");
const commentRef = z.object({ commentId: z.number().int().positive() }).strict();

export const requestSchemas = {
  whoami: z.object({}).strict(),
  /** Follow an event's agenda: allowed when the person may see the event. */
  "event:join": eventRef,
  "event:leave": eventRef,
  /** Open a document: allowed when the person may read it; answers whether they may also edit. */
  "doc:join": z
    .object({
      documentId: z.number().int().positive(),
      /** The client's Yjs state vector (`Y.encodeStateVector`): the answer then carries the server's sync step 2. */
      stateVector: z
        .custom<Uint8Array>((v) => v instanceof Uint8Array, "must be binary")
        .refine((v) => v.byteLength <= MAX_JOIN_STATE_VECTOR_BYTES, `is limited to ${MAX_JOIN_STATE_VECTOR_BYTES} bytes`)
        .optional(),
    })
    .strict(),
  "doc:leave": z.object({ documentId: z.number().int().positive() }).strict(),
  /** Follow a breakout session's state (rooms, places left, open or closed, timer); managers also get the overview. */
  "breakouts:follow": sessionRef,
  "breakouts:unfollow": sessionRef,
  /** Choose one's own room (or, for a planned assignment, state a preferred room): first come, first served. */
  "breakouts:choose": z.object({ sessionId: z.number().int().positive(), roomId: z.number().int().positive() }).strict(),
  /** Enter a running (or closed, to read) room: answers its state. */
  "breakout:join": roomRef,
  "breakout:leave": roomRef,
  /** Post to the room's chat: stored before anyone sees it. */
  "breakout:chat": z.object({ roomId: z.number().int().positive(), body: z.string().trim().min(1).max(MAX_CHAT_LENGTH) }).strict(),
  /** Raise or lower one's hand; a manager may lower someone else's (`handId`). */
  "breakout:hand": z
    .object({ roomId: z.number().int().positive(), raised: z.boolean(), handId: z.number().int().positive().optional() })
    .strict(),
  /** The comments on a document's live text, as this person may see them. */
  "comments:list": z.object({ documentId: z.number().int().positive() }).strict(),
  /** Comment on a passage: its quoted text and where it starts and ends (Yjs relative positions). */
  "comments:add": z
    .object({
      documentId: z.number().int().positive(),
      body: commentBody,
      quote: z.string().trim().min(1, "comments.errors.quoteRequired").max(MAX_COMMENT_QUOTE_LENGTH, "comments.errors.quoteTooLong"),
      anchor: z.object({ start: relativePosition, end: relativePosition }).strict(),
    })
    .strict(),
  "comments:reply": z.object({ commentId: z.number().int().positive(), body: commentBody }).strict(),
  /** Resolve (or reopen, `resolved: false`) a thread. */
  "comments:resolve": z.object({ commentId: z.number().int().positive(), resolved: z.boolean() }).strict(),
  "comments:delete": commentRef,
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
  "doc:join": (payload: { documentId: number; stateVector?: Uint8Array | ArrayBuffer }, ack: (res: Ack<DocJoinResult>) => void) => void;
  "doc:leave": (payload: { documentId: number }, ack: (res: Ack) => void) => void;
  "breakouts:follow": (
    payload: { sessionId: number },
    ack: (res: Ack<{ state: BreakoutState; overview: BreakoutOverview | null }>) => void,
  ) => void;
  "breakouts:unfollow": (payload: { sessionId: number }, ack: (res: Ack) => void) => void;
  "breakouts:choose": (payload: { sessionId: number; roomId: number }, ack: (res: Ack<{ roomId: number }>) => void) => void;
  "breakout:join": (payload: { roomId: number }, ack: (res: Ack<BreakoutJoinResult>) => void) => void;
  "breakout:leave": (payload: { roomId: number }, ack: (res: Ack) => void) => void;
  "breakout:chat": (payload: { roomId: number; body: string }, ack: (res: Ack<{ message: BreakoutMessageView }>) => void) => void;
  "breakout:hand": (
    payload: { roomId: number; raised: boolean; handId?: number },
    ack: (res: Ack<{ handId: number | null }>) => void,
  ) => void;
  "comments:list": (payload: { documentId: number }, ack: (res: Ack<CommentsListResult>) => void) => void;
  "comments:add": (payload: z.input<(typeof requestSchemas)["comments:add"]>, ack: (res: Ack<{ commentId: number }>) => void) => void;
  "comments:reply": (payload: { commentId: number; body: string }, ack: (res: Ack<{ commentId: number }>) => void) => void;
  "comments:resolve": (payload: { commentId: number; resolved: boolean }, ack: (res: Ack) => void) => void;
  "comments:delete": (payload: { commentId: number }, ack: (res: Ack) => void) => void;
  /**
   * One y-protocols message for a joined document (sync step 1, step 2, update, awareness).
   * Updates are acknowledged once they are stored; see `docs/realtime.md`.
   */
  "doc:message": (documentId: number, message: Uint8Array | ArrayBuffer, ack?: (res: Ack) => void) => void;
}

/** A Yjs relative position as JSON (`Y.relativePositionToJSON`). */
export type RelativePositionJSON = z.infer<typeof relativePosition>;

/** One comment or reply as a reader sees it. `author` is a name, or `group:<stakeholder group>` where the rule withholds it. */
export interface CommentView {
  id: number;
  author: string;
  mine: boolean;
  body: string;
  createdAt: string;
  canDelete: boolean;
}

/** A thread: the comment on a passage and its replies. */
export interface CommentThreadView extends CommentView {
  quote: string;
  anchor: { start: RelativePositionJSON; end: RelativePositionJSON } | null;
  resolvedAt: string | null;
  canResolve: boolean;
  replies: CommentView[];
}

export interface CommentsListResult {
  threads: CommentThreadView[];
  canComment: boolean;
}

export interface DocJoinResult {
  /** True when the server will refuse this person's changes (observers, read-only members). */
  readOnly: boolean;
  /**
   * When the join carried a state vector: the server's sync step 2 for it, one y-protocols message handled like a
   * `doc:message` (the first sync in one round trip).
   */
  sync?: Uint8Array | ArrayBuffer;
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

/**
 * Sent to an event's room after any change to its agenda: what happened, and the session as it now is. The
 * session's title, kind, times and room are read from `session`, not repeated beside it (the message goes to
 * every open page of the event at once, so each field costs once per page).
 */
export interface AgendaChange {
  eventId: number;
  sessionId: number;
  change: AgendaChangeKind;
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
  /** A comment on this document changed: ask for the comments again (`comments:list`). */
  "doc:comments": (payload: { documentId: number }) => void;
  /** The person may no longer read this document (or now only read it: `readOnly`). */
  "doc:access": (payload: { documentId: number; readOnly: boolean } | { documentId: number; closed: DocClosedReason }) => void;
  /** To a breakout session's followers: its new state. */
  "breakouts:state": (payload: BreakoutState) => void;
  /** To a breakout session's managers: every room at a glance. */
  "breakouts:overview": (payload: BreakoutOverview) => void;
  /** To one person: the rooms opened, here is yours (their page takes them there). */
  "breakout:opened": (payload: { sessionId: number; roomId: number }) => void;
  /** To one person: they were moved to another running room (their page takes them there). */
  "breakout:moved": (payload: { sessionId: number; roomId: number }) => void;
  /** To the session's followers and rooms: the rooms closed; everyone returns to the plenary. */
  "breakout:closed": (payload: { sessionId: number }) => void;
  /** To a room: who is there now (from live connections). */
  "breakout:roster": (payload: { roomId: number; people: BreakoutPersonView[] }) => void;
  "breakout:message": (payload: { roomId: number; message: BreakoutMessageView }) => void;
  "breakout:hands": (payload: { roomId: number; hands: BreakoutHandsView }) => void;
  "breakout:timer": (payload: { sessionId: number; endsAt: string | null; serverNow: string }) => void;
  /** The person may no longer be in this room (moved, access removed): it is closed to them. */
  "breakout:access": (payload: { roomId: number; closed: "access_removed" | "moved" }) => void;
}

/** A person as a room shows them, under the session's attribution rule: a name, or only their stakeholder group. */
export interface BreakoutPersonView {
  /** Their name where the rule allows it, else null. */
  name: string | null;
  /** Their organisation's stakeholder group (a vocabulary key), if any. */
  group: string | null;
  /** What they do in the room; a person with several connections is listed once. */
  role: "facilitator" | "rapporteur" | "participant";
}

export interface BreakoutMessageView {
  id: number;
  body: string;
  at: string;
  author: { name: string | null; group: string | null };
  /** A facilitator's message to every room. */
  broadcast: boolean;
}

/** The raised-hands queue, first raised first. Ids let a client find its own hand (answered when it raises it). */
export type BreakoutHandsView = { id: number; name: string | null; group: string | null }[];

export interface BreakoutRoomSummary {
  id: number;
  name: string;
  pillarSlug: string | null;
  capacity: number | null;
  /** Assigned (or chosen) people. */
  assigned: number;
  full: boolean;
}

export interface BreakoutState {
  sessionId: number;
  status: "planning" | "open" | "closed";
  /** Whether delegates see a planned assignment yet. */
  published: boolean;
  assignmentMode: "choice" | "planned";
  rooms: BreakoutRoomSummary[];
  timerEndsAt: string | null;
  /** The server's clock when this was sent: clients show the countdown against it, not their own clock. */
  serverNow: string;
}

export interface BreakoutOverview {
  sessionId: number;
  rooms: { id: number; name: string; present: number; messages: number; lastMessageAt: string | null; hands: number }[];
}

export interface BreakoutJoinResult {
  roomId: number;
  sessionId: number;
  readOnly: boolean;
  status: "planning" | "open" | "closed";
  people: BreakoutPersonView[];
  messages: BreakoutMessageView[];
  hands: BreakoutHandsView;
  /** The id of the person's own raised hand, if it is up. */
  myHandId: number | null;
  timerEndsAt: string | null;
  serverNow: string;
}

/** Rooms a socket is put in at connection, so the server can reach it by person or by session. */
export const rooms = {
  user: (id: number) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  event: (id: number) => `event:${id}`,
  doc: (id: number) => `doc:${id}`,
  /** A breakout room, while someone has it open. */
  breakout: (roomId: number) => `breakout:${roomId}`,
  /** A breakout session's followers (state, places left, timer). */
  breakouts: (sessionId: number) => `breakouts:${sessionId}`,
  /** A breakout session's managers (the overview of every room). */
  console: (sessionId: number) => `console:${sessionId}`,
} as const;

/** The y-protocols message types carried by `doc:message` (the first varUint of each message). */
export const docMessageType = { sync: 0, awareness: 1, queryAwareness: 3 } as const;
/** Sync sub-types (the second varUint of a sync message), as y-protocols numbers them. */
export const syncMessageType = { step1: 0, step2: 1, update: 2 } as const;

/** Errors from the handshake middleware, surfaced to the client as `connect_error` with this `data`. */
export type HandshakeError = { code: "origin_not_allowed" | "unauthenticated"; message: string };
