import { createContext, useContext, useEffect, useState } from "react";
import { useRevalidator } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { io, type Socket } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import type { ClientToServerEvents, HandshakeError, ServerToClientEvents, SessionEndReason } from "../realtime/protocol";

export type LiveState =
  { status: "connecting" | "live" | "reconnecting" } | { status: "ended"; reason: SessionEndReason | "unauthenticated" };

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const RealtimeContext = createContext<{ socket: AppSocket | null; state: LiveState }>({
  socket: null,
  state: { status: "connecting" },
});

export const useRealtime = () => useContext(RealtimeContext);

/** Opens the page's one socket while someone is signed in, and tracks whether it is live. */
export function RealtimeProvider({ userId, children }: { userId: number; children: React.ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const [state, setState] = useState<LiveState>({ status: "connecting" });

  useEffect(() => {
    const s: AppSocket = io({ withCredentials: true, parser });
    setSocket(s);
    let ended: SessionEndReason | null = null;
    s.on("connect", () => setState({ status: "live" }));
    s.on("session:ended", ({ reason }) => {
      ended = reason;
      setState({ status: "ended", reason });
    });
    s.on("disconnect", (reason) => {
      if (ended) return;
      // The server closes a socket on purpose only when its session has ended.
      if (reason === "io server disconnect") setState({ status: "ended", reason: "revoked" });
      else setState({ status: "reconnecting" });
    });
    s.on("connect_error", (error) => {
      const data = (error as Error & { data?: HandshakeError }).data;
      if (data?.code === "unauthenticated" || data?.code === "origin_not_allowed") setState({ status: "ended", reason: "unauthenticated" });
      else setState({ status: "reconnecting" });
    });
    return () => {
      s.removeAllListeners();
      s.close();
    };
  }, [userId]);

  return <RealtimeContext.Provider value={{ socket, state }}>{children}</RealtimeContext.Provider>;
}

export function LiveStatus() {
  const { t } = useTranslation();
  const { state } = useRealtime();
  const label = t(`live.${state.status}`);
  return (
    <span
      className={`live-status live-status--${state.status}`}
      data-testid="live-status"
      data-status={state.status}
      role="status"
      aria-live="polite"
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{label}</span>
    </span>
  );
}

/** Announces, on any page, that a waiting-list place became the reader's, and refreshes the page's data. */
export function PlaceNotices() {
  const { t } = useTranslation(["agenda", "common"]);
  const { socket } = useRealtime();
  const revalidator = useRevalidator();
  const [title, setTitle] = useState<string | null>(null);
  useEffect(() => {
    if (!socket) return;
    const onPromoted = (p: { title: string }) => {
      setTitle(p.title);
      revalidator.revalidate();
    };
    socket.on("place:promoted", onPromoted);
    return () => {
      socket.off("place:promoted", onPromoted);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket]);
  return (
    <div className="banner-slot" role="status" aria-live="polite">
      {title ? (
        <div className="banner banner--success" data-testid="place-notice">
          <p>{t("sessionRegistration.promoted", { title })}</p>
          <button type="button" className="button button--small button--quiet" onClick={() => setTitle(null)}>
            {t("common:common.dismiss")}
          </button>
        </div>
      ) : null}
    </div>
  );
}

export function SessionEndedBanner() {
  const { t } = useTranslation();
  const { state } = useRealtime();
  if (state.status !== "ended") return null;
  return (
    <div className="banner banner--warning" role="alert">
      <p>{t(`live.endedReason.${state.reason}`)}</p>
      <a className="button button--small" href="/sign-in">
        {t("auth.signInAgain")}
      </a>
    </div>
  );
}
