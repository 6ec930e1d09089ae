/**
 * The lean inference path (nn/infer.ts). Oracle: the taped forward in eval mode under noGrad —
 * infer must return the same bytes, for every activation, for the W1, W2 and W3 models with
 * random weights, at 1 and 2 threads, with zero-skipping on and off; and evaluate(), which now
 * uses it, must report exactly the loss and confusion matrix a taped pass gives.
 */
import { afterAll, describe, expect, test } from "vitest";
import "../src/node/index.js";
import { noGrad } from "../src/autograd.js";
import { setKernelOptions, setThreads } from "../src/kernels/index.js";
import { Rng } from "../src/rng.js";
import { Tensor } from "../src/tensor.js";
import { loadMnist } from "../src/node/mnist.js";
import { buildExperiment } from "../src/train/config.js";
import { presetConfig } from "../src/train/presets.js";
import { mlp, ACTIVATIONS, OUTPUTS, infer, Sequential, Linear, Dropout, Flatten, ReLU } from "../src/nn/index.js";
import type { Module } from "../src/nn/module.js";
import { evaluate } from "../src/train/evaluate.js";
import { ConfusionMatrix } from "../src/train/metrics.js";
import { DataLoader } from "../src/data/dataset.js";
import { binaryCrossEntropy } from "../src/nn/losses.js";

afterAll(async () => {
  setKernelOptions({ zeroSkip: true });
  await setThreads(1);
});

const mnist = await loadMnist();
const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function taped(model: Module, x: Tensor): Tensor {
  model.eval();
  try {
    return noGrad(() => model.forward(x));
  } finally {
    model.train();
  }
}

/** MNIST images (81 % zeros: the sparse path), or dense values with −0 and NaN planted. */
function inputs(kind: "mnist" | "dense", rows: number, features: number, rng: Rng): Tensor {
  if (kind === "mnist") return new Tensor(mnist.test.features.slice(0, rows * 784), [rows, 784]);
  const v = new Float32Array(rows * features).map(() => rng.range(-3, 3));
  v[rng.int(v.length)] = -0;
  v[rng.int(v.length)] = NaN;
  return new Tensor(v, [rows, features]);
}

function expectSame(model: Module, x: Tensor, label: string): void {
  const want = bytes(taped(model, x));
  for (const zeroSkip of [false, true]) {
    setKernelOptions({ zeroSkip });
    const got = infer(model, x);
    expect(got.shape).toEqual(taped(model, x).shape);
    expect(bytes(got).equals(want), `${label}, zeroSkip ${zeroSkip}: infer differs from the taped forward`).toBe(true);
  }
  setKernelOptions({ zeroSkip: true });
  expect(model.training, "infer must restore the training mode").toBe(true);
}

describe("infer gives the taped forward's bytes", () => {
  for (const threads of [1, 2]) {
    for (const activation of ACTIVATIONS) {
      test(`[784, 64, 33, 10] ${activation} hidden, every output, ${threads} thread(s)`, async () => {
        await setThreads(threads);
        for (const output of OUTPUTS) {
          for (const kind of ["mnist", "dense"] as const) {
            const rng = new Rng(3);
            const model = mlp([784, 64, 33, 10], { activation, output, init: "normal", rng: rng.fork("m"), dropout: 0.3 });
            for (const rows of [1, 7, 300]) expectSame(model, inputs(kind, rows, 784, rng), `${activation}/${output} ${kind} ${rows} rows`);
          }
        }
      });
    }

    test(`W1, W2 and W3 with random weights, ${threads} thread(s)`, async () => {
      await setThreads(threads);
      for (const preset of ["nielsen-ch1", "nielsen-ch3", "w3"]) {
        const ex = buildExperiment({ ...presetConfig(preset), epochs: 1 }, { train: mnist.train.slice(0, 100) });
        const image = preset === "w3" ? [1, 28, 28] : [784];
        const x = mnist.test.features.slice(0, 200 * 784);
        expectSame(ex.model, new Tensor(x, [200, ...image]), preset);
      }
    });
  }

  test("nested Sequentials, Flatten, Dropout, a Linear without bias, a Linear last", () => {
    const rng = new Rng(9);
    const model = new Sequential(
      new Flatten(),
      new Sequential(new Linear(784, 40, { rng: rng.fork("a") }), new ReLU(), new Dropout(0.5)),
      new Linear(40, 20, { bias: false, rng: rng.fork("b") }), new ReLU(),
      new Linear(20, 10, { rng: rng.fork("c") }),
    );
    expectSame(model, new Tensor(mnist.test.features.slice(0, 50 * 784), [50, 1, 28, 28]), "nested");
  });

  test("a wrong input shape gets the layer's own error", () => {
    const model = mlp([784, 30, 10]);
    expect(() => infer(model, new Tensor(new Float32Array(5 * 783), [5, 783]))).toThrow(/Linear\(784→30\): input has shape \[5, 783\]/);
  });
});

test("evaluate reports what a taped pass over the test set gives (loss, confusion matrix)", () => {
  const ex = buildExperiment({ ...presetConfig("nielsen-ch3"), epochs: 1 }, { train: mnist.train.slice(0, 500) });
  ex.trainer.fit(ex.loader, ex.fitOptions);
  const test = mnist.test.slice(0, 3000);
  const got = evaluate(ex.model, test, { loss: binaryCrossEntropy });
  const cm = new ConfusionMatrix(10);
  let loss = 0;
  for (const b of new DataLoader(test, { batchSize: 1000 })) {
    const out = taped(ex.model, b.x);
    loss += binaryCrossEntropy(out, b.y).item() * out.shape[0]!;
    cm.add(out.data, b.y as Int32Array);
  }
  expect(got.loss).toBe(loss / 3000);
  expect(got.correct).toBe(cm.correct);
  expect(got.confusion).toEqual(cm);
});
