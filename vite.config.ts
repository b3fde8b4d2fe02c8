import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  server: { port: 3000 },
  build: { target: "es2022" },
  optimizeDeps: {
    // Server-only native packages reached through *.server modules: never bundle them for the browser.
    exclude: ["@node-rs/argon2", "better-sqlite3"],
    include: ["socket.io-client", "i18next", "react-i18next", "remix-i18next/react"],
  },
  plugins: [
    remix({
      // Helpers beside a route are not routes themselves.
      ignoredRouteFiles: ["**/*.server.*", "**/*.client.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
  ],
});
