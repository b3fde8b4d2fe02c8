/**
 * The people and documents the hostile-input benchmarks aim at, made in a seeded database through the app's own
 * models while no server runs on it: a working group with an editor and a read-only member, documents in it, and
 * the demo forum's events (one the delegates may follow, and a draft they may not see).
 */
import { join } from "node:path";
import { getEvent, listRooms, listSessions } from "../../app/models/agenda.server";
import { openDatabase, type Db } from "../../db/client";
import { startServer, tempDir } from "../lib";
import { createDocument } from "../../app/models/documents.server";
import { actorFor } from "../../app/models/people.server";
import { addMember, createWorkingGroup } from "../../app/models/working-groups.server";

const meta = { ipAddress: "127.0.0.1", userAgent: "bench" };

/** Demo accounts (db/seed.ts) and what each is in the benchmark's working group. */
export const PEOPLE = {
  secretariat: { email: "secretariat@convene.example", name: "Sam Okafor" },
  /** Hostile, with the right to edit. */
  editor: { email: "police@convene.example", name: "Jonas Weber" },
  /** Hostile, may only read. */
  reader: { email: "government@convene.example", name: "Priya Natarajan" },
  /** Hostile, not in the group: may not even read. */
  outsider: { email: "ngo@convene.example", name: "Wanjiru Kamau" },
  /** Honest: writes the sentinel paragraphs. */
  honest: { email: "industry@convene.example", name: "Daniel Cho" },
} as const;

export interface Forum {
  groupId: number;
  documentIds: number[];
  visibleEventIds: number[];
  hiddenEventId: number;
  missingDocumentId: number;
}

function idOf(db: Db, sql: string, ...args: unknown[]): number {
  const row = db.$client.prepare(sql).get(...args) as { id: number } | undefined;
  if (!row) throw new Error(`nothing found for ${sql}`);
  return row.id;
}

export function prepareForum(db: Db, documents: number, label = "Hostile input"): Forum {
  const userId = (email: string) => idOf(db, "SELECT id FROM users WHERE email = ?", email);
  const secretariat = actorFor(db, userId(PEOPLE.secretariat.email))!;
  const pillarId = idOf(db, "SELECT id FROM pillars ORDER BY position LIMIT 1");
  const group = createWorkingGroup(db, secretariat, { name: `${label} ${Date.now()}`, description: "", pillarId, leadId: null }, meta);
  if (!group.ok) throw new Error(`creating the working group was refused: ${group.reason}`);
  for (const [who, membership] of [
    [PEOPLE.editor, "editor"],
    [PEOPLE.honest, "editor"],
    [PEOPLE.reader, "reader"],
  ] as const) {
    if (!addMember(db, secretariat, group.id, userId(who.email), membership, meta).ok) throw new Error(`adding ${who.email} was refused`);
  }
  const documentIds: number[] = [];
  for (let i = 0; i < documents; i++) {
    const doc = createDocument(db, secretariat, group.id, { title: `${label} ${i + 1}`, summary: "", visibility: "group" }, meta);
    if (!doc.ok) throw new Error(`creating a document was refused: ${doc.reason}`);
    documentIds.push(doc.id);
  }
  const visibleEventIds = (
    db.$client.prepare("SELECT id FROM events WHERE status = 'published' AND visibility IN ('public', 'members') ORDER BY id").all() as {
      id: number;
    }[]
  ).map((r) => r.id);
  const draft = db.$client.prepare("SELECT id FROM events WHERE status = 'draft' ORDER BY id LIMIT 1").get() as { id: number } | undefined;
  const maxEvent = idOf(db, "SELECT coalesce(max(id), 0) AS id FROM events");
  const maxDocument = idOf(db, "SELECT coalesce(max(id), 0) AS id FROM documents");
  if (visibleEventIds.length === 0) throw new Error("the seeded forum has no published event");
  return {
    groupId: group.id,
    documentIds,
    visibleEventIds,
    hiddenEventId: draft?.id ?? maxEvent + 1000,
    missingDocumentId: maxDocument + 1000,
  };
}

/**
 * A seeded database in a new folder (made by starting and stopping a server once), with the working group and
 * `documents` documents of `prepareForum`, and the demo forum with a room and a timetabled session to move.
 */
export async function prepareSeededForum(documents: number, label: string) {
  const databasePath = join(tempDir(), "convene.db");
  const first = await startServer({ databasePath });
  await first.stop();
  const db = openDatabase(databasePath);
  try {
    const forum = prepareForum(db, documents, label);
    const forumId = (db.$client.prepare("SELECT id FROM events WHERE kind = 'forum' ORDER BY id LIMIT 1").get() as { id: number }).id;
    const event = getEvent(db, forumId)!;
    const roomId = listRooms(db, event.id)[1]!.id;
    const session = listSessions(db, event.id).find((s) => s.roomId !== null)!;
    return { databasePath, forum, event, roomId, session };
  } finally {
    db.$client.close();
  }
}
