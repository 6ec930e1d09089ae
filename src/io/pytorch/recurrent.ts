/**
 * The PyTorch rows of RNN, LSTM, GRU and Embedding. descent's recurrent layers already have torch's
 * parameter names (weight_ih_l0, bias_hh_l1_reverse …), so each is torch.nn.RNN / LSTM / GRU with
 * the same options, through a thin subclass in model.py (PY_RECURRENT) that returns what descent's
 * layer returns: the output sequence alone (torch's also returns the final state), or with
 * returnSequences = false descent's last step (forward direction at T − 1 beside the reverse one at
 * step 0). A residual layer runs its layers one at a time (ResidualStack: one torch module per
 * layer, so its layer l's weight_ih_l{l} is torch's layers.{l}.weight_ih_l0). A stateful layer is
 * exported stateless: model.py starts every call from zero states (truncated BPTT across calls is
 * for the training loop to carry, with the state torch's modules return).
 */
import type { LayerSpec } from "../../nn/module.js";
import type { PyTorchLayer, PyTorchLayerContext } from "./layers.js";

const size = (s: LayerSpec, key: string, fallback: number) => (typeof s[key] === "number" ? (s[key] as number) : fallback);

/** The torch module's arguments: `numLayers` layers (all of the descent layer's, or one of a ResidualStack) reading `inputSize` features. */
function args(type: string, c: PyTorchLayerContext, inputSize: string, numLayers: number): string {
  const nonlinearity = type === "RNN" ? `, nonlinearity="${c.spec.nonlinearity === "relu" ? "relu" : "tanh"}"` : "";
  // Dropout acts between stacked layers only; torch warns when it is set on one layer.
  const dropout = numLayers > 1 ? `, dropout=${c.py("dropout", 0)}` : "";
  return `${inputSize}, ${c.py("hiddenSize")}, num_layers=${numLayers}${nonlinearity}, bias=${c.py("bias", true)}, ` +
    `batch_first=${c.py("batchFirst", false)}${dropout}, bidirectional=${c.py("bidirectional", false)}`;
}

const recurrent = (type: "RNN" | "LSTM" | "GRU"): PyTorchLayer => ({
  module: (c) => {
    const L = size(c.spec, "numLayers", 1);
    const last = c.spec.returnSequences === false ? ", return_sequences=False" : "";
    if (c.spec.residual !== true) return `${type}(${args(type, c, c.py("inputSize"), L)}${last})`;
    const width = size(c.spec, "hiddenSize", 1) * (c.spec.bidirectional === true ? 2 : 1);
    const layers = Array.from({ length: L }, (_, l) => `    ${type}(${args(type, c, l === 0 ? c.py("inputSize") : String(width), 1)}),`);
    return `ResidualStack([\n${layers.join("\n")}\n], dropout=${c.py("dropout", 0)}${last})`;
  },
  // Layer l of a residual stack is its own torch module, whose weights are those of its layer 0.
  renames: (s) => {
    if (s.residual !== true) return {};
    const out: Record<string, string> = {};
    const kinds = s.bias === false ? ["weight_ih", "weight_hh"] : ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
    for (let l = 0; l < size(s, "numLayers", 1); l++) {
      for (const sfx of s.bidirectional === true ? ["", "_reverse"] : [""]) {
        for (const k of kinds) out[`${k}_l${l}${sfx}`] = `layers.${l}.${k}_l0${sfx}`;
      }
    }
    return out;
  },
  classes: (s) => (s.residual === true ? ["Recurrent", "ResidualStack"] : ["Recurrent"]),
});

export const PYTORCH_RECURRENT_ROWS: [string, PyTorchLayer][] = [
  ["RNN", recurrent("RNN")],
  ["LSTM", recurrent("LSTM")],
  ["GRU", recurrent("GRU")],
  // Token ids arrive as float32 (descent's inputs): Embedding.forward takes .long() of them.
  ["Embedding", { module: (c) => `Embedding(${c.py("numEmbeddings")}, ${c.py("embeddingDim")})`, classes: ["Embedding"] }],
];

/** model.py's helper classes for these rows (merged into PY_CLASSES). */
export const PY_RECURRENT: Record<string, string> = {
  Recurrent: `def last_step(y, bidirectional, batch_first):
    """descent's last step of an output sequence [T, B, D*H] ([B, T, D*H] when batch_first): the
    forward direction after step T-1 beside the reverse direction after step 0 -> [B, D*H]."""
    if batch_first:
        y = y.transpose(0, 1)
    if not bidirectional:
        return y[-1]
    h = y.shape[-1] // 2
    return torch.cat([y[-1, :, :h], y[0, :, h:]], dim=1)


class SequenceOutput:
    """Makes torch's recurrent modules return what descent's layers do: the output sequence alone
    (not the final state), or with return_sequences=False the last step (last_step). States start
    at zero on every call (a stateful descent layer is exported stateless)."""

    def __init__(self, *args, return_sequences=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_sequences = return_sequences

    def forward(self, x):
        y, _ = super().forward(x)
        return y if self.return_sequences else last_step(y, self.bidirectional, self.batch_first)


class RNN(SequenceOutput, nn.RNN):
    """nn.RNN (same parameters and names) returning its output sequence or descent's last step."""


class LSTM(SequenceOutput, nn.LSTM):
    """nn.LSTM (same parameters and names) returning its output sequence or descent's last step."""


class GRU(SequenceOutput, nn.GRU):
    """nn.GRU (same parameters and names) returning its output sequence or descent's last step."""
`,
  ResidualStack: `class ResidualStack(nn.Module):
    """Stacked one-layer recurrent modules; each layer's input is added to its output sequence
    wherever their widths match (descent's residual=True), dropout between layers in training.
    descent's weight_ih_l{l} is layers[l].weight_ih_l0 here."""

    def __init__(self, layers, dropout=0.0, return_sequences=True):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.dropout = nn.Dropout(dropout)
        self.return_sequences = return_sequences

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            if i > 0:
                x = self.dropout(x)
            y = layer(x)
            x = y + x if y.shape[-1] == x.shape[-1] else y
        first = self.layers[0]
        return x if self.return_sequences else last_step(x, first.bidirectional, first.batch_first)
`,
  Embedding: `class Embedding(nn.Embedding):
    """nn.Embedding taking token ids as floats (descent's inputs are float32): ids.long()."""

    def forward(self, ids):
        return super().forward(ids.long())
`,
};
