/**
 * train_ddp.py of an exported directory (see export.ts): the same for every model — it reads
 * model.py, model.safetensors, pipeline.json and, from a checkpoint, optimizer.safetensors.
 * descent's shuffle is reproduced exactly (DescentRng below is src/rng.ts in Python; the fixture
 * test/fixtures/pytorch.json holds its permutations, checked against src/rng.ts by
 * test/pytorch-export.test.ts), so a one-process continuation sees the examples in descent's order.
 */
export const TRAIN_DDP_PY = String.raw`"""Continues a descent training run on PyTorch, under torch.distributed (DistributedDataParallel).

    torchrun --nproc_per_node 2 train_ddp.py --epochs 2 --out continued.safetensors
    descent import continued.safetensors --from . --out continued-descent.safetensors

gloo on CPUs, nccl on GPUs; several machines: torchrun's usual --nnodes, --node_rank, --rdzv_endpoint.
Run without torchrun, it trains in one process. torch < 2.0 on Python 3.11 (Debian 12's 1.13): torchrun
fails in to_map ('NoneType' object has no attribute 'get') unless given --redirects 0:2 --tee 0:2.

What stays the same as in descent: the model (model.py, model.safetensors), the optimizer and its
settings (pipeline.json; exported from a checkpoint, also the optimizer's moments, optimizer.safetensors),
the cost, L1/L2 penalties, clipping and learning-rate schedule, the data split (MNIST: the first
60000 - validation training images; validation: the rest; test: t10k), the pixel scaling (byte / 255)
and the order of examples: descent's shuffle (xoshiro128** seeded through splitmix32) is reproduced
here and continues from the stream's saved state. Each mini-batch of descent's batch size is split
across the processes and their gradients averaged, so N processes take the same steps as one, up to
float32 rounding. Not the same: dropout masks (PyTorch's generator), and BatchNorm's batch statistics
under several processes (each process normalises its part of the batch).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import build, load_safetensors, save_safetensors  # noqa: E402

M32 = 0xFFFFFFFF


# ---- descent's random generator (src/rng.ts) --------------------------------------------------
def _splitmix32(x):
    x = (x + 0x9E3779B9) & M32
    z = ((x ^ (x >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return z ^ (z >> 16)


def _fnv1a(s):
    """FNV-1a over the string's UTF-16 code units, as JavaScript's charCodeAt sees them."""
    h = 0x811C9DC5
    units = s.encode("utf-16-le")
    for i in range(0, len(units), 2):
        h = ((h ^ (units[i] | units[i + 1] << 8)) * 0x01000193) & M32
    return h


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class DescentRng:
    """xoshiro128** seeded through splitmix32 from seed ^ FNV-1a(stream path), as descent's Rng."""

    def __init__(self, seed, path="", state=None):
        if state is None:
            x = (seed ^ _fnv1a(path)) & M32
            state = []
            for i in range(4):
                x = _splitmix32((x + i * 0x632BE5AB) & M32)
                state.append(x)
            if not any(state):
                state[0] = 1
        self.s = list(state)

    def next_u32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def int(self, n):
        limit = 2**32 - (2**32 % n)
        while True:
            x = self.next_u32()
            if x < limit:
                return x % n

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.int(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


# ---- MNIST ------------------------------------------------------------------------------------
def read_idx(directory, names):
    for name in names:
        for path in (os.path.join(directory, name), os.path.join(directory, name + ".gz")):
            if os.path.exists(path):
                with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                    data = f.read()
                rank = data[3]
                dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
                return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)
    sys.exit(f"train_ddp.py: none of {', '.join(names)} found in {directory} - pass --data DIR (the folder of the MNIST IDX files)")


def load_mnist(directory, data):
    images = read_idx(directory, ["train-images-idx3-ubyte", "train-images.idx3-ubyte"])
    labels = read_idx(directory, ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"])
    test_images = read_idx(directory, ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"])
    test_labels = read_idx(directory, ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"])
    n = len(images) - data["validation"]
    train = slice(0, n if data["trainSize"] == 0 else min(data["trainSize"], n))

    def scale(u8):  # byte / 255 in float64, then float32, as descent
        return torch.from_numpy((u8.reshape(len(u8), -1).astype(np.float64) / 255).astype(np.float32))

    def labels_of(u8):
        return torch.from_numpy(u8.astype(np.int64))

    return {
        "train": (scale(images[train]), labels_of(labels[train])),
        "validation": (scale(images[n:]), labels_of(labels[n:])),
        "test": (scale(test_images), labels_of(test_labels)),
    }


# ---- what descent minimises (src/train/objective.ts), summed over examples --------------------
def summed_loss(config, out, y, classes):
    cost, output = config["cost"], config["output"]
    if cost == "log-likelihood" or (cost == "cross-entropy" and output != "sigmoid"):
        return F.cross_entropy(out, y, reduction="sum")
    target = F.one_hot(y, classes).to(out.dtype)
    if cost == "cross-entropy":
        return F.binary_cross_entropy_with_logits(out, target, reduction="sum")
    if cost == "quadratic":
        return 0.5 * ((out - target) ** 2).sum()
    return ((out - target) ** 2).sum() / out.shape[1]  # mse: the mean over outputs, per example


def reads_logits(config):
    """The costs that descent computes from the last layer's input (a sigmoid's or softmax's logits)."""
    return (config["cost"] == "cross-entropy" and config["output"] in ("sigmoid", "softmax")) or config["cost"] == "log-likelihood"


class Scored(nn.Module):
    """What the cost reads: the model's output, or the input of its last layer. DDP wraps this, so
    gradients are averaged whichever it is."""

    def __init__(self, model, logits):
        super().__init__()
        self.model = model
        self.use_logits = logits

    def forward(self, x):
        return self.model.logits(x) if self.use_logits else self.model(x)


def schedule_lr(config, epoch, fraction=0.0):
    """descent's schedules (src/optim/schedule.ts); epoch counts from 0."""
    lr, kind = config["lr"], config["schedule"]
    if kind == "constant":
        return lr
    if kind == "step":
        return lr * config.get("lrGamma", 0.1) ** (epoch // config.get("lrStep", 10))
    if kind == "exponential":
        return lr * config.get("lrGamma", 0.95) ** epoch
    if kind in ("cosine", "cosine-step"):
        t_max = config.get("lrStep", config["epochs"])
        e = epoch + (fraction if kind == "cosine-step" else 0.0)
        return lr * (1 + math.cos(math.pi * min(e, t_max) / t_max)) / 2
    sys.exit(f"train_ddp.py: the {kind} schedule is not reproduced here (it watches descent's validation history) - continue that run in descent")


def make_optimizer(model, spec):
    params = dict(model.named_parameters())
    groups = [dict({k: v for k, v in g.items() if k != "params"}, params=[params[name] for name in g["params"]]) for g in spec["param_groups"]]
    for g in groups:
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
    cls = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW, "RMSprop": torch.optim.RMSprop}[spec["class"]]
    return cls(groups)


def load_optimizer_state(optimizer, spec, path):
    """The checkpoint's moments, in torch.optim's layout: state[index] = {step, exp_avg, …}."""
    tensors = load_safetensors(path)
    state = {}
    for index, step in spec["step"].items():
        entry = {k.split(".", 2)[2]: v for k, v in tensors.items() if k.split(".", 2)[1] == index}
        if spec["class"] in ("Adam", "AdamW"):
            entry["step"] = torch.tensor(float(step))
        elif spec["class"] == "RMSprop":
            entry["step"] = int(step)
        if step > 0:
            state[int(index)] = entry
    sd = optimizer.state_dict()
    optimizer.load_state_dict({"state": state, "param_groups": sd["param_groups"]})


def carries_state(spec):
    """Whether a layer of the architecture (pipeline.json's, descent's layer specs) is stateful."""
    if isinstance(spec, dict):
        return spec.get("stateful") is True or any(carries_state(v) for v in spec.values())
    if isinstance(spec, list):
        return any(carries_state(v) for v in spec)
    return False


@torch.no_grad()
def accuracy(model, x, y, shape):
    model.eval()
    correct = 0
    for i in range(0, len(x), 1000):
        correct += (model(x[i:i + 1000].reshape(-1, *shape)).argmax(1) == y[i:i + 1000]).sum().item()
    model.train()
    return correct / max(len(x), 1)


def main():
    parser = argparse.ArgumentParser(description="Continue a descent run under torch.distributed (run it with torchrun).")
    parser.add_argument("--epochs", type=int, default=1, help="epochs to train (default 1)")
    parser.add_argument("--out", default="continued.safetensors", help="where rank 0 saves the weights (safetensors, PyTorch's names)")
    parser.add_argument("--data", help="folder of the MNIST IDX files (default: the folder descent read them from, in pipeline.json)")
    parser.add_argument("--dir", default=HERE, help="the exported directory (default: this script's)")
    args = parser.parse_args()

    with open(os.path.join(args.dir, "pipeline.json")) as f:
        pipeline = json.load(f)
    config, data = pipeline["config"], pipeline["data"]
    if data["kind"] != "mnist":
        what = "a table" if data["kind"] == "table" else f"{data['kind']} data"
        sys.exit(f"train_ddp.py continues MNIST runs; this model was trained on {what} - model.py and model.safetensors hold it for your own loop")
    if carries_state(pipeline["architecture"]):
        sys.exit("train_ddp.py: this model has a stateful recurrent layer (its state carried from batch to batch, truncated backprop through time), "
                 "which is not reproduced here - model.py's layers start from zero states; continue that run in descent")
    if config.get("expand") or any((config.get("augment") or {}).values()):
        sys.exit("train_ddp.py: expanded or augmented training data is not reproduced here - continue that run in descent")

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(config["seed"] + rank)  # dropout masks: PyTorch's own stream per process

    model = build()
    model.load_state_dict(load_safetensors(os.path.join(args.dir, "model.safetensors")))
    model.to(device).train()
    optimizer = make_optimizer(model, pipeline["optimizer"])
    if pipeline["optimizer"].get("step"):
        load_optimizer_state(optimizer, pipeline["optimizer"], os.path.join(args.dir, "optimizer.safetensors"))
    scored = Scored(model, reads_logits(config))
    ddp = DistributedDataParallel(scored) if distributed else scored

    sets = load_mnist(args.data or data["dir"], data)
    x_train, y_train = sets["train"]
    n = len(x_train)
    if n != data["trainExamples"]:
        sys.exit(f"train_ddp.py: {n} training examples, but descent trained on {data['trainExamples']} - pass the same MNIST files (--data)")
    shape = tuple(pipeline["input"]["shape"])
    classes = len(pipeline["classes"])
    batch = n if config["optimizer"] == "gd" else min(config["batchSize"], n)
    decay = config["l2"] / n if pipeline["optimizer"]["class"] == "AdamW" else 0.0  # other optimizers hold it as weight_decay
    l1 = config["l1"] / n
    weights = pipeline["optimizer"]["param_groups"][0]["params"]
    penalised = [p for name, p in model.named_parameters() if name in weights]
    shuffle = DescentRng(data["shuffle"]["seed"], data["shuffle"]["path"], data["shuffle"]["s"])
    first = pipeline["epochsDone"] + 1

    for epoch in range(first, first + args.epochs):
        t0 = time.time()
        order = torch.tensor(shuffle.permutation(n))
        batches = (n + batch - 1) // batch
        total = torch.zeros((), dtype=torch.float64)
        for b in range(batches):
            for g in optimizer.param_groups:
                g["lr"] = schedule_lr(config, epoch - 1, b / batches)
            idx = order[b * batch:(b + 1) * batch]
            mine = torch.tensor_split(idx, world)[rank]  # this process's part of the mini-batch
            x = x_train[mine].reshape(-1, *shape).to(device)
            y = y_train[mine].to(device)
            loss = summed_loss(config, ddp(x), y, classes)
            optimizer.zero_grad(set_to_none=True)
            # DDP averages gradients over the processes: scaled so the average is descent's batch mean.
            (loss * (world / len(idx))).backward()
            total += loss.detach().double().cpu()
            with torch.no_grad():
                for p in penalised:
                    if l1:
                        p.grad.add_(torch.sign(p), alpha=l1)
                    if decay:
                        p.grad.add_(p, alpha=decay)
            if config.get("clipValue") is not None:
                torch.nn.utils.clip_grad_value_(model.parameters(), config["clipValue"])
            if config.get("clipNorm") is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config["clipNorm"])
            optimizer.step()
        if distributed:
            dist.all_reduce(total)
        if rank == 0:
            val = accuracy(model, *sets["validation"], shape) if len(sets["validation"][0]) else float("nan")
            test = accuracy(model, *sets["test"], shape)
            print(json.dumps({"epoch": epoch, "processes": world, "trainLoss": total.item() / n, "valAccuracy": val,
                              "testAccuracy": test, "seconds": round(time.time() - t0, 3)}), flush=True)

    if rank == 0:
        # descent import reads "descent.epochs" into the model file's record.
        save_safetensors(model.state_dict(), args.out, metadata={"format": "pt", "descent.epochs": str(first + args.epochs - 1)})
        print(f"saved {args.out} - read it back with: descent import {args.out} --from {os.path.relpath(args.dir)} --out continued-descent.safetensors", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
