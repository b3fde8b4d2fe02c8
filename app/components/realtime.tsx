import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { useRevalidator } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { io, type Socket } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import type { ClientToServerEvents, HandshakeError, ServerToClientEvents, SessionEndReason } from "../realtime/protocol";

export type LiveState =
  { status: "connecting" | "live" | "reconnecting" } | { status: "ended"; reason: SessionEndReason | "unauthenticated" };

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A live notice shown where the person is, until they dismiss it. */
export interface Toast {
  id: number;
  message: string;
  tone: "info" | "success";
  testId?: string;
}

interface RealtimeValue {
  socket: AppSocket | null;
  state: LiveState;
  toasts: Toast[];
  /** Shows a notice at the bottom of the screen, announced, until dismissed. */
  notify: (toast: Omit<Toast, "id">) => void;
  dismiss: (id: number) => void;
}

const RealtimeContext = createContext<RealtimeValue>({
  socket: null,
  state: { status: "connecting" },
  toasts: [],
  notify: () => {},
  dismiss: () => {},
});

export const useRealtime = () => useContext(RealtimeContext);

/** Opens the page's one socket while someone is signed in, tracks whether it is live, and holds its notices. */
export function RealtimeProvider({ userId, children }: { userId: number; children: React.ReactNode }) {
  const [socket, setSocket] = useState<AppSocket | null>(null);
  const [state, setState] = useState<LiveState>({ status: "connecting" });
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const notify = useCallback((toast: Omit<Toast, "id">) => {
    const id = nextId.current++;
    setToasts((previous) => [...previous, { ...toast, id }]);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((previous) => previous.filter((t) => t.id !== id)), []);

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

  const value = useMemo(() => ({ socket, state, toasts, notify, dismiss }), [socket, state, toasts, notify, dismiss]);
  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
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

/** How many notices show at once; older ones wait behind "n earlier notices". */
const SHOWN_TOASTS = 3;

/**
 * The page's live notices, at the bottom of the screen where someone scrolled down still sees them: a
 * waiting-list place that became the reader's (on any page, refreshing its data), and whatever a page
 * reports through `notify` (an agenda's changes). Each stays until dismissed; several stack.
 */
export function PlaceNotices() {
  const { t } = useTranslation(["agenda", "common"]);
  const { socket, toasts, notify, dismiss } = useRealtime();
  const revalidator = useRevalidator();
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!socket) return;
    const onPromoted = (p: { title: string }) => {
      notify({ message: t("sessionRegistration.promoted", { title: p.title }), tone: "success", testId: "place-notice" });
      revalidator.revalidate();
    };
    socket.on("place:promoted", onPromoted);
    return () => {
      socket.off("place:promoted", onPromoted);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [socket]);
  const shown = toasts.slice(-SHOWN_TOASTS);
  const earlier = toasts.length - shown.length;
  const close = (ids: number[]) => {
    // Focus goes to the next notice's button, or back to the page, never lost with the removed button.
    const rest = shown.filter((toast) => !ids.includes(toast.id));
    for (const id of ids) dismiss(id);
    requestAnimationFrame(() => {
      const next = rest.length ? region.current?.querySelector<HTMLButtonElement>(`[data-toast="${rest.at(-1)!.id}"] button`) : null;
      if (next) next.focus();
      else document.getElementById("main")?.focus({ preventScroll: true });
    });
  };
  return (
    <div className="toast-region" ref={region}>
      <div role="status" aria-live="polite" className="toast-list">
        {shown.map((toast) => (
          <div key={toast.id} className={`toast toast--${toast.tone}`} data-toast={toast.id}>
            <p data-testid={toast.testId}>{toast.message}</p>
            <button type="button" className="button button--small button--quiet" onClick={() => close([toast.id])}>
              {t("common:common.dismiss")}
              <span className="visually-hidden">: {toast.message}</span>
            </button>
          </div>
        ))}
      </div>
      {earlier > 0 ? (
        <div className="toast toast--more">
          <p>{t("agenda.earlierNotices", { count: earlier })}</p>
          <button type="button" className="button button--small button--quiet" onClick={() => close(toasts.map((toast) => toast.id))}>
            {t("agenda.dismissAll")}
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
