/** Gives the core a way to start its helper thread in Node: a worker_threads Worker. */
import { Worker } from "node:worker_threads";
import { registerSpawner } from "../kernels/index.js";

registerSpawner((source, data) => {
  // An eval worker is CommonJS: it reads its HelperData from worker_threads and runs the helper.
  const worker = new Worker(`${source}(require("node:worker_threads").workerData)`, { eval: true, workerData: data });
  worker.unref(); // a sleeping helper must not keep the process alive
  return worker;
});
