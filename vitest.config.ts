import { defineConfig } from "vitest/config";

/** Suites whose subject is the math: they run once per backend (wasm is the default backend). */
const MATH_SUITES = ["conv.eval", "autograd", "ops.torch", "nn.torch", "recurrent.torch", "conv.torch", "conv.gradcheck", "optim.torch", "optim.solve", "init", "train"].map((s) => `test/${s}.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // Spawned-CLI and training tests are CPU-bound; two workers match the CI machine's two cores.
    maxWorkers: 2,
    projects: [
      // The plain binary (no fused multiply-add), whose bits the suites pin, whatever this CPU's
      // probe would choose; test/fma.test.ts switches to the fma binary itself.
      { extends: true, test: { name: "wasm", include: ["test/**/*.test.ts"], env: { DESCENT_BACKEND: "wasm", DESCENT_FMA: "0" } } },
      { extends: true, test: { name: "ref", include: MATH_SUITES, env: { DESCENT_BACKEND: "ref" } } },
    ],
  },
});
