/**
 * The overfitting view's worker: MNIST, then the chapter-3 run (buildExperiment and the Trainer's
 * own loop, the CLI's arithmetic) stepped a slice of mini-batches at a time. After every epoch it
 * posts the epoch's log (validation on the 10,000 held-out images, by the loop itself), the 1,000
 * training images scored in eval mode (analysis/overfitting.ts) and a histogram of the weights.
 */
import { buildExperiment, type Experiment } from "../../../src/train/config.js";
import type { TrainingRun } from "../../../src/train/trainer.js";
import type { EpochLog } from "../../../src/train/callbacks.js";
import type { TrainConfig } from "../../../src/train/defaults.js";
import type { TensorDataset } from "../../../src/data/dataset.js";
import { backendInfo } from "../../../src/kernels/index.js";
import type { Mnist } from "../../../src/data/mnist.js";
import { modelWeightHistogram, trainingScoreCallback, type TrainingScore, type WeightHistogram } from "../../../src/analysis/overfitting.js";
import { fetchMnist } from "./mnist-fetch.js";
import { VALIDATION, type OverfittingSettings } from "./overfitting/settings.js";
import { overfittingConfig } from "./overfitting/config.js";

/** The histogram's bins: 60 over [−3, 3) (N(0, 1) weights at the start); near zero: |w| < 0.01. */
export const HISTOGRAM = { bins: 60, range: 3, near: 0.01 } as const;
const SLICE_MS = 30;

export interface EpochPoint {
  epoch: number;
  /** The 1,000 training images scored after the epoch (eval mode). */
  trainAccuracy: number;
  trainLoss: number;
  valAccuracy: number;
  valLoss: number;
  /** The loop's own figures: accuracy on the batches as they were trained (dropout on), and their mean cost with the penalty. */
  runningAccuracy: number;
  runningLoss: number;
}

export type ToOverfitting =
  | { type: "reset"; run: number; settings: OverfittingSettings; play: boolean; paceMs: number }
  | { type: "play" }
  | { type: "pause" }
  | { type: "pace"; ms: number };

export type FromOverfitting =
  | { type: "ready" }
  | { type: "run"; run: number; fma: boolean; config: TrainConfig; histogram: WeightHistogram; stepsPerEpoch: number; train: number; validation: number }
  | { type: "epoch"; run: number; point: EpochPoint; histogram: WeightHistogram }
  | { type: "end"; run: number; kind: "finished" | "early-stopping" | "non-finite"; epoch: number; bestEpoch?: number; histogram: WeightHistogram }
  | { type: "playing"; playing: boolean }
  | { type: "error"; text: string };

const post = (m: FromOverfitting) => (self as unknown as Worker).postMessage(m);
const base = (self as unknown as { name: string }).name || String(self.location);

let mnist: Mnist | null = null;
let pending: ToOverfitting | null = null;
let ex: Experiment | null = null;
let run: TrainingRun | null = null;
let runId = 0;
let playing = false;
/** Bumped by every play, pause and reset: a slice scheduled by an earlier loop finds it changed and stops. */
let loop = 0;
let paceMs = 0;
let lastEpochAt = 0;
let logs: EpochLog[] = [];
let scores: TrainingScore[] = [];
let sent = 0;

fetchMnist(base).then((m) => {
  mnist = { ...m, validation: m.validation.slice(0, VALIDATION) };
  post({ type: "ready" });
  if (pending) handle(pending);
}).catch((e) => post({ type: "error", text: e instanceof Error ? e.message : String(e) }));

const channel = new MessageChannel();
channel.port1.onmessage = (e: MessageEvent<number>) => tick(e.data);

const histogram = () => modelWeightHistogram(ex!.model, HISTOGRAM);

function reset(config: TrainConfig) {
  const data = { train: mnist!.train, validation: mnist!.validation };
  ex = buildExperiment(config, data);
  // The 1,000 images as given (not the expanded copies), scored after every epoch.
  const originals: TensorDataset = mnist!.train.slice(0, config.trainSize);
  logs = [];
  scores = [];
  sent = 0;
  const keep = { onEpochEnd: (log: EpochLog) => void logs.push(log) };
  run = ex.trainer.start(ex.loader, { ...ex.fitOptions, callbacks: [keep, trainingScoreCallback(ex.trainer, originals, scores)] });
}

function flush(): boolean {
  let any = false;
  while (sent < logs.length && sent < scores.length) {
    const log = logs[sent]!, s = scores[sent]!;
    post({
      type: "epoch", run: runId, histogram: histogram(),
      point: {
        epoch: log.epoch, trainAccuracy: s.accuracy, trainLoss: s.loss, valAccuracy: log.valAccuracy!, valLoss: log.valLoss!,
        runningAccuracy: log.trainAccuracy!, runningLoss: log.trainLoss,
      },
    });
    sent++;
    any = true;
  }
  return any;
}

function tick(id: number) {
  if (!playing || id !== loop || !run) return;
  try {
    const t0 = performance.now();
    while (performance.now() - t0 < SLICE_MS) {
      const r = run.next();
      if (!r) {
        flush();
        playing = false;
        const stop = run.result?.stopped;
        const kind = stop?.kind === "early-stopping" ? "early-stopping" : stop?.kind === "non-finite-loss" ? "non-finite" : "finished";
        post({ type: "end", run: runId, kind, epoch: stop?.epoch ?? logs.length, ...(stop?.kind === "early-stopping" ? { bestEpoch: stop.bestEpoch } : {}), histogram: histogram() });
        post({ type: "playing", playing: false });
        return;
      }
      if (flush() && paceMs > 0) {
        const wait = Math.max(0, lastEpochAt + paceMs - performance.now());
        lastEpochAt = performance.now() + wait;
        setTimeout(() => tick(id), wait);
        return;
      }
    }
  } catch (e) {
    playing = false;
    post({ type: "error", text: e instanceof Error ? e.message : String(e) });
    post({ type: "playing", playing: false });
    return;
  }
  channel.port2.postMessage(id);
}

function handle(msg: ToOverfitting) {
  if (!mnist) {
    if (msg.type === "reset") pending = msg;
    else if (msg.type === "pace") paceMs = msg.ms;
    else if (pending?.type === "reset") pending = { ...pending, play: msg.type === "play" };
    return;
  }
  switch (msg.type) {
    case "reset": {
      runId = msg.run;
      paceMs = msg.paceMs;
      const config = overfittingConfig(msg.settings);
      reset(config);
      post({ type: "run", run: runId, fma: backendInfo().fma.active, config, histogram: histogram(), stepsPerEpoch: ex!.loader.length, train: ex!.data.train.length, validation: mnist.validation.length });
      playing = msg.play;
      post({ type: "playing", playing });
      loop++;
      if (playing) channel.port2.postMessage(loop);
      break;
    }
    case "play":
      if (playing || !run || run.done) break;
      playing = true;
      post({ type: "playing", playing });
      channel.port2.postMessage(++loop);
      break;
    case "pause":
      playing = false;
      loop++;
      post({ type: "playing", playing });
      break;
    case "pace":
      paceMs = msg.ms;
      break;
  }
}

self.onmessage = (e: MessageEvent<ToOverfitting>) => {
  try {
    handle(e.data);
  } catch (err) {
    playing = false;
    post({ type: "error", text: err instanceof Error ? err.message : String(err) });
  }
};
