package fairness

import (
	"cmp"
	"math"
	"slices"
)

// OneVsRest holds the fairness of multiclass predictions, one class at a
// time taken as the positive label against all others.
type OneVsRest[L cmp.Ordered] struct {
	// Classes are the distinct values of y and ŷ together, in increasing
	// order; a class that only occurs among the predictions is included
	// (its TPRs are NaN).
	Classes []L
	// Results[c] is Compute with Classes[c] as the positive label.
	Results []Result
	// Worst is the index in Classes of the class with the largest
	// EqualizedOddsDifference (the first such class on a tie, NaN ones
	// skipped), or −1 if there is no class or every one is NaN.
	Worst int
}

// ComputeOneVsRest returns Compute for each class of y and yhat taken as the
// positive label, and the worst class: the one with the largest equalized
// odds difference. L is usually int or string (a float label must not be
// NaN). Weights and panics are as for Compute. It takes
// O(K·(n + G·log G)) time for K classes and G groups.
func ComputeOneVsRest[L cmp.Ordered](groups []string, y, yhat []L, weights []float64) OneVsRest[L] {
	if len(y) != len(groups) || len(yhat) != len(groups) {
		panic(errLength)
	}
	classes := slices.Concat(y, yhat)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	o := OneVsRest[L]{Classes: classes, Results: make([]Result, len(classes)), Worst: -1}
	for c, pos := range classes {
		o.Results[c] = Compute(groups, y, yhat, pos, weights)
		eo := o.Results[c].EqualizedOddsDifference
		if !math.IsNaN(eo) && (o.Worst < 0 || eo > o.Results[o.Worst].EqualizedOddsDifference) {
			o.Worst = c
		}
	}
	return o
}
