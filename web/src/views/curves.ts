/**
 * Live curves (uPlot: canvas, tens of thousands of points at 60 fps): the cost, and beside it the
 * accuracy (digits) or the mean absolute error (house prices, in $1000s, log scale: it falls from
 * ~22 to ~2). Training points come every slice; validation points every evaluation, on the same
 * step axis (gaps between). For house prices the training MAE is the whole training set's, scored
 * at each evaluation, not the mini-batches'.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Task } from "../state.js";

/** Past this many points, neighbouring training points are averaged in pairs (the curve keeps its shape). */
const MAX_POINTS = 20000;

type Series = (number | null)[];

const CHARTS: Record<Task, { cost: [string, string]; second: [string, string]; log: boolean }> = {
  digits: { cost: ["cost", "cost"], second: ["accuracy", "accuracy"], log: false },
  houses: { cost: ["cost (mean squared error)", "MSE ($1000s²)"], second: ["mean absolute error ($1000s)", "MAE ($1000s)"], log: true },
};

export class Curves {
  private steps: number[] = [];
  private trainLoss: Series = [];
  private valLoss: Series = [];
  private trainSecond: Series = [];
  private valSecond: Series = [];
  private cost!: uPlot;
  private second!: uPlot;
  private dirty = false;
  task: Task = "digits";

  constructor(private readonly costEl: HTMLElement, private readonly secondEl: HTMLElement) {
    this.build();
    new ResizeObserver(() => {
      for (const p of [this.cost, this.second]) p.setSize({ width: this.width(), height: 200 });
    }).observe(costEl);
  }

  private width(): number {
    return Math.max(260, Math.min(560, this.costEl.clientWidth || 520));
  }

  private build(): void {
    const spec = CHARTS[this.task];
    const make = (el: HTMLElement, [title, yLabel]: [string, string]) =>
      new uPlot({
        title, width: this.width(), height: 200,
        scales: { x: { time: false }, ...(spec.log ? { y: { distr: 3 } } : {}) },
        axes: [{ label: "step" }, { label: yLabel }],
        series: [
          { label: "step" },
          { label: "train", stroke: "#5b8ff0", width: spec.log ? 1.6 : 1.2, spanGaps: true },
          // Digits are evaluated about once a second (dots mark them); house prices after every epoch (a line).
          { label: "validation", stroke: "#e07b00", width: spec.log ? 1.6 : 2, spanGaps: true, points: { show: !spec.log, size: 5 } },
        ],
        legend: { live: false },
      }, [[], [], []], el);
    this.cost = make(this.costEl, spec.cost);
    this.second = make(this.secondEl, spec.second);
  }

  /** Switches to the other task's charts (titles, labels, scales), empty. */
  setTask(task: Task): void {
    if (task === this.task) return this.clear();
    this.task = task;
    this.cost.destroy();
    this.second.destroy();
    this.build();
    this.clear();
  }

  clear(): void {
    this.steps = [];
    this.trainLoss = [];
    this.valLoss = [];
    this.trainSecond = [];
    this.valSecond = [];
    this.redraw();
  }

  /** A training point; `second` is the batches' accuracy (digits) or null (house prices). */
  addTrain(step: number, loss: number, second: number | null): void {
    this.steps.push(step);
    this.trainLoss.push(finite(loss));
    this.trainSecond.push(second === null ? null : finite(second));
    this.valLoss.push(null);
    this.valSecond.push(null);
    if (this.steps.length > MAX_POINTS) this.halve();
    this.redraw();
  }

  /** An evaluation: validation cost and accuracy/MAE, and (house prices) the training rows' MAE. */
  addValidation(step: number, loss: number, second: number, trainSecond: number | null = null): void {
    let last = this.steps.length - 1;
    if (!(last >= 0 && this.steps[last] === step)) {
      this.steps.push(step);
      this.trainLoss.push(null);
      this.trainSecond.push(null);
      this.valLoss.push(null);
      this.valSecond.push(null);
      last++;
    }
    this.valLoss[last] = finite(loss);
    this.valSecond[last] = finite(second);
    if (trainSecond !== null) this.trainSecond[last] = finite(trainSecond);
    this.redraw();
  }

  /** Points shown (for tests and the page's readout). */
  get length(): number {
    return this.steps.length;
  }

  private halve(): void {
    const pick = <T>(a: T[], merge: (x: T, y: T) => T) => {
      const out: T[] = [];
      for (let i = 0; i < a.length; i += 2) out.push(i + 1 < a.length ? merge(a[i]!, a[i + 1]!) : a[i]!);
      return out;
    };
    const mean = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : (x + y) / 2);
    const keep = (x: number | null, y: number | null) => y ?? x;
    this.steps = pick(this.steps, (_x, y) => y);
    this.trainLoss = pick(this.trainLoss, mean);
    this.trainSecond = pick(this.trainSecond, this.task === "houses" ? keep : mean);
    this.valLoss = pick(this.valLoss, keep);
    this.valSecond = pick(this.valSecond, keep);
  }

  /** Redraws at most once per animation frame. */
  private redraw(): void {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.cost.setData([this.steps, this.trainLoss, this.valLoss] as uPlot.AlignedData);
      this.second.setData([this.steps, this.trainSecond, this.valSecond] as uPlot.AlignedData);
    });
  }
}

/** Non-finite values (a diverged cost) and, on a log scale, values ≤ 0 are gaps, not points. */
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
