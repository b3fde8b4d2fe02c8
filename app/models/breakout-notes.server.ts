/**
 * A breakout room's shared notes: a live document of its own (no working group), which only the room's people may
 * open, and only read once the rooms have closed.
 */
import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../db/client";
import { breakoutRooms, documents } from "../../db/schema";
import type { Membership } from "../domain/vocabulary";
import { breakoutSessionOf, getBreakoutRoom, peopleWithGroups, personView, visibleRoom } from "./breakouts.server";
import { actorFor } from "./people.server";

/** The room's notes document, made the first time it is needed (opening the rooms). Part of the caller's transaction. */
export function ensureRoomNotes(tx: DbOrTx, roomId: number): number {
  const room = tx.select().from(breakoutRooms).where(eq(breakoutRooms.id, roomId)).get();
  if (!room) throw new Error(`no breakout room ${roomId}`);
  if (room.documentId !== null) return room.documentId;
  const documentId = tx
    .insert(documents)
    .values({ groupId: null, title: room.name, visibility: "group", status: "draft" })
    .returning({ id: documents.id })
    .get().id;
  tx.update(breakoutRooms).set({ documentId }).where(eq(breakoutRooms.id, roomId)).run();
  return documentId;
}

function notesRoomQuery(db: DbOrTx) {
  return db
    .select({ id: breakoutRooms.id })
    .from(breakoutRooms)
    .where(eq(breakoutRooms.documentId, sql.placeholder("documentId")));
}

/** Asked by every document access check (is this a room's notes?): prepared once per database. */
const notesRoomLookups = new WeakMap<Db, ReturnType<ReturnType<typeof notesRoomQuery>["prepare"]>>();

/** The breakout room whose notes `documentId` is, if it is one. */
export function notesRoomOf(db: DbOrTx, documentId: number): number | null {
  // A transaction's handle has no client of its own: the query is built as usual there.
  if (!("$client" in db)) return notesRoomQuery(db).get({ documentId })?.id ?? null;
  let lookup = notesRoomLookups.get(db);
  if (!lookup) notesRoomLookups.set(db, (lookup = notesRoomQuery(db).prepare()));
  return lookup.get({ documentId })?.id ?? null;
}

/**
 * What a person may do with a room's notes, as a working group's membership would say it: "editor" while the rooms
 * are open for those who take part in the room (`breakoutRoom.speak`), "reader" for those who may follow the room
 * (`breakoutRoom.view`: also after the rooms close, and observers where the session allows), null for anyone else
 * (and for a room or event they may not see).
 */
export function notesMembership(db: DbOrTx, roomId: number, userId: number): Membership | null {
  const actor = actorFor(db, userId);
  if (!actor) return null;
  const visible = visibleRoom(db, actor, roomId);
  if (!visible) return null;
  return visible.maySpeak && visible.session.status === "open" ? "editor" : "reader";
}

/** The presence name of a person whose name the attribution rule withholds: their stakeholder group, for clients to translate. */
export const groupPresenceName = (stakeholderGroup: string | null) => `group:${stakeholderGroup ?? "none"}`;

/**
 * The name a person's presence (carets, who is here) carries in a room's notes, when the session's attribution rule
 * withholds it: `group:<stakeholder group>` under "stakeholder group only", and under Chatham House once the rooms
 * have closed (the notes are then read from outside the running room). Null when the person's own name is allowed
 * (on the record; Chatham House inside the running room) or the document is no room's notes.
 */
export function notesPresenceName(db: DbOrTx, documentId: number, userId: number): string | null {
  const roomId = notesRoomOf(db, documentId);
  const room = roomId === null ? null : getBreakoutRoom(db, roomId);
  const session = room ? breakoutSessionOf(db, room.sessionId) : null;
  const person = peopleWithGroups(db, [userId]).get(userId);
  if (!session || !person) return null;
  // Everyone reading the notes sees a person alike under the rule, so the person's own view of it stands for all.
  const shown = personView(session.attribution, session.status === "open", actorFor(db, userId), person);
  return shown.name === null ? groupPresenceName(shown.group) : null;
}
