import { existsSync } from "node:fs";
import { execSync } from "node:child_process";

/** Integration tests run the production build; make one if it is missing. */
export default function setup() {
  if (!existsSync("build/server/index.js")) execSync("npx remix vite:build", { stdio: "inherit" });
}
