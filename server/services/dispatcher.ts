/**
 * The one place where what the models did becomes what open pages see. Models announce domain events
 * (`app/models/domain-events.server.ts`) after their transaction commits; the dispatcher, subscribed
 * once to the server's database handle, turns each into live pushes and access re-checks. No route
 * or socket handler has to remember a side effect.
 *
 * Socket lookups use the in-memory adapter's room map, synchronously: a re-check has finished before
 * the next write can push to the room it closed.
 */
import { actorFor } from "../../app/models/people.server";
import { replaceText } from "../../app/models/document-content.server";
import { onDomainEvents } from "../../app/models/domain-events.server";
import { organisationMemberIds } from "../../app/models/organisations.server";
import { groupDocumentIds } from "../../app/models/working-groups.server";
import { breakoutSessionIdsOfEvent } from "../../app/models/breakout-live.server";
import { listBreakoutRooms } from "../../app/models/breakouts.server";
import type { DomainEvent } from "../../app/domain/events";
import { rooms } from "../../app/realtime/protocol";
import type { Actor } from "../../app/utils/policy";
import type { AppSocket, IoServer, Services } from "../context";
import { createBreakoutPresence } from "../realtime/breakout-presence";
import { liveRoomKinds, parseRoom } from "../realtime/live-rooms";

export type Dispatcher = ReturnType<typeof createDispatcher>;

export function createDispatcher(io: IoServer, services: Pick<Services, "db" | "documents">, log: (m: string) => void) {
  const { db } = services;
  const breakouts = createBreakoutPresence(io, db, log);
  const kinds = liveRoomKinds(services, breakouts);
  const namespace = io.of("/");

  function socketsIn(room: string): AppSocket[] {
    const ids = namespace.adapter.rooms.get(room);
    return ids ? [...ids].flatMap((id) => namespace.sockets.get(id) ?? []) : [];
  }

  /** Re-checks the live rooms of these sockets (those named by `only`, or all of them). */
  function recheck(sockets: Iterable<AppSocket>, only?: (room: string) => boolean) {
    const actors = new Map<number, Actor | null>();
    for (const socket of sockets) {
      const userId = socket.data.userId;
      if (!actors.has(userId)) actors.set(userId, actorFor(db, userId));
      for (const room of [...socket.rooms]) {
        if (only && !only(room)) continue;
        const parsed = parseRoom(kinds, room);
        if (parsed) parsed.kind.recheck(socket, actors.get(userId)!, parsed.id);
      }
    }
  }

  function recheckPeople(userIds: Iterable<number>) {
    for (const userId of userIds) recheck(socketsIn(rooms.user(userId)));
  }

  function recheckRoom(room: string) {
    recheck(socketsIn(room), (r) => r === room);
  }

  function endRoom(room: string, reason: Extract<DomainEvent, { type: "sessions.ended" }>["reason"]) {
    io.to(room).emit("session:ended", { reason });
    io.in(room).disconnectSockets(true);
  }

  function handle(event: DomainEvent) {
    switch (event.type) {
      case "agenda.changed":
        io.to(rooms.event(event.change.eventId)).emit("agenda:changed", event.change);
        return;
      case "place.promoted":
        io.to(rooms.user(event.userId)).emit("place:promoted", { eventId: event.eventId, sessionId: event.sessionId, title: event.title });
        return;
      case "event.accessChanged":
        recheckRoom(rooms.event(event.eventId));
        // Following a breakout session, and being in its rooms, also depend on seeing its event.
        for (const sessionId of breakoutSessionIdsOfEvent(db, event.eventId)) recheckBreakout(sessionId, { followers: true });
        return;
      case "document.accessChanged":
        return recheckRoom(rooms.doc(event.documentId));
      case "workingGroup.accessChanged":
        for (const documentId of groupDocumentIds(db, event.groupId)) recheckRoom(rooms.doc(documentId));
        return;
      case "person.accessChanged":
        return recheckPeople([event.userId]);
      case "organisation.accessChanged":
        return recheckPeople(organisationMemberIds(db, event.organisationId));
      case "document.commentsChanged":
        // Only a signal: each reader asks for the comments as they may see them (names under the attribution rule).
        io.to(rooms.doc(event.documentId)).emit("doc:comments", { documentId: event.documentId });
        return;
      case "document.replaced":
        return services.documents.change(event.documentId, (doc) => replaceText(doc, event.state));
      case "sessions.ended":
        for (const id of event.sessionIds) endRoom(rooms.session(id), event.reason);
        return;
      case "person.signedOut":
        return endRoom(rooms.user(event.userId), event.reason);
      case "breakout.changed":
        // Opening and closing also change how a room shows its people (names inside a running room).
        breakouts.stateChanged(event.sessionId);
        for (const roomId of breakoutRoomIds(event.sessionId)) breakouts.rosterChanged(roomId);
        return;
      case "breakout.accessChanged":
        // An assignment, a room's facilitator or the observers' setting changed: not who may see the event, so the
        // session's followers (possibly thousands, while people choose their rooms) need no re-check.
        return recheckBreakout(event.sessionId, { followers: false });
      case "breakout.opened":
        for (const { userId, roomId } of event.assignments) {
          io.to(rooms.user(userId)).emit("breakout:opened", { sessionId: event.sessionId, roomId });
        }
        return;
      case "breakout.closed":
        io.to([rooms.breakouts(event.sessionId), ...event.roomIds.map(rooms.breakout)]).emit("breakout:closed", {
          sessionId: event.sessionId,
        });
        return;
      case "breakout.moved": {
        io.to(rooms.user(event.userId)).emit("breakout:moved", { sessionId: event.sessionId, roomId: event.toRoomId });
        const from = event.fromRoomId === null ? null : rooms.breakout(event.fromRoomId);
        if (from) recheck(socketsIn(rooms.user(event.userId)), (r) => r === from);
        return;
      }
      case "breakout.timer": {
        const roomIds = breakoutRoomIds(event.sessionId);
        const payload = { sessionId: event.sessionId, endsAt: event.endsAt, serverNow: new Date().toISOString() };
        io.to([rooms.breakouts(event.sessionId), ...roomIds.map(rooms.breakout)]).emit("breakout:timer", payload);
        return breakouts.stateChanged(event.sessionId);
      }
      case "breakout.message":
        // A facilitator's message to every room reaches each of them as that room's message.
        for (const roomId of event.roomId === null ? breakoutRoomIds(event.sessionId) : [event.roomId]) {
          io.to(rooms.breakout(roomId)).emit("breakout:message", { roomId, message: event.message });
        }
        return breakouts.overviewChanged(event.sessionId);
      case "breakout.hands":
        io.to(rooms.breakout(event.roomId)).emit("breakout:hands", { roomId: event.roomId, hands: event.hands });
        return breakouts.overviewChanged(event.sessionId);
    }
  }

  /** Re-checks the sockets in a breakout session's rooms and console (and its followers, when asked). */
  function recheckBreakout(sessionId: number, { followers }: { followers: boolean }) {
    for (const { room } of listBreakoutRooms(db, sessionId)) {
      recheckRoom(rooms.breakout(room.id));
      // A person moved out of a room also loses its notes (or keeps them read-only, as its facilitator).
      if (room.documentId !== null) recheckRoom(rooms.doc(room.documentId));
    }
    recheckRoom(rooms.console(sessionId));
    if (followers) recheckRoom(rooms.breakouts(sessionId));
  }

  function breakoutRoomIds(sessionId: number): number[] {
    return listBreakoutRooms(db, sessionId).map(({ room }) => room.id);
  }

  /** Turns each event into its pushes; one that fails is logged and never undoes the committed write. */
  function dispatch(events: readonly DomainEvent[]) {
    for (const event of events) {
      try {
        handle(event);
      } catch (error) {
        log(`dispatching ${event.type} failed: ${(error as Error).stack ?? error}`);
      }
    }
  }

  const unsubscribe = onDomainEvents(db, dispatch);
  return {
    dispatch,
    /** Presence in breakout rooms, and the pushes it causes (for the socket handlers). */
    breakouts,
    close() {
      unsubscribe();
      breakouts.close();
    },
  };
}
