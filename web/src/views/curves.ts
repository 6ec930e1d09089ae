/**
 * Live curves (uPlot: canvas, tens of thousands of points at 60 fps): the cost, and beside it the
 * accuracy (digits) or the mean absolute error (house prices, in $1000s, log scale: it falls from
 * ~22 to ~2). Training points come every slice; validation points every evaluation, on the same
 * step axis (gaps between), in step order even when an evaluation arrives after later training
 * points. The step axis can be logarithmic (log by default once a run passes 100 steps): step 0,
 * the initial network's evaluation, sits at the axis' left end, labelled 0.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Task } from "../state.js";
import { formatNumber } from "../i18n.js";
import { t, type TrainKey } from "../train-strings.js";

/** Past this many points, neighbouring training points are averaged in pairs (the curve keeps its shape). */
const MAX_POINTS = 20000;
/** Where step 0 sits on a log axis. */
const ZERO_AT = 0.5;

type Series = (number | null)[];

const CHARTS: Record<Task, { cost: [TrainKey, TrainKey]; second: [TrainKey, TrainKey]; log: boolean }> = {
  digits: { cost: ["chartCost", "chartCost"], second: ["chartAccuracy", "chartAccuracy"], log: false },
  houses: { cost: ["chartCostHouses", "chartMseAxis"], second: ["chartMae", "chartMaeAxis"], log: true },
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
  /** Log step axis: null follows the default (log past 100 steps), else the user's choice. */
  private logChoice: boolean | null = null;
  private logShown = false;
  onAxisChange: (log: boolean) => void = () => {};

  constructor(private readonly costEl: HTMLElement, private readonly secondEl: HTMLElement, private readonly empty: HTMLElement) {
    this.build();
    new ResizeObserver(() => {
      for (const p of [this.cost, this.second]) p.setSize({ width: this.width(), height: 200 });
    }).observe(costEl);
  }

  private width(): number {
    return Math.max(260, Math.min(560, this.costEl.clientWidth || 520));
  }

  /** Whether the step axis is logarithmic now. */
  get logX(): boolean {
    return this.logShown;
  }

  private wantLog(): boolean {
    return this.logChoice ?? (this.steps.length > 0 && this.steps[this.steps.length - 1]! > 100);
  }

  private build(): void {
    const spec = CHARTS[this.task];
    const log = (this.logShown = this.wantLog());
    const xScale: uPlot.Scale = log
      ? { time: false, distr: 3, log: 10, range: (_u, _min, max) => [ZERO_AT, Math.max(10, (max ?? 10) * 1.15)] }
      : { time: false };
    const xAxis: uPlot.Axis = {
      label: t("axisStep"),
      values: (_u, splits) => splits.map((v) => (log && v < 1 ? "0" : formatNumber(v))),
      ...(log ? { splits: (_u, _i, _min, max) => [ZERO_AT, ...powersUpTo(max)] } : {}),
    };
    const make = (el: HTMLElement, [title, yLabel]: [TrainKey, TrainKey]) =>
      new uPlot({
        title: t(title), width: this.width(), height: 200,
        scales: { x: xScale, ...(spec.log ? { y: { distr: 3 } } : {}) },
        axes: [xAxis, { label: t(yLabel), values: (_u, splits) => splits.map((v) => (spec.log ? logLabel(v) : formatNumber(v))) }],
        series: [
          { label: t("axisStep"), value: (_u, v) => (v === null ? "–" : formatNumber(log && v < 1 ? 0 : v)) },
          // A lone point (step 0, before training) is drawn as a dot: a line needs two.
          { label: t("seriesTrain"), stroke: "#5b8ff0", width: spec.log ? 1.6 : 1.2, spanGaps: true, points: { show: few, size: 5 } },
          // Digits are evaluated about once a second (dots mark them); house prices after every epoch (a line).
          { label: t("seriesValidation"), stroke: "#e07b00", width: spec.log ? 1.6 : 2, spanGaps: true, points: { show: spec.log ? few : true, size: 5 } },
        ],
        legend: { live: false },
      }, this.data().cost, el);
    this.cost = make(this.costEl, spec.cost);
    this.second = make(this.secondEl, spec.second);
    this.costEl.dataset["log"] = String(log);
  }

  private rebuild(): void {
    this.cost.destroy();
    this.second.destroy();
    this.build();
    this.redraw();
  }

  /** Re-labels the charts in the page's language (the points stay). */
  relabel(): void {
    this.rebuild();
  }

  /** The user's choice of axis (null: back to the default). */
  setLog(log: boolean | null): void {
    this.logChoice = log;
    if (this.wantLog() !== this.logShown) {
      this.rebuild();
      this.onAxisChange(this.logShown);
    }
  }

  /** Switches to the other task's charts (titles, labels, scales), empty. */
  setTask(task: Task): void {
    if (task === this.task) return this.clear();
    this.task = task;
    this.steps = [];
    this.trainLoss = [];
    this.valLoss = [];
    this.trainSecond = [];
    this.valSecond = [];
    this.rebuild();
  }

  clear(): void {
    this.steps = [];
    this.trainLoss = [];
    this.valLoss = [];
    this.trainSecond = [];
    this.valSecond = [];
    if (this.logShown !== this.wantLog()) {
      this.rebuild();
      this.onAxisChange(this.logShown);
    }
    this.redraw();
  }

  /** The index of `step`'s point, inserting an empty one (in step order) if there is none. */
  private at(step: number): number {
    let i = this.steps.length;
    while (i > 0 && this.steps[i - 1]! > step) i--;
    if (i > 0 && this.steps[i - 1] === step) return i - 1;
    this.steps.splice(i, 0, step);
    for (const s of [this.trainLoss, this.valLoss, this.trainSecond, this.valSecond]) s.splice(i, 0, null);
    return i;
  }

  /** A training point; `second` is the batches' accuracy (digits) or null (house prices). */
  addTrain(step: number, loss: number, second: number | null): void {
    const i = this.at(step);
    this.trainLoss[i] = finite(loss);
    this.trainSecond[i] = second === null ? null : finite(second);
    if (this.steps.length > MAX_POINTS) this.halve();
    if (this.logChoice === null && !this.logShown && step > 100) {
      this.rebuild();
      this.onAxisChange(true);
    }
    this.redraw();
  }

  /** An evaluation: validation cost and accuracy/MAE, and (house prices) the training rows' MAE. */
  addValidation(step: number, loss: number, second: number, trainSecond: number | null = null): void {
    const i = this.at(step);
    this.valLoss[i] = finite(loss);
    this.valSecond[i] = finite(second);
    if (trainSecond !== null) this.trainSecond[i] = finite(trainSecond);
    this.redraw();
  }

  /** Points shown (for tests and the page's readout). */
  get length(): number {
    return this.steps.length;
  }

  /** The first point's step and values (for tests: the step-0 evaluation comes first). */
  first(): { step: number; valLoss: number | null; valSecond: number | null } | null {
    return this.steps.length ? { step: this.steps[0]!, valLoss: this.valLoss[0]!, valSecond: this.valSecond[0]! } : null;
  }

  private halve(): void {
    const pick = <T>(a: T[], merge: (x: T, y: T) => T) => {
      const out: T[] = [a[0]!];
      // Step 0 (the initial network) is kept as it is.
      for (let i = 1; i < a.length; i += 2) out.push(i + 1 < a.length ? merge(a[i]!, a[i + 1]!) : a[i]!);
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

  private data(): { cost: uPlot.AlignedData; second: uPlot.AlignedData } {
    const x = this.logShown ? this.steps.map((s) => Math.max(s, ZERO_AT)) : this.steps;
    return {
      cost: [x, this.trainLoss, this.valLoss] as uPlot.AlignedData,
      second: [x, this.trainSecond, this.valSecond] as uPlot.AlignedData,
    };
  }

  /** Redraws at most once per animation frame. */
  private redraw(): void {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      const d = this.data();
      this.cost.setData(d.cost);
      this.second.setData(d.second);
      this.empty.hidden = this.steps.length > 0;
    });
  }
}

/** Dots only while a series has fewer than three points. */
const few = (u: uPlot, i: number) => (u.data[i] ?? []).filter((v) => v !== null && v !== undefined).length < 3;

/** A log axis' tick label: 1, 2 and 5 times a power of ten are written, the other ticks left blank. */
function logLabel(v: number): string {
  const m = v / 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].some((x) => Math.abs(m - x) < 1e-6) ? formatNumber(v) : "";
}

/** 1, 10, 100, … up to `max`. */
function powersUpTo(max: number): number[] {
  const out: number[] = [];
  for (let p = 1; p <= max * 1.0001; p *= 10) out.push(p);
  return out;
}

/** Non-finite values (a diverged cost) and, on a log scale, values ≤ 0 are gaps, not points. */
const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
