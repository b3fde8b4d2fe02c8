/**
 * Agenda page rendering: GET /events/<id> for a signed-in delegate, on a 3-day event with 400 sessions, side by side
 * with a bare Remix 2 page (bench/fixtures/bare-remix, built by this run) listing the same day's sessions from the
 * same SQLite file. For each: server time one request at a time (arrival to the last byte handed to the OS, by the
 * same preloaded probe in both processes), then throughput and latency at 50 connections with autocannon.
 */
import autocannon from "autocannon";
import { eq } from "drizzle-orm";
import { spawn, spawnSync } from "node:child_process";
import { request } from "node:http";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { DEMO_PASSWORD } from "../db/seed";
import { openDatabase } from "../db/client";
import { events } from "../db/schema";
import { daysBetween, zonedToUtc } from "../app/utils/zoned-time";
import { DAYS, ROOMS, SESSIONS, createEvent } from "./fixtures/agenda-event";
import { ROOT, deadline, fmt, printTable, procMemory, reportLoad, saveResults, signIn, startServer, summary, tempDir } from "./lib";

const WARMUP = 20;
const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 200);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
/** Goals of issue 16, as ratios to the bare page measured in the same run. */
const GOAL_P99_RATIO = 1.5;
const GOAL_THROUGHPUT_RATIO = 0.8;
const DELEGATE = "government@convene.example";
/** What a browser sends; the server compresses the page with brotli (quality 4) for it. */
const ACCEPT_ENCODING = "gzip, deflate, br";
/** When set, the server writes a V8 CPU profile into this folder on exit (slower; for finding where time goes). */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/**
 * With a profile: also load Convene's page with 50 connections (and not the bare page), so the profile shows the
 * page's cost under load; the benchmark then waits for the last page in flight before stopping the server.
 */
const PROFILE_LOAD = process.env.BENCH_PROFILE_LOAD === "1";
deadline(8 * 60_000, "agenda-render");
/** The preload both servers get, so both are timed by one rule. */
const TIMING_PROBE = "./bench/fixtures/timing-probe.mjs";
const BARE_DIR = join(ROOT, "bench", "fixtures", "bare-remix");

interface Sample {
  status: number;
  /** Convene's own Server-Timing header (until its response headers were written); null for the bare page. */
  headerMs: number | null;
  roundTripMs: number;
  bytes: number;
}

async function getPage(url: string, cookie: string, acceptEncoding = ACCEPT_ENCODING): Promise<Sample & { body: string }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { Cookie: cookie, "Accept-Encoding": acceptEncoding }, redirect: "manual" });
  const body = await res.text();
  const roundTripMs = performance.now() - started;
  const timing = /app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
  return { status: res.status, headerMs: timing ? Number(timing[1]) : null, roundTripMs, bytes: Buffer.byteLength(body), body };
}

/** Bytes on the wire, before decompression (fetch would decode them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; encoding: string | null; bytes: number }> {
  return new Promise((resolveGet, rejectGet) => {
    request(url, { headers }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () =>
        resolveGet({ status: res.statusCode ?? 0, encoding: (res.headers["content-encoding"] as string | undefined) ?? null, bytes }),
      );
      res.on("error", rejectGet);
    })
      .on("error", rejectGet)
      .end();
  });
}

/** A server process with the timing probe preloaded: its pid, and the probe's durations for a path since last asked. */
interface Probed {
  name: string;
  pid: number;
  url: string;
  pageUrl: string;
  cookie: string;
  onStderrLine(listener: (line: string) => void): () => void;
}

/** Asks the probe (SIGUSR2) for the durations it recorded for `path` since it was last asked, and resets it. */
function probeTimes(server: Probed, path: string): Promise<number[]> {
  return new Promise((resolveTimes, rejectTimes) => {
    const timer = setTimeout(() => rejectTimes(new Error(`${server.name}: the timing probe did not answer`)), 10_000);
    const stop = server.onStderrLine((line) => {
      if (!line.startsWith("bench-timing ")) return;
      clearTimeout(timer);
      stop();
      const times = JSON.parse(line.slice("bench-timing ".length)) as Record<string, number[]>;
      resolveTimes(times[path] ?? []);
    });
    process.kill(server.pid, "SIGUSR2");
  });
}

/** Builds the bare Remix app into `outDir` with Remix's own Vite build, as its developers would. */
function buildBare(outDir: string) {
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"),
      "vite:build",
      "--config",
      join(BARE_DIR, "vite.config.ts"),
      BARE_DIR,
    ],
    { cwd: ROOT, env: { ...process.env, BARE_REMIX_BUILD_DIR: outDir, NODE_ENV: "production" }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`Building the bare Remix page failed:\n${result.stdout}\n${result.stderr}`);
}

/** Starts the bare page's server (Express + compression, production mode) with the probe, on an ephemeral port. */
function startBare(
  buildDir: string,
  env: Record<string, string>,
): Promise<{ pid: number; url: string; stop(): void; onStderrLine(l: (line: string) => void): () => void }> {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(process.execPath, ["--import", TIMING_PROBE, join(BARE_DIR, "server.mjs")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", BARE_REMIX_BUILD_DIR: buildDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const listeners = new Set<(line: string) => void>();
    let stderr = "";
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (stderr.length < 10_000) stderr += `${line}\n`;
      for (const l of listeners) l(line);
    });
    const stop = () => child.kill("SIGTERM");
    process.once("exit", stop);
    child.once("exit", (code) => rejectStart(new Error(`The bare server exited (code ${code}):\n${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const port = /^bare-remix listening on (\d+)$/.exec(line)?.[1];
      if (port)
        resolveStart({
          pid: child.pid!,
          url: `http://127.0.0.1:${port}`,
          stop,
          onStderrLine: (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
        });
    });
  });
}

/** The event's first day's bounds (UTC ms) in its zone, read from the database as the bare page is given them. */
function firstDay(databasePath: string, eventId: number) {
  const db = openDatabase(databasePath);
  try {
    const event = db.select().from(events).where(eq(events.id, eventId)).get()!;
    const [first, second] = daysBetween(event.startsOn, event.endsOn);
    return {
      from: zonedToUtc(first!, "00:00", event.timeZone).getTime(),
      to: zonedToUtc(second ?? first!, "00:00", event.timeZone).getTime() + (second ? 0 : 86_400_000),
      timeZone: event.timeZone,
    };
  } finally {
    db.$client.close();
  }
}

interface Measured {
  page: { htmlBytes: number; sessionsRendered: number; compressedBytes: number; contentEncoding: string | null };
  /** Arrival to last byte, by the probe; one request at a time. */
  serverMs: ReturnType<typeof summary>;
  headerMs: ReturnType<typeof summary> | null;
  roundTripMs: ReturnType<typeof summary>;
  failed: number;
}

async function measureSequential(server: Probed): Promise<Measured> {
  const plain = await getPage(server.pageUrl, server.cookie, "identity");
  if (process.env.BENCH_SAVE_HTML) writeFileSync(`${process.env.BENCH_SAVE_HTML}-${server.name.replace(/\W+/g, "-")}.html`, plain.body);
  if (plain.status !== 200) throw new Error(`${server.name}: GET ${server.pageUrl} answered HTTP ${plain.status}`);
  const compressed = await rawGet(server.pageUrl, { Cookie: server.cookie, "Accept-Encoding": ACCEPT_ENCODING });
  const page = {
    htmlBytes: plain.bytes,
    sessionsRendered: plain.body.split('data-testid="agenda-session"').length - 1,
    compressedBytes: compressed.bytes,
    contentEncoding: compressed.encoding,
  };
  for (let i = 0; i < WARMUP; i++) await getPage(server.pageUrl, server.cookie);
  const path = new URL(server.pageUrl).pathname;
  await probeTimes(server, path);
  const samples: Sample[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const { body: _body, ...sample } = await getPage(server.pageUrl, server.cookie);
    samples.push(sample);
  }
  const probed = await probeTimes(server, path);
  if (probed.length !== SEQUENTIAL) throw new Error(`${server.name}: the probe timed ${probed.length} of ${SEQUENTIAL} requests`);
  const headers = samples.map((s) => s.headerMs).filter((v): v is number => v !== null);
  return {
    page,
    serverMs: summary(probed),
    headerMs: headers.length ? summary(headers) : null,
    roundTripMs: summary(samples.map((s) => s.roundTripMs)),
    failed: samples.filter((s) => s.status !== 200).length,
  };
}

async function measureLoad(server: Probed) {
  const load = await autocannon({
    url: server.pageUrl,
    connections: CONNECTIONS,
    duration: DURATION_S,
    timeout: 30,
    headers: { cookie: server.cookie, "accept-encoding": ACCEPT_ENCODING },
  });
  await probeTimes(server, new URL(server.pageUrl).pathname);
  const answered = load.requests.total ?? 0;
  return {
    durationS: load.duration,
    requests: answered,
    sent: load.requests.sent,
    requestsPerSecond: answered / load.duration,
    latencyMs: { p50: load.latency.p50, p90: load.latency.p90, p99: load.latency.p99, max: load.latency.max },
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
  };
}

const row = (label: string, s: ReturnType<typeof summary>) => [label, s.n, fmt(s.min), fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)];

async function main() {
  const loadAtStart = reportLoad("agenda-render");
  if (!(SEQUENTIAL >= 1 && SEQUENTIAL <= 10_000 && CONNECTIONS >= 1 && CONNECTIONS <= 500 && DURATION_S >= 1 && DURATION_S <= 120)) {
    throw new Error("BENCH_REQUESTS must be 1..10000, BENCH_CONNECTIONS 1..500, BENCH_DURATION 1..120");
  }
  const dir = tempDir();
  const databasePath = join(dir, "convene.db");
  // Inside the project, so its packages resolve from the project's node_modules (git-ignored, as every build/ is).
  const bareBuild = join(BARE_DIR, "build");
  const buildStarted = performance.now();
  buildBare(bareBuild);
  console.log(`Built the bare Remix page in ${fmt((performance.now() - buildStarted) / 1000)} s`);
  const server = await startServer({
    databasePath,
    nodeArgs: ["--import", TIMING_PROBE, ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [])],
  });
  let bare: Awaited<ReturnType<typeof startBare>> | null = null;
  try {
    const created = createEvent(databasePath, DELEGATE);
    const day = firstDay(databasePath, created.eventId);
    bare = await startBare(bareBuild, {
      BARE_DATABASE_PATH: databasePath,
      BARE_DAY_FROM: String(day.from),
      BARE_DAY_TO: String(day.to),
      BARE_TIME_ZONE: day.timeZone,
    });
    const convene: Probed = {
      name: "Convene",
      pid: server.pid,
      url: server.url,
      pageUrl: `${server.url}/events/${created.eventId}${process.env.BENCH_CONVENE_QUERY ?? ""}`,
      cookie: await signIn(server.url, DELEGATE, DEMO_PASSWORD),
      onStderrLine: server.onStderrLine,
    };
    const baseline: Probed = {
      name: "bare Remix",
      pid: bare.pid,
      url: bare.url,
      pageUrl: `${bare.url}/events/${created.eventId}`,
      cookie: "",
      onStderrLine: bare.onStderrLine,
    };
    console.log(
      `Agenda render: GET /events/${created.eventId} (${created.sessions} sessions over ${DAYS} days in ${ROOMS} rooms, ${created.starred} starred) as ${DELEGATE}, against a bare Remix page of the same day's sessions`,
    );
    console.log(
      `Servers: Convene pid ${server.pid}, bare Remix pid ${bare.pid} (node ${process.version}); each: ${SEQUENTIAL} sequential requests after ${WARMUP} warm-up, then autocannon ${CONNECTIONS} connections for ${DURATION_S} s\n`,
    );

    // Side by side: one at a time, each in turn; then under load, each in turn (an idle server costs nothing).
    const seqConvene = await measureSequential(convene);
    const seqBare = await measureSequential(baseline);
    // A profiled server is slower, and in-flight requests at the end would delay its exit (and its profile): under
    // load, one more page is asked for after the load, and answered only once the pages in flight before it are.
    const loadConvene = PROFILE_DIR && !PROFILE_LOAD ? null : await measureLoad(convene);
    if (PROFILE_DIR && PROFILE_LOAD) await getPage(convene.pageUrl, convene.cookie);
    const loadBare = PROFILE_DIR ? null : await measureLoad(baseline);
    const memory = procMemory(server.pid);
    const bareMemory = procMemory(bare.pid);

    for (const [name, m] of [
      ["Convene", seqConvene],
      ["Bare Remix", seqBare],
    ] as const)
      console.log(
        `${name}: ${fmt(m.page.htmlBytes / 1024)} KiB of HTML (${m.page.contentEncoding ?? "uncompressed"}: ${fmt(m.page.compressedBytes / 1024)} KiB), ${m.page.sessionsRendered} session cards`,
      );
    console.log("");
    const rows = [
      row("Convene: server time, 1 at a time", seqConvene.serverMs),
      row("Bare Remix: server time, 1 at a time", seqBare.serverMs),
      row("Convene: round-trip, 1 at a time", seqConvene.roundTripMs),
      row("Bare Remix: round-trip, 1 at a time", seqBare.roundTripMs),
    ];
    if (seqConvene.headerMs) rows.push(row("Convene: Server-Timing header (until headers)", seqConvene.headerMs));
    for (const [name, l] of [
      ["Convene", loadConvene],
      ["Bare Remix", loadBare],
    ] as const)
      if (l)
        rows.push([
          `${name}: latency at ${CONNECTIONS} connections`,
          l.requests,
          "",
          fmt(l.latencyMs.p50),
          fmt(l.latencyMs.p90),
          fmt(l.latencyMs.p99),
          fmt(l.latencyMs.max),
        ]);
    printTable(["ms", "n", "min", "p50", "p90", "p99", "max"], rows);
    const p99Ratio = seqConvene.serverMs.p99 / seqBare.serverMs.p99;
    const throughputRatio = loadConvene && loadBare ? loadConvene.requestsPerSecond / loadBare.requestsPerSecond : null;
    console.log("");
    for (const [name, l] of [
      ["Convene", loadConvene],
      ["Bare Remix", loadBare],
    ] as const)
      if (l)
        console.log(
          `${name}: ${fmt(l.requestsPerSecond)} pages/s at ${CONNECTIONS} connections (${l.requests} answered in ${fmt(l.durationS, 2)} s), non-2xx ${l.non2xx}, errors ${l.errors}, timeouts ${l.timeouts}`,
        );
    console.log(
      `Server memory after the run: Convene VmRSS ${fmt(memory.rssKiB / 1024)} MiB (peak ${fmt(memory.hwmKiB / 1024)} MiB); bare Remix VmRSS ${fmt(bareMemory.rssKiB / 1024)} MiB (peak ${fmt(bareMemory.hwmKiB / 1024)} MiB)`,
    );
    const p99Met = p99Ratio <= GOAL_P99_RATIO;
    console.log(
      `Goal server time p99 at most ${GOAL_P99_RATIO}x the bare page's: ${p99Met ? "met" : "NOT met"} (${fmt(p99Ratio, 2)}x: ${fmt(seqConvene.serverMs.p99)} / ${fmt(seqBare.serverMs.p99)} ms)`,
    );
    const throughputMet = throughputRatio !== null && throughputRatio >= GOAL_THROUGHPUT_RATIO;
    if (throughputRatio !== null)
      console.log(
        `Goal throughput at ${CONNECTIONS} connections at least ${GOAL_THROUGHPUT_RATIO}x the bare page's: ${throughputMet ? "met" : "NOT met"} (${fmt(throughputRatio, 2)}x)`,
      );

    const file = saveResults("agenda-render", {
      loadAverage1mAtStart: loadAtStart,
      parameters: {
        sessions: SESSIONS,
        days: DAYS,
        rooms: ROOMS,
        warmupRequests: WARMUP,
        sequentialRequests: SEQUENTIAL,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        acceptEncoding: ACCEPT_ENCODING,
        viewer: DELEGATE,
      },
      event: created,
      results: {
        convene: { sequential: seqConvene, load: loadConvene, serverMemoryKiB: memory },
        bare: { sequential: seqBare, load: loadBare, serverMemoryKiB: bareMemory },
        p99Ratio,
        throughputRatio,
      },
      goals: { p99AtMostRatio: GOAL_P99_RATIO, p99Met, throughputAtLeastRatio: GOAL_THROUGHPUT_RATIO, throughputMet },
      cpuProfile: Boolean(PROFILE_DIR),
    });
    console.log(`Saved ${file}`);
    const failures =
      seqConvene.failed +
      seqBare.failed +
      (loadConvene?.non2xx ?? 0) +
      (loadBare?.non2xx ?? 0) +
      (loadConvene?.errors ?? 0) +
      (loadBare?.errors ?? 0);
    if (failures) process.exitCode = 1;
  } catch (error) {
    console.error(`Server diagnostics: ${server.diagnostics()}`);
    throw error;
  } finally {
    bare?.stop();
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
