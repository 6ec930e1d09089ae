/** The steps of backpropagation the view walks through, in the book's order. */
export type Step =
  | { kind: "forward"; layer: number } // layer l = 1…L: zˡ and aˡ
  | { kind: "cost" }
  | { kind: "bp1" }
  | { kind: "bp2"; layer: number } // l = L−1 … 1
  | { kind: "bp3" }
  | { kind: "bp4" };

/** Forward through each layer, the cost, BP1, BP2 from the last hidden layer back to the first, BP3, BP4. */
export function stepsFor(layers: number): Step[] {
  const s: Step[] = [];
  for (let l = 1; l <= layers; l++) s.push({ kind: "forward", layer: l });
  s.push({ kind: "cost" }, { kind: "bp1" });
  for (let l = layers - 1; l >= 1; l--) s.push({ kind: "bp2", layer: l });
  s.push({ kind: "bp3" }, { kind: "bp4" });
  return s;
}

/** The equation a step uses. */
export function equationOf(step: Step): "fz" | "cost" | "bp1" | "bp2" | "bp3" | "bp4" {
  return step.kind === "forward" ? "fz" : step.kind;
}
