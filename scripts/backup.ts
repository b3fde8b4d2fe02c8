/**
 * `npm run backup [-- <folder>]`: a consistent copy of Convene's database, taken with SQLite's online backup
 * (safe while Convene runs and writes), with the evidence files it points to and a manifest, in a new folder
 * under <folder> (by default BACKUP_DIR). The server build bundles this file into build/runtime/backup.js, so
 * it runs on Node alone (decision 025).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import { EnvError, parseEnv } from "../server/env";
import { BackupError, PAGES_ALL_AT_ONCE, createBackup } from "../server/services/backups";

const USAGE = `Usage: npm run backup [-- <folder>]

Copies the database at DATABASE_PATH and its evidence files into a new folder under <folder>
(by default BACKUP_DIR, a folder named backups beside the database). Convene may keep running meanwhile.
Backups made this way are never deleted by the schedule's BACKUP_KEEP.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h") || args.length > 1) {
    console.log(USAGE);
    return args.length > 1 ? 2 : 0;
  }
  const env = parseEnv(process.env);
  const databasePath = resolve(env.DATABASE_PATH);
  if (!existsSync(databasePath)) {
    console.error(`There is no database at ${databasePath} (set DATABASE_PATH to the one Convene uses).`);
    return 1;
  }
  // A connection of its own, copying everything in one step: one read transaction, so one moment of the
  // database, while the server goes on writing (WAL lets readers and a writer work side by side).
  const sqlite = new Database(databasePath, { fileMustExist: true, timeout: 5000 });
  try {
    const result = await createBackup({
      sqlite,
      databasePath,
      backupDir: resolve(args[0] ?? env.BACKUP_DIR),
      trigger: "manual",
      pagesPerStep: PAGES_ALL_AT_ONCE,
    });
    const { manifest } = result;
    const rows = Object.entries(manifest.tables).reduce((n, [table, count]) => (table.startsWith("__") ? n : n + count), 0);
    console.log(`Backup written to ${result.path} in ${result.ms} ms:`);
    console.log(
      `  database    ${(manifest.database.bytes / 1024 / 1024).toFixed(1)} MiB, ${rows} rows, ${manifest.migrations.applied} migrations`,
    );
    console.log(
      `  evidence    ${manifest.evidence.files.length} files, ${(manifest.evidence.bytes / 1024 / 1024).toFixed(1)} MiB (${result.linked} shared with the previous backup)`,
    );
    if (manifest.evidence.missing.length) {
      console.error(
        `Warning: ${manifest.evidence.missing.length} evidence files were missing or damaged on the disk and are not in the backup:`,
      );
      for (const sha256 of manifest.evidence.missing) console.error(`  ${sha256}`);
    }
    return 0;
  } finally {
    sqlite.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError || error instanceof BackupError ? error.message : error);
    process.exit(1);
  },
);
