/**
 * The live connection against hostile or broken clients: updates Yjs refuses part-way or that leave changes
 * waiting, nodes the document schema does not know, presence floods and squatting, requests without an answer,
 * `__proto__` payloads, and sessions that expire while a socket is open.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { markdownToState } from "../../app/models/document-content.server";
import { appendDocumentUpdate, loadDocumentState } from "../../app/models/document-store.server";
import { publishDocument } from "../../app/models/documents.server";
import { actorFor } from "../../app/models/people.server";
import { MAX_PRESENCE_IDS_PER_SOCKET, PRESENCE_RATE, type Ack } from "../../app/realtime/protocol";
import { createConvene, type Convene } from "../../server/app";
import { parseEnv } from "../../server/env";
import { groupWithDocument, openDocument, saved, until, type DocClient } from "../support/documents";
import { connectSocket, get, onceConnected, personId, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const clients: DocClient[] = [];

beforeAll(async () => {
  server = await startServer({ DOC_UNLOAD_MS: "30" });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

const team = { "ngo@convene.example": "editor", "police@convene.example": "editor", "government@convene.example": "reader" } as const;

async function open(who: string, documentId: number): Promise<DocClient> {
  const client = await openDocument(server, who, documentId);
  clients.push(client);
  return client;
}

function nameOf(email: string): string {
  return (server.db.$client.prepare("SELECT name FROM users WHERE email = ?").get(email) as { name: string }).name;
}

function updateMessage(update: Uint8Array): Buffer {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return Buffer.from(encoding.toUint8Array(encoder));
}

/** A presence message announcing the given client ids, each with this name. */
function presenceMessage(clientIds: number[], name: string, clock = 1): Buffer {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, clientIds.length);
  for (const id of clientIds) {
    encoding.writeVarUint(update, id);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify({ user: { name, color: "#1f6feb" } }));
  }
  const message = encoding.createEncoder();
  encoding.writeVarUint(message, 1);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return Buffer.from(encoding.toUint8Array(message));
}

/** Sends `doc:message` with these arguments and an acknowledgement; an answer that never comes fails after 5 s. */
function sendRaw(client: DocClient, ...args: unknown[]): Promise<Ack> {
  return new Promise((resolve, reject) =>
    client.socket
      .timeout(5000)
      .emit("doc:message", ...args, (error: Error | null, answer: Ack) => (error ? reject(error) : resolve(answer))),
  );
}

/**
 * A Yjs (v1) update written by hand: a paragraph in the text, an XmlText whose parent is the item at
 * `textParentClock` (0 is the paragraph), and a text run inside it.
 */
function handWrittenUpdate(client: number, textParentClock: number, text = "Hand written text"): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 3); // three structs
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0); // first clock
  // clock 0: ContentType (7) XmlElement (3) "paragraph" in the root "default"
  encoding.writeUint8(e, 7);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, "default");
  encoding.writeVarUint(e, 3);
  encoding.writeVarString(e, "paragraph");
  // clock 1: ContentType (7) XmlText (6) inside the item at textParentClock
  encoding.writeUint8(e, 7);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, textParentClock);
  encoding.writeVarUint(e, 6);
  // clock 2…: ContentString (4) inside the XmlText
  encoding.writeUint8(e, 4);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 1);
  encoding.writeVarString(e, text);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

/** The server's text as a restarted server would load it from storage. */
function storedFragment(documentId: number): string {
  const { doc } = loadDocumentState(server.db, documentId);
  const text = doc.getXmlFragment("default").toString();
  const pending = doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
  doc.destroy();
  return pending ? `${text} (with changes left pending)` : text;
}

/** Collects every document change (sync update) a client's socket receives from now on. */
function recordChanges(client: DocClient): Uint8Array[] {
  const seen: Uint8Array[] = [];
  client.socket.on("doc:message", (_id: number, data: ArrayBuffer | Uint8Array) => {
    const bytes = new Uint8Array(data);
    if (bytes[0] === 0 && bytes[1] === 2) seen.push(bytes);
  });
  return seen;
}

describe("document changes that must be refused without touching anything", () => {
  it("an update Yjs rejects part-way (an XmlText whose parent clock moved from 0 to 8) changes nothing, anywhere", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const peer = await open("police@convene.example", documentId);
    const received = recordChanges(peer);

    // The well-formed version of the update is accepted: the hand-written encoding is right.
    expect(await sendRaw(writer, documentId, updateMessage(handWrittenUpdate(777_001, 0, "Agreed text")))).toEqual({ ok: true });
    await until(peer, () => peer.doc.getXmlFragment("default").toString().includes("Agreed text"));
    const before = storedFragment(documentId);
    expect(before).toBe("<paragraph>Agreed text</paragraph>");
    received.length = 0;

    const broken = handWrittenUpdate(777_002, 8);
    const answer = await sendRaw(writer, documentId, updateMessage(broken));
    expect(answer).toMatchObject({ ok: false, error: "malformed_update" });

    // The next change reaches the peer first: the refused one was never relayed.
    writer.doc.getText("t").insert(0, "after");
    await saved(writer);
    await until(peer, () => peer.doc.getText("t").toString() === "after");
    expect(received).toHaveLength(1);
    expect(peer.doc.getXmlFragment("default").toString()).toBe(before);

    // Storage and a fresh client (loaded from the live document) hold what they held before.
    expect(storedFragment(documentId)).toBe(before);
    const fresh = await open("government@convene.example", documentId);
    expect(fresh.doc.getXmlFragment("default").toString()).toBe(before);
    expect(fresh.doc.store.pendingStructs).toBeNull();
  });

  it("a server restarted after a refused update serves the document as before", async () => {
    const own = await startServer();
    const databasePath = own.db.$client.name;
    let restarted: Convene | null = null;
    try {
      const { documentId } = groupWithDocument(own, team);
      const writer = await openDocument(own, "ngo@convene.example", documentId);
      expect(await sendRaw(writer, documentId, updateMessage(handWrittenUpdate(777_003, 0, "Agreed text")))).toEqual({ ok: true });
      expect(await sendRaw(writer, documentId, updateMessage(handWrittenUpdate(777_004, 8)))).toMatchObject({ error: "malformed_update" });
      writer.close();
      await own.convene.close();

      const env = {
        NODE_ENV: "production",
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_PATH: databasePath,
        DEMO_MODE: "true",
        LOG_LEVEL: "silent",
      };
      restarted = await createConvene(parseEnv(env), () => {});
      const { port } = await restarted.listen();
      const again: TestServer = { ...own, convene: restarted, url: `http://127.0.0.1:${port}`, db: restarted.services.db };
      const fresh = await openDocument(again, "government@convene.example", documentId);
      expect(fresh.doc.getXmlFragment("default").toString()).toBe("<paragraph>Agreed text</paragraph>");
      fresh.close();
    } finally {
      await restarted?.close();
      rmSync(dirname(databasePath), { recursive: true, force: true });
    }
  });

  it("an update that leaves changes waiting for others its sender never sent is refused", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const peer = await open("police@convene.example", documentId);
    const received = recordChanges(peer);

    // A text run inside an item of client 424242 that nobody sent.
    const source = new Y.Doc();
    source.clientID = 424_242;
    const paragraph = new Y.XmlElement("paragraph");
    source.getXmlFragment("default").insert(0, [paragraph]);
    const first = Y.encodeStateAsUpdate(source);
    paragraph.insert(0, [new Y.XmlText("orphan")]);
    const second = Y.encodeStateAsUpdate(source, Y.encodeStateVectorFromUpdate(first));

    expect(await sendRaw(writer, documentId, updateMessage(second))).toMatchObject({ ok: false, error: "malformed_update" });
    // A deletion of something the document does not have waits too.
    const deletion = encoding.createEncoder();
    encoding.writeVarUint(deletion, 0); // no structs
    encoding.writeVarUint(deletion, 1); // delete set: one client
    encoding.writeVarUint(deletion, 515_151);
    encoding.writeVarUint(deletion, 1);
    encoding.writeVarUint(deletion, 0);
    encoding.writeVarUint(deletion, 3);
    expect(await sendRaw(writer, documentId, updateMessage(encoding.toUint8Array(deletion)))).toMatchObject({
      ok: false,
      error: "malformed_update",
    });

    writer.doc.getText("t").insert(0, "fine");
    await saved(writer);
    await until(peer, () => peer.doc.getText("t").toString() === "fine");
    expect(received).toHaveLength(1);
    expect(storedFragment(documentId)).toBe("");
    const fresh = await open("government@convene.example", documentId);
    expect(fresh.doc.store.pendingStructs).toBeNull();
    expect(fresh.doc.store.pendingDs).toBeNull();
    expect(fresh.doc.getText("t").toString()).toBe("fine");
  });

  it("refuses nodes, marks and attributes the document schema does not know", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const peer = await open("police@convene.example", documentId);
    const received = recordChanges(peer);

    const attempt = async (build: (fragment: Y.XmlFragment) => void) => {
      const doc = new Y.Doc();
      build(doc.getXmlFragment("default"));
      return sendRaw(writer, documentId, updateMessage(Y.encodeStateAsUpdate(doc)));
    };
    expect(await attempt((f) => f.insert(0, [new Y.XmlElement("script")]))).toMatchObject({ ok: false, error: "schema_violation" });
    expect(
      await attempt((f) => {
        const image = new Y.XmlElement("image");
        image.setAttribute("src", "https://evil.example/x.png");
        f.insert(0, [image]);
      }),
    ).toMatchObject({ ok: false, error: "schema_violation" });
    expect(
      await attempt((f) => {
        const p = new Y.XmlElement("paragraph");
        const text = new Y.XmlText();
        p.insert(0, [text]);
        f.insert(0, [p]);
        text.insert(0, "blinking", { blink: true });
      }),
    ).toMatchObject({ ok: false, error: "schema_violation" });
    expect(
      await attempt((f) => {
        const p = new Y.XmlElement("paragraph");
        p.setAttribute("onclick", "alert(1)");
        f.insert(0, [p]);
      }),
    ).toMatchObject({ ok: false, error: "schema_violation" });

    // What the editor writes is accepted: a heading, a bold run, a link.
    expect(
      await attempt((f) => {
        const heading = new Y.XmlElement("heading");
        heading.setAttribute("level", 2 as unknown as string);
        const text = new Y.XmlText();
        heading.insert(0, [text]);
        f.insert(0, [heading]);
        text.insert(0, "Known", { bold: true });
        text.insert(5, " link", { link: { href: "https://example.org" } });
      }),
    ).toEqual({ ok: true });
    await until(peer, () => peer.doc.getXmlFragment("default").length === 1);
    expect(received).toHaveLength(1);
    expect(storedFragment(documentId)).toBe('<heading level="2"><bold>Known</bold><link href="https://example.org"> link</link></heading>');
  });
});

describe("what the editor writes", () => {
  it("passes the schema checks: every node, mark and attribute of the editor's schema", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const markdown = [
      "## Heading two",
      "### Heading three",
      "A paragraph with **bold**, *italic*, ~~struck~~, `code`, <u>underlined</u> and a [link](https://example.org).",
      "> A quotation.",
      "- a bullet\n- another",
      "3. third\n4. fourth",
      "```ts\nconst x = 1;\n```",
      "---",
      "| Who | What |\n| --- | --- |\n| Hotlines | Hashes |",
    ].join("\n\n");
    const update = markdownToState(markdown);
    expect(await sendRaw(writer, documentId, updateMessage(update))).toEqual({ ok: true });
    const stored = storedFragment(documentId);
    for (const node of ["heading", "blockquote", "bulletList", "orderedList", "codeBlock", "horizontalRule", "table", "tableHeader"]) {
      expect(stored).toContain(`<${node.toLowerCase()}`); // Yjs writes element names in lower case
    }
  });
});

describe("stored versions with content the schema does not know", () => {
  it("render without it, as a page, as Markdown and in a comparison", async () => {
    const { documentId } = groupWithDocument(server, team, "public");
    // Written straight to storage, as updates were accepted before they were checked.
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment("default");
    const kept = new Y.XmlElement("paragraph");
    const script = new Y.XmlElement("script");
    const image = new Y.XmlElement("image");
    image.setAttribute("src", "https://evil.example/x.png");
    const marked = new Y.XmlElement("paragraph");
    marked.setAttribute("onclick", "alert(2)");
    fragment.insert(0, [kept, script, image, marked]);
    kept.insert(0, [new Y.XmlText("Kept text.")]);
    script.insert(0, [new Y.XmlText("alert(1)")]);
    const runs = new Y.XmlText();
    marked.insert(0, [runs]);
    runs.insert(0, "Bold and blinking.", { bold: true, blink: true });
    appendDocumentUpdate(server.db, documentId, Y.encodeStateAsUpdate(doc), null);

    const secretariat = actorFor(server.db, personId(server, "secretariat@convene.example"))!;
    const published = publishDocument(
      server.db,
      secretariat,
      documentId,
      { visibility: "public", name: (n) => `v${n}` },
      {
        ipAddress: "127.0.0.1",
        userAgent: "test",
      },
    );
    expect(published.ok).toBe(true);
    const cookie = await signInAs(server, "secretariat@convene.example");

    const page = await get(server, `/documents/${documentId}/v/1`, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Kept text.");
    expect(html).toContain("<strong>Bold and blinking.</strong>");
    expect(html).not.toContain("alert(");
    expect(html).not.toContain("evil.example");

    const markdown = await get(server, `/documents/${documentId}/v/1.md`, cookie);
    expect(markdown.status).toBe(200);
    const text = await markdown.text();
    expect(text).toContain("Kept text.");
    expect(text).not.toContain("alert(");

    const versionId = (
      server.db.$client.prepare("SELECT id FROM document_versions WHERE document_id = ? AND published_number = 1").get(documentId) as {
        id: number;
      }
    ).id;
    const comparison = await get(server, `/documents/${documentId}/versions?compare=${versionId}`, cookie);
    expect(comparison.status).toBe(200);
  });
});

describe("presence", () => {
  it("limits the client ids one socket may announce and how often", async () => {
    const { documentId } = groupWithDocument(server, team);
    const observer = await open("government@convene.example", documentId);
    const name = nameOf("government@convene.example");

    const ids = Array.from({ length: MAX_PRESENCE_IDS_PER_SOCKET + 1 }, (_, i) => 900_000 + i);
    expect(await sendRaw(observer, documentId, presenceMessage(ids, name))).toMatchObject({ ok: false, error: "forbidden" });
    expect(await sendRaw(observer, documentId, presenceMessage(ids.slice(0, MAX_PRESENCE_IDS_PER_SOCKET), name))).toEqual({ ok: true });
    expect(await sendRaw(observer, documentId, presenceMessage([ids.at(-1)!], name, 2))).toMatchObject({ ok: false, error: "forbidden" });

    // Announcing the same ids again and again runs out of the allowance.
    const answers = await Promise.all(
      Array.from({ length: PRESENCE_RATE.burst + 20 }, (_, i) => sendRaw(observer, documentId, presenceMessage([ids[0]!], name, 3 + i))),
    );
    expect(answers.some((a) => !a.ok && a.error === "rate_limited")).toBe(true);
  });

  it("an id someone has written changes with is theirs: nobody else may announce it, they still may", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const squatter = await open("police@convene.example", documentId);
    writer.doc.getText("t").insert(0, "First edit");
    await saved(writer);

    const id = writer.doc.clientID;
    expect(await sendRaw(squatter, documentId, presenceMessage([id], nameOf("police@convene.example")))).toMatchObject({
      ok: false,
      error: "forbidden",
    });
    expect(await sendRaw(writer, documentId, presenceMessage([id], nameOf("ngo@convene.example"), 5))).toEqual({ ok: true });
  });

  it("an id announced by someone else first is handed to the person who then writes with it", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    const squatter = await open("police@convene.example", documentId);
    const id = writer.doc.clientID;
    expect(await sendRaw(squatter, documentId, presenceMessage([id], nameOf("police@convene.example")))).toEqual({ ok: true });
    writer.doc.getText("t").insert(0, "Mine");
    await saved(writer);
    expect(await sendRaw(writer, documentId, presenceMessage([id], nameOf("ngo@convene.example"), 5))).toEqual({ ok: true });
    expect(await sendRaw(squatter, documentId, presenceMessage([id], nameOf("police@convene.example"), 6))).toMatchObject({
      ok: false,
      error: "forbidden",
    });
  });
});

describe("every request with an acknowledgement gets an answer", () => {
  it("doc:message with no arguments, one, or one too many", async () => {
    const { documentId } = groupWithDocument(server, team);
    const client = await open("ngo@convene.example", documentId);
    expect(await sendRaw(client)).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await sendRaw(client, documentId)).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await sendRaw(client, documentId, presenceMessage([], "x"), "extra")).toMatchObject({ ok: false, error: "invalid_payload" });
    const extra = await client.socket.timeout(5000).emitWithAck("doc:join", { documentId }, "extra");
    expect(extra).toMatchObject({ ok: false, error: "invalid_payload" });
  });

  it("refuses __proto__, constructor and prototype keys in a payload", async () => {
    const cookie = await signInAs(server, "ngo@convene.example");
    const socket = connectSocket(server, cookie);
    await onceConnected(socket);
    try {
      for (const raw of ['{"__proto__":{"documentId":1}}', '{"documentId":1,"constructor":{"x":1}}', '{"eventId":1,"prototype":1}']) {
        const event = raw.includes("eventId") ? "event:join" : "doc:join";
        const answer = (await socket.timeout(5000).emitWithAck(event, JSON.parse(raw))) as Ack;
        expect(answer).toMatchObject({ ok: false, error: "invalid_payload" });
      }
    } finally {
      socket.close();
    }
  });
});

describe("sessions that expire from inactivity", () => {
  it("close their live connections when they expire, without waiting for a request", async () => {
    // About 2.6 seconds of allowed inactivity.
    const short = await startServer({ SESSION_IDLE_DAYS: "0.00003" });
    try {
      const cookie = await signInAs(short, "ngo@convene.example");
      const socket = connectSocket(short, cookie);
      const ended = new Promise<{ reason: string }>((resolve) => socket.on("session:ended", resolve));
      const disconnected = new Promise<string>((resolve) => socket.on("disconnect", resolve));
      await onceConnected(socket);
      expect(await ended).toEqual({ reason: "expired" });
      expect(await disconnected).toBe("io server disconnect");
      const row = short.db.$client.prepare("SELECT count(*) AS n FROM sessions WHERE id = ?").get(cookie.split("=")[1]!.split(".")[0]);
      expect(row).toEqual({ n: 0 });
    } finally {
      await short.close();
    }
  });
});
