/**
 * Cold start: milliseconds from spawning `node build/runtime/main.js` (what `npm start` runs; production,
 * PORT=0) until it prints "Convene listening on", on a fresh database (migrations + demo seed) and on an
 * already-seeded one. For reference, the start-up floor of `node` alone.
 */
import { join } from "node:path";
import {
  SERVER_ENTRY,
  deadline,
  fmt,
  median,
  printTable,
  removeTempDir,
  saveResults,
  reportLoad,
  startServer,
  tempDir,
  timeCommand,
} from "./lib";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FLOOR_RUNS = 5;
deadline(5 * 60_000, "cold-start");

interface Run {
  spawnToListenMs: number;
  reportedMs: number | null;
}

async function once(databasePath: string, extraEnv?: Record<string, string>): Promise<Run> {
  const server = await startServer({ databasePath, extraEnv });
  await server.stop();
  return { spawnToListenMs: server.spawnToListenMs, reportedMs: server.reportedMs };
}

function stats(runs: Run[]) {
  const total = runs.map((r) => r.spawnToListenMs);
  const inMain = runs.map((r) => r.reportedMs).filter((v): v is number => v !== null);
  return {
    runs: runs.length,
    minMs: Math.min(...total),
    medianMs: median(total),
    maxMs: Math.max(...total),
    serverReportedMedianMs: inMain.length ? median(inMain) : null,
    samplesMs: total.map((v) => Number(v.toFixed(1))),
  };
}

async function main() {
  const loadAtStart = reportLoad("cold-start");
  if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) throw new Error("BENCH_RUNS must be 1..50");
  console.log(`Cold start, ${RUNS} runs per case (node ${process.version})\n`);

  // One untimed start first, so every timed run sees the same warm OS file cache.
  const warmDir = tempDir();
  await once(join(warmDir, "convene.db"));
  removeTempDir(warmDir);

  const fresh: Run[] = [];
  const keepDir = tempDir();
  const seededPath = join(keepDir, "convene.db");
  for (let i = 0; i < RUNS; i++) {
    if (i === 0) {
      fresh.push(await once(seededPath));
    } else {
      const dir = tempDir();
      fresh.push(await once(join(dir, "convene.db")));
      removeTempDir(dir);
    }
  }

  const seeded: Run[] = [];
  for (let i = 0; i < RUNS; i++) seeded.push(await once(seededPath));

  removeTempDir(keepDir);

  const nodeFloor: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) nodeFloor.push(await timeCommand(["-e", "0"]));

  const cases = {
    freshDatabase: stats(fresh),
    seededDatabase: stats(seeded),
  };
  const floors = {
    nodeOnly: { runs: FLOOR_RUNS, minMs: Math.min(...nodeFloor), medianMs: median(nodeFloor), maxMs: Math.max(...nodeFloor) },
  };

  printTable(
    ["case", "runs", "min ms", "median ms", "max ms", "in main() ms (median)"],
    [
      ["fresh database (migrate + seed)", cases.freshDatabase],
      ["seeded database", cases.seededDatabase],
    ].map(([label, s]) => {
      const c = s as ReturnType<typeof stats>;
      return [
        label as string,
        c.runs,
        fmt(c.minMs),
        fmt(c.medianMs),
        fmt(c.maxMs),
        c.serverReportedMedianMs === null ? "-" : String(c.serverReportedMedianMs),
      ];
    }),
  );
  console.log("\nStart-up floor, spawn to exit:");
  printTable(
    ["command", "runs", "min ms", "median ms", "max ms"],
    [["node -e 0", floors.nodeOnly.runs, fmt(floors.nodeOnly.minMs), fmt(floors.nodeOnly.medianMs), fmt(floors.nodeOnly.maxMs)]],
  );
  console.log(
    '\n"in main() ms" is the figure the server prints itself: from the start of main() (after its imports were loaded) until listening.',
  );

  const file = saveResults("cold-start", {
    loadAverage1mAtStart: loadAtStart,
    parameters: {
      runsPerCase: RUNS,
      command: `node ${SERVER_ENTRY}`,
      env: "NODE_ENV=production PORT=0 HOST=127.0.0.1 LOG_LEVEL=info DEMO_MODE=true",
    },
    cases,
    floors,
  });
  console.log(`\nSaved ${file}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
