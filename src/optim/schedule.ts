/**
 * Learning-rate schedules. The simple ones are functions epoch → lr (epoch counts from 0);
 * the book's "halve η when validation accuracy stops improving" needs the metric, so it is a class.
 */

/**
 * epoch (from 0) → learning rate. A schedule marked `perStep` is also asked between epochs, with a
 * fractional epoch (2.5 = halfway through the third), so it changes smoothly step by step.
 */
export type Schedule = ((epoch: number) => number) & { perStep?: boolean };

/** lr · γ^⌊epoch/stepSize⌋ (torch StepLR). */
export const stepSchedule = (lr: number, stepSize: number, gamma = 0.1): Schedule =>
  (epoch) => lr * Math.pow(gamma, Math.floor(epoch / stepSize));

/** lr · γ^epoch (torch ExponentialLR). */
export const exponentialSchedule = (lr: number, gamma: number): Schedule => (epoch) => lr * Math.pow(gamma, epoch);

/** Cosine annealing from lr to minLr over tMax epochs (torch CosineAnnealingLR, closed form). */
export const cosineSchedule = (lr: number, tMax: number, minLr = 0): Schedule =>
  (epoch) => minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * Math.min(epoch, tMax)) / tMax))) / 2;

/**
 * Cosine annealing evaluated at every step (fractional epochs), from lr down to minLr at the end
 * of epoch tMax — what one-cycle-style short runs use.
 */
export const cosineStepSchedule = (lr: number, tMax: number, minLr = 0): Schedule =>
  Object.assign(cosineSchedule(lr, tMax, minLr), { perStep: true });

export const constantSchedule = (lr: number): Schedule => () => lr;

export interface PlateauOptions {
  /** Multiply the rate by this after `patience` epochs without improvement (the book: ½). */
  factor?: number;
  /** Epochs without improvement before reducing (the book's "no-improvement-in-n"). */
  patience?: number;
  /** Training should stop once the rate falls below initial·minRatio (the book: 1/128). */
  minRatio?: number;
}

/**
 * Nielsen's chapter-3 schedule: watch validation accuracy; after `patience` epochs without a new
 * best, halve η; once η < η₀/128, say stop.
 */
export interface PlateauState {
  lr: number;
  best: number;
  waited: number;
}

export class ReduceOnPlateau {
  private best = -Infinity;
  private waited = 0;
  readonly factor: number;
  readonly patience: number;
  readonly minLr: number;

  constructor(private lr: number, opts: PlateauOptions = {}) {
    this.factor = opts.factor ?? 0.5;
    this.patience = opts.patience ?? 10;
    this.minLr = lr * (opts.minRatio ?? 1 / 128);
  }

  /** Plain-data state, for checkpoints. */
  state(): PlateauState {
    return { lr: this.lr, best: this.best, waited: this.waited };
  }

  restore(st: PlateauState): void {
    this.lr = st.lr;
    this.best = st.best;
    this.waited = st.waited;
  }

  /** Feeds one epoch's metric (higher is better); returns the rate to use next and whether to stop. */
  observe(metric: number): { lr: number; stop: boolean } {
    if (metric > this.best) {
      this.best = metric;
      this.waited = 0;
    } else if (++this.waited >= this.patience) {
      this.lr *= this.factor;
      this.waited = 0;
    }
    return { lr: this.lr, stop: this.lr < this.minLr };
  }
}
