/**
 * The explainer's "list of 13,002 nudges": one row per weight and bias of the network — layer,
 * from which neuron (or pixel) to which, its value, ∂C/∂w and the nudge −η∂C/∂w — sortable by any
 * column, searchable, shown a page at a time, and downloadable whole as CSV.
 */
import { formatNumber, lang } from "../../i18n.js";
import type { GradientReport } from "./protocol.js";
import { t } from "./strings.js";

export interface NudgeRow {
  index: number;
  /** 1, 2 or 3 (pixels → hidden 1, hidden 1 → hidden 2, hidden 2 → outputs). */
  layer: number;
  kind: "weight" | "bias";
  /** Pixel (layer 1) or neuron the weight reads; −1 for a bias. */
  from: number;
  to: number;
  value: number;
  grad: number;
  nudge: number;
}

export const SORT_KEYS = ["index", "layer", "from", "to", "value", "grad", "nudge", "size"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
const PAGE = 50;

/** The rows of a gradient: parameters come as [W1, b1, W2, b2, W3, b3], W[to, from] row-major. */
export function nudgeRows(report: GradientReport, lr: number): NudgeRow[] {
  const rows: NudgeRow[] = [];
  let k = 0;
  report.shapes.forEach((shape, p) => {
    const layer = Math.floor(p / 2) + 1;
    const cols = shape.length > 1 ? shape[1]! : 1;
    const n = shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++, k++) {
      const grad = report.grad[k]!;
      rows.push({
        index: k, layer, kind: shape.length > 1 ? "weight" : "bias",
        from: shape.length > 1 ? i % cols : -1, to: shape.length > 1 ? Math.floor(i / cols) : i,
        value: report.weights[k]!, grad, nudge: -lr * grad,
      });
    }
  });
  return rows;
}

/** A number in a table cell: 4 significant digits, powers of ten for the very small and very large. */
export function short(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return formatNumber(v);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return formatNumber(v, { maximumSignificantDigits: 4 });
  const [m, e] = v.toExponential(2).split("e");
  const mant = lang() === "fr" ? m!.replace(".", ",") : m!;
  return `${mant.replace("-", "−")}×10${superscript(Number(e))}`;
}
const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
const superscript = (n: number) => (n < 0 ? "⁻" : "") + String(Math.abs(n)).split("").map((d) => SUP[Number(d)]).join("");

function longSpan(text: string): HTMLSpanElement {
  const span = document.createElement("span");
  span.className = "descent-long";
  span.textContent = text;
  return span;
}
function fromLabel(r: NudgeRow): string {
  if (r.kind === "bias") return t("none");
  return r.layer === 1 ? t("pixel", { r: Math.floor(r.from / 28), c: r.from % 28 }) : t("neuron", { j: r.from });
}
const toLabel = (r: NudgeRow) => (r.layer === 3 ? t("output", { j: r.to }) : t("neuron", { j: r.to }));
/** What the search box matches: the row's words in the page's language, plus "r,c" for a pixel. */
function searchText(r: NudgeRow): string {
  const kind = t(r.kind === "weight" ? "weight" : "bias");
  const pix = r.layer === 1 && r.kind === "weight" ? ` ${Math.floor(r.from / 28)},${r.from % 28}` : "";
  return `${t("searchWords", { l: String(r.layer), kind })} ${fromLabel(r)}${pix} ${toLabel(r)} → #${r.index}`.toLowerCase();
}

/** The CSV of a gradient, every parameter in order (full float64 precision). */
export function nudgeCsv(rows: readonly NudgeRow[]): string {
  const lines = ["index,layer,kind,from,to,pixel_row,pixel_col,value,gradient,nudge"];
  for (const r of [...rows].sort((a, b) => a.index - b.index)) {
    const pixel = r.layer === 1 && r.kind === "weight";
    lines.push([r.index, r.layer, r.kind, r.kind === "bias" ? "" : r.from, r.to, pixel ? Math.floor(r.from / 28) : "", pixel ? r.from % 28 : "", r.value, r.grad, r.nudge].join(","));
  }
  return `${lines.join("\n")}\n`;
}

const value = (r: NudgeRow, key: SortKey): number => (key === "size" ? Math.abs(r.nudge) : key === "from" ? r.from : r[key]);

export class NudgeTable {
  private rows: NudgeRow[] = [];
  private shown: NudgeRow[] = [];
  private report: GradientReport | null = null;
  private page = 0;
  private query = "";
  private textLang = "";
  private texts: string[] = [];
  private readonly table = document.createElement("table");
  private readonly body = document.createElement("tbody");
  private readonly head = document.createElement("tr");
  private readonly pager = document.createElement("div");
  private readonly pageText = document.createElement("span");
  private readonly prev = document.createElement("button");
  private readonly next = document.createElement("button");
  private readonly empty = document.createElement("p");

  constructor(
    readonly root: HTMLElement,
    private readonly probe: Record<string, unknown>,
    public sort: { key: SortKey; desc: boolean },
    private readonly onSort: (s: { key: SortKey; desc: boolean }) => void,
  ) {
    const wrap = document.createElement("div");
    wrap.className = "descent-table-wrap";
    const thead = document.createElement("thead");
    thead.append(this.head);
    this.table.append(thead, this.body);
    this.table.className = "descent-nudges";
    wrap.append(this.table);
    this.empty.className = "hint";
    this.empty.hidden = true;
    this.pager.className = "descent-pager";
    this.prev.type = this.next.type = "button";
    this.prev.addEventListener("click", () => this.go(this.page - 1));
    this.next.addEventListener("click", () => this.go(this.page + 1));
    this.pageText.setAttribute("aria-live", "polite");
    this.pager.append(this.prev, this.pageText, this.next);
    root.append(wrap, this.empty, this.pager);
    this.relabel();
  }

  set(report: GradientReport, lr: number): void {
    this.report = report;
    this.rows = nudgeRows(report, lr);
    this.texts = [];
    this.probe["nudges"] = {
      step: report.step, source: report.source, lr, total: this.rows.length,
      grad: Array.from(report.grad), weights: Array.from(report.weights), gradNorm: Math.sqrt(report.grad.reduce((s, g) => s + g * g, 0)),
    };
    this.apply(false);
  }

  search(q: string): void {
    this.query = q.trim().toLowerCase();
    this.apply(true);
  }

  csv(): string {
    return nudgeCsv(this.rows);
  }

  get current(): GradientReport | null {
    return this.report;
  }

  relabel(): void {
    this.head.innerHTML = "";
    const cols: [SortKey, string][] = [["index", t("colIndex")], ["layer", t("colLayer")], ["from", t("colFrom")], ["to", t("colTo")], ["value", t("colValue")], ["grad", t("colGrad")], ["nudge", t("colNudge")], ["size", t("colSize")]];
    for (const [key, label] of cols) {
      const th = document.createElement("th");
      th.scope = "col";
      th.dataset["key"] = key;
      if (key === "index") th.className = "descent-idx";
      if (key === "value") th.className = "descent-val";
      if (this.sort.key === key) th.setAttribute("aria-sort", this.sort.desc ? "descending" : "ascending");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = `${label}${this.sort.key === key ? (this.sort.desc ? " ▼" : " ▲") : ""}`;
      b.setAttribute("aria-label", t("sortBy", { col: label }));
      b.addEventListener("click", () => {
        this.sort = this.sort.key === key ? { key, desc: !this.sort.desc } : { key, desc: key === "size" };
        this.onSort(this.sort);
        this.relabel();
        this.apply(true);
      });
      th.append(b);
      this.head.append(th);
    }
    this.table.setAttribute("aria-label", t("tableLabel"));
    this.prev.textContent = t("prev");
    this.next.textContent = t("next");
    this.empty.textContent = t("nothing");
    this.render();
  }

  private apply(resetPage: boolean): void {
    if (this.query && this.textLang !== lang()) this.texts = [];
    if (this.query && this.texts.length !== this.rows.length) {
      this.texts = this.rows.map(searchText);
      this.textLang = lang();
    }
    const tokens = this.query.split(/\s+/).filter(Boolean);
    const matching = tokens.length ? this.rows.filter((_, i) => tokens.every((tok) => this.texts[i]!.includes(tok))) : [...this.rows];
    const { key, desc } = this.sort;
    const sign = desc ? -1 : 1;
    matching.sort((a, b) => sign * (value(a, key) - value(b, key)) || a.index - b.index);
    this.shown = matching;
    if (resetPage) this.page = 0;
    this.page = Math.min(this.page, Math.max(0, Math.ceil(matching.length / PAGE) - 1));
    Object.assign(this.probe, {
      nudgeRows: this.rows.length, nudgeMatches: matching.length, nudgeSort: { ...this.sort }, nudgeQuery: this.query,
      nudgeOrder: matching.slice(0, PAGE).map((r) => r.index),
    });
    this.render();
  }

  private go(page: number): void {
    this.page = Math.max(0, Math.min(page, Math.ceil(this.shown.length / PAGE) - 1));
    this.render();
  }

  private render(): void {
    const start = this.page * PAGE;
    const slice = this.shown.slice(start, start + PAGE);
    const max = this.rows.reduce((m, r) => Math.max(m, Math.abs(r.nudge)), 0) || 1;
    this.body.innerHTML = "";
    for (const r of slice) {
      const tr = document.createElement("tr");
      tr.dataset["index"] = String(r.index);
      // Phones drop the words in .descent-long (the layer's description, "weight") and the # column.
      const layer = t(r.layer === 1 ? "layer1" : r.layer === 2 ? "layer2" : "layer3");
      const cells: [string, string][] = [
        [String(r.index), ""], [String(r.layer), layer.slice(String(r.layer).length)],
        [r.kind === "bias" ? t("bias") : fromLabel(r), r.kind === "bias" ? "" : `${t("weight")} `],
        [toLabel(r), ""], [short(r.value), ""], [short(r.grad), ""], [short(r.nudge), ""],
      ];
      cells.forEach(([text, extra], i) => {
        const td = document.createElement("td");
        if (i === 2 && extra) td.append(longSpan(extra), text);
        else if (i === 1) td.append(text, longSpan(extra));
        else td.textContent = text;
        td.className = i === 0 ? "descent-idx" : i === 4 ? "num descent-val" : i > 4 ? "num" : "";
        tr.append(td);
      });
      const td = document.createElement("td");
      const bar = document.createElement("span");
      bar.className = `descent-bar ${r.nudge < 0 ? "neg" : "pos"}`;
      bar.style.width = `${Math.max(1, (100 * Math.abs(r.nudge)) / max)}%`;
      td.append(bar);
      tr.append(td);
      this.body.append(tr);
    }
    this.empty.hidden = this.shown.length > 0 || this.rows.length === 0;
    const n = this.shown.length;
    this.pageText.textContent = n ? t("page", { from: start + 1, to: Math.min(n, start + PAGE), n }) : "";
    this.prev.disabled = this.page === 0;
    this.next.disabled = start + PAGE >= n;
  }
}
