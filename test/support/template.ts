/**
 * The demo forum, migrated and seeded once per test run: every test server starts from a copy of this
 * file instead of running the migrations and hashing the demo passwords again.
 */
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../db/client";
import { seedDemoForum } from "../../db/seed";

/** Where the template's path travels to processes the test runners start (workers, servers in a child process). */
export const TEMPLATE_ENV = "CONVENE_TEST_TEMPLATE";

/** Creates the seeded template in `dir` and returns its path; the file is complete on its own (no WAL beside it). */
export async function createTemplateDatabase(dir: string): Promise<string> {
  const path = join(dir, "template.db");
  const db = openDatabase(path);
  await seedDemoForum(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  return path;
}

/** A private copy of the template in a new temporary directory (evidence files go beside it). */
export function copyTemplate(template: string): { dir: string; databasePath: string } {
  const dir = mkdtempSync(join(tmpdir(), "convene-test-"));
  const databasePath = join(dir, "convene.db");
  copyFileSync(template, databasePath);
  return { dir, databasePath };
}
