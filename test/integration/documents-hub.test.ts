import { actorFor } from "../../app/models/people.server";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { loadDocumentState } from "../../app/models/document-store.server";
import { removeMember } from "../../app/models/working-groups.server";
import type { Ack } from "../../app/realtime/protocol";
import { groupWithDocument, openDocument, saved, until, type DocClient } from "../support/documents";
import { connectSocket, onceConnected, personId, signInAs, startServer, type TestServer } from "../support/server";

let server: TestServer;
const clients: DocClient[] = [];

beforeAll(async () => {
  server = await startServer({ DOC_COMPACT_UPDATES: "20", DOC_UNLOAD_MS: "30" });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

async function open(who: string | { cookie: string }, documentId: number, transports?: ("websocket" | "polling")[]): Promise<DocClient> {
  const client = await openDocument(server, who, documentId, new Y.Doc(), transports);
  clients.push(client);
  return client;
}

function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

function sendRaw(client: DocClient, documentId: number, message: unknown): Promise<Ack> {
  return new Promise((resolve) => client.socket.emit("doc:message", documentId, message, resolve));
}

/** What SQLite holds for the document, read the way the server loads it. */
function storedText(documentId: number): string {
  const { doc } = loadDocumentState(server.db, documentId);
  return doc.getText("t").toString();
}

const team = { "ngo@convene.example": "editor", "police@convene.example": "editor", "government@convene.example": "reader" } as const;

describe("documents hub: editing together", () => {
  it("two editors converge, and a third person joining late gets the whole text", async () => {
    const { documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);
    const b = await open("police@convene.example", documentId);
    expect(a.provider.state.readOnly).toBe(false);

    a.doc.getText("t").insert(0, "Hotlines share hashes. ");
    b.doc.getText("t").insert(0, "Platforms report quickly. ");
    await Promise.all([until(a, () => a.text().length === 49), until(b, () => b.text().length === 49)]);
    expect(a.text()).toBe(b.text());
    await Promise.all([saved(a), saved(b)]);

    const late = await open("government@convene.example", documentId);
    expect(late.text()).toBe(a.text());
    expect(late.provider.state.readOnly).toBe(true);
    expect(storedText(documentId)).toBe(a.text());
  });

  it("gives everyone who opens the document its whole current text, also when several open it at once", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    writer.doc.getText("t").insert(0, "First paragraph. ");
    await saved(writer);
    const together = await Promise.all([open("police@convene.example", documentId), open("government@convene.example", documentId)]);
    expect(together.map((c) => c.text())).toEqual(["First paragraph. ", "First paragraph. "]);

    writer.doc.getText("t").insert(17, "Second paragraph.");
    await saved(writer);
    // The whole state sent to the first two must not be sent again once the text has changed.
    const afterChange = await open("police@convene.example", documentId);
    expect(afterChange.text()).toBe("First paragraph. Second paragraph.");
  });

  it("relays changes alike to people on WebSocket and on long-polling (a network that blocks WebSocket)", async () => {
    const { documentId } = groupWithDocument(server, team);
    const onSocket = await open("ngo@convene.example", documentId);
    const onPolling = await open("police@convene.example", documentId, ["polling"]);
    const reader = await open("government@convene.example", documentId);
    expect(onPolling.socket.io.engine.transport.name).toBe("polling");

    onSocket.doc.getText("t").insert(0, "Sent over WebSocket. ");
    await Promise.all([
      until(onPolling, () => onPolling.text() === "Sent over WebSocket. "),
      until(reader, () => reader.text() === "Sent over WebSocket. "),
    ]);
    onPolling.doc.getText("t").insert(onPolling.text().length, "Sent over polling.");
    const expected = "Sent over WebSocket. Sent over polling.";
    await Promise.all([until(onSocket, () => onSocket.text() === expected), until(reader, () => reader.text() === expected)]);
    await Promise.all([saved(onSocket), saved(onPolling)]);
    expect(storedText(documentId)).toBe(expected);
  });

  it("shows who is present, and forgets them when they leave", async () => {
    const { documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);
    const b = await open("police@convene.example", documentId);
    // Presence carries the person's own name: a made-up one is refused.
    const spoof = new awarenessProtocol.Awareness(new Y.Doc());
    spoof.setLocalState({ user: { name: "Sam Okafor", color: "#000" } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(spoof, [spoof.clientID]));
    expect(await sendRaw(a, documentId, encoding.toUint8Array(encoder))).toMatchObject({ ok: false, error: "forbidden" });
    spoof.destroy();

    a.provider.awareness.setLocalStateField("user", { name: "Wanjiru Kamau", color: "#1f6feb" });
    await new Promise<void>((resolve) => {
      const check = () => [...b.provider.awareness.getStates().values()].some((s) => s.user?.name === "Wanjiru Kamau") && resolve();
      b.provider.awareness.on("change", check);
      check();
    });
    a.close();
    await new Promise<void>((resolve) => {
      const check = () => ![...b.provider.awareness.getStates().values()].some((s) => s.user?.name === "Wanjiru Kamau") && resolve();
      b.provider.awareness.on("change", check);
      check();
    });
  });
});

describe("documents hub: the first sync", () => {
  /** Joins over a bare socket and collects the document messages that follow the answer. */
  async function joinRaw(email: string, { documentId, stateVector }: { documentId: number; stateVector?: Uint8Array }) {
    // Binary as the provider sends it from Node: a Buffer (the msgpack parser sends a bare Uint8Array as another type).
    const payload = stateVector ? { documentId, stateVector: Buffer.from(stateVector) } : { documentId };
    const socket = connectSocket(server, await signInAs(server, email));
    await onceConnected(socket);
    const messages: Uint8Array[] = [];
    let waiting: (() => void) | null = null;
    socket.on("doc:message", (_id: number, message: Uint8Array) => {
      messages.push(new Uint8Array(message));
      waiting?.();
    });
    /** The first document message after the answer (waits for it). */
    const first = async () => {
      if (!messages.length) await new Promise<void>((resolve) => (waiting = resolve));
      return decoding.createDecoder(messages[0]!);
    };
    const ack = await new Promise<Ack<{ readOnly: boolean; sync?: Uint8Array }>>((resolve) => socket.emit("doc:join", payload, resolve));
    return { socket, ack, first };
  }

  it("answers a join that carries a state vector with the sync step 2, and asks for nothing from a client that has nothing", async () => {
    const { documentId } = groupWithDocument(server, team);
    const writer = await open("ngo@convene.example", documentId);
    writer.doc.getText("t").insert(0, "Opened in one round trip.");
    await saved(writer);

    const fresh = new Y.Doc();
    const {
      socket,
      ack,
      first: firstMessage,
    } = await joinRaw("police@convene.example", { documentId, stateVector: Y.encodeStateVector(fresh) });
    expect(ack).toMatchObject({ ok: true, readOnly: false });
    if (!ack.ok || !ack.sync) throw new Error("no sync step 2 in the answer");
    const decoder = decoding.createDecoder(new Uint8Array(ack.sync));
    expect(decoding.readVarUint(decoder)).toBe(0);
    expect(syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), fresh, null)).toBe(syncProtocol.messageYjsSyncStep2);
    expect(fresh.getText("t").toString()).toBe("Opened in one round trip.");

    // A later change reaches it as usual; no sync step 1 came first, as it has nothing the server lacks.
    writer.doc.getText("t").insert(0, "Live. ");
    const first = await firstMessage();
    expect([decoding.readVarUint(first), decoding.readVarUint(first)]).toEqual([0, syncProtocol.messageYjsUpdate]);
    socket.close();
  });

  it("asks a client that has changes of its own for them, and still serves a join without a state vector as before", async () => {
    const { documentId } = groupWithDocument(server, team);
    const offline = new Y.Doc();
    offline.getText("t").insert(0, "written offline");
    const withState = await joinRaw("ngo@convene.example", { documentId, stateVector: Y.encodeStateVector(offline) });
    expect(withState.ack).toMatchObject({ ok: true });
    const step1 = await withState.first();
    expect([decoding.readVarUint(step1), decoding.readVarUint(step1)]).toEqual([0, syncProtocol.messageYjsSyncStep1]);
    withState.socket.close();

    const without = await joinRaw("police@convene.example", { documentId });
    expect(without.ack).toMatchObject({ ok: true, readOnly: false });
    expect(without.ack.ok && without.ack.sync).toBeFalsy();
    const serverStep1 = await without.first();
    expect([decoding.readVarUint(serverStep1), decoding.readVarUint(serverStep1)]).toEqual([0, syncProtocol.messageYjsSyncStep1]);
    without.socket.close();
  });

  it("refuses a state vector it cannot read, or one too large, and one sent for a document the person may not read", async () => {
    const { documentId } = groupWithDocument(server, team);
    const bad = await joinRaw("ngo@convene.example", { documentId, stateVector: new Uint8Array([5, 255, 255, 255, 255, 255]) });
    expect(bad.ack).toMatchObject({ ok: false, error: "malformed_update" });
    bad.socket.close();
    const large = await joinRaw("ngo@convene.example", { documentId, stateVector: new Uint8Array(4096) });
    expect(large.ack).toMatchObject({ ok: false, error: "invalid_payload" });
    large.socket.close();
    const outsider = await joinRaw("industry@convene.example", { documentId, stateVector: Y.encodeStateVector(new Y.Doc()) });
    expect(outsider.ack).toMatchObject({ ok: false, error: "forbidden" });
    outsider.socket.close();
  });
});

describe("documents hub: who may change what", () => {
  it("drops a read-only person's update: not applied, not relayed, not stored", async () => {
    const { documentId } = groupWithDocument(server, team);
    const editor = await open("ngo@convene.example", documentId);
    const reader = await open("government@convene.example", documentId);
    const observer = await open({ cookie: await signInAs(server, "observer@convene.example") }, documentId).catch((e: Error) => e);
    // An observer who is not a member of a group-only document cannot even open it.
    expect(observer).toBeInstanceOf(Error);

    const forged = new Y.Doc();
    forged.getText("t").insert(0, "FORGED");
    const ack = await sendRaw(reader, documentId, updateMessage(Y.encodeStateAsUpdate(forged)));
    expect(ack).toMatchObject({ ok: false, error: "read_only" });

    // A later change from the editor reaches the reader; the forged one never did, and nothing of it is stored.
    editor.doc.getText("t").insert(0, "Real text");
    await until(reader, () => reader.text().includes("Real text"));
    await saved(editor);
    expect(editor.text()).not.toContain("FORGED");
    expect(storedText(documentId)).toBe("Real text");
    const rows = server.db.$client
      .prepare("SELECT count(*) AS n FROM document_updates WHERE document_id = ? AND user_id = ?")
      .get(documentId, personId(server, "government@convene.example")) as { n: number };
    expect(rows.n).toBe(0);
  });

  it("refuses to open a document to someone outside a group-only document's group", async () => {
    const { documentId } = groupWithDocument(server, team);
    await expect(open("industry@convene.example", documentId)).rejects.toThrow(/forbidden/);
  });

  it("closes the document at once for a person removed from the group", async () => {
    const { groupId, documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);
    const b = await open("police@convene.example", documentId);
    const closed = new Promise<string | undefined>((resolve) =>
      b.provider.on("state", (s) => s.connection === "closed" && resolve(s.closedReason)),
    );
    const secretariat = actorFor(server.db, personId(server, "secretariat@convene.example"))!;
    removeMember(server.db, secretariat, groupId, personId(server, "police@convene.example"), { ipAddress: null, userAgent: null });
    expect(await closed).toBe("access_removed");

    const late = new Y.Doc();
    late.getText("t").insert(0, "after removal");
    expect(await sendRaw(b, documentId, updateMessage(Y.encodeStateAsUpdate(late)))).toMatchObject({ ok: false, error: "not_joined" });
    a.doc.getText("t").insert(0, "still editing");
    await saved(a);
    expect(storedText(documentId)).toBe("still editing");
  });
});

describe("documents hub: bad input", () => {
  it("answers malformed and oversized messages with an error and keeps serving", async () => {
    const { documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);

    expect(await sendRaw(a, documentId, new Uint8Array([0, 2, 40, 1, 2, 3]))).toMatchObject({ ok: false, error: "malformed_update" });
    expect(await sendRaw(a, documentId, new Uint8Array([0, 2, 5, 255, 255, 255, 255, 255]))).toMatchObject({
      ok: false,
      error: "malformed_update",
    });
    expect(await sendRaw(a, documentId, new Uint8Array([9]))).toMatchObject({ ok: false, error: "malformed_update" });
    expect(await sendRaw(a, documentId, "not binary")).toMatchObject({ ok: false, error: "invalid_payload" });
    expect(await sendRaw(a, documentId, new Uint8Array(600 * 1024))).toMatchObject({ ok: false, error: "payload_too_large" });
    expect(await sendRaw(a, 999_999, new Uint8Array([0, 0, 0]))).toMatchObject({ ok: false, error: "not_joined" });

    const bigState = new awarenessProtocol.Awareness(new Y.Doc());
    bigState.setLocalState({ user: { name: "Wanjiru Kamau" }, note: "x".repeat(10_000) });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(bigState, [bigState.clientID]));
    expect(await sendRaw(a, documentId, encoding.toUint8Array(encoder))).toMatchObject({ ok: false, error: "payload_too_large" });
    bigState.destroy();

    a.doc.getText("t").insert(0, "still fine");
    await saved(a);
    const b = await open("police@convene.example", documentId);
    expect(b.text()).toBe("still fine");
  });
});

describe("documents hub: offline, compaction and unloading", () => {
  it("merges an offline person's edits when they come back", async () => {
    const { documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);
    const b = await open("police@convene.example", documentId);
    a.doc.getText("t").insert(0, "Shared start. ");
    await until(b, () => b.text() === "Shared start. ");

    b.socket.disconnect();
    b.doc.getText("t").insert(b.text().length, "Written offline.");
    a.doc.getText("t").insert(0, "Meanwhile online. ");
    await saved(a);
    expect(b.provider.state).toMatchObject({ connection: "offline", unsaved: true });

    b.socket.connect();
    await saved(b);
    await until(a, () => a.text().includes("Written offline."));
    await until(b, () => b.text().includes("Meanwhile online."));
    expect(a.text()).toBe(b.text());
    expect(storedText(documentId)).toBe(a.text());
  });

  it("folds updates into a snapshot without changing the text, and unloads documents nobody has open", async () => {
    const { documentId } = groupWithDocument(server, team);
    const a = await open("ngo@convene.example", documentId);
    for (let i = 0; i < 45; i++) a.doc.getText("t").insert(a.text().length, `${i} `);
    await saved(a);
    const expected = a.text();
    // Compaction runs right after the acknowledgement of the change that reaches the threshold.
    const tail = () =>
      (server.db.$client.prepare("SELECT count(*) AS n FROM document_updates WHERE document_id = ?").get(documentId) as { n: number }).n;
    await expect.poll(tail).toBeLessThan(20);
    expect(
      server.db.$client.prepare("SELECT through_update_id AS through FROM document_snapshots WHERE document_id = ?").get(documentId),
    ).toBeTruthy();
    expect(storedText(documentId)).toBe(expected);

    a.close();
    const hub = server.convene.services.documents;
    await expect.poll(() => hub.isOpen(documentId)).toBe(false);
    expect(server.db.$client.prepare("SELECT count(*) AS n FROM document_updates WHERE document_id = ?").get(documentId)).toEqual({ n: 0 });

    const again = await open("police@convene.example", documentId);
    expect(again.text()).toBe(expected);
  });

  it("serves a plain socket that never joined nothing of the document", async () => {
    const { documentId } = groupWithDocument(server, team);
    const socket = connectSocket(server, await signInAs(server, "ngo@convene.example"));
    await onceConnected(socket);
    const ack = await new Promise<Ack>((resolve) => socket.emit("doc:message", documentId, new Uint8Array([0, 0, 1, 0]), resolve));
    expect(ack).toMatchObject({ ok: false, error: "not_joined" });
    socket.close();
  });
});
