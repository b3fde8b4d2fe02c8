import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { i18next } from "../i18next.server";
import { ensureVideoMeetingId, roomVideoFor } from "../models/breakout-video.server";
import { requireUser, notFound } from "../utils/auth.server";
import { BigBlueButtonError, ensureMeeting, joinUrl } from "../utils/bigbluebutton.server";

const id = (value: string | undefined) => (value && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null);

/**
 * Opens a breakout room's video (in a new tab from the room page): the room's BigBlueButton meeting when Convene makes
 * them, else the room's meeting link. Only for people who may see the room, while the rooms are open.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = requireUser(context, request);
  const sessionId = id(params.sessionId);
  const roomId = id(params.roomId);
  if (sessionId === null || roomId === null) notFound();
  const { db, env } = context.services;
  const found = roomVideoFor(db, user, sessionId, roomId);
  if (!found.ok) {
    if (found.reason === "closed") throw redirect(`/breakouts/${sessionId}/rooms/${roomId}`);
    notFound();
  }
  const { video } = found;
  if (env.BBB_URL && env.BBB_SECRET) {
    const config = { url: env.BBB_URL, secret: env.BBB_SECRET };
    const t = await i18next.getFixedT(request, ["breakoutRoom", "common"]);
    const meeting = ensureVideoMeetingId(db, user, roomId, context.requestMeta);
    if (!meeting.ok) notFound();
    try {
      await ensureMeeting(config, {
        meetingId: meeting.meetingId,
        name: video.room.name,
        logoutUrl: `${env.APP_URL}/breakouts/${sessionId}/rooms/${roomId}`,
      });
    } catch (error) {
      if (!(error instanceof BigBlueButtonError)) throw error;
      return new Response(t("video.unavailable"), {
        status: 502,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      });
    }
    const fullName =
      video.displayName ??
      (video.stakeholderGroup
        ? t("video.groupParticipant", {
            group: t(`common:stakeholderGroups.${video.stakeholderGroup}`, { defaultValue: video.stakeholderGroup }),
          })
        : t("video.participant"));
    return redirect(joinUrl(config, { meetingId: meeting.meetingId, fullName, moderator: video.moderator }), {
      headers: { "Cache-Control": "no-store" },
    });
  }
  if (video.room.meetingUrl) return redirect(video.room.meetingUrl, { headers: { "Cache-Control": "no-store" } });
  notFound();
}
