/** Tests run the production build: (re)make it when it is missing or older than the sources. */
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const LOCK = ".build-lock";

/** Waits for (and takes) the build lock, so two test runs never rebuild `build/` at the same time. */
function withBuildLock(work: () => void) {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a run that died is taken over after two minutes.
      if (Date.now() - started > 120_000) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function ensureBuild() {
  const built = "build/server/index.js";
  const runtime = "build/runtime/main.js";
  withBuildLock(() => {
    const stale =
      !existsSync(built) ||
      !existsSync(runtime) ||
      // The backup and restore commands are bundled with the server.
      !existsSync("build/runtime/backup.js") ||
      Math.max(newestMtime("app"), newestMtime("db"), newestMtime("server"), newestMtime("scripts")) >
        Math.min(statSync(built).mtimeMs, statSync(runtime).mtimeMs);
    if (stale) execSync("npm run build", { stdio: "inherit" });
  });
}
