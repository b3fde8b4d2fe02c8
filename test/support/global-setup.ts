/** Once per Vitest run: the production build, and the seeded template database every test server copies. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureBuild } from "./build";
import { TEMPLATE_ENV, createTemplateDatabase } from "./template";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), "convene-template-"));
  const template = await createTemplateDatabase(dir);
  project.provide("templateDatabase", template);
  // Servers a test starts in a child process find it in their environment.
  process.env[TEMPLATE_ENV] = template;
  return () => rmSync(dir, { recursive: true, force: true });
}
