package roc

// AUC returns the area under the ROC curve of scores for the binary labels
// positive, with sample i counted weights[i] times:
//
//	AUC = P(score_pos > score_neg) + ½·P(score_pos = score_neg)
//
// where pos and neg are a positive and a negative sample drawn independently
// with probability proportional to their weights. It equals the trapezoidal
// area under the ROC curve, and scikit-learn 1.2's
// roc_auc_score(positive, scores, sample_weight=weights). A larger score
// means "more likely positive". The AUC is unitless, in [0, 1].
//
// If weights is nil then all of the weights are 1. Weights are
// multiplicities (a bootstrap resample's counts): they need not be integers
// but must not be negative or NaN. AUC is NaN if the positives or the
// negatives have zero total weight, or if a score is NaN (scikit-learn raises
// an error in both cases).
//
// AUC panics if the lengths of scores, positive and a non-nil weights
// differ, or if a weight is negative or NaN. It takes O(n·log n) time; to
// score many weightings of the same scores, use NewSorted once and
// Sorted.AUC, O(n) per call.
func AUC(scores []float64, positive []bool, weights []float64) float64 {
	if len(positive) != len(scores) {
		panic(errLength)
	}
	return NewSorted(scores).AUC(positive, weights)
}

// TPRAtFPR returns the true positive rate at the best operating point of the
// step ROC curve whose false positive rate is at most maxFPR:
//
//	TPRAtFPR = max { TPR(t) : FPR(t) ≤ maxFPR }
//	TPR(t)   = W(score ≥ t, positive) / W(positive)
//	FPR(t)   = W(score ≥ t, negative) / W(negative)
//
// where W sums the weights of the samples that satisfy its condition, and the
// threshold t runs over +Inf and the distinct score values. The ROC curve is
// not interpolated between its points: this is the largest tpr among the
// points with fpr ≤ maxFPR of scikit-learn 1.2's
// roc_curve(positive, scores, sample_weight=weights, drop_intermediate=False).
// The point (0, 0) always qualifies, so the result is in [0, 1] unless it is
// NaN; both rates are fractions, not percentages.
//
// Weights, NaN results and panics are as for AUC; TPRAtFPR also panics if
// maxFPR is outside [0, 1] or NaN.
func TPRAtFPR(scores []float64, positive []bool, weights []float64, maxFPR float64) float64 {
	if len(positive) != len(scores) {
		panic(errLength)
	}
	return NewSorted(scores).TPRAtFPR(positive, weights, maxFPR)
}
