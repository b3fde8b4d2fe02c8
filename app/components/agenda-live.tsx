import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type { AgendaChange, AgendaSessionView } from "../realtime/protocol";
import { useRealtime } from "./realtime";

/**
 * Follows an event's agenda room. Each change carries the session as it now is, so the page applies it
 * without asking the server again (thousands of viewers would otherwise all reload at once); the last
 * change is returned so the page can highlight it, and `onArrival` hears each one so the page can say what happened. After a reconnect the page
 * fetches its data again, which catches up whatever it missed. When the person may no longer see the
 * event (unpublished, narrowed, their group changed), the server closes the room and `closed` says so.
 */
export function useAgendaLive(
  eventId: number | null,
  /** Called once for each change as it arrives (the page tells the person about it). */
  onArrival?: (change: AgendaChange) => void,
): {
  lastChange: AgendaChange | null;
  updates: Map<number, AgendaSessionView>;
  closed: boolean;
} {
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [lastChange, setLastChange] = useState<AgendaChange | null>(null);
  const [updates, setUpdates] = useState<Map<number, AgendaSessionView>>(() => new Map());
  const [closed, setClosed] = useState(false);
  const arrival = useRef(onArrival);
  arrival.current = onArrival;

  useEffect(() => {
    if (!socket || eventId === null) return;
    let joinedOnce = false;
    const join = () => {
      socket.emit("event:join", { eventId }, () => {});
      if (joinedOnce) revalidator.revalidate();
      joinedOnce = true;
    };
    const onChange = (change: AgendaChange) => {
      if (change.eventId !== eventId) return;
      setLastChange(change);
      arrival.current?.(change);
      setUpdates((previous) => new Map(previous).set(change.sessionId, change.session));
    };
    const onAccess = (p: { eventId: number }) => {
      if (p.eventId !== eventId) return;
      setClosed(true);
      socket.off("connect", join);
    };
    if (socket.connected) join();
    socket.on("connect", join);
    socket.on("agenda:changed", onChange);
    socket.on("event:access", onAccess);
    return () => {
      socket.off("connect", join);
      socket.off("agenda:changed", onChange);
      socket.off("event:access", onAccess);
      if (socket.connected) socket.emit("event:leave", { eventId }, () => {});
    };
    // revalidator is a new object each render; only the socket and event matter here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket, eventId]);

  return { lastChange, updates, closed };
}
