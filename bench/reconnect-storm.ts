/**
 * Reconnect storm: `npm run bench:storm`. 2,000 Socket.IO clients (socket.io-client, msgpack parser, reconnecting
 * as browsers do) are connected to a real server: half follow an event's agenda (`event:join`, joined again on
 * every reconnection), half have a document open through the app's provider (`app/realtime/doc-provider.ts`).
 * One writer makes acknowledged document changes and the secretariat moves a session on the timetable. Then the
 * server is killed (SIGKILL) and started again on the same port and database. Measures the seconds until every
 * socket is back and resynced (rejoined its room; every open document's state vector equal to the server's), and
 * counts acknowledged changes lost.
 *
 * BENCH_STORM_SOCKETS (default 2000), BENCH_STORM_DOCUMENTS (default 20), BENCH_STORM_WRITE_MS (default 5000).
 */
import parser from "socket.io-msgpack-parser";
import { io, type Socket } from "socket.io-client";
import * as Y from "yjs";
import { DOCUMENT_FIELD } from "../app/editor/extensions";
import { DocProvider } from "../app/realtime/doc-provider";
import { zonedToUtc } from "../app/utils/zoned-time";
import { openDatabase } from "../db/client";
import { DEMO_PASSWORD } from "../db/seed";
import { loadFresh } from "./fuzz/check";
import { PEOPLE, prepareSeededForum } from "./fuzz/setup";
import { deadline, fmt, openFilesLimit, reportLoad, saveResults, signIn, sleep, startServer, type ServerChild } from "./lib";

const SOCKETS = Number(process.env.BENCH_STORM_SOCKETS ?? 2000);
const DOCUMENTS = Number(process.env.BENCH_STORM_DOCUMENTS ?? 20);
const WRITE_MS = Number(process.env.BENCH_STORM_WRITE_MS ?? 5000);
const CONNECT_BATCH = 100;
const GIVE_UP_MS = 5 * 60_000;
deadline(20 * 60_000, "reconnect-storm");

interface Follower {
  socket: Socket;
  kind: "agenda" | "document";
  /** Agenda followers: joined the event room on the current connection. */
  joined: boolean;
  provider?: DocProvider;
  documentId?: number;
}

function connect(url: string, cookie: string): Socket {
  return io(url, {
    parser,
    transports: ["websocket"],
    forceNew: true,
    // What a browser tab does: Socket.IO's defaults (1 s, growing to 5 s, randomised by half).
    reconnection: true,
    extraHeaders: { Origin: url, Cookie: cookie },
  });
}

const sameVector = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

async function main() {
  const loadAtStart = reportLoad("reconnect-storm");
  const ulimit = openFilesLimit();
  if (ulimit !== "unlimited" && Number(ulimit) < SOCKETS * 2 + 500)
    throw new Error(`ulimit -n is ${ulimit}; at least ${SOCKETS * 2 + 500} open files are needed (client and server on one machine).`);
  const { databasePath, forum, event, roomId, session } = await prepareSeededForum(DOCUMENTS, "Storm");

  let server: ServerChild = await startServer({ databasePath });
  const port = server.port;
  console.log(`Server pid ${server.pid} on port ${port}; ${SOCKETS} sockets, ${DOCUMENTS} documents, event ${event.id}`);
  const readerCookie = await signIn(server.url, PEOPLE.reader.email, DEMO_PASSWORD);
  const writerCookie = await signIn(server.url, PEOPLE.honest.email, DEMO_PASSWORD);
  const secretariatCookie = await signIn(server.url, PEOPLE.secretariat.email, DEMO_PASSWORD);

  // The followers.
  const followers: Follower[] = [];
  const connectStarted = performance.now();
  for (let i = 0; i < SOCKETS; i += CONNECT_BATCH) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(SOCKETS, i + CONNECT_BATCH); j++) {
      const socket = connect(server.url, readerCookie);
      if (j % 2 === 0) {
        const f: Follower = { socket, kind: "agenda", joined: false };
        socket.on("connect", () => {
          f.joined = false;
          socket.emit("event:join", { eventId: event.id }, (res: { ok: boolean }) => (f.joined = res.ok));
        });
        socket.on("disconnect", () => (f.joined = false));
        followers.push(f);
        batch.push(new Promise((r) => socket.once("connect", () => r())));
      } else {
        const documentId = forum.documentIds[(j >> 1) % DOCUMENTS]!;
        const provider = new DocProvider(socket, documentId, new Y.Doc());
        followers.push({ socket, kind: "document", joined: false, provider, documentId });
        batch.push(new Promise((r) => provider.once("synced", () => r())));
      }
    }
    await Promise.all(batch);
  }
  console.log(`${SOCKETS} sockets connected, joined and synced in ${fmt((performance.now() - connectStarted) / 1000)} s`);

  // The writer: one socket, every document open, one acknowledged paragraph at a time per document.
  const writerSocket = connect(server.url, writerCookie);
  await new Promise<void>((r) => writerSocket.once("connect", () => r()));
  const writers = new Map<number, { doc: Y.Doc; provider: DocProvider; acked: string[] }>();
  for (const documentId of forum.documentIds) {
    const doc = new Y.Doc();
    const provider = new DocProvider(writerSocket, documentId, doc);
    provider.awareness.setLocalState(null);
    await new Promise((r) => provider.once("synced", () => r(undefined)));
    writers.set(documentId, { doc, provider, acked: [] });
  }
  const stored = (provider: DocProvider) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (!provider.state.unsaved) {
          provider.off("state", check);
          resolve(true);
        } else if (provider.state.connection !== "online") {
          provider.off("state", check);
          resolve(false);
        }
      };
      provider.on("state", check);
    });
  let writing = true;
  const writes = [...writers.entries()].map(async ([documentId, w]) => {
    for (let n = 1; writing; n++) {
      const text = `Change ${n} to document ${documentId}`;
      const paragraph = new Y.XmlElement("paragraph");
      paragraph.insert(0, [new Y.XmlText(text)]);
      const ack = stored(w.provider);
      w.doc.getXmlFragment(DOCUMENT_FIELD).insert(w.doc.getXmlFragment(DOCUMENT_FIELD).length, [paragraph]);
      if (await ack) w.acked.push(text);
      else break;
      await sleep(100);
    }
  });
  // Agenda changes: the session moves minute by minute on the forum's last day; each acknowledged move is remembered.
  /** Every move sent, in order, and how many of them from the start were acknowledged (each after the one before). */
  const attemptedMoves: string[] = [];
  let lastAckedIndex = -1;
  let agendaAcked = 0;
  const moves = (async () => {
    for (let n = 0; writing; n++) {
      const minute = n % 60;
      const startTime = `08:${String(minute).padStart(2, "0")}`;
      const endTime = `09:${String(minute).padStart(2, "0")}`;
      attemptedMoves.push(zonedToUtc(event.endsOn, startTime, event.timeZone).toISOString());
      try {
        const res = await fetch(`${server.url}/events/${event.id}/timetable.data`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url, Cookie: secretariatCookie },
          body: new URLSearchParams({
            intent: "move",
            sessionId: String(session.id),
            roomId: String(roomId),
            date: event.endsOn,
            startTime,
            endTime,
            acceptConflicts: "1",
          }).toString(),
          redirect: "manual",
        });
        const body = await res.text();
        if (res.status < 400 && !body.includes("errors")) {
          agendaAcked++;
          lastAckedIndex = n;
        }
      } catch {
        break;
      }
      await sleep(200);
    }
  })();
  await sleep(WRITE_MS);

  // The kill, and a restart on the same port and database.
  const killedAt = performance.now();
  const ackedBeforeKill = [...writers.values()].reduce((n, w) => n + w.acked.length, 0);
  const agendaAckedBeforeKill = agendaAcked;
  const lastAckedBeforeKill = lastAckedIndex;
  writing = false;
  server.child.kill("SIGKILL");
  await new Promise((r) => server.child.once("exit", r));
  await Promise.all([...writes, moves]);
  server = await startServer({ databasePath, extraEnv: { PORT: String(port) } });
  const listeningAfterMs = performance.now() - killedAt;
  console.log(`Killed; the new server (pid ${server.pid}) listened ${fmt(listeningAfterMs / 1000, 2)} s after the kill`);

  // Everyone back? Agenda followers rejoined, document followers synced with the writer, the writer's changes stored.
  const timeline: { s: number; connected: number; rejoined: number; resynced: number }[] = [];
  let backMs: number | null = null;
  while (performance.now() - killedAt < GIVE_UP_MS) {
    const vectors = new Map<number, Uint8Array>();
    let writerDone = writerSocket.connected;
    for (const [documentId, w] of writers) {
      vectors.set(documentId, Y.encodeStateVector(w.doc));
      if (w.provider.state.connection !== "online" || w.provider.state.unsaved) writerDone = false;
    }
    let connected = 0;
    let rejoined = 0;
    let resynced = 0;
    for (const f of followers) {
      if (f.socket.connected) connected++;
      if (f.kind === "agenda" && f.joined) rejoined++;
      if (f.kind === "document" && f.provider!.synced && sameVector(Y.encodeStateVector(f.provider!.doc), vectors.get(f.documentId!)!))
        resynced++;
    }
    const s = (performance.now() - killedAt) / 1000;
    if (timeline.length === 0 || s - timeline[timeline.length - 1]!.s >= 1)
      timeline.push({ s: Number(fmt(s, 1)), connected, rejoined, resynced });
    if (writerDone && connected === SOCKETS && rejoined + resynced === SOCKETS) {
      backMs = performance.now() - killedAt;
      break;
    }
    await sleep(100);
  }
  console.log(
    backMs === null
      ? `Not every socket was back within ${GIVE_UP_MS / 1000} s: ${JSON.stringify(timeline[timeline.length - 1])}`
      : `Every socket back and resynced ${fmt(backMs / 1000, 2)} s after the kill (${fmt((backMs - listeningAfterMs) / 1000, 2)} s after the new server listened)`,
  );
  for (const t of timeline)
    console.log(`  ${t.s} s: ${t.connected} connected, ${t.rejoined} agenda rooms rejoined, ${t.resynced} documents resynced`);

  // The server's copy: each document loaded fresh must equal the writer's and hold every acknowledged change.
  let lostDocumentChanges = 0;
  let differingDocuments = 0;
  for (const [documentId, w] of writers) {
    const fresh = await loadFresh(server.url, secretariatCookie, documentId);
    if (!sameVector(Y.encodeStateVector(fresh), Y.encodeStateVector(w.doc))) differingDocuments++;
    const texts = new Set(
      fresh
        .getXmlFragment(DOCUMENT_FIELD)
        .toArray()
        .map((n) =>
          n instanceof Y.XmlElement
            ? n
                .toArray()
                .map((t) => (t instanceof Y.XmlText ? t.toString() : ""))
                .join("")
            : "",
        ),
    );
    lostDocumentChanges += w.acked.filter((t) => !texts.has(t)).length;
    fresh.destroy();
  }
  for (const f of followers) {
    f.provider?.destroy();
    f.socket.close();
  }
  writerSocket.close();
  await server.stop();
  const check = openDatabase(databasePath);
  const after = check.$client.prepare("SELECT starts_at AS startsAt FROM agenda_sessions WHERE id = ?").get(session.id) as {
    startsAt: number | string;
  };
  check.$client.close();
  const startsAt = typeof after.startsAt === "number" ? new Date(after.startsAt).toISOString() : new Date(after.startsAt).toISOString();
  // The last acknowledged move, or one sent after it whose answer the kill cut off, must be what is stored.
  const agendaLost = lastAckedBeforeKill >= 0 && !attemptedMoves.slice(lastAckedBeforeKill).includes(startsAt) ? 1 : 0;
  const lastMoveBeforeKill = lastAckedBeforeKill >= 0 ? attemptedMoves[lastAckedBeforeKill] : null;

  console.log(
    `Acknowledged document changes before the kill: ${ackedBeforeKill}; lost: ${lostDocumentChanges}; documents differing from the writer: ${differingDocuments}`,
  );
  console.log(
    `Acknowledged agenda moves before the kill: ${agendaAckedBeforeKill}; the last (${lastMoveBeforeKill}) ${agendaLost ? `LOST (stored: ${startsAt})` : "kept"}`,
  );
  const loadAtEnd = reportLoad("reconnect-storm");
  const file = saveResults("reconnect-storm", {
    sockets: SOCKETS,
    documents: DOCUMENTS,
    writeMs: WRITE_MS,
    listeningAfterMs,
    backMs,
    timeline,
    ackedBeforeKill,
    lostDocumentChanges,
    differingDocuments,
    agendaAckedBeforeKill,
    agendaLost,
    loadAtStart,
    loadAtEnd,
  });
  console.log(`Saved ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
