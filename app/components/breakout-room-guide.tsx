import { useLocation, useMatches, useNavigate } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useRealtime } from "./realtime";

type Notice = ({ kind: "opened" | "moved"; sessionId: number; roomId: number } | { kind: "closed"; sessionId: number }) & {
  /** Where the person is being taken: the notice goes once they move on from there. */
  path: string;
};

const ROOM_PAGE = "routes/breakouts.$sessionId.rooms.$roomId._index";

/** Whether `pathname` is a room page of this breakout session. */
const isRoomPageOf = (pathname: string, sessionId: number) => pathname.startsWith(`/breakouts/${sessionId}/rooms/`);

/**
 * On every signed-in page: takes the person where they belong when breakout rooms open (to their room), when they are
 * moved (to the new room) and when the rooms close while they are in one (back to the plenary), and says so in an
 * announced notice. Facilitators running the rooms from the console stay where they are.
 */
export function BreakoutGuide() {
  const { t } = useTranslation(["breakoutRoom", "common"]);
  const { socket } = useRealtime();
  const navigate = useNavigate();
  const location = useLocation();
  const matches = useMatches();
  const [notice, setNotice] = useState<Notice | null>(null);
  // The listeners read the current address without being re-registered on every navigation.
  const pathname = useRef(location.pathname);
  pathname.current = location.pathname;

  useEffect(() => {
    if (!socket) return;
    const take = (kind: "opened" | "moved") => (p: { sessionId: number; roomId: number }) => {
      if (pathname.current === `/breakouts/${p.sessionId}/console`) return;
      const path = `/breakouts/${p.sessionId}/rooms/${p.roomId}`;
      setNotice({ kind, sessionId: p.sessionId, roomId: p.roomId, path });
      navigate(path);
    };
    const onOpened = take("opened");
    const onMoved = take("moved");
    const onClosed = (p: { sessionId: number }) => {
      if (!isRoomPageOf(pathname.current, p.sessionId)) return;
      const path = `/breakouts/${p.sessionId}/reports`;
      setNotice({ kind: "closed", sessionId: p.sessionId, path });
      navigate(path);
    };
    socket.on("breakout:opened", onOpened);
    socket.on("breakout:moved", onMoved);
    socket.on("breakout:closed", onClosed);
    return () => {
      socket.off("breakout:opened", onOpened);
      socket.off("breakout:moved", onMoved);
      socket.off("breakout:closed", onClosed);
    };
  }, [socket, navigate]);

  // Once the person goes on elsewhere, the notice has done its work.
  useEffect(() => {
    setNotice((n) => (n && n.path !== location.pathname ? null : n));
  }, [location.pathname]);

  // The room's name comes from the room page once it has loaded; until then the notice says "your room".
  const roomName =
    notice && notice.kind !== "closed"
      ? ((matches.find((m) => m.id === ROOM_PAGE)?.data as { room?: { id: number; name: string } } | undefined)?.room ?? null)
      : null;
  const room = notice && notice.kind !== "closed" && roomName?.id === notice.roomId ? roomName.name : t("guide.yourRoom");

  return (
    <div className="banner-slot" role="status" aria-live="polite">
      {notice ? (
        <div className="banner banner--success" data-testid="breakout-notice">
          <p>{notice.kind === "closed" ? t("guide.closed") : t(`guide.${notice.kind}`, { room })}</p>
          <button type="button" className="button button--small button--quiet" onClick={() => setNotice(null)}>
            {t("common:common.dismiss")}
          </button>
        </div>
      ) : null}
    </div>
  );
}
