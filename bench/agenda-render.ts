/**
 * Agenda page rendering: GET /events/<id> for a signed-in delegate, on a 3-day event with 400 sessions.
 * The server's own time per request (Server-Timing) one request at a time, the same for the data request
 * an open page makes after every live agenda change (GET /events/<id>.data), then throughput and latency
 * under 50 concurrent connections with autocannon.
 */
import autocannon from "autocannon";
import { request } from "node:http";
import { join, resolve } from "node:path";
import { DEMO_PASSWORD } from "../db/seed";
import { DAYS, ROOMS, SESSIONS, createEvent } from "./fixtures/agenda-event";
import { deadline, fmt, printTable, procMemory, reportLoad, saveResults, signIn, startServer, summary, tempDir } from "./lib";

const WARMUP = 20;
const SEQUENTIAL = Number(process.env.BENCH_REQUESTS ?? 200);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const GOAL_P99_MS = 50;
const DELEGATE = "government@convene.example";
/** What a browser sends; the server compresses the page with brotli (quality 4) for it. */
const ACCEPT_ENCODING = "gzip, deflate, br";
/** When set, the server writes a V8 CPU profile into this folder on exit (slower; for finding where time goes). */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
deadline(5 * 60_000, "agenda-render");

interface Sample {
  status: number;
  serverMs: number | null;
  roundTripMs: number;
  bytes: number;
}

async function getPage(
  url: string,
  cookie: string,
  acceptEncoding = ACCEPT_ENCODING,
): Promise<Sample & { body: string; encoding: string | null }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { Cookie: cookie, "Accept-Encoding": acceptEncoding }, redirect: "manual" });
  const body = await res.text();
  const roundTripMs = performance.now() - started;
  const timing = /app;dur=([\d.]+)/.exec(res.headers.get("server-timing") ?? "");
  return {
    status: res.status,
    serverMs: timing ? Number(timing[1]) : null,
    roundTripMs,
    bytes: Buffer.byteLength(body),
    body,
    encoding: res.headers.get("content-encoding"),
  };
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

async function main() {
  const loadAtStart = reportLoad("agenda-render");
  if (!(SEQUENTIAL >= 1 && SEQUENTIAL <= 10_000 && CONNECTIONS >= 1 && CONNECTIONS <= 500 && DURATION_S >= 1 && DURATION_S <= 120)) {
    throw new Error("BENCH_REQUESTS must be 1..10000, BENCH_CONNECTIONS 1..500, BENCH_DURATION 1..120");
  }
  const dir = tempDir();
  const databasePath = join(dir, "convene.db");
  const server = await startServer({ databasePath, nodeArgs: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROFILE_DIR)}`] : [] });
  try {
    const created = createEvent(databasePath, DELEGATE);
    const pageUrl = `${server.url}/events/${created.eventId}`;
    const cookie = await signIn(server.url, DELEGATE, DEMO_PASSWORD);
    console.log(
      `Agenda render: GET /events/${created.eventId} (${created.sessions} sessions over ${DAYS} days in ${ROOMS} rooms, ${created.starred} starred) as ${DELEGATE}`,
    );
    console.log(
      `Server pid ${server.pid} at ${server.url} (node ${process.version}); ${SEQUENTIAL} sequential requests after ${WARMUP} warm-up, then autocannon ${CONNECTIONS} connections for ${DURATION_S} s\n`,
    );

    // What one page is: uncompressed HTML, how many sessions it renders, and the loader data alone.
    const plain = await getPage(pageUrl, cookie, "identity");
    if (plain.status !== 200) throw new Error(`GET ${pageUrl} answered HTTP ${plain.status}`);
    const rendered = plain.body.split('data-testid="agenda-session"').length - 1;
    const data = await getPage(`${pageUrl}.data`, cookie, "identity");
    const compressed = await rawGet(pageUrl, { Cookie: cookie, "Accept-Encoding": ACCEPT_ENCODING });
    const page = {
      htmlBytes: plain.bytes,
      sessionsRendered: rendered,
      loaderDataBytes: data.status === 200 ? data.bytes : null,
      contentEncoding: compressed.encoding,
      compressedBytes: compressed.bytes,
    };

    for (let i = 0; i < WARMUP; i++) await getPage(pageUrl, cookie);
    const samples: Sample[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const { body: _body, encoding: _encoding, ...sample } = await getPage(pageUrl, cookie);
      samples.push(sample);
    }
    // What every open agenda page requests after an `agenda:changed` message: the loaders' data again, no HTML.
    const revalidations: Sample[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const { body: _body, encoding: _encoding, ...sample } = await getPage(`${pageUrl}.data`, cookie);
      revalidations.push(sample);
    }
    const failures = [...samples, ...revalidations].filter((s) => s.status !== 200);
    const serverTimes = samples.map((s) => s.serverMs).filter((v): v is number => v !== null);
    if (serverTimes.length === 0) throw new Error("No response carried a Server-Timing header.");
    const serverMs = summary(serverTimes);
    const roundTripMs = summary(samples.map((s) => s.roundTripMs));
    const dataServerMs = summary(revalidations.map((s) => s.serverMs ?? Number.NaN).filter((v) => !Number.isNaN(v)));
    const dataRoundTripMs = summary(revalidations.map((s) => s.roundTripMs));

    // A profiled server is slower, and in-flight requests at the end would delay its exit (and its profile).
    const load = PROFILE_DIR
      ? null
      : await autocannon({
          url: pageUrl,
          connections: CONNECTIONS,
          duration: DURATION_S,
          timeout: 30,
          headers: { cookie, "accept-encoding": ACCEPT_ENCODING },
        });
    const memory = procMemory(server.pid);

    console.log(
      `Page: ${fmt(page.htmlBytes / 1024)} KiB of HTML (${page.contentEncoding ?? "uncompressed"}: ${fmt(page.compressedBytes / 1024)} KiB), ${page.sessionsRendered} sessions rendered (first day); loader data alone ${page.loaderDataBytes === null ? "n/a" : `${fmt(page.loaderDataBytes / 1024)} KiB`}\n`,
    );
    const rows: (string | number)[][] = [
      [
        "server (Server-Timing app;dur), 1 at a time",
        serverMs.n,
        fmt(serverMs.min),
        fmt(serverMs.p50),
        fmt(serverMs.p90),
        fmt(serverMs.p99),
        fmt(serverMs.max),
      ],
      [
        "round-trip, 1 at a time",
        roundTripMs.n,
        fmt(roundTripMs.min),
        fmt(roundTripMs.p50),
        fmt(roundTripMs.p90),
        fmt(roundTripMs.p99),
        fmt(roundTripMs.max),
      ],
      [
        "revalidation GET .data: server, 1 at a time",
        dataServerMs.n,
        fmt(dataServerMs.min),
        fmt(dataServerMs.p50),
        fmt(dataServerMs.p90),
        fmt(dataServerMs.p99),
        fmt(dataServerMs.max),
      ],
      [
        "revalidation GET .data: round-trip",
        dataRoundTripMs.n,
        fmt(dataRoundTripMs.min),
        fmt(dataRoundTripMs.p50),
        fmt(dataRoundTripMs.p90),
        fmt(dataRoundTripMs.p99),
        fmt(dataRoundTripMs.max),
      ],
    ];
    if (load)
      rows.push([
        `latency at ${CONNECTIONS} connections (autocannon)`,
        load.latency.totalCount,
        fmt(load.latency.min),
        fmt(load.latency.p50),
        fmt(load.latency.p90),
        fmt(load.latency.p99),
        fmt(load.latency.max),
      ]);
    printTable(["ms", "n", "min", "p50", "p90", "p99", "max"], rows);
    const total = load?.requests.total ?? 0;
    if (load) {
      console.log(
        `\nThroughput at ${CONNECTIONS} connections: ${fmt(total / load.duration)} requests/s (${total} answered in ${fmt(load.duration, 2)} s, ${load.requests.sent - total} still in flight at the end), non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}`,
      );
    }
    console.log(`Sequential failures: ${failures.length}`);
    console.log(`Server memory after the run: VmRSS ${fmt(memory.rssKiB / 1024)} MiB, peak (VmHWM) ${fmt(memory.hwmKiB / 1024)} MiB`);
    const met = serverMs.p99 < GOAL_P99_MS;
    console.log(`Goal server render p99 < ${GOAL_P99_MS} ms: ${met ? "met" : "NOT met"} (${fmt(serverMs.p99)} ms)`);

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
      page,
      results: {
        sequential: { serverMs, roundTripMs, failed: failures.length },
        revalidation: { serverMs: dataServerMs, roundTripMs: dataRoundTripMs },
        autocannon: load && {
          durationS: load.duration,
          requests: total,
          sent: load.requests.sent,
          requestsPerSecond: total / load.duration,
          latencyMs: {
            mean: load.latency.mean,
            p50: load.latency.p50,
            p90: load.latency.p90,
            p97_5: load.latency.p97_5,
            p99: load.latency.p99,
            max: load.latency.max,
          },
          non2xx: load.non2xx,
          errors: load.errors,
          timeouts: load.timeouts,
          statusCodeStats: load.statusCodeStats,
        },
        serverMemoryKiB: memory,
      },
      goal: { serverP99UnderMs: GOAL_P99_MS, met },
      cpuProfile: Boolean(PROFILE_DIR),
    });
    console.log(`Saved ${file}`);
    if (failures.length || load?.non2xx || load?.errors) process.exitCode = 1;
  } catch (error) {
    console.error(`Server diagnostics: ${server.diagnostics()}`);
    throw error;
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
