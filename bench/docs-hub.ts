/**
 * Collaborative documents, side by side: the same Yjs workloads, in one run, against
 *   1. Convene's document hub (Socket.IO + y-protocols, every update stored in SQLite before its ack),
 *   2. @hocuspocus/server 3.4.4 (SQLite persistence through its debounced onStoreDocument hook),
 *   3. @y/websocket-server 0.1.1 (setupWSConnection; SQLite persistence written when a document closes).
 *
 * Processes: this one (orchestrates and reports), one server runner per server (bench/fixtures/docs-server.ts,
 * started with --expose-gc, answers memory requests over IPC), and one load generator holding every client
 * (bench/fixtures/docs-clients.ts). All on loopback.
 *
 * Scenarios: memory (per connection, per open document, 1,000 documents opened then left idle past the
 * unload timeout), fan-out latency with one writer (2/10/50 clients at 20 and 100 updates/s) with dropped and
 * acknowledged-then-lost updates, a throughput ramp (every client writes 2 updates/s plus a cursor), 50
 * clients joining a 160 kB document at once, and acknowledged updates surviving a SIGKILL of the server.
 *
 * `npm run bench:docs` (about 15 minutes on 2 cores) or `npm run bench:docs -- --quick` (about 2 minutes).
 * For trying parts of it: BENCH_DOCS_SERVERS=convene,hocuspocus, BENCH_DOCS_ONLY=memory,latency,ramp,sync,crash,
 * BENCH_DOCS_RAMP=100,125 (ramp steps), BENCH_DOCS_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof",
 * BENCH_DOCS_CONVENE_CLIENT=socket.io-client (Convene's clients through the library), BENCH_PIN=0 (no CPU pinning),
 * BENCH_DOCS_LAT_ROUNDS=3 (latency rounds), BENCH_DOCS_CONTROL=0 (no second Convene server in the latency cells),
 * BENCH_DOCS_SYNC_ROUNDS=3 (rounds of the join scenario), BENCH_DOCS_JOIN=step1 (Convene's clients join without their
 * state vector and send a sync step 1 after the answer, the exchange before the join carried it).
 */
import { createInterface } from "node:readline";
import { join } from "node:path";
import { DEMO_PASSWORD } from "../db/seed";
import {
  Rpc,
  SERVER_LABEL,
  type MemoryFigures,
  type OpenResult,
  type RunResult,
  type SeedResult,
  type ServerKind,
  stats,
  type Stats,
  type GcQuiet,
  type LoopDelay,
  type Target,
  type VerifyResult,
  type WriteResult,
} from "./fixtures/docs-ipc";
import {
  canPin,
  cpuTimeMs,
  type Authenticator,
  deadline,
  fmt,
  printMarkdownTable,
  reportLoad,
  saveResults,
  signIn,
  sleep,
  spawnNode,
  tempDir,
} from "./lib";

const QUICK = process.argv.includes("--quick");
/** BENCH_DOCS_ONLY=latency,ramp runs a subset of the scenarios (memory, latency, ramp, sync, crash). */
const ONLY = process.env.BENCH_DOCS_ONLY?.split(",");
const scenario = (name: string) => !ONLY || ONLY.includes(name);
const ALL_KINDS: ServerKind[] = ["convene", "hocuspocus", "ywebsocket"];
/** BENCH_DOCS_SERVERS=hocuspocus,ywebsocket runs a subset (for trying the benchmark itself). */
const KINDS = process.env.BENCH_DOCS_SERVERS ? ALL_KINDS.filter((k) => process.env.BENCH_DOCS_SERVERS!.split(",").includes(k)) : ALL_KINDS;
/** Convene's DOC_UNLOAD_MS; Hocuspocus and y-websocket unload when the last connection leaves (after storing). */
const UNLOAD_MS = 2000;
const UNLOAD_WAIT_MS = UNLOAD_MS + 2500;
/**
 * How long the server is left idle after the 1,000 documents were closed before memory is read again.
 * V8 gives back the heap pages it grew into only once the process has been quiet for a while (its memory
 * reducer), which in production is well before a document unloads (DOC_UNLOAD_MS defaults to 60 s).
 */
const LONG_IDLE_MS = Number(process.env.BENCH_DOCS_LONG_IDLE_MS ?? 30_000);
const LAT_CLIENTS = [2, 10, 50];
const LAT_RATES = [20, 100];
const LAT_WARMUP_MS = QUICK ? 500 : 1000;
const LAT_MEASURE_MS = QUICK ? 2000 : 4000;
/**
 * A run's measured window is at least LAT_MEASURE_MS and long enough for this many updates (10 s at 20/s). With
 * 80 updates a run, p99 of 2 clients is the run's slowest update; one stall of either process decided the cell.
 */
const LAT_MIN_UPDATES = QUICK ? 40 : 200;
const latencyMeasureMs = (rate: number) => Math.max(LAT_MEASURE_MS, (LAT_MIN_UPDATES * 1000) / rate);
/**
 * Every latency cell runs this many times, the servers taking turns in a rotating order, and its samples are
 * pooled. Even 200 samples at 2 clients leave p99 to the two slowest, which move by several milliseconds
 * from one run to the next (a garbage collection, a timer).
 */
const LAT_ROUNDS = Number(process.env.BENCH_DOCS_LAT_ROUNDS ?? (QUICK ? 1 : 3));
/**
 * A second, identical Convene server takes part in every latency cell (BENCH_DOCS_CONTROL=0 leaves it out).
 * How far apart two copies of the same server land shows how small a difference between servers the latency
 * table can tell from its own noise (decision 018).
 */
const CONTROL = process.env.BENCH_DOCS_CONTROL !== "0";
/** A server of the latency cells: one of the three, or the second Convene server. */
type LatencyId = ServerKind | "control" | "hocuspocusNoDelay";
const LATENCY_LABEL: Record<LatencyId, string> = {
  ...SERVER_LABEL,
  control: "Convene, second server (control)",
  hocuspocusNoDelay: `${SERVER_LABEL.hocuspocus}, store delay 0`,
};
/**
 * Before the first latency cell, every process gets time to finish the full garbage collections V8 makes a few
 * seconds after a burst of allocation is over (its memory reducer): the bench waits until none of them has made
 * one for SETTLE_QUIET_MS (at most SETTLE_MAX_MS). Otherwise the first cell can meet one process's start-up
 * collections: in latency-only runs, the first server's first run had a p99 of 6 to 15 ms, against 0.7 to 3 ms
 * for the same server in that cell's other rounds.
 */
const SETTLE_QUIET_MS = QUICK ? 0 : 10_000;
const SETTLE_MAX_MS = 60_000;
/** An unmeasured run on each server before the first cell, so no server's first cell pays for compiling its hot path. */
const LAT_PRIME = { clients: 10, rate: 100, ms: 3000 };
const RAMP_CLIENTS = process.env.BENCH_DOCS_RAMP?.split(",").map(Number) ?? (QUICK ? [10, 25, 50, 75] : [10, 25, 50, 75, 100, 125, 150]);
/** Clients of each ramp step that apply what they receive and measure latency; the rest only count messages. */
const RAMP_OBSERVERS = 10;
const RAMP_RATE = 2;
const RAMP_WARMUP_MS = QUICK ? 500 : 1000;
const RAMP_MEASURE_MS = QUICK ? 2000 : 4000;
const RAMP_P99_LIMIT_MS = 50;
/** A step that does not pass is run once more before the ramp stops for that server. */
const RAMP_RETRY = true;
const SETTLE_MS = 5000;
const MEM_CONNECTIONS = QUICK ? 100 : 200;
const MEM_DOCUMENTS = QUICK ? 300 : 1000;
const SYNC_CLIENTS = 50;
const SYNC_BYTES = 160_000;
/** Times the join scenario runs on each server, the servers taking turns (BENCH_DOCS_SYNC_ROUNDS). */
const SYNC_ROUNDS = Number(process.env.BENCH_DOCS_SYNC_ROUNDS ?? (QUICK ? 1 : 3));
const CRASH_UPDATES = 200;
const CRASH_RATE = 100;
const CONCURRENCY = 50;
const SECRETARIAT = "secretariat@convene.example";
deadline((QUICK ? 6 : 25) * 60_000, "docs-hub");

/**
 * Extra node options from the environment: BENCH_DOCS_SERVER_NODE_ARGS for the servers (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"), BENCH_DOCS_GENERATOR_NODE_ARGS for the load generator (e.g. "--trace-gc").
 */
const nodeArgs = (name: string) => process.env[name]?.split(" ").filter(Boolean) ?? [];

/**
 * Every server runs on CPU 0 and the load generator on CPU 1 (with two CPUs or more; BENCH_PIN=0 turns it off),
 * as on two machines. Left to the scheduler, a server woken by a client's write often ran on the generator's
 * CPU while the generator waited inside that write (a profile of the generator showed 158 ms in socket writes
 * over the latency runs, 9 ms with the processes kept apart), so the receiving clients waited for the server's
 * work after the relay (Convene: storing the update) before they could read what was relayed.
 */
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;

/** The server runner, bundled into plain JavaScript so no server pays for a TypeScript loader. */
const SERVER_RUNNER = "build/bench/docs-server.mjs";

async function bundleServerRunner() {
  const { build } = await import("esbuild");
  await build({
    entryPoints: ["bench/fixtures/docs-server.ts"],
    outfile: SERVER_RUNNER,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}

const MiB = 1024 * 1024;
const KiB = 1024;

/** One server runner child. */
class ServerHandle {
  rpc!: Rpc;
  pid = 0;
  target!: Target;
  /** The secretariat's authenticator for this server's database, so a restarted server is signed in to again. */
  private readonly authenticator: Authenticator = new Map();
  private exited!: Promise<void>;
  private child!: ReturnType<typeof spawnNode>;

  constructor(
    readonly kind: ServerKind,
    readonly dbPath: string,
    /** Which server of the latency cells this is (the second Convene server: "control"). */
    readonly id: LatencyId = kind,
    /** More environment for the server process (Hocuspocus's store delay). */
    readonly env: Record<string, string> = {},
  ) {}

  get label() {
    return LATENCY_LABEL[this.id];
  }

  async start(): Promise<void> {
    const child = spawnNode(["--expose-gc", ...nodeArgs("BENCH_DOCS_SERVER_NODE_ARGS"), SERVER_RUNNER, this.kind], {
      env: { ...process.env, ...this.env, BENCH_DB: this.dbPath, BENCH_UNLOAD_MS: String(UNLOAD_MS) },
      quiet: true,
      cpu: SERVER_CPU,
    });
    this.child = child;
    this.pid = child.pid!;
    this.exited = new Promise((r) => child.once("exit", () => r()));
    this.rpc = new Rpc(child, `${this.kind} server`);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The ${this.kind} server did not start within 60 s.`)), 60_000);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const match = /^docs-server \w+ listening (\d+)$/.exec(line);
        if (!match) return void process.stdout.write(`[${this.kind}] ${line}\n`);
        clearTimeout(timer);
        resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`The ${this.kind} server exited (code ${code}).`)));
    });
    const url = `http://127.0.0.1:${port}`;
    this.target = { kind: this.kind, url };
    if (this.kind === "convene") this.target.cookie = await signIn(url, SECRETARIAT, DEMO_PASSWORD, this.authenticator);
  }

  memory() {
    return this.rpc.call<MemoryFigures>({ type: "memory" });
  }

  createDocs(count: number) {
    return this.rpc.call<string[]>({ type: "create-docs", count });
  }

  loopDelay() {
    return this.rpc.call<LoopDelay>({ type: "loop-delay" });
  }

  gcQuiet() {
    return this.rpc.call<GcQuiet>({ type: "gc-quiet" });
  }

  async loadedDocuments() {
    return (await this.rpc.call<{ loadedDocuments: number | null }>({ type: "stats" })).loadedDocuments;
  }

  cpuMs() {
    const t = cpuTimeMs(this.pid);
    return t.userMs + t.systemMs;
  }

  async kill(signal: NodeJS.Signals = "SIGKILL") {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** The load generator child. */
class Generator {
  readonly child = spawnNode([...nodeArgs("BENCH_DOCS_GENERATOR_NODE_ARGS"), "--import", "tsx", "bench/fixtures/docs-clients.ts"], {
    cpu: GENERATOR_CPU,
  });
  readonly rpc = new Rpc(this.child, "load generator");
  readonly pid = this.child.pid!;

  open(
    group: string,
    target: Target,
    docs: string[],
    perDoc: number,
    extra: { write?: boolean; expectTextLength?: number; concurrency?: number; observers?: number } = {},
  ) {
    return this.rpc.call<OpenResult>(
      {
        type: "open",
        group,
        target,
        docs,
        perDoc,
        concurrency: extra.concurrency ?? CONCURRENCY,
        write: extra.write,
        expectTextLength: extra.expectTextLength,
        observers: extra.observers,
      },
      300_000,
    );
  }

  run(
    group: string,
    options: {
      mode: "one-writer" | "all-writers";
      rate: number;
      warmupMs: number;
      measureMs: number;
      awareness: boolean;
      ledger: string;
      keepSamples?: boolean;
    },
  ) {
    return this.rpc.call<RunResult>({ type: "run", group, settleMs: SETTLE_MS, ...options });
  }

  write(group: string, rate: number, count: number, ledger: string) {
    return this.rpc.call<WriteResult>({ type: "write", group, rate, count, ledger });
  }

  seed(target: Target, doc: string, bytes: number) {
    return this.rpc.call<SeedResult>({ type: "seed", target, doc, bytes });
  }

  verify(target: Target, doc: string, ledger: string) {
    return this.rpc.call<VerifyResult>({ type: "verify", target, doc, ledger });
  }

  loopDelay() {
    return this.rpc.call<LoopDelay>({ type: "loop-delay" });
  }

  gcQuiet() {
    return this.rpc.call<GcQuiet>({ type: "gc-quiet" });
  }

  close(group: string) {
    return this.rpc.call<{ closed: number; failures: number; firstFailure: string | null }>({ type: "close", group });
  }

  cpuMs() {
    const t = cpuTimeMs(this.pid);
    return t.userMs + t.systemMs;
  }

  /** Lets the generator exit by itself (so node options such as --cpu-prof can write their files). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.disconnect();
    await Promise.race([exited, sleep(10_000)]);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs one server's part of a scenario; a failure is reported in the tables instead of stopping the run. */
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!.slice(0, 300);
    console.error(`  ${what} failed: ${(error as Error).stack ?? error}`);
    return { ok: false, error: message };
  }
}

const ms = (v: number | undefined | null, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? "–" : fmt(v, digits));
const failed = (o: { ok: false; error: string }) => `failed: ${o.error.slice(0, 120)}`;

/** Opens a group and always closes it again, whatever `fn` does. */
async function withGroup<T>(
  gen: Generator,
  group: string,
  open: () => Promise<OpenResult>,
  fn: (opened: OpenResult) => Promise<T>,
): Promise<T> {
  let opened: OpenResult | null = null;
  try {
    opened = await open();
    return await fn(opened);
  } finally {
    if (opened) {
      const closed = await gen.close(group);
      if (closed.failures) console.error(`  ${group}: ${closed.failures} client(s) had failed: ${closed.firstFailure}`);
    }
  }
}

// --- Memory -------------------------------------------------------------------------------------------

interface MemoryResult {
  start: MemoryFigures;
  withConnections: MemoryFigures;
  beforeDocuments: MemoryFigures;
  withDocuments: MemoryFigures;
  afterIdle: MemoryFigures;
  afterLongIdle: MemoryFigures;
  loadedWhileOpen: number | null;
  loadedAfterIdle: number | null;
  openDocumentsMs: number;
}

async function memoryScenario(s: ServerHandle, gen: Generator): Promise<MemoryResult> {
  // Warm-up: one document opened, written, closed and unloaded, so first-use code is loaded before "start".
  const [warmDoc] = await s.createDocs(1);
  await withGroup(
    gen,
    "mem-warm",
    () => gen.open("mem-warm", s.target, [warmDoc!], 1, { write: true }),
    async () => {},
  );
  await sleep(UNLOAD_WAIT_MS);
  const start = await s.memory();

  const [connDoc] = await s.createDocs(1);
  const withConnections = await withGroup(
    gen,
    "mem-conns",
    () => gen.open("mem-conns", s.target, [connDoc!], MEM_CONNECTIONS),
    () => s.memory(),
  );
  await sleep(UNLOAD_WAIT_MS);
  const beforeDocuments = await s.memory();

  const docs = await s.createDocs(MEM_DOCUMENTS);
  let openDocumentsMs = 0;
  let loadedWhileOpen: number | null = null;
  const withDocuments = await withGroup(
    gen,
    "mem-docs",
    () => gen.open("mem-docs", s.target, docs, 1, { write: true }),
    async (opened) => {
      openDocumentsMs = opened.ms;
      loadedWhileOpen = await s.loadedDocuments();
      return s.memory();
    },
  );
  await sleep(UNLOAD_WAIT_MS);
  const afterIdle = await s.memory();
  const loadedAfterIdle = await s.loadedDocuments();
  await sleep(LONG_IDLE_MS - UNLOAD_WAIT_MS);
  const afterLongIdle = await s.memory();
  return {
    start,
    withConnections,
    beforeDocuments,
    withDocuments,
    afterIdle,
    afterLongIdle,
    loadedWhileOpen,
    loadedAfterIdle,
    openDocumentsMs,
  };
}

// --- Fan-out latency with one writer ------------------------------------------------------------------

type Measured = RunResult & { serverCpuPct: number; generatorCpuPct: number; serverLoop: LoopDelay; generatorLoop: LoopDelay };

interface LatencyCase {
  clients: number;
  rate: number;
  server: LatencyId;
  round: number;
  doc: string;
  ledger: string;
  run: Outcome<Measured>;
  verify?: Outcome<VerifyResult>;
}

async function measuredRun(s: ServerHandle, gen: Generator, group: string, options: Parameters<Generator["run"]>[1]) {
  await Promise.all([s.loopDelay(), gen.loopDelay()]);
  const wallStart = performance.now();
  const serverCpu = s.cpuMs();
  const genCpu = gen.cpuMs();
  const result = await gen.run(group, options);
  const wall = performance.now() - wallStart;
  const [serverLoop, generatorLoop] = await Promise.all([s.loopDelay(), gen.loopDelay()]);
  return {
    ...result,
    serverCpuPct: (100 * (s.cpuMs() - serverCpu)) / wall,
    generatorCpuPct: (100 * (gen.cpuMs() - genCpu)) / wall,
    serverLoop,
    generatorLoop,
  };
}

async function latencyCase(s: ServerHandle, gen: Generator, clients: number, rate: number, round: number): Promise<LatencyCase> {
  const ledger = `lat:${s.id}:${clients}:${rate}:${round}`;
  const group = `lat-${s.id}-${clients}-${rate}-${round}`;
  let doc = "";
  const run = await attempt(`${s.label}: ${clients} clients at ${rate}/s`, async () => {
    [doc] = (await s.createDocs(1)) as [string];
    return withGroup(
      gen,
      group,
      () => gen.open(group, s.target, [doc], clients),
      () =>
        measuredRun(s, gen, group, {
          mode: "one-writer",
          rate,
          warmupMs: LAT_WARMUP_MS,
          measureMs: latencyMeasureMs(rate),
          awareness: false,
          ledger,
          keepSamples: true,
        }),
    );
  });
  return { clients, rate, server: s.id, round, doc, ledger, run };
}

/** The unmeasured warm-up run before the first latency cell. */
async function primeLatency(s: ServerHandle, gen: Generator) {
  const [doc] = (await s.createDocs(1)) as [string];
  const group = `lat-prime-${s.id}`;
  await withGroup(
    gen,
    group,
    () => gen.open(group, s.target, [doc], LAT_PRIME.clients),
    () =>
      gen.run(group, { mode: "one-writer", rate: LAT_PRIME.rate, warmupMs: 0, measureMs: LAT_PRIME.ms, awareness: false, ledger: group }),
  );
}

/**
 * Waits until neither the servers nor the load generator has made a full garbage collection for
 * SETTLE_QUIET_MS, or SETTLE_MAX_MS has passed. Returns how long it waited and whether they settled.
 */
async function settle(servers: ServerHandle[], gen: Generator): Promise<{ ms: number; settled: boolean }> {
  const started = performance.now();
  for (;;) {
    const quiet = await Promise.all([...servers.map((s) => s.gcQuiet()), gen.gcQuiet()]);
    const least = Math.min(...quiet.map((q) => q.sinceMajorGcMs));
    const waited = performance.now() - started;
    if (least >= SETTLE_QUIET_MS) return { ms: waited, settled: true };
    if (waited >= SETTLE_MAX_MS) return { ms: waited, settled: false };
    await sleep(Math.min(SETTLE_QUIET_MS - least, SETTLE_MAX_MS - waited) + 20);
  }
}

/** One latency cell of one server, its rounds pooled. */
interface PooledLatency {
  clients: number;
  rate: number;
  server: LatencyId;
  runs: number;
  failures: string[];
  latency: Stats | null;
  /** Per update, the latency to its first receiver: whole updates held up, apart from the fan-out's spread. */
  first: Stats | null;
  ack: Stats | null;
  /** p99 of each round on its own, to show the spread the pooling smooths. */
  roundP99: (number | null)[];
  deliveries: number;
  expectedDeliveries: number;
  dropped: number;
  ackedThenLost: number | null;
  verifyFailures: string[];
  serverCpuPct: number;
  serverLoopMax: number;
  generatorCpuPct: number;
}

function poolLatency(cases: LatencyCase[]): PooledLatency[] {
  const cells: PooledLatency[] = [];
  for (const clients of LAT_CLIENTS) {
    for (const rate of LAT_RATES) {
      for (const server of [...KINDS, "control"] as LatencyId[]) {
        const rounds = cases.filter((c) => c.clients === clients && c.rate === rate && c.server === server);
        if (rounds.length === 0) continue;
        const ok = rounds.flatMap((c) => (c.run.ok ? [c.run.value] : []));
        const verified = rounds.flatMap((c) => (c.verify?.ok ? [c.verify.value] : []));
        cells.push({
          clients,
          rate,
          server,
          runs: ok.length,
          failures: rounds.flatMap((c) => (c.run.ok ? [] : [c.run.error])),
          latency: stats(ok.flatMap((r) => r.samples?.latency ?? [])),
          first: stats(ok.flatMap((r) => r.samples?.first ?? [])),
          ack: stats(ok.flatMap((r) => r.samples?.ack ?? [])),
          roundP99: rounds.map((c) => (c.run.ok ? (c.run.value.latency?.p99 ?? null) : null)),
          deliveries: ok.reduce((n, r) => n + r.deliveries, 0),
          expectedDeliveries: ok.reduce((n, r) => n + r.expectedDeliveries, 0),
          dropped: ok.reduce((n, r) => n + r.dropped, 0),
          ackedThenLost: verified.length ? verified.reduce((n, v) => n + v.ackedMissing, 0) : null,
          verifyFailures: rounds.flatMap((c) => (c.verify && !c.verify.ok ? [c.verify.error] : [])),
          serverCpuPct: ok.length ? ok.reduce((n, r) => n + r.serverCpuPct, 0) / ok.length : NaN,
          serverLoopMax: Math.max(...ok.map((r) => r.serverLoop.max)),
          generatorCpuPct: ok.length ? ok.reduce((n, r) => n + r.generatorCpuPct, 0) / ok.length : NaN,
        });
      }
    }
  }
  return cells;
}

// --- Throughput ramp ---------------------------------------------------------------------------------

interface RampStep {
  clients: number;
  /** True for the repeat of a step that did not pass the first time. */
  retry?: boolean;
  run: Outcome<Measured>;
}

async function rampStep(s: ServerHandle, gen: Generator, clients: number): Promise<RampStep> {
  const group = `ramp-${s.kind}-${clients}`;
  const run = await attempt(`${s.label}: ramp ${clients} clients`, async () => {
    const [doc] = (await s.createDocs(1)) as [string];
    return withGroup(
      gen,
      group,
      () => gen.open(group, s.target, [doc], clients, { observers: RAMP_OBSERVERS }),
      () =>
        measuredRun(s, gen, group, {
          mode: "all-writers",
          rate: RAMP_RATE,
          warmupMs: RAMP_WARMUP_MS,
          measureMs: RAMP_MEASURE_MS,
          awareness: true,
          ledger: `ramp:${s.kind}:${clients}`,
        }),
    );
  });
  return { clients, run };
}

/** Deliveries the server made per second: updates sent in the window times the other clients (all arrived when nothing was dropped). */
const deliveryRate = (r: RunResult) => (r.sent * (r.clients - 1)) / (r.measureMs / 1000);
const passes = (r: RunResult | null) =>
  r !== null && (r.latency?.p99 ?? Infinity) < RAMP_P99_LIMIT_MS && r.dropped === 0 && r.refused === 0;

// --- 50 clients joining a 160 kB document ------------------------------------------------------------

interface SyncResult {
  seed: SeedResult;
  cold: OpenResult;
  warm: OpenResult;
  /** Server CPU time (ms) while the clients joined. */
  coldCpuMs: number;
  warmCpuMs: number;
}

/** One unmeasured join of 10 clients to a 16 kB document, so no server's first round pays for compiling its join path. */
async function primeSync(s: ServerHandle, gen: Generator) {
  const [doc] = (await s.createDocs(1)) as [string];
  const seed = await gen.seed(s.target, doc, 16_000);
  await withGroup(
    gen,
    "sync-prime",
    () => gen.open("sync-prime", s.target, [doc], 10, { concurrency: 10, expectTextLength: seed.textLength }),
    async () => {},
  );
}

async function syncScenario(s: ServerHandle, gen: Generator): Promise<SyncResult> {
  const [doc] = (await s.createDocs(1)) as [string];
  const seed = await gen.seed(s.target, doc, SYNC_BYTES);
  // Past the unload timeout, so the 50 clients find the document on disk only (cold).
  await sleep(UNLOAD_WAIT_MS);
  const coldCpu = s.cpuMs();
  return withGroup(
    gen,
    "sync-cold",
    () => gen.open("sync-cold", s.target, [doc], SYNC_CLIENTS, { concurrency: SYNC_CLIENTS, expectTextLength: seed.textLength }),
    async (cold) => {
      const coldCpuMs = s.cpuMs() - coldCpu;
      // Then 50 more while the first 50 are still there: the document is in memory (warm).
      const warmCpu = s.cpuMs();
      const warm = await withGroup(
        gen,
        "sync-warm",
        () => gen.open("sync-warm", s.target, [doc], SYNC_CLIENTS, { concurrency: SYNC_CLIENTS, expectTextLength: seed.textLength }),
        async (w) => w,
      );
      return { seed, cold, warm, coldCpuMs, warmCpuMs: s.cpuMs() - warmCpu };
    },
  );
}

// --- Acknowledged updates after a SIGKILL -------------------------------------------------------------

interface CrashResult {
  write: WriteResult;
  verify: VerifyResult;
  restartMs: number;
}

async function crashScenario(s: ServerHandle, gen: Generator): Promise<CrashResult> {
  const [doc] = (await s.createDocs(1)) as [string];
  const ledger = `crash:${s.id}`;
  const group = `crash-${s.id}`;
  await gen.open(group, s.target, [doc], 1);
  let write: WriteResult;
  try {
    write = await gen.write(group, CRASH_RATE, CRASH_UPDATES, ledger);
    // Straight after the last acknowledgement: no time for debounced or on-close storage.
    await s.kill("SIGKILL");
  } finally {
    await gen.close(group);
  }
  const restarted = performance.now();
  await s.start();
  const restartMs = performance.now() - restarted;
  const verify = await gen.verify(s.target, doc, ledger);
  return { write, verify, restartMs };
}

// --- Report helpers ----------------------------------------------------------------------------------

const mib = (bytes: number) => fmt(bytes / MiB, 1);
const kib = (bytes: number) => fmt(bytes / KiB, 1);
const stat = (x: Stats | null, k: keyof Stats) => (x ? ms(x[k]) : "–");

async function main() {
  const loadAtStart = reportLoad("docs-hub");
  console.log(
    `Document hub benchmark${QUICK ? " (--quick)" : ""}: Convene vs Hocuspocus vs y-websocket-server on loopback, node ${process.version}. ` +
      `Unload timeout ${UNLOAD_MS} ms; latency runs ${LAT_WARMUP_MS} ms warm-up + ${LAT_RATES.map((r) => `${latencyMeasureMs(r)} ms at ${r}/s`).join(", ")} measured, ${LAT_ROUNDS} round(s) pooled; ` +
      (canPin()
        ? `servers on CPU ${SERVER_CPU}, load generator on CPU ${GENERATOR_CPU}.`
        : "processes not kept to CPUs (one CPU, no taskset, or BENCH_PIN=0)."),
  );
  const startedAt = performance.now();
  await bundleServerRunner();
  const dir = tempDir();
  const servers = KINDS.map((kind) => new ServerHandle(kind, join(dir, `${kind}.db`)));
  const control =
    CONTROL && scenario("latency") && KINDS.includes("convene") ? new ServerHandle("convene", join(dir, "control.db"), "control") : null;
  /** The servers of the latency cells: the compared ones, and the second Convene server when asked for. */
  const latencyServers = control ? [...servers, control] : servers;
  for (const s of latencyServers) {
    const t = performance.now();
    await s.start();
    console.log(`  ${s.label}: pid ${s.pid} at ${s.target.url}, started in ${fmt((performance.now() - t) / 1000, 1)} s`);
  }
  const gen = new Generator();
  console.log(`  Load generator: pid ${gen.pid}`);
  const elapsed = () => `${fmt((performance.now() - startedAt) / 1000, 0)} s`;

  // 1. Memory, on the fresh servers.
  console.log(
    `\n[${elapsed()}] Memory: ${MEM_CONNECTIONS} connections on one document, then ${MEM_DOCUMENTS} documents with one client each, then idle past the unload timeout`,
  );
  const memory = new Map<ServerKind, Outcome<MemoryResult>>();
  if (scenario("memory")) for (const s of servers) memory.set(s.kind, await attempt(`${s.label}: memory`, () => memoryScenario(s, gen)));

  // 2. Fan-out latency, one writer: a warm-up run on each server, then every cell LAT_ROUNDS times, the servers
  // taking turns in an order that rotates from cell to cell, so background load and position hit them alike.
  console.log(
    `[${elapsed()}] Fan-out latency: one writer, ${LAT_CLIENTS.join("/")} clients, ${LAT_RATES.join(" and ")} updates/s, ${LAT_ROUNDS} round(s)`,
  );
  const latency: LatencyCase[] = [];
  if (scenario("latency")) {
    for (const s of latencyServers) await attempt(`${s.label}: latency warm-up`, () => primeLatency(s, gen));
    const settled = await settle(latencyServers, gen);
    console.log(
      `  ${settled.settled ? "Settled" : "Not settled"}: ${fmt(settled.ms / 1000, 1)} s until no process had made a full garbage collection for ${SETTLE_QUIET_MS / 1000} s`,
    );
  }
  for (let round = 0; round < (scenario("latency") ? LAT_ROUNDS : 0); round++) {
    let cell = 0;
    for (const clients of LAT_CLIENTS) {
      for (const rate of LAT_RATES) {
        const row: string[] = [];
        // Each cell starts with a different server in each round.
        const order = latencyServers.map((_, i) => latencyServers[(i + round + cell) % latencyServers.length]!);
        cell++;
        for (const s of order) {
          const c = await latencyCase(s, gen, clients, rate, round);
          latency.push(c);
          row.push(`${s.label} ${c.run.ok ? `p99 ${ms(c.run.value.latency?.p99)} ms` : "failed"}`);
        }
        console.log(`  round ${round + 1}, ${clients} clients at ${rate}/s: ${row.join(", ")}`);
      }
    }
  }
  // Reopen every document after the unload timeout (so from storage) and look for every acknowledged key.
  if (latency.length) await sleep(UNLOAD_WAIT_MS);
  for (const c of latency) {
    if (!c.run.ok) continue;
    const s = latencyServers.find((x) => x.id === c.server)!;
    c.verify = await attempt(`${s.label}: reopen ${c.doc}`, () => gen.verify(s.target, c.doc, c.ledger));
  }

  // 3. Throughput ramp.
  console.log(
    `[${elapsed()}] Throughput ramp: every client writes ${RAMP_RATE} updates/s plus a cursor; clients ${RAMP_CLIENTS.join(", ")} until p99 >= ${RAMP_P99_LIMIT_MS} ms`,
  );
  const ramp = new Map<ServerKind, RampStep[]>(KINDS.map((k) => [k, []]));
  const stillGoing = new Set<ServerKind>(KINDS);
  for (const clients of scenario("ramp") ? RAMP_CLIENTS : []) {
    for (const s of servers) {
      if (!stillGoing.has(s.kind)) continue;
      let step = await rampStep(s, gen, clients);
      if (!passes(step.run.ok ? step.run.value : null) && RAMP_RETRY) {
        // Once more, to tell a limit from a stall caused by other work on the (shared) machine.
        ramp.get(s.kind)!.push(step);
        step = { ...(await rampStep(s, gen, clients)), retry: true };
      }
      ramp.get(s.kind)!.push(step);
      if (!step.run.ok || !passes(step.run.value)) stillGoing.delete(s.kind);
      console.log(
        `  ${s.label}, ${clients} clients: ${step.run.ok ? `p99 ${ms(step.run.value.latency?.p99)} ms, ${passes(step.run.value) ? "passes" : "does not pass"}` : "failed"}${step.retry ? " (second try)" : ""}`,
      );
    }
    if (stillGoing.size === 0) break;
  }

  // 4. 50 clients joining a 160 kB document.
  console.log(`[${elapsed()}] Sync: ${SYNC_CLIENTS} clients joining a ${SYNC_BYTES / 1000} kB document at once (cold, then warm)`);
  const sync = new Map<ServerKind, Outcome<SyncResult>[]>(KINDS.map((k) => [k, []]));
  if (scenario("sync")) for (const s of servers) await attempt(`${s.label}: sync warm-up`, () => primeSync(s, gen));
  for (let round = 0; round < (scenario("sync") ? SYNC_ROUNDS : 0); round++) {
    // Each round starts with a different server, so neither always joins first.
    for (const s of servers.map((_, i) => servers[(i + round) % servers.length]!)) {
      const o = await attempt(`${s.label}: sync`, () => syncScenario(s, gen));
      sync.get(s.kind)!.push(o);
      console.log(
        `  round ${round + 1}, ${s.label}: ${o.ok ? `cold all synced ${ms(o.value.cold.ms)} ms, warm ${ms(o.value.warm.ms)} ms` : "failed"}`,
      );
    }
  }

  // 5. Acknowledged updates after SIGKILL.
  console.log(
    `[${elapsed()}] Durability: ${CRASH_UPDATES} updates at ${CRASH_RATE}/s, SIGKILL right after the last acknowledgement, restart, reopen`,
  );
  const crash = new Map<LatencyId, Outcome<CrashResult>>();
  if (scenario("crash")) {
    for (const s of servers) crash.set(s.kind, await attempt(`${s.label}: durability`, () => crashScenario(s, gen)));
    if (KINDS.includes("hocuspocus")) {
      // Hocuspocus again with its store delay at 0: it then stores the whole state on every change.
      const s = new ServerHandle("hocuspocus", join(dir, "hocuspocus-no-delay.db"), "hocuspocusNoDelay", {
        BENCH_HOCUSPOCUS_DEBOUNCE: "0",
      });
      await s.start();
      crash.set(s.id, await attempt(`${s.label}: durability`, () => crashScenario(s, gen)));
      await s.kill("SIGTERM");
    }
  }

  for (const s of latencyServers) await s.kill("SIGTERM");
  await gen.stop();
  console.log(`[${elapsed()}] Done.\n`);

  // ------------------------------------------------------------------------------------------------------
  console.log(`## Single document, one writer: fan-out latency (send -> applied on each other client)\n`);
  const pooled = poolLatency(latency);
  console.log(
    `Each cell ran ${LAT_ROUNDS} time(s) (${LAT_RATES.map((r) => `${latencyMeasureMs(r) / 1000} s at ${r}/s`).join(", ")} measured after ${LAT_WARMUP_MS / 1000} s warm-up, a fresh document each time), the servers taking turns in a rotating order after one unmeasured ${LAT_PRIME.ms / 1000} s run each (${LAT_PRIME.clients} clients at ${LAT_PRIME.rate}/s) and a wait until no process had made a full garbage collection for ${SETTLE_QUIET_MS / 1000} s. ` +
      (control
        ? `"${LATENCY_LABEL.control}" is a second copy of Convene, measured like the others: how far its figures land from Convene's shows the table's own noise (decision 018). `
        : "") +
      `p50, p99 and max are over every sample of the cell's runs pooled; "p99 per run" shows each run on its own; "first receiver" is, for each update, its latency to the first client that had it (a high p99 there means whole updates were held up, not only the last receivers). ` +
      `Dropped: (update, client) pairs never received by the end (warm-up included). Ack: the writer's acknowledgement round trip (Convene: stored in SQLite; Hocuspocus: SyncStatus after applying in memory; y-websocket: none). ` +
      `Acked-then-lost: acknowledged updates missing when a fresh client reopened each document after the unload timeout. Server and generator CPU: share of one core, mean over the runs (whole run: warm-up, window and the wait for the last deliveries); loop delay: the worst over the runs.\n`,
  );
  printMarkdownTable(
    [
      "clients",
      "updates/s",
      "server",
      "p50 ms",
      "p99 ms",
      "max ms",
      "p99 per run ms",
      "first receiver p50 / p99 ms",
      "deliveries",
      "dropped",
      "ack p50 ms",
      "ack p99 ms",
      "acked-then-lost",
      "server CPU",
      "server loop delay max ms",
      "generator CPU",
    ],
    pooled.map((c) => {
      const head = [c.clients, c.rate, LATENCY_LABEL[c.server]];
      if (c.runs === 0) return [...head, `failed: ${(c.failures[0] ?? "").slice(0, 120)}`, "", "", "", "", "", "", "", "", "", "", "", ""];
      const lost =
        c.server === "ywebsocket"
          ? "n/a"
          : c.verifyFailures.length
            ? `failed: ${c.verifyFailures[0]!.slice(0, 120)}`
            : c.ackedThenLost === null
              ? "–"
              : String(c.ackedThenLost);
      return [
        ...head,
        stat(c.latency, "p50"),
        stat(c.latency, "p99"),
        stat(c.latency, "max"),
        c.roundP99.map((v) => ms(v)).join(" / ") + (c.failures.length ? ` (${c.failures.length} failed)` : ""),
        c.first ? `${ms(c.first.p50)} / ${ms(c.first.p99)}` : "–",
        `${c.deliveries}/${c.expectedDeliveries}`,
        c.dropped,
        c.ack ? ms(c.ack.p50) : "n/a",
        c.ack ? ms(c.ack.p99) : "n/a",
        lost,
        `${fmt(c.serverCpuPct, 1)} %`,
        ms(c.serverLoopMax),
        `${fmt(c.generatorCpuPct, 1)} %`,
      ];
    }),
  );
  const refusals = latency.filter((c) => c.run.ok && (c.run.value.refused || c.run.value.unacked));
  for (const c of refusals)
    if (c.run.ok)
      console.log(
        `\n${LATENCY_LABEL[c.server]}, ${c.clients} clients at ${c.rate}/s: ${c.run.value.refused} refused, ${c.run.value.unacked} never acknowledged (${c.run.value.firstRefusal ?? ""})`,
      );

  console.log(`\n## Single document, every client writing ${RAMP_RATE} updates/s plus a cursor (awareness)\n`);
  console.log(
    `Every client writes ${RAMP_RATE} updates/s and moves its cursor with each (awareness). Deliveries/s: updates sent in the ${RAMP_MEASURE_MS / 1000} s window times the other clients (the server's fan-out). ` +
      `Latency is measured on ${RAMP_OBSERVERS} observing clients spread over the joining order, which apply everything; the other clients count the update messages they receive without applying them (dropped counts both). ` +
      `A step passes with update p99 < ${RAMP_P99_LIMIT_MS} ms and nothing dropped or refused; a step that does not pass is run once more, and the ramp stops for that server at the second failure. ` +
      `CPU: share of one core over the step (per delivery: that CPU time divided by the deliveries, awareness included, a figure the load generator does not limit); loop delay: how late a 10 ms timer fired in that process (p99 and worst), which shows which side stalled.\n`,
  );
  printMarkdownTable(
    [
      "server",
      "clients",
      "updates/s sent",
      "deliveries/s",
      "p50 ms",
      "p99 ms",
      "awareness p99 ms",
      "observed",
      "dropped",
      "server CPU",
      "server CPU µs per delivery",
      "server loop delay p99/max ms",
      "generator CPU",
      "generator loop delay p99/max ms",
      "passes",
    ],
    KINDS.flatMap((kind) =>
      ramp.get(kind)!.map((step) => {
        const clients = step.retry ? `${step.clients} (again)` : step.clients;
        if (!step.run.ok) return [SERVER_LABEL[kind], clients, failed(step.run), "", "", "", "", "", "", "", "", "", "", "", "no"];
        const r = step.run.value;
        return [
          SERVER_LABEL[kind],
          clients,
          fmt(r.sent / (r.measureMs / 1000), 0),
          fmt(deliveryRate(r), 0),
          stat(r.latency, "p50"),
          stat(r.latency, "p99"),
          stat(r.awarenessLatency, "p99"),
          `${r.deliveries}/${r.expectedDeliveries}`,
          r.dropped,
          `${fmt(r.serverCpuPct, 0)} %`,
          fmt(((r.serverCpuPct / 100) * 1e6) / deliveryRate(r), 1),
          `${ms(r.serverLoop.p99)} / ${ms(r.serverLoop.max)}`,
          `${fmt(r.generatorCpuPct, 0)} %`,
          `${ms(r.generatorLoop.p99)} / ${ms(r.generatorLoop.max)}`,
          passes(r) ? "yes" : "no",
        ];
      }),
    ),
  );
  const best = new Map<ServerKind, { rate: number; clients: number; p99: number } | null>();
  for (const kind of KINDS) {
    const ok = ramp
      .get(kind)!
      .flatMap((s) =>
        s.run.ok && passes(s.run.value) ? [{ rate: deliveryRate(s.run.value), clients: s.clients, p99: s.run.value.latency!.p99 }] : [],
      );
    best.set(kind, ok.length ? ok.reduce((a, b) => (b.rate > a.rate ? b : a)) : null);
  }
  const lastStep = (kind: ServerKind) => ramp.get(kind)!.at(-1);
  console.log("");
  printMarkdownTable(
    ["server", `highest deliveries/s with p99 < ${RAMP_P99_LIMIT_MS} ms`, "at clients", "p99 ms there", "ramp ended"],
    KINDS.map((kind) => {
      const b = best.get(kind);
      const last = lastStep(kind);
      const ended = !last ? "–" : last.run.ok && passes(last.run.value) ? `top step (${last.clients}) passed` : `failed at ${last.clients}`;
      return [SERVER_LABEL[kind], b ? fmt(b.rate, 0) : "none", b ? b.clients : "–", b ? ms(b.p99) : "–", ended];
    }),
  );

  console.log(`\n## ${SYNC_CLIENTS} clients joining a ${SYNC_BYTES / 1000} kB document at once\n`);
  console.log(
    `From the first connection attempt until each client had the server's sync step 2 applied (connection, authentication and join included). Cold: the document unloaded, read from storage; warm: the same again while the first ${SYNC_CLIENTS} are still connected. Each server first carries one unmeasured join (10 clients, 16 kB); then ${SYNC_ROUNDS} round(s), a fresh document each, the servers taking turns in a rotating order. Convene's clients join ${process.env.BENCH_DOCS_JOIN === "step1" ? "without their state vector and send a sync step 1 after the answer (the older exchange)" : "with their state vector, answered with the sync step 2"}, through ${process.env.BENCH_DOCS_CONVENE_CLIENT === "socket.io-client" ? "socket.io-client" : "the wire client"}.\n`,
  );
  const p50 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.ceil(v.length / 2) - 1]!;
  printMarkdownTable(
    [
      "server",
      "round",
      "document (encoded)",
      "cold p50 ms",
      "cold all synced ms",
      "warm p50 ms",
      "warm all synced ms",
      "server CPU ms cold / warm",
      "wrong content",
    ],
    KINDS.flatMap((kind) => {
      const runs = sync.get(kind) ?? [];
      if (!runs.length) return [[SERVER_LABEL[kind], "–", "not run", "", "", "", "", "", ""]];
      return runs.map((o, i) => {
        if (!o.ok) return [SERVER_LABEL[kind], i + 1, failed(o), "", "", "", "", "", ""];
        const { seed, cold, warm, coldCpuMs, warmCpuMs } = o.value;
        return [
          SERVER_LABEL[kind],
          i + 1,
          `${fmt(seed.encodedBytes / 1000, 1)} kB`,
          ms(p50(cold.syncMs)),
          ms(cold.ms),
          ms(p50(warm.syncMs)),
          ms(warm.ms),
          `${fmt(coldCpuMs, 0)} / ${fmt(warmCpuMs, 0)}`,
          cold.wrongLength + warm.wrongLength,
        ];
      });
    }),
  );
  /** Per server: the median over the rounds of the time until all were synced, cold and warm. */
  const syncMedian = (kind: ServerKind) => {
    const ok = (sync.get(kind) ?? []).flatMap((o) => (o.ok ? [o.value] : []));
    if (!ok.length) return null;
    return {
      rounds: ok.length,
      cold: p50(ok.map((r) => r.cold.ms)),
      warm: p50(ok.map((r) => r.warm.ms)),
      coldP50: p50(ok.map((r) => p50(r.cold.syncMs))),
      warmP50: p50(ok.map((r) => p50(r.warm.syncMs))),
    };
  };
  console.log(`\nMedian over the rounds (all synced; per-client p50 in brackets), and the ratio to Hocuspocus's:\n`);
  const hpSync = syncMedian("hocuspocus");
  printMarkdownTable(
    ["server", "rounds", "cold all synced ms", "warm all synced ms", "cold / Hocuspocus", "warm / Hocuspocus"],
    KINDS.map((kind) => {
      const m = syncMedian(kind);
      if (!m) return [SERVER_LABEL[kind], 0, "–", "–", "–", "–"];
      return [
        SERVER_LABEL[kind],
        m.rounds,
        `${ms(m.cold)} (${ms(m.coldP50)})`,
        `${ms(m.warm)} (${ms(m.warmP50)})`,
        hpSync ? `${fmt(m.cold / hpSync.cold, 2)}x` : "–",
        hpSync ? `${fmt(m.warm / hpSync.warm, 2)}x` : "–",
      ];
    }),
  );

  console.log(`\n## Server memory (after a forced GC)\n`);
  console.log(
    `Start: after one document was opened, closed and unloaded (first-use code loaded). Per connection: ${MEM_CONNECTIONS} clients on one document. Per open document: ${MEM_DOCUMENTS} documents, each with one client that wrote one small update (the document's connection included). After idle: all ${MEM_DOCUMENTS} closed and left idle ${fmt(UNLOAD_WAIT_MS / 1000, 1)} s (unload timeout ${UNLOAD_MS / 1000} s), then ${fmt(LONG_IDLE_MS / 1000, 0)} s. Heap: what the server's objects use after a forced full collection; RSS: what the process holds from the system, which also counts heap pages V8 has not given back yet and memory the C allocator keeps for reuse.\n`,
  );
  printMarkdownTable(
    [
      "server",
      "start heap MiB",
      "start RSS MiB",
      "per connection heap KiB",
      "per connection RSS KiB",
      "per open doc heap KiB",
      "per open doc RSS KiB",
      `${MEM_DOCUMENTS} open heap MiB`,
      `after ${fmt(UNLOAD_WAIT_MS / 1000, 1)} s idle heap / RSS MiB`,
      `after ${fmt(LONG_IDLE_MS / 1000, 0)} s idle heap / RSS MiB`,
      "heap vs start",
      "RSS vs start",
      "docs still loaded",
    ],
    KINDS.map((kind) => {
      const o = memory.get(kind);
      if (!o) return [SERVER_LABEL[kind], "not run", "", "", "", "", "", "", "", "", "", "", ""];
      if (!o.ok) return [SERVER_LABEL[kind], failed(o), "", "", "", "", "", "", "", "", "", "", ""];
      const m = o.value;
      const change = (a: number, b: number) => `${b >= a ? "+" : ""}${fmt((100 * (b - a)) / a, 1)} %`;
      return [
        SERVER_LABEL[kind],
        mib(m.start.heapUsed),
        mib(m.start.rss),
        kib((m.withConnections.heapUsed - m.start.heapUsed) / MEM_CONNECTIONS),
        kib((m.withConnections.rss - m.start.rss) / MEM_CONNECTIONS),
        kib((m.withDocuments.heapUsed - m.beforeDocuments.heapUsed) / MEM_DOCUMENTS),
        kib((m.withDocuments.rss - m.beforeDocuments.rss) / MEM_DOCUMENTS),
        mib(m.withDocuments.heapUsed),
        `${mib(m.afterIdle.heapUsed)} / ${mib(m.afterIdle.rss)}`,
        `${mib(m.afterLongIdle.heapUsed)} / ${mib(m.afterLongIdle.rss)}`,
        `${change(m.start.heapUsed, m.afterIdle.heapUsed)}, then ${change(m.start.heapUsed, m.afterLongIdle.heapUsed)}`,
        `${change(m.start.rss, m.afterIdle.rss)}, then ${change(m.start.rss, m.afterLongIdle.rss)}`,
        m.loadedAfterIdle === null ? "n/a" : m.loadedAfterIdle,
      ];
    }),
  );

  console.log(`\n## Acknowledged updates after SIGKILL\n`);
  console.log(
    `One client writes ${CRASH_UPDATES} updates at ${CRASH_RATE}/s; right after the last acknowledgement the server process is killed (SIGKILL), restarted on the same database, and a fresh client reopens the document.\n`,
  );
  const ackMeaning: Record<LatencyId, string> = {
    convene: "stored in SQLite (committed)",
    control: "stored in SQLite (committed)",
    hocuspocus: "applied in memory (SyncStatus); stored 2 s after the last change (its default store delay)",
    hocuspocusNoDelay: "applied in memory (SyncStatus); the whole state stored on every change, not awaited by the acknowledgement",
    ywebsocket: "no acknowledgement; stored when the last client leaves",
  };
  const crashIds: LatencyId[] = KINDS.flatMap((k): LatencyId[] => (k === "hocuspocus" ? [k, "hocuspocusNoDelay"] : [k]));
  printMarkdownTable(
    ["server", "sent", "acknowledged", "acked-then-lost", "sent-then-lost", "restart ms", "acknowledgement means"],
    crashIds.map((kind) => {
      const o = crash.get(kind);
      if (!o) return [LATENCY_LABEL[kind], "not run", "", "", "", "", ackMeaning[kind]];
      if (!o.ok) return [LATENCY_LABEL[kind], failed(o), "", "", "", "", ackMeaning[kind]];
      const { write, verify, restartMs } = o.value;
      return [
        LATENCY_LABEL[kind],
        write.sent,
        kind === "ywebsocket" ? "n/a" : write.acked,
        kind === "ywebsocket" ? "n/a" : verify.ackedMissing,
        verify.sentMissing,
        fmt(restartMs, 0),
        ackMeaning[kind],
      ];
    }),
  );

  // Goals.
  console.log(
    `\n## Goals (Convene; fan-out latency through ${process.env.BENCH_DOCS_CONVENE_CLIENT === "socket.io-client" ? "socket.io-client" : "the wire client"})\n`,
  );
  const goalRows: string[][] = [];
  for (const clients of LAT_CLIENTS) {
    for (const rate of LAT_RATES) {
      const c = pooled.find((x) => x.server === "convene" && x.clients === clients && x.rate === rate)?.latency;
      const h = pooled.find((x) => x.server === "hocuspocus" && x.clients === clients && x.rate === rate)?.latency;
      const cp = c?.p99;
      const hp = h?.p99;
      const met = cp !== undefined && hp !== undefined && cp <= hp;
      const n = c && h ? ` (${c.n} / ${h.n} samples)` : "";
      const second = pooled.find((x) => x.server === "control" && x.clients === clients && x.rate === rate)?.latency;
      const controlNote = second ? `; the second Convene server ${ms(second.p99)} ms` : "";
      // The verdict is the plain comparison. The control's gap is the table's noise and is stated alike whichever
      // server is ahead: a difference smaller than it is "not told apart", for a win as for a miss (decision 018).
      const gap = cp !== undefined && second ? Math.abs(cp - second.p99) : undefined;
      const withinNoise = cp !== undefined && hp !== undefined && gap !== undefined && Math.abs(cp - hp) <= gap;
      const noise =
        gap === undefined || cp === undefined || hp === undefined
          ? ""
          : ` (${ms(Math.abs(cp - hp), 2)} ms ${cp <= hp ? "below" : "above"}; the two Convene servers ${ms(gap, 2)} ms apart${withinNoise ? ": not told apart" : ""})`;
      goalRows.push([
        `p99 <= Hocuspocus, ${clients} clients at ${rate}/s`,
        `${ms(cp)} vs ${ms(hp)} ms${n}${controlNote}`,
        cp === undefined || hp === undefined ? "unknown" : `${met ? "met" : "NOT met"}${noise}`,
      ]);
    }
  }
  const bc = best.get("convene");
  const bh = best.get("hocuspocus");
  const passedTop = (kind: ServerKind) => {
    const last = lastStep(kind);
    return !!last && last.clients === RAMP_CLIENTS.at(-1) && last.run.ok && passes(last.run.value);
  };
  const throughputMet = !bc ? false : !bh || bc.rate >= bh.rate;
  goalRows.push([
    `throughput >= Hocuspocus (deliveries/s with p99 < ${RAMP_P99_LIMIT_MS} ms)`,
    `${bc ? fmt(bc.rate, 0) : "none"} vs ${bh ? fmt(bh.rate, 0) : "none"}`,
    !throughputMet
      ? "NOT met"
      : passedTop("convene") && passedTop("hocuspocus")
        ? "met (both passed the top step; the ramp does not separate them)"
        : "met",
  ]);
  // Information: the server's own CPU cost per delivery at the largest step both servers passed.
  const perDelivery = (kind: ServerKind, clients: number) => {
    const step = ramp.get(kind)?.find((x) => x.clients === clients && x.run.ok && passes(x.run.value));
    return step?.run.ok ? ((step.run.value.serverCpuPct / 100) * 1e6) / deliveryRate(step.run.value) : undefined;
  };
  const common = [...RAMP_CLIENTS]
    .reverse()
    .find((n) => perDelivery("convene", n) !== undefined && perDelivery("hocuspocus", n) !== undefined);
  if (common !== undefined) {
    goalRows.push([
      `(information) server CPU per delivery at ${common} clients`,
      `${fmt(perDelivery("convene", common)!, 1)} vs ${fmt(perDelivery("hocuspocus", common)!, 1)} µs`,
      "–",
    ]);
  }
  const cvSync = syncMedian("convene");
  if (cvSync && hpSync) {
    const worst = Math.max(cvSync.cold / hpSync.cold, cvSync.warm / hpSync.warm);
    goalRows.push([
      `${SYNC_CLIENTS} clients joining a ${SYNC_BYTES / 1000} kB document: all synced no slower than Hocuspocus (median of rounds)`,
      `cold ${ms(cvSync.cold)} vs ${ms(hpSync.cold)} ms, warm ${ms(cvSync.warm)} vs ${ms(hpSync.warm)} ms (${fmt(worst, 2)}x at worst)`,
      worst <= 1 ? "met" : "NOT met",
    ]);
  } else if (scenario("sync")) goalRows.push([`${SYNC_CLIENTS} clients joining: no slower than Hocuspocus`, "–", "unknown"]);
  const cm = memory.get("convene");
  if (cm?.ok) {
    const ratio = cm.value.afterLongIdle.heapUsed / cm.value.start.heapUsed;
    const rssRatio = cm.value.afterLongIdle.rss / cm.value.start.rss;
    goalRows.push([
      `heap ${fmt(LONG_IDLE_MS / 1000, 0)} s after the documents were closed within 10 % of start`,
      `${fmt((ratio - 1) * 100, 1)} %`,
      ratio <= 1.1 ? "met" : "NOT met",
    ]);
    goalRows.push([
      `RSS ${fmt(LONG_IDLE_MS / 1000, 0)} s after the documents were closed within 10 % of start`,
      `${fmt((rssRatio - 1) * 100, 1)} %`,
      rssRatio <= 1.1 ? "met" : "NOT met",
    ]);
  } else goalRows.push(["memory after idle unload within 10 % of start", cm ? failed(cm) : "–", "unknown"]);
  const isConvene = (c: LatencyCase) => c.server === "convene" || c.server === "control";
  const lostReopen = latency
    .filter((c) => isConvene(c) && c.verify?.ok)
    .reduce((n, c) => n + (c.verify as { value: VerifyResult }).value.ackedMissing, 0);
  const verified = latency.filter((c) => isConvene(c) && c.verify?.ok).length;
  const cc = crash.get("convene");
  const lostCrash = cc?.ok ? cc.value.verify.ackedMissing : null;
  goalRows.push([
    "zero acknowledged-then-lost updates",
    `${lostReopen} after reopen (${verified} documents), ${lostCrash ?? "–"} after SIGKILL`,
    verified === 0 || lostCrash === null ? "unknown" : lostReopen === 0 && lostCrash === 0 ? "met" : "NOT met",
  ]);
  printMarkdownTable(["goal", "measured", "result"], goalRows);

  const file = saveResults(QUICK ? "docs-hub-quick" : "docs-hub", {
    loadAverage1mAtStart: loadAtStart,
    parameters: {
      quick: QUICK,
      unloadMs: UNLOAD_MS,
      latency: {
        clients: LAT_CLIENTS,
        rates: LAT_RATES,
        warmupMs: LAT_WARMUP_MS,
        measureMs: Object.fromEntries(LAT_RATES.map((r) => [r, latencyMeasureMs(r)])),
        rounds: LAT_ROUNDS,
        prime: LAT_PRIME,
      },
      ramp: { clients: RAMP_CLIENTS, rate: RAMP_RATE, warmupMs: RAMP_WARMUP_MS, measureMs: RAMP_MEASURE_MS, p99LimitMs: RAMP_P99_LIMIT_MS },
      memory: { connections: MEM_CONNECTIONS, documents: MEM_DOCUMENTS },
      sync: { clients: SYNC_CLIENTS, bytes: SYNC_BYTES, rounds: SYNC_ROUNDS, join: process.env.BENCH_DOCS_JOIN ?? "state-vector" },
      crash: { updates: CRASH_UPDATES, rate: CRASH_RATE },
    },
    latency: latency.map((c) => (c.run.ok ? { ...c, run: { ok: true, value: { ...c.run.value, samples: undefined } } } : c)),
    latencyPooled: pooled,
    ramp: Object.fromEntries(ramp),
    sync: Object.fromEntries(sync),
    memory: Object.fromEntries(memory),
    crash: Object.fromEntries(crash),
    totalSeconds: (performance.now() - startedAt) / 1000,
  });
  console.log(`\nSaved ${file} (total ${elapsed()})`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
