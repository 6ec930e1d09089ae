/**
 * The vanishing-gradient view's worker: MNIST, then one speed run at a time (analysis/
 * gradient-experiment.ts startSpeedRun — the same run as `descent analyze gradients`), stepped one
 * full-batch step per message-loop turn so that Pause and a new run get in between. After each
 * step it posts the speed records the run made (one per step: full-batch descent makes a step an
 * epoch) and the step's cost.
 */
import { firstLastRatio, startSpeedRun, type LiveSpeedRun } from "../../../src/analysis/gradient-experiment.js";
import { backendInfo } from "../../../src/kernels/index.js";
import type { Mnist } from "../../../src/data/mnist.js";
import type { SpeedRecord } from "../../../src/analysis/gradients.js";
import type { TrainConfig } from "../../../src/train/defaults.js";
import { fetchMnist } from "./mnist-fetch.js";
import { PROBE, type VanishingSettings } from "./vanishing/settings.js";
import { vanishingConfig } from "./vanishing/config.js";

export type ToVanishing =
  | { type: "start"; run: number; settings: VanishingSettings; play: boolean }
  | { type: "play" }
  | { type: "pause" };

/** A speed record and the book's ratio first/last hidden layer (analysis firstLastRatio) for biases and for weights. */
export interface Measured {
  record: SpeedRecord;
  ratio: { bias: number | undefined; weight: number | undefined };
}

export type StopKind = "non-finite-loss" | "finished";

export type FromVanishing =
  | { type: "engine"; fma: boolean }
  | { type: "ready" }
  | { type: "run"; run: number; layers: string[]; fma: boolean; config: TrainConfig }
  | { type: "progress"; run: number; step: number; loss: number; records: Measured[] }
  | { type: "end"; run: number; step: number; stop: StopKind; records: Measured[]; lossAt?: number }
  | { type: "playing"; playing: boolean }
  | { type: "error"; text: string };

const post = (m: FromVanishing) => (self as unknown as Worker).postMessage(m);
const base = (self as unknown as { name: string }).name || String(self.location);

let mnist: Mnist | null = null;
let live: LiveSpeedRun | null = null;
let runId = 0;
let sent = 0;
let step = 0;
let playing = false;
/** Bumped by every play, pause and reset: a slice scheduled by an earlier loop finds it changed and stops. */
let loop = 0;
let pending: ToVanishing | null = null;
const loading = fetchMnist(base).then((m) => {
  mnist = m;
  post({ type: "ready" });
  if (pending) handle(pending);
}).catch((e) => post({ type: "error", text: e instanceof Error ? e.message : String(e) }));
void loading;

const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => tick(e.data);

function fresh(): Measured[] {
  const out = live!.speeds.slice(sent);
  sent = live!.speeds.length;
  return out.map((record) => ({ record, ratio: { bias: firstLastRatio(record), weight: firstLastRatio({ ...record, bias: record.weight }) } }));
}

function tick(id: number) {
  if (!playing || id !== loop || !live) return;
  try {
    const r = live.run.next();
    if (r) {
      step++;
      post({ type: "progress", run: runId, step, loss: r.loss, records: fresh() });
      channel.port2.postMessage(id);
      return;
    }
    playing = false;
    const stop = live.run.result?.stopped;
    post({ type: "end", run: runId, step, stop: stop?.kind === "non-finite-loss" ? "non-finite-loss" : "finished", records: fresh(), ...(stop?.kind === "non-finite-loss" ? { lossAt: stop.step } : {}) });
    post({ type: "playing", playing: false });
  } catch (e) {
    playing = false;
    post({ type: "error", text: e instanceof Error ? e.message : String(e) });
    post({ type: "playing", playing: false });
  }
}

function handle(msg: ToVanishing) {
  if (!mnist) {
    // Before MNIST arrives, remember the last start (and whether to play).
    if (msg.type === "start") pending = msg;
    else if (pending?.type === "start") pending = { ...pending, play: msg.type === "play" };
    return;
  }
  switch (msg.type) {
    case "start": {
      runId = msg.run;
      const config = vanishingConfig(msg.settings);
      live = startSpeedRun(config, { train: mnist.train }, { probe: PROBE });
      sent = 0;
      step = 0;
      post({ type: "run", run: runId, layers: live.layers, fma: backendInfo().fma.active, config });
      playing = msg.play;
      post({ type: "playing", playing });
      loop++;
      if (playing) channel.port2.postMessage(loop);
      break;
    }
    case "play":
      if (playing || !live || live.run.done) break;
      playing = true;
      post({ type: "playing", playing });
      channel.port2.postMessage(++loop);
      break;
    case "pause":
      playing = false;
      loop++;
      post({ type: "playing", playing });
      break;
  }
}

self.onmessage = (e: MessageEvent<ToVanishing>) => {
  try {
    handle(e.data);
  } catch (err) {
    playing = false;
    post({ type: "error", text: err instanceof Error ? err.message : String(err) });
  }
};
post({ type: "engine", fma: backendInfo().fma.active });
