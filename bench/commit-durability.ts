/**
 * What `synchronous = FULL` costs a document change's commit, and what committing together gives back.
 * Opens a scratch Convene database (migrated, on the same disk as the system's temporary directory), then for
 * NORMAL and FULL: N commits of one small document update each, one after the other (a writer waiting for each
 * acknowledgement), and the same N updates in batches of B (what the hub's group commit does when B changes
 * arrive in one turn of the event loop). Prints p50/p99 per commit and updates per second.
 *
 * `npx tsx bench/commit-durability.ts` (COMMITS=2000, BATCH=10).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as Y from "yjs";
import { appendDocumentUpdates } from "../app/models/document-store.server";
import { openDatabase } from "../db/client";
import { tempDir } from "./lib";

const COMMITS = Number(process.env.COMMITS ?? 2000);
const BATCH = Number(process.env.BATCH ?? 10);

const dir = tempDir();
const db = openDatabase(join(dir, "commit.db"));
const c = db.$client;
// Only document_updates is written: the rows need no document, person or group behind them here.
c.pragma("foreign_keys = OFF");
const userId = null;

const source = new Y.Doc();
const updates: Uint8Array[] = [];
source.on("update", (u: Uint8Array) => updates.push(u));
for (let i = 0; i < COMMITS; i++) source.getMap("m").set(`k${i}`, Date.now());

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (ms: number) => ms.toFixed(2);

const rows: string[] = [];
for (const mode of ["NORMAL", "FULL"] as const) {
  c.pragma(`synchronous = ${mode}`);
  for (const batch of [1, BATCH]) {
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < COMMITS; i += batch) {
      const t = performance.now();
      appendDocumentUpdates(
        db,
        updates.slice(i, i + batch).map((update) => ({ documentId: 1, update, userId })),
      );
      times.push(performance.now() - t);
    }
    const total = performance.now() - t0;
    rows.push(`| ${mode} | ${batch} | ${fmt(pct(times, 50))} | ${fmt(pct(times, 99))} | ${Math.round((COMMITS / total) * 1000)} |`);
  }
}
console.log(`${COMMITS} small document updates, one writer waiting for each commit (batch 1) or ${BATCH} per commit:\n`);
console.log("| synchronous | updates per commit | commit p50 ms | commit p99 ms | updates/s |\n| --- | ---: | ---: | ---: | ---: |");
console.log(rows.join("\n"));
c.close();
rmSync(dir, { recursive: true, force: true });
