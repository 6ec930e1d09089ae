/**
 * The training loop: step (one mini-batch), evaluate (a dataset, no gradients), fit (epochs with
 * validation, schedules, early stopping, and a stop on a non-finite loss that keeps the last
 * good weights). fit and fitAsync drive one loop (`epochs`, a generator that pauses after every
 * mini-batch): fit runs it to the end; fitAsync lets the event loop run every few milliseconds, so
 * a Ctrl-C handler, a worker's messages or a page's Pause button can interrupt it between batches.
 */
import { resetRecurrentStates } from "../nn/layers/recurrent.js";
import type { Module } from "../nn/module.js";
import { Tensor } from "../tensor.js";
import { backward, type BackwardHooks } from "../autograd.js";
import { stepInBackward } from "../optim/in-backward.js";
import type { LossFn } from "../nn/losses.js";
import type { Optimizer } from "../optim/optimizer.js";
import { kernelsFor } from "../kernels/index.js";
import { clipGradNorm, clipGradValue } from "../optim/clip.js";
import { intoScope, scope } from "../memory.js";
import type { PlateauState, ReduceOnPlateau, Schedule } from "../optim/schedule.js";
import { DataLoader, datasetFromArrays, type ArrayFeatures, type ArrayTargets, type Batch, type TensorDataset } from "../data/dataset.js";
import { Rng } from "../rng.js";
import { countCorrect, type RegressionScores } from "./metrics.js";
import { forwardScored } from "./objective.js";
import { evaluate, type EvalResult } from "./evaluate.js";
import type { Callback, EpochLog, TrainContext } from "./callbacks.js";
import { checkpointCallback, monitorCallback, nonFiniteCallback, scheduleCallback } from "./fit-callbacks.js";

export interface Regularization {
  /** L1 strength per weight (the book: λ/n). */
  l1?: number;
  /** L2 strength per weight (the book: λ/n); the cost gains (l2/2)·Σw². */
  l2?: number;
  /** Which tensors are penalised (usually weights, not biases: nn.weightsOnly). */
  params: readonly Tensor[];
  /**
   * The optimizer already adds l2·w to these gradients (its coupled weight decay), so the
   * trainer only reports the L2 term in the cost — one pass over the weights instead of two.
   */
  l2InOptimizer?: boolean;
}

export interface TrainerOptions {
  loss: LossFn;
  /**
   * The loss reads the logits — the input of the model's last layer, a Sigmoid or Softmax — and the
   * predictions its output (train/objective.ts): pair it with bceWithLogits or crossEntropy.
   */
  lossOnLogits?: boolean;
  optimizer: Optimizer<{ lr: number }>;
  /**
   * Weight penalties, applied to the gradients before each update (g += l1·sign(w) + l2·w) —
   * the same as adding l1Penalty/l2Penalty to the cost, without building that graph every step.
   */
  regularization?: Regularization;
  /** Rescale gradients to this global L2 norm when larger. */
  clipNorm?: number;
  /** Clamp every gradient element to ±clipValue. */
  clipValue?: number;
  /**
   * When nothing edits gradients between backward and the update (no clipping, no L1, no L2
   * outside the optimizer), step each parameter during backward as soon as its gradient is
   * complete (optim/in-backward.ts) — the same arithmetic; with plain SGD a Linear weight is
   * updated inside its gradient's product, one pass less over the weights. Parameters then have
   * no `.grad` after a step; set false to keep every gradient (e.g. to inspect it). Default true.
   */
  fuseUpdates?: boolean;
}

export interface StepResult {
  /** The batch's cost (without penalties). */
  loss: number;
  /** Examples the model got right before this update (classification; 0 for regression). */
  correct: number;
  size: number;
  /** Global gradient norm before clipping (when clipNorm is set). */
  gradNorm?: number;
}

export interface EarlyStopping {
  /** Epochs without a better validation accuracy before stopping. */
  patience: number;
  /** Put back the weights of the best epoch at the end (default true). */
  restoreBest?: boolean;
}

export interface FitOptions {
  epochs: number;
  validation?: TensorDataset;
  test?: TensorDataset;
  callbacks?: Callback[];
  /** epoch (0-based) → learning rate, applied at the start of each epoch. */
  schedule?: Schedule;
  /** The book's "halve η when validation accuracy stalls" (needs `validation`). */
  plateau?: ReduceOnPlateau;
  earlyStopping?: EarlyStopping;
  evalBatchSize?: number;
  /** Continue a run from the end of epoch `resume.epoch` (a checkpoint, see train/checkpoint.ts). */
  resume?: FitState;
  /** Called after every completed epoch with everything fit needs to continue later (for checkpoints). */
  onEpochComplete?: (state: FitState) => void;
}

export interface AsyncFitOptions extends FitOptions {
  /**
   * Aborting it interrupts training after the current mini-batch: the epoch in progress is
   * dropped and the model goes back to the weights of the last complete epoch (a checkpoint
   * written by onEpochComplete holds that same epoch).
   */
  signal?: AbortSignal;
  /** Milliseconds of training between two pauses for the event loop (default 50). */
  yieldEveryMs?: number;
  /** How to let the event loop run (default: a zero-delay timer; Node callers pass setImmediate). */
  yieldToEventLoop?: () => Promise<void>;
}

/**
 * fit's own bookkeeping at the end of an epoch. With the weights, the optimizer state and the
 * random streams, it is what makes a resumed run identical to an uninterrupted one.
 */
export interface FitState {
  /** Epochs completed. */
  epoch: number;
  history: EpochLog[];
  /**
   * Best monitored score so far and its epoch (−Infinity, 0 before any): the validation accuracy
   * for classification, minus the validation MSE for regression (see monitoredScore).
   */
  best: { score: number; epoch: number };
  /** That epoch's weights, kept only with early stopping (to restore them at the end). */
  bestWeights: Record<string, Float32Array | Float64Array> | null;
  plateau: PlateauState | null;
}

export type StopReason =
  | { kind: "non-finite-loss"; epoch: number; step: number; loss: number; lr: number; restoredEpoch: number; message: string }
  | { kind: "early-stopping"; epoch: number; bestEpoch: number; message: string }
  | { kind: "schedule-finished"; epoch: number; message: string }
  | { kind: "callback"; epoch: number; message: string }
  | { kind: "interrupted"; epoch: number; restoredEpoch: number; message: string };

export interface FitResult {
  history: EpochLog[];
  stopped?: StopReason;
  /** Epoch whose weights the model holds at the end (the last, or the best/last good one). */
  finalEpoch: number;
}

/** Copies of a model's tensors (weights and buffers), to put back later. */
export type Snapshot = Map<Tensor, Float32Array | Float64Array>;

function snapshot(model: Module): Snapshot {
  return new Map(Object.values(model.stateDict()).map((t) => [t, t.data.slice()]));
}

/** A snapshot from named tensors (a checkpoint's "best.*" weights). */
function snapshotFrom(model: Module, named: Record<string, Float32Array | Float64Array>): Snapshot {
  return new Map(Object.entries(model.stateDict()).map(([name, t]) => [t, named[name]!.slice()]));
}

/** A snapshot's arrays by state-dict name (copies). */
function namedCopy(model: Module, snap: Snapshot): Record<string, Float32Array | Float64Array> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([name, t]) => [name, snap.get(t)!.slice()]));
}

function restore(snap: Snapshot): void {
  for (const [t, data] of snap) t.data.set(data);
}

const now = () => performance.now();

export class Trainer {
  /** Hooks that step the optimizer inside backward (see TrainerOptions.fuseUpdates), if allowed. */
  private readonly backwardHooks: BackwardHooks | undefined;

  constructor(readonly model: Module, readonly opts: TrainerOptions) {
    this.backwardHooks = canStepInBackward(opts) ? stepInBackward(opts.optimizer) : undefined;
  }

  get lr(): number {
    return this.opts.optimizer.lr;
  }

  /** One mini-batch: forward, cost, backward, penalties, clipping, update. A non-finite cost skips the update. */
  step(batch: Batch | (() => Batch)): StepResult {
    // Every temporary of the step lives in scoped memory, reclaimed when the step returns; a batch
    // given as a function is gathered there too.
    return scope(() => this.stepInScope(typeof batch === "function" ? batch() : batch));
  }

  private stepInScope(batch: Batch): StepResult {
    const { optimizer, loss: lossFn, regularization: reg } = this.opts;
    const { out, scored } = forwardScored(this.model, intoScope(batch.x), this.opts.lossOnLogits ?? false);
    const loss = lossFn(scored, batch.y);
    const value = loss.item();
    const cols = out.shape[out.rank - 1] ?? 1;
    const labels = batch.y instanceof Int32Array ? batch.y : null;
    // size counts labels: one per example, or one per step of a sequence (the cost is their mean).
    const result: StepResult = { loss: value, correct: labels ? countCorrect(out.data, labels, cols) : 0, size: labels ? labels.length : (out.shape[0] ?? 0) };
    if (!Number.isFinite(value)) return result;
    optimizer.zeroGrad();
    backward(loss, Tensor.full([], 1, { dtype: loss.dtype }), this.backwardHooks);
    const l2 = reg?.l2InOptimizer ? 0 : (reg?.l2 ?? 0);
    if (reg && (reg.l1 || l2)) {
      for (const p of reg.params) if (p.grad) kernelsFor(p.data).penaltyGrad(p.data, p.grad.data, reg.l1 ?? 0, l2);
    }
    if (this.opts.clipValue !== undefined) clipGradValue(this.model.parameters(), this.opts.clipValue);
    if (this.opts.clipNorm !== undefined) result.gradNorm = clipGradNorm(this.model.parameters(), this.opts.clipNorm);
    optimizer.step();
    return result;
  }

  /** The penalty part of the cost: l1·Σ|w| + (l2/2)·Σw² over the penalised tensors. */
  penalty(): number {
    const reg = this.opts.regularization;
    if (!reg || (!reg.l1 && !reg.l2)) return 0;
    let s = 0;
    for (const p of reg.params) {
      if (reg.l2) s += (reg.l2 / 2) * kernelsFor(p.data).sumSquares(p.data);
      if (reg.l1) for (let i = 0; i < p.size; i++) s += reg.l1 * Math.abs(p.data[i]!);
    }
    return s;
  }

  /** Cost and accuracy over a dataset, in eval mode and without recording gradients. */
  evaluate(data: TensorDataset, batchSize?: number): EvalResult {
    return evaluate(this.model, data, { loss: this.opts.loss, lossOnLogits: this.opts.lossOnLogits ?? false, ...(batchSize ? { batchSize } : {}) });
  }

  /**
   * Trains for `epochs` passes over `train`, evaluating after each. Or, as Keras users expect,
   * `fit(x, y, { epochs, batchSize, validationSplit, seed })` on plain arrays: y an Int32Array of
   * class labels, or numbers (rows of numbers) as regression targets.
   */
  fit(train: DataLoader, opts: FitOptions): FitResult;
  fit(x: ArrayFeatures, y: ArrayTargets, opts: ArrayFitOptions): FitResult;
  fit(a: DataLoader | ArrayFeatures, b: FitOptions | ArrayTargets, c?: ArrayFitOptions): FitResult {
    const [train, opts] = a instanceof DataLoader ? [a, b as FitOptions] : fromArrays(a, b as ArrayTargets, c!);
    const run = this.start(train, opts);
    while (run.next());
    return run.result!;
  }

  /**
   * A run to drive one mini-batch at a time — fit's loop, callbacks and all, for a driver with its
   * own cadence (the explorer's worker trains a few batches per animation frame and evaluates
   * when the page asks: give no validation set and call evaluate() yourself).
   */
  start(train: DataLoader, opts: FitOptions): TrainingRun {
    const control = { interrupted: false };
    return new TrainingRun(this.epochs(train, opts, control), control);
  }

  /**
   * fit, pausing for the event loop every `yieldEveryMs` of training. The result is bit-identical
   * to fit's (pauses change no arithmetic); an aborted `signal` stops it between two mini-batches.
   */
  async fitAsync(train: DataLoader, opts: AsyncFitOptions): Promise<FitResult> {
    const every = opts.yieldEveryMs ?? 50;
    const pause = opts.yieldToEventLoop ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
    const run = this.start(train, opts);
    if (opts.signal?.aborted) run.interrupt();
    let last = now();
    while (run.next()) {
      if (now() - last >= every) {
        await pause();
        last = now();
      }
      if (opts.signal?.aborted) run.interrupt();
    }
    return run.result!;
  }

  /**
   * The loop itself: yields each mini-batch's result, and once before the first (undefined); when
   * the driver sets `control.interrupted`, it ends at the next pause with the last complete epoch's weights.
   */
  private *epochs(train: DataLoader, opts: FitOptions, control: { interrupted: boolean }): Generator<StepResult | undefined, FitResult, void> {
    // The built-in behaviours are callbacks (fit-callbacks.ts): the rollback on a non-finite cost
    // and the schedule before the user's own, the watch on the validation score and the checkpoint
    // writer after them.
    const callbacks: Callback[] = [
      nonFiniteCallback(),
      ...(opts.schedule ? [scheduleCallback(opts.schedule)] : []),
      ...(opts.callbacks ?? []),
      monitorCallback({ ...(opts.earlyStopping ? { earlyStopping: opts.earlyStopping } : {}), ...(opts.plateau ? { plateau: opts.plateau } : {}) }),
      ...(opts.onEpochComplete ? [checkpointCallback(opts.onEpochComplete)] : []),
    ];
    const resume = opts.resume;
    const history: EpochLog[] = resume ? [...resume.history] : [];
    const start = resume ? resume.epoch + 1 : 1;
    let lastGood = snapshot(this.model);
    let stopped: StopReason | undefined;
    const ctx: TrainContext = {
      epoch: start - 1, epochs: opts.epochs, step: history.reduce((n, h) => n + h.steps, 0), batch: 0, batches: train.length,
      loss: NaN, lr: this.lr, stop: false, finalEpoch: 0, lastGoodEpoch: start - 1,
      setLr: (lr) => {
        this.opts.optimizer.lr = lr;
        ctx.lr = lr;
      },
      stopWith: (reason) => {
        stopped ??= reason;
      },
      stopped: () => stopped !== undefined || ctx.stop,
      lastGood: () => lastGood,
      snapshotFrom: (named) => snapshotFrom(this.model, named),
      namedCopy: (snap) => namedCopy(this.model, snap),
      restoreSnapshot: restore,
    };
    if (resume) for (const cb of callbacks) cb.restoreFitState?.(resume, ctx);
    const interrupt = (epoch: number): StopReason => {
      restore(lastGood);
      const kept = ctx.lastGoodEpoch;
      return {
        kind: "interrupted", epoch, restoredEpoch: kept,
        message: `interrupted during epoch ${epoch}; the model holds the weights of ${kept === 0 ? "before training" : `epoch ${kept}, the last complete one`}`,
      };
    };
    this.model.train();
    for (const cb of callbacks) cb.onTrainStart?.(ctx);
    yield;
    if (control.interrupted) stopped = interrupt(start);

    for (let epoch = start; epoch <= opts.epochs && !stopped; epoch++) {
      Object.assign(ctx, { epoch, batch: 0, lr: this.lr });
      for (const cb of callbacks) cb.onEpochStart?.(ctx);
      resetRecurrentStates(this.model); // a stateful layer's carried state belongs to last epoch's text
      const t0 = now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let batches = 0;
      const norms = { sum: 0, max: 0, clipped: 0, steps: 0 };
      for (const idx of train.indices()) {
        for (const cb of callbacks) cb.onBatchStart?.(ctx);
        const r = this.step(() => train.gather(idx));
        ctx.step++;
        ctx.batch = ++batches;
        ctx.loss = r.loss;
        lossSum += r.loss * r.size;
        correct += r.correct;
        seen += r.size;
        if (r.gradNorm !== undefined) {
          norms.sum += r.gradNorm;
          norms.max = Math.max(norms.max, r.gradNorm);
          norms.steps++;
          if (r.gradNorm > this.opts.clipNorm!) norms.clipped++;
        }
        for (const cb of callbacks) cb.onBatchEnd?.(ctx);
        // A reason given during a mini-batch (a non-finite cost) ends the run at once: the epoch
        // in progress is dropped; ctx.stop alone ends it after this epoch's evaluation.
        if (stopped || ctx.stop) {
          yield r;
          break;
        }
        yield r;
        if (control.interrupted) {
          stopped = interrupt(epoch);
          break;
        }
      }
      if (stopped) break;
      const seconds = (now() - t0) / 1000;
      const classifying = train.dataset.task === "classification";
      const log: EpochLog = {
        epoch, trainLoss: lossSum / seen + this.penalty(), ...(classifying ? { trainAccuracy: correct / seen } : {}),
        lr: this.lr, seconds, steps: batches,
        ...(norms.steps ? { gradNorm: { mean: norms.sum / norms.steps, max: norms.max, clipped: norms.clipped / norms.steps } } : {}),
      };
      const e0 = now();
      const evaluating = (what: "validation" | "test") => {
        for (const cb of callbacks) cb.onEvaluate?.(what, ctx);
      };
      if (opts.validation && opts.validation.length > 0) {
        evaluating("validation");
        const v = this.evaluate(opts.validation, opts.evalBatchSize);
        log.valLoss = v.loss;
        if (v.regression) log.valMetrics = regressionLog(v.regression);
        else log.valAccuracy = v.accuracy;
      }
      if (opts.test && opts.test.length > 0) {
        evaluating("test");
        const t = this.evaluate(opts.test, opts.evalBatchSize);
        log.testLoss = t.loss;
        if (t.regression) log.testMetrics = regressionLog(t.regression);
        else log.testAccuracy = t.accuracy;
      }
      if (log.valLoss !== undefined || log.testLoss !== undefined) log.evalSeconds = (now() - e0) / 1000;
      history.push(log);
      lastGood = snapshot(this.model);
      ctx.lastGoodEpoch = epoch;
      for (const cb of callbacks) {
        cb.onEpochEnd?.(log, ctx);
        // A user's callback that set ctx.stop stops the run, before the score watch decides anything.
        if (ctx.stop && !stopped) stopped = { kind: "callback", epoch, message: `stopped by a callback after epoch ${epoch}` };
      }
      const state: FitState = { epoch, history: [...history], best: { score: -Infinity, epoch: 0 }, bestWeights: null, plateau: null };
      for (const cb of callbacks) Object.assign(state, cb.fitState?.(ctx));
      for (const cb of callbacks) cb.onEpochComplete?.(state);
    }

    ctx.finalEpoch = history.length ? history[history.length - 1]!.epoch : 0;
    if (stopped && "restoredEpoch" in stopped) ctx.finalEpoch = stopped.restoredEpoch;
    for (const cb of callbacks) cb.onTrainEnd?.(ctx);
    return { history, ...(stopped ? { stopped } : {}), finalEpoch: ctx.finalEpoch };
  }
}

/**
 * A training run driven one mini-batch at a time (Trainer.start): `next()` trains one and returns
 * its result — at an epoch's end after that epoch's evaluation and callbacks — or null once the run
 * has ended, with `result` set. fit is `while (run.next());`.
 */
export class TrainingRun {
  /** The run's outcome, once next() has returned null. */
  result: FitResult | null = null;

  constructor(
    private readonly loop: Generator<StepResult | undefined, FitResult, void>,
    private readonly control: { interrupted: boolean },
  ) {}

  next(): StepResult | null {
    while (!this.result) {
      const r = this.loop.next();
      if (r.done) this.result = r.value;
      else if (r.value) return r.value;
    }
    return null;
  }

  /** Ends the run before the next mini-batch, with the weights of the last complete epoch. */
  interrupt(): void {
    this.control.interrupted = true;
  }

  get done(): boolean {
    return this.result !== null;
  }
}

export interface ArrayFitOptions extends Omit<FitOptions, "validation"> {
  /** Mini-batch size (default 32, as Keras). */
  batchSize?: number;
  /** The last fraction of the examples (before shuffling) held out for validation (default 0). */
  validationSplit?: number;
  /** Seeds the shuffling (default 0). */
  seed?: number;
}

function fromArrays(x: ArrayFeatures, y: ArrayTargets, opts: ArrayFitOptions): [DataLoader, FitOptions] {
  const all = datasetFromArrays(x, y);
  const split = opts.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new RangeError(`fit: validationSplit must be in [0, 1), got ${split}`);
  const cut = all.length - Math.floor(all.length * split);
  const loader = new DataLoader(all.slice(0, cut), { batchSize: opts.batchSize ?? 32, shuffle: true, rng: new Rng(opts.seed ?? 0).fork("shuffle") });
  return [loader, { ...opts, ...(cut < all.length ? { validation: all.slice(cut) } : {}) }];
}

export { monitoredScore } from "./fit-callbacks.js";

const regressionLog = (m: RegressionScores) => ({ mse: m.mse, rmse: m.rmse, mae: m.mae, r2: m.r2 });

/** Whether the optimizer may step inside backward: nothing edits gradients in between (see TrainerOptions.fuseUpdates). */
function canStepInBackward(o: TrainerOptions): boolean {
  if (o.fuseUpdates === false || o.clipNorm !== undefined || o.clipValue !== undefined) return false;
  const reg = o.regularization;
  return !(reg && (reg.l1 || (reg.l2 && !reg.l2InOptimizer)));
}
