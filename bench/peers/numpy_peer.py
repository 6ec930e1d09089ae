#!/usr/bin/python3
"""numpy peer: the book's network (Nielsen's network/network2 maths), vectorised over each
mini-batch, float64 like the book. Prints one JSON line per measurement.
Usage: numpy_peer.py MNIST_DIR [WORKLOADS] [EPOCHS] [SEED]"""
import json, os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import book_split

d = sys.argv[1]
workloads = (sys.argv[2] if len(sys.argv) > 2 else "W1,W2").split(",")
epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
DT = np.float32 if os.environ.get("NUMPY_DTYPE") == "float32" else np.float64
X, Y, TX, TY = book_split(d)
X, TX = X.astype(DT), TX.astype(DT)
OH = np.eye(10, dtype=DT)[Y]
sig = lambda z: 1.0 / (1.0 + np.exp(-z))

CONF = {
    "W1": dict(sizes=[784, 30, 10], lr=3.0, l2=0.0, cost="quadratic", wstd=lambda nin: 1.0),
    "W2": dict(sizes=[784, 100, 10], lr=0.5, l2=5.0, cost="xent", wstd=lambda nin: nin ** -0.5),
}

for name in workloads:
    c = CONF[name]
    rng = np.random.default_rng(seed)
    W = [(rng.standard_normal((nout, nin)) * c["wstd"](nin)).astype(DT) for nin, nout in zip(c["sizes"][:-1], c["sizes"][1:])]
    B = [rng.standard_normal(nout).astype(DT) for nout in c["sizes"][1:]]
    n, eta, lam, m = 50000, c["lr"], c["l2"], 10
    times, accs = [], []
    for epoch in range(epochs):
        perm = rng.permutation(n)
        t0 = time.perf_counter()
        for s in range(0, n, m):
            i = perm[s:s + m]
            acts, zs = [X[i]], []
            for w, b in zip(W, B):
                zs.append(acts[-1] @ w.T + b)
                acts.append(sig(zs[-1]))
            delta = acts[-1] - OH[i]
            if c["cost"] == "quadratic":
                delta = delta * acts[-1] * (1 - acts[-1])
            for l in range(len(W) - 1, -1, -1):
                gw, gb = delta.T @ acts[l], delta.sum(0)
                if l > 0:
                    delta = (delta @ W[l]) * acts[l] * (1 - acts[l])
                W[l] = (1 - eta * lam / n) * W[l] - (eta / m) * gw
                B[l] = B[l] - (eta / m) * gb
        times.append(time.perf_counter() - t0)
        a = TX
        for w, b in zip(W, B):
            a = sig(a @ w.T + b)
        accs.append(float((a.argmax(1) == TY).mean()))
    t0 = time.perf_counter()
    for s in range(0, 10000, 1000):
        a = TX[s:s + 1000]
        for w, b in zip(W, B):
            a = sig(a @ w.T + b)
    infer = 10000 / (time.perf_counter() - t0)
    print(json.dumps({"peer": f"numpy {np.__version__} {np.dtype(DT).name}", "workload": name, "threads": 1, "secondsPerEpoch": sorted(times)[len(times) // 2],
                      "testAccuracy": accs[-1], "testAccuracyByEpoch": accs, "epochs": epochs, "seed": seed, "inferenceImagesPerSecond": infer}), flush=True)
