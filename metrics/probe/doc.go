// Package probe fits the linear probes of an audit: standardisation,
// L2-regularised logistic regression and cross-validated choice of its
// strength.
//
// A probe measures how well a label (the target, for utility, or a protected
// attribute, for leakage) can be decoded linearly from embeddings. Its numbers
// reproduce scikit-learn 1.2's
//
//	StandardScaler + LogisticRegression(solver='lbfgs', max_iter=1000)
//	    + GridSearchCV(cv=5) over C
//
// up to the convergence tolerance of the solvers (about 1e-4 in
// probabilities): Standardize is StandardScaler fitted on the training rows,
// Fit is LogisticRegression, StratifiedKFold is scikit-learn's unshuffled
// StratifiedKFold and SelectC is GridSearchCV's choice of C by mean validation
// accuracy.
//
// The logistic regressions are fitted with the L-BFGS of
// gonum.org/v1/gonum/optimize, configured as scikit-learn's L-BFGS-B (see
// FitWith).
//
// Embeddings are held in float32 (dataset.Matrix); every statistic, weight
// and probability is computed in float64. Labels are ints 0..K−1.
package probe
