/**
 * The backprop view's computations, loaded when the view is first shown (they bring the core's
 * tensors and kernels): the 2-3-2 network from a seed, the explorer's 784-16-16-10 model and the
 * MNIST test digits, backprop by hand (analysis/backprop.ts) and its checks (analysis/backprop-check.ts).
 * Everything runs on the page thread: one hand backprop of the digits network is ~13,000
 * multiply-adds, and "check numerically" a few hundred forward passes (well under a frame or two).
 */
import { mlp } from "../../../../src/nn/mlp.js";
import { Rng } from "../../../../src/rng.js";
import { checkBackprop, denseLayersOf, type BackpropCheck } from "../../../../src/analysis/backprop-check.js";
import { backpropByHand, costGradient, sigmaPrime, targetVector, type DenseLayer, type HandBackprop, type HandCost } from "../../../../src/analysis/backprop.js";
import { decodeModel } from "../../../../src/io/model-file.js";
import { parseIdx } from "../../../../src/data/idx.js";
import { MNIST_FILES } from "../../../../src/data/mnist.js";

export type { DenseLayer, HandBackprop, HandCost, BackpropCheck };

/** The 2-3-2 sigmoid network of the seed: the book's initialisation, weights and biases N(0, 1). */
export function tinyNet(seed: number): DenseLayer[] {
  return denseLayersOf(mlp([2, 3, 2], { activation: "sigmoid", output: "sigmoid", init: "normal", rng: new Rng(seed) }), "2-3-2");
}

/** Everything the view shows for one example: the hand backprop and the intermediate products of BP1 and BP2. */
export interface Worked extends HandBackprop {
  y: Float64Array;
  /** ∇ₐC (BP1's first factor), or null where δᴸ is computed in one piece (cross-entropy on sigmoid/softmax). */
  gradA: Float64Array | null;
  /** σ'(zˡ) per layer (null for a softmax layer: not elementwise). */
  sigmaPrime: (Float64Array | null)[];
  /** (wˡ⁺¹)ᵀ δˡ⁺¹ per layer (null for the output layer): BP2's first factor. */
  backSum: (Float64Array | null)[];
  prediction: number;
}

export function work(net: readonly DenseLayer[], x: ArrayLike<number>, target: number | ArrayLike<number>, cost: HandCost): Worked {
  const hand = backpropByHand(net, x, target, cost);
  const L = net.length - 1;
  const out = hand.a[L + 1]!;
  const y = targetVector(target, out.length);
  const simplified = hand.outputError === "δᴸ = aᴸ − y" || hand.outputError === "δᴸ = softmax(zᴸ) − y";
  const sp = net.map((layer, l) => (layer.activation === "softmax" ? null : hand.z[l]!.map((z) => sigmaPrime(layer.activation, z, layer.negativeSlope))));
  const backSum = net.map((layer, l) => {
    if (l === L) return null;
    const next = net[l + 1]!;
    const s = new Float64Array(layer.outFeatures);
    for (let k = 0; k < layer.outFeatures; k++) {
      for (let j = 0; j < next.outFeatures; j++) s[k]! += next.w[j * next.inFeatures + k]! * hand.delta[l + 1]![j]!;
    }
    return s;
  });
  let prediction = 0;
  for (let j = 1; j < out.length; j++) if (out[j]! > out[prediction]!) prediction = j;
  return { ...hand, y, gradA: simplified ? null : costGradient(cost, out, y), sigmaPrime: sp, backSum, prediction };
}

/** "Check numerically": every parameter of a small network (≤ 50 per layer), else 50 sampled weights per layer, as `descent explain backprop` does. */
export function check(net: DenseLayer[], x: ArrayLike<number>, target: number | ArrayLike<number>, cost: HandCost, hand: HandBackprop): BackpropCheck {
  return checkBackprop(net, x, target, cost, hand, { fdEntries: 50, rng: new Rng(0).fork("explain-backprop") });
}

export interface Digits {
  net: DenseLayer[];
  /** The model file's name as the page says it. */
  file: string;
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

async function fetchBytes(base: string, path: string): Promise<Uint8Array | null> {
  const res = await fetch(new URL(path, base)).catch(() => null);
  return res?.ok ? new Uint8Array(await res.arrayBuffer()) : null;
}

/** The explorer's shipped 784-16-16-10 model and the MNIST test set, served by the explore server. */
export async function loadDigits(base: string): Promise<Digits> {
  const file = "default-model.safetensors";
  const bytes = await fetchBytes(base, file);
  if (!bytes) throw new Error(file);
  const net = denseLayersOf(decodeModel(bytes, file).model, file);
  const [img, lab] = await Promise.all([fetchBytes(base, `data/${MNIST_FILES.testImages}`), fetchBytes(base, `data/${MNIST_FILES.testLabels}`)]);
  if (!img || !lab) throw new Error(`data/${MNIST_FILES.testImages}`);
  const images = parseIdx(img, MNIST_FILES.testImages);
  const labels = parseIdx(lab, MNIST_FILES.testLabels);
  return { net, file, images: images.data as Uint8Array, labels: labels.data as Uint8Array, count: images.shape[0]! };
}

/** Test image i as the network reads it: pixels / 255 in float32, as data/mnist.ts scales them. */
export function testImage(d: Digits, i: number): Float32Array {
  const out = new Float32Array(784);
  for (let p = 0; p < 784; p++) out[p] = d.images[i * 784 + p]! / 255;
  return out;
}
