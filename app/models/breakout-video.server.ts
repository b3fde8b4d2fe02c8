/**
 * A breakout room's video: where a person is sent when they open it. With BigBlueButton configured, the room's own
 * meeting (its id kept on the room the first time it is needed), with a display name that follows the session's
 * attribution rule; otherwise the meeting link the facilitator gave the room.
 */
import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { breakoutRooms } from "../../db/schema";
import type { DomainEvent } from "../domain/events";
import type { Actor } from "../utils/policy";
import { recordAudit, type RequestMeta } from "./audit.server";
import {
  breakoutNotFound,
  mayManageBreakout,
  personView,
  visibleRoom,
  type BreakoutRefusal,
  type BreakoutRoom,
  type BreakoutSession,
} from "./breakouts.server";

/** What the video route needs to send one person to their room's video. */
export interface RoomVideo {
  room: BreakoutRoom;
  session: BreakoutSession;
  /** Runs the room (its session's managers): moderator in BigBlueButton. */
  moderator: boolean;
  /** The name others in the meeting see: the person's own, or null when the rule shows only their stakeholder group. */
  displayName: string | null;
  stakeholderGroup: string | null;
}

/**
 * The room's video as the actor may open it: `not_found` for a room they may not see, `closed` unless the rooms are
 * open. The meeting is inside the room, so under Chatham House others there see the person's name.
 */
export function roomVideoFor(
  db: Db,
  actor: Actor & { name: string },
  sessionId: number,
  roomId: number,
): { ok: true; video: RoomVideo } | BreakoutRefusal {
  const visible = visibleRoom(db, actor, roomId);
  if (!visible || visible.session.sessionId !== sessionId) return breakoutNotFound;
  if (visible.session.status !== "open") return { ok: false, reason: "closed" };
  const shown = personView(visible.session.attribution, true, actor, {
    name: actor.name,
    stakeholderGroup: actor.stakeholderGroup ?? null,
  });
  return {
    ok: true,
    video: {
      room: visible.room,
      session: visible.session,
      moderator: mayManageBreakout(db, actor, visible.session),
      displayName: shown.name,
      stakeholderGroup: shown.group,
    },
  };
}

/**
 * The room's BigBlueButton meeting id, made and kept the first time (`convene-<room>-<random>`: stable for the room,
 * not guessable from it). Two people opening the video at once get the same id: only the first write takes.
 */
export function ensureVideoMeetingId(
  db: Db,
  actor: Actor,
  roomId: number,
  meta: RequestMeta,
): { ok: true; meetingId: string; events: DomainEvent[] } | BreakoutRefusal {
  const meetingId = db.transaction((tx) => {
    const room = tx.select({ videoMeetingId: breakoutRooms.videoMeetingId }).from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get();
    if (!room) return null;
    if (room.videoMeetingId) return room.videoMeetingId;
    const made = `convene-${roomId}-${randomBytes(9).toString("base64url")}`;
    tx.update(breakoutRooms)
      .set({ videoMeetingId: made })
      .where(and(eq(breakoutRooms.id, roomId), isNull(breakoutRooms.videoMeetingId)))
      .run();
    recordAudit(tx, { actorId: actor.id, action: "breakout.videoMeeting", targetType: "breakout_room", targetId: roomId }, meta);
    return made;
  });
  return meetingId === null ? breakoutNotFound : { ok: true, meetingId, events: [] };
}
