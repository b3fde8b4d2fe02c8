import { useCallback, useEffect, useState } from "react";
import type { BreakoutHandsView, BreakoutJoinResult, BreakoutMessageView, BreakoutPersonView, ErrorCode } from "../realtime/protocol";
import { receivedTimer, type ServerTimer } from "./breakout-timer";
import { useRealtime } from "./realtime";

/** What a room page shows, first from its loader, then from the server's live answers. */
export interface RoomLiveState {
  status: BreakoutJoinResult["status"];
  readOnly: boolean;
  people: BreakoutPersonView[];
  messages: BreakoutMessageView[];
  hands: BreakoutHandsView;
  myHandId: number | null;
  timer: ServerTimer;
}

export type RoomConnection = "joining" | "live" | "reconnecting";
export type RoomAccessLoss = "moved" | "access_removed" | null;
export type RoomRequestResult = { ok: true } | { ok: false; error: ErrorCode | "offline" };

/** How long a chat or hand request may wait for the server's answer before the page says it failed. */
const ANSWER_WITHIN_MS = 10_000;

/** Messages by id, oldest first: an answer and the room's push of the same message are one message. */
function mergeMessages(known: BreakoutMessageView[], more: BreakoutMessageView[]): BreakoutMessageView[] {
  const byId = new Map(known.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * Takes part in one breakout room over the page's socket: joins it (again after every reconnect, taking the fresh
 * state: chat history, hands and one's own place in the queue), follows its roster, chat, hands and timer, and
 * notices when the rooms close or the person is moved out. A closed room is not joined: the loader's record is all.
 */
export function useBreakoutRoomLive(roomId: number, sessionId: number, initial: RoomLiveState) {
  const { socket } = useRealtime();
  const [state, setState] = useState<RoomLiveState>(initial);
  const [connection, setConnection] = useState<RoomConnection>("joining");
  const [lost, setLost] = useState<RoomAccessLoss>(null);
  const joinable = initial.status !== "closed" && lost === null;

  // New loader data (after a revalidation, or another room of the same page) replaces what was shown.
  useEffect(() => setState(initial), [initial]);
  useEffect(() => setLost(null), [roomId]);

  useEffect(() => {
    if (!socket || !joinable) return;
    let active = true;
    const join = () => {
      setConnection("joining");
      socket.emit("breakout:join", { roomId }, (res) => {
        if (!active) return;
        if (!res.ok) {
          if (res.error === "not_found" || res.error === "forbidden") setLost("access_removed");
          return;
        }
        setConnection("live");
        setState({
          status: res.status,
          readOnly: res.readOnly,
          people: res.people,
          messages: res.messages,
          hands: res.hands,
          myHandId: res.myHandId,
          timer: receivedTimer(res.timerEndsAt, res.serverNow),
        });
      });
    };
    const onDisconnect = () => setConnection("reconnecting");
    const onRoster = (p: { roomId: number; people: BreakoutPersonView[] }) => {
      if (p.roomId === roomId) setState((s) => ({ ...s, people: p.people }));
    };
    const onMessage = (p: { roomId: number; message: BreakoutMessageView }) => {
      if (p.roomId === roomId) setState((s) => ({ ...s, messages: mergeMessages(s.messages, [p.message]) }));
    };
    const onHands = (p: { roomId: number; hands: BreakoutHandsView }) => {
      if (p.roomId !== roomId) return;
      setState((s) => ({ ...s, hands: p.hands, myHandId: p.hands.some((h) => h.id === s.myHandId) ? s.myHandId : null }));
    };
    const onTimer = (p: { sessionId: number; endsAt: string | null; serverNow: string }) => {
      if (p.sessionId === sessionId) setState((s) => ({ ...s, timer: receivedTimer(p.endsAt, p.serverNow) }));
    };
    const onClosed = (p: { sessionId: number }) => {
      if (p.sessionId === sessionId) setState((s) => ({ ...s, status: "closed", readOnly: true, hands: [], myHandId: null }));
    };
    const onAccess = (p: { roomId: number; closed: "moved" | "access_removed" }) => {
      if (p.roomId === roomId) setLost(p.closed);
    };
    if (socket.connected) join();
    socket.on("connect", join);
    socket.on("disconnect", onDisconnect);
    socket.on("breakout:roster", onRoster);
    socket.on("breakout:message", onMessage);
    socket.on("breakout:hands", onHands);
    socket.on("breakout:timer", onTimer);
    socket.on("breakout:closed", onClosed);
    socket.on("breakout:access", onAccess);
    return () => {
      active = false;
      socket.off("connect", join);
      socket.off("disconnect", onDisconnect);
      socket.off("breakout:roster", onRoster);
      socket.off("breakout:message", onMessage);
      socket.off("breakout:hands", onHands);
      socket.off("breakout:timer", onTimer);
      socket.off("breakout:closed", onClosed);
      socket.off("breakout:access", onAccess);
      if (socket.connected) socket.emit("breakout:leave", { roomId }, () => {});
    };
    // New loader data (a revalidation) means a fresh join too: the loader knows nothing of who is here.
  }, [socket, roomId, sessionId, joinable, initial]);

  const send = useCallback(
    (body: string) =>
      new Promise<RoomRequestResult>((resolve) => {
        if (!socket?.connected) return resolve({ ok: false, error: "offline" });
        socket.timeout(ANSWER_WITHIN_MS).emit("breakout:chat", { roomId, body }, (err, res) => {
          if (err) return resolve({ ok: false, error: "offline" });
          if (!res.ok) return resolve({ ok: false, error: res.error });
          setState((s) => ({ ...s, messages: mergeMessages(s.messages, [res.message]) }));
          resolve({ ok: true });
        });
      }),
    [socket, roomId],
  );

  const setHand = useCallback(
    (raised: boolean, handId?: number) =>
      new Promise<RoomRequestResult>((resolve) => {
        if (!socket?.connected) return resolve({ ok: false, error: "offline" });
        const payload = handId === undefined ? { roomId, raised } : { roomId, raised, handId };
        socket.timeout(ANSWER_WITHIN_MS).emit("breakout:hand", payload, (err, res) => {
          if (err) return resolve({ ok: false, error: "offline" });
          if (!res.ok) return resolve({ ok: false, error: res.error });
          // Only one's own hand changes one's place; lowering someone else's leaves it as it was.
          if (handId === undefined) setState((s) => ({ ...s, myHandId: res.handId }));
          resolve({ ok: true });
        });
      }),
    [socket, roomId],
  );

  return { state, connection: joinable ? connection : ("live" as const), lost, send, setHand };
}
