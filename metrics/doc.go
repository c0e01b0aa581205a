// Package metrics audits fixed representations: it measures how useful
// embeddings are for a target (linear-probe accuracy), how much they leak a
// protected attribute (fresh attackers, mutual-information bounds and
// estimates, re-identification) and how fair a probe trained on them is across
// groups, each figure with a percentile bootstrap confidence interval over test
// rows. Audit(...) returns a Result, the JSON-serialisable, versioned record that
// package reports renders.
//
// Sub-packages hold the algorithms: probe (standardisation and logistic
// regression), knn (kNN mutual information and re-identification), roc (ROC
// AUC), fairness (fairlearn's group metrics) and bootstrap (resampling and
// percentile intervals).
package metrics
