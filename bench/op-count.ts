/** Counts the recorded ops behind a tensor: the forward graph a training step differentiates. */
import type { Tensor } from "../src/tensor.js";

export function graphOps(root: Tensor): number {
  const seen = new Set<Tensor>();
  const stack = [root];
  let ops = 0;
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.node) {
      ops++;
      stack.push(...t.node.inputs);
    }
  }
  return ops;
}
