import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { batchNorm } from "../../ops/norm.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { leaf, type LayerDefinition, type SpecReader } from "../layer.js";

/**
 * Batch normalisation over channels (Ioffe & Szegedy 2015), as torch.nn.BatchNorm1d/2d.
 * x: [N, C] (1d) or [N, C, H, W] (2d) → same shape. Training normalises with the batch mean and
 * biased variance and updates running averages (momentum 0.1; the running variance keeps the
 * unbiased estimate); evaluation uses the running averages. γ (weight) starts at 1, β (bias) at 0.
 * One fused op (ops/norm.ts): statistics, normalisation and the closed-form gradient.
 */
abstract class BatchNorm extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;

  constructor(readonly numFeatures: number, readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    this.weight = Parameter.fromTensor(Tensor.ones([numFeatures]));
    this.bias = Parameter.fromTensor(Tensor.zeros([numFeatures]));
    this.runningMean = Tensor.zeros([numFeatures]);
    this.runningVar = Tensor.ones([numFeatures]);
  }

  protected abstract readonly rank: 2 | 4;

  forward(x: Tensor): Tensor {
    if (x.rank !== this.rank || x.shape[1] !== this.numFeatures) {
      const want = this.rank === 2 ? `[N, ${this.numFeatures}]` : `[N, ${this.numFeatures}, H, W]`;
      throw new ShapeError(`${this.constructor.name}(${this.numFeatures}): input has shape ${fmt(x.shape)}, expected ${want}`);
    }
    return batchNorm(x, this.weight, this.bias, {
      training: this.training, runningMean: this.runningMean, runningVar: this.runningVar, momentum: this.momentum, eps: this.eps,
    });
  }

  spec(): LayerSpec {
    return { type: this.constructor.name, numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum };
  }
}

export class BatchNorm1d extends BatchNorm {
  protected readonly rank = 2 as const;
}

export class BatchNorm2d extends BatchNorm {
  protected readonly rank = 4 as const;
}

function fromSpec(r: SpecReader, Kind: typeof BatchNorm1d | typeof BatchNorm2d) {
  const [n, eps, momentum] = [r.int("numFeatures"), r.num("eps", 0, 1, 1e-5), r.num("momentum", 0, 1, 0.1)];
  return leaf(() => new Kind(n, eps, momentum), 4 * n); // weight, bias, running mean and variance
}

export const batchNorm1dLayer: LayerDefinition = {
  type: "BatchNorm1d",
  fromSpec: (r) => fromSpec(r, BatchNorm1d),
  label: () => "batchnorm",
  // One token for both: BatchNorm2d after convolutions (an image shape), BatchNorm1d after fc.
  tokens: [{
    pattern: /^bn$/, syntax: "bn",
    plan: (_m, ctx) => {
      const [n, image] = [ctx.shape[0]!, ctx.shape.length === 3];
      ctx.add(() => (image ? new BatchNorm2d(n) : new BatchNorm1d(n)), 4 * n);
    },
  }],
};

export const batchNorm2dLayer: LayerDefinition = { type: "BatchNorm2d", fromSpec: (r) => fromSpec(r, BatchNorm2d), label: () => "batchnorm" };
