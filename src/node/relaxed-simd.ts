/**
 * Node 20's V8 validates WebAssembly relaxed SIMD only behind a flag (Node ≥ 22 and Chrome ≥ 114
 * ship it): turn the flag on, so the kernels' fma binary (src/kernels/wasm/fma.ts) can be chosen.
 * Imported first by descent/node and the CLI, before the kernels compile; worker threads share
 * the process's flags. Only when missing: a later V8 may have retired the flag.
 */
import v8 from "node:v8";
import { relaxedSimdSupported } from "../kernels/wasm/module.js";

if (!relaxedSimdSupported()) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
