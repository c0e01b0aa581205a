#!/usr/bin/python3
"""Generate the scikit-learn reference output pinned by probe_test.go.

Run from this directory with the system interpreter (Debian python3-sklearn):

    /usr/bin/python3 gen_sklearn.py

It writes multiclass.csv, binary.csv (float32 features printed with the repr
of np.float32, a label column y and a split column, 1 = train, 0 = test) and
sklearn.json, which records sklearn.__version__ and, for each data set:

  - StandardScaler().fit(X[train]) mean_ and scale_;
  - for C in {0.01, 1, 100}: LogisticRegression(C=C, max_iter=1000) (lbfgs)
    fitted on the standardised training rows: predict_proba of the first 20
    test rows, predict of all test rows, accuracy on the test rows; and the
    same 20 rows of probabilities at the exact minimiser of the same
    objective, C*sum(cross-entropy) + |W|^2/2, found by SciPy's L-BFGS-B
    started from scikit-learn's solution with ftol=0 (scikit-learn stops on
    a relative decrease of F below 2.2e-9, about 1e-5 away in probability);
  - StratifiedKFold(5) test-fold ids for the training labels;
  - GridSearchCV(LogisticRegression(max_iter=1000), C in 10^[-4..2], cv=5):
    best C and cv_results_ mean_test_score;
  - the smallest decision margin (top logit minus runner-up) over every
    prediction above, to show that no pinned prediction is a near tie.

It also pins the case of a class absent from the training rows: the 3-class
set fitted (C=1) on its training rows of classes 0 and 2 only.
"""
import json

import numpy as np
import scipy
import sklearn
from scipy import optimize
from scipy.special import expit, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

FITS_C = [0.01, 1.0, 100.0]
GRID = [float(c) for c in 10.0 ** np.arange(-4, 3)]


def make_set(seed, sizes, d, sep, n_train):
    rng = np.random.default_rng(seed)
    k = len(sizes)
    centers = rng.normal(0.0, sep, size=(k, d))
    X = np.concatenate([centers[c] + rng.normal(size=(s, d)) for c, s in enumerate(sizes)])
    y = np.concatenate([np.full(s, c) for c, s in enumerate(sizes)])
    # Features on very different scales and offsets, so that the
    # standardisation matters, plus one constant feature (scale_ 1).
    scales = np.array([1.0, 10.0, 0.1, 3.0, 100.0, 0.5, 7.0][:d])
    offsets = np.array([0.0, -5.0, 2.0, 40.0, 1000.0, -0.3, 1.5][:d])
    X = X * scales + offsets
    X = np.concatenate([X, np.full((len(y), 1), 2.5)], axis=1)
    perm = rng.permutation(len(y))
    X, y = X[perm].astype(np.float32), y[perm]
    split = np.zeros(len(y), dtype=int)
    split[rng.permutation(len(y))[:n_train]] = 1
    return X, y, split


def write_csv(path, X, y, split):
    with open(path, "w") as f:
        f.write(",".join([f"f{j}" for j in range(X.shape[1])] + ["y", "split"]) + "\n")
        for row, label, s in zip(X, y, split):
            f.write(",".join([repr(np.float32(v)) for v in row] + [str(label), str(s)]) + "\n")


def read_csv(path):
    data = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=np.float64)
    X = data[:, :-2].astype(np.float32)
    return X, data[:, -2].astype(int), data[:, -1].astype(int)


def margin(clf, X):
    dec = clf.decision_function(X)
    if dec.ndim == 1:
        return float(np.min(np.abs(dec)))
    dec = np.sort(dec, axis=1)
    return float(np.min(dec[:, -1] - dec[:, -2]))


def exact_proba(clf, X, y, Xq, C):
    """Probabilities on Xq at the minimiser of C*sum(CE) + |W|^2/2, polished
    from clf's solution; also returns max|gradient| there."""
    X = X.astype(np.float64)
    n, d = X.shape
    K = len(clf.classes_)
    if K > 2:
        Y = (y[:, None] == clf.classes_[None, :]).astype(np.float64)

        def f(p):
            W, b = p[: K * d].reshape(K, d), p[K * d:]
            Z = X @ W.T + b
            P = softmax(Z, axis=1)
            L = np.logaddexp.reduce(Z, axis=1) - (Z * Y).sum(axis=1)
            R = P - Y
            return C * L.sum() + 0.5 * (W * W).sum(), np.concatenate([(C * R.T @ X + W).ravel(), C * R.sum(axis=0)])
    else:
        t = (y == clf.classes_[1]).astype(np.float64)

        def f(p):
            w, b = p[:d], p[d]
            z = X @ w + b
            r = expit(z) - t
            return C * (np.logaddexp(0, z) - t * z).sum() + 0.5 * w @ w, np.concatenate([C * X.T @ r + w, [C * r.sum()]])
    p0 = np.concatenate([clf.coef_.ravel(), clf.intercept_])
    res = optimize.minimize(f, p0, jac=True, method="L-BFGS-B",
                            options=dict(ftol=0, gtol=1e-13, maxiter=100000, maxcor=30))
    p = res.x
    Xq = Xq.astype(np.float64)
    if K > 2:
        P = softmax(Xq @ p[: K * d].reshape(K, d).T + p[K * d:], axis=1)
    else:
        q = expit(Xq @ p[:d] + p[d])
        P = np.stack([1 - q, q], axis=1)
    return P.tolist(), float(np.max(np.abs(res.jac)))


def reference(name, X, y, split):
    train, test = split == 1, split == 0
    scaler = StandardScaler().fit(X[train])
    Xs = scaler.transform(X)
    Xtr, ytr, Xte, yte = Xs[train], y[train], Xs[test], y[test]
    out = {
        "csv": name + ".csv",
        "k": int(y.max()) + 1,
        "scaler_mean": scaler.mean_.tolist(),
        "scaler_scale": scaler.scale_.tolist(),
        "fits": [],
    }
    margins = []
    for c in FITS_C:
        clf = LogisticRegression(C=c, max_iter=1000).fit(Xtr, ytr)
        margins.append(margin(clf, Xte))
        exact, exact_grad = exact_proba(clf, Xtr, ytr, Xte[:20], c)
        out["fits"].append({
            "C": c,
            "n_iter": int(np.max(clf.n_iter_)),
            "proba_first20": clf.predict_proba(Xte[:20]).tolist(),
            "predict": clf.predict(Xte).tolist(),
            "accuracy": float(clf.score(Xte, yte)),
            "proba_first20_exact": exact,
            "exact_max_abs_grad": exact_grad,
        })
    skf = StratifiedKFold(n_splits=5)
    out["folds"] = skf._make_test_folds(Xtr, ytr).tolist()
    gs = GridSearchCV(LogisticRegression(max_iter=1000), {"C": GRID}, cv=5).fit(Xtr, ytr)
    out["grid"] = GRID
    out["cv_mean_test_score"] = gs.cv_results_["mean_test_score"].tolist()
    out["cv_split_test_score"] = [gs.cv_results_[f"split{i}_test_score"].tolist() for i in range(5)]
    out["best_C"] = float(gs.best_params_["C"])
    for c in GRID:
        for tr, va in skf.split(Xtr, ytr):
            clf = LogisticRegression(C=c, max_iter=1000).fit(Xtr[tr], ytr[tr])
            margins.append(margin(clf, Xtr[va]))
    out["min_margin"] = min(margins)
    return out, Xs


def main():
    sets = {
        "multiclass": make_set(seed=20230101, sizes=[120, 100, 80], d=5, sep=1.3, n_train=240),
        "binary": make_set(seed=20230102, sizes=[110, 90], d=4, sep=0.9, n_train=160),
    }
    ref = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "generator": "gen_sklearn.py",
        "datasets": {},
    }
    for name, (X, y, split) in sets.items():
        write_csv(name + ".csv", X, y, split)
        X2, y2, split2 = read_csv(name + ".csv")
        assert np.array_equal(X, X2) and np.array_equal(y, y2) and np.array_equal(split, split2)
        ref["datasets"][name], Xs = reference(name, X, y, split)
        if name == "multiclass":
            keep = (split == 1) & (y != 1)
            clf = LogisticRegression(C=1.0, max_iter=1000).fit(Xs[keep], y[keep])
            test = split == 0
            ref["absent"] = {
                "dataset": name,
                "absent_class": 1,
                "C": 1.0,
                "classes": clf.classes_.tolist(),
                "proba_test": clf.predict_proba(Xs[test]).tolist(),
                "predict": clf.predict(Xs[test]).tolist(),
                "min_margin": margin(clf, Xs[test]),
            }
    with open("sklearn.json", "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    for name, d in ref["datasets"].items():
        print(name, "sklearn vs exact", [float(np.max(np.abs(np.subtract(f["proba_first20"], f["proba_first20_exact"])))) for f in d["fits"]],
              "exact grad", [f["exact_max_abs_grad"] for f in d["fits"]])
        print(name, "best C", d["best_C"], "cv", d["cv_mean_test_score"],
              "acc", [f["accuracy"] for f in d["fits"]], "iters", [f["n_iter"] for f in d["fits"]],
              "min margin", d["min_margin"])
    print("absent min margin", ref["absent"]["min_margin"])


if __name__ == "__main__":
    main()
