/**
 * Sign-in throughput and latency: concurrent form POSTs to /sign-in against a server child process,
 * each verifying an argon2id hash, creating a session and answering 302 with a session cookie.
 */
import { join } from "node:path";
import { ARGON2_PARAMS } from "../app/models/password.server";
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from "../db/seed";
import { deadline, fmt, printTable, procMemory, saveResults, reportLoad, startServer, summary, tempDir } from "./lib";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TOTAL = Number(process.env.BENCH_REQUESTS ?? 400);
const WARMUP = 20;
/** Sequential sign-ins after the concurrent run: the cost of one sign-in with no queueing. */
const SERIAL = 35;
deadline(5 * 60_000, "sign-in");

interface Sample {
  ok: boolean;
  status: number;
  serverMs: number | null;
  roundTripMs: number;
  problem?: string;
}

async function signInOnce(url: string, email: string): Promise<Sample> {
  const body = new URLSearchParams({ email, password: DEMO_PASSWORD }).toString();
  const started = performance.now();
  try {
    const res = await fetch(`${url}/sign-in`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
      body,
      redirect: "manual",
    });
    await res.arrayBuffer();
    const roundTripMs = performance.now() - started;
    const timing = /app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
    const serverMs = timing ? Number(timing[1]) : null;
    // A right password answers a session, or (secretariat accounts, second factor) the pending sign-in that asks for it.
    const cookie = res.headers
      .getSetCookie()
      .some((c) => (c.startsWith("convene_session=") && !c.startsWith("convene_session=;")) || c.startsWith("convene_pending="));
    const ok = res.status === 302 && cookie;
    return {
      ok,
      status: res.status,
      serverMs,
      roundTripMs,
      problem: ok ? undefined : `HTTP ${res.status}${cookie ? "" : ", no session cookie"}`,
    };
  } catch (error) {
    return { ok: false, status: 0, serverMs: null, roundTripMs: performance.now() - started, problem: (error as Error).message };
  }
}

/** Runs `total` sign-ins over `concurrency` loops, spreading them over the demo accounts in turn. */
async function run(url: string, total: number, concurrency: number) {
  const samples: Sample[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        samples.push(await signInOnce(url, DEMO_ACCOUNTS[i % DEMO_ACCOUNTS.length]!.email));
      }
    }),
  );
  return { samples, wallMs: performance.now() - started };
}

async function main() {
  const loadAtStart = reportLoad("sign-in");
  if (!(CONCURRENCY >= 1 && CONCURRENCY <= 200 && TOTAL >= 1 && TOTAL <= 10_000))
    throw new Error("BENCH_CONCURRENCY must be 1..200, BENCH_REQUESTS 1..10000");
  const dir = tempDir();
  const server = await startServer({ databasePath: join(dir, "convene.db") });
  try {
    const { memoryCost, timeCost, parallelism } = ARGON2_PARAMS;
    console.log(
      `Sign-in: ${TOTAL} POST /sign-in after ${WARMUP} warm-up, ${CONCURRENCY} concurrent loops, ${DEMO_ACCOUNTS.length} demo accounts`,
    );
    console.log(`argon2id: memoryCost ${memoryCost} KiB (${fmt(memoryCost / 1024)} MiB), timeCost ${timeCost}, parallelism ${parallelism}`);
    console.log(`Server pid ${server.pid} at ${server.url} (node ${process.version})\n`);

    const warm = await run(server.url, WARMUP, Math.min(CONCURRENCY, WARMUP));
    const warmFailures = warm.samples.filter((s) => !s.ok);
    if (warmFailures.length) throw new Error(`Warm-up failed: ${warmFailures[0]!.problem}`);

    const { samples, wallMs } = await run(server.url, TOTAL, CONCURRENCY);
    const memory = procMemory(server.pid);
    const serial = await run(server.url, SERIAL, 1);
    const failures = [...samples, ...serial.samples].filter((s) => !s.ok);
    const good = samples.filter((s) => s.ok);
    const serverTimes = good.map((s) => s.serverMs).filter((v): v is number => v !== null);
    if (good.length === 0 || serverTimes.length === 0)
      throw new Error(`No successful sign-in with a Server-Timing header: ${failures[0]?.problem ?? "?"}`);
    const server_ = summary(serverTimes);
    const roundTrip = summary(good.map((s) => s.roundTripMs));
    const throughput = (good.length / wallMs) * 1000;
    const serialGood = serial.samples.filter((s) => s.ok);
    const serialServerTimes = serialGood.map((s) => s.serverMs).filter((v): v is number => v !== null);
    if (serialServerTimes.length === 0) throw new Error("No successful sequential sign-in.");
    const serialServer = summary(serialServerTimes);
    const serialRoundTrip = summary(serialGood.map((s) => s.roundTripMs));

    printTable(
      ["ms", "n", "p50", "p90", "p99", "max"],
      [
        ["server (Server-Timing app;dur)", server_.n, fmt(server_.p50), fmt(server_.p90), fmt(server_.p99), fmt(server_.max)],
        ["client round-trip", roundTrip.n, fmt(roundTrip.p50), fmt(roundTrip.p90), fmt(roundTrip.p99), fmt(roundTrip.max)],
        [
          `server, 1 at a time (${SERIAL} requests)`,
          serialServer.n,
          fmt(serialServer.p50),
          fmt(serialServer.p90),
          fmt(serialServer.p99),
          fmt(serialServer.max),
        ],
        [
          `round-trip, 1 at a time`,
          serialRoundTrip.n,
          fmt(serialRoundTrip.p50),
          fmt(serialRoundTrip.p90),
          fmt(serialRoundTrip.p99),
          fmt(serialRoundTrip.max),
        ],
      ],
    );
    console.log(`\nThroughput at ${CONCURRENCY} concurrent: ${fmt(throughput)} sign-ins/s (${good.length} in ${fmt(wallMs / 1000, 2)} s)`);
    console.log(`Failures: ${failures.length}${failures.length ? ` (first: ${failures[0]!.problem})` : ""}`);
    console.log(`Server memory after the run: VmRSS ${fmt(memory.rssKiB / 1024)} MiB, peak (VmHWM) ${fmt(memory.hwmKiB / 1024)} MiB`);

    const file = saveResults("sign-in", {
      loadAverage1mAtStart: loadAtStart,
      parameters: {
        totalRequests: TOTAL,
        warmupRequests: WARMUP,
        concurrency: CONCURRENCY,
        serialRequests: SERIAL,
        accounts: DEMO_ACCOUNTS.length,
        argon2: ARGON2_PARAMS,
      },
      results: {
        succeeded: good.length,
        failed: failures.length,
        failures: failures.slice(0, 10).map((f) => f.problem),
        wallMs,
        throughputPerSecond: throughput,
        serverMs: server_,
        roundTripMs: roundTrip,
        serverMemoryKiB: memory,
        serial: { succeeded: serialGood.length, serverMs: serialServer, roundTripMs: serialRoundTrip },
      },
    });
    console.log(`Saved ${file}`);
    if (failures.length) process.exitCode = 1;
  } finally {
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
