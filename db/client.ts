import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** A drizzle transaction handle: models accept either, so callers can compose them in one transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Opens (creating if needed) the SQLite file, sets the pragmas Convene relies on and applies pending migrations. */
export function openDatabase(path: string): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  // WAL with FULL syncs the log on every commit: a committed (and so acknowledged) change survives a power loss,
  // not only a process crash. Writers that commit often share the cost by committing together (decision 026).
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  // Foreign keys are off while migrations run, as SQLite asks for table rebuilds (a dropped table would otherwise
  // cascade into the rows that point at it), and checked as a whole before they are turned back on.
  sqlite.pragma("foreign_keys = OFF");
  try {
    migrate(db, { migrationsFolder });
    const broken = sqlite.pragma("foreign_key_check") as unknown[];
    if (broken.length) throw new Error(`Migrations left ${broken.length} broken foreign keys.`);
  } finally {
    sqlite.pragma("foreign_keys = ON");
  }
  return db;
}

export function isEmptyDatabase(db: Db): boolean {
  const row = db.$client.prepare("SELECT count(*) AS n FROM users").get() as { n: number };
  return row.n === 0;
}
