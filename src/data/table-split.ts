/**
 * A table split into train/validation/test rows with the seed and encoded for a network: the one
 * recipe the CLI's table run and the explorer's house-price task share, so a link in the browser
 * and `descent train` split and scale the same rows the same way.
 */
import { Rng } from "../rng.js";
import { TensorDataset } from "./dataset.js";
import type { Table } from "./csv.js";
import { splitIndices, type Split } from "./split.js";
import { applyTablePrep, fitTablePrep, type TablePrep } from "./table-prep.js";

/** The default --split: 354/76/76 of the 506 house-price rows. */
export const DEFAULT_SPLIT: [number, number, number] = [0.7, 0.15, 0.15];

export interface TableSettings {
  seed: number;
  target?: string[];
  features?: string[];
  split?: [number, number, number];
  impute?: "none" | "mean";
  task?: "regression" | "classification";
}

/** The seeded split of a table's rows (its own stream, so other streams do not move it). */
export const tableSplit = (rows: number, s: Pick<TableSettings, "seed" | "split">): Split =>
  splitIndices(rows, s.split ?? DEFAULT_SPLIT, new Rng(s.seed).fork("split"));

/** Every row encoded with a record fitted on `trainRows` only: features [n, F], and targets [n, T] (regression) or class labels [n] (classification). */
export function encodeTable(table: Table, s: TableSettings, drop: readonly string[], trainRows: ArrayLike<number>): { prep: TablePrep; all: TensorDataset } {
  const prep = fitTablePrep(table, {
    targets: s.target ?? [], drop: [...drop], rows: trainRows,
    ...(s.features ? { features: s.features } : {}),
    ...(s.impute === "mean" ? { impute: "mean" as const } : {}),
    ...(s.task ? { task: s.task } : {}),
  });
  const data = applyTablePrep(table, prep);
  const all = data.labels ? new TensorDataset(data.x, [data.featureNames.length], data.labels) : new TensorDataset(data.x, [data.featureNames.length], data.y!, prep.targets.length);
  return { prep, all };
}

/** The seeded split, encoded: train, validation and test datasets and the record fitted on the training rows. */
export function splitTable(table: Table, s: TableSettings, drop: readonly string[]): { train: TensorDataset; validation: TensorDataset; test: TensorDataset; prep: TablePrep } {
  const split = tableSplit(table.rows.length, s);
  const { prep, all } = encodeTable(table, s, drop, split.train);
  return { train: all.select(split.train), validation: all.select(split.val), test: all.select(split.test), prep };
}
