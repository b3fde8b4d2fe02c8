/**
 * `npm run restore -- <backup folder>`: puts a backup made by `npm run backup` (or the schedule) back at
 * DATABASE_PATH, with its evidence files. Stop Convene first: the restore refuses while the database is open.
 * The backup is checked (manifest, checksums, `PRAGMA integrity_check`, migration level) before anything is
 * replaced, and the replaced database and evidence folder are kept in `replaced-<time>/` beside them.
 * `--check` only checks the backup. Bundled into build/runtime/restore.js (decision 025).
 */
import { resolve } from "node:path";
import { EnvError, parseEnv } from "../server/env";
import { BackupError, restoreBackup, verifyBackup } from "../server/services/backups";

const USAGE = `Usage: npm run restore -- <backup folder> [--check]

Stop Convene first. Replaces the database at DATABASE_PATH (and the evidence folder beside it)
with the backup's, after checking the backup. What was replaced is kept in replaced-<time>/
beside the database. With --check, only checks the backup and changes nothing.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const positional = args.filter((a) => !a.startsWith("-"));
  if (args.includes("--help") || args.includes("-h") || positional.length !== 1) {
    console.log(USAGE);
    return positional.length === 1 ? 0 : 2;
  }
  const backupPath = resolve(positional[0]!);
  if (check) {
    const manifest = await verifyBackup(backupPath);
    console.log(
      `The backup taken ${manifest.createdAt} is whole: its database and ${manifest.evidence.files.length} evidence files match the manifest.`,
    );
    return 0;
  }
  const env = parseEnv(process.env);
  const databasePath = resolve(env.DATABASE_PATH);
  const { manifest, replacedTo } = await restoreBackup({ backupPath, databasePath, log: (m) => console.log(m) });
  console.log(`Restored the backup taken ${manifest.createdAt} to ${databasePath}.`);
  if (replacedTo) console.log(`The database and evidence files it replaced are in ${replacedTo}.`);
  console.log("Start Convene again: pending migrations, if any, are applied as it starts.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError || error instanceof BackupError ? error.message : error);
    process.exit(1);
  },
);
