// The one test command: type-check, lint and format check, build, unit and integration tests, then end-to-end tests in Chromium.
// It ends with how long each step took, then one closing line: "N passed, N failed".
import { accessSync, constants, existsSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
try {
  accessSync(chromium, constants.X_OK);
} catch {
  console.error(`Chromium was not found at ${chromium}; the end-to-end tests need it.`);
  console.error("Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium fonts-dejavu-core\n");
  console.error("(or set CHROMIUM_PATH to a Chromium or Chrome binary).");
  process.exit(1);
}

rmSync("reports", { recursive: true, force: true });

/** Sums both runners' JSON reports into one closing line. */
function tally() {
  let passed = 0;
  let failed = 0;
  if (existsSync("reports/vitest.json")) {
    const v = JSON.parse(readFileSync("reports/vitest.json", "utf8"));
    passed += v.numPassedTests;
    failed += v.numFailedTests;
  }
  if (existsSync("reports/playwright.json")) {
    const p = JSON.parse(readFileSync("reports/playwright.json", "utf8"));
    passed += p.stats.expected + p.stats.flaky;
    failed += p.stats.unexpected;
  }
  return { passed, failed };
}

const steps = [
  ["type-check", "npx", ["tsc", "-p", "."]],
  ["lint and format check", "npm", ["run", "lint"]],
  ["build", "npm", ["run", "build"]],
  [
    "unit and integration tests",
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=reports/vitest.json"],
  ],
  ["end-to-end tests", "npx", ["playwright", "test"]],
];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const started = performance.now();
const durations = [];

/** How long each step took (wall clock), and the whole run. */
function printDurations() {
  const total = performance.now() - started;
  const width = Math.max(...steps.map(([name]) => name.length), "total".length);
  console.log("\nDurations:");
  for (const [name, ms] of durations) console.log(`  ${name.padEnd(width)}  ${seconds(ms).padStart(8)}`);
  const minutes = `${Math.floor(total / 60_000)} min ${Math.round((total % 60_000) / 1000)} s`;
  console.log(`  ${"total".padEnd(width)}  ${seconds(total).padStart(8)}  (${minutes})`);
}

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const stepStarted = performance.now();
  const result = spawnSync(command, args, { stdio: "inherit" });
  durations.push([name, performance.now() - stepStarted]);
  if (result.status !== 0) {
    const { passed, failed } = tally();
    console.error(`\n✘ ${name} failed`);
    printDurations();
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(result.status ?? 1);
  }
}
const { passed, failed } = tally();
printDurations();
console.log(`\n${passed} passed, ${failed} failed`);
if (passed === 0) process.exit(1);
