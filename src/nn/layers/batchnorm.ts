import { Module, Parameter, type LayerSpec } from "../module.js";
import { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd.js";
import { mean } from "../../ops/reduce.js";
import { reshape } from "../../ops/movement.js";
import { sqrt } from "../../ops/elementwise.js";
import { ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";

/**
 * Batch normalisation over channels (Ioffe & Szegedy 2015), as torch.nn.BatchNorm1d/2d.
 * x: [N, C] (1d) or [N, C, H, W] (2d) → same shape. Training normalises with the batch mean and
 * biased variance and updates running averages (momentum 0.1; the running variance keeps the
 * unbiased estimate); evaluation uses the running averages. γ (weight) starts at 1, β (bias) at 0.
 * Built from existing ops, so its gradient comes from theirs.
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
    const axes = this.rank === 2 ? [0] : [0, 2, 3];
    const perChannel = this.rank === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1, 1];
    let mu: Tensor;
    let variance: Tensor;
    if (this.training) {
      mu = mean(x, axes, true);
      const centred = x.sub(mu);
      variance = mean(centred.mul(centred), axes, true);
      const count = x.size / this.numFeatures;
      noGrad(() => {
        const m = this.momentum;
        const unbiased = count > 1 ? count / (count - 1) : 1;
        for (let c = 0; c < this.numFeatures; c++) {
          this.runningMean.data[c] = (1 - m) * this.runningMean.data[c]! + m * mu.data[c]!;
          this.runningVar.data[c] = (1 - m) * this.runningVar.data[c]! + m * variance.data[c]! * unbiased;
        }
      });
      const xhat = centred.div(sqrt(variance.add(this.eps)));
      return xhat.mul(reshape(this.weight, perChannel)).add(reshape(this.bias, perChannel));
    }
    mu = reshape(this.runningMean, perChannel);
    variance = reshape(this.runningVar, perChannel);
    return x.sub(mu).div(sqrt(variance.add(this.eps))).mul(reshape(this.weight, perChannel)).add(reshape(this.bias, perChannel));
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
