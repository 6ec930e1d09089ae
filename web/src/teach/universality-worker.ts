/**
 * The universality view's worker: "let gradient descent find it" — analysis/universality-fit.ts's
 * startFit (a 1-N-1 sigmoid network, linear output, MSE, Adam, the seed's initial soft steps),
 * trained a slice of mini-batches at a time; after each slice, the fit's deviation from f over
 * 1,000 points and its curve go to the page.
 */
import { startFit, type WidthFitter } from "../../../src/analysis/universality-fit.js";
import { grid } from "../../../src/analysis/universality.js";
import { GOAL_FUNCTIONS } from "./universality/goals.js";
import type { FromFitWorker, ToFitWorker } from "./universality/protocol.js";

const SLICE_MS = 40;
const CURVE_X = grid(400);
const post = (m: FromFitWorker) => (self as unknown as Worker).postMessage(m);

let fit: WidthFitter | null = null;
let running = false;
let loop = 0;

function report() {
  if (!fit) return;
  post({ type: "fit", steps: fit.steps, totalSteps: fit.totalSteps, deviation: fit.deviation(), curve: fit.predict(CURVE_X), running });
}

function slice(id: number) {
  if (!fit || !running || id !== loop) return;
  const t0 = performance.now();
  while (performance.now() - t0 < SLICE_MS) {
    if (!fit.step()) {
      running = false;
      break;
    }
  }
  report();
  if (running) setTimeout(() => slice(id), 0);
}

self.onmessage = (e: MessageEvent<ToFitWorker>) => {
  try {
    const m = e.data;
    if (m.type === "reset") {
      running = false;
      loop++;
      fit = startFit(GOAL_FUNCTIONS[m.goal], m.width, { seed: m.seed, lr: m.lr });
      report();
    } else if (m.type === "play") {
      if (running || !fit) return;
      running = true;
      const id = ++loop;
      setTimeout(() => slice(id), 0);
    } else if (m.type === "pause") {
      running = false;
      loop++;
      report();
    } else if (m.type === "steps") {
      running = false;
      loop++;
      for (let i = 0; i < m.n && fit?.step(); i++);
      report();
    }
  } catch (err) {
    post({ type: "error", text: err instanceof Error ? err.message : String(err) });
  }
};
