/** Convene's one process: pages, sockets and (later) document sync on one port. */
import { createConvene } from "./app";
import { EnvError, parseEnv } from "./env";

async function main() {
  const started = performance.now();
  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = env.LOG_LEVEL === "silent" ? () => {} : (m: string) => console.log(m);
  const convene = await createConvene(env, log);
  const { url } = await convene.listen();

  if (convene.seeded) {
    log("\nA demo forum was created. Sign in with any of these accounts:");
    for (const a of convene.seeded) log(`  ${a.role.padEnd(12)} ${a.email.padEnd(32)} password: ${a.password}`);
    log("The secretariat account sets up a second factor (an authenticator app or a passkey) at its first sign-in.");
    log("");
  }
  log(`Convene listening on ${url} (${env.NODE_ENV}, database ${env.DATABASE_PATH}) in ${Math.round(performance.now() - started)} ms`);

  // A graceful restart (decision 025): requests and changes in flight are finished and stored, connections are closed so that
  // clients reconnect to the next server, and the process exits 0; if that takes more than 10 seconds, it exits 1.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const closeStarted = performance.now();
    log(`${signal} received: finishing what is in flight, then closing…`);
    const force = setTimeout(() => {
      console.error("Closing took more than 10 seconds: exiting anyway.");
      process.exit(1);
    }, 10_000);
    force.unref();
    convene.close().then(
      () => {
        log(`Closed in ${Math.round(performance.now() - closeStarted)} ms.`);
        process.exit(0);
      },
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
