#!/usr/bin/python3
"""Generate sklearn_mi.json: reference values of the kNN estimator of
I(Z;S) for continuous 1-D Z and discrete S (Ross 2014) from scikit-learn.

Run from metrics/knn:  /usr/bin/python3 testdata/gen_sklearn.py

Two kinds of fixture:

  "public": mutual_info_classif(x.reshape(-1, 1), s, discrete_features=False,
     n_neighbors=k, random_state=0). sklearn divides x by its std and adds
     1e-10·noise; the fixture stores x already divided by its std and rounded
     to float32 (what the Go test feeds miaudit, whose matrices are float32).
     The data are continuous and tie-free, so the rescale, the float32
     rounding and the noise do not change any neighbour count (but see the
     brute-force artifact below).

  "private": sklearn.feature_selection._mutual_info._compute_mi_cd(x, s, k)
     called directly on the stored values, for every fixture. The fixtures
     "ties_dyadic" and "duplicates" have only this one: dyadic values
     (multiples of 1/4 or 1/2) with duplicates and equal distances, so that
     tie handling is compared without noise; all distances between such
     values are exact in every code path.

For every fixture the generator also records the per-point counts m_i
(points within the radius, the point itself included) obtained with the same
sklearn calls that _compute_mi_cd makes, and the unclipped estimate.

sklearn's brute-force kneighbors (which NearestNeighbors picks for a class
with count <= 2k+1) returns distances from the expansion |a|^2+|b|^2-2ab,
a few ulps away from |a-b|; when the k-th distance comes out high, the
KDTree radius query then also counts the k-th neighbour itself and m_i is
one too large. The generator therefore also evaluates the algorithm with
exact distances in plain numpy (exact_steps) and records whether sklearn's
public and private results agree with it ("public_matches_exact",
"private_matches_exact"). The fixture "small_classes_artifact" keeps one
such disagreement on record; "small_classes" uses the first seed for which
sklearn's public result is free of it.
"""
import json

import numpy as np
import scipy
import sklearn
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_classif
from sklearn.feature_selection._mutual_info import _compute_mi_cd
from sklearn.neighbors import KDTree, NearestNeighbors


def sklearn_steps(c, d, n_neighbors):
    """The body of sklearn 1.2 _compute_mi_cd, unclipped, returning the
    per-point quantities too (same NearestNeighbors/KDTree calls)."""
    n_samples = c.shape[0]
    c = c.reshape((-1, 1))
    radius = np.empty(n_samples)
    label_counts = np.empty(n_samples)
    k_all = np.empty(n_samples)
    nn = NearestNeighbors()
    for label in np.unique(d):
        mask = d == label
        count = np.sum(mask)
        if count > 1:
            k = min(n_neighbors, count - 1)
            nn.set_params(n_neighbors=k)
            nn.fit(c[mask])
            r = nn.kneighbors()[0]
            radius[mask] = np.nextafter(r[:, -1], 0)
            k_all[mask] = k
        label_counts[mask] = count
    mask = label_counts > 1
    n_used = int(np.sum(mask))
    label_counts = label_counts[mask]
    k_all = k_all[mask]
    c = c[mask]
    radius = radius[mask]
    kd = KDTree(c)
    m_all = np.array(kd.query_radius(c, radius, count_only=True, return_distance=False))
    mi = (digamma(n_used) + np.mean(digamma(k_all)) - np.mean(digamma(label_counts))
          - np.mean(digamma(m_all)))
    return dict(raw=float(mi), used=np.flatnonzero(mask).tolist(), m=m_all.astype(int).tolist(),
                k=k_all.astype(int).tolist(), counts=label_counts.astype(int).tolist(),
                radius=radius)


def exact_steps(c, d, n_neighbors):
    """The same algorithm with exact 1-D distances |a-b| (a-b is exact for
    float32 values held in float64), written out in plain numpy: the
    reference for what the algorithm means when sklearn's brute-force
    distances are off by a few ulps."""
    n = len(c)
    counts = np.array([np.sum(d == d[i]) for i in range(n)])
    used = np.flatnonzero(counts > 1)
    radius, k_all = {}, {}
    for i in used:
        same = sorted(abs(c[i] - c[j]) for j in range(n) if j != i and d[j] == d[i])
        k_all[i] = min(n_neighbors, len(same))
        radius[i] = np.nextafter(same[k_all[i] - 1], 0)
    m = [int(sum(1 for j in used if abs(c[i] - c[j]) <= radius[i])) for i in used]
    raw = (digamma(len(used)) + np.mean([digamma(k_all[i]) for i in used])
           - np.mean(digamma(counts[used])) - np.mean(digamma(m)))
    terms = [float(digamma(len(used)) + digamma(k_all[i]) - digamma(counts[i]) - digamma(mi))
             for i, mi in zip(used, m)]
    return dict(raw=float(raw), used=used.tolist(), m=m, terms=terms)


def f32(values):
    return np.asarray(values, dtype=np.float64).astype(np.float32)


fixtures = []


def add(name, x32, s, k, public, note):
    x = x32.astype(np.float64)
    s = np.asarray(s, dtype=np.int64)
    steps = sklearn_steps(x, s, k)
    private = float(_compute_mi_cd(x, s, k))
    assert abs(private - max(0.0, steps["raw"])) < 1e-15, name
    exact = exact_steps(x, s, k)
    fx = dict(name=name, note=note, n_neighbors=k, x=[float(v) for v in x32],
              labels=s.tolist(), mi_private=private, raw_private=steps["raw"],
              m_private=steps["m"], raw_exact=exact["raw"], used=exact["used"],
              m_exact=exact["m"], terms_exact=exact["terms"],
              private_matches_exact=bool(steps["m"] == exact["m"]))
    assert steps["used"] == exact["used"], name
    if public:
        pub = float(mutual_info_classif(x.reshape(-1, 1), s, discrete_features=False,
                                        n_neighbors=k, random_state=0)[0])
        fx["mi_public"] = pub
        fx["public_matches_exact"] = bool(abs(pub - max(0.0, exact["raw"])) < 1e-12)
    fixtures.append(fx)
    return fx


def scaled(x):
    x = np.asarray(x, dtype=np.float64)
    return (x / np.std(x)).astype(np.float32)


def gauss_data(seed, sizes, means):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(mu, 1.0, n) for n, mu in zip(sizes, means)])
    s = np.concatenate([np.full(n, lab) for lab, n in enumerate(sizes)])
    p = rng.permutation(len(x))
    return scaled(x[p]), s[p]


def gauss(seed, sizes, means, k, name, note):
    x, s = gauss_data(seed, sizes, means)
    return add(name, x, s, k, True, note)


gauss(1, [20, 20], [0.0, 1.5], 3, "two_gauss_n40", "two classes of 20, means 0 and 1.5")
gauss(2, [25, 14, 1], [0.0, 2.0, -1.0], 3, "singleton", "classes 25, 14 and one point of its own label")
small = ([30, 3, 2, 1], [0.0, 1.0, -2.0, 0.5])
fx = gauss(3, *small, 3, "small_classes_artifact",
           "classes of 3 and 2 points and a singleton; sklearn's public result carries the "
           "brute-force radius artifact, its private result on the stored x does not")
assert not fx["public_matches_exact"] and fx["private_matches_exact"]
for seed in range(100, 200):
    x, s = gauss_data(seed, *small)
    pub = float(mutual_info_classif(x.astype(np.float64).reshape(-1, 1), s,
                                    discrete_features=False, n_neighbors=3, random_state=0)[0])
    if abs(pub - max(0.0, exact_steps(x.astype(np.float64), s, 3)["raw"])) < 1e-12:
        break
fx = add("small_classes", x, s, 3, True,
         f"classes of 3 and 2 points (count <= k, so k_i = count-1) and a singleton; seed {seed}")
fx["seed"] = seed
gauss(4, [60, 60, 60, 20], [0.0, 0.0, 0.0, 0.0], 3, "independent_n200",
      "labels independent of x: estimate clipped at 0, raw negative")
gauss(5, [200, 150, 150], [0.0, 1.0, 3.0], 3, "three_gauss_n500", "500 points, tree and block boundaries")
gauss(6, [40, 30, 5], [0.0, 1.0, 2.0], 1, "k1", "n_neighbors=1")
gauss(7, [40, 30, 12], [0.0, 1.0, 2.0], 5, "k5", "n_neighbors=5")

# Ties: dyadic values (multiples of 1/4) with duplicates within and across labels.
rng = np.random.default_rng(11)
xt = rng.integers(-8, 9, size=40) / 4.0
st = rng.integers(0, 3, size=40)
add("ties_dyadic", f32(xt), st, 3, False, "values k/4, many equal distances and duplicates")
xd = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 0, 1, 2, 5, 5], dtype=np.float64) / 2.0
sd = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 2, 2])
add("duplicates", f32(xd), sd, 3, False, "same-label duplicates (k-th distance 0) and cross-label duplicates")

out = dict(generator="testdata/gen_sklearn.py", sklearn_version=sklearn.__version__,
           numpy_version=np.__version__, scipy_version=scipy.__version__, fixtures=fixtures)
with open("testdata/sklearn_mi.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", len(fixtures), "fixtures with sklearn", sklearn.__version__)
