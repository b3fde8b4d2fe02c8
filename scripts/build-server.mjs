// Bundles the Node server (server/, with the models and database code it shares with the pages) into plain
// JavaScript in build/runtime, so `npm start` runs on Node alone, without a TypeScript loader (decision 016).
// Packages stay external: they are loaded from node_modules as usual.
import { cpSync, rmSync } from "node:fs";
import { build } from "esbuild";

const outdir = "build/runtime";
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    // The process `npm start` runs.
    main: "server/index.ts",
    // What benchmarks and tools embed: createConvene and parseEnv.
    app: "server/app.ts",
    env: "server/env.ts",
    // `npm run backup` and `npm run restore` (decision 025): they run wherever `npm start` does.
    backup: "scripts/backup.ts",
    restore: "scripts/restore.ts",
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
// db/client.ts finds its migrations next to itself (`new URL("./migrations", import.meta.url)`); every bundled
// file sits directly in build/runtime, so the migrations go there too.
cpSync("db/migrations", `${outdir}/migrations`, { recursive: true });
console.log(`Server bundled into ${outdir}.`);
