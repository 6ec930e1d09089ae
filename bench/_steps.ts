import { loadMnist } from "/work/main/src/node/mnist.js";
import { buildExperiment } from "/work/main/src/train/config.js";
import { presetConfig } from "/work/main/src/train/presets.js";
import { setThreads } from "/work/main/src/kernels/index.js";
import "/work/main/src/node/threads.js";
await setThreads(Number(process.argv[3] ?? 1));
const mnist = await loadMnist();
const exp = buildExperiment(presetConfig(process.argv[2] ?? "w3-adam"), { train: mnist.train, validation: mnist.validation, test: mnist.test });
const it = exp.loader.indices();
for (let i = 0; i < 20; i++) { const idx = it.next().value!; exp.trainer.step(() => exp.loader.gather(idx)); }
const t0 = performance.now();
for (let i = 0; i < 300; i++) { const idx = it.next().value!; exp.trainer.step(() => exp.loader.gather(idx)); }
console.log(((performance.now() - t0) / 300).toFixed(3), "ms/step");
await setThreads(1);
