#!/usr/bin/env node
// The CLI entry point: runs the compiled TypeScript (built by `npm install` / `npm run build`).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
