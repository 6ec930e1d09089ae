/**
 * The activations a user chooses by name: `--activation <name>` (hidden layers), `--output <name>`
 * (the last layer), their `--arch` token, and the layer spec each one builds (its module comes
 * from that layer's definition in nn/layers/activations.ts). mlp(), buildArch, the settings table
 * and the explorer's form are all derived from this one table.
 * Plain data with no imports, so the settings table and the explorer's page read it without
 * pulling in layers or kernels.
 */
export const ACTIVATION_TABLE = [
  { name: "sigmoid", token: "sigmoid", spec: { type: "Sigmoid" }, hidden: true, output: true },
  { name: "tanh", token: "tanh", spec: { type: "Tanh" }, hidden: true, output: false },
  { name: "relu", token: "relu", spec: { type: "ReLU" }, hidden: true, output: false },
  { name: "leaky-relu", token: "leakyrelu", spec: { type: "LeakyReLU", negativeSlope: 0.01 }, hidden: true, output: false },
  { name: "softmax", token: "softmax", spec: { type: "Softmax", dim: -1 }, hidden: false, output: true },
  { name: "identity", token: "identity", spec: { type: "Identity" }, hidden: true, output: true },
  { name: "gelu", token: "gelu", spec: { type: "GELU" }, hidden: true, output: false },
] as const satisfies readonly ActivationRow[];

export interface ActivationRow {
  /** The value of --activation / --output and of the explorer's form. */
  name: string;
  /** The --arch token. */
  token: string;
  /** The layer it builds, as a model file stores it. */
  spec: { type: string; [option: string]: unknown };
  /** Offered for hidden layers (--activation). */
  hidden: boolean;
  /** Offered for the output layer (--output). */
  output: boolean;
}

type Row = (typeof ACTIVATION_TABLE)[number];
export type ActivationName = Extract<Row, { hidden: true }>["name"];
export type OutputName = Extract<Row, { output: true }>["name"];

/** --activation's choices, in table order. */
export const ACTIVATION_NAMES = ACTIVATION_TABLE.filter((r) => r.hidden).map((r) => r.name) as readonly ActivationName[];
/** --output's choices, in table order. */
export const OUTPUT_NAMES = ACTIVATION_TABLE.filter((r) => r.output).map((r) => r.name) as readonly OutputName[];
