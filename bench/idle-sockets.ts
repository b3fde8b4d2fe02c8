/**
 * Idle socket cost: resident memory of the server child process with 0, 1,000 and 2,000 open,
 * authenticated Socket.IO connections (each confirmed by a `whoami` acknowledgement).
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import type { ClientToServerEvents, ServerToClientEvents } from "../app/realtime/protocol";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../db/seed";
import {
  deadline,
  fmt,
  median,
  printTable,
  procMemory,
  removeTempDir,
  saveResults,
  sleep,
  reportLoad,
  startServer,
  tempDir,
  type ServerChild,
} from "./lib";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Transports = ("polling" | "websocket")[];

const POINTS = [1000, 2000] as const;
const BATCH = 100;
const WARMUP_SOCKETS = 50;
const SETTLE_MS = 10_000;
const AFTER_GC_MS = 3000;
const SAMPLES = 5;
const SAMPLE_GAP_MS = 500;
const MODES: { label: string; transports: Transports }[] = [
  { label: "websocket only", transports: ["websocket"] },
  { label: "polling, then upgrade", transports: ["polling", "websocket"] },
];
deadline(8 * 60_000, "idle-sockets");

async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/sign-in`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ email: DEMO_ACCOUNTS[2]!.email, password: DEMO_PASSWORD }).toString(),
    redirect: "manual",
  });
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("convene_session="));
  if (res.status !== 302 || !cookie) throw new Error(`Sign-in failed: HTTP ${res.status}`);
  return cookie.split(";")[0]!;
}

/** Opens one socket and resolves once `whoami` has answered ok (and, when polling first, once it has upgraded). */
function openSocket(url: string, cookie: string, transports: Transports): Promise<ClientSocket> {
  return new Promise((resolveOpen, rejectOpen) => {
    const socket: ClientSocket = io(url, {
      parser,
      transports,
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
      extraHeaders: { Cookie: cookie, Origin: url },
    });
    const fail = (error: Error) => {
      socket.close();
      rejectOpen(error);
    };
    socket.once("connect_error", (error) => fail(new Error(`connect_error: ${error.message}`)));
    socket.once("connect", async () => {
      try {
        const res = await socket.timeout(20_000).emitWithAck("whoami", {});
        if (!res.ok) return fail(new Error(`whoami refused: ${res.error}`));
        const engine = socket.io.engine;
        if (transports.includes("websocket") && engine.transport.name !== "websocket") {
          await new Promise<void>((r, j) => {
            const timer = setTimeout(() => j(new Error("no upgrade to websocket within 20 s")), 20_000);
            engine.once("upgrade", () => {
              clearTimeout(timer);
              r();
            });
          });
        }
        resolveOpen(socket);
      } catch (error) {
        fail(error as Error);
      }
    });
  });
}

async function openMany(url: string, cookie: string, transports: Transports, count: number, into: ClientSocket[]) {
  for (let opened = 0; opened < count; opened += BATCH) {
    const n = Math.min(BATCH, count - opened);
    into.push(...(await Promise.all(Array.from({ length: n }, () => openSocket(url, cookie, transports)))));
  }
}

/** Median of a few /proc samples, in KiB. */
async function sampleRss(pid: number) {
  const rss: number[] = [];
  const anon: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    if (i) await sleep(SAMPLE_GAP_MS);
    const m = procMemory(pid);
    rss.push(m.rssKiB);
    anon.push(m.rssAnonKiB);
  }
  return { rssKiB: median(rss), rssAnonKiB: median(anon), samplesKiB: rss };
}

interface ProbeReport {
  gc: boolean;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Asks the preloaded probe in the server (bench/fixtures/memory-probe.mjs) for a full GC and its memory figures. */
function collectGarbage(server: ServerChild): Promise<ProbeReport> {
  return new Promise((resolveReport, rejectReport) => {
    const timer = setTimeout(() => {
      off();
      rejectReport(new Error("The server's memory probe did not answer."));
    }, 10_000);
    const off = server.onStderrLine((line) => {
      if (!line.startsWith("bench-memory ")) return;
      clearTimeout(timer);
      off();
      resolveReport(JSON.parse(line.slice("bench-memory ".length)) as ProbeReport);
    });
    server.child.kill("SIGUSR2");
  });
}

/**
 * One measurement point: first the plain figure (median RSS after a settle period), then the same after a
 * forced full GC in the server, with its V8 heap figures.
 */
async function measurePoint(server: ServerChild, sockets: number, openMs: number) {
  await sleep(SETTLE_MS);
  const plain = await sampleRss(server.pid);
  const probe = await collectGarbage(server);
  if (!probe.gc) throw new Error("The server was not started with --expose-gc.");
  await sleep(AFTER_GC_MS);
  const afterGc = await sampleRss(server.pid);
  return {
    sockets,
    openMs,
    serverOpenFds: readdirSync(`/proc/${server.pid}/fd`).length,
    rssKiB: plain.rssKiB,
    rssAnonKiB: plain.rssAnonKiB,
    rssSamplesKiB: plain.samplesKiB,
    afterGc: {
      rssKiB: afterGc.rssKiB,
      rssAnonKiB: afterGc.rssAnonKiB,
      heapUsedKiB: probe.heapUsed / 1024,
      heapTotalKiB: probe.heapTotal / 1024,
      externalKiB: probe.external / 1024,
    },
  };
}

type Point = Awaited<ReturnType<typeof measurePoint>>;

const slopes = (a: Point, b: Point) => {
  const n = b.sockets - a.sockets;
  return {
    rss: (b.rssKiB - a.rssKiB) / n,
    rssAfterGc: (b.afterGc.rssKiB - a.afterGc.rssKiB) / n,
    heapUsed: (b.afterGc.heapUsedKiB - a.afterGc.heapUsedKiB) / n,
    external: (b.afterGc.externalKiB - a.afterGc.externalKiB) / n,
  };
};

async function measure(label: string, transports: Transports) {
  const dir = tempDir();
  const server = await startServer({
    databasePath: join(dir, "convene.db"),
    nodeArgs: ["--expose-gc", "--import", "./bench/fixtures/memory-probe.mjs"],
  });
  const sockets: ClientSocket[] = [];
  try {
    const cookie = await sessionCookie(server.url);
    // Exercise the handshake path once, so the baseline already includes code loaded on first use.
    const warm: ClientSocket[] = [];
    await openMany(server.url, cookie, transports, WARMUP_SOCKETS, warm);
    for (const s of warm) s.close();
    const points: Point[] = [await measurePoint(server, 0, 0)];
    for (const target of POINTS) {
      const started = performance.now();
      await openMany(server.url, cookie, transports, target - sockets.length, sockets);
      const openMs = performance.now() - started;
      const connected = sockets.filter((s) => s.connected).length;
      if (connected !== target) throw new Error(`${target - connected} of ${target} sockets dropped`);
      points.push(await measurePoint(server, target, openMs));
    }
    const perSocketKiB = slopes(points[0]!, points[points.length - 1]!);
    return { label, transports, points, perSocketKiB, perSocketKiBSecondStep: slopes(points[1]!, points[2]!) };
  } catch (error) {
    console.error(`Server diagnostics: ${server.diagnostics()}`);
    throw error;
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
    removeTempDir(dir);
  }
}

async function main() {
  const loadAtStart = reportLoad("idle-sockets");
  const ulimit = execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
  console.log(`Idle sockets: RSS of the server child at 0 / ${POINTS.join(" / ")} authenticated sockets (node ${process.version})`);
  console.log(
    `ulimit -n: ${ulimit}; sockets opened ${BATCH} at a time; RSS = median of ${SAMPLES} samples after ${SETTLE_MS / 1000} s settle,`,
  );
  console.log("then again after a forced full GC in the server; one session cookie shared by all sockets\n");
  const needed = Math.max(...POINTS) + 100;
  if (ulimit !== "unlimited" && Number(ulimit) < needed)
    throw new Error(`ulimit -n is ${ulimit}; at least ${needed} open files are needed.`);

  const runs = [];
  for (const mode of MODES) runs.push(await measure(mode.label, mode.transports));

  const mib = (kib: number) => fmt(kib / 1024);
  const rows: (string | number)[][] = [];
  for (const r of runs) {
    for (const p of r.points) {
      rows.push([
        r.label,
        p.sockets,
        p.serverOpenFds,
        mib(p.rssKiB),
        mib(p.afterGc.rssKiB),
        mib(p.afterGc.heapUsedKiB),
        mib(p.afterGc.externalKiB),
        p.sockets ? fmt(p.openMs / 1000, 2) : "-",
      ]);
    }
  }
  printTable(
    ["transports", "sockets", "server fds", "VmRSS MiB", "VmRSS after GC MiB", "heap used MiB", "external MiB", "open time s"],
    rows,
  );
  console.log("\nPer socket, KiB (MiB per 1,000 = KiB x 1000 / 1024):");
  const slopeRows: (string | number)[][] = [];
  for (const r of runs) {
    for (const [step, s] of [
      [`0 -> ${POINTS[1]}`, r.perSocketKiB],
      [`${POINTS[0]} -> ${POINTS[1]}`, r.perSocketKiBSecondStep],
    ] as const) {
      slopeRows.push([
        r.label,
        step,
        fmt(s.rss),
        fmt((s.rss * 1000) / 1024),
        fmt(s.rssAfterGc),
        fmt((s.rssAfterGc * 1000) / 1024),
        fmt(s.heapUsed),
        fmt(s.external),
      ]);
    }
  }
  printTable(["transports", "step", "VmRSS", "MiB/1000", "VmRSS after GC", "MiB/1000", "heap used", "external"], slopeRows);

  const file = saveResults("idle-sockets", {
    loadAverage1mAtStart: loadAtStart,
    parameters: {
      points: POINTS,
      batch: BATCH,
      warmupSockets: WARMUP_SOCKETS,
      settleMs: SETTLE_MS,
      afterGcMs: AFTER_GC_MS,
      samples: SAMPLES,
      sampleGapMs: SAMPLE_GAP_MS,
      ulimitN: ulimit,
    },
    runs,
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
