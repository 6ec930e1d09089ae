/**
 * What fit does besides stepping and evaluating, as callbacks: the rollback on a non-finite cost,
 * the learning-rate schedule, the
 * watch on the validation score (best epoch, early stopping, the book's plateau halving) and
 * checkpoints. fit installs them from its options (schedule, earlyStopping, plateau,
 * onEpochComplete) after the user's own callbacks; anyone can install them, or their own, the same way.
 */
import type { Callback, EpochLog, TrainContext } from "./callbacks.js";
import type { ReduceOnPlateau, Schedule } from "../optim/schedule.js";
import type { EarlyStopping, FitState, Snapshot } from "./trainer.js";

/**
 * A cost that became NaN or ±Infinity (the step skipped its update) ends the run at once with the
 * weights of the last complete epoch: a diverged run keeps what it had learnt.
 */
export function nonFiniteCallback(): Callback {
  return {
    onBatchEnd(ctx) {
      if (Number.isFinite(ctx.loss)) return;
      ctx.restoreSnapshot(ctx.lastGood());
      const kept = ctx.lastGoodEpoch;
      ctx.stopWith({
        kind: "non-finite-loss", epoch: ctx.epoch, step: ctx.step, loss: ctx.loss, lr: ctx.lr, restoredEpoch: kept,
        message: `cost became ${ctx.loss} at step ${ctx.step} (epoch ${ctx.epoch}, learning rate ${ctx.lr}); ` +
          `kept the weights from ${kept === 0 ? "before training" : `epoch ${kept}`} — try a smaller learning rate or --clip-norm`,
      });
    },
  };
}

/** Sets η from `schedule` at the start of every epoch (and before every step for a per-step schedule). */
export function scheduleCallback(schedule: Schedule): Callback {
  return {
    onEpochStart(ctx) {
      ctx.setLr(schedule(ctx.epoch - 1));
    },
    ...(schedule.perStep ? { onBatchStart: (ctx: TrainContext) => ctx.setLr(schedule(ctx.epoch - 1 + ctx.batch / ctx.batches)) } : {}),
  };
}

/**
 * What early stopping, the plateau schedule and "best epoch" watch, as a score where higher is
 * better: the validation accuracy (classification) or minus the validation MSE (regression).
 */
export function monitoredScore(log: EpochLog): number | undefined {
  if (log.valAccuracy !== undefined) return log.valAccuracy;
  if (log.valMetrics !== undefined) return -log.valMetrics.mse;
  return undefined;
}

const monitoredName = (log: EpochLog) => (log.valMetrics ? "validation MSE" : "validation accuracy");
const showScore = (log: EpochLog, score: number) => (log.valMetrics ? `MSE ${(-score).toPrecision(4)}` : `${(score * 100).toFixed(2)} %`);

/**
 * The watch on the validation score: the best epoch so far (its weights too, with early stopping),
 * early stopping, and the plateau rule — one callback, since they read the same score and early
 * stopping's decision comes first. Its part of a checkpoint is `best`, `bestWeights` and `plateau`.
 */
export function monitorCallback(opts: { earlyStopping?: EarlyStopping; plateau?: ReduceOnPlateau }): Callback {
  let best = { score: -Infinity, epoch: 0, weights: null as Snapshot | null };
  return {
    restoreFitState(s, ctx) {
      best = { ...s.best, weights: s.bestWeights ? ctx.snapshotFrom(s.bestWeights) : null };
      if (opts.plateau && s.plateau) opts.plateau.restore(s.plateau);
    },
    onEpochEnd(log, ctx) {
      const score = monitoredScore(log);
      if (score === undefined) return;
      if (score > best.score) best = { score, epoch: log.epoch, weights: opts.earlyStopping ? ctx.lastGood() : null };
      const es = opts.earlyStopping;
      if (!ctx.stopped() && es && log.epoch - best.epoch >= es.patience) {
        ctx.stopWith({
          kind: "early-stopping", epoch: log.epoch, bestEpoch: best.epoch,
          message: `no better ${monitoredName(log)} for ${es.patience} epochs; best was epoch ${best.epoch} (${showScore(log, best.score)})`,
        });
      }
      if (!ctx.stopped() && opts.plateau) {
        const next = opts.plateau.observe(score);
        ctx.setLr(next.lr);
        if (next.stop) ctx.stopWith({ kind: "schedule-finished", epoch: log.epoch, message: `learning rate fell below 1/128 of its start after epoch ${log.epoch}` });
      }
    },
    fitState(ctx) {
      return {
        best: { score: best.score, epoch: best.epoch },
        bestWeights: best.weights ? ctx.namedCopy(best.weights) : null,
        plateau: opts.plateau ? opts.plateau.state() : null,
      };
    },
    onTrainEnd(ctx) {
      // Early stopping's promise: the model ends with the weights of its best epoch.
      if (opts.earlyStopping && (opts.earlyStopping.restoreBest ?? true) && best.weights && best.epoch !== ctx.finalEpoch) {
        ctx.restoreSnapshot(best.weights);
        ctx.finalEpoch = best.epoch;
      }
    },
  };
}

/** Hands fit's whole state to `save` after every completed epoch (a checkpoint writer). */
export function checkpointCallback(save: (state: FitState) => void): Callback {
  return { onEpochComplete: save };
}
