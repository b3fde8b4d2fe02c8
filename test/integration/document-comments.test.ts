/**
 * Comments on documents over real sockets: who may comment, resolve and delete; comments never reach published
 * versions; breakout notes' comments follow the session's attribution rule; new comments reach other open readers
 * at once, and stop reaching someone who lost access; bad input is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import type { AttributionRule } from "../../app/domain/vocabulary";
import { ensureRoomNotes } from "../../app/models/breakout-notes.server";
import { announce } from "../../app/models/domain-events.server";
import { publishDocument } from "../../app/models/documents.server";
import { removeMember } from "../../app/models/working-groups.server";
import type { Ack, CommentsListResult } from "../../app/realtime/protocol";
import { makeBreakout, placeInRoom } from "../support/breakouts";
import { openDocument, type DocClient } from "../support/documents";
import { SECRETARIAT, actorOf, makeEvent, makeGroupWithDocument, makePerson, type Person } from "../support/factories";
import { connectSocket, get, onceConnected, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const sockets: Socket[] = [];
const clients: DocClient[] = [];
const meta = { ipAddress: null, userAgent: "test" };
const anchor = { start: { tname: "default", assoc: 0 }, end: { tname: "default", assoc: -1 } };

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.close();
  await server.close();
});

async function connect(person: Person | string): Promise<Socket> {
  const cookie = typeof person === "string" ? await signInAs(server, person) : await signInAs(server, person.email, person.password);
  const socket = connectSocket(server, cookie);
  sockets.push(socket);
  await onceConnected(socket);
  return socket;
}

function ask<T extends object = object>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}

const list = (socket: Socket, documentId: number) => ask<CommentsListResult>(socket, "comments:list", { documentId });
const add = (socket: Socket, documentId: number, body: string) =>
  ask<{ commentId: number }>(socket, "comments:add", { documentId, body, quote: "the passage", anchor });

/** A group document with one person of each kind: its lead, an editor, a reader, an observer reader and an outsider. */
async function cast() {
  const { db } = server;
  const lead = await makePerson(db, { organisation: "Children First Alliance (demo)" });
  const editor = await makePerson(db, { organisation: "Federal Cybercrime Unit (demo)" });
  const reader = await makePerson(db, { organisation: "Ministry of Digital Affairs (demo)" });
  const observer = await makePerson(db, { role: "observer" });
  const outsider = await makePerson(db, { organisation: "Streamwave Platforms (demo)" });
  const doc = makeGroupWithDocument(db, {
    lead: lead.id,
    members: [
      [editor.id, "editor"],
      [reader.id, "reader"],
      [observer.id, "reader"],
    ],
  });
  return { ...doc, lead, editor, reader, observer, outsider };
}

describe("comments on documents", () => {
  it("everyone who may read the draft comments and replies; the author, editors, the lead and the secretariat resolve; only the author deletes", async () => {
    const c = await cast();
    const expected: [string, Person | string, { read: boolean; resolveOthers: boolean }][] = [
      ["the lead", c.lead, { read: true, resolveOthers: true }],
      ["an editor", c.editor, { read: true, resolveOthers: true }],
      ["a reader", c.reader, { read: true, resolveOthers: false }],
      ["an observer reader", c.observer, { read: true, resolveOthers: false }],
      ["the secretariat", SECRETARIAT, { read: true, resolveOthers: true }],
      ["an outsider", c.outsider, { read: false, resolveOthers: false }],
    ];
    // A comment by the reader that the others try to resolve.
    const readerSocket = await connect(c.reader);
    const theirs = await add(readerSocket, c.documentId, "Whose data is this?");
    expect(theirs).toMatchObject({ ok: true });
    const theirId = (theirs as { commentId: number }).commentId;

    for (const [who, person, want] of expected) {
      const socket = person === c.reader ? readerSocket : await connect(person);
      const listed = await list(socket, c.documentId);
      const added = await add(socket, c.documentId, `A comment by ${who}`);
      if (!want.read) {
        expect(listed, who).toMatchObject({ ok: false, error: "not_found" });
        expect(added, who).toMatchObject({ ok: false, error: "not_found" });
        expect(await ask(socket, "comments:reply", { commentId: theirId, body: "Me too" }), who).toMatchObject({ ok: false });
        expect(await ask(socket, "comments:resolve", { commentId: theirId, resolved: true }), who).toMatchObject({ ok: false });
        continue;
      }
      expect(listed, who).toMatchObject({ ok: true, canComment: true });
      expect(added, who).toMatchObject({ ok: true });
      const ownId = (added as { commentId: number }).commentId;
      expect(await ask(socket, "comments:reply", { commentId: theirId, body: `A reply by ${who}` }), who).toMatchObject({ ok: true });
      // Everyone resolves and reopens their own comment.
      expect(await ask(socket, "comments:resolve", { commentId: ownId, resolved: true }), who).toMatchObject({ ok: true });
      expect(await ask(socket, "comments:resolve", { commentId: ownId, resolved: false }), who).toMatchObject({ ok: true });
      if (person !== c.reader) {
        const other = await ask(socket, "comments:resolve", { commentId: theirId, resolved: true });
        expect(other, who).toMatchObject(want.resolveOthers ? { ok: true } : { ok: false, error: "forbidden" });
        if (want.resolveOthers) await ask(socket, "comments:resolve", { commentId: theirId, resolved: false });
        expect(await ask(socket, "comments:delete", { commentId: theirId }), who).toMatchObject({ ok: false, error: "forbidden" });
      }
      expect(await ask(socket, "comments:delete", { commentId: ownId }), who).toMatchObject({ ok: true });
    }

    const final = (await list(readerSocket, c.documentId)) as CommentsListResult & { ok: true };
    expect(final.threads.map((t) => t.body)).toEqual(["Whose data is this?"]);
    expect(final.threads[0]!.replies).toHaveLength(5);
    const audited = server.db.$client
      .prepare(
        "SELECT action, count(*) AS n FROM audit_log WHERE target_type = 'document' AND target_id = ? AND action LIKE 'document.comment%' GROUP BY action",
      )
      .all(String(c.documentId)) as { action: string; n: number }[];
    expect(Object.fromEntries(audited.map((a) => [a.action, a.n]))).toMatchObject({
      "document.comment": 6,
      "document.comment.reply": 5,
      "document.comment.delete": 5,
    });
  });

  it("keeps comments out of published versions and their Markdown", async () => {
    const c = await cast();
    const socket = await connect(c.reader);
    expect(await add(socket, c.documentId, "Confidential remark about the draft")).toMatchObject({ ok: true });
    const published = publishDocument(
      server.db,
      actorOf(server.db, c.lead.id),
      c.documentId,
      { visibility: "public", name: () => "v1" },
      meta,
    );
    expect(published).toMatchObject({ ok: true, number: 1 });
    const page = await get(server, `/documents/${c.documentId}/v/1`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("Confidential remark");
    const markdown = await get(server, `/documents/${c.documentId}/v/1.md`);
    expect(await markdown.text()).not.toContain("Confidential remark");
  });

  it("reaches every open reader at once, and stops reaching a reader who lost access", async () => {
    const c = await cast();
    const writer = await connect(c.editor);
    const readerCookie = await signInAs(server, c.reader.email, c.reader.password);
    const reading = await openDocument(server, { cookie: readerCookie }, c.documentId);
    clients.push(reading);
    const pushed = new Promise<{ documentId: number }>((resolve) => reading.socket.once("doc:comments", resolve));
    await add(writer, c.documentId, "Seen live");
    expect(await pushed).toEqual({ documentId: c.documentId });
    const seen = (await ask<CommentsListResult>(reading.socket, "comments:list", { documentId: c.documentId })) as CommentsListResult & {
      ok: true;
    };
    expect(seen.threads.map((t) => [t.body, t.author])).toEqual([["Seen live", c.editor.name]]);

    // The reader leaves the group: their open copy closes, and later comments no longer reach them.
    const closed = new Promise((resolve) => reading.socket.once("doc:access", resolve));
    expect(removeMember(server.db, actorOf(server.db, SECRETARIAT), c.groupId, c.reader.id, meta)).toMatchObject({ ok: true });
    expect(await closed).toMatchObject({ documentId: c.documentId, closed: "access_removed" });
    let late = 0;
    reading.socket.on("doc:comments", () => late++);
    const editorCopy = await openDocument(server, { cookie: await signInAs(server, c.lead.email, c.lead.password) }, c.documentId);
    clients.push(editorCopy);
    const leadHears = new Promise((resolve) => editorCopy.socket.once("doc:comments", resolve));
    await add(writer, c.documentId, "After the reader left");
    await leadHears;
    expect(late).toBe(0);
    expect(await ask(reading.socket, "comments:list", { documentId: c.documentId })).toMatchObject({ ok: false, error: "not_found" });
  });

  it("refuses bad input and stores nothing", async () => {
    const c = await cast();
    const socket = await connect(c.editor);
    const count = () =>
      (server.db.$client.prepare("SELECT count(*) AS n FROM document_comments WHERE document_id = ?").get(c.documentId) as { n: number }).n;
    const bad: unknown[] = [
      { documentId: c.documentId, body: "   ", quote: "q", anchor },
      { documentId: c.documentId, body: "x".repeat(2001), quote: "q", anchor },
      { documentId: c.documentId, body: "ok", quote: "", anchor },
      { documentId: c.documentId, body: "ok", quote: "q".repeat(501), anchor },
      { documentId: c.documentId, body: "ok", quote: "q", anchor: { start: { item: "<script>" }, end: {} } },
      { documentId: c.documentId, body: "ok", quote: "q", anchor, extra: true },
      { documentId: -1, body: "ok", quote: "q", anchor },
    ];
    for (const payload of bad) expect(await ask(socket, "comments:add", payload)).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await ask(socket, "comments:add", { documentId: c.documentId, body: "", quote: "q", anchor })).toMatchObject({
      message: expect.stringContaining("comments.errors.bodyRequired"),
    });
    expect(await ask(socket, "comments:reply", { commentId: 999999, body: "ok" })).toMatchObject({ ok: false, error: "not_found" });
    expect(await ask(socket, "comments:resolve", { commentId: 1, resolved: "yes" })).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(count()).toBe(0);
  });
});

describe("comments on a breakout room's notes", () => {
  async function notes(attribution: AttributionRule) {
    const { db } = server;
    const breakout = makeBreakout(db, makeEvent(db), { attribution });
    const room = breakout.rooms[0]!.id;
    const ministry = await makePerson(db, { organisation: "Ministry of Digital Affairs (demo)" });
    const ngo = await makePerson(db, { organisation: "Children First Alliance (demo)" });
    placeInRoom(db, breakout, room, ministry.id, ngo.id);
    const notesId = db.transaction((tx) => ensureRoomNotes(tx, room));
    db.$client.prepare("UPDATE breakouts SET status = 'open', opened_at = ? WHERE session_id = ?").run(Date.now(), breakout.sessionId);
    const close = () => {
      db.$client.prepare("UPDATE breakouts SET status = 'closed', closed_at = ? WHERE session_id = ?").run(Date.now(), breakout.sessionId);
      announce(db, [{ type: "document.accessChanged", documentId: notesId }]);
    };
    return { notesId, ministry, ngo, close };
  }

  const authors = async (socket: Socket, documentId: number) =>
    ((await list(socket, documentId)) as CommentsListResult & { ok: true }).threads.map((t) => t.author);

  it("on the record: names", async () => {
    const n = await notes("on_record");
    const a = await connect(n.ministry);
    expect(await add(a, n.notesId, "A point")).toMatchObject({ ok: true });
    expect(await authors(await connect(n.ngo), n.notesId)).toEqual([n.ministry.name]);
  });

  it("Chatham House: names inside the running room, the stakeholder group once the rooms close", async () => {
    const n = await notes("chatham_house");
    const a = await connect(n.ministry);
    expect(await add(a, n.notesId, "A point")).toMatchObject({ ok: true });
    const b = await connect(n.ngo);
    expect(await authors(b, n.notesId)).toEqual([n.ministry.name]);
    n.close();
    expect(await authors(b, n.notesId)).toEqual(["group:government"]);
  });

  it("stakeholder group only: never a name, inside the room too", async () => {
    const n = await notes("group_only");
    const a = await connect(n.ministry);
    expect(await add(a, n.notesId, "A point")).toMatchObject({ ok: true });
    const b = await connect(n.ngo);
    const seen = await authors(b, n.notesId);
    expect(seen).toEqual(["group:government"]);
    const raw = JSON.stringify(await list(b, n.notesId));
    expect(raw).not.toContain(n.ministry.name);
  });
});
