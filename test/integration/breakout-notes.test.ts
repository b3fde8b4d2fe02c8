import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import type { AttributionRule } from "../../app/domain/vocabulary";
import { ensureRoomNotes } from "../../app/models/breakout-notes.server";
import { announce } from "../../app/models/domain-events.server";
import { createVersion, documentAccess } from "../../app/models/documents.server";
import type { Ack } from "../../app/realtime/protocol";
import { makeBreakout, placeInRoom, type TestBreakout } from "../support/breakouts";
import { openDocument, saved, until, type DocClient } from "../support/documents";
import { SECRETARIAT, actorOf, makeEvent, makePerson, type Person } from "../support/factories";
import { get, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const clients: DocClient[] = [];
const meta = { ipAddress: null, userAgent: "test" };

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

async function open(person: Person | string, documentId: number): Promise<DocClient> {
  const cookie = typeof person === "string" ? await signInAs(server, person) : await signInAs(server, person.email, person.password);
  const client = await openDocument(server, { cookie }, documentId);
  clients.push(client);
  return client;
}

/** A breakout session whose rooms are open, two people in its first room and one in its second, and the first room's notes. */
async function runningRooms(attribution: AttributionRule) {
  const { db } = server;
  const breakout = makeBreakout(db, makeEvent(db), { attribution });
  const room = breakout.rooms[0]!.id;
  const other = breakout.rooms[1]!.id;
  const ministry = await makePerson(db, { organisation: "Ministry of Digital Affairs (demo)" });
  const ngo = await makePerson(db, { organisation: "Children First Alliance (demo)" });
  const elsewhere = await makePerson(db, { organisation: "Streamwave Platforms (demo)" });
  placeInRoom(db, breakout, room, ministry.id, ngo.id);
  placeInRoom(db, breakout, other, elsewhere.id);
  const notesId = db.transaction((tx) => ensureRoomNotes(tx, room));
  db.$client.prepare("UPDATE breakouts SET status = 'open', opened_at = ? WHERE session_id = ?").run(Date.now(), breakout.sessionId);
  return { breakout, room, notesId, ministry, ngo, elsewhere };
}

/** Closes the rooms and tells open copies of the notes, as closing the rooms does. */
function closeRooms(breakout: TestBreakout, notesId: number) {
  server.db.$client
    .prepare("UPDATE breakouts SET status = 'closed', closed_at = ? WHERE session_id = ?")
    .run(Date.now(), breakout.sessionId);
  announce(server.db, [{ type: "document.accessChanged", documentId: notesId }]);
}

function sendRaw(client: DocClient, documentId: number, message: Uint8Array): Promise<Ack> {
  return new Promise((resolve) => client.socket.emit("doc:message", documentId, Buffer.from(message), resolve));
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** Resolves with the presence state `viewer` holds for `clientId` once `predicate` holds for it. */
function presenceOf(viewer: DocClient, clientId: number, predicate: (state: Record<string, unknown> | undefined) => boolean) {
  return new Promise<Record<string, unknown> | undefined>((resolve) => {
    const check = () => {
      const state = viewer.provider.awareness.getStates().get(clientId);
      if (predicate(state)) {
        viewer.provider.awareness.off("change", check);
        resolve(state);
      }
    };
    viewer.provider.awareness.on("change", check);
    check();
  });
}

const userName = (state: Record<string, unknown> | undefined) => (state?.user as { name?: string } | undefined)?.name;

describe("a breakout room's notes", () => {
  it("are written by the room's people while the rooms run, and only read once they close; the stored changes keep who wrote them", async () => {
    const { breakout, notesId, ministry, ngo } = await runningRooms("chatham_house");
    const a = await open(ministry, notesId);
    const b = await open(ngo, notesId);
    expect(a.provider.state.readOnly).toBe(false);
    a.doc.getText("t").insert(0, "Share hash lists across borders.");
    await until(b, () => b.text() === "Share hash lists across borders.");
    await saved(a);
    const writers = server.db.$client.prepare("SELECT DISTINCT user_id AS id FROM document_updates WHERE document_id = ?").all(notesId);
    expect(writers).toEqual([{ id: ministry.id }]);

    const readOnly = new Promise<void>((resolve) => a.provider.on("state", (s) => s.readOnly && resolve()));
    closeRooms(breakout, notesId);
    await readOnly;
    const late = new Y.Doc();
    late.getText("t").insert(0, "after the close");
    expect(await sendRaw(a, notesId, updateMessage(Y.encodeStateAsUpdate(late)))).toMatchObject({ ok: false, error: "read_only" });
    const reader = await open(ngo, notesId);
    expect(reader.provider.state.readOnly).toBe(true);
    expect(reader.text()).toBe("Share hash lists across borders.");
    // Closed notes are a record: not even the secretariat changes them.
    const secretariat = await open(SECRETARIAT, notesId);
    expect(secretariat.provider.state.readOnly).toBe(true);
  });

  it("cannot be opened from another room: refused exactly like a document that does not exist", async () => {
    const { notesId, elsewhere } = await runningRooms("on_record");
    const refused = await open(elsewhere, notesId).catch((e: Error) => e.message);
    const missing = await open(elsewhere, 99_999_999).catch((e: Error) => e.message);
    expect(refused).toBe("document closed: forbidden");
    expect(refused).toBe(missing);
    expect(documentAccess(server.db, notesId, elsewhere.id)).toMatchObject({ groupId: null, membership: null, visibility: "group" });
  });

  it("show only the stakeholder group in presence under 'stakeholder group only', whatever name the client sends", async () => {
    const { notesId, ministry, ngo } = await runningRooms("group_only");
    const a = await open(ministry, notesId);
    const b = await open(ngo, notesId);
    a.provider.awareness.setLocalState({ user: { name: ministry.name, color: "#1f5f8b" }, realName: ministry.name, cursor: null });
    const seen = await presenceOf(b, a.doc.clientID, (s) => s !== undefined);
    expect(userName(seen)).toBe("group:government");
    expect(JSON.stringify(seen)).not.toContain(ministry.name);
    expect(seen).toEqual({ user: { name: "group:government", color: "#1f5f8b" }, cursor: null });

    // Nothing else in the presence can carry the name either: not the colour, not the caret.
    a.provider.awareness.setLocalState({
      user: { name: ministry.name, color: ministry.name },
      cursor: { anchor: { tname: ministry.name, item: { client: 1, clock: 2 }, assoc: 0, note: ministry.name }, head: ministry.name },
    });
    const caret = await presenceOf(b, a.doc.clientID, (s) => !!s?.cursor);
    expect(JSON.stringify(caret)).not.toContain(ministry.name);
    expect(caret).toEqual({
      user: { name: "group:government" },
      cursor: { anchor: { type: null, tname: null, item: { client: 1, clock: 2 }, assoc: 0 }, head: null },
    });
  });

  it("show names in presence inside the running room under Chatham House, and only the group once the rooms close", async () => {
    const { breakout, notesId, ministry, ngo } = await runningRooms("chatham_house");
    const a = await open(ministry, notesId);
    const b = await open(ngo, notesId);
    a.provider.awareness.setLocalState({ user: { name: ministry.name, color: "#1f5f8b" } });
    await presenceOf(b, a.doc.clientID, (s) => userName(s) === ministry.name);

    closeRooms(breakout, notesId);
    // The named presence is taken away; what the person announces next carries their group.
    await presenceOf(b, a.doc.clientID, (s) => s === undefined);
    a.provider.awareness.setLocalState({ user: { name: ministry.name, color: "#1f5f8b" }, cursor: null });
    const after = await presenceOf(b, a.doc.clientID, (s) => s !== undefined);
    expect(userName(after)).toBe("group:government");
  });

  it("never appear among documents, have no document pages, versions or publishing", async () => {
    const { notesId, ministry } = await runningRooms("on_record");
    for (const cookie of [await signInAs(server, ministry.email, ministry.password), await signInAs(server, SECRETARIAT)]) {
      const list = await get(server, "/documents", cookie);
      expect(list.status).toBe(200);
      expect(await list.text()).not.toContain(`/documents/${notesId}"`);
      for (const path of [`/documents/${notesId}`, `/documents/${notesId}/versions`, `/documents/${notesId}/v/1`]) {
        expect((await get(server, path, cookie)).status).toBe(404);
      }
    }
    expect(createVersion(server.db, actorOf(server.db, SECRETARIAT), notesId, "A version", meta)).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(createVersion(server.db, actorOf(server.db, ministry.id), notesId, "A version", meta)).toEqual({
      ok: false,
      reason: "not_found",
    });
  });
});
