import { actorFor } from "../../app/models/people.server";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import parser from "socket.io-msgpack-parser";
import { io as ioClient, type Socket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";
import { loadDocumentState } from "../../app/models/document-store.server";
import { createDocument } from "../../app/models/documents.server";
import { addMember, createWorkingGroup } from "../../app/models/working-groups.server";
import type { Ack } from "../../app/realtime/protocol";
import { openDatabase } from "../../db/client";
import { DEMO_PASSWORD } from "../../db/seed";

const dir = mkdtempSync(join(tmpdir(), "convene-kill-"));
const databasePath = join(dir, "convene.db");
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the server in its own process on the shared database file. */
function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/server-child.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: databasePath,
      DEMO_MODE: "true",
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}` });
    });
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
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
  if (!cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(";")[0]!;
}

function connect(url: string, cookie: string): Promise<Socket> {
  const socket = ioClient(url, {
    parser,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { Origin: url, Cookie: cookie },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

describe("documents hub: durable acknowledgement", () => {
  it("keeps every acknowledged update when the server process is killed mid-edit", async () => {
    const first = await startChild();
    const db = openDatabase(databasePath);
    const meta = { ipAddress: null, userAgent: null };
    const secretariat = (db.$client.prepare("SELECT id FROM users WHERE email = 'secretariat@convene.example'").get() as { id: number }).id;
    const ngo = (db.$client.prepare("SELECT id FROM users WHERE email = 'ngo@convene.example'").get() as { id: number }).id;
    const pillarId = (db.$client.prepare("SELECT id FROM pillars LIMIT 1").get() as { id: number }).id;
    const actor = actorFor(db, secretariat)!;
    const group = createWorkingGroup(db, actor, { name: "Durability", description: "", pillarId, leadId: null }, meta);
    if (!group.ok) throw new Error("creating the working group was refused");
    const groupId = group.id;
    addMember(db, actor, groupId, ngo, "editor", meta);
    const created = createDocument(db, actor, groupId, { title: "Kill test", summary: "", visibility: "group" }, meta);
    if (!created.ok) throw new Error("creating the document was refused");
    const documentId = created.id;

    const socket = await connect(first.url, await signIn(first.url, "ngo@convene.example"));
    const joined = await new Promise<Ack>((resolve) => socket.emit("doc:join", { documentId }, resolve));
    expect(joined).toMatchObject({ ok: true, readOnly: false });

    // One writer sends changes as fast as the server acknowledges them; the process is killed mid-stream.
    const doc = new Y.Doc();
    const markers = doc.getMap<number>("markers");
    const acked: number[] = [];
    let sent = 0;
    let killed = false;
    await new Promise<void>((resolve) => {
      doc.on("update", (update: Uint8Array) => {
        const i = sent++;
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, 0);
        syncProtocol.writeUpdate(encoder, update);
        socket.emit("doc:message", documentId, encoding.toUint8Array(encoder), (res: Ack) => {
          if (res.ok) acked.push(i);
          if (acked.length === 150 && !killed) {
            killed = true;
            first.child.kill("SIGKILL");
            resolve();
          }
        });
      });
      // Keep several changes in flight at once, so the kill lands among unacknowledged ones.
      const write = () => {
        if (killed) return;
        for (let k = 0; k < 5; k++) markers.set(`m${sent}`, sent);
        setImmediate(write);
      };
      write();
    });
    socket.close();
    await new Promise((r) => first.child.once("exit", r));
    expect(acked.length).toBeGreaterThanOrEqual(150);

    const second = await startChild();
    const { doc: stored } = loadDocumentState(db, documentId);
    const storedMarkers = stored.getMap<number>("markers");
    const missing = acked.filter((i) => !storedMarkers.has(`m${i}`));
    expect(missing).toEqual([]);

    // The restarted server serves the same state to a new client.
    const again = await connect(second.url, await signIn(second.url, "ngo@convene.example"));
    const client = new Y.Doc();
    const synced = new Promise<void>((resolve) => {
      again.on("doc:message", (_id: number, data: Uint8Array) => {
        const decoder = decoding.createDecoder(new Uint8Array(data));
        if (decoding.readVarUint(decoder) !== 0) return;
        const type = syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), client, null);
        if (type === syncProtocol.messageYjsSyncStep2) resolve();
      });
    });
    await new Promise<Ack>((resolve) => again.emit("doc:join", { documentId }, resolve));
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    syncProtocol.writeSyncStep1(step1, client);
    again.emit("doc:message", documentId, encoding.toUint8Array(step1));
    await synced;
    expect(client.getMap("markers").size).toBe(storedMarkers.size);
    again.close();
    db.$client.close();
  });
});
