/**
 * Every built-in layer's definition, registered in one place so the order is fixed whatever is
 * imported first: it is the order `unknown layer type … (known: …)` lists them in and `--arch`
 * tries their tokens in. A new layer: its file, and its definition added here.
 */
import { registerLayer } from "../layer.js";
import { sequentialLayer } from "./sequential.js";
import { linearLayer } from "./linear.js";
import { activationLayers } from "./activations.js";
import { dropoutLayer } from "./dropout.js";
import { flattenLayer } from "./flatten.js";
import { conv2dLayer } from "./conv.js";
import { avgPool2dLayer, maxPool2dLayer } from "./pool.js";
import { batchNorm1dLayer, batchNorm2dLayer } from "./batchnorm.js";
import { residualLayer } from "./residual.js";
import { gruLayer, lstmLayer, rnnLayer } from "./recurrent.js";
import { embeddingLayer } from "./embedding.js";

for (const def of [
  sequentialLayer, linearLayer, ...activationLayers, dropoutLayer, flattenLayer, conv2dLayer,
  maxPool2dLayer, avgPool2dLayer, batchNorm1dLayer, batchNorm2dLayer, residualLayer,
  rnnLayer, lstmLayer, gruLayer, embeddingLayer,
]) registerLayer(def);
