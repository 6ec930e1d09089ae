/**
 * The explorer in Chromium, measured: JavaScript transferred, time to the first prediction, time
 * until MNIST is loaded, and training steps per second in the browser's worker for the
 * 784-16-16-10 (3b1b) and 784-30-10 (nielsen-ch1) nets — beside the same Session in Node.
 *   npm run bench:web        (needs `npm run build` and /usr/bin/chromium, like the e2e tests)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { startExploreServer } from "../src/node/explore-server.js";
import { defaultMnistDir, loadMnist } from "../src/node/mnist.js";
import { Session } from "../web/src/session.js";
import { settingsFromPreset, toTrainConfig } from "../web/src/state.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const root = join(repo, "dist-web");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
if (!existsSync(join(root, "index.html"))) throw new Error("dist-web/ is not built: run npm run build");
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);

const TRAIN_SECONDS = Number(process.env["SECONDS"] ?? 8);
const server = await startExploreServer({ root, mnistDir: defaultMnistDir(), port: 0 });
const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

type Probe = { firstPredictionMs: number; steps: number; stepsPerSecond: number; phase: string; engine: string };
const probe = (page: Page) => page.evaluate(() => (globalThis as unknown as { __explorer: Probe }).__explorer);

async function load(query: string) {
  const page = await browser.newPage();
  const js: { url: string; bytes: number }[] = [];
  page.on("response", async (r) => {
    if (r.url().endsWith(".js")) js.push({ url: r.url(), bytes: (await r.body()).length });
  });
  const t0 = Date.now();
  await page.goto(server.url + query);
  await page.waitForFunction(() => (globalThis as unknown as { __explorer?: Probe }).__explorer?.phase === "idle", undefined, { timeout: 60_000 });
  const readyMs = Date.now() - t0;
  return { page, js, readyMs };
}

const rows: string[] = [];
{
  const { page, js, readyMs } = await load("");
  const p = await probe(page);
  const raw = js.reduce((s, f) => s + f.bytes, 0);
  const gz = js.reduce((s, f) => s + gzipSync(readFileSync(join(root, new URL(f.url).pathname))).length, 0);
  rows.push(`JavaScript transferred: ${(raw / 1024).toFixed(0)} KiB in ${js.length} files (${(gz / 1024).toFixed(0)} KiB gzipped) — ${js.map((f) => `${f.url.split("/").pop()} ${(f.bytes / 1024).toFixed(0)} KiB`).join(", ")}`);
  rows.push(`first prediction (default model loaded, answered by the worker): ${p.firstPredictionMs.toFixed(0)} ms after navigation start`);
  rows.push(`MNIST loaded and parsed in the worker (page ready to train): ${readyMs} ms after goto`);
  rows.push(`kernels in the browser: ${p.engine}`);
  await page.close();
}

const mnist = await loadMnist();
for (const [preset, threads] of [["3b1b", 1], ["3b1b", 2], ["nielsen-ch1", 1], ["nielsen-ch1", 2], ["quick", 1], ["quick", 2]] as const) {
  const { page } = await load(`?preset=${preset}${threads === 2 ? "&threads=2" : ""}`);
  await page.waitForFunction((n) => (globalThis as unknown as { __explorer: { threads: number } }).__explorer.threads === n, threads);
  await page.click("#play");
  await page.waitForFunction(() => (globalThis as unknown as { __explorer: Probe }).__explorer.steps > 0);
  const s0 = await probe(page);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, TRAIN_SECONDS * 1000));
  const s1 = await probe(page);
  const wall = (s1.steps - s0.steps) / ((Date.now() - t0) / 1000);
  await page.click("#play");
  await page.close();

  // The same session in Node, for scale (no evaluation, no messages).
  const node = new Session(null, "node");
  node.setData({ train: mnist.train, validation: mnist.validation, test: mnist.test });
  node.reset(toTrainConfig(settingsFromPreset(preset)));
  node.train(200);
  const n0 = performance.now();
  node.train(1e9, n0 + TRAIN_SECONDS * 1000);
  const nodeRate = (node.steps - 200) / ((performance.now() - n0) / 1000);
  const s = settingsFromPreset(preset);
  rows.push(`${preset} (${s.net.replaceAll(",", "-")}, batch ${s.batchSize}), ${threads} thread${threads > 1 ? "s" : ""}: browser ${s1.stepsPerSecond.toFixed(0)} steps/s while training (${wall.toFixed(0)} steps/s wall clock, evaluation and views included) · Node ${nodeRate.toFixed(0)} steps/s`);
}

await browser.close();
await server.close();
console.log(rows.join("\n"));
