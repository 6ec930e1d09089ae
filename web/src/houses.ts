/**
 * The bundled house prices as the explorer trains them: the same table, split, columns and scaling
 * as `descent train --preset house-prices` (src/cli/table-run.ts) — rows split with the seed's
 * "split" stream into 70/15/15 (354, 76, 76 rows), target `cmedv` in $1000s, `b` and `medv` left
 * out, features standardised on the training rows only — so the same seed trains the same network
 * in the browser as on the command line. Plain core code: test/web-session.test.ts checks it in Node.
 */
import { TensorDataset } from "../../src/data/dataset.js";
import { parseCsv, type Table } from "../../src/data/csv.js";
import { BOSTON_HOUSING, applyTablePrep, fitTablePrep, type TablePrep } from "../../src/data/table-prep.js";
import { splitIndices } from "../../src/data/split.js";
import { Rng } from "../../src/rng.js";
import { leastSquares, meanBaseline, predictConstant, predictLinear } from "../../src/train/baselines.js";
import { regressionMetrics, type RegressionMetrics } from "../../src/train/regression-metrics.js";
import type { TrainConfig } from "../../src/train/defaults.js";
import type { DataSplit } from "./session.js";

/** Where the explore server serves the table (src/node/explore-server.ts), relative to the page. */
export const HOUSE_PRICES_PATH = "data/house-prices.csv";
/** The CLI's default split (DEFAULT_SPLIT in src/cli/table-run.ts). */
export const HOUSE_SPLIT: readonly [number, number, number] = [0.7, 0.15, 0.15];

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
  const split = splitIndices(table.rows.length, config.split ?? HOUSE_SPLIT, new Rng(config.seed).fork("split"));
  const prep = fitTablePrep(table, {
    targets: config.target ?? BOSTON_HOUSING.targets, drop: BOSTON_HOUSING.drop, rows: split.train,
    ...(config.features ? { features: config.features } : {}),
    ...(config.impute === "mean" ? { impute: "mean" as const } : {}),
  });
  const enc = applyTablePrep(table, prep);
  const all = new TensorDataset(enc.x, [enc.featureNames.length], enc.y!, prep.targets.length);
  const train = all.select(split.train);
  const test = all.select(split.test);
  return { train, validation: all.select(split.val), test, prep, seed: config.seed, baselines: baselines(train, test) };
}

/** The training mean and least squares (fitted on the training rows), scored on the test rows. */
export function baselines(train: TensorDataset, test: TensorDataset): Baselines {
  const k = train.targetWidth;
  return {
    mean: regressionMetrics(test.targets, predictConstant(meanBaseline(train.targets, k), test.length), k),
    leastSquares: regressionMetrics(test.targets, predictLinear(leastSquares(train.features, train.targets, train.featureSize, k), test.features), k),
  };
}
