import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConvene } from "../../server/app";
import { parseEnv } from "../../server/env";
import ensureBuild from "../support/global-setup";

/** One real Convene for the end-to-end run: production build, its own database file, an ephemeral port. */
export default async function globalSetup() {
  ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), "convene-e2e-"));
  const databasePath = join(dir, "convene.db");
  const env = parseEnv({
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
    DEMO_MODE: "true",
    LOG_LEVEL: "silent",
  });
  const convene = await createConvene(env, () => {});
  const { port } = await convene.listen();
  process.env.E2E_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.E2E_DATABASE_PATH = databasePath;
  return async () => {
    await convene.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
