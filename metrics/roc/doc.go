// Package roc provides the receiver operating characteristic (ROC) figures of
// a scorer: the area under the ROC curve (AUC), the true positive rate at a
// false positive rate budget, the macro one-vs-rest AUC of a multiclass
// probability matrix, and the ROC curve itself, with a thinning rule that
// keeps its shape in at most 200 points for a plot.
//
// Every figure is defined as scikit-learn 1.2 defines it (roc_auc_score,
// roc_curve) and is tested against its saved output. Optional per-sample
// weights are multiplicities, so that a bootstrap resample can be scored
// without copying the data; Sorted and OvR sort the scores once and then score
// any number of resamples in O(n) each.
package roc
