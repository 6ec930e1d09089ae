/**
 * Builds the explorer into dist-web/ (served by `descent explore`). The app imports the core
 * straight from src/ (TypeScript), so the page and worker run the same code as the CLI.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The same isolation headers as the explore server, so `vite dev` can use shared wasm memory too. */
const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: here,
  base: "./",
  publicDir: "public",
  logLevel: "warn",
  build: {
    outDir: "../dist-web",
    emptyOutDir: true,
    target: "es2022",
    // The wasm kernels travel as base64 inside the worker bundle; no need to warn about its size.
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
});
