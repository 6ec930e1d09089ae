/**
 * `data.fromCsv(text, { target })`: a CSV table as a dataset in one call — parsed (csv.ts), its
 * columns encoded and standardised (table-prep.ts) on the rows given as training rows (default:
 * all of them). Keep `prep` to encode new rows the same way (`applyTablePrep`).
 */
import { parseCsv } from "./csv.js";
import { applyTablePrep, fitTablePrep, type TablePrep, type TablePrepOptions } from "./table-prep.js";
import { TensorDataset } from "./dataset.js";

export interface FromCsvOptions extends Omit<TablePrepOptions, "targets"> {
  /** The column(s) to predict. */
  target: string | string[];
  /** The file's name, for messages (default "table.csv"). */
  name?: string;
}

export function fromCsv(input: string | Uint8Array, opts: FromCsvOptions): { dataset: TensorDataset; prep: TablePrep; featureNames: string[] } {
  const { target, name, ...rest } = opts;
  const table = parseCsv(input, name ?? "table.csv");
  const prep = fitTablePrep(table, { ...rest, targets: typeof target === "string" ? [target] : target });
  const data = applyTablePrep(table, prep);
  return { dataset: new TensorDataset(data.x, [data.featureNames.length], data.y!, prep.targets.length), prep, featureNames: data.featureNames };
}
