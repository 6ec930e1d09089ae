#!/usr/bin/python3
"""PyTorch peer: the book's W1 and W2, the convnet W3 and the row-by-row LSTM W4 (same split, same hyper-parameters), float32, CPU.
Prints one JSON line per measurement. Usage: torch_peer.py MNIST_DIR THREADS [WORKLOADS] [EPOCHS]
(Run with OPENBLAS_NUM_THREADS=1: PyTorch's own threads otherwise fight OpenBLAS's.)"""
import json, os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import book_split
import torch

d, threads = sys.argv[1], int(sys.argv[2])
workloads = (sys.argv[3] if len(sys.argv) > 3 else "W1,W2").split(",")
epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
torch.set_num_threads(threads)
torch.manual_seed(1)
x, y, tx, ty = book_split(d)
X, Y, TX, TY = torch.tensor(x, dtype=torch.float32), torch.tensor(y), torch.tensor(tx, dtype=torch.float32), torch.tensor(ty)
OH = torch.nn.functional.one_hot(Y, 10).float()

CONF = {
    "W1": dict(sizes=[784, 30, 10], lr=3.0, l2=0.0, cost="quadratic", wstd=lambda nin: 1.0),
    "W2": dict(sizes=[784, 100, 10], lr=0.5, l2=5.0, cost="xent", wstd=lambda nin: nin ** -0.5),
}

def run_w3(name, threads, epochs):
    """W3: conv 20@5×5-ReLU-pool, conv 40@5×5-ReLU-pool, FC 100 ReLU, FC 10, softmax cross-entropy."""
    adam = name == "W3-adam"
    batch = 64 if adam else 10
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 20, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(20, 40, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(640, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3) if adam else torch.optim.SGD(net.parameters(), lr=0.03)
    XI, TXI = X.reshape(-1, 1, 28, 28), TX.reshape(-1, 1, 28, 28)
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(50000)
        t0 = time.perf_counter()
        for s in range(0, 50000, batch):
            i = perm[s:s + batch]
            loss = torch.nn.functional.cross_entropy(net(XI[i]), Y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        net(TXI[:1000])
        t0 = time.perf_counter()
        for s in range(0, 10000, 1000):
            out = net(TXI[s:s + 1000])
        infer = 10000 / (time.perf_counter() - t0)
        acc = (net(TXI).argmax(1) == TY).float().mean().item()
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "workload": name, "threads": threads,
                      "secondsPerEpoch": sorted(times)[len(times) // 2], "testAccuracy": acc, "epochs": epochs,
                      "inferenceImagesPerSecond": infer}), flush=True)

class RowLSTM(torch.nn.Module):
    """W4: MNIST read row by row (28 steps of 28 pixels), LSTM(28→128) batch-first, its last step → Linear 10."""
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
        self.fc = torch.nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])

def run_w4(threads, epochs):
    """W4 = descent's seq-mnist-lstm network and optimizer at batch 64 (bench/workloads.ts): Adam lr 3e-3, softmax cross-entropy."""
    net = RowLSTM()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    XR, TXR = X.reshape(-1, 28, 28), TX.reshape(-1, 28, 28)
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(50000)
        t0 = time.perf_counter()
        for s in range(0, 50000, 64):
            i = perm[s:s + 64]
            loss = torch.nn.functional.cross_entropy(net(XR[i]), Y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        net(TXR[:1000])
        t0 = time.perf_counter()
        for s in range(0, 10000, 1000):
            out = net(TXR[s:s + 1000])
        infer = 10000 / (time.perf_counter() - t0)
        acc = (net(TXR).argmax(1) == TY).float().mean().item()
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "workload": "W4", "threads": threads,
                      "secondsPerEpoch": sorted(times)[len(times) // 2], "testAccuracy": acc, "epochs": epochs,
                      "inferenceImagesPerSecond": infer}), flush=True)

for name in workloads:
    if name == "W4":
        run_w4(threads, epochs)
        continue
    if name.startswith("W3"):
        run_w3(name, threads, epochs)
        continue
    c = CONF[name]
    layers = []
    for nin, nout in zip(c["sizes"][:-1], c["sizes"][1:]):
        lin = torch.nn.Linear(nin, nout)
        with torch.no_grad():
            lin.weight.normal_(0, c["wstd"](nin))
            lin.bias.normal_(0, 1)
        layers += [lin, torch.nn.Sigmoid()]
    net = torch.nn.Sequential(*layers[:-1])  # logits; the output sigmoid is applied below
    weights = [m.weight for m in net if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in net if isinstance(m, torch.nn.Linear)]
    # The book's L2 (λ/n)·w on weights only = SGD's coupled weight_decay on the weight group.
    opt = torch.optim.SGD([{"params": weights, "weight_decay": c["l2"] / 50000}, {"params": biases}], lr=c["lr"])
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(50000)
        t0 = time.perf_counter()
        for s in range(0, 50000, 10):
            i = perm[s:s + 10]
            x, y = X[i], OH[i]
            z = net(x)
            if c["cost"] == "quadratic":
                loss = 0.5 * ((torch.sigmoid(z) - y) ** 2).sum() / 10
            else:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="sum") / 10
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        net(TX[:1000])
        t0 = time.perf_counter()
        reps = 5
        for _ in range(reps):
            for s in range(0, 10000, 1000):
                out = net(TX[s:s + 1000])
        infer = reps * 10000 / (time.perf_counter() - t0)
        acc = (net(TX).argmax(1) == TY).float().mean().item()
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "workload": name, "threads": threads,
                      "secondsPerEpoch": sorted(times)[len(times) // 2], "testAccuracy": acc, "epochs": epochs,
                      "inferenceImagesPerSecond": infer}), flush=True)
