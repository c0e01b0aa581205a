#!/usr/bin/python3
"""Write sklearn_curve.json: scikit-learn reference ROC curves for package
roc's Curve and Thin tests.

Run from this directory with Debian's python3-sklearn (scikit-learn 1.2):

    /usr/bin/python3 gen_sklearn_curve.py

The fixtures are drawn from numpy.random.RandomState(20240612), so rerunning
reproduces the file. JSON floats are written with repr, so they read back
into Go's float64 bit-exactly.

"curve" is roc_curve(positive, scores, sample_weight=weights,
drop_intermediate=False) as (fpr, tpr); "thinned" applies the rule
documented on roc.Thin, written here independently of the Go code: curves
of at most 200 points are kept whole; otherwise keep the first point, for
each grid FPR g = 10**(k/40 - 4), k = 0..160, the last point with fpr <= g,
and the last point, each once, in order.
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import roc_curve

rng = np.random.RandomState(20240612)

GRID = [10 ** (k / 40 - 4) for k in range(161)]


def thin(fpr, tpr):
    if len(fpr) <= 200:
        return fpr.tolist(), tpr.tolist()
    idx = [0]
    for g in GRID:
        # fpr is nondecreasing: the last index with fpr <= g.
        i = int(np.searchsorted(fpr, g, side="right")) - 1
        if i > idx[-1]:
            idx.append(i)
    if len(fpr) - 1 > idx[-1]:
        idx.append(len(fpr) - 1)
    return fpr[idx].tolist(), tpr[idx].tolist()


def bootstrap_weights(n):
    """Multiplicities of one bootstrap resample of n rows."""
    return np.bincount(rng.randint(0, n, size=n), minlength=n).astype(float)


cases = []
# ties_2dp: few distinct scores, so the curve is kept whole. distinct: 601
# points, thinned. weighted_ties: a bootstrap resample's multiplicities.
# many_negatives_3dp: about 2,550 negatives, so FPRs reach 4e-4 and the log
# grid below 1e-2 picks distinct points; its full curve is not stored (only
# its length), the thinned one is.
for name, n, decimals, pos_rate, weighted, store_curve in [
    ("ties_2dp", 400, 2, 0.4, False, True),
    ("distinct", 600, None, 0.5, False, True),
    ("weighted_ties", 300, 2, 0.5, True, True),
    ("many_negatives_3dp", 3000, 3, 0.15, False, False),
]:
    y = rng.rand(n) < pos_rate
    s = rng.rand(n) + 0.35 * y
    if decimals is not None:
        s = np.round(s, decimals)
    w = bootstrap_weights(n) if weighted else None
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    tf, tt = thin(fpr, tpr)
    case = {
        "name": name,
        "scores": s.tolist(),
        "positive": [bool(v) for v in y],
        "weights": None if w is None else w.tolist(),
        "curve_len": len(fpr),
        "thinned_fpr": tf,
        "thinned_tpr": tt,
    }
    if store_curve:
        case["curve_fpr"] = fpr.tolist()
        case["curve_tpr"] = tpr.tolist()
    cases.append(case)

out = {
    "generator": "gen_sklearn_curve.py",
    "sklearn_version": sklearn.__version__,
    "numpy_version": np.__version__,
    "grid": GRID,
    "cases": cases,
}
with open("sklearn_curve.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
