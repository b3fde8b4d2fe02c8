// Builds the app once when no build exists, so `npm start` works straight after `npm install`.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const outputs = ["build/server/index.js", "build/runtime/main.js", "build/runtime/backup.js", "build/runtime/restore.js"];
if (!outputs.every((file) => existsSync(file))) {
  console.log("No build found: building Convene once (this takes a minute)…");
  const result = spawnSync("npm", ["run", "build"], { stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
