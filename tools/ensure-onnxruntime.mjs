#!/usr/bin/env node
/**
 * Run by `npm test` (pretest): the ONNX export tests run the exported files in ONNX Runtime
 * (onnxruntime-node), which is no dependency of descent — its CPU library makes it 294 MB, and
 * `npm install && npm start` should stay lean. When the pinned version (test/onnx-runtime/package.json)
 * is not in test/onnx-runtime/node_modules, this installs it there from the lock file
 * (`npm ci --prefix test/onnx-runtime`) with ONNXRUNTIME_NODE_INSTALL=skip: the package's
 * postinstall would otherwise download CUDA files, which the CPU library does not need and which
 * an offline machine cannot fetch. It needs the npm registry (or npm's cache) once; when the install
 * fails it stops with a message — the tests are never skipped. `descent export --check` finds the
 * runtime there too.
 *
 *   node tools/ensure-onnxruntime.mjs [--dry-run]
 */
import { existsSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../test/onnx-runtime/", import.meta.url));
const dryRun = process.argv.includes("--dry-run");
const wanted = JSON.parse(readFileSync(`${dir}package.json`, "utf8")).dependencies["onnxruntime-node"];
const installedFile = `${dir}node_modules/onnxruntime-node/package.json`;
const installed = existsSync(installedFile) ? JSON.parse(readFileSync(installedFile, "utf8")).version : undefined;

/** Loads it as descent will, and says which version answered. */
function load() {
  const ort = createRequire(`${dir}package.json`)("onnxruntime-node");
  return ort.env.versions?.node ?? "unknown";
}

function fail(why) {
  process.stderr.write(
    `\nnpm test: the ONNX export tests need onnxruntime-node ${wanted} in test/onnx-runtime/node_modules.\n${why}\n` +
      `Install it by hand with: ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix test/onnx-runtime (it needs the npm registry once), then run npm test again.\n\n`,
  );
  process.exit(1);
}

if (installed === wanted) {
  try {
    load();
    process.exit(0);
  } catch (e) {
    fail(`It is installed but does not load: ${e.message.split("\n")[0]}`);
  }
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const args = ["ci", "--prefix", dir, "--no-audit", "--no-fund"];
process.stdout.write(`npm test: the ONNX export tests need onnxruntime-node ${wanted} (${installed ? `found ${installed}` : "not installed"}); installing it into test/onnx-runtime/node_modules (~300 MB)\n`);
process.stdout.write(`${dryRun ? "would run" : "running"}: ONNXRUNTIME_NODE_INSTALL=skip ${npm} ${args.join(" ")}\n`);
if (dryRun) process.exit(0);
const r = spawnSync(npm, args, { stdio: "inherit", env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" } });
if (r.status !== 0) fail(`\`npm ci --prefix test/onnx-runtime\` failed (${r.error ? r.error.message : `exit ${r.status}`}).`);
try {
  process.stdout.write(`npm test: installed onnxruntime-node ${load()}\n`);
} catch (e) {
  fail(`It installed but does not load: ${e.message.split("\n")[0]}`);
}
