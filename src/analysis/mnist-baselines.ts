/**
 * The MNIST baselines of Nielsen's chapter 1, each computed here: an untrained network (chance,
 * ~10 %), the average-darkness classifier (22.25 %), and softmax regression — one linear layer
 * with a softmax output trained by SGD on the log-likelihood (multinomial logistic regression,
 * ~92 %, the linear classifier the book's networks must beat).
 */
import { buildExperiment, type TrainConfig } from "../train/config.js";
import { DEFAULT_CONFIG } from "../train/defaults.js";
import type { TensorDataset } from "../data/dataset.js";
import { fitDarkness, predictDarkness } from "./darkness.js";

export interface Baseline {
  name: string;
  accuracy: number;
  correct: number;
  total: number;
  seconds: number;
}

/** Softmax regression's settings (zero init: a linear model needs no symmetry breaking). */
export const SOFTMAX_REGRESSION: TrainConfig = {
  ...DEFAULT_CONFIG, layers: [784, 10], output: "softmax", cost: "log-likelihood", init: "zeros", biasInit: "zeros",
  optimizer: "sgd", lr: 0.1, batchSize: 10, epochs: 5,
};

type Data = { train: TensorDataset; validation?: TensorDataset; test: TensorDataset };

const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
};

function scored(name: string, correct: number, total: number, seconds: number): Baseline {
  return { name, accuracy: correct / total, correct, total, seconds };
}

export function untrainedBaseline(config: TrainConfig, data: Data): Baseline {
  const [r, s] = timed(() => {
    const ex = buildExperiment(config, data);
    return ex.trainer.evaluate(ex.data.test!);
  });
  return scored(`untrained ${config.arch ?? `[${config.layers.join(",")}]`} network (seed ${config.seed})`, Math.round(r.accuracy * data.test.length), data.test.length, s);
}

export function darknessBaseline(data: Data): Baseline {
  const [correct, s] = timed(() => {
    const f = data.train.featureSize;
    const m = fitDarkness(data.train.features, data.train.labels, f);
    const p = predictDarkness(m, data.test.features, f);
    return p.reduce((c, y, i) => c + (y === data.test.labels[i] ? 1 : 0), 0);
  });
  return scored(`average darkness (nearest mean of ${data.train.length} training images)`, correct, data.test.length, s);
}

export function softmaxRegressionBaseline(data: Data, config: TrainConfig = SOFTMAX_REGRESSION): Baseline {
  const [r, s] = timed(() => {
    const ex = buildExperiment(config, data);
    const { test: _t, validation: _v, ...fit } = ex.fitOptions;
    ex.trainer.fit(ex.loader, fit);
    return ex.trainer.evaluate(ex.data.test!);
  });
  return scored(`softmax regression (784→10, SGD η = ${config.lr}, batch ${config.batchSize}, ${config.epochs} epochs)`, Math.round(r.accuracy * data.test.length), data.test.length, s);
}
