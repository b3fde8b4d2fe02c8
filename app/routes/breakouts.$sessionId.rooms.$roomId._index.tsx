import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { BreakoutTimer } from "../components/breakout-timer";
import { RoomChat } from "../components/breakout-room-chat";
import { useBreakoutRoomLive, type RoomLiveState } from "../components/breakout-room-live";
import { RoomHands, RoomRoster, usePersonLabel } from "../components/breakout-room-people";
import { DocumentEditor } from "../components/document-editor";
import { roomRecord } from "../models/breakout-live.server";
import { mayManageBreakout, personView, roomPlace, visibleRoom } from "../models/breakouts.server";
import type { AttributionRule } from "../domain/vocabulary";
import { idParam, notFound, requireUser } from "../utils/auth.server";
import { can } from "../utils/policy";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.room.name ?? ""} · Convene` }];

export function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const db = context.services.db;
  const sessionId = idParam(params.sessionId);
  const roomId = idParam(params.roomId);
  const visible = visibleRoom(db, user, roomId);
  if (!visible || visible.session.sessionId !== sessionId) notFound();
  const { room, session, target, maySpeak } = visible;
  const open = session.status === "open";
  const { pillarSlug, venue } = roomPlace(db, room);
  // Inside the running room the rule's in-room view applies; the record read after closing is as seen from outside.
  const record = roomRecord(db, user, roomId, open, { room, session, managerIds: target.managerIds });
  const self = personView(session.attribution, true, user, { name: user.name, stakeholderGroup: user.stakeholderGroup });
  const env = context.services.env;
  return {
    session: { id: sessionId, title: session.title, attribution: session.attribution as AttributionRule, status: session.status },
    room: { id: room.id, name: room.name, question: room.question, pillarSlug, venue, documentId: room.documentId },
    me: { id: user.id, name: self.name, group: self.group },
    maySpeak,
    mayManage: mayManageBreakout(db, user, session),
    mayReport: can(user, "breakoutRoom.report", { rapporteurId: room.rapporteurId, managerIds: target.managerIds }),
    hasMeeting: !!env.BBB_URL || !!room.meetingUrl,
    record,
    timer: { endsAt: session.timerEndsAt?.toISOString() ?? null, serverNow: new Date().toISOString() },
  };
}

export default function BreakoutRoomPage() {
  const { t } = useTranslation(["breakoutRoom", "common"]);
  const data = useLoaderData<typeof loader>();
  const { session, room, me, maySpeak, mayManage, mayReport, hasMeeting } = data;
  const label = usePersonLabel();
  const initial = useMemo<RoomLiveState>(
    () => ({
      status: data.session.status,
      readOnly: !data.maySpeak || data.session.status !== "open",
      people: [],
      messages: data.record.messages,
      hands: data.session.status === "open" ? data.record.hands : [],
      myHandId: data.session.status === "open" ? data.record.myHandId : null,
      timer: { ...data.timer, offsetMs: null },
    }),
    [data],
  );
  const live = useBreakoutRoomLive(room.id, session.id, initial);
  const { state } = live;
  const open = state.status === "open" && live.lost === null;
  const closed = state.status === "closed";
  const question = room.question.trim()
    ? room.question
    : room.pillarSlug
      ? t(`defaultQuestion.${room.pillarSlug as "tech-innovation"}`, { defaultValue: "" })
      : "";
  const base = `/breakouts/${session.id}`;

  return (
    <div className="stack-lg breakout-room" data-testid="breakout-room" data-room-id={room.id} data-status={state.status}>
      <header className="page-header stack">
        <p className="breadcrumb">
          <Link to={base}>{t("breadcrumb", { title: session.title })}</Link>
        </p>
        <h1>{room.name}</h1>
        <p className="doc-meta">
          <span className={`badge breakout-status breakout-status--${state.status}`}>{t(`status.${state.status}`)}</span>
          {room.pillarSlug ? <span>{t("pillar", { pillar: t(`common:pillars.${room.pillarSlug as "tech-innovation"}`) })}</span> : null}
          {room.venue ? <span>{t("venue", { room: room.venue })}</span> : null}
          {mayManage ? <Link to={`${base}/console`}>{t("consoleLink")}</Link> : null}
        </p>
        <p className="badge badge--rule breakout-rule">{t(`rule.${session.attribution}`)}</p>
      </header>

      <div role="status" aria-live="polite" className="breakout-room__notices">
        {live.lost ? <p className="alert alert--info">{t(`access.${live.lost}`)}</p> : null}
        {live.connection === "reconnecting" && !closed ? <p className="alert alert--info">{t("live.reconnecting")}</p> : null}
      </div>

      {question ? (
        <section className="panel breakout-question" aria-labelledby="room-question">
          <h2 id="room-question">{t("questionHeading")}</h2>
          <p className="lead">{question}</p>
        </section>
      ) : null}

      {closed ? (
        <section className="panel stack breakout-closed" aria-labelledby="room-closed" data-testid="room-closed">
          <h2 id="room-closed">{t("closed.title")}</h2>
          <p>{t("closed.lead")}</p>
          <p className="header-actions">
            <Link className="button" to={`${base}/reports`}>
              {t("closed.reports")}
            </Link>
            {mayReport ? (
              <Link className="button button--quiet" to={`${base}/rooms/${room.id}/report`}>
                {t("closed.writeReport")}
              </Link>
            ) : null}
          </p>
        </section>
      ) : null}
      {state.status === "planning" ? <p className="alert alert--info">{t("notOpenYet")}</p> : null}
      {open && !maySpeak ? <p className="muted">{t("readOnly")}</p> : null}

      <div className="breakout-room__layout">
        <div className="breakout-room__main stack-lg">
          <RoomChat messages={state.messages} mayWrite={open && !state.readOnly} onSend={live.send} record={closed} />
          <section className="stack" aria-labelledby="room-notes">
            <h2 id="room-notes">{t("notes.title")}</h2>
            {room.documentId !== null ? (
              <DocumentEditor documentId={room.documentId} user={{ id: me.id, name: label(me) }} />
            ) : (
              <p className="muted">{t("notes.none")}</p>
            )}
          </section>
        </div>
        <aside className="breakout-room__side stack">
          {!closed ? (
            <section className="panel stack" aria-labelledby="room-time">
              <h2 id="room-time">{t("timer.title")}</h2>
              <BreakoutTimer timer={state.timer} />
            </section>
          ) : null}
          {open && hasMeeting ? (
            <p>
              <a className="button" href={`${base}/rooms/${room.id}/video`} target="_blank" rel="noopener">
                {t("meeting.join")} <span className="visually-hidden">{t("meeting.newTab")}</span>
              </a>
            </p>
          ) : null}
          {open ? <RoomRoster people={state.people} /> : null}
          {open ? (
            <RoomHands
              hands={state.hands}
              myHandId={state.myHandId}
              maySpeak={!state.readOnly}
              mayManage={mayManage}
              onHand={live.setHand}
            />
          ) : null}
        </aside>
      </div>
    </div>
  );
}
