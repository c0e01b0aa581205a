#!/usr/bin/python3
"""Write sklearn.json: scikit-learn reference values for package roc's tests.

Run from this directory with Debian's python3-sklearn (scikit-learn 1.2):

    /usr/bin/python3 gen_sklearn.py

The fixtures are drawn from numpy.random.RandomState(20240611), so rerunning
reproduces the file. JSON floats are written with repr, so they read back
into Go's float64 bit-exactly.
"""
import json

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score, roc_curve

rng = np.random.RandomState(20240611)


def tpr_at_fpr(y, s, w, max_fpr):
    fpr, tpr, _ = roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    return float(tpr[fpr <= max_fpr].max())


def bootstrap_weights(n):
    """Multiplicities of one bootstrap resample of n rows."""
    return np.bincount(rng.randint(0, n, size=n), minlength=n).astype(float)


binary = []
# Scores rounded to 1 or 2 decimals make many ties; the third case has
# distinct scores; the large case has enough negatives (about 1,500) for
# FPR 1e-3 to admit at least one.
for name, n, decimals, pos_rate in [
    ("ties_1dp", 200, 1, 0.4),
    ("ties_2dp", 500, 2, 0.3),
    ("distinct", 300, None, 0.5),
    ("large_2dp", 3000, 2, 0.5),
]:
    y = rng.rand(n) < pos_rate
    s = rng.rand(n) + 0.35 * y
    if decimals is not None:
        s = np.round(s, decimals)
    w = bootstrap_weights(n)
    case = {
        "name": name,
        "scores": s.tolist(),
        "positive": [bool(v) for v in y],
        "weights": w.tolist(),
        "auc": float(roc_auc_score(y, s)),
        "auc_weighted": float(roc_auc_score(y, s, sample_weight=w)),
        "tpr_at_fpr": {},
        "tpr_at_fpr_weighted": {},
    }
    for max_fpr in (0.1, 1e-3):
        case["tpr_at_fpr"][repr(max_fpr)] = tpr_at_fpr(y, s, None, max_fpr)
        case["tpr_at_fpr_weighted"][repr(max_fpr)] = tpr_at_fpr(y, s, w, max_fpr)
    binary.append(case)

# A 4-class probability fixture: rows of a Dirichlet, sharpened towards the
# true class so the AUCs are informative, rounded to 2 decimals for ties and
# renormalised (sklearn requires rows summing to 1).
n, k = 400, 4
labels = rng.randint(0, k, size=n)
proba = rng.dirichlet(np.ones(k), size=n)
proba[np.arange(n), labels] += 0.3
proba = np.round(proba / proba.sum(axis=1, keepdims=True), 2)
proba = proba / proba.sum(axis=1, keepdims=True)
w = bootstrap_weights(n)
multiclass = {
    "k": k,
    "proba": proba.ravel().tolist(),
    "labels": labels.tolist(),
    "weights": w.tolist(),
    "macro_ovr_auc": float(roc_auc_score(labels, proba, multi_class="ovr", average="macro")),
    "macro_ovr_auc_weighted": float(
        roc_auc_score(labels, proba, multi_class="ovr", average="macro", sample_weight=w)
    ),
}

out = {
    "generator": "gen_sklearn.py",
    "sklearn_version": sklearn.__version__,
    "numpy_version": np.__version__,
    "binary": binary,
    "multiclass": multiclass,
}
with open("sklearn.json", "w") as f:
    json.dump(out, f)
    f.write("\n")
