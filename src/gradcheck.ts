/**
 * Gradient check: compares the analytic Jacobian (one backward pass per output element) with
 * central finite differences, in float64. Exported so users can check their own functions.
 */
import { Tensor } from "./tensor.js";
import { noGrad } from "./autograd.js";

export interface GradcheckOptions {
  /** Finite-difference step (PyTorch's default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Return false instead of throwing on a mismatch. */
  quiet?: boolean;
}

/**
 * Checks ∂fn/∂input for every input that requires a gradient (all of them if none does).
 * Inputs must be float64. Throws with the worst mismatch (input, element, output, both values).
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  for (const x of inputs) {
    if (x.dtype !== "float64") throw new Error(`gradcheck: inputs must be float64 (use .double()), got ${x.dtype}`);
  }
  const checked = inputs.some((x) => x.requiresGrad) ? inputs.filter((x) => x.requiresGrad) : inputs;
  for (const x of checked) x.requiresGrad = true;

  const y0 = noGrad(() => fn(...inputs));
  const outSize = y0.size;

  // Analytic: row i of the Jacobian is the gradient of output element i.
  const analytic = checked.map((x) => new Float64Array(outSize * x.size));
  for (let i = 0; i < outSize; i++) {
    for (const x of checked) x.grad = null;
    const y = fn(...inputs);
    if (!y.requiresGrad) continue; // output independent of the inputs: zero Jacobian
    const seed = Tensor.zeros(y.shape, { dtype: "float64" });
    seed.data[i] = 1;
    y.backward(seed);
    checked.forEach((x, k) => {
      if (x.grad) analytic[k]!.set(x.grad.data, i * x.size);
    });
  }
  for (const x of checked) x.grad = null;

  // Numeric: perturb each input element both ways.
  let worst = { excess: 0, msg: "" };
  checked.forEach((x, k) => {
    for (let j = 0; j < x.size; j++) {
      const saved = x.data[j]!;
      x.data[j] = saved + eps;
      const plus = noGrad(() => fn(...inputs)).data.slice();
      x.data[j] = saved - eps;
      const minus = noGrad(() => fn(...inputs)).data.slice(); // a copy: a view op (reshape) returns x.data itself
      x.data[j] = saved;
      for (let i = 0; i < outSize; i++) {
        const numeric = (plus[i]! - minus[i]!) / (2 * eps);
        const got = analytic[k]![i * x.size + j]!;
        const excess = Math.abs(got - numeric) - (atol + rtol * Math.abs(numeric));
        if (!(excess <= worst.excess) || Number.isNaN(got) !== Number.isNaN(numeric)) {
          worst = {
            excess: Number.isNaN(excess) ? Infinity : excess,
            msg: `gradcheck: d output[${i}] / d input${k}[${j}]: analytic ${got}, numeric ${numeric} (atol ${atol}, rtol ${rtol})`,
          };
        }
      }
    }
  });
  if (worst.excess > 0) {
    if (opts.quiet) return false;
    throw new Error(worst.msg);
  }
  return true;
}
