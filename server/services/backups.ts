/**
 * Backups that restore (decision 025): a consistent copy of the database taken with SQLite's online backup
 * while Convene runs, the evidence files its rows point to, and a manifest (migration level, row counts,
 * checksums), written into a folder of its own under `BACKUP_DIR`. Also the scheduled backups (a service of
 * the server), pruning to `BACKUP_KEEP`, checking a backup, and putting one back (`npm run restore`).
 *
 * A backup folder:
 *
 *     convene-2026-12-02T031500Z/
 *       manifest.json          what is inside, with checksums; written last
 *       convene.db             the database (a single file, rollback journal mode)
 *       evidence/ab/ab12…      the evidence files, laid out as in the live evidence folder
 *
 * It is written under a `.partial-…` name and renamed when complete, so a folder named `convene-…` is
 * always a whole backup. Evidence files never change once stored (their name is their SHA-256), so a file
 * the previous backup already holds is hard-linked from it instead of copied again.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { copyFile, link, mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { evidenceDir, evidencePath } from "../../app/models/evidence.server";
import { openDatabase } from "../../db/client";
import type { Env } from "../env";

const require = createRequire(import.meta.url);

export const MANIFEST_FILE = "manifest.json";
export const DATABASE_FILE = "convene.db";
export const EVIDENCE_FOLDER = "evidence";
const BACKUP_NAME = /^convene-\d{4}-\d\d-\d\dT\d{6}Z(-manual)?(-\d+)?$/;
const PARTIAL_PREFIX = ".partial-";
/** A partial folder older than this is left over from a backup that died, and is removed when pruning. */
const STALE_PARTIAL_MS = 60 * 60_000;
/** The first scheduled backup after a start waits at least this long (or one interval, if shorter). */
const SETTLE_MS = 10 * 60_000;

export interface BackupManifest {
  format: "convene-backup";
  version: 1;
  /** When the copy of the database was taken (ISO 8601). */
  createdAt: string;
  trigger: "scheduled" | "manual";
  database: { file: string; bytes: number; sha256: string };
  /** The schema's migration level: how many migrations were applied, and the last one's time stamp. */
  migrations: { applied: number; latestCreatedAt: number | null };
  /** Rows in every table. */
  tables: Record<string, number>;
  evidence: {
    files: { sha256: string; bytes: number }[];
    bytes: number;
    /** Files a row points to that were not on the disk (or did not match their hash) when the backup was taken. */
    missing: string[];
  };
}

export interface BackupResult {
  path: string;
  manifest: BackupManifest;
  /** Evidence files hard-linked from the previous backup rather than copied. */
  linked: number;
  ms: number;
}

export class BackupError extends Error {}

/** Pages copied per step when the backup runs on the server's own connection (its writes reach the copy too). */
const PAGES_PER_STEP_SHARED = 1000;
/** On a connection of its own, everything is copied in one step: one read transaction, so one consistent moment. */
export const PAGES_ALL_AT_ONCE = 0x7fffffff;

function stamp(date: Date): string {
  // 2026-12-02T03:15:00.123Z → 2026-12-02T031500Z
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/:/g, "");
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function fsyncFile(path: string) {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Described {
  problems: string[];
  tables: Record<string, number>;
  migrations: BackupManifest["migrations"];
  evidence: string[];
}

/**
 * What a database file holds, read on a connection of its own: integrity, migration level, rows per table,
 * evidence files. It runs in a worker thread (see `describeDatabase`), so it is written self-contained: it
 * uses nothing but its arguments.
 */
function describeInThread(Driver: typeof Database, path: string, makeSelfContained: boolean): Described {
  // Checking never writes to the backup; making it self-contained does, once, when it is taken.
  const sqlite = new Driver(path, { fileMustExist: true, readonly: !makeSelfContained });
  try {
    // A backup is one file: no write-ahead log beside it.
    if (makeSelfContained) sqlite.pragma("journal_mode = DELETE");
    const integrity = sqlite.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    const problems = integrity.map((r) => r.integrity_check).filter((r) => r !== "ok");
    const tableNames = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    const tables: Record<string, number> = {};
    for (const name of tableNames) {
      tables[name] = (sqlite.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
    }
    const migrations = tableNames.includes("__drizzle_migrations")
      ? (sqlite.prepare("SELECT count(*) AS applied, max(created_at) AS latest FROM __drizzle_migrations").get() as {
          applied: number;
          latest: number | null;
        })
      : { applied: 0, latest: null };
    const evidence = tableNames.includes("evidence")
      ? (
          sqlite.prepare("SELECT DISTINCT sha256 FROM evidence WHERE kind = 'file' AND sha256 IS NOT NULL ORDER BY sha256").all() as {
            sha256: string;
          }[]
        ).map((r) => r.sha256)
      : [];
    return { problems, tables, migrations: { applied: migrations.applied, latestCreatedAt: migrations.latest }, evidence };
  } finally {
    sqlite.close();
  }
}

/**
 * Runs `describeInThread` in a worker thread: the integrity check reads the whole file (about half a second
 * for 100 MB), which would otherwise stall a running server's pages and live connections.
 */
function describeDatabase(path: string, options: { makeSelfContained: boolean }): Promise<Described> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const describe = ${describeInThread.toString()};
    try {
      parentPort.postMessage({ ok: true, value: describe(require(workerData.driver), workerData.path, workerData.makeSelfContained) });
    } catch (error) {
      parentPort.postMessage({ ok: false, message: String((error && error.message) || error) });
    }`;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(code, {
      eval: true,
      workerData: { driver: require.resolve("better-sqlite3"), path, makeSelfContained: options.makeSelfContained },
    });
    worker.once("message", (result: { ok: true; value: Described } | { ok: false; message: string }) => {
      if (result.ok) resolvePromise(result.value);
      else reject(new BackupError(`reading ${path} failed: ${result.message}`));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new BackupError(`reading ${path} stopped with code ${code}`));
    });
  });
}

/** The complete backups in a folder, oldest first (folders without a readable manifest are left out). */
export async function listBackups(dir: string): Promise<{ path: string; manifest: BackupManifest }[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: { path: string; manifest: BackupManifest }[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !BACKUP_NAME.test(entry.name)) continue;
    const path = join(dir, entry.name);
    try {
      const manifest = JSON.parse(await readFile(join(path, MANIFEST_FILE), "utf8")) as BackupManifest;
      if (manifest.format === "convene-backup") found.push({ path, manifest });
    } catch {
      // Not a backup (or not one this version can read): left alone, never deleted.
    }
  }
  return found.sort((a, b) => a.manifest.createdAt.localeCompare(b.manifest.createdAt) || a.path.localeCompare(b.path));
}

/**
 * Takes a backup of the database open on `sqlite` (the server's own connection, or one of its own) into a
 * new folder under `backupDir`. The evidence files are those the copied rows point to.
 */
export async function createBackup(options: {
  sqlite: Database.Database;
  databasePath: string;
  backupDir: string;
  trigger: BackupManifest["trigger"];
  /** Pages per step: see PAGES_ALL_AT_ONCE. */
  pagesPerStep?: number;
  signal?: AbortSignal;
}): Promise<BackupResult> {
  const started = performance.now();
  const { sqlite, backupDir, trigger, signal } = options;
  const pagesPerStep = options.pagesPerStep ?? PAGES_PER_STEP_SHARED;
  await mkdir(backupDir, { recursive: true });
  const previous = (await listBackups(backupDir)).at(-1) ?? null;
  const previousFiles = new Set(previous?.manifest.evidence.files.map((f) => f.sha256));
  const partial = join(backupDir, `${PARTIAL_PREFIX}${Date.now()}-${randomBytes(4).toString("hex")}`);
  await mkdir(partial);
  try {
    const createdAt = new Date();
    const databaseCopy = join(partial, DATABASE_FILE);
    await sqlite.backup(databaseCopy, {
      progress: () => {
        if (signal?.aborted) throw new BackupError("the backup was stopped");
        return pagesPerStep;
      },
    });
    const described = await describeDatabase(databaseCopy, { makeSelfContained: true });
    if (described.problems.length) throw new BackupError(`the copied database fails its integrity check: ${described.problems.join("; ")}`);

    // Evidence: every file a copied row points to, checked against its name (its SHA-256).
    const sourceDir = evidenceDir(options.databasePath);
    const files: BackupManifest["evidence"]["files"] = [];
    const missing: string[] = [];
    let linked = 0;
    let evidenceBytes = 0;
    for (const sha256 of described.evidence) {
      if (signal?.aborted) throw new BackupError("the backup was stopped");
      const target = evidencePath(join(partial, EVIDENCE_FOLDER), sha256);
      const source = evidencePath(sourceDir, sha256);
      if (!target || !source) {
        missing.push(sha256);
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const earlier = previous ? evidencePath(join(previous.path, EVIDENCE_FOLDER), sha256) : null;
      let bytes: number | null = null;
      if (earlier && previousFiles.has(sha256)) {
        // Checked when the earlier backup was made, and never changed since: shared, not copied again.
        bytes = await link(earlier, target).then(
          async () => (await stat(target)).size,
          () => null,
        );
        if (bytes !== null) linked++;
      }
      if (bytes === null) {
        const copied = await copyFile(source, target).then(
          () => true,
          () => false,
        );
        if (!copied || (await sha256File(target)) !== sha256) {
          await rm(target, { force: true });
          missing.push(sha256);
          continue;
        }
        bytes = (await stat(target)).size;
      }
      files.push({ sha256, bytes });
      evidenceBytes += bytes;
    }

    await fsyncFile(databaseCopy);
    const manifest: BackupManifest = {
      format: "convene-backup",
      version: 1,
      createdAt: createdAt.toISOString(),
      trigger,
      database: { file: DATABASE_FILE, bytes: (await stat(databaseCopy)).size, sha256: await sha256File(databaseCopy) },
      migrations: described.migrations,
      tables: described.tables,
      evidence: { files, bytes: evidenceBytes, missing },
    };
    await writeFile(join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    await fsyncFile(join(partial, MANIFEST_FILE));

    // Complete: give it its name (a second backup in the same second gets a number after it).
    const name = `convene-${stamp(createdAt)}${trigger === "manual" ? "-manual" : ""}`;
    let path = join(backupDir, name);
    for (let n = 2; existsSync(path); n++) path = join(backupDir, `${name}-${n}`);
    await rename(partial, path);
    return { path, manifest, linked, ms: Math.round(performance.now() - started) };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Deletes scheduled backups beyond the newest `keep` (backups made by hand stay), and partial folders left by a backup that died. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const scheduled = (await listBackups(dir)).filter((b) => b.manifest.trigger === "scheduled");
  const removed = scheduled.slice(0, Math.max(0, scheduled.length - keep)).map((b) => b.path);
  for (const path of removed) await rm(path, { recursive: true, force: true });
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !entry.name.startsWith(PARTIAL_PREFIX)) continue;
    const info = await stat(join(dir, entry.name)).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_PARTIAL_MS) await rm(join(dir, entry.name), { recursive: true, force: true });
  }
  return removed;
}

/**
 * Checks a backup folder against its manifest: the database's checksum, integrity, migration level and row
 * counts, and every evidence file's content. Returns the manifest, or throws a BackupError listing what is wrong.
 */
export async function verifyBackup(path: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(path, MANIFEST_FILE), "utf8")) as BackupManifest;
  } catch {
    throw new BackupError(`${path} is not a Convene backup: it has no readable ${MANIFEST_FILE}.`);
  }
  if (manifest.format !== "convene-backup" || manifest.version !== 1 || manifest.database?.file !== DATABASE_FILE) {
    throw new BackupError(`${path} is not a backup this version of Convene can read.`);
  }
  const databaseCopy = join(path, DATABASE_FILE);
  if (!existsSync(databaseCopy)) throw new BackupError(`The backup has no ${DATABASE_FILE}.`);
  if ((await sha256File(databaseCopy)) !== manifest.database.sha256) {
    throw new BackupError(`The backup's database does not match its checksum: it was changed or damaged after the backup was taken.`);
  }
  const problems: string[] = [];
  const described = await describeDatabase(databaseCopy, { makeSelfContained: false });
  problems.push(...described.problems.map((p) => `integrity check: ${p}`));
  if (described.migrations.applied !== manifest.migrations.applied) problems.push("the migration level differs from the manifest");
  for (const [table, rows] of Object.entries(manifest.tables)) {
    if (described.tables[table] !== rows)
      problems.push(`table ${table} has ${described.tables[table] ?? "no"} rows, the manifest says ${rows}`);
  }
  for (const file of manifest.evidence.files) {
    const stored = evidencePath(join(path, EVIDENCE_FOLDER), file.sha256);
    const actual = stored && existsSync(stored) ? await sha256File(stored) : null;
    if (actual !== file.sha256) problems.push(`evidence file ${file.sha256} is ${actual ? "damaged" : "missing"}`);
  }
  if (problems.length) throw new BackupError(`The backup at ${path} is damaged:\n  ${problems.join("\n  ")}`);
  return manifest;
}

/** The migration level this version of Convene brings (its migrations applied to an empty database). */
function currentMigrationLevel(): BackupManifest["migrations"] {
  const db = openDatabase(":memory:");
  try {
    const row = db.$client.prepare("SELECT count(*) AS applied, max(created_at) AS latest FROM __drizzle_migrations").get() as {
      applied: number;
      latest: number | null;
    };
    return { applied: row.applied, latestCreatedAt: row.latest };
  } finally {
    db.$client.close();
  }
}

/**
 * Is a process using this database? Convene keeps its connection open in WAL mode, and a connection
 * asking for an exclusive lock is refused at once while any other connection has the file open.
 */
export function databaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const sqlite = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    sqlite.pragma("locking_mode = EXCLUSIVE");
    sqlite.exec("BEGIN EXCLUSIVE");
    sqlite.exec("COMMIT");
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY" || (error as { code?: string }).code === "SQLITE_LOCKED") return true;
    throw error;
  } finally {
    // Closing also folds any write-ahead log a stopped server left into the file, so it is moved aside whole.
    sqlite.close();
  }
}

/**
 * Puts a backup back at `databasePath` (with its evidence folder). The backup is copied beside the database
 * and checked there first; only then are the current database and evidence folder moved aside, into
 * `replaced-<time>/` beside them, and the copies moved in. Refuses while a server has the database open.
 */
export async function restoreBackup(options: {
  backupPath: string;
  databasePath: string;
  log?: (m: string) => void;
}): Promise<{ manifest: BackupManifest; replacedTo: string | null }> {
  const log = options.log ?? (() => {});
  const backupPath = resolve(options.backupPath);
  const databasePath = resolve(options.databasePath);
  const folder = dirname(databasePath);
  if (databaseInUse(databasePath)) {
    throw new BackupError(`Convene (or another program) has ${databasePath} open. Stop Convene first, then restore.`);
  }
  const manifest = await verifyBackup(backupPath);
  const level = currentMigrationLevel();
  if (manifest.migrations.applied > level.applied || (manifest.migrations.latestCreatedAt ?? 0) > (level.latestCreatedAt ?? 0)) {
    throw new BackupError(
      `The backup comes from a newer version of Convene (${manifest.migrations.applied} migrations, this one has ${level.applied}). Update Convene first.`,
    );
  }

  // Copied beside the database (the same disk, so moving it in is a rename), and checked again there.
  await mkdir(folder, { recursive: true });
  const staging = join(folder, `.restoring-${Date.now()}-${randomBytes(4).toString("hex")}`);
  await mkdir(join(staging, EVIDENCE_FOLDER), { recursive: true });
  try {
    await copyFile(join(backupPath, DATABASE_FILE), join(staging, DATABASE_FILE));
    for (const file of manifest.evidence.files) {
      const from = evidencePath(join(backupPath, EVIDENCE_FOLDER), file.sha256)!;
      const to = evidencePath(join(staging, EVIDENCE_FOLDER), file.sha256)!;
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to);
    }
    await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest));
    await verifyBackup(staging);
    await rm(join(staging, MANIFEST_FILE));
    await fsyncFile(join(staging, DATABASE_FILE));
    log(`Checked the backup taken ${manifest.createdAt}: ${DATABASE_FILE} and ${manifest.evidence.files.length} evidence files.`);

    // Once more, just before anything is moved: nobody started Convene on it meanwhile.
    if (databaseInUse(databasePath)) throw new BackupError(`Convene has ${databasePath} open. Stop Convene first, then restore.`);
    const liveEvidence = evidenceDir(databasePath);
    const current = [databasePath, `${databasePath}-wal`, `${databasePath}-shm`, `${databasePath}-journal`, liveEvidence].filter((p) =>
      existsSync(p),
    );
    let replacedTo: string | null = null;
    if (current.length) {
      replacedTo = join(folder, `replaced-${stamp(new Date())}-${randomBytes(2).toString("hex")}`);
      await mkdir(replacedTo);
      for (const path of current) await rename(path, join(replacedTo, basename(path)));
    }
    await rename(join(staging, DATABASE_FILE), databasePath);
    await rename(join(staging, EVIDENCE_FOLDER), liveEvidence);
    return { manifest, replacedTo };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

export type BackupService = ReturnType<typeof createBackupService>;

/**
 * Scheduled backups, a service of the server: every `BACKUP_EVERY_HOURS` (counted from the newest backup
 * in `BACKUP_DIR`, so restarts do not push it back), each followed by pruning to `BACKUP_KEEP`. Never two at
 * once; closing stops the timer and a backup under way.
 */
export function createBackupService(
  env: Pick<Env, "DATABASE_PATH" | "BACKUP_DIR" | "BACKUP_EVERY_HOURS" | "BACKUP_KEEP">,
  sqlite: Database.Database,
  log: (m: string) => void,
) {
  const intervalMs = Math.round(env.BACKUP_EVERY_HOURS * 3_600_000);
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<BackupResult> | null = null;
  let closed = false;
  const stats = { made: 0, failed: 0, last: null as BackupResult | null };

  function schedule(delayMs: number) {
    if (closed || intervalMs === 0) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void scheduled(), Math.max(0, delayMs));
    timer.unref();
  }

  async function scheduled() {
    timer = null;
    try {
      await run("scheduled");
      const removed = await pruneBackups(env.BACKUP_DIR, env.BACKUP_KEEP);
      if (removed.length) log(`Removed ${removed.length} old backup${removed.length === 1 ? "" : "s"} (keeping ${env.BACKUP_KEEP}).`);
    } catch {
      // Already logged by run(); the next one is still scheduled.
    }
    schedule(intervalMs);
  }

  /** Takes a backup now, or returns the one already under way. */
  function run(trigger: BackupManifest["trigger"] = "manual"): Promise<BackupResult> {
    if (closed) return Promise.reject(new BackupError("the server is closing"));
    running ??= createBackup({ sqlite, databasePath: env.DATABASE_PATH, backupDir: env.BACKUP_DIR, trigger, signal: stopping.signal })
      .then(
        (result) => {
          stats.made++;
          stats.last = result;
          log(`Backup written to ${result.path} in ${result.ms} ms.`);
          return result;
        },
        (error: unknown) => {
          stats.failed++;
          if (!closed) log(`Backup failed: ${(error as Error).message}`);
          throw error;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    /** Starts the schedule (when the server starts listening). */
    async start(): Promise<void> {
      if (closed || intervalMs === 0) return;
      const newest = (await listBackups(env.BACKUP_DIR)).at(-1);
      const dueAt = newest ? Date.parse(newest.manifest.createdAt) + intervalMs : 0;
      schedule(Math.max(dueAt - Date.now(), Math.min(intervalMs, SETTLE_MS)));
    },
    run,
    stats: () => ({ ...stats, running: running !== null, scheduled: timer !== null }),
    /** Stops the schedule and any backup under way (its partial folder is removed). */
    async close(): Promise<void> {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      stopping.abort();
      await running?.catch(() => {});
    },
  };
}
