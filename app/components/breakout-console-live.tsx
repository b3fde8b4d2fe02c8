import { useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type { BreakoutOverview, BreakoutState } from "../realtime/protocol";
import { receivedTimer, type ServerTimer } from "./breakout-timer";
import { useRealtime } from "./realtime";

export type OverviewRow = BreakoutOverview["rooms"][number];

/**
 * Follows a breakout session as its managers do: its state (open or closed, timer, places taken) and the overview of
 * every room (people present, chat activity, raised hands), pushed by the server. When the rooms open or close, or
 * people change rooms, the page's data (who is assigned where) is fetched again.
 */
export function useBreakoutConsoleLive(
  sessionId: number,
  loaded: { status: BreakoutState["status"]; timer: ServerTimer; assigned: Record<number, number>; overview: BreakoutOverview },
) {
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [status, setStatus] = useState(loaded.status);
  const [timer, setTimer] = useState(loaded.timer);
  const [overview, setOverview] = useState<Map<number, OverviewRow>>(() => new Map(loaded.overview.rooms.map((r) => [r.id, r])));
  const latest = useRef(loaded);
  latest.current = loaded;

  // The page's data is fetched again only when nothing else is on its way (a form being sent, a fetch already
  // running): interrupting one would abort it. A change noticed meanwhile is fetched once things are quiet.
  const navigation = useNavigation();
  const quiet = revalidator.state === "idle" && navigation.state === "idle";
  const quietRef = useRef(quiet);
  quietRef.current = quiet;
  const stale = useRef(false);
  const refresh = useRef(() => {});
  refresh.current = () => {
    if (quietRef.current) {
      stale.current = false;
      revalidator.revalidate();
    } else stale.current = true;
  };
  useEffect(() => {
    if (quiet && stale.current) refresh.current();
  }, [quiet]);

  useEffect(() => {
    setStatus(loaded.status);
    setTimer(loaded.timer);
  }, [loaded.status, loaded.timer]);

  useEffect(() => {
    if (!socket) return;
    let active = true;
    const takeState = (state: BreakoutState) => {
      setStatus(state.status);
      setTimer(receivedTimer(state.timerEndsAt, state.serverNow));
      const known = latest.current;
      const moved = state.rooms.some((r) => (known.assigned[r.id] ?? 0) !== r.assigned);
      if (state.status !== known.status || moved) refresh.current();
    };
    const takeOverview = (o: BreakoutOverview | null) => {
      if (o && o.sessionId === sessionId) setOverview(new Map(o.rooms.map((r) => [r.id, r])));
    };
    const follow = () =>
      socket.emit("breakouts:follow", { sessionId }, (res) => {
        if (!active || !res.ok) return;
        takeState(res.state);
        takeOverview(res.overview);
      });
    const onState = (state: BreakoutState) => {
      if (state.sessionId === sessionId) takeState(state);
    };
    const onTimer = (p: { sessionId: number; endsAt: string | null; serverNow: string }) => {
      if (p.sessionId === sessionId) setTimer(receivedTimer(p.endsAt, p.serverNow));
    };
    if (socket.connected) follow();
    socket.on("connect", follow);
    socket.on("breakouts:state", onState);
    socket.on("breakouts:overview", takeOverview);
    socket.on("breakout:timer", onTimer);
    return () => {
      active = false;
      socket.off("connect", follow);
      socket.off("breakouts:state", onState);
      socket.off("breakouts:overview", takeOverview);
      socket.off("breakout:timer", onTimer);
      if (socket.connected) socket.emit("breakouts:unfollow", { sessionId }, () => {});
    };
  }, [socket, sessionId]);

  return { status, timer, overview };
}
