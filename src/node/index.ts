/** Node-only helpers: files on disk. `import { loadMnist, saveModel } from "descent/node"`. */
import "./relaxed-simd.js"; // first: Node 20 needs V8's flag for the fma kernels before they compile
import { refreshFma } from "../kernels/index.js";
export { loadMnist, readIdxFile, defaultMnistDir, type LoadMnistOptions } from "./mnist.js";
export { saveModel, loadModel, writeFileAtomic } from "./model-files.js";
export { readImage } from "./png.js";
export { startExploreServer, type ExploreServer, type ExploreServerOptions } from "./explore-server.js";
import "./threads.js"; // registers the worker_threads spawner, so setThreads(2) works in Node
export { loadCsv, loadBostonHousing, bostonHousingPath } from "./csv.js";

refreshFma(); // in case `import "descent"` came first and compiled the kernels without the flag
