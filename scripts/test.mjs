// The one test command: type-check, build, unit and integration tests, then end-to-end tests in Chromium.
import { accessSync, constants } from "node:fs";
import { spawnSync } from "node:child_process";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
try {
  accessSync(chromium, constants.X_OK);
} catch {
  console.error(`Chromium was not found at ${chromium}; the end-to-end tests need it.`);
  console.error("Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium\n");
  console.error("(or set CHROMIUM_PATH to a Chromium or Chrome binary).");
  process.exit(1);
}

const steps = [
  ["type-check", "npx", ["tsc", "-p", "."]],
  ["build", "npx", ["remix", "vite:build"]],
  ["unit and integration tests", "npx", ["vitest", "run"]],
  ["end-to-end tests", "npx", ["playwright", "test"]],
];

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\n✘ ${name} failed`);
    process.exit(result.status ?? 1);
  }
}
console.log("\n✔ all tests passed");
