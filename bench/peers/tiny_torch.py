#!/usr/bin/python3
"""PyTorch side of bench/tiny.ts: the small networks the learning experiments run (issue: "report
steps/s of a 1-30-1 universality fit and of the 784-30-30-30-30-10 analysis"), the same sizes,
costs, optimizers and batches as descent's. Prints one JSON line per workload.
Usage: tiny_torch.py MNIST_DIR STEPS   (run with OPENBLAS_NUM_THREADS=1)"""
import json, math, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import book_split
import torch

d, steps = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(1)
torch.manual_seed(1)

def report(name, seconds):
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "workload": name, "threads": 1, "steps": steps,
                      "stepsPerSecond": steps / seconds}), flush=True)

# T1: universality fit, 1-30-1, sigmoid hidden, linear output, MSE, Adam 0.01, batch 20, 200 points.
xs = torch.tensor([(i + 0.5) / 200 for i in range(200)], dtype=torch.float32).reshape(-1, 1)
f = lambda x: 0.2 + 0.4 * x * x + 0.3 * x * torch.sin(15 * x) + 0.05 * torch.cos(50 * x)
ys = f(xs)
net = torch.nn.Sequential(torch.nn.Linear(1, 30), torch.nn.Sigmoid(), torch.nn.Linear(30, 1))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
perm = torch.randperm(200)
t0 = time.perf_counter()
for s in range(steps):
    i = perm[(s * 20) % 200:(s * 20) % 200 + 20]
    loss = torch.nn.functional.mse_loss(net(xs[i]), ys[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
report("T1 1-30-1 fit", time.perf_counter() - t0)

# T2: Nielsen ch. 5's deepest net, 784-30-30-30-30-10 sigmoid, cross-entropy on the sigmoid output
# (from the logits), SGD η = 0.1 with L2 λ = 5 over n = 50,000 (coupled weight decay λ/n), batch 10.
x, y, _, _ = book_split(d)
X, Y = torch.tensor(x, dtype=torch.float32), torch.tensor(y)
OH = torch.nn.functional.one_hot(Y, 10).float()
sizes = [784, 30, 30, 30, 30, 10]
layers = []
for a, b in zip(sizes, sizes[1:]):
    layers += [torch.nn.Linear(a, b), torch.nn.Sigmoid()]
net = torch.nn.Sequential(*layers[:-1])
decay = [p for n, p in net.named_parameters() if n.endswith("weight")]
other = [p for n, p in net.named_parameters() if n.endswith("bias")]
opt = torch.optim.SGD([{"params": decay, "weight_decay": 5 / 50000}, {"params": other, "weight_decay": 0}], lr=0.1)
perm = torch.randperm(50000)
t0 = time.perf_counter()
for s in range(steps):
    i = perm[(s * 10) % 50000:(s * 10) % 50000 + 10]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X[i]), OH[i], reduction="sum") / 10
    opt.zero_grad()
    loss.backward()
    opt.step()
report("T2 784-30-30-30-30-10", time.perf_counter() - t0)
