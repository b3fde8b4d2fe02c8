/**
 * Breakout rooms under load, through the real server (the bundled `npm start` build) and real `socket.io-client`
 * connections, as browsers hold them:
 *
 * 1. **Choosing**: 1,000 delegate sockets choose among five rooms (capacity 200 each, 40 % wanting the first) within
 *    the same second; a delegate told "full" tries their next room. Reported: time until every choice is confirmed,
 *    and rooms over capacity (read from the database afterwards).
 * 2. **Chat fan-out**: 200 people in one room; a sender posts 100 messages one after another; for each, the time from
 *    sending until each of the other 199 received it (each message from the next person in the room). Reported: p50/p99 over all deliveries.
 * 3. **Open and close all**: 1,000 delegates assigned to 20 rooms, each with its page's socket open. The facilitator
 *    opens all rooms (the console's form action); each client, told `breakout:opened`, joins its room as the room page
 *    does. Reported: time until the last client is in its room; then closing: until the last client is told the
 *    rooms closed (back in the plenary).
 *
 * Goals on a 2-core machine: choices in under 2 s with 0 over capacity; chat p99 under 100 ms; open-all and
 * close-all under 1 s each.
 */
import { join, resolve } from "node:path";
import { io, type Socket } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import { openDatabase, type Db } from "../db/client";
import { createSession } from "../app/models/session.server";
import { ensureBreakout } from "../app/models/breakouts.server";
import { stakeholderGroups } from "../app/domain/vocabulary";
import type { Ack, BreakoutJoinResult, BreakoutMessageView } from "../app/realtime/protocol";
import {
  deadline,
  fmt,
  machine,
  openFilesLimit,
  percentile,
  printTable,
  reportLoad,
  saveResults,
  startServer,
  tempDir,
  wallNow,
} from "./lib";

const DELEGATES = Number(process.env.BENCH_DELEGATES ?? 1000);
const CHAT_ROOM = Number(process.env.BENCH_CHAT_ROOM ?? 200);
const CHAT_MESSAGES = Number(process.env.BENCH_CHAT_MESSAGES ?? 100);
const ROOMS_FOR_OPEN = 20;
/** With BENCH_CPU_PROFILE_DIR set, the server writes a CPU profile there when it stops. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
const CONNECT_BATCH = 100;
deadline(10 * 60_000, "breakouts");

const meta = { ipAddress: "127.0.0.1", userAgent: "bench" };

interface Prepared {
  databasePath: string;
  eventId: number;
  secretariatToken: string;
  /** Session tokens of the delegates, in order. */
  tokens: string[];
  userIds: number[];
  choice: { sessionId: number; roomIds: number[] };
  chat: { sessionId: number; roomId: number };
  open: { sessionId: number; roomOf: Map<number, number> };
}

function breakoutSession(db: Db, eventId: number, title: string, startsAt: Date): number {
  return db.transaction((tx) => {
    const id = (
      db.$client
        .prepare(
          `INSERT INTO agenda_sessions (event_id, kind, title, starts_at, ends_at, attribution) VALUES (?, 'breakout', ?, ?, ?, 'chatham_house') RETURNING id`,
        )
        .get(eventId, title, startsAt.getTime(), startsAt.getTime() + 90 * 60_000) as { id: number }
    ).id;
    ensureBreakout(tx, id);
    return id;
  });
}

const roomsOf = (db: Db, sessionId: number) =>
  (db.$client.prepare("SELECT id FROM breakout_rooms WHERE session_id = ? ORDER BY position, id").all(sessionId) as { id: number }[]).map(
    (r) => r.id,
  );

/** A seeded database with 1,000 delegates (in organisations of every stakeholder group) and three breakout sessions. */
async function prepare(): Promise<Prepared> {
  const databasePath = join(tempDir(), "convene.db");
  const first = await startServer({ databasePath });
  await first.stop();
  const db = openDatabase(databasePath);
  try {
    const eventId = (db.$client.prepare("SELECT id FROM events WHERE kind = 'forum' ORDER BY id LIMIT 1").get() as { id: number }).id;
    const startsAt = new Date(
      (db.$client.prepare("SELECT min(starts_at) AS t FROM agenda_sessions WHERE event_id = ?").get(eventId) as { t: number }).t,
    );
    const userIds = db.transaction(() => {
      const orgIds = Array.from({ length: 60 }, (_, i) =>
        Number(
          db.$client
            .prepare("INSERT INTO organisations (name, stakeholder_group, country) VALUES (?, ?, 'GB')")
            .run(`Bench organisation ${i + 1}`, stakeholderGroups[i % stakeholderGroups.length]).lastInsertRowid,
        ),
      );
      const hash = (db.$client.prepare("SELECT password_hash AS h FROM users LIMIT 1").get() as { h: string }).h;
      const insert = db.$client.prepare(
        "INSERT INTO users (email, name, password_hash, role, organisation_id) VALUES (?, ?, ?, 'delegate', ?)",
      );
      return Array.from({ length: DELEGATES }, (_, i) =>
        Number(insert.run(`bench-${i}@example.org`, `Bench delegate ${i + 1}`, hash, orgIds[i % orgIds.length]).lastInsertRowid),
      );
    });
    const tokens = userIds.map((id) => createSession(db, id, meta).token);
    const secretariatId = (
      db.$client.prepare("SELECT id FROM users WHERE role = 'secretariat' ORDER BY id LIMIT 1").get() as { id: number }
    ).id;
    const secretariatToken = createSession(db, secretariatId, meta).token;

    const choiceId = breakoutSession(db, eventId, "Bench: choosing", startsAt);
    db.$client.prepare("UPDATE breakout_rooms SET capacity = ? WHERE session_id = ?").run(Math.ceil(DELEGATES / 5), choiceId);

    const chatId = breakoutSession(db, eventId, "Bench: chat", startsAt);
    const chatRoom = roomsOf(db, chatId)[0]!;
    const assign = db.$client.prepare(
      "INSERT INTO breakout_assignments (session_id, user_id, room_id, source) VALUES (?, ?, ?, 'assigned')",
    );
    db.transaction(() => userIds.slice(0, CHAT_ROOM).forEach((u) => assign.run(chatId, u, chatRoom)));
    db.$client.prepare("UPDATE breakouts SET status = 'open', published = 1, opened_at = ? WHERE session_id = ?").run(Date.now(), chatId);

    const openId = breakoutSession(db, eventId, "Bench: open and close", startsAt);
    const addRoom = db.$client.prepare("INSERT INTO breakout_rooms (session_id, name, position) VALUES (?, ?, ?)");
    for (let i = roomsOf(db, openId).length; i < ROOMS_FOR_OPEN; i++) addRoom.run(openId, `Extra room ${i + 1}`, i);
    const openRooms = roomsOf(db, openId);
    const roomOf = new Map(userIds.map((u, i) => [u, openRooms[i % openRooms.length]!]));
    db.transaction(() => userIds.forEach((u) => assign.run(openId, u, roomOf.get(u)!)));
    db.$client.prepare("UPDATE breakouts SET published = 1 WHERE session_id = ?").run(openId);

    return {
      databasePath,
      eventId,
      secretariatToken,
      tokens,
      userIds,
      choice: { sessionId: choiceId, roomIds: roomsOf(db, choiceId) },
      chat: { sessionId: chatId, roomId: chatRoom },
      open: { sessionId: openId, roomOf },
    };
  } finally {
    db.$client.close();
  }
}

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, {
    parser,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { Origin: url, Cookie: `convene_session=${token}` },
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function connectAll(url: string, tokens: readonly string[]): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < tokens.length; i += CONNECT_BATCH)
    sockets.push(...(await Promise.all(tokens.slice(i, i + CONNECT_BATCH).map((t) => connect(url, t)))));
  return sockets;
}

function request<T extends object>(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<Ack<T>> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/**
 * The console's form action, as the facilitator's browser posts it with JavaScript (Remix's single fetch: the action at
 * `<path>.data`, then the page's data loaded again), so the facilitator's own page costs the server what it costs.
 */
async function consoleAction(url: string, token: string, sessionId: number, intent: string): Promise<void> {
  const headers = { Cookie: `convene_session=${token}`, Origin: url };
  const res = await fetch(`${url}/breakouts/${sessionId}/console.data`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
    // Closing asks first; the facilitator's confirmation is part of the form.
    body: new URLSearchParams(intent === "close" ? { intent, confirm: "yes" } : { intent }),
  });
  if (res.status >= 400) throw new Error(`${intent}: the console answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
  // The revalidation that follows: not awaited, as the delegates' clients do not wait for the facilitator's page.
  void fetch(`${url}/breakouts/${sessionId}/console.data`, { headers }).then((r) => r.arrayBuffer());
}

async function main() {
  const loadAtStart = reportLoad("breakouts");
  const ulimit = openFilesLimit();
  if (ulimit !== "unlimited" && Number(ulimit) < DELEGATES * 2 + 500)
    throw new Error(`ulimit -n is ${ulimit}; raise it to at least ${DELEGATES * 2 + 500}.`);
  const prepared = await prepare();
  const server = await startServer({
    databasePath: prepared.databasePath,
    nodeArgs: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [],
  });
  console.log(`Server pid ${server.pid}; ${DELEGATES} delegates`);
  const sockets = await connectAll(server.url, prepared.tokens);
  console.log(`${sockets.length} sockets connected`);

  // 1. Choosing: everyone at once; 40 % want the first room; "full" sends a delegate to their next room.
  const { roomIds } = prepared.choice;
  const wants = (i: number) => {
    const first = i % 5 < 2 ? 0 : (i % 5) - 1;
    return [0, 1, 2, 3, 4].map((k) => roomIds[(first + k) % roomIds.length]!);
  };
  let retries = 0;
  const chooseStarted = wallNow();
  const confirmedAt = await Promise.all(
    sockets.map(async (socket, i) => {
      for (const roomId of wants(i)) {
        const res = await request<{ roomId: number }>(socket, "breakouts:choose", { sessionId: prepared.choice.sessionId, roomId });
        if (res.ok) return wallNow() - chooseStarted;
        if (res.error !== "full") throw new Error(`choosing was refused: ${res.error} ${res.message}`);
        retries++;
      }
      throw new Error("every room was full");
    }),
  );
  const db = openDatabase(prepared.databasePath);
  const overCapacity = (
    db.$client
      .prepare(
        `SELECT count(*) AS n FROM breakout_rooms r WHERE r.session_id = ? AND r.capacity IS NOT NULL
         AND (SELECT count(*) FROM breakout_assignments a WHERE a.room_id = r.id) > r.capacity`,
      )
      .get(prepared.choice.sessionId) as { n: number }
  ).n;
  const chosen = (
    db.$client.prepare("SELECT count(*) AS n FROM breakout_assignments WHERE session_id = ?").get(prepared.choice.sessionId) as {
      n: number;
    }
  ).n;
  db.$client.close();
  const choosing = { confirmedMs: Math.max(...confirmedAt), p50Ms: percentile(confirmedAt, 50), retries, chosen, overCapacity };
  console.log(
    `Choosing: all ${chosen} confirmed in ${fmt(choosing.confirmedMs)} ms (p50 ${fmt(choosing.p50Ms)} ms, ${retries} "full" retries); rooms over capacity: ${overCapacity}`,
  );

  // 2. Chat fan-out in one room of 200.
  const chatters = sockets.slice(0, CHAT_ROOM);
  await Promise.all(
    chatters.map(async (s) => {
      const res = await request<BreakoutJoinResult>(s, "breakout:join", { roomId: prepared.chat.roomId });
      if (!res.ok) throw new Error(`joining the chat room was refused: ${res.error}`);
    }),
  );
  // Each message comes from the next person in the room (people talk in turn; one connection is limited to 5 a second).
  const deliveries: number[] = [];
  for (let m = 0; m < CHAT_MESSAGES; m++) {
    const body = `bench message ${m}`;
    const sender = chatters[m % chatters.length]!;
    const receivers = chatters.filter((s) => s !== sender);
    const got = receivers.map(
      (s) =>
        new Promise<number>((resolve) => {
          const on = (payload: { message: BreakoutMessageView }) => {
            if (payload.message.body !== body) return;
            s.off("breakout:message", on);
            resolve(wallNow());
          };
          s.on("breakout:message", on);
        }),
    );
    const sent = wallNow();
    const res = await request(sender, "breakout:chat", { roomId: prepared.chat.roomId, body });
    if (!res.ok) throw new Error(`posting was refused: ${res.error}`);
    for (const at of await Promise.all(got)) deliveries.push(at - sent);
  }
  const chat = {
    deliveries: deliveries.length,
    p50Ms: percentile(deliveries, 50),
    p99Ms: percentile(deliveries, 99),
    maxMs: Math.max(...deliveries),
  };
  console.log(
    `Chat fan-out to ${CHAT_ROOM - 1}: p50 ${fmt(chat.p50Ms)} ms, p99 ${fmt(chat.p99Ms)} ms, max ${fmt(chat.maxMs)} ms over ${chat.deliveries} deliveries`,
  );
  await Promise.all(chatters.map((s) => request(s, "breakout:leave", { roomId: prepared.chat.roomId })));

  // 3. Open all and close all with 1,000 delegates in 20 rooms.
  const { sessionId } = prepared.open;
  await Promise.all(
    sockets.map(async (s) => {
      const res = await request(s, "breakouts:follow", { sessionId });
      if (!res.ok) throw new Error(`following was refused: ${res.error}`);
    }),
  );
  const inRoom = sockets.map(
    (s) =>
      new Promise<number>((resolve, reject) => {
        s.once("breakout:opened", async ({ roomId }: { roomId: number }) => {
          const res = await request<BreakoutJoinResult>(s, "breakout:join", { roomId });
          if (res.ok) resolve(wallNow());
          else reject(new Error(`joining was refused: ${res.error}`));
        });
      }),
  );
  const openStarted = wallNow();
  await consoleAction(server.url, prepared.secretariatToken, sessionId, "open");
  const openedAt = await Promise.all(inRoom);
  const openMs = Math.max(...openedAt) - openStarted;
  const backInPlenary = sockets.map((s) => new Promise<number>((resolve) => s.once("breakout:closed", () => resolve(wallNow()))));
  const closeStarted = wallNow();
  await consoleAction(server.url, prepared.secretariatToken, sessionId, "close");
  const closeMs = Math.max(...(await Promise.all(backInPlenary))) - closeStarted;
  console.log(
    `Open all: the last of ${sockets.length} clients was in its room after ${fmt(openMs)} ms; close all: back in plenary after ${fmt(closeMs)} ms`,
  );

  for (const s of sockets) s.close();
  await server.stop();

  printTable(
    ["Figure", "Measured", "Goal", "Verdict"],
    [
      [
        "Choices confirmed (1,000 at once)",
        `${fmt(choosing.confirmedMs)} ms`,
        "< 2,000 ms",
        choosing.confirmedMs < 2000 ? "met" : "not met",
      ],
      ["Rooms over capacity", overCapacity, "0", overCapacity === 0 ? "met" : "not met"],
      ["Chat fan-out p50 (room of 200)", `${fmt(chat.p50Ms)} ms`, "", ""],
      ["Chat fan-out p99 (room of 200)", `${fmt(chat.p99Ms)} ms`, "< 100 ms", chat.p99Ms < 100 ? "met" : "not met"],
      ["Open all (1,000 in 20 rooms)", `${fmt(openMs)} ms`, "< 1,000 ms", openMs < 1000 ? "met" : "not met"],
      ["Close all, back in plenary", `${fmt(closeMs)} ms`, "< 1,000 ms", closeMs < 1000 ? "met" : "not met"],
    ],
  );
  const file = saveResults("breakouts", { loadAtStart, delegates: DELEGATES, choosing, chat, openMs, closeMs, machine: machine() });
  console.log(`Saved ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
