/**
 * A breakout room's shared notes: a live document of its own (no working group), which only the room's people may
 * open, and only read once the rooms have closed.
 */
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { breakoutRooms, documents } from "../../db/schema";

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
