/**
 * Live cost and accuracy curves (uPlot: canvas, tens of thousands of points at 60 fps). Training
 * points come every slice; validation points every evaluation, on the same step axis (gaps between).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Past this many points, neighbouring training points are averaged in pairs (the curve keeps its shape). */
const MAX_POINTS = 20000;

type Series = (number | null)[];

export class Curves {
  private steps: number[] = [];
  private trainLoss: Series = [];
  private valLoss: Series = [];
  private trainAcc: Series = [];
  private valAcc: Series = [];
  private readonly cost: uPlot;
  private readonly acc: uPlot;
  private dirty = false;

  constructor(costEl: HTMLElement, accEl: HTMLElement) {
    const width = () => Math.max(260, Math.min(560, costEl.clientWidth || 520));
    const make = (el: HTMLElement, title: string, yLabel: string) =>
      new uPlot({
        title, width: width(), height: 200,
        scales: { x: { time: false } },
        axes: [{ label: "step" }, { label: yLabel }],
        series: [
          { label: "step" },
          { label: "train", stroke: "#3b6fd8", width: 1.2 },
          { label: "validation", stroke: "#e07b00", width: 2, spanGaps: true, points: { show: true, size: 5 } },
        ],
        legend: { live: false },
      }, [[], [], []], el);
    this.cost = make(costEl, "cost", "cost");
    this.acc = make(accEl, "accuracy", "accuracy");
    new ResizeObserver(() => {
      for (const p of [this.cost, this.acc]) p.setSize({ width: width(), height: 200 });
    }).observe(costEl);
  }

  clear(): void {
    this.steps = [];
    this.trainLoss = [];
    this.valLoss = [];
    this.trainAcc = [];
    this.valAcc = [];
    this.redraw();
  }

  addTrain(step: number, loss: number, accuracy: number): void {
    this.steps.push(step);
    this.trainLoss.push(Number.isFinite(loss) ? loss : null);
    this.trainAcc.push(accuracy);
    this.valLoss.push(null);
    this.valAcc.push(null);
    if (this.steps.length > MAX_POINTS) this.halve();
    this.redraw();
  }

  addValidation(step: number, loss: number, accuracy: number): void {
    const last = this.steps.length - 1;
    if (last >= 0 && this.steps[last] === step) {
      this.valLoss[last] = Number.isFinite(loss) ? loss : null;
      this.valAcc[last] = accuracy;
    } else {
      this.steps.push(step);
      this.trainLoss.push(null);
      this.trainAcc.push(null);
      this.valLoss.push(Number.isFinite(loss) ? loss : null);
      this.valAcc.push(accuracy);
    }
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
    this.trainAcc = pick(this.trainAcc, mean);
    this.valLoss = pick(this.valLoss, keep);
    this.valAcc = pick(this.valAcc, keep);
  }

  /** Redraws at most once per animation frame. */
  private redraw(): void {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.cost.setData([this.steps, this.trainLoss, this.valLoss] as uPlot.AlignedData);
      this.acc.setData([this.steps, this.trainAcc, this.valAcc] as uPlot.AlignedData);
    });
  }
}
