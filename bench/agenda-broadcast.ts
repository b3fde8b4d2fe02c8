/**
 * Agenda broadcast latency: the time from a timetable save (POST of the `move` action) until every one of
 * 2,000 Socket.IO clients following the event has received the matching `agenda:changed` message, against
 * a reference floor measured in the same run: a bare `ws` server pushing the same JSON to 2,000 clients.
 *
 * Processes: this one (signs in, saves, triggers, collects), the server under test, and one or two
 * load-generator processes (bench/fixtures/agenda-clients.ts) that hold the client connections.
 * With BENCH_REVALIDATE_SAVES=n, n more saves follow in which every client also fetches the agenda's
 * loader data after the message, as an open agenda page does.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { openDatabase } from "../db/client";
import { DEMO_PASSWORD } from "../db/seed";
import { getEvent, listRooms, listSessions } from "../app/models/agenda.server";
import { zonedToUtc } from "../app/utils/zoned-time";
import type { GeneratorCommand, GeneratorReply } from "./fixtures/agenda-clients";
import {
  LoadGenerator,
  cpuTimeMs,
  deadline,
  fmt,
  openFilesLimit,
  printTable,
  reportLoad,
  saveResults,
  signIn,
  sleep,
  spawnNode,
  startServer,
  postMove,
  summary,
  tempDir,
  wallNow,
} from "./lib";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2000);
const GENERATORS = Number(process.env.BENCH_GENERATORS ?? 1);
const SAVES = Number(process.env.BENCH_SAVES ?? 100);
/** The timed saves are split into this many blocks per side, Convene and the floor taking turns. */
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 4);
const WARMUP = 5;
/**
 * The first block's warm-up on each side is longer (the servers' and the generator's code still being compiled).
 * It does not remove what the first block of Convene shows: its fan-out stays about twice as slow as in the later
 * blocks (see "## Agenda broadcast" in docs/benchmarks.md).
 */
const FIRST_WARMUP = Number(process.env.BENCH_FIRST_WARMUP ?? 30);
const GAP_MS = 300;
const BATCH = 100;
/** A save whose message has not reached every client within this time counts as failed. */
const RECEIVE_TIMEOUT_MS = 10_000;
const GOAL_P99_MS = 250;
/** Issue 16: the last client at p99 within 1.5x the bare `ws` floor measured in the same run. */
const GOAL_RATIO = 1.5;
/**
 * Optional last phase (off unless BENCH_REVALIDATE_SAVES is set): after each of these saves, every client
 * also fetches the agenda's loader data, as an open page does on `agenda:changed`.
 */
const REVALIDATE_SAVES = Number(process.env.BENCH_REVALIDATE_SAVES ?? 0);
const REVALIDATE_TIMEOUT_MS = 120_000;
/**
 * With BENCH_CPU_PROFILE_DIR set, every process (the Convene server, the floor server, the generators) writes V8 CPU
 * profiles there, named by process id (the log prints each one's).
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/** The monotonic clock in microseconds, as V8's profiles time their samples: the timed phases' windows are printed. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const profileArgs = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [];
const DELEGATE = "government@convene.example";
const SECRETARIAT = "secretariat@convene.example";
deadline((8 + REVALIDATE_SAVES * 2.5) * 60_000, "agenda-broadcast");

/** The parent's side of one load-generator process. */
class Generator extends LoadGenerator<GeneratorCommand, GeneratorReply> {
  constructor(index: number) {
    super(index, "bench/fixtures/agenda-clients.ts", profileArgs);
  }
}

interface Delivery {
  /** Milliseconds from just before the trigger (the save's POST) to the first, median and last client. */
  firstMs: number;
  medianMs: number;
  lastMs: number;
  /** Round trip of the triggering HTTP request, and the server's own time for it when it says. */
  requestMs: number;
  serverMs: number | null;
  status: number;
  received: number;
  payload: string | null;
  /** With revalidation: from the trigger until half and until all of the clients had their data, and failures. */
  revalidated: { medianMs: number; lastMs: number; done: number; failed: number; firstFailure: string | null } | null;
}

/** Arms every generator for `key`, runs `trigger`, and collects when the clients received the message. */
async function deliver(
  gens: Generator[],
  id: number,
  key: string,
  trigger: () => Promise<Response>,
  revalidate?: { url: string; cookie: string },
): Promise<Delivery> {
  const timeoutMs = revalidate ? REVALIDATE_TIMEOUT_MS : RECEIVE_TIMEOUT_MS;
  await Promise.all(
    gens.map((g) => {
      const armed = g.next("armed", (m) => m.id === id);
      g.send({ type: "arm", id, key, timeoutMs, revalidate });
      return armed;
    }),
  );
  const reports = gens.map((g) => g.next("report", (m) => m.id === id, timeoutMs + 30_000));
  const started = wallNow();
  const res = await trigger();
  await res.arrayBuffer();
  const requestMs = wallNow() - started;
  const timing = /app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
  const all = await Promise.all(reports);
  const firsts = all.map((r) => r.first).filter((t): t is number => t !== null);
  const lasts = all.map((r) => r.last).filter((t): t is number => t !== null);
  const medians = all.map((r) => r.median).filter((t): t is number => t !== null);
  const received = all.reduce((n, r) => n + r.received, 0);
  return {
    firstMs: firsts.length ? Math.min(...firsts) - started : Number.NaN,
    // With two generators, the median of their medians (equal halves): close enough for a middle figure.
    medianMs: medians.length ? medians.reduce((a, b) => a + b, 0) / medians.length - started : Number.NaN,
    lastMs: lasts.length ? Math.max(...lasts) - started : Number.NaN,
    requestMs,
    serverMs: timing ? Number(timing[1]) : null,
    status: res.status,
    received,
    payload: all.find((r) => r.payload)?.payload ?? null,
    revalidated: revalidate
      ? {
          medianMs: all.reduce((sum, r) => sum + (r.revalidated?.median ?? Number.NaN), 0) / all.length - started,
          lastMs: Math.max(...all.map((r) => r.revalidated?.last ?? Number.NaN)) - started,
          done: all.reduce((n, r) => n + (r.revalidated?.done ?? 0), 0),
          failed: all.reduce((n, r) => n + (r.revalidated?.failed ?? 0), 0),
          firstFailure: all.find((r) => r.revalidated?.firstFailure)?.revalidated?.firstFailure ?? null,
        }
      : null,
  };
}

async function connectAll(gens: Generator[], command: (count: number) => GeneratorCommand) {
  const started = performance.now();
  const results = await Promise.all(
    gens.map((g, i) => {
      const share = Math.floor(CLIENTS / gens.length) + (i < CLIENTS % gens.length ? 1 : 0);
      const done = g.next("connected", () => true, 120_000);
      g.send(command(share));
      return done;
    }),
  );
  const total = results.reduce((n, r) => n + r.count, 0);
  if (total !== CLIENTS) throw new Error(`Only ${total} of ${CLIENTS} clients connected.`);
  return performance.now() - started;
}

async function closeAll(gens: Generator[]) {
  await Promise.all(
    gens.map((g) => {
      const closed = g.next("closed");
      g.send({ type: "close" });
      return closed;
    }),
  );
}

function cpuOf(pids: number[]) {
  return pids.reduce((sum, pid) => {
    const t = cpuTimeMs(pid);
    return sum + t.userMs + t.systemMs;
  }, 0);
}

async function startFloor(): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const child = spawnNode([...profileArgs, "--import", "tsx", "bench/fixtures/ws-floor-server.ts"], { quiet: true });
  const port = await new Promise<number>((resolvePort, rejectPort) => {
    const timer = setTimeout(() => rejectPort(new Error("The ws floor server did not start.")), 30_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^ws floor listening on (\d+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolvePort(Number(match[1]));
    });
    child.once("exit", (code) => rejectPort(new Error(`The ws floor server exited (code ${code}).`)));
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

const fmtSummary = (label: string, values: number[]) => {
  const s = summary(values);
  return [label, s.n, fmt(s.min), fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)];
};

async function main() {
  const loadAtStart = reportLoad("agenda-broadcast");
  if (!(
    CLIENTS >= 1 &&
    CLIENTS <= 5000 &&
    (GENERATORS === 1 || GENERATORS === 2) &&
    SAVES >= 1 &&
    SAVES <= 1000 &&
    BLOCKS >= 1 &&
    BLOCKS <= SAVES &&
    REVALIDATE_SAVES >= 0 &&
    REVALIDATE_SAVES <= 20
  )) {
    throw new Error(
      "BENCH_CLIENTS must be 1..5000, BENCH_GENERATORS 1 or 2, BENCH_SAVES 1..1000, BENCH_BLOCKS 1..BENCH_SAVES, BENCH_REVALIDATE_SAVES 0..20",
    );
  }
  const ulimit = openFilesLimit();
  if (ulimit !== "unlimited" && Number(ulimit) < CLIENTS + 200)
    throw new Error(`ulimit -n is ${ulimit}; at least ${CLIENTS + 200} open files are needed.`);
  console.log(
    `Agenda broadcast: ${CLIENTS} clients in ${GENERATORS} generator process(es), ${SAVES} saves per side in ${BLOCKS} alternating blocks, each after ${WARMUP} warm-up (${FIRST_WARMUP} in the first), ${GAP_MS} ms apart (node ${process.version})`,
  );

  const profileWindows: { side: "convene" | "floor"; fromUs: number; toUs: number }[] = [];
  const gens = Array.from({ length: GENERATORS }, (_, i) => new Generator(i));
  const clocks = await Promise.all(gens.map((g) => g.clockOffset()));
  for (const [i, c] of clocks.entries())
    console.log(`Generator ${i} (pid ${gens[i]!.pid}): clock offset ${fmt(c.offsetMs, 3)} ms, within ±${fmt(c.roundTripMs / 2, 3)} ms`);

  // Both servers run for the whole benchmark; the clients follow one of them at a time, in alternating blocks
  // (Convene, floor, Convene, floor, ...), so a change in the shared machine's load falls on both sides alike.
  // A server without clients is idle (the floor has no timers; Convene's heartbeats are per connection).
  const dir = tempDir();
  const databasePath = join(dir, "convene.db");
  const server = await startServer({ databasePath, nodeArgs: profileArgs });
  const floorServer = await startFloor();
  const convene: Delivery[] = [];
  const floor: Delivery[] = [];
  const conveneCpu = { server: 0, generators: 0 };
  const floorCpu = { server: 0, generators: 0 };
  let conveneConnectMs = 0;
  let floorConnectMs = 0;
  let serverFds = 0;
  let forumId = 0;
  let moved = { sessionId: 0, title: "" };
  const payloads: string[] = [];
  const revalidation: Delivery[] = [];
  let revalidationCpuMs = 0;
  let revalidationBytes = 0;
  try {
    const db = openDatabase(databasePath);
    const forum = db.$client.prepare("SELECT id FROM events WHERE kind = 'forum' ORDER BY id LIMIT 1").get() as { id: number } | undefined;
    const event = forum ? getEvent(db, forum.id) : null;
    if (!event) throw new Error("No demo forum in the seeded database.");
    const roomIds = listRooms(db, event.id).map((r) => r.id);
    const session = listSessions(db, event.id).find((s) => s.roomId !== null);
    db.$client.close();
    if (!session || roomIds.length < 3) throw new Error("The demo forum has no session in a room, or fewer than 3 rooms.");
    forumId = event.id;
    moved = { sessionId: session.id, title: session.title };
    // Two free slots on the forum's last day (the demo agenda fills only the first): the session alternates between them.
    const slots = [
      { roomId: roomIds[1]!, date: event.endsOn, startTime: "09:00", endTime: "10:00" },
      { roomId: roomIds[2]!, date: event.endsOn, startTime: "11:00", endTime: "12:00" },
    ].map((s) => ({ ...s, startsAt: zonedToUtc(s.date, s.startTime, event.timeZone).toISOString() }));
    console.log(
      `Server pid ${server.pid} at ${server.url}; moving session ${session.id} ("${session.title}") of event ${event.id} between ${slots.map((s) => `${s.date} ${s.startTime} room ${s.roomId}`).join(" and ")}`,
    );
    console.log(`Floor server pid ${floorServer.pid} at ${floorServer.url}`);

    const delegateCookie = await signIn(server.url, DELEGATE, DEMO_PASSWORD);
    const secretariatCookie = await signIn(server.url, SECRETARIAT, DEMO_PASSWORD);
    const connectConvene = () =>
      connectAll(gens, (count) => ({
        type: "connect",
        mode: "socketio",
        url: server.url,
        cookie: delegateCookie,
        eventId: event.id,
        count,
        batch: BATCH,
      }));

    // The same request a browser's timetable makes when a session is dropped on a new slot.
    const save = (slot: (typeof slots)[number]) => () => postMove(server.url, secretariatCookie, event.id, session.id, slot);
    // Counts every save, so that each one moves the session to the other slot whatever the block.
    let saves = 0;
    let triggers = 0;

    for (let block = 0; block < BLOCKS; block++) {
      const timed = Math.floor(SAVES / BLOCKS) + (block < SAVES % BLOCKS ? 1 : 0);
      const warmup = block === 0 ? Math.max(WARMUP, FIRST_WARMUP) : WARMUP;

      // Convene: Socket.IO clients following the demo forum, saves through the timetable action.
      const connectMs = await connectConvene();
      if (block === 0) {
        conveneConnectMs = connectMs;
        serverFds = readdirSync(`/proc/${server.pid}/fd`).length;
      }
      console.log(
        `Block ${block + 1}/${BLOCKS}: ${CLIENTS} Socket.IO clients connected and joined in ${fmt(connectMs / 1000, 2)} s; server holds ${readdirSync(`/proc/${server.pid}/fd`).length} open files`,
      );
      let cpuStart = { server: 0, generators: 0 };
      let fromUs = 0;
      for (let i = 0; i < warmup + timed; i++) {
        if (i === warmup) {
          cpuStart = { server: cpuOf([server.pid]), generators: cpuOf(gens.map((g) => g.pid)) };
          fromUs = monotonicUs();
        }
        const n = saves++;
        const slot = slots[n % 2]!;
        const d = await deliver(gens, n, `${session.id}|${slot.startsAt}`, save(slot));
        if (d.status !== 200) throw new Error(`Save ${n} answered HTTP ${d.status}.`);
        if (d.received !== CLIENTS)
          throw new Error(`Save ${n}: only ${d.received} of ${CLIENTS} clients received the change within ${RECEIVE_TIMEOUT_MS} ms.`);
        if (i >= warmup) convene.push(d);
        if (payloads.length < 2) payloads.push(d.payload!);
        await sleep(GAP_MS);
      }
      profileWindows.push({ side: "convene", fromUs, toUs: monotonicUs() });
      conveneCpu.server += cpuOf([server.pid]) - cpuStart.server;
      conveneCpu.generators += cpuOf(gens.map((g) => g.pid)) - cpuStart.generators;
      await closeAll(gens);

      // Floor: a bare ws server, the same clients' count, the same JSON, triggered by an HTTP POST.
      const floorMs = await connectAll(gens, (count) => ({
        type: "connect",
        mode: "ws",
        url: floorServer.url.replace("http:", "ws:"),
        count,
        batch: BATCH,
      }));
      if (block === 0) floorConnectMs = floorMs;
      const count = await (await fetch(`${floorServer.url}/clients`)).text();
      console.log(
        `Block ${block + 1}/${BLOCKS}: ${CLIENTS} ws clients connected to the floor server in ${fmt(floorMs / 1000, 2)} s; it counts ${count}`,
      );
      for (let i = 0; i < warmup + timed; i++) {
        if (i === warmup) {
          cpuStart = { server: cpuOf([floorServer.pid]), generators: cpuOf(gens.map((g) => g.pid)) };
          fromUs = monotonicUs();
        }
        const n = triggers++;
        const payload = payloads[n % 2]!;
        const change = JSON.parse(payload) as { sessionId: number; session: { startsAt: string } };
        const d = await deliver(gens, 10_000 + n, `${change.sessionId}|${change.session.startsAt}`, () =>
          fetch(`${floorServer.url}/broadcast`, { method: "POST", headers: { "Content-Type": "application/json" }, body: payload }),
        );
        if (d.status !== 204) throw new Error(`Floor trigger ${n} answered HTTP ${d.status}.`);
        if (d.received !== CLIENTS) throw new Error(`Floor trigger ${n}: only ${d.received} of ${CLIENTS} clients received the message.`);
        if (i >= warmup) floor.push(d);
        await sleep(GAP_MS);
      }
      profileWindows.push({ side: "floor", fromUs, toUs: monotonicUs() });
      floorCpu.server += cpuOf([floorServer.pid]) - cpuStart.server;
      floorCpu.generators += cpuOf(gens.map((g) => g.pid)) - cpuStart.generators;
      await closeAll(gens);
    }

    if (REVALIDATE_SAVES > 0) {
      await connectConvene();
      console.log(`Revalidation phase: ${REVALIDATE_SAVES} saves, each followed by GET /events/${event.id}.data from every client`);
      const cpuBefore = cpuOf([server.pid]);
      for (let j = 0; j < REVALIDATE_SAVES; j++) {
        const slot = slots[saves++ % 2]!;
        const d = await deliver(gens, 20_000 + j, `${session.id}|${slot.startsAt}`, save(slot), {
          url: `${server.url}/events/${event.id}.data`,
          cookie: delegateCookie,
        });
        if (d.status !== 200) throw new Error(`Revalidation save ${j} answered HTTP ${d.status}.`);
        revalidation.push(d);
        console.log(
          `  save ${j + 1}: last client received ${fmt(d.lastMs)} ms, half of them had their data after ${fmt(d.revalidated!.medianMs)} ms, all after ${fmt(d.revalidated!.lastMs)} ms; ${d.revalidated!.failed} failed${d.revalidated!.firstFailure ? ` (${d.revalidated!.firstFailure})` : ""}`,
        );
        await sleep(1000);
      }
      revalidationCpuMs = (cpuOf([server.pid]) - cpuBefore) / REVALIDATE_SAVES;
      const probe = await fetch(`${server.url}/events/${event.id}.data`, { headers: { Cookie: delegateCookie } });
      revalidationBytes = (await probe.arrayBuffer()).byteLength;
      await closeAll(gens);
    }
  } catch (error) {
    console.error(`Server diagnostics: ${server.diagnostics()}`);
    throw error;
  } finally {
    await server.stop();
    await floorServer.stop();
    await Promise.all(gens.map((g) => g.stop()));
  }

  if (PROFILE_DIR) {
    console.log(`CPU profiles in ${resolve(PROFILE_DIR)}; timed windows on the monotonic clock, in microseconds:`);
    for (const w of profileWindows) console.log(`  ${w.side} ${w.fromUs} ${w.toUs}`);
  }

  // --- Results.
  const col = (ds: Delivery[], f: (d: Delivery) => number) => ds.map(f);
  const rows = [
    fmtSummary(
      "Convene: save -> first client",
      col(convene, (d) => d.firstMs),
    ),
    fmtSummary(
      "Convene: save -> median client",
      col(convene, (d) => d.medianMs),
    ),
    fmtSummary(
      "Convene: save -> last client",
      col(convene, (d) => d.lastMs),
    ),
    fmtSummary(
      "Convene: save POST round-trip",
      col(convene, (d) => d.requestMs),
    ),
    fmtSummary(
      "Convene: save POST server time",
      convene.map((d) => d.serverMs).filter((v): v is number => v !== null),
    ),
    fmtSummary(
      "ws floor: trigger -> first client",
      col(floor, (d) => d.firstMs),
    ),
    fmtSummary(
      "ws floor: trigger -> median client",
      col(floor, (d) => d.medianMs),
    ),
    fmtSummary(
      "ws floor: trigger -> last client",
      col(floor, (d) => d.lastMs),
    ),
    fmtSummary(
      "ws floor: trigger POST round-trip",
      col(floor, (d) => d.requestMs),
    ),
  ];
  console.log("");
  printTable(["ms", "n", "min", "p50", "p90", "p99", "max"], rows);

  const last = summary(col(convene, (d) => d.lastMs));
  const floorLast = summary(col(floor, (d) => d.lastMs));
  const ratioP50 = last.p50 / floorLast.p50;
  const ratioP99 = last.p99 / floorLast.p99;
  const goalAbsolute = last.p99 < GOAL_P99_MS;
  const goalRatio = ratioP99 <= GOAL_RATIO;
  const perSave = (ms: number) => fmt(ms / SAVES, 1);
  console.log(
    `\nCPU per save, ms: Convene server ${perSave(conveneCpu.server)}, generators ${perSave(conveneCpu.generators)}; ws floor server ${perSave(floorCpu.server)}, generators ${perSave(floorCpu.generators)}`,
  );
  console.log(`Ratio Convene / ws floor, save -> last client: p50 ${fmt(ratioP50, 2)}x, p99 ${fmt(ratioP99, 2)}x`);
  console.log(`Goal p99 save -> last client < ${GOAL_P99_MS} ms: ${goalAbsolute ? "met" : "NOT met"} (${fmt(last.p99)} ms)`);
  console.log(`Goal within ${GOAL_RATIO}x the ws floor at p99: ${goalRatio ? "met" : "NOT met"} (${fmt(ratioP99, 2)}x)`);

  const compact = (ds: Delivery[]) =>
    ds.map((d) => ({
      firstMs: +d.firstMs.toFixed(2),
      medianMs: +d.medianMs.toFixed(2),
      lastMs: +d.lastMs.toFixed(2),
      requestMs: +d.requestMs.toFixed(2),
      serverMs: d.serverMs,
    }));
  const file = saveResults("agenda-broadcast", {
    loadAverage1mAtStart: loadAtStart,
    parameters: {
      clients: CLIENTS,
      generators: GENERATORS,
      saves: SAVES,
      blocks: BLOCKS,
      warmup: WARMUP,
      firstWarmup: FIRST_WARMUP,
      gapMs: GAP_MS,
      batch: BATCH,
      receiveTimeoutMs: RECEIVE_TIMEOUT_MS,
      delegate: DELEGATE,
      editor: SECRETARIAT,
      ulimitN: ulimit,
    },
    clockOffsets: clocks,
    convene: {
      forumId,
      moved,
      connectMs: conveneConnectMs,
      serverOpenFds: serverFds,
      payloadBytes: Buffer.byteLength(payloads[0] ?? ""),
      saveToFirstMs: summary(col(convene, (d) => d.firstMs)),
      saveToMedianMs: summary(col(convene, (d) => d.medianMs)),
      saveToLastMs: last,
      postRoundTripMs: summary(col(convene, (d) => d.requestMs)),
      postServerMs: summary(convene.map((d) => d.serverMs).filter((v): v is number => v !== null)),
      cpuMsPerSave: { server: conveneCpu.server / SAVES, generators: conveneCpu.generators / SAVES },
      samples: compact(convene),
    },
    floor: {
      connectMs: floorConnectMs,
      triggerToFirstMs: summary(col(floor, (d) => d.firstMs)),
      triggerToMedianMs: summary(col(floor, (d) => d.medianMs)),
      triggerToLastMs: floorLast,
      postRoundTripMs: summary(col(floor, (d) => d.requestMs)),
      cpuMsPerTrigger: { server: floorCpu.server / SAVES, generators: floorCpu.generators / SAVES },
      samples: compact(floor),
    },
    revalidation: REVALIDATE_SAVES
      ? {
          saves: REVALIDATE_SAVES,
          dataBytes: revalidationBytes,
          serverCpuMsPerSave: revalidationCpuMs,
          samples: revalidation.map((d) => ({ lastReceivedMs: d.lastMs, postMs: d.requestMs, ...d.revalidated })),
        }
      : null,
    ratio: { p50: ratioP50, p99: ratioP99 },
    goals: { p99UnderMs: GOAL_P99_MS, p99Met: goalAbsolute, withinFloorRatio: GOAL_RATIO, ratioMet: goalRatio },
  });
  console.log(`Saved ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
