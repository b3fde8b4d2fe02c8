/**
 * The opening minute (issue 16): 2,000 signed-in delegates open the agenda of a 400-session event within
 * 60 s, each keeping the page's live connection, while the secretariat moves a session every 10 s.
 * Measured: every page answered, the page's round trip (p99 under 2 s), every move heard on every page
 * that was open when it was made, and the server's CPU and memory over the minute.
 *
 * Processes: this one (prepares the database, plans the arrivals, makes the moves, collects), the server
 * under test, and one or two load-generator processes (bench/fixtures/opening-clients.ts) that play the
 * delegates. Arrivals are a seeded Poisson process over the minute (uniform arrival times, sorted).
 * After every delegate has its page and connection, two more moves are made with every page open.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { openDatabase } from "../db/client";
import { DEMO_PASSWORD } from "../db/seed";
import { getEvent, listRooms, listSessions } from "../app/models/agenda.server";
import { zonedToUtc } from "../app/utils/zoned-time";
import { createEvent, DAYS, ROOMS } from "./fixtures/agenda-event";
import { createDelegates } from "./fixtures/opening-delegates";
import type { DelegateSample, MoveDelivery, MoveWindow, OpeningCommand, OpeningReply, PlannedDelegate } from "./fixtures/opening-clients";
import {
  LoadGenerator,
  cpuTimeMs,
  deadline,
  fmt,
  openFilesLimit,
  percentile,
  printTable,
  procMemory,
  reportLoad,
  saveResults,
  signIn,
  sleep,
  startServer,
  postMove,
  summary,
  tempDir,
  wallNow,
} from "./lib";

const DELEGATES = Number(process.env.BENCH_DELEGATES ?? 2000);
const OPENING_S = Number(process.env.BENCH_OPENING_S ?? 60);
const MOVE_EVERY_S = Number(process.env.BENCH_MOVE_EVERY_S ?? 10);
const GENERATORS = Number(process.env.BENCH_GENERATORS ?? 1);
const SEED = Number(process.env.BENCH_SEED ?? 16);
/** Moves made once every delegate has its page and connection, so every page is open for them. */
const SETTLED_MOVES = 2;
const WARMUP_PAGES = 10;
/** The last move counts as missed on a page that has not heard it within this time. */
const LAST_MOVE_TIMEOUT_MS = 10_000;
/**
 * Every delegate should have its page and connection (or have failed) within this time after the minute; one
 * that has not by then counts as failed (a page not answered, or a connection not made), and the run goes on.
 */
const SETTLE_TIMEOUT_MS = 3 * 60_000;
const GOAL_PAGE_P99_MS = 2000;
const SECRETARIAT = "secretariat@convene.example";
/** What a browser sends; the server compresses the page for it. */
const ACCEPT_ENCODING = "gzip, deflate, br";
/** When set, the server writes a V8 CPU profile into this folder on exit (slower; for finding where time goes). */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
deadline(9.5 * 60_000, "opening-minute");

/** The parent's side of one load-generator process. */
class Generator extends LoadGenerator<OpeningCommand, OpeningReply> {
  constructor(index: number) {
    super(index, "bench/fixtures/opening-clients.ts");
  }
}

/** mulberry32: a small seeded generator, so that every run plans the same arrivals. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Move {
  id: number;
  key: string;
  settled: boolean;
  planned: number;
  started: number;
  status: number;
  requestMs: number;
  serverMs: number | null;
}

function cpuOf(pids: number[]) {
  return pids.reduce((sum, pid) => {
    const t = cpuTimeMs(pid);
    return sum + t.userMs + t.systemMs;
  }, 0);
}

const fmtSummary = (label: string, values: number[]) => {
  if (values.length === 0) return [label, 0, "–", "–", "–", "–", "–"];
  const s = summary(values);
  return [label, s.n, fmt(s.min), fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)];
};

async function main() {
  const loadAtStart = reportLoad("opening-minute");
  if (!(DELEGATES >= 1 && DELEGATES <= 5000 && OPENING_S >= 5 && OPENING_S <= 120 && MOVE_EVERY_S >= 1 && MOVE_EVERY_S <= OPENING_S)) {
    throw new Error("BENCH_DELEGATES must be 1..5000, BENCH_OPENING_S 5..120, BENCH_MOVE_EVERY_S 1..BENCH_OPENING_S");
  }
  if (GENERATORS !== 1 && GENERATORS !== 2) throw new Error("BENCH_GENERATORS must be 1 or 2");
  const ulimit = openFilesLimit();
  if (ulimit !== "unlimited" && Number(ulimit) < DELEGATES * 2 + 200)
    throw new Error(`ulimit -n is ${ulimit}; at least ${DELEGATES * 2 + 200} open files are needed (run "ulimit -n 8192" first).`);

  const dir = tempDir();
  const databasePath = join(dir, "convene.db");
  const server = await startServer({ databasePath, nodeArgs: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [] });
  const gens: Generator[] = [];
  try {
    // --- The event, the delegates, the secretariat, and the session it moves.
    const created = createEvent(databasePath);
    const prepared = performance.now();
    const cookies = await createDelegates(databasePath, DELEGATES);
    const preparedMs = performance.now() - prepared;
    const db = openDatabase(databasePath);
    const event = getEvent(db, created.eventId)!;
    const roomIds = listRooms(db, event.id).map((r) => r.id);
    // A session of the first day, the one the page shows: it goes back and forth between two free slots after
    // the last day's sessions end, so no move clashes with anything.
    const session = listSessions(db, event.id).find((s) => s.roomId !== null && s.kind !== "break")!;
    db.$client.close();
    const slots = [
      { roomId: roomIds[1]!, date: event.endsOn, startTime: "18:00", endTime: "18:30" },
      { roomId: roomIds[2]!, date: event.endsOn, startTime: "19:00", endTime: "19:30" },
    ].map((s) => ({ ...s, startsAt: zonedToUtc(s.date, s.startTime, event.timeZone).toISOString() }));
    const secretariatCookie = await signIn(server.url, SECRETARIAT, DEMO_PASSWORD);
    const pageUrl = `${server.url}/events/${event.id}`;
    console.log(
      `Opening minute: ${DELEGATES} delegates (accounts and sessions made in ${fmt(preparedMs / 1000, 2)} s) open GET /events/${event.id} (${created.sessions} sessions over ${DAYS} days in ${ROOMS} rooms) within ${OPENING_S} s, in ${GENERATORS} generator process(es); the secretariat moves session ${session.id} every ${MOVE_EVERY_S} s`,
    );
    console.log(
      `Server pid ${server.pid} at ${server.url} (node ${process.version})${PROFILE_DIR ? `; CPU profile into ${PROFILE_DIR}` : ""}`,
    );

    const move = async (id: number, settled: boolean, planned: number): Promise<Move> => {
      const slot = slots[id % 2]!;
      const key = `${session.id}|${slot.startsAt}`;
      const started = wallNow();
      let res: Response;
      try {
        res = await postMove(server.url, secretariatCookie, event.id, session.id, slot);
        await res.arrayBuffer();
      } catch (error) {
        // A move the server did not answer is a failed move (and its pages count as not told), not the end of the run.
        const cause = (error as Error & { cause?: Error }).cause?.message;
        console.error(`Move ${id} failed: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
        return { id, key, settled, planned, started, status: 0, requestMs: wallNow() - started, serverMs: null };
      }
      const timing = /app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
      return {
        id,
        key,
        settled,
        planned,
        started,
        status: res.status,
        requestMs: wallNow() - started,
        serverMs: timing ? Number(timing[1]) : null,
      };
    };

    // A server that has just started: a few pages and one move first, as a forum's server has served before it opens.
    for (let i = 0; i < WARMUP_PAGES; i++) {
      const res = await fetch(pageUrl, { headers: { Cookie: cookies[i % cookies.length]!, "Accept-Encoding": ACCEPT_ENCODING } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`Warm-up page answered HTTP ${res.status}.`);
    }
    const warm = await move(1, false, wallNow());
    if (warm.status !== 200) throw new Error(`The warm-up move answered HTTP ${warm.status}.`);

    // --- The plan: arrival times over the minute, dealt to the generators in turn.
    for (let i = 0; i < GENERATORS; i++) gens.push(new Generator(i));
    const clocks = await Promise.all(gens.map((g) => g.clockOffset()));
    for (const [i, c] of clocks.entries())
      console.log(`Generator ${i} (pid ${gens[i]!.pid}): clock offset ${fmt(c.offsetMs, 3)} ms, within ±${fmt(c.roundTripMs / 2, 3)} ms`);
    const random = seeded(SEED);
    const offsets = Array.from({ length: DELEGATES }, () => random() * OPENING_S * 1000).sort((a, b) => a - b);
    const t0 = wallNow() + 2000;
    const plans: PlannedDelegate[][] = gens.map(() => []);
    for (const [index, offset] of offsets.entries()) plans[index % GENERATORS]!.push({ index, cookie: cookies[index]!, at: t0 + offset });
    const settleBy = t0 + OPENING_S * 1000 + SETTLE_TIMEOUT_MS;
    const settledReplies = gens.map((g) =>
      g
        .next("settled", () => true, settleBy - wallNow())
        .then(
          (r) => r.at,
          () => null,
        ),
    );
    for (const [i, g] of gens.entries())
      g.send({ type: "start", url: server.url, eventId: event.id, acceptEncoding: ACCEPT_ENCODING, delegates: plans[i]! });

    const genPids = gens.map((g) => g.pid);
    await sleep(Math.max(0, t0 - wallNow()));
    const cpuStart = { server: cpuOf([server.pid]), generators: cpuOf(genPids), at: wallNow() };
    // The server's CPU over the minute itself, whatever is still queued at its end.
    let cpuMinute = cpuStart;
    const minuteTimer = setTimeout(
      () => (cpuMinute = { server: cpuOf([server.pid]), generators: cpuOf(genPids), at: wallNow() }),
      OPENING_S * 1000,
    );
    const loadAtOpening = reportLoad("opening-minute (as the minute starts)");

    // --- The minute: a move every MOVE_EVERY_S seconds, the first half a period in.
    const moves: Move[] = [];
    let nextId = 0;
    for (let at = (MOVE_EVERY_S * 1000) / 2; at < OPENING_S * 1000; at += MOVE_EVERY_S * 1000) {
      await sleep(Math.max(0, t0 + at - wallNow()));
      moves.push(await move(nextId++, false, t0 + at));
    }
    const settledTimes = await Promise.all(settledReplies);
    clearTimeout(minuteTimer);
    const allSettled = settledTimes.every((t) => t !== null);
    const settledAt = allSettled ? Math.max(...(settledTimes as number[])) : wallNow();
    const cpuSettled = { server: cpuOf([server.pid]), generators: cpuOf(genPids), at: wallNow() };
    // Every delegate settled before the minute's timer fired: the minute's figures are those up to now.
    if (cpuMinute === cpuStart) cpuMinute = cpuSettled;
    const memorySettled = procMemory(server.pid);
    const serverFds = readdirSync(`/proc/${server.pid}/fd`).length;
    console.log(
      allSettled
        ? `Every delegate had its page and connection (or had failed) ${fmt((settledAt - t0) / 1000, 2)} s after the minute began`
        : `Not every delegate had its page and connection ${fmt((settledAt - t0) / 1000, 2)} s after the minute began: those still waiting count as failed`,
    );

    // --- With every page open: more moves, still MOVE_EVERY_S apart.
    for (let k = 0; k < SETTLED_MOVES; k++) {
      const previous = moves.at(-1)?.planned ?? t0;
      const planned = Math.max(wallNow() + 500, previous + MOVE_EVERY_S * 1000);
      await sleep(Math.max(0, planned - wallNow()));
      moves.push(await move(nextId++, true, planned));
    }
    // The last move's window ends once every open page has heard it, or after the timeout.
    const last = moves.at(-1)!;
    const lastDeadline = last.started + LAST_MOVE_TIMEOUT_MS;
    for (let poll = 0; wallNow() < lastDeadline; poll++) {
      const counts = await Promise.all(
        gens.map((g) => {
          const reply = g.next("count", (m) => m.id === poll);
          g.send({ type: "count", id: poll, key: last.key, since: last.started });
          return reply;
        }),
      );
      if (counts.every((c) => c.received === c.expected)) break;
      await sleep(100);
    }
    const windows: MoveWindow[] = moves.map((m, i) => ({
      id: m.id,
      key: m.key,
      from: m.started,
      until: moves[i + 1]?.started ?? wallNow() + 1,
    }));
    const cpuEnd = { server: cpuOf([server.pid]), generators: cpuOf(genPids), at: wallNow() };
    const memoryEnd = procMemory(server.pid);
    const reports = await Promise.all(
      gens.map((g) => {
        const reply = g.next("report");
        g.send({ type: "report", moves: windows });
        return reply;
      }),
    );
    await Promise.all(
      gens.map((g) => {
        const closed = g.next("closed");
        g.send({ type: "close" });
        return closed;
      }),
    );

    // --- Results.
    const samples: DelegateSample[] = reports.flatMap((r) => r.samples);
    const deliveries = moves.map((m) => {
      const parts = reports.map((r) => r.moves.find((d) => d.id === m.id)!);
      const sum = (f: (d: MoveDelivery) => number) => parts.reduce((n, d) => n + f(d), 0);
      const lasts = parts.map((d) => d.last).filter((t): t is number => t !== null);
      return {
        ...m,
        expected: sum((d) => d.expected),
        received: sum((d) => d.received),
        extra: sum((d) => d.extra),
        lastMs: lasts.length ? Math.max(...lasts) - m.started : null,
      };
    });
    const answered = samples.filter((s) => s.status === 200);
    const failed = samples.filter((s) => s.status !== 200);
    const joined = samples.filter((s) => s.joined !== null);
    const dropped = samples.filter((s) => s.disconnected !== null);
    const upgraded = samples.filter((s) => s.upgraded);
    const roundTrips = answered.map((s) => s.roundTripMs);
    const serverTimes = answered.map((s) => s.serverMs).filter((v): v is number => v !== null);
    const lateStart = samples.map((s) => s.started - s.planned);
    const pageToJoined = answered.filter((s) => s.joined !== null).map((s) => s.joined! - (s.started + s.roundTripMs));
    const missing = deliveries.reduce((n, d) => n + d.expected - d.received, 0);

    console.log("");
    printTable(
      ["ms", "n", "min", "p50", "p90", "p99", "max"],
      [
        fmtSummary("page round-trip (GET, whole body)", roundTrips),
        fmtSummary("page server time (Server-Timing app;dur)", serverTimes),
        fmtSummary("page answered -> room joined (live connection)", pageToJoined),
        fmtSummary("generator lateness (request left - planned)", lateStart),
        fmtSummary(
          "move: POST round-trip",
          moves.map((m) => m.requestMs),
        ),
        fmtSummary(
          "move: POST server time",
          moves.map((m) => m.serverMs).filter((v): v is number => v !== null),
        ),
        fmtSummary(
          "move: save -> last open page",
          deliveries.map((d) => d.lastMs).filter((v): v is number => v !== null),
        ),
      ],
    );
    console.log("");
    printTable(
      ["move", "at s", "kind", "HTTP", "POST ms", "pages open", "heard it", "missing", "save -> last page ms"],
      deliveries.map((d) => [
        d.id,
        fmt((d.started - t0) / 1000, 1),
        d.settled ? "all open" : "minute",
        d.status,
        fmt(d.requestMs),
        d.expected,
        d.received,
        d.expected - d.received,
        d.lastMs === null ? "–" : fmt(d.lastMs),
      ]),
    );
    // The queue as it builds: the pages of those who arrived in each tenth of the minute.
    const bucketMs = (OPENING_S * 1000) / 10;
    const buckets = Array.from({ length: 10 }, (_, b) => {
      const arrived = samples.filter((s) => Math.min(9, Math.floor((s.planned - t0) / bucketMs)) === b);
      const times = arrived.filter((s) => s.status === 200).map((s) => s.roundTripMs);
      return {
        fromS: (b * bucketMs) / 1000,
        arrived: arrived.length,
        answered: times.length,
        roundTripMs: times.length ? summary(times) : null,
      };
    });
    console.log("");
    printTable(
      ["arrived at s", "arrived", "answered", "round-trip p50 ms", "p99 ms", "max ms"],
      buckets.map((b) => [
        `${fmt(b.fromS, 0)}-${fmt(b.fromS + bucketMs / 1000, 0)}`,
        b.arrived,
        b.answered,
        b.roundTripMs ? fmt(b.roundTripMs.p50) : "–",
        b.roundTripMs ? fmt(b.roundTripMs.p99) : "–",
        b.roundTripMs ? fmt(b.roundTripMs.max) : "–",
      ]),
    );
    const lastPageAt = answered.length ? Math.max(...answered.map((s) => s.started + s.roundTripMs)) : t0;
    const pagesPerSecond = answered.length / ((lastPageAt - t0) / 1000);
    const minuteMs = cpuMinute.at - cpuStart.at;
    const minuteServerCpuMs = cpuMinute.server - cpuStart.server;
    const openingMs = cpuSettled.at - cpuStart.at;
    const serverCpuMs = cpuSettled.server - cpuStart.server;
    const generatorCpuMs = cpuSettled.generators - cpuStart.generators;
    const pageBytes = answered.length ? summary(answered.map((s) => s.bytes)).p50 : 0;
    console.log(
      `\nPages: ${answered.length} answered, ${failed.length} failed${failed.length ? ` (first: ${failed[0]!.error ?? `HTTP ${failed[0]!.status}`})` : ""}; ${fmt(pageBytes / 1024)} KiB of HTML each (decoded); the last answered ${fmt((lastPageAt - t0) / 1000, 1)} s after the minute began (${fmt(pagesPerSecond)} pages/s on average)`,
    );
    const reasons = (list: (string | null)[]) => {
      const counts = new Map<string, number>();
      for (const r of list) if (r) counts.set(r.slice(0, 100), (counts.get(r.slice(0, 100)) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1]);
    };
    const pageFailureReasons = reasons(failed.map((s) => s.error ?? `HTTP ${s.status}`));
    for (const [reason, n] of pageFailureReasons) console.log(`  page failed ${n}x: ${reason}`);
    const socketFailures = samples.filter((s) => s.socketError);
    const socketFailureReasons = reasons(socketFailures.map((s) => s.socketError));
    for (const [reason, n] of socketFailureReasons) console.log(`  connection failed ${n}x: ${reason}`);
    const dropReasons = reasons(dropped.filter((s) => s.joined !== null).map((s) => s.disconnectReason));
    for (const [reason, n] of dropReasons) console.log(`  live connection dropped after joining ${n}x: ${reason}`);
    console.log(
      `Live connections: ${joined.length} joined the event's room, ${upgraded.length} upgraded to WebSocket, ${dropped.length} dropped, ${socketFailures.length} failed${socketFailures.length ? ` (first: ${socketFailures[0]!.socketError})` : ""}; the server held ${serverFds} open files`,
    );
    console.log(
      `Moves: ${moves.length} (${moves.length - SETTLED_MOVES} during the minute, ${SETTLED_MOVES} with every page open); deliveries expected ${deliveries.reduce((n, d) => n + d.expected, 0)}, missing ${missing}`,
    );
    console.log(
      `Server CPU over the minute (${fmt(minuteMs / 1000, 1)} s): ${fmt(minuteServerCpuMs, 0)} ms, ${fmt((minuteServerCpuMs / minuteMs) * 100, 0)} % of one core; ${answered.length ? fmt(serverCpuMs / answered.length, 1) : "–"} ms of server CPU per answered page (with its live connection) until the end of the wait`,
    );
    console.log(
      `Server CPU from the minute's start until every page was open or the wait ended (${fmt(openingMs / 1000, 1)} s): ${fmt(serverCpuMs, 0)} ms, ${fmt((serverCpuMs / openingMs) * 100, 0)} % of one core; generators ${fmt(generatorCpuMs, 0)} ms (${fmt((generatorCpuMs / openingMs) * 100, 0)} %)`,
    );
    console.log(
      `Server memory: when every page was open VmRSS ${fmt(memorySettled.rssKiB / 1024)} MiB; at the end VmRSS ${fmt(memoryEnd.rssKiB / 1024)} MiB, peak (VmHWM) ${fmt(memoryEnd.hwmKiB / 1024)} MiB`,
    );
    // The goal's p99 is over every delegate: a page never answered counts as slower than any that was.
    const p99 = percentile(
      samples.map((s) => (s.status === 200 ? s.roundTripMs : Number.POSITIVE_INFINITY)),
      99,
    );
    const goals = {
      allAnswered: answered.length === DELEGATES,
      pageP99Under2s: p99 < GOAL_PAGE_P99_MS,
      everyMoveOnEveryPage: missing === 0 && moves.every((m) => m.status === 200),
      everyConnectionKept: joined.length === DELEGATES && dropped.length === 0,
    };
    console.log(`Goal every page answered: ${goals.allAnswered ? "met" : "NOT met"} (${answered.length} of ${DELEGATES})`);
    console.log(
      `Goal page p99 < ${GOAL_PAGE_P99_MS} ms: ${goals.pageP99Under2s ? "met" : "NOT met"} (${Number.isFinite(p99) ? `${fmt(p99)} ms` : "more than 1 % of pages not answered"}; over answered pages only ${roundTrips.length ? `${fmt(summary(roundTrips).p99)} ms` : "–"})`,
    );
    const unanswered = moves.filter((m) => m.status !== 200).length;
    console.log(
      `Goal every move on every open page: ${goals.everyMoveOnEveryPage ? "met" : "NOT met"} (${missing} deliveries missing; ${unanswered} of ${moves.length} moves not saved)`,
    );
    console.log(
      `Every page kept its live connection: ${goals.everyConnectionKept ? "yes" : "NO"} (${joined.length} joined, ${dropped.length} dropped)`,
    );

    const file = saveResults("opening-minute", {
      loadAverage1mAtStart: loadAtStart,
      loadAverage1mAtOpening: loadAtOpening,
      parameters: {
        delegates: DELEGATES,
        openingS: OPENING_S,
        moveEveryS: MOVE_EVERY_S,
        settledMoves: SETTLED_MOVES,
        generators: GENERATORS,
        seed: SEED,
        warmupPages: WARMUP_PAGES,
        acceptEncoding: ACCEPT_ENCODING,
        ulimitN: ulimit,
      },
      event: { ...created, movedSessionId: session.id, slots },
      clockOffsets: clocks,
      results: {
        pages: {
          answered: answered.length,
          failed: failed.length,
          bytesP50: pageBytes,
          lastAnsweredAfterS: (lastPageAt - t0) / 1000,
          pagesPerSecond,
        },
        byArrival: buckets,
        pageRoundTripMs: roundTrips.length ? summary(roundTrips) : null,
        pageServerMs: serverTimes.length ? summary(serverTimes) : null,
        pageToJoinedMs: pageToJoined.length ? summary(pageToJoined) : null,
        generatorLatenessMs: summary(lateStart),
        pageFailureReasons,
        sockets: {
          joined: joined.length,
          upgraded: upgraded.length,
          dropped: dropped.length,
          failed: socketFailures.length,
          socketFailureReasons,
        },
        settledAfterS: allSettled ? (settledAt - t0) / 1000 : null,
        serverOpenFds: serverFds,
        moves: deliveries.map(({ key: _key, planned: _planned, started, ...d }) => ({ atS: (started - t0) / 1000, ...d })),
        missingDeliveries: missing,
        cpu: {
          minuteMs,
          minuteServerMs: minuteServerCpuMs,
          minuteServerPercentOfOneCore: (minuteServerCpuMs / minuteMs) * 100,
          openingMs,
          serverMs: serverCpuMs,
          serverPercentOfOneCore: (serverCpuMs / openingMs) * 100,
          generatorsMs: generatorCpuMs,
          wholeRunServerMs: cpuEnd.server - cpuStart.server,
        },
        serverMemoryKiB: { whenAllOpen: memorySettled, atEnd: memoryEnd },
      },
      goals: { ...goals, pageP99Ms: Number.isFinite(p99) ? p99 : null },
      cpuProfile: Boolean(PROFILE_DIR),
    });
    console.log(`Saved ${file}`);
    if (!Object.values(goals).every(Boolean)) process.exitCode = 1;
  } catch (error) {
    console.error(`Server diagnostics: ${server.diagnostics()}`);
    throw error;
  } finally {
    for (const g of gens) void g.stop();
    await server.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
