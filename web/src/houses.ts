/**
 * The bundled house prices as the explorer trains them: the same table, split, columns and scaling
 * as `descent train --preset house-prices` (src/cli/table-run.ts) — rows split with the seed's
 * "split" stream into 70/15/15 (354, 76, 76 rows), target `cmedv` in $1000s, `b` and `medv` left
 * out, features standardised on the training rows only — so the same seed trains the same network
 * in the browser as on the command line. Plain core code: test/web-session.test.ts checks it in Node.
 */
import { parseCsv, type Table } from "../../src/data/csv.js";
import { BOSTON_HOUSING, type TablePrep } from "../../src/data/table-prep.js";
import { DEFAULT_SPLIT, splitTable } from "../../src/data/table-split.js";
import { scoreBaselines } from "../../src/train/baselines.js";
import type { RegressionMetrics } from "../../src/train/regression-metrics.js";
import type { TrainConfig } from "../../src/train/defaults.js";
import type { DataSplit } from "./session.js";

/** Where the explore server serves the table (src/node/explore-server.ts), relative to the page. */
export const HOUSE_PRICES_PATH = "data/house-prices.csv";
/** The CLI's default split (the one recipe both use: src/data/table-split.ts). */
export const HOUSE_SPLIT: readonly [number, number, number] = DEFAULT_SPLIT;

/** What predicting the training mean, and least squares, score on the test rows. */
export interface Baselines {
  mean: RegressionMetrics;
  leastSquares: RegressionMetrics;
}

export interface HouseData extends DataSplit {
  prep: TablePrep;
  /** The seed the rows were split with. */
  seed: number;
  baselines: Baselines;
}

export function parseHousePrices(bytes: Uint8Array): Table {
  return parseCsv(bytes, "house-prices.csv");
}

/** Splits and encodes the table for a run's seed, as the CLI's table run does, with the two baselines on its test rows. */
export function houseData(table: Table, config: Pick<TrainConfig, "seed" | "target" | "features" | "split" | "impute">): HouseData {
  const { train, validation, test, prep } = splitTable(table, { ...config, target: config.target ?? [...BOSTON_HOUSING.targets] }, BOSTON_HOUSING.drop);
  return { train, validation, test, prep, seed: config.seed, baselines: scoreBaselines(train, test) };
}
