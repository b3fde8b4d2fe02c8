/** Shared helpers for the benchmarks: start the server as a child process, time things, print and save results. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Secret, TOTP } from "otpauth";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
export const RESULTS_DIR = join(ROOT, "bench", "results");

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function cleanupSync() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanupSync);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanupSync();
    process.exit(130);
  });
}

/** Stops the whole benchmark (and its server) if it runs longer than `ms`. */
export function deadline(ms: number, name: string): void {
  const timer = setTimeout(() => {
    console.error(`${name}: gave up after ${Math.round(ms / 1000)} s.`);
    process.exit(1);
  }, ms);
  timer.unref();
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "convene-bench-"));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export interface ServerChild {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Base URL on the loopback address the server listens on. */
  url: string;
  /** Milliseconds from spawn until the "Convene listening on" line was read. */
  spawnToListenMs: number;
  /** The server's own figure from that line (from the start of `main()`, after its imports were loaded). */
  reportedMs: number | null;
  /** What the server has written to stderr so far (first 20,000 characters), and how it exited if it did. */
  diagnostics(): string;
  /** Calls `listener` with every later line the server writes to stderr. */
  onStderrLine(listener: (line: string) => void): () => void;
  stop(): Promise<void>;
}

export interface StartOptions {
  databasePath: string;
  extraEnv?: Record<string, string>;
  /** Extra `node` options. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

const LISTEN_LINE = /^Convene listening on http:\/\/localhost:(\d+) .* in (\d+) ms$/;

/** What `npm start` runs: the server bundled by `npm run build`. */
export const SERVER_ENTRY = "build/runtime/main.js";

/**
 * Spawns `node build/runtime/main.js` (as `npm start` does) in production mode on an ephemeral loopback port
 * and resolves once it prints its listening line. Only the variables Convene reads are passed, so
 * settings of the calling shell do not leak into the measurement.
 */
export function startServer(options: StartOptions): Promise<ServerChild> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpdir(),
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DEMO_MODE: "true",
    DATABASE_PATH: options.databasePath,
    ...options.extraEnv,
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  const timeoutMs = options.timeoutMs ?? 30_000;

  if (!existsSync(join(ROOT, SERVER_ENTRY))) throw new Error(`No server bundle at ${SERVER_ENTRY}: run "npm run build" first.`);

  return new Promise((resolveStart, rejectStart) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER_ENTRY], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let stderr = "";
    let settled = false;
    const stderrListeners = new Set<(line: string) => void>();
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (stderr.length < 20_000) stderr += `${line}\n`;
      for (const listener of stderrListeners) listener(line);
    });

    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    };

    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => rejectStart(new Error(`${message}\n--- server stderr ---\n${stderr.trim()}`)));
    };
    const timer = setTimeout(() => fail(`The server did not report listening within ${timeoutMs} ms.`), timeoutMs);
    child.once("exit", (code, signal) => fail(`The server exited early (code ${code}, signal ${signal}).`));
    child.once("error", (error) => fail(`The server could not be spawned: ${error.message}`));

    const lines = createInterface({ input: child.stdout! });
    const lastStdout: string[] = [];
    lines.on("line", (line) => {
      lastStdout.push(line);
      if (lastStdout.length > 20) lastStdout.shift();
      if (settled || !line.startsWith("Convene listening on")) return;
      const spawnToListenMs = performance.now() - started;
      const match = LISTEN_LINE.exec(line);
      if (!match) return fail(`Unexpected listening line: ${line}`);
      settled = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolveStart({
        child,
        pid: child.pid!,
        port,
        url: `http://127.0.0.1:${port}`,
        spawnToListenMs,
        reportedMs: Number(match[2]),
        diagnostics: () =>
          `exit code ${child.exitCode}, signal ${child.signalCode}\n--- server stderr ---\n${stderr.trim()}\n--- last stdout lines ---\n${lastStdout.join("\n")}`,
        onStderrLine: (listener) => {
          stderrListeners.add(listener);
          return () => stderrListeners.delete(listener);
        },
        stop,
      });
    });
  });
}

/** Spawns a command and resolves with the milliseconds until it exits (it must exit with 0). */
export function timeCommand(args: string[], env?: Record<string, string>): Promise<number> {
  return new Promise((resolveRun, rejectRun) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" });
    children.add(child);
    child.once("error", rejectRun);
    child.once("exit", (code) => {
      children.delete(child);
      if (code === 0) resolveRun(performance.now() - started);
      else rejectRun(new Error(`node ${args.join(" ")} exited with ${code}`));
    });
  });
}

/** Fields of /proc/<pid>/status, in KiB. */
export function procMemory(pid: number): { rssKiB: number; rssAnonKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!match) throw new Error(`${name} missing from /proc/${pid}/status`);
    return Number(match[1]);
  };
  return { rssKiB: field("VmRSS"), rssAnonKiB: field("RssAnon"), hwmKiB: field("VmHWM") };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function summary(values: readonly number[]) {
  return {
    n: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** Prints a plain-text table with right-aligned numeric columns. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Prints the load average, since other work on a 2-core machine skews every figure here. */
export function reportLoad(name: string): number {
  const [one] = loadavg();
  const load = one ?? 0;
  const cores = cpus().length;
  console.log(
    `${name}: load average (1 min) ${load.toFixed(2)} on ${cores} cores${load > 0.5 ? "; the machine is busy, expect skewed figures" : ""}`,
  );
  return load;
}

export function machine() {
  const list = cpus();
  return {
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    node: process.version,
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Writes bench/results/<name>.json and returns its path relative to the repository. */
export function saveResults(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, measuredAt: new Date().toISOString(), machine: machine(), ...data }, null, 2) + "\n");
  return `bench/results/${name}.json`;
}

/** The high-resolution wall clock in milliseconds, comparable between processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();

let pinnable: boolean | undefined;

/**
 * Whether child processes can be kept to CPUs of their own: two CPUs or more and util-linux's `taskset`.
 * BENCH_PIN=0 turns it off. Found out on first use, so benchmarks that never pin do not pay for it.
 */
export function canPin(): boolean {
  pinnable ??=
    process.env.BENCH_PIN !== "0" && availableParallelism() >= 2 && spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
  return pinnable;
}

/**
 * Spawns `node <args>` from the repository root with an IPC channel, stopped with the benchmark if it is
 * still running. Standard output and error are passed through unless `quiet` is set. With `cpu` (and
 * `canPin`), the process and every thread it starts run on that CPU only.
 */
export function spawnNode(args: string[], options: { env?: NodeJS.ProcessEnv; quiet?: boolean; cpu?: number } = {}): ChildProcess {
  const [command, argv] =
    options.cpu !== undefined && canPin() ? ["taskset", ["-c", String(options.cpu), process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", options.quiet ? "pipe" : "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/**
 * The authenticator of a benchmark: by email, the TOTP key it enrolled on one server's database, the last time
 * step it used, and the recovery codes it was given.
 */
export type Authenticator = Map<string, { secret: string; lastStep: number; recoveryCodes: string[] }>;

/**
 * Signs in with a demo account and returns the `convene_session=…` pair for a Cookie header. A secretariat
 * account (which needs a second factor) is enrolled on its first sign-in as a person would: the key shown
 * on the enrolment page goes into `authenticator` (otpauth computes the codes), which later sign-ins to the
 * same database use. A code is accepted once, so a sign-in within the same 30 s uses a recovery code
 * (so as not to wait and inflate what is timed around it), and waits for the next step once none is left.
 */
export async function signIn(url: string, email: string, password: string, authenticator: Authenticator = new Map()): Promise<string> {
  const post = (path: string, body: Record<string, string>, cookie?: string) =>
    fetch(url + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url, ...(cookie ? { Cookie: cookie } : {}) },
      body: new URLSearchParams(body).toString(),
      redirect: "manual",
    });
  const sessionOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith("convene_session=") && !c.startsWith("convene_session=;"))
      ?.split(";")[0];
  const res = await post("/sign-in", { email, password });
  await res.arrayBuffer();
  const session = sessionOf(res);
  if (res.status === 302 && session) return session;
  const pending = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("convene_pending="))
    ?.split(";")[0];
  const step = /^\/sign-in\/(enrol|verify)\b/.exec(res.headers.get("location") ?? "")?.[1];
  if (res.status !== 302 || !pending || !step) throw new Error(`Sign-in as ${email} failed: HTTP ${res.status}`);

  let done: Response;
  if (step === "enrol") {
    const page = await (await fetch(`${url}/sign-in/enrol`, { headers: { Cookie: pending } })).text();
    const secret = /id="totp-secret"[^>]*>([A-Z2-7 ]+)</.exec(page)?.[1]?.replaceAll(" ", "");
    if (!secret) throw new Error(`Sign-in as ${email}: no enrolment key on the page.`);
    const totp = new TOTP({ secret: Secret.fromBase32(secret) });
    done = await post("/sign-in/enrol", { code: totp.generate() }, pending);
    const recoveryCodes = [...new Set((await done.text()).match(/[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/g) ?? [])];
    authenticator.set(email, { secret, lastStep: totp.counter(), recoveryCodes });
  } else {
    const known = authenticator.get(email);
    if (!known) throw new Error(`Sign-in as ${email} asks for a second factor this benchmark did not enrol.`);
    const totp = new TOTP({ secret: Secret.fromBase32(known.secret) });
    const recoveryCode = totp.counter() <= known.lastStep ? known.recoveryCodes.shift() : undefined;
    if (recoveryCode) {
      done = await post("/sign-in/verify", { intent: "recovery", code: recoveryCode }, pending);
    } else {
      if (totp.counter() <= known.lastStep) await sleep(totp.remaining() + 50);
      known.lastStep = totp.counter();
      done = await post("/sign-in/verify", { intent: "totp", code: totp.generate() }, pending);
    }
    await done.arrayBuffer();
  }
  const cookie = sessionOf(done);
  if (!cookie) throw new Error(`Sign-in as ${email}: the second factor was refused (HTTP ${done.status}).`);
  return cookie;
}

let clockTicks: number | null = null;

/** CPU time a process has used so far (user and system), in milliseconds, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number): { userMs: number; systemMs: number } {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { userMs: (Number(fields[11]) * 1000) / clockTicks, systemMs: (Number(fields[12]) * 1000) / clockTicks };
}

/** The soft limit on open files of a shell started from here ("unlimited" or a number). */
export function openFilesLimit(): string {
  return execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim();
}

/** Prints a Markdown (GitHub) table; numeric columns are right-aligned. */
export function printMarkdownTable(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const numeric = headers.map((_, i) => i > 0 && cells.every((r) => /^[-+]?[\d.,]+( ?[%x])?$|^n\/a$|^–$/.test(r[i] ?? "")));
  const escape = (c: string) => c.replace(/\|/g, "\\|");
  console.log(`| ${headers.map(escape).join(" | ")} |`);
  console.log(`|${headers.map((_, i) => (numeric[i] ? " ---: " : " --- ")).join("|")}|`);
  for (const r of cells) console.log(`| ${r.map(escape).join(" | ")} |`);
}

/** What every load generator answers besides its own replies: a failure, and its clock for `clockOffset`. */
type GeneratorBase = { type: "error"; message: string } | { type: "clock"; id: number; now: number };

/**
 * The parent's side of one load-generator process (`node --import tsx <script>`), spoken to over IPC: typed
 * commands out, and replies awaited by type. A generator's failure or exit rejects every reply still awaited.
 */
export class LoadGenerator<Command extends { type: string }, Reply extends { type: string }> {
  private waiters = new Set<{ accept: (m: Reply) => boolean; reject: (e: Error) => void }>();
  readonly child: ChildProcess;
  readonly pid: number;

  constructor(
    readonly index: number,
    script: string,
    nodeArgs: string[] = [],
  ) {
    this.child = spawnNode([...nodeArgs, "--import", "tsx", script]);
    this.pid = this.child.pid!;
    this.child.on("message", (message: Reply | GeneratorBase) => {
      if (message.type === "error")
        return this.failAll(new Error(`Generator ${index}: ${(message as GeneratorBase & { type: "error" }).message}`));
      for (const w of this.waiters) if (w.accept(message as Reply)) return;
    });
    this.child.on("error", (error) => console.error(`Generator ${index}: ${error.message}`));
    this.child.once("exit", (code, signal) => this.failAll(new Error(`Generator ${index} exited (code ${code}, signal ${signal}).`)));
  }

  private failAll(error: Error) {
    for (const w of this.waiters) w.reject(error);
    this.waiters.clear();
  }

  /** Resolves with the next reply of this type (and matching `filter`). */
  next<T extends Reply["type"]>(
    type: T,
    filter: (m: Extract<Reply, { type: T }>) => boolean = () => true,
    timeoutMs = 60_000,
  ): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolveReply, rejectReply) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        rejectReply(new Error(`Generator ${this.index}: no "${type}" reply within ${timeoutMs} ms.`));
      }, timeoutMs);
      const waiter = {
        accept: (m: Reply) => {
          if (m.type !== type || !filter(m as Extract<Reply, { type: T }>)) return false;
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolveReply(m as Extract<Reply, { type: T }>);
          return true;
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          rejectReply(e);
        },
      };
      this.waiters.add(waiter);
    });
  }

  send(command: Command) {
    this.child.send(command);
  }

  /** Estimates this process's clock minus ours over IPC, from the ping with the shortest round trip. */
  async clockOffset(): Promise<{ offsetMs: number; roundTripMs: number }> {
    let best = { offsetMs: 0, roundTripMs: Number.POSITIVE_INFINITY };
    for (let id = 0; id < 30; id++) {
      const reply = new Promise<number>((resolveClock) => {
        const listener = (m: GeneratorBase) => {
          if (m.type !== "clock" || m.id !== id) return;
          this.child.off("message", listener);
          resolveClock(m.now);
        };
        this.child.on("message", listener);
      });
      const sent = wallNow();
      this.child.send({ type: "clock", id });
      const now = await reply;
      const back = wallNow();
      if (back - sent < best.roundTripMs) best = { offsetMs: now - (sent + back) / 2, roundTripMs: back - sent };
    }
    return best;
  }

  /** Disconnects; the generator leaves with its channel (and writes its profile when asked to). */
  async stop() {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once("exit", () => r())));
    if (this.child.connected) this.child.disconnect();
    await exited;
  }
}

/** A slot of the timetable, as its editor's move form sends it. */
export interface MoveSlot {
  roomId: number;
  date: string;
  startTime: string;
  endTime: string;
}

/** Moves a session to `slot` through the timetable's own action (`intent=move`), as the editor's page does. */
export function postMove(serverUrl: string, cookie: string, eventId: number, sessionId: number, slot: MoveSlot): Promise<Response> {
  return fetch(`${serverUrl}/events/${eventId}/timetable.data`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: serverUrl, Cookie: cookie },
    body: new URLSearchParams({
      intent: "move",
      sessionId: String(sessionId),
      roomId: String(slot.roomId),
      date: slot.date,
      startTime: slot.startTime,
      endTime: slot.endTime,
    }).toString(),
    redirect: "manual",
  });
}
