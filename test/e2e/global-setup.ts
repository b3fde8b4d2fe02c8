/** Once per end-to-end run: the production build, and the seeded template each worker's server copies. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuild } from "../support/build";
import { TEMPLATE_ENV, createTemplateDatabase } from "../support/template";

export default async function globalSetup() {
  ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), "convene-e2e-template-"));
  // Workers inherit the environment the global setup leaves.
  process.env[TEMPLATE_ENV] = await createTemplateDatabase(dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
