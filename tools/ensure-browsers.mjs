#!/usr/bin/env node
/**
 * Run by `npm test` (pretest) before the build: the explorer's browser tests drive a real Chromium
 * and a real Firefox ESR, found at $CHROMIUM_PATH and $FIREFOX_PATH (default /usr/bin/chromium and
 * /usr/bin/firefox-esr, as in test/explorer*.e2e.test.ts). When a default path is missing this
 * installs Debian's package for it with apt-get (as root, or through `sudo -n`); when that is not
 * possible it stops with a message saying what the tests need — the tests are never skipped.
 * First it checks that `npm install` has run (the build and the tests need the dev dependencies).
 *
 *   node tools/ensure-browsers.mjs [--dry-run] [--chromium PATH] [--firefox PATH]
 *
 * --dry-run prints the commands it would run instead of running them. --chromium/--firefox replace
 * the default paths (where apt is expected to put the browsers: to try the script against a
 * missing path); a path from the environment is the user's choice, which apt cannot fill.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

try {
  createRequire(import.meta.url).resolve("vitest/package.json");
} catch {
  process.stderr.write("npm test: descent's dependencies are not installed — run `npm install` first, then npm test\n");
  process.exit(1);
}

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** `path` is where the tests will look; `aptPath` is where Debian's package puts the browser. */
function browser(name, env, arg, aptPath, pkg) {
  const fromArg = flag(arg);
  if (fromArg !== undefined) return { name, env, pkg, aptPath: fromArg, path: fromArg };
  return { name, env, pkg, aptPath, path: process.env[env] || aptPath };
}
const BROWSERS = [
  browser("Chromium", "CHROMIUM_PATH", "--chromium", "/usr/bin/chromium", "chromium"),
  browser("Firefox ESR", "FIREFOX_PATH", "--firefox", "/usr/bin/firefox-esr", "firefox-esr"),
];

const runnable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const missing = BROWSERS.filter((b) => !runnable(b.path));
if (missing.length === 0) process.exit(0);

const needs = () =>
  BROWSERS.map((b) => `  ${b.name} at ${b.path}${runnable(b.path) ? " (found)" : " (missing)"} — Debian package ${b.pkg}, or set ${b.env} to another ${b.name} binary`).join("\n");

/** Stops `npm test` with what the browser tests need and how to provide it. */
function fail(why) {
  process.stderr.write(
    `\nnpm test: the explorer's browser tests need:\n${needs()}\n` +
      `${why}\n` +
      `Install what is missing (on Debian or Ubuntu, as root: apt-get update && apt-get install -y ${missing.map((b) => b.pkg).join(" ")}),\n` +
      `or set ${missing.map((b) => b.env).join(" / ")} to the browser's executable, then run npm test again.\n\n`,
  );
  process.exit(1);
}

// A path chosen by the user that does not exist is theirs to fix: apt would not put a browser there.
const custom = missing.filter((b) => b.path !== b.aptPath);
if (custom.length > 0) fail(`${custom.map((b) => `${b.env}=${b.path}`).join(", ")}: no executable file there.`);

if (process.platform !== "linux" || !existsSync("/usr/bin/apt-get")) fail("They cannot be installed automatically here: this is not a Debian-like system with apt-get.");
const root = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = root ? [] : ["sudo", "-n"];
if (!root && !dryRun && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status !== 0) {
  fail("They cannot be installed automatically: installing needs root, and `sudo -n` (sudo without a password) is not available.");
}

const packages = missing.map((b) => b.pkg);
const commands = [
  [...sudo, "apt-get", "update", "-qq"],
  [...sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", ...packages],
];
process.stdout.write(`npm test: the browser tests need ${missing.map((b) => `${b.name} (${b.path})`).join(" and ")}; installing ${packages.join(" ")} with apt-get\n`);
for (const cmd of commands) {
  process.stdout.write(`${dryRun ? "would run" : "running"}: ${cmd.join(" ")}\n`);
  if (dryRun) continue;
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit" });
  if (r.status !== 0) fail(`\`${cmd.join(" ")}\` failed (${r.error ? r.error.message : `exit ${r.status}`}).`);
}
if (dryRun) process.exit(0);
const still = BROWSERS.filter((b) => !runnable(b.path));
if (still.length > 0) fail(`apt-get finished, but ${still.map((b) => b.path).join(" and ")} still ${still.length > 1 ? "do" : "does"} not exist.`);
process.stdout.write(`npm test: installed ${packages.join(" ")}\n`);
