#!/usr/bin/python3
"""
PyTorch oracle fixtures for descent's recurrent layers (test/recurrent.torch.test.ts).

Rerun (from the repository root, with Debian's python3-torch, not a pyenv/venv python):

    /usr/bin/python3 tools/make_recurrent_fixtures.py

It is deterministic (fixed torch seed, single thread) and rewrites test/fixtures/recurrent.json.
Commit the JSON: tests never need Python.

Each case is one torch.nn.RNN / LSTM / GRU in float32 with torch's own init (values written out,
so descent loads the very same weights under the very same names), a random input, and, when the
case says so, an initial state h0 (and c0) that requires a gradient. The scalar loss is
sum(output·R) + sum(h_n·S) (+ sum(c_n·Sc) for the LSTM) with fixed random R, S, Sc, so every
output, final state and gradient takes part. Recorded: output, h_n, c_n, and the gradients of the
input, the initial states and every parameter. The embedding case has repeated ids, so its
weight gradient accumulates rows.
"""
import os

from fixture_io import write  # noqa: E402 (tools/ is on sys.path when the script runs)

# The same OpenBLAS kernel pin as make_fixtures.py: reruns are byte-identical on any x86-64.
os.environ["OPENBLAS_CORETYPE"] = "Sandybridge"

import torch

torch.set_num_threads(1)


def T(t):
    """Tensor → {"shape", "data"} with exact float values."""
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).double().tolist()]}


def randn(*shape):
    return torch.randn(shape, dtype=torch.float64).float()


MODES = {"rnnTanh": ("RNN", {"nonlinearity": "tanh"}), "rnnRelu": ("RNN", {"nonlinearity": "relu"}),
         "lstm": ("LSTM", {}), "gru": ("GRU", {})}


def recurrent_case(mode, steps, batch, inputs, hidden, layers, bidirectional, batch_first, with_state):
    cls, extra = MODES[mode]
    m = getattr(torch.nn, cls)(inputs, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, **extra)
    D = 2 if bidirectional else 1
    x = randn(*((batch, steps, inputs) if batch_first else (steps, batch, inputs))).requires_grad_(True)
    state = None
    h0 = c0 = None
    if with_state:
        h0 = (randn(layers * D, batch, hidden) * 0.5).requires_grad_(True)
        if mode == "lstm":
            c0 = (randn(layers * D, batch, hidden) * 0.5).requires_grad_(True)
            state = (h0, c0)
        else:
            state = h0
    out, st = m(x, state)
    h_n, c_n = st if mode == "lstm" else (st, None)
    R, S = randn(*out.shape), randn(*h_n.shape)
    loss = (out * R).sum() + (h_n * S).sum()
    Sc = None
    if c_n is not None:
        Sc = randn(*c_n.shape)
        loss = loss + (c_n * Sc).sum()
    loss.backward()
    case = {
        "mode": mode, "inputSize": inputs, "hiddenSize": hidden, "numLayers": layers,
        "bidirectional": bidirectional, "batchFirst": batch_first,
        "x": T(x), "params": {k: T(v) for k, v in m.named_parameters()},
        "R": T(R), "S": T(S), "output": T(out), "h_n": T(h_n),
        "grads": {"x": T(x.grad), **{k: T(v.grad) for k, v in m.named_parameters()}},
    }
    if with_state:
        case["h0"] = T(h0)
        case["grads"]["h0"] = T(h0.grad)
    if c_n is not None:
        case["Sc"] = T(Sc)
        case["c_n"] = T(c_n)
        if with_state:
            case["c0"] = T(c0)
            case["grads"]["c0"] = T(c0.grad)
    return case


def make_recurrent():
    torch.manual_seed(2024)
    c = {}
    # Every mode × 1 or 2 layers × one or two directions × with or without an initial state;
    # batchFirst alternates so each mode meets both layouts. 6 hidden units: one full group of
    # four SIMD lanes and a tail.
    for mode in MODES:
        for layers in (1, 2):
            for bidirectional in (False, True):
                for with_state in (False, True):
                    batch_first = (layers + bidirectional + with_state) % 2 == 0
                    name = f"{mode}_l{layers}{'_bi' if bidirectional else ''}{'_state' if with_state else ''}{'_bf' if batch_first else ''}"
                    c[name] = recurrent_case(mode, 4, 3, 5, 6, layers, bidirectional, batch_first, with_state)
        # Longer, wider: eight units fill two SIMD groups; seven steps.
        c[f"{mode}_wide"] = recurrent_case(mode, 7, 2, 3, 8, 1, False, False, True)

    # Embedding: ids with repeats (id 2 three times, id 0 twice), so rows accumulate in the gradient.
    emb = torch.nn.Embedding(6, 4)
    ids = torch.tensor([[2, 0, 5], [2, 2, 0]])
    out = emb(ids)
    R = randn(*out.shape)
    (out * R).sum().backward()
    embedding = {"ids": T(ids.float()), "weight": T(emb.weight), "R": T(R), "out": T(out), "grad": T(emb.weight.grad)}
    write("recurrent", {"cases": c, "embedding": embedding})


if __name__ == "__main__":
    make_recurrent()
