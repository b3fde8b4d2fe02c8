/**
 * Domain events: what a model's write caused that open pages must hear about, or that changes who
 * may stay in a live room. Models return them and announce them through `announce()`
 * (`app/models/domain-events.server.ts`); the server's one dispatcher turns them into live pushes
 * and access re-checks. Free of server code, so the types can be shared.
 */
import type { AgendaChange, BreakoutHandsView, BreakoutMessageView, SessionEndReason } from "../realtime/protocol";

export type DomainEvent =
  /** A session was created, edited, moved, cancelled or put back: pushed to the event's live room. */
  | { type: "agenda.changed"; change: AgendaChange }
  /** An event was published, unpublished, archived or its visibility or invited groups changed. */
  | { type: "event.accessChanged"; eventId: number }
  /** A place in a full session freed up and went to this person. */
  | { type: "place.promoted"; userId: number; eventId: number; sessionId: number; title: string }
  /** A person's role or organisation changed: everything they have open is checked again. */
  | { type: "person.accessChanged"; userId: number }
  /** An organisation's stakeholder group changed: everything its people have open is checked again. */
  | { type: "organisation.accessChanged"; organisationId: number }
  /** A working group's lead or members changed: its open documents are checked again. */
  | { type: "workingGroup.accessChanged"; groupId: number }
  /** A document's visibility or status changed: its open copies are checked again. */
  | { type: "document.accessChanged"; documentId: number }
  /** A document's text was replaced by a stored state (restoring a version): applied to the live copy. */
  | { type: "document.replaced"; documentId: number; state: Uint8Array }
  /** These sign-in sessions ended: their sockets are told why and closed. */
  | { type: "sessions.ended"; sessionIds: readonly string[]; reason: SessionEndReason }
  /** Every session of this person ended (deactivation): all their sockets are told and closed. */
  | { type: "person.signedOut"; userId: number; reason: SessionEndReason }
  /** A breakout session's rooms, assignment or state changed: its followers get the new state. */
  | { type: "breakout.changed"; sessionId: number }
  /** Who may be in which of its rooms changed (assignment, facilitators, observers): its live rooms are checked again. */
  | { type: "breakout.accessChanged"; sessionId: number }
  /** The rooms opened: each person assigned is taken to their room. */
  | { type: "breakout.opened"; sessionId: number; assignments: readonly { userId: number; roomId: number }[] }
  /** The rooms closed: everyone in them returns to the plenary; the notes become read-only. */
  | { type: "breakout.closed"; sessionId: number; roomIds: readonly number[] }
  /** A person was moved between running rooms: they are told and taken there, and leave the old room. */
  | { type: "breakout.moved"; sessionId: number; userId: number; fromRoomId: number | null; toRoomId: number }
  /** The countdown was started, extended or stopped (`endsAt` null). */
  | { type: "breakout.timer"; sessionId: number; endsAt: string | null }
  /** A chat message was stored: to its room, or to every room of the session when `roomId` is null (a broadcast). */
  | { type: "breakout.message"; sessionId: number; roomId: number | null; message: BreakoutMessageView }
  /** A room's raised-hands queue changed. */
  | { type: "breakout.hands"; sessionId: number; roomId: number; hands: BreakoutHandsView }
  /** A comment on a document was added, answered, resolved, reopened or deleted: its open readers fetch the comments again. */
  | { type: "document.commentsChanged"; documentId: number };

export type DomainEventType = DomainEvent["type"];
