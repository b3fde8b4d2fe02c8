import { useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useRealtime } from "./realtime";

/**
 * Follows a breakout session's state over the page's socket: when places fill, the rooms open or close, the page's
 * data is fetched again (the loader stays the one source of what is shown). Returns how many updates came, so the
 * page can announce them. Without a live connection the page still works; it only updates on reload.
 */
export function useBreakoutFollow(sessionId: number): number {
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [updates, setUpdates] = useState(0);
  useEffect(() => {
    if (!socket || sessionId <= 0) return;
    let followedOnce = false;
    const follow = () => {
      socket.emit("breakouts:follow", { sessionId }, () => {});
      if (followedOnce) revalidator.revalidate();
      followedOnce = true;
    };
    const refresh = (p: { sessionId: number }) => {
      if (p.sessionId !== sessionId) return;
      setUpdates((n) => n + 1);
      revalidator.revalidate();
    };
    if (socket.connected) follow();
    socket.on("connect", follow);
    socket.on("breakouts:state", refresh);
    socket.on("breakout:opened", refresh);
    socket.on("breakout:moved", refresh);
    socket.on("breakout:closed", refresh);
    return () => {
      socket.off("connect", follow);
      socket.off("breakouts:state", refresh);
      socket.off("breakout:opened", refresh);
      socket.off("breakout:moved", refresh);
      socket.off("breakout:closed", refresh);
      if (socket.connected) socket.emit("breakouts:unfollow", { sessionId }, () => {});
    };
    // revalidator is a new object each render; only the socket and the session matter here.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket, sessionId]);
  return updates;
}
