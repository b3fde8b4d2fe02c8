/** Runs Convene in a child process, so a test can kill it without warning. Prints "listening <port>" once ready. */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createConvene } from "../../server/app";
import { parseEnv } from "../../server/env";
import { TEMPLATE_ENV } from "./template";

const env = parseEnv(process.env);
// A first start begins from the run's seeded template; a restart finds the file and keeps what it holds.
const template = process.env[TEMPLATE_ENV];
if (template && !existsSync(env.DATABASE_PATH)) {
  mkdirSync(dirname(env.DATABASE_PATH), { recursive: true });
  copyFileSync(template, env.DATABASE_PATH);
}
const convene = await createConvene(env, () => {});
const { port } = await convene.listen();
process.stdout.write(`listening ${port}\n`);
