#!/usr/bin/env python3
"""Derives the Winograd F(4x4, 5x5) matrices used by assembly/winograd.ts and
src/kernels/ref-winograd.ts, exactly (fractions), and measures their float32 error.

Points 0, 1, -1, 2, -2, 1/2, -1/2 and infinity. With V_k the 8 x k evaluation matrix
(row p: 1, p, ..., p^(k-1); row infinity: 0 ... 0 1), a correlation of d (8 values) with an
r-tap filter g, giving m = 9 - r outputs, is  y = V_m^T ((V_r g) * (V_8^-T d)).
The rows of V_8^-T are scaled by SCALE to small exact numbers; the filter rows by 1/SCALE.

Run: python3 tools/winograd-derive.py   (needs numpy for the error check)
"""
from fractions import Fraction as Fr

POINTS = [Fr(0), Fr(1), Fr(-1), Fr(2), Fr(-2), Fr(1, 2), Fr(-1, 2)]
SCALE = [Fr(1), Fr(9, 2), Fr(9, 2), Fr(180), Fr(180), Fr(45, 16), Fr(45, 16), Fr(1)]


def evaluation(k):
    rows = [[p ** j for j in range(k)] for p in POINTS]
    rows.append([Fr(0)] * (k - 1) + [Fr(1)])
    return rows


def inverse(m):
    n = len(m)
    a = [row[:] + [Fr(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
    for c in range(n):
        p = next(r for r in range(c, n) if a[r][c] != 0)
        a[c], a[p] = a[p], a[c]
        a[c] = [x / a[c][c] for x in a[c]]
        for r in range(n):
            if r != c and a[r][c] != 0:
                f = a[r][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [row[n:] for row in a]


inv = inverse(evaluation(8))
data = [[inv[j][i] * SCALE[i] for j in range(8)] for i in range(8)]  # scaled V_8^-T
filter5 = [[v / SCALE[i] for v in row] for i, row in enumerate(evaluation(5))]
grad4 = [[v / SCALE[i] for v in row] for i, row in enumerate(evaluation(4))]

print("data transform (rows scaled by", [str(s) for s in SCALE], "):")
for row in data:
    print("  [" + ", ".join(str(x) for x in row) + "]")
print("filter transform V_5 / s:")
for row in filter5:
    print("  [" + ", ".join(str(x) for x in row) + "]")

try:
    import numpy as np
except ImportError:
    raise SystemExit("numpy not found: skipping the float32 error check")

f64 = lambda m: np.array([[float(x) for x in r] for r in m])
B, G, A = f64(data), f64(filter5), f64(evaluation(4)).T
rng = np.random.default_rng(0)
worst = 0.0
for _ in range(50):
    d = rng.standard_normal((20, 8, 8))
    g = rng.standard_normal((20, 5, 5)) * 0.1
    direct = np.array([[(d[:, i:i + 5, j:j + 5] * g).sum() for j in range(4)] for i in range(4)])
    u = np.einsum("ik,ckl,jl->cij", G.astype(np.float32), g.astype(np.float32), G.astype(np.float32))
    v = np.einsum("ik,ckl,jl->cij", B.astype(np.float32), d.astype(np.float32), B.astype(np.float32))
    y = A.astype(np.float32) @ (u * v).sum(0, dtype=np.float32) @ A.T.astype(np.float32)
    worst = max(worst, np.abs(y - direct).max() / np.abs(direct).max())
print(f"float32 error, 20 channels: {worst:.2e} of the largest output")
