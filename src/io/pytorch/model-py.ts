/**
 * model.py of an exported directory: the network as a readable torch.nn.Module whose state_dict()
 * names are those of model.safetensors, a table model's input standardisation as its first step,
 * and safetensors reading/writing that works without the safetensors package (Debian has none).
 */
import type { TablePrep } from "../../data/table-prep.js";
import { featureNames } from "../../data/table-prep.js";
import { PY_RECURRENT } from "./recurrent.js";

/** Helper classes rows of layers.ts may ask for. */
export const PY_CLASSES: Record<string, string> = {
  Residual: `class Residual(nn.Module):
    """x + body(x): a residual (skip) connection; body keeps the shape."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)
`,
  ...PY_RECURRENT,
};

const STANDARDIZE = `class Standardize(nn.Module):
    """(x - mean) / std per encoded feature, with the training rows' mean and population std.
    With impute, a missing value (NaN) is replaced by the mean first (so it standardises to 0).
    Non-persistent buffers: state_dict() holds only the network's weights, as model.safetensors."""

    def __init__(self, mean, std, impute):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32), persistent=False)
        self.impute = impute

    def forward(self, x):
        if self.impute:
            x = torch.where(torch.isnan(x), self.mean, x)
        return (x - self.mean) / self.std
`;

/** The safetensors layout by hand: 8-byte little-endian header length, JSON header, raw little-endian data. */
const SAFETENSORS_IO = `# ---- safetensors files -----------------------------------------------------------------------
# safetensors.torch is used when installed; otherwise the same layout by hand: 8 bytes of header
# length (little-endian), a JSON header {name: {dtype, shape, data_offsets}}, raw little-endian data.
_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def load_safetensors(path):
    """{name: tensor} from a safetensors file."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        dtype = _DTYPES[t["dtype"]]
        values = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = values.reshape(t["shape"]).clone()
    return out


def save_safetensors(tensors, path, metadata=None):
    """Writes {name: tensor} as a safetensors file, as safetensors.torch.save_file does."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    try:
        from safetensors.torch import save_file
        return save_file(tensors, path, metadata=metadata)
    except ImportError:
        pass
    names = {v: k for k, v in _DTYPES.items()}
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, t in tensors.items():
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)
    os.replace(tmp, path)
`;

export interface ModelPyOptions {
  /** The network's expression (names.ts). */
  code: string;
  classes: Set<string>;
  /** The shape of one example. */
  inputShape: readonly number[];
  /** What the input holds and what the output means, for the docstring. */
  inputDoc: string;
  outputDoc: string;
  /** The first line of the docstring. */
  title: string;
  tablePrep?: TablePrep;
}

/** A float as Python reads it back to the same double. */
const pyFloat = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

export function modelPy(o: ModelPyOptions): string {
  const prep = o.tablePrep;
  const classes = [...o.classes].sort().map((c) => PY_CLASSES[c]!);
  if (prep) classes.push(STANDARDIZE);
  const init = [
    ...(prep ? [`        self.standardize = Standardize(TABLE_MEAN, TABLE_STD, impute=${prep.impute === "mean" ? "True" : "False"})`] : []),
    `        self.layers = ${o.code.replace(/\n/g, "\n        ")}`,
  ];
  const table = prep
    ? `\n# The encoded features, in order (a numeric column as it is; a categorical one one-hot over its training\n# categories), and the training rows' mean and std of each (the input standardisation).\nFEATURES = ${JSON.stringify(featureNames(prep))}\nTABLE_MEAN = [${prep.mean.map(pyFloat).join(", ")}]\nTABLE_STD = [${prep.std.map(pyFloat).join(", ")}]\n`
    : "";
  return `"""${o.title}

The network as a torch.nn.Module. Its state_dict() names are those of model.safetensors:

    from model import build, load_safetensors
    model = build()
    model.load_state_dict(load_safetensors("model.safetensors"))
    model.eval()
    y = model(x)

x: ${o.inputDoc}
y: ${o.outputDoc}
pipeline.json holds the data pipeline (split, scaling, encoding) and the training settings;
train_ddp.py continues the training under torch.distributed.
"""
import json
import os
import struct

import torch
from torch import nn

INPUT_SHAPE = (${o.inputShape.join(", ")}${o.inputShape.length === 1 ? "," : ""})
${table}

${classes.join("\n\n")}${classes.length ? "\n\n" : ""}class Model(nn.Module):
    def __init__(self):
        super().__init__()
${init.join("\n")}

    def forward(self, x):
        return self.layers(${prep ? "self.standardize(x)" : "x"})

    def logits(self, x):
        """The input of the last layer (a Sigmoid or Softmax): what descent's costs read."""
        return self.layers[:-1](${prep ? "self.standardize(x)" : "x"})


def build():
    return Model()


${SAFETENSORS_IO}`;
}
