// The explorer worker's session, run in Node on the real MNIST. Oracles: a second identical run
// (bit-identical), the core's evaluate(), a brute-force sort of every gradient, the model's own forward.
import { describe, expect, it } from "vitest";
import { Session, denseView } from "../web/src/session.js";
import { settingsFromPreset, toTrainConfig } from "../web/src/state.js";
import { loadMnist } from "../src/node/mnist.js";
import { evaluate } from "../src/train/evaluate.js";
import { encodeModel } from "../src/io/model-file.js";
import { Tensor } from "../src/tensor.js";
import { noGrad } from "../src/autograd.js";
import { ModelFileError } from "../src/errors.js";

const mnist = await loadMnist();
const data = { train: mnist.train, validation: mnist.validation, test: mnist.test };
const config3b1b = toTrainConfig(settingsFromPreset("3b1b"));

function freshSession(config = config3b1b): Session {
  const s = new Session(null, "none");
  s.setData(data);
  s.reset(config);
  return s;
}

function weights(s: Session): number[][] {
  return s.model!.parameters().map((p) => Array.from(p.data));
}

describe("explorer session", () => {
  it("the same settings train bit-identically, however the steps are sliced", () => {
    const a = freshSession();
    const b = freshSession();
    const pa = a.train(300);
    const pb = [b.train(100), b.train(150), b.train(50)];
    expect(a.steps).toBe(300);
    expect(b.steps).toBe(300);
    expect(weights(a)).toEqual(weights(b));
    const meanB = pb.reduce((s, p) => s + p.loss * p.examples, 0) / pb.reduce((s, p) => s + p.examples, 0);
    expect(pa.loss).toBeCloseTo(meanB, 10);
  });

  it("the cost falls over a few hundred steps of the 3b1b net", () => {
    const s = freshSession();
    const first = s.train(50).loss;
    s.train(200);
    const later = s.train(50).loss;
    expect(later).toBeLessThan(first * 0.7);
  });

  it("crosses epochs: 5,000 batches of 10 make one epoch of the 50,000 training digits", () => {
    const s = freshSession();
    const p = s.train(5001);
    expect(s.epoch).toBe(1);
    expect(p.epoch).toBeCloseTo(1 + 1 / 5000, 10);
  });

  it("evaluation agrees with the core's evaluate() and lists real mistakes", () => {
    const s = freshSession();
    s.train(500);
    const r = s.evaluate();
    const core = evaluate(s.model!, data.test);
    expect(r.testAccuracy).toBe(core.accuracy);
    expect(r.confusion).toEqual(Array.from(core.confusion.counts));
    expect(r.confusion.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(r.valAccuracy).toBe(evaluate(s.model!, data.validation).accuracy);
    expect(r.mistakes.length).toBe(48);
    for (const m of r.mistakes) {
      expect(m.label).toBe(data.test.labels[m.index]);
      expect(m.predicted).not.toBe(m.label);
    }
  });

  it("nudges are the last step's largest |∂C/∂w|, largest first", () => {
    const s = freshSession();
    expect(s.nudges()).toEqual([]);
    s.train(1);
    const got = s.nudges(20);
    const all: { grad: number; weight: number; layer: number; to: number; from: number }[] = [];
    denseView(s.model!)!.linears.forEach((lin, layer) => {
      const g = lin.weight.grad!.data;
      for (let k = 0; k < g.length; k++) all.push({ layer, to: Math.floor(k / lin.inFeatures), from: k % lin.inFeatures, grad: g[k]!, weight: lin.weight.data[k]! });
      lin.bias!.grad!.data.forEach((v, j) => all.push({ layer, to: j, from: -1, grad: v, weight: lin.bias!.data[j]! }));
    });
    all.sort((x, y) => Math.abs(y.grad) - Math.abs(x.grad));
    expect(got).toEqual(all.slice(0, 20));
    expect(got.every((n) => n.grad !== 0)).toBe(true);
    // One layer at a time, weights only: the first layer's largest (far smaller than the output layer's).
    const first = all.filter((n) => n.layer === 0 && n.from >= 0).slice(0, 4);
    expect(s.nudges(4, 0)).toEqual(first);
    const report = s.nudgeReport(12, 4);
    expect(report.overall).toEqual(all.slice(0, 12));
    expect(report.byLayer.map((l) => l.length)).toEqual([4, 4, 4]);
    expect(report.byLayer[0]).toEqual(first);
    expect(Math.abs(first[0]!.grad)).toBeLessThan(Math.abs(all[0]!.grad));
  });

  it("predict gives the input, each layer's activations and the model's own output", () => {
    const s = freshSession();
    s.train(100);
    const digit = data.test.get(0).x as Float32Array;
    const values = s.predict(digit);
    expect(values.map((v) => v.length)).toEqual([784, 16, 16, 10]);
    const direct = noGrad(() => s.model!.eval().forward(new Tensor(Float32Array.from(digit), [1, 784])).data);
    s.model!.train();
    expect(Array.from(values[3]!)).toEqual(Array.from(direct));
    expect(s.model!.training).toBe(true);
  });

  it("a convolutional preset trains and predicts from 28×28 images", () => {
    const config = { ...toTrainConfig(settingsFromPreset("handbook-cnn")), arch: "conv4x5,relu,maxpool2,fc10,softmax" };
    const s = freshSession(config);
    s.train(3);
    const values = s.predict(data.test.get(0).x as Float32Array);
    expect(values.map((v) => v.length)).toEqual([784, 10]);
    expect(s.firstLayerImages()).toMatchObject({ count: 4, width: 5, height: 5 });
    expect(s.denseWeights()).toBeNull();
    expect(s.nudges()).toEqual([]);
  });

  it("loads a model file (and reports its accuracy) and rejects anything else with the file's name", () => {
    const s = freshSession();
    s.train(100);
    const bytes = encodeModel(s.model!, { training: { testAccuracy: 0.9123 } });
    const loaded = Session.fromModelFile(bytes, "mine.safetensors");
    expect(loaded.origin).toBe("mine.safetensors (test accuracy 91.23 %)");
    expect(loaded.describe()).toBe("784-16-16-10 network, 13,002 parameters");
    expect(weights(loaded)).toEqual(weights(s));
    expect(() => Session.fromModelFile(new Uint8Array([1, 2, 3]), "junk.bin")).toThrow(ModelFileError);
    expect(() => Session.fromModelFile(new Uint8Array([1, 2, 3]), "junk.bin")).toThrow(/junk\.bin/);
  });
});
