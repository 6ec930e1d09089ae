#!/usr/bin/python3
"""
PyTorch oracle fixtures for descent's tests (test/*.torch.test.ts).

Rerun (from the repository root, with Debian's python3-torch, not a pyenv/venv python):

    /usr/bin/python3 tools/make_fixtures.py

It is deterministic (fixed torch seed per file, single thread) and rewrites
test/fixtures/{ops,losses,layers,optim,clip,schedules,conv,gelu}.json — or only the files named on
the command line (`tools/make_fixtures.py gelu`). Commit the JSON: tests never need Python.

Format: a tensor is {"shape": [...], "data": [...]} (flat, row-major; every float32 value is
written as the exact float64 it equals, repr precision, so descent reads back bit-identical
inputs). Cases are float32 unless noted; optimizer trajectories are float64 because
float32 rounding would hide differences at the 1e-8 level (where ε sits inside or outside a √).
Names of options follow descent (camelCase), translated to torch's here.
"""
import json
import math
import os

from fixture_io import write  # noqa: E402 (tools/ is on sys.path when the script runs)

# OpenBLAS picks its float32 GEMM kernel by CPU (or $OPENBLAS_CORETYPE), and the kernels round
# differently in the last bit. The committed JSON was made with the Sandybridge kernel; pinning it
# (read when torch loads OpenBLAS) makes reruns byte-identical on any x86-64 machine.
os.environ["OPENBLAS_CORETYPE"] = "Sandybridge"

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def T(t):
    """Tensor → {"shape", "data"} with exact float values."""
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).double().tolist()]}




def randn(*shape, scale=1.0, dtype=torch.float32):
    return (torch.randn(shape, dtype=torch.float64) * scale).to(dtype)


def rand(*shape, lo=0.0, hi=1.0, dtype=torch.float32):
    return (torch.rand(shape, dtype=torch.float64) * (hi - lo) + lo).to(dtype)


def op_case(fn, inputs, params=None, grads=True):
    """Runs fn(*inputs) in float32; backprops a random upstream gradient into every input."""
    leaves = {k: v.clone().requires_grad_(grads) for k, v in inputs.items()}
    out = fn(*leaves.values())
    case = {"inputs": {k: T(v) for k, v in leaves.items()}, "params": params or {}, "out": T(out)}
    if grads:
        up = randn(*out.shape)
        out.backward(up)
        case["upstream"] = T(up)
        case["grads"] = {k: T(v.grad) for k, v in leaves.items()}
    return case


# ---------------------------------------------------------------------------------------------
def make_ops():
    torch.manual_seed(1234)
    c = {}

    # Unary ops (descent's UnaryOp). Kinks and bounds appear exactly, to pin PyTorch's conventions
    # (relu'(0) = 0, |x|'(0) = 0, leakyRelu'(0) = slope, clamp passes the gradient at the bounds).
    with_zeros = lambda: torch.cat([randn(10), torch.zeros(2)]).reshape(3, 4)
    c["neg"] = op_case(lambda x: -x, {"x": randn(3, 4)})
    c["exp"] = op_case(torch.exp, {"x": randn(3, 4, scale=2)})
    c["log"] = op_case(torch.log, {"x": rand(3, 4, lo=0.05, hi=5)})
    c["log1p"] = op_case(torch.log1p, {"x": rand(3, 4, lo=-0.9, hi=3)})
    c["sqrt"] = op_case(torch.sqrt, {"x": rand(3, 4, lo=0.05, hi=4)})
    c["abs"] = op_case(torch.abs, {"x": with_zeros()})
    c["sign"] = op_case(torch.sign, {"x": with_zeros()})
    c["sigmoid"] = op_case(torch.sigmoid, {"x": randn(3, 4, scale=3)})
    c["sigmoid_extreme"] = op_case(torch.sigmoid, {"x": torch.tensor([-100.0, -50.0, -20.0, 20.0, 50.0, 100.0])})
    c["tanh"] = op_case(torch.tanh, {"x": randn(3, 4, scale=2)})
    c["tanh_extreme"] = op_case(torch.tanh, {"x": torch.tensor([-50.0, -20.0, -9.0, 9.0, 20.0, 50.0])})
    c["relu"] = op_case(torch.relu, {"x": with_zeros()})
    c["leakyRelu"] = op_case(lambda x: F.leaky_relu(x, 0.2), {"x": with_zeros()}, {"slope": 0.2})
    c["leakyRelu_default"] = op_case(F.leaky_relu, {"x": with_zeros()})
    c["softplus"] = op_case(F.softplus, {"x": randn(3, 4, scale=3)})
    c["softplus_extreme"] = op_case(F.softplus, {"x": torch.tensor([-100.0, -50.0, -25.0, 25.0, 50.0, 100.0])})
    # Bounds exactly representable in float32: PyTorch casts the bounds to the tensor's dtype, descent
    # compares float32 data with the double bounds, so x = fround(0.8) counts as above 0.8 there.
    clamp_x = torch.cat([randn(10), torch.tensor([-0.5, 0.75])]).reshape(3, 4)
    c["clamp"] = op_case(lambda x: torch.clamp(x, -0.5, 0.75), {"x": clamp_x}, {"min": -0.5, "max": 0.75})

    # Binary ops with broadcasting: [2,3]∘[3], [4,1]∘[1,5], [2,3]∘[] (0-d), tensor∘number, number∘tensor.
    nonzero = lambda *s: rand(*s, lo=0.5, hi=2.0) * torch.where(torch.rand(s) < 0.5, -1.0, 1.0)
    pos = lambda *s: rand(*s, lo=0.3, hi=2.5)
    binops = {
        "add": (lambda a, b: a + b, randn, randn),
        "sub": (lambda a, b: a - b, randn, randn),
        "mul": (lambda a, b: a * b, randn, randn),
        "div": (lambda a, b: a / b, randn, nonzero),
        "pow": (lambda a, b: a ** b, pos, randn),
    }
    for name, (f, ga, gb) in binops.items():
        c[f"{name}_same"] = op_case(f, {"a": ga(2, 3), "b": gb(2, 3)})
        c[f"{name}_row"] = op_case(f, {"a": ga(2, 3), "b": gb(3)})
        c[f"{name}_colrow"] = op_case(f, {"a": ga(4, 1), "b": gb(1, 5)})
        c[f"{name}_scalar"] = op_case(f, {"a": ga(2, 3), "b": gb()})
    c["add_number"] = op_case(lambda a: a + 2.5, {"a": randn(2, 3)}, {"number": 2.5})
    c["sub_number"] = op_case(lambda a: a - 2.5, {"a": randn(2, 3)}, {"number": 2.5})
    c["rsub_number"] = op_case(lambda a: 2.5 - a, {"a": randn(2, 3)}, {"number": 2.5})
    c["mul_number"] = op_case(lambda a: a * -1.5, {"a": randn(2, 3)}, {"number": -1.5})
    c["div_number"] = op_case(lambda a: a / 3.0, {"a": randn(2, 3)}, {"number": 3.0})
    c["rdiv_number"] = op_case(lambda a: 3.0 / a, {"a": nonzero(2, 3)}, {"number": 3.0})
    c["pow_number"] = op_case(lambda a: a ** 3.0, {"a": randn(2, 3)}, {"number": 3.0})
    c["rpow_number"] = op_case(lambda a: 2.0 ** a, {"a": randn(2, 3)}, {"number": 2.0})
    c["square"] = op_case(lambda a: a * a, {"a": randn(2, 3)})

    # Matrix products (incl. NumPy's 1-D rules and folded leading dims) and linear.
    c["matmul_mm"] = op_case(torch.matmul, {"a": randn(3, 4), "b": randn(4, 5)})
    c["matmul_vm"] = op_case(torch.matmul, {"a": randn(4), "b": randn(4, 5)})
    c["matmul_mv"] = op_case(torch.matmul, {"a": randn(3, 4), "b": randn(4)})
    c["matmul_vv"] = op_case(torch.matmul, {"a": randn(4), "b": randn(4)})
    c["matmul_lead"] = op_case(torch.matmul, {"a": randn(2, 3, 4), "b": randn(4, 5)})
    c["linear"] = op_case(F.linear, {"x": randn(5, 4), "weight": randn(3, 4), "bias": randn(3)})
    c["linear_nobias"] = op_case(F.linear, {"x": randn(5, 4), "weight": randn(3, 4)})

    # Movement.
    c["transpose_last2"] = op_case(lambda x: x.transpose(-2, -1), {"x": randn(2, 3, 4)})
    c["transpose_02"] = op_case(lambda x: x.transpose(0, 2), {"x": randn(2, 3, 4)})
    c["t"] = op_case(lambda x: x.t(), {"x": randn(3, 4)})
    c["permute_201"] = op_case(lambda x: x.permute(2, 0, 1), {"x": randn(2, 3, 4)}, {"dims": [2, 0, 1]})
    c["reshape"] = op_case(lambda x: x.reshape(6, 4), {"x": randn(2, 3, 4)}, {"shape": [6, 4]})
    c["reshape_infer"] = op_case(lambda x: x.reshape(4, -1), {"x": randn(2, 3, 4)}, {"shape": [4, -1]})
    c["flatten"] = op_case(lambda x: torch.flatten(x, 1), {"x": randn(2, 3, 4)})
    c["expand_row"] = op_case(lambda x: x.expand(3, 4), {"x": randn(1, 4)}, {"shape": [3, 4]})
    c["expand_lead"] = op_case(lambda x: x.expand(2, 3, 4), {"x": randn(4)}, {"shape": [2, 3, 4]})
    c["expand_mid"] = op_case(lambda x: x.expand(2, 3, 4), {"x": randn(2, 1, 4)}, {"shape": [2, 3, 4]})

    # Reductions. Random continuous inputs, so max has no ties.
    for red in ("sum", "mean"):
        f = getattr(torch, red)
        c[f"{red}_all"] = op_case(lambda x: f(x), {"x": randn(2, 3, 4)})
        for axes in ([0], [-1], [0, 2], [0, 1]):
            for keep in (False, True):
                tag = "_".join(str(a).replace("-", "m") for a in axes)
                c[f"{red}_{tag}_{'keep' if keep else 'drop'}"] = op_case(
                    lambda x, axes=axes, keep=keep: f(x, dim=axes, keepdim=keep), {"x": randn(2, 3, 4)},
                    {"axes": axes, "keepDims": keep})
    c["max_all"] = op_case(lambda x: x.max(), {"x": randn(2, 3, 4)})
    for axis in (0, 1, -1):
        for keep in (False, True):
            tag = str(axis).replace("-", "m")
            c[f"max_{tag}_{'keep' if keep else 'drop'}"] = op_case(
                lambda x, axis=axis, keep=keep: x.max(dim=axis, keepdim=keep).values, {"x": randn(2, 3, 4)},
                {"axis": axis, "keepDims": keep})

    # Softmax / log-softmax over the last axis, axis 0 and a middle axis; extreme logits too.
    extreme = torch.tensor([[50.0, -50.0, 0.0, 1.0], [-50.0, -50.0, 50.0, 49.0], [0.1, 0.2, 0.3, 0.4]])
    for name, f in (("softmax", F.softmax), ("logSoftmax", F.log_softmax)):
        c[f"{name}_last"] = op_case(lambda x, f=f: f(x, dim=-1), {"x": randn(3, 5, scale=2)}, {"axis": -1})
        c[f"{name}_0"] = op_case(lambda x, f=f: f(x, dim=0), {"x": randn(3, 5, scale=2)}, {"axis": 0})
        c[f"{name}_mid"] = op_case(lambda x, f=f: f(x, dim=1), {"x": randn(2, 3, 4, scale=2)}, {"axis": 1})
        c[f"{name}_extreme"] = op_case(lambda x, f=f: f(x, dim=-1), {"x": extreme.clone()}, {"axis": -1})
    write("ops", c)


# ---------------------------------------------------------------------------------------------
def loss_case(fn, pred, target=None, labels=None, params=None, grads=True):
    """A scalar loss: value and ∂loss/∂pred (upstream 1)."""
    p = pred.clone().requires_grad_(grads)
    args = [p] + ([target] if target is not None else []) + ([torch.tensor(labels)] if labels is not None else [])
    out = fn(*args)
    case = {"pred": T(p), "params": params or {}, "out": T(out)}
    if target is not None:
        case["target"] = T(target)
    if labels is not None:
        case["labels"] = list(labels)
    if grads:
        out.backward()
        case["grad"] = T(p.grad)
    return case


def make_losses():
    torch.manual_seed(2024)
    c = {}
    n, k = 4, 3
    pred, target = randn(n, k), randn(n, k)
    c["mse_mean"] = loss_case(lambda a, y: F.mse_loss(a, y), pred, target)
    c["mse_sum"] = loss_case(lambda a, y: F.mse_loss(a, y, reduction="sum"), pred, target)
    c["mse_batchmean"] = loss_case(lambda a, y: ((a - y) ** 2).sum() / n, pred, target)
    c["l1_mean"] = loss_case(lambda a, y: F.l1_loss(a, y), pred, target)
    c["l1_sum"] = loss_case(lambda a, y: F.l1_loss(a, y, reduction="sum"), pred, target)
    c["l1_batchmean"] = loss_case(lambda a, y: (a - y).abs().sum() / n, pred, target)
    onehot = F.one_hot(torch.tensor([2, 0, 1, 2]), k).float()
    # Nielsen's quadratic cost C = (1/2n) Σ ‖y − a‖², by hand.
    c["quadratic"] = loss_case(lambda a, y: 0.5 * ((y - a) ** 2).sum() / n, torch.sigmoid(randn(n, k)), onehot)

    probs = rand(n, k, lo=0.02, hi=0.98)
    soft = torch.tensor([[1.0, 0.0, 0.3], [0.0, 1.0, 1.0], [0.5, 0.0, 1.0], [1.0, 0.9, 0.0]])
    c["bce_mean"] = loss_case(F.binary_cross_entropy, probs, soft)
    c["bce_sum"] = loss_case(lambda a, y: F.binary_cross_entropy(a, y, reduction="sum"), probs, soft)
    c["bce_batchmean"] = loss_case(lambda a, y: F.binary_cross_entropy(a, y, reduction="sum") / n, probs, soft)
    # Exact 0/1 probabilities: both clamp the logs at −100 (forward only: PyTorch's gradient there
    # is (a−y)/max(a(1−a), 1e-12), descent's clamp passes none).
    c["bce_saturated"] = loss_case(F.binary_cross_entropy, torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]]),
                                   torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]]), grads=False)
    logits = randn(n, k, scale=3)
    c["bceLogits_mean"] = loss_case(F.binary_cross_entropy_with_logits, logits, soft)
    c["bceLogits_sum"] = loss_case(lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum"), logits, soft)
    ext = torch.tensor([[50.0, -50.0, 50.0], [-50.0, 50.0, 0.0]])
    ext_y = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    c["bceLogits_extreme"] = loss_case(F.binary_cross_entropy_with_logits, ext, ext_y)
    # descent pairs a sigmoid output with cross-entropy on its input z: oracle is BCEWithLogits, grad wrt z.
    c["bce_of_sigmoid"] = loss_case(F.binary_cross_entropy_with_logits, torch.cat([logits, ext]), torch.cat([soft, ext_y]))

    labels = [2, 0, 1, 1, 3]
    ce_logits = randn(5, 4, scale=2)
    c["crossEntropy"] = loss_case(lambda z, l: F.cross_entropy(z, l), ce_logits, labels=labels)
    ce_ext = torch.tensor([[50.0, -50.0, 0.0, 0.0], [-50.0, 50.0, -50.0, 0.0], [0.0, 0.0, 0.0, 50.0]])
    c["crossEntropy_extreme"] = loss_case(lambda z, l: F.cross_entropy(z, l), ce_ext, labels=[0, 0, 2])
    # descent pairs a softmax output with the log-likelihood on its logits z: oracle is CrossEntropy, grad wrt z.
    c["logLikelihood_of_softmax"] = loss_case(lambda z, l: F.cross_entropy(z, l), torch.cat([ce_logits, ce_ext]),
                                              labels=labels + [0, 0, 2])
    logp = F.log_softmax(randn(5, 4, scale=2), dim=1)
    c["nll"] = loss_case(lambda lp, l: F.nll_loss(lp, l), logp, labels=labels)
    p = F.softmax(randn(5, 4, scale=2), dim=1)
    c["logLikelihood_probs"] = loss_case(lambda a, l: F.nll_loss(torch.log(a).clamp(min=-100), l), p, labels=labels)

    # Weight penalties, by hand: (s/2)·Σw² and s·Σ|w| over two tensors.
    w1, w2 = randn(3, 4), randn(4)
    for name, f in (("l2Penalty", lambda a, b: 0.3 / 2 * ((a * a).sum() + (b * b).sum())),
                    ("l1Penalty", lambda a, b: 0.3 * (a.abs().sum() + b.abs().sum()))):
        c[name] = op_case(f, {"a": w1, "b": w2}, {"strength": 0.3})
        del c[name]["upstream"]
        # Re-run with upstream 1 so grads are plain ∂/∂w.
        a, b = w1.clone().requires_grad_(), w2.clone().requires_grad_()
        out = f(a, b)
        out.backward()
        c[name]["grads"] = {"a": T(a.grad), "b": T(b.grad)}
    write("losses", c)


# ---------------------------------------------------------------------------------------------
def seq_case(layers, names, x, loss=None, labels=None, target=None):
    """Forward + backward through torch layers, with parameters named as descent names them."""
    model = torch.nn.Sequential(*layers)
    xs = x.clone().requires_grad_()
    out = model(xs)
    case = {"x": T(xs), "params": {}, "out": T(out)}
    torch_params = dict(model.named_parameters())
    for tname, dname in names.items():
        case["params"][dname] = T(torch_params[tname])
    if loss is None:
        up = randn(*out.shape)
        out.backward(up)
        case["upstream"] = T(up)
    else:
        l = loss(out)
        l.backward()
        case["loss"] = T(l)
    if labels is not None:
        case["labels"] = labels
    if target is not None:
        case["target"] = T(target)
    case["grads"] = {"x": T(xs.grad), **{dname: T(torch_params[tname].grad) for tname, dname in names.items()}}
    return case


def make_layers():
    torch.manual_seed(77)
    c = {}
    lin = torch.nn.Linear(4, 3)
    c["linear"] = seq_case([lin], {"0.weight": "weight", "0.bias": "bias"}, randn(5, 4))
    lin_nb = torch.nn.Linear(4, 3, bias=False)
    c["linear_nobias"] = seq_case([lin_nb], {"0.weight": "weight"}, randn(5, 4))

    # Nielsen's network: sigmoid everywhere, quadratic cost (by hand) against one-hot targets.
    y = F.one_hot(torch.tensor([1, 0, 2, 2, 1]), 3).float()
    names2 = {"0.weight": "layers.0.weight", "0.bias": "layers.0.bias",
              "2.weight": "layers.2.weight", "2.bias": "layers.2.bias"}
    c["mlp_sigmoid"] = seq_case(
        [torch.nn.Linear(4, 6), torch.nn.Sigmoid(), torch.nn.Linear(6, 3), torch.nn.Sigmoid()], names2,
        randn(5, 4), loss=lambda a: 0.5 * ((y - a) ** 2).sum() / 5, target=y)
    # ReLU hidden layers, logits out, cross-entropy.
    names3 = {**names2, "4.weight": "layers.4.weight", "4.bias": "layers.4.bias"}
    labels = [2, 0, 1, 1, 2, 0]
    c["mlp_relu"] = seq_case(
        [torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3)],
        names3, randn(6, 4), loss=lambda z: F.cross_entropy(z, torch.tensor(labels)), labels=labels)
    # The same MLP with an upstream gradient instead of a loss.
    c["mlp_relu_upstream"] = seq_case(
        [torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3), torch.nn.Tanh()], {
            "0.weight": "layers.0.weight", "0.bias": "layers.0.bias",
            "2.weight": "layers.2.weight", "2.bias": "layers.2.bias"}, randn(6, 4))
    c["leakyRelu"] = seq_case([torch.nn.LeakyReLU(0.2)], {}, randn(4, 5))
    c["softmax_last"] = seq_case([torch.nn.Softmax(dim=-1)], {}, randn(4, 5, scale=2))
    c["softmax_0"] = seq_case([torch.nn.Softmax(dim=0)], {}, randn(4, 5, scale=2))
    c["dropout_eval"] = seq_case([torch.nn.Dropout(0.5).eval()], {}, randn(4, 5))

    fans = {}
    for shape in ([3, 4], [8, 3, 5, 5], [10, 20, 3], [6, 2, 3, 3, 3]):
        fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
        fans[json.dumps(shape)] = {"shape": shape, "fanIn": fi, "fanOut": fo}
    write("layers", {"cases": c, "fans": fans})


# ---------------------------------------------------------------------------------------------
OPTIM_RUNS = {
    # name: (descent class, descent options, dtype)
    "sgd": ("SGD", {"lr": 0.3}, "float64"),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}, "float64"),
    "sgd_dampening": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, "float64"),
    "sgd_nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, "float64"),
    "sgd_weightDecay": ("SGD", {"lr": 0.1, "weightDecay": 0.05}, "float64"),
    "sgd_momentum_weightDecay": ("SGD", {"lr": 0.1, "momentum": 0.8, "weightDecay": 0.05}, "float64"),
    "rmsprop": ("RMSprop", {"lr": 0.01}, "float64"),
    "rmsprop_momentum": ("RMSprop", {"lr": 0.01, "momentum": 0.9}, "float64"),
    "rmsprop_centered": ("RMSprop", {"lr": 0.01, "centered": True}, "float64"),
    "rmsprop_centered_momentum": ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "alpha": 0.9}, "float64"),
    "rmsprop_weightDecay": ("RMSprop", {"lr": 0.01, "weightDecay": 0.1}, "float64"),
    # A large ε makes its placement (outside the √) visible.
    "rmsprop_bigEps": ("RMSprop", {"lr": 0.01, "eps": 0.1}, "float64"),
    "adam": ("Adam", {}, "float64"),
    "adam_lr": ("Adam", {"lr": 0.05}, "float64"),
    "adam_weightDecay": ("Adam", {"lr": 0.05, "weightDecay": 0.1}, "float64"),
    "adam_betas_bigEps": ("Adam", {"lr": 0.05, "betas": [0.8, 0.9], "eps": 0.1}, "float64"),
    "adamw": ("AdamW", {"lr": 0.05, "weightDecay": 0.1}, "float64"),
    "adamw_default": ("AdamW", {}, "float64"),
    # float32 runs: how far float32 rounding drifts over 10 steps.
    "sgd_momentum_f32": ("SGD", {"lr": 0.1, "momentum": 0.9}, "float32"),
    "rmsprop_f32": ("RMSprop", {"lr": 0.01}, "float32"),
    "adam_f32": ("Adam", {"lr": 0.05}, "float32"),
    "adamw_f32": ("AdamW", {"lr": 0.05, "weightDecay": 0.1}, "float32"),
}


def torch_optimizer(kind, params, o):
    if kind == "SGD":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0), dampening=o.get("dampening", 0),
                               nesterov=o.get("nesterov", False), weight_decay=o.get("weightDecay", 0))
    if kind == "RMSprop":
        return torch.optim.RMSprop(params, lr=o.get("lr", 0.01), alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
                                   weight_decay=o.get("weightDecay", 0), momentum=o.get("momentum", 0),
                                   centered=o.get("centered", False))
    if kind in ("Adam", "AdamW"):
        cls = torch.optim.Adam if kind == "Adam" else torch.optim.AdamW
        return cls(params, lr=o.get("lr", 1e-3), betas=tuple(o.get("betas", [0.9, 0.999])), eps=o.get("eps", 1e-8),
                   weight_decay=o.get("weightDecay", 0 if kind == "Adam" else 1e-2))
    raise ValueError(kind)


def optim_loss(W, b, X, Y):
    """The fixed smooth problem: mean((tanh(X·W + b) − Y)²) (descent: mseLoss(tanh(X.matmul(W).add(b)), Y))."""
    return ((torch.tanh(X @ W + b) - Y) ** 2).mean()


def make_optim():
    torch.manual_seed(99)
    W0, b0 = randn(3, 4, dtype=torch.float64), randn(4, scale=0.5, dtype=torch.float64)
    X, Y = randn(6, 3, dtype=torch.float64), rand(6, 4, lo=-0.9, hi=0.9, dtype=torch.float64)
    # float32 runs start from the float32-rounded problem, so both sides see identical inputs.
    problem = {}
    for dt, tdt in (("float64", torch.float64), ("float32", torch.float32)):
        problem[dt] = {"W": T(W0.to(tdt)), "b": T(b0.to(tdt)), "X": T(X.to(tdt)), "Y": T(Y.to(tdt))}
    runs = {}
    for name, (kind, opts, dt) in OPTIM_RUNS.items():
        tdt = torch.float64 if dt == "float64" else torch.float32
        W, b = W0.to(tdt).clone().requires_grad_(), b0.to(tdt).clone().requires_grad_()
        Xd, Yd = X.to(tdt), Y.to(tdt)
        opt = torch_optimizer(kind, [W, b], opts)
        traj = {"W": [], "b": [], "loss": []}
        for _ in range(10):
            opt.zero_grad()
            loss = optim_loss(W, b, Xd, Yd)
            loss.backward()
            opt.step()
            traj["loss"].append(float(loss))
            traj["W"].append(T(W)["data"])
            traj["b"].append(T(b)["data"])
        runs[name] = {"kind": kind, "options": opts, "dtype": dt, **traj}
    # Parameter groups with their own hyper-parameters.
    W, b = W0.clone().requires_grad_(), b0.clone().requires_grad_()
    opt = torch.optim.SGD([{"params": [W]}, {"params": [b], "lr": 0.02, "momentum": 0.5}], lr=0.2)
    traj = {"W": [], "b": [], "loss": []}
    for _ in range(10):
        opt.zero_grad()
        loss = optim_loss(W, b, X, Y)
        loss.backward()
        opt.step()
        traj["loss"].append(float(loss))
        traj["W"].append(T(W)["data"])
        traj["b"].append(T(b)["data"])
    runs["sgd_groups"] = {"kind": "SGD", "options": {"lr": 0.2}, "groups": [{}, {"lr": 0.02, "momentum": 0.5}],
                          "dtype": "float64", **traj}
    write("optim", {"problem": problem, "runs": runs})


def make_clip():
    torch.manual_seed(5)
    g1, g2 = randn(3, 4), randn(4)
    c = {"grads": [T(g1), T(g2)], "norm": {}, "value": {}}
    for max_norm in (1.0, 2.5, 100.0):
        p1, p2 = torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm)
        c["norm"][repr(max_norm)] = {"maxNorm": max_norm, "total": float(total), "grads": [T(p1.grad), T(p2.grad)]}
    # float64 with a tiny norm: the 1e-6 PyTorch adds to the norm changes the result by ~0.5 %.
    s1, s2 = (g1 * 5e-5).double(), (g2 * 5e-5).double()
    p1, p2 = torch.zeros(3, 4, dtype=torch.float64, requires_grad=True), torch.zeros(4, dtype=torch.float64, requires_grad=True)
    p1.grad, p2.grad = s1.clone(), s2.clone()
    total = torch.nn.utils.clip_grad_norm_([p1, p2], 1e-4)
    c["norm_f64_small"] = {"maxNorm": 1e-4, "total": float(total), "in": [T(s1), T(s2)], "grads": [T(p1.grad), T(p2.grad)]}
    for clip in (0.5, 1.0):
        p1, p2 = torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        torch.nn.utils.clip_grad_value_([p1, p2], clip)
        c["value"][repr(clip)] = {"clip": clip, "grads": [T(p1.grad), T(p2.grad)]}
    write("clip", c)


def make_schedules():
    def lrs(make, epochs=13):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        out = []
        for _ in range(epochs):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return out

    S = torch.optim.lr_scheduler
    write("schedules", {
        "step": {"lr": 0.1, "stepSize": 3, "gamma": 0.5, "lrs": lrs(lambda o: S.StepLR(o, 3, gamma=0.5))},
        "step_default": {"lr": 0.1, "stepSize": 4, "gamma": 0.1, "lrs": lrs(lambda o: S.StepLR(o, 4))},
        "exponential": {"lr": 0.1, "gamma": 0.9, "lrs": lrs(lambda o: S.ExponentialLR(o, 0.9))},
        "cosine": {"lr": 0.1, "tMax": 12, "minLr": 0.001, "lrs": lrs(lambda o: S.CosineAnnealingLR(o, 12, eta_min=0.001))},
        "cosine_zero": {"lr": 0.1, "tMax": 12, "minLr": 0, "lrs": lrs(lambda o: S.CosineAnnealingLR(o, 12))},
        # Past tMax PyTorch's cosine rises again (period 2·tMax); descent holds at minLr.
        "cosine_short": {"lr": 0.1, "tMax": 8, "minLr": 0.001, "lrs": lrs(lambda o: S.CosineAnnealingLR(o, 8, eta_min=0.001))},
    })


# ---------------------------------------------------------------------------------------------
def hashed(shape, salt, lo=-1.0, hi=1.0):
    """Deterministic values lo + (hi − lo)·k/2¹⁶ with k = (7i² + 40503i + 12345·salt) mod 2¹⁶ for
    flat index i (lo, hi dyadic, so every value is exact in float32). The conv tests rebuild them
    from the formula, so the large MNIST-shaped inputs need not be stored."""
    n = math.prod(shape)
    u = [((7 * i * i + 40503 * i + 12345 * salt) % 65536) / 65536 for i in range(n)]
    return torch.tensor([lo + (hi - lo) * v for v in u], dtype=torch.float32).reshape(shape)


def sampled(t, every):
    """Every `every`-th element of the flattened tensor (a prime stride, so each channel and
    position is visited): keeps the MNIST-shaped fixtures small."""
    d = T(t)
    return {"shape": d["shape"], "every": every, "data": d["data"][::every]}


def bn_state(m):
    return {"runningMean": T(m.running_mean), "runningVar": T(m.running_var)}


def make_conv():
    """Convolution, pooling, batch normalisation and a small conv net (test/conv.torch.test.ts)."""
    torch.manual_seed(4321)
    c = {}

    # conv2d: x [N, C, H, W], weight [F, C/groups, kh, kw], bias [F]; a random upstream gradient.
    convs = {
        "s1p0": ((2, 3, 6, 6), (4, 3, 3, 3), True, {"stride": 1, "padding": 0, "groups": 1}),
        "s2p1": ((2, 3, 7, 7), (4, 3, 3, 3), True, {"stride": 2, "padding": 1, "groups": 1}),
        "s3p2_7x5": ((2, 2, 7, 5), (3, 2, 3, 3), True, {"stride": 3, "padding": 2, "groups": 1}),
        "kernel2x3": ((2, 2, 5, 6), (3, 2, 2, 3), True, {"stride": 1, "padding": 1, "groups": 1}),
        "groups2": ((2, 4, 5, 5), (6, 2, 3, 3), True, {"stride": 1, "padding": 1, "groups": 2}),
        "depthwise": ((2, 3, 5, 5), (3, 1, 3, 3), True, {"stride": 1, "padding": 1, "groups": 3}),
        "depthwise_x2": ((2, 3, 6, 6), (6, 1, 3, 3), True, {"stride": 2, "padding": 0, "groups": 3}),
        "nobias": ((2, 3, 5, 5), (4, 3, 3, 3), False, {"stride": 1, "padding": 0, "groups": 1}),
        "1x1": ((2, 3, 4, 4), (5, 3, 1, 1), True, {"stride": 1, "padding": 0, "groups": 1}),
    }
    for name, (xs, ws, has_bias, o) in convs.items():
        inputs = {"x": randn(*xs), "weight": randn(*ws, scale=0.5)}
        if has_bias:
            inputs["bias"] = randn(ws[0])
        fn = lambda x, w, b=None, o=o: F.conv2d(x, w, b, stride=o["stride"], padding=o["padding"], groups=o["groups"])
        c[f"conv_{name}"] = op_case(fn, inputs, o)

    # Nielsen's MNIST convolutions (N = 2): 1×28×28 → 20@5×5 and 20×12×12 → 40@5×5. Inputs and
    # the upstream gradient come from hashed() (salts below); outputs and gradients are sampled.
    mnist = {
        "mnist1": ((2, 1, 28, 28), (20, 1, 5, 5), {"x": (1, 0.0, 1.0), "weight": (2, -0.25, 0.25), "bias": (3, -0.25, 0.25), "upstream": (4, -1.0, 1.0)}),
        "mnist2": ((2, 20, 12, 12), (40, 20, 5, 5), {"x": (5, -1.0, 1.0), "weight": (6, -0.0625, 0.0625), "bias": (7, -0.0625, 0.0625), "upstream": (8, -1.0, 1.0)}),
    }
    for name, (xs, ws, salts) in mnist.items():
        shapes = {"x": xs, "weight": ws, "bias": (ws[0],)}
        leaves = {k: hashed(shapes[k], *salts[k]).requires_grad_() for k in shapes}
        out = F.conv2d(leaves["x"], leaves["weight"], leaves["bias"])
        out.backward(hashed(tuple(out.shape), *salts["upstream"]))
        c[f"conv_{name}"] = {
            "hashed": {k: {"shape": list(v), "salt": salts[k][0], "lo": salts[k][1], "hi": salts[k][2]}
                       for k, v in {**shapes, "upstream": tuple(out.shape)}.items()},
            "params": {"stride": 1, "padding": 0, "groups": 1},
            "out": sampled(out, 11),
            "grads": {k: sampled(v.grad, 11) if v.numel() > 1000 else T(v.grad) for k, v in leaves.items()},
        }

    # Pooling (no padding). randn inputs have no ties; the *_ties cases use small integers, so
    # windows share their maximum: torch 1.13 routes the gradient to the first maximum in
    # row-major window order, as descent does (checked here, then stored).
    pools = {
        "k2s2": ((2, 3, 6, 6), 2, 2),
        "k3s2_7x7": ((2, 2, 7, 7), 3, 2),
        "k2s2_5x7": ((1, 2, 5, 7), 2, 2),
        "k3s1": ((1, 2, 5, 5), 3, 1),
    }
    for name, (xs, k, s) in pools.items():
        c[f"maxPool_{name}"] = op_case(lambda x, k=k, s=s: F.max_pool2d(x, k, s), {"x": randn(*xs)}, {"kernel": k, "stride": s})
        c[f"avgPool_{name}"] = op_case(lambda x, k=k, s=s: F.avg_pool2d(x, k, s), {"x": randn(*xs)}, {"kernel": k, "stride": s})
    for name, (xs, k, s) in (("k2s2", ((2, 2, 4, 4), 2, 2)), ("k3s2_7x7", ((1, 2, 7, 7), 3, 2))):
        x = torch.randint(0, 3, xs).float()
        _, idx = F.max_pool2d(x, k, s, return_indices=True)
        w = xs[3]
        for (n, ch, i, j), at in zip(torch.cartesian_prod(*[torch.arange(d) for d in idx.shape]).tolist(), idx.reshape(-1).tolist()):
            win = x[n, ch, i * s:i * s + k, j * s:j * s + k].reshape(-1)
            first = int((win == win.max()).nonzero()[0])
            assert at == (i * s + first // k) * w + j * s + first % k, "torch's max_pool2d tie rule changed"
        c[f"maxPool_{name}_ties"] = op_case(lambda x, k=k, s=s: F.max_pool2d(x, k, s), {"x": x}, {"kernel": k, "stride": s})

    # Batch normalisation. Training: two batches through one module (output, gradients of the
    # first, running statistics after each); γ, β random so they matter. Eval: given running stats.
    def bn_train(cls, feats, shape1, shape2, eps=1e-5, momentum=0.1):
        m = cls(feats, eps=eps, momentum=momentum)
        with torch.no_grad():
            m.weight.copy_(rand(feats, lo=0.5, hi=1.5))
            m.bias.copy_(randn(feats, scale=0.5))
        w0, b0 = T(m.weight), T(m.bias)
        x1 = (randn(*shape1, scale=2) + 0.5).requires_grad_()
        out1 = m(x1)
        up = randn(*out1.shape)
        out1.backward(up)
        case = {"params": {"eps": eps, "momentum": momentum}, "weight": w0, "bias": b0,
                "x1": T(x1), "out1": T(out1), "upstream": T(up),
                "grads": {"x": T(x1.grad), "weight": T(m.weight.grad), "bias": T(m.bias.grad)},
                "after1": bn_state(m)}
        x2 = randn(*shape2, scale=0.5) - 1.0
        case["x2"], case["out2"], case["after2"] = T(x2), T(m(x2)), bn_state(m)
        return case

    def bn_eval(cls, feats, shape):
        m = cls(feats)
        with torch.no_grad():
            m.weight.copy_(rand(feats, lo=0.5, hi=1.5))
            m.bias.copy_(randn(feats, scale=0.5))
            m.running_mean.copy_(randn(feats))
            m.running_var.copy_(rand(feats, lo=0.2, hi=3.0))
        m.eval()
        x = randn(*shape).requires_grad_()
        out = m(x)
        up = randn(*out.shape)
        out.backward(up)
        return {"params": {"eps": m.eps, "momentum": m.momentum}, "weight": T(m.weight), "bias": T(m.bias),
                **bn_state(m), "x": T(x), "out": T(out), "upstream": T(up),
                "grads": {"x": T(x.grad), "weight": T(m.weight.grad), "bias": T(m.bias.grad)}}

    B1, B2 = torch.nn.BatchNorm1d, torch.nn.BatchNorm2d
    c["bn1d_train"] = bn_train(B1, 5, (8, 5), (6, 5))
    c["bn1d_train_eps_momentum"] = bn_train(B1, 3, (4, 3), (2, 3), eps=1e-3, momentum=0.3)
    c["bn2d_train"] = bn_train(B2, 3, (4, 3, 5, 5), (2, 3, 4, 6))
    c["bn2d_train_n1"] = bn_train(B2, 2, (1, 2, 3, 3), (1, 2, 2, 2))
    c["bn1d_eval"] = bn_eval(B1, 5, (6, 5))
    c["bn2d_eval"] = bn_eval(B2, 3, (2, 3, 4, 4))

    # A tiny conv net: conv 3@3×3 → ReLU → max-pool 2 → flatten → linear → log-softmax + NLL.
    labels = [1, 3, 0]
    c["convnet"] = seq_case(
        [torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(27, 4)],
        {"0.weight": "layers.0.weight", "0.bias": "layers.0.bias", "4.weight": "layers.4.weight", "4.bias": "layers.4.bias"},
        randn(3, 2, 8, 8), loss=lambda z: F.nll_loss(F.log_softmax(z, dim=1), torch.tensor(labels)), labels=labels)
    write("conv", c)


# ---------------------------------------------------------------------------------------------
def make_gelu():
    """GELU, exact form (approximate="none"), and the error function under it (test/gelu.test.ts)."""
    torch.manual_seed(4242)
    c = {}
    c["gelu"] = op_case(F.gelu, {"x": randn(3, 4, scale=3)})
    c["gelu_extreme"] = op_case(F.gelu, {"x": torch.tensor([-30.0, -10.0, -5.0, -1e-3, 1e-3, 5.0, 10.0, 30.0])})
    x64 = (torch.randn(20, dtype=torch.float64) * 3).requires_grad_()
    y64 = F.gelu(x64)
    up64 = torch.randn(20, dtype=torch.float64)
    y64.backward(up64)
    c["gelu_float64"] = {"inputs": {"x": T(x64)}, "params": {}, "out": T(y64), "upstream": T(up64), "grads": {"x": T(x64.grad)}}
    labels = [2, 0, 1, 1, 2]
    c["mlp_gelu"] = seq_case(
        [torch.nn.Linear(4, 6), torch.nn.GELU(), torch.nn.Linear(6, 3)],
        {"0.weight": "layers.0.weight", "0.bias": "layers.0.bias", "2.weight": "layers.2.weight", "2.bias": "layers.2.bias"},
        randn(5, 4), loss=lambda z: F.cross_entropy(z, torch.tensor(labels)), labels=labels)
    # erf and erfc from the C library (Python's math module), exact float64 in and out.
    xs = [i / 8 for i in range(-48, 49)] + [-26.0, -8.0, -5.5, 0.01, 1e-8, 5.5, 8.0, 12.0, 20.0, 26.0]
    erf = {"x": xs, "erf": [math.erf(v) for v in xs], "erfc": [math.erfc(v) for v in xs]}
    write("gelu", {"cases": c, "erf": erf})


MAKERS = {"ops": make_ops, "losses": make_losses, "layers": make_layers, "optim": make_optim, "clip": make_clip,
          "schedules": make_schedules, "conv": make_conv, "gelu": make_gelu}

if __name__ == "__main__":
    # Every file, or only the named ones: `tools/make_fixtures.py gelu` rewrites test/fixtures/gelu.json alone.
    import sys
    for name in sys.argv[1:] or MAKERS:
        MAKERS[name]()
