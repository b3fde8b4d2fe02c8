import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { BreakoutState } from "../realtime/protocol";
import { useRealtime } from "./realtime";

/**
 * Follows a breakout session over the page's socket and fetches the page's data again whenever its state changes
 * (a report-back saved or submitted, an action made a commitment, the rooms closed), so report-backs appear without
 * a reload. Without a live connection the page still works; it is then as fresh as its last load. Returns how many
 * times it refreshed, for an announcement to screen readers.
 */
export function useBreakoutReportsLive(sessionId: number): number {
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [refreshes, setRefreshes] = useState(0);

  useEffect(() => {
    if (!socket) return;
    let followedOnce = false;
    const follow = () => {
      socket.emit("breakouts:follow", { sessionId }, () => {});
      // After a reconnect, catch up on whatever was missed.
      if (followedOnce) revalidator.revalidate();
      followedOnce = true;
    };
    const onState = (state: BreakoutState) => {
      if (state.sessionId !== sessionId) return;
      revalidator.revalidate();
      setRefreshes((n) => n + 1);
    };
    if (socket.connected) follow();
    socket.on("connect", follow);
    socket.on("breakouts:state", onState);
    return () => {
      socket.off("connect", follow);
      socket.off("breakouts:state", onState);
      if (socket.connected) socket.emit("breakouts:unfollow", { sessionId }, () => {});
    };
    // revalidator is a new object each render; only the socket and the session matter here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket, sessionId]);

  return refreshes;
}
