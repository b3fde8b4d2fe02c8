/** A real Convene for tests (production build, ephemeral port) on a private copy of the seeded template; shared by both runners. */
import { rmSync } from "node:fs";
import { createConvene, type Convene } from "../../server/app";
import { parseEnv } from "../../server/env";
import { copyTemplate } from "./template";

export interface TestServer {
  convene: Convene;
  url: string;
  db: Convene["services"]["db"];
  logs: string[];
  close(): Promise<void>;
}

export async function startConvene(template: string, extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const { dir, databasePath } = copyTemplate(template);
  const env = parseEnv({
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_PATH: databasePath,
    DEMO_MODE: "true",
    LOG_LEVEL: "silent",
    ...extraEnv,
  });
  const logs: string[] = [];
  let convene: Convene;
  let port: number;
  // A server that cannot start (no build yet, say) leaves no database copy behind in the temporary directory.
  try {
    convene = await createConvene(env, (m) => logs.push(m));
    ({ port } = await convene.listen());
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    convene,
    url: `http://127.0.0.1:${port}`,
    db: convene.services.db,
    logs,
    close: async () => {
      await convene.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
