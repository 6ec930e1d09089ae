/**
 * Named experiments from the books. Each is a partial config over DEFAULT_CONFIG; running one from
 * the CLI (`descent train --preset NAME`) should reach the number its source reports.
 */
import { DEFAULT_CONFIG, type TrainConfig } from "./config.js";

export interface Preset {
  /** What the experiment is and where it comes from. */
  description: string;
  /** The result the source reports (checked by `npm run bench:books`). */
  expect: string;
  config: Partial<TrainConfig>;
}

export const PRESETS: Record<string, Preset> = {
  quick: {
    description: "npm start's default: 784-256-10 ReLU net, softmax + log-likelihood, Adam, He init, 6 epochs",
    expect: "~98 % test accuracy in about ten seconds (the issue asked ≥ 97 % within a minute)",
    config: {
      layers: [784, 256, 10], activation: "relu", output: "softmax", cost: "log-likelihood",
      init: "he-normal", optimizer: "adam", lr: 1e-3, batchSize: 32, epochs: 6,
    },
  },
  "nielsen-ch1": {
    description: "Nielsen ch. 1: [784,30,10] sigmoid, quadratic cost, SGD η=3, batch 10, N(0,1) init, 30 epochs",
    expect: "~95 % test accuracy (book: 95.42 % best)",
    config: {
      layers: [784, 30, 10], activation: "sigmoid", output: "sigmoid", cost: "quadratic",
      init: "normal", optimizer: "sgd", lr: 3, batchSize: 10, epochs: 30,
    },
  },
  "nielsen-ch3": {
    description: "Nielsen ch. 3: [784,100,10] sigmoid, cross-entropy, L2 λ=5, η=0.5, batch 10, N(0,1/n_in) init, 30 epochs",
    expect: "~98 % (book: 98.04 % on validation, one run; 10 seeds here average 97.65 % on test)",
    config: {
      layers: [784, 100, 10], activation: "sigmoid", output: "sigmoid", cost: "cross-entropy",
      init: "scaled-normal", optimizer: "sgd", lr: 0.5, batchSize: 10, epochs: 30, l2: 5,
    },
  },
  "backprop-tutorial": {
    description: "The French backprop tutorial: [784,200,10] sigmoid, output delta a−y (cross-entropy), η=3, batch 10, N(0,1) init, trained on all 60,000",
    expect: "92.8 % after one epoch, > 95 % after three",
    config: {
      layers: [784, 200, 10], activation: "sigmoid", output: "sigmoid", cost: "cross-entropy",
      init: "normal", optimizer: "sgd", lr: 3, batchSize: 10, epochs: 3, validation: 0,
    },
  },
  "3b1b": {
    description: "3Blue1Brown's network: 784-16-16-10 sigmoid (13,002 parameters), quadratic cost, SGD η=3, batch 10, 30 epochs",
    expect: "~95 % test accuracy",
    config: {
      layers: [784, 16, 16, 10], activation: "sigmoid", output: "sigmoid", cost: "quadratic",
      init: "scaled-normal", optimizer: "sgd", lr: 3, batchSize: 10, epochs: 30,
    },
  },
};

export function presetConfig(name: string): TrainConfig {
  const p = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!p) throw new Error(`unknown preset "${name}"`);
  return { ...DEFAULT_CONFIG, ...p.config };
}
