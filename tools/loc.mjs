#!/usr/bin/env node
// `npm run loc`: lines of code per folder (non-blank lines), so the core's size stays visible.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const EXT = /\.(ts|mjs|js|py|css|html)$/;
const counts = new Map();
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "fixtures" || name.startsWith(".") || name.endsWith(".generated.ts")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (EXT.test(name)) {
      const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "").length;
      const folder = relative(root, dir) || ".";
      counts.set(folder, (counts.get(folder) ?? 0) + lines);
    }
  }
}
for (const top of ["src", "assembly", "web/src", "test", "bench", "tools"]) walk(join(root, top));
const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
const total = (prefix) => rows.filter(([f]) => f === prefix || f.startsWith(`${prefix}/`)).reduce((n, [, c]) => n + c, 0);
for (const [folder, n] of rows) console.log(`${String(n).padStart(7)}  ${folder}`);
console.log("");
for (const top of ["src", "assembly", "web/src", "test", "bench", "tools"]) console.log(`${String(total(top)).padStart(7)}  ${top} (all)`);
