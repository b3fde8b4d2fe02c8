/**
 * Graceful restarts (decision 025): Convene, run as `npm start` runs it (build/runtime/main.js), is sent SIGTERM
 * while a request is being answered and a live editor keeps changing a document. It turns new requests
 * away, finishes the request, acknowledges and stores the changes, closes the live connections in a way
 * that makes clients reconnect, and exits 0 (within 10 seconds, or it would exit 1); a new server on the
 * same port gets the clients back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as encoding from "lib0/encoding";
import parser from "socket.io-msgpack-parser";
import { io as ioClient, type Socket } from "socket.io-client";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { loadDocumentState } from "../../app/models/document-store.server";
import { DocProvider } from "../../app/realtime/doc-provider";
import type { Ack } from "../../app/realtime/protocol";
import { openDatabase } from "../../db/client";
import { DEMO_PASSWORD } from "../../db/seed";
import { makeGroupWithDocument } from "../support/factories";

/** The field the editor keeps its content in (`DOCUMENT_FIELD`). */
const FIELD = "default";

const dir = mkdtempSync(join(tmpdir(), "convene-restart-"));
const databasePath = join(dir, "convene.db");
copyFileSync(inject("templateDatabase"), databasePath);
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterAll(() => {
  for (const socket of sockets) socket.close();
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  port: number;
  url: string;
  /** Resolves when the process has printed a line matching `pattern`. */
  printed(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts the production server as `npm start` does, on the test's database file. */
function startServer(port = 0): Promise<Child> {
  const child = spawn(process.execPath, ["build/runtime/main.js"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_PATH: databasePath,
      LOG_LEVEL: "info",
      BACKUP_EVERY_HOURS: "0",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiting]) {
      if (!w.pattern.test(out)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      if (pattern.test(out)) resolve();
      else waiting.push({ pattern, resolve });
    });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`the server exited early with ${code}`)));
    void printed(/Convene listening on http:\/\/localhost:(\d+)/).then(() => {
      const listening = Number(/Convene listening on http:\/\/localhost:(\d+)/.exec(out)![1]);
      resolve({ process: child, port: listening, url: `http://127.0.0.1:${listening}`, printed, exited });
    });
  });
}

async function signIn(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url, "Sec-Fetch-Site": "same-origin" },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("convene_session="));
  if (res.status !== 302 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(";")[0]!;
}

/** A socket as a browser's page opens it: it reconnects by itself (quickly, for the test). */
function liveSocket(url: string, cookie: string): Socket {
  const socket = ioClient(url, {
    parser,
    transports: ["websocket"],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    extraHeaders: { Origin: url, Cookie: cookie },
  });
  sockets.push(socket);
  return socket;
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

/**
 * A form POST sent by hand: the headers first, with `Expect: 100-continue`, so the server's "100 Continue"
 * proves it has taken the request in hand; the body only when the test says so.
 */
function heldRequest(port: number, path: string, body: string) {
  const socket = connectTcp(port, "127.0.0.1");
  let received = "";
  let onContinue: () => void;
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
    if (received.startsWith("HTTP/1.1 100 Continue")) onContinue();
  });
  const response = new Promise<string>((resolve, reject) => {
    socket.once("close", () => resolve(received.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, "")));
    socket.once("error", reject);
  });
  const origin = `http://127.0.0.1:${port}`;
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Origin: ${origin}`,
      "Sec-Fetch-Site: same-origin",
      "Content-Type: application/x-www-form-urlencoded",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Expect: 100-continue",
      "",
      "",
    ].join("\r\n"),
  );
  return { continued, sendBody: () => socket.write(body), response };
}

/** One paragraph appended to the document, as a sync update message. */
function paragraphMessage(doc: Y.Doc, text: string): Buffer {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array) => (update = u);
  doc.on("update", capture);
  const paragraph = new Y.XmlElement("paragraph");
  paragraph.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment(FIELD).push([paragraph]);
  doc.off("update", capture);
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeUpdate(encoder, update!);
  return Buffer.from(encoding.toUint8Array(encoder));
}

/** Conditions are waited for, never timed: generous, so a busy machine makes the test slower, not red. */
const WAIT = { timeout: 30_000, interval: 20 };

const paragraphs = (doc: Y.Doc) =>
  new Set(
    doc
      .getXmlFragment(FIELD)
      .toString()
      .match(/(?<=<paragraph>)[^<]*/g) ?? [],
  );

describe("a graceful restart", () => {
  it("finishes the request in flight, stores every acknowledged change, and the clients reconnect to the next server", async () => {
    const first = await startServer();
    const db = openDatabase(databasePath);
    const { documentId } = makeGroupWithDocument(db, {
      lead: "secretariat@convene.example",
      members: { "ngo@convene.example": "editor", "industry@convene.example": "editor" },
    });

    // An editor sending changes one after another, recording which the server acknowledged.
    const writer = liveSocket(first.url, await signIn(first.url, "ngo@convene.example"));
    await connected(writer);
    expect(await new Promise<Ack>((r) => writer.emit("doc:join", { documentId }, r))).toMatchObject({ ok: true, readOnly: false });
    const disconnectReason = new Promise<string>((resolve) => writer.once("disconnect", resolve));
    const acked: string[] = [];
    const writing = (async () => {
      const local = new Y.Doc();
      for (let i = 0; writer.connected; i++) {
        const text = `change ${i}`;
        const answer = await Promise.race([
          new Promise<Ack>((resolve) => writer.emit("doc:message", documentId, paragraphMessage(local, text), resolve)),
          disconnectReason,
        ]);
        if (typeof answer === "string") break;
        if (!answer.ok) throw new Error(`a change was refused: ${JSON.stringify(answer)}`);
        acked.push(text);
      }
    })();

    // A second editor's page, with the document open as the editor opens it.
    const readerSocket = liveSocket(first.url, await signIn(first.url, "industry@convene.example"));
    await connected(readerSocket);
    const reader = new DocProvider(readerSocket, documentId);
    await new Promise<void>((resolve) => reader.once("synced", resolve));

    await vi.waitFor(() => expect(acked.length).toBeGreaterThanOrEqual(20), WAIT);

    // A sign-in the server has taken in hand, whose body has not arrived yet.
    const held = heldRequest(
      first.port,
      "/sign-in",
      new URLSearchParams({ email: "observer@convene.example", password: DEMO_PASSWORD }).toString(),
    );
    await held.continued;

    first.process.kill("SIGTERM");
    await first.printed(/SIGTERM received/);
    const ackedAtSignal = acked.length;

    // New requests are turned away (the port no longer accepts connections, or the answer is 503)...
    await vi.waitFor(async () => {
      const refused = await fetch(`${first.url}/sign-in`).then(
        (res) => res.status === 503,
        () => true,
      );
      expect(refused).toBe(true);
    }, WAIT);
    // ...while the live connection still has its changes stored and acknowledged.
    await vi.waitFor(() => expect(acked.length).toBeGreaterThan(ackedAtSignal + 5), WAIT);

    // The request in flight is finished, and its connection not kept for another.
    held.sendBody();
    const response = await held.response;
    expect(response).toMatch(/^HTTP\/1\.1 302 /);
    expect(response).toMatch(/\r\nconnection: close\r\n/i);
    const observerCookie = /\r\nset-cookie: (convene_session=[^;]+)/i.exec(response)?.[1];
    expect(observerCookie).toBeDefined();

    // The process exits 0: had closing taken more than 10 seconds, it would have exited 1.
    expect(await first.exited).toBe(0);
    await writing;
    // A reason socket.io-client reconnects after ("io server disconnect" would end the page's live connection).
    expect(await disconnectReason).toBe("transport close");
    await vi.waitFor(() => expect(reader.state.connection).toBe("offline"), WAIT);

    // Every acknowledged change is stored.
    const stored = paragraphs(loadDocumentState(db, documentId).doc);
    expect(acked.filter((text) => !stored.has(text))).toEqual([]);

    // The second editor keeps typing while no server runs; those changes are kept until one is back.
    const offline = new Y.XmlElement("paragraph");
    offline.insert(0, [new Y.XmlText("typed while offline")]);
    reader.doc.getXmlFragment(FIELD).push([offline]);

    // A new server on the same port: the clients come back by themselves.
    const second = await startServer(first.port);
    await connected(writer);
    await new Promise<void>((resolve) => (reader.synced ? resolve() : reader.once("synced", resolve)));
    await vi.waitFor(() => expect(reader.state).toMatchObject({ connection: "online", unsaved: false }), WAIT);
    expect(acked.filter((text) => !paragraphs(reader.doc).has(text))).toEqual([]);
    expect(paragraphs(loadDocumentState(db, documentId).doc).has("typed while offline")).toBe(true);

    // The session the finished sign-in created was stored too.
    const page = await fetch(`${second.url}/commitments`, { redirect: "manual", headers: { Cookie: observerCookie! } });
    expect(page.status).toBe(200);

    reader.destroy();
    second.process.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    db.$client.close();
  });
});
