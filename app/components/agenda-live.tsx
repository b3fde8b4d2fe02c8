import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { AgendaChange } from "../realtime/protocol";
import { useRealtime } from "./realtime";

/**
 * Follows an event's agenda room: on every change the page's data is fetched again in place,
 * and the change is returned so the page can highlight it and say what happened.
 * After a reconnect the page catches up the same way.
 */
export function useAgendaLive(eventId: number | null): { lastChange: AgendaChange | null } {
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [lastChange, setLastChange] = useState<AgendaChange | null>(null);

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
      revalidator.revalidate();
    };
    if (socket.connected) join();
    socket.on("connect", join);
    socket.on("agenda:changed", onChange);
    return () => {
      socket.off("connect", join);
      socket.off("agenda:changed", onChange);
      if (socket.connected) socket.emit("event:leave", { eventId }, () => {});
    };
    // revalidator is a new object each render; only the socket and event matter here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket, eventId]);

  return { lastChange };
}
