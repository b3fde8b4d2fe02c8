import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Integration tests run the production build; (re)make it when it is missing or older than the sources. */
export default function setup() {
  const built = "build/server/index.js";
  const stale = !existsSync(built) || Math.max(newestMtime("app"), newestMtime("db")) > statSync(built).mtimeMs;
  if (stale) execSync("npx remix vite:build", { stdio: "inherit" });
}
