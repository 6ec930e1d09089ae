/**
 * PyTorch's "optimizer step in backward" (its post-accumulate-grad hook tutorial): hooks for
 * autograd's backward that update each of an optimizer's parameters as soon as its gradient is
 * complete, then drop that gradient, so the optimizer's own step() has nothing left to do for it.
 * Where a layer holds a parameter's whole gradient as one product (a Linear weight: gᵀ·x) and the
 * optimizer can take it (plain SGD), the update happens inside the product's kernel and the
 * gradient is never stored: one pass over the weights less.
 *
 * The arithmetic is update()'s, so weights and optimizer state are bit-identical to
 * backward-then-step(). Only valid when nothing edits the gradients in between (clipping,
 * penalties added to `.grad`). Call optimizer.step() after backward as usual: it counts the step,
 * and the parameters stepped here have no gradient left for it.
 *   opt.zeroGrad(); loss.backward(undefined, hooks); opt.step();   // hooks = stepInBackward(opt), made once
 */
import type { BackwardHooks } from "../autograd.js";
import type { Tensor } from "../tensor.js";
import type { Optimizer } from "./optimizer.js";

/** Hooks for `backward(loss, seed, hooks)` that step `optimizer`'s parameters during the pass. */
export function stepInBackward(optimizer: Optimizer<{ lr: number }>): BackwardHooks {
  const where = new Map<Tensor, { group: number; index: number }>();
  optimizer.groups.forEach((g, group) => g.params.forEach((p, index) => where.set(p, { group, index })));
  return {
    postAccumulateGrad(leaf) {
      const at = where.get(leaf);
      if (!at) return;
      optimizer.stepParameter(at.group, at.index);
      leaf.grad = null;
    },
    takeGradProduct(leaf, product) {
      const at = where.get(leaf);
      return at !== undefined && optimizer.stepParameterFromProduct(at.group, at.index, product);
    },
  };
}
