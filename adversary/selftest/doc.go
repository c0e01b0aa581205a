// Package selftest runs MI estimators on tasks whose true mutual information
// is known, the benchmark of the MI-estimation literature.
//
// Two families of tasks have a known truth. Correlated Gaussians (Belghazi
// et al. 2018; Poole et al. 2019; Song & Ermon 2020; Cheng et al. 2020):
// x ~ N(0, I_d) and y = ρx + √(1−ρ²)·ε with ε ~ N(0, I_d), whose mutual
// information has the closed form
//
//	I(X;Y) = −d/2 · log(1 − ρ²) nats;
//
// the standard staircase raises it through 2, 4, 6, 8 and 10 nats at d = 20
// with batches of 64. Gaussian mixtures with a discrete label S (the shape of
// a protected attribute): S uniform on K classes and Z | S = s ~ N(μ_s, I),
// whose truth
//
//	I(Z;S) = H(S) − E[H(S|Z)]
//
// has no closed form and is computed by Monte Carlo with the exact posterior
// p(s|z) ∝ π_s·N(z; μ_s, I), with its standard error.
//
// Estimators plug in as Trainers. Run trains each one on fresh batches,
// estimates on fresh held-out batches after every step, and reports the
// bias, variance and mean squared error of the held-out estimates over the
// last steps of each level, as in Song & Ermon (2020) and Cheng et al.
// (2020). Write renders the Result as a terminal table, Markdown or JSON.
//
// All randomness comes from a seed or a passed-in *rand.Rand: the same seed
// gives the same numbers. The package never prints; progress goes to a
// Recorder.
package selftest
