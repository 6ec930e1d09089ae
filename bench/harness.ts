/** Timing helpers: warm up, repeat, take the median; results as a table and as JSON. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median seconds per call of fn, repeating until ~minSeconds of samples (at least `minReps`). */
export function timeIt(fn: () => void, opts: { minSeconds?: number; minReps?: number; warmup?: number } = {}): number {
  const warm = opts.warmup ?? 3;
  for (let i = 0; i < warm; i++) fn();
  const samples: number[] = [];
  const until = performance.now() + (opts.minSeconds ?? 0.5) * 1000;
  while (samples.length < (opts.minReps ?? 5) || performance.now() < until) {
    const t = performance.now();
    fn();
    samples.push((performance.now() - t) / 1000);
  }
  return median(samples);
}

export function table(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return "";
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) => (typeof v === "number" ? fmtNum(v) : (v ?? ""));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(cols), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join("\n");
}

function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 10) return v.toFixed(1);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}
