package fairness

import (
	"math"
	"slices"
)

// Group holds the rates of one group. Rates are fractions in [0, 1], NaN
// where undefined (their denominator has zero weight).
type Group struct {
	// Name is the group's value of the protected attribute.
	Name string
	// N is the number of rows in the group, whatever their weights.
	N int
	// Weight is the total weight of the group's rows: N when weights is
	// nil, the number of draws of the group's rows in a bootstrap resample.
	Weight float64

	// Accuracy is P(ŷ = y | group), comparing the labels themselves
	// (not only positive against rest).
	Accuracy float64
	// SelectionRate is P(ŷ = pos | group).
	SelectionRate float64
	// TPR is the true positive rate P(ŷ = pos | y = pos, group), NaN if
	// the group has no positive rows.
	TPR float64
	// FPR is the false positive rate P(ŷ = pos | y ≠ pos, group), NaN if
	// the group has no negative rows.
	FPR float64
}

// Result holds the per-group rates and fairlearn's between-groups
// disparities for one positive value. Differences are in [0, 1]; the ratio
// is in [0, 1]; each is NaN when fewer than one group has the rate defined.
type Result struct {
	// ByGroup holds one entry per group, sorted by name (byte-wise, which
	// for UTF-8 is the code point order of Python's sorted).
	ByGroup []Group

	// DemographicParityDifference is max − min over groups of the
	// selection rate: fairlearn's demographic_parity_difference.
	DemographicParityDifference float64
	// DemographicParityRatio is min / max over groups of the selection
	// rate: fairlearn's demographic_parity_ratio. It is NaN when no group
	// selects anyone (max = 0), as fairlearn's 0/0 is.
	DemographicParityRatio float64
	// EqualizedOddsDifference is the larger of the TPR difference and the
	// FPR difference (each max − min over groups): fairlearn's
	// equalized_odds_difference with agg="worst_case". If one of the two
	// is NaN the other is taken.
	EqualizedOddsDifference float64
	// EqualOpportunityDifference is max − min over groups of the TPR:
	// fairlearn's equal_opportunity_difference.
	EqualOpportunityDifference float64
}

const (
	errLength = "fairness: slice length mismatch"
	errWeight = "fairness: negative or NaN weight"
)

// Compute returns the rates of each group and the disparities between them
// for the predictions yhat of the labels y, with positive as the positive
// label (binarising y and yhat as "= positive" against the rest). Row i
// belongs to group groups[i] and counts weights[i] times:
//
//	SelectionRate_g = W(ŷ = pos, g) / W(g)
//	TPR_g           = W(ŷ = pos, y = pos, g) / W(y = pos, g)
//	FPR_g           = W(ŷ = pos, y ≠ pos, g) / W(y ≠ pos, g)
//	Accuracy_g      = W(ŷ = y, g) / W(g)
//
//	DemographicParityDifference = max_g SelectionRate_g − min_g SelectionRate_g
//	DemographicParityRatio      = min_g SelectionRate_g / max_g SelectionRate_g
//	EqualOpportunityDifference  = max_g TPR_g − min_g TPR_g
//	EqualizedOddsDifference     = max(max_g TPR_g − min_g TPR_g, max_g FPR_g − min_g FPR_g)
//
// where W sums the weights of the rows that satisfy its condition. These are
// fairlearn's definitions (MetricFrame.difference and ratio with
// method="between_groups").
//
// Undefined rates: a rate whose denominator has zero weight is NaN, and the
// max and min skip NaN groups, as numpy's nanmax and nanmin (and pandas'
// max and min, which fairlearn uses) do; a disparity with no defined group
// is NaN. fairlearn differs for TPR and FPR: it computes them from
// scikit-learn's confusion_matrix(normalize="true"), which turns 0/0 into 0,
// so a group without positive rows gets TPR 0 and enters the max and min.
// The two agree whenever every group has positive and negative rows.
//
// If weights is nil then all of the weights are 1. Weights are
// multiplicities (a bootstrap resample's counts): they need not be integers
// but must not be negative or NaN. A group whose rows all have weight 0 is
// still listed, with every rate NaN.
//
// Compute panics if the lengths of groups, y, yhat and a non-nil weights
// differ, or if a weight is negative or NaN. It takes O(n + G·log G) time for
// G groups.
func Compute[L comparable](groups []string, y, yhat []L, positive L, weights []float64) Result {
	n := len(groups)
	if len(y) != n || len(yhat) != n || (weights != nil && len(weights) != n) {
		panic(errLength)
	}
	type counts struct {
		n                                      int
		w, correct, selected, pos, tp, neg, fp float64
	}
	index := make(map[string]int)
	var names []string
	var cs []counts
	for i, g := range groups {
		w := 1.0
		if weights != nil {
			w = weights[i]
			if !(w >= 0) {
				panic(errWeight)
			}
		}
		j, ok := index[g]
		if !ok {
			j = len(names)
			index[g] = j
			names = append(names, g)
			cs = append(cs, counts{})
		}
		c := &cs[j]
		c.n++
		c.w += w
		if y[i] == yhat[i] {
			c.correct += w
		}
		sel := yhat[i] == positive
		if sel {
			c.selected += w
		}
		if y[i] == positive {
			c.pos += w
			if sel {
				c.tp += w
			}
		} else {
			c.neg += w
			if sel {
				c.fp += w
			}
		}
	}

	sorted := slices.Clone(names)
	slices.Sort(sorted)
	r := Result{ByGroup: make([]Group, len(sorted))}
	for k, name := range sorted {
		c := cs[index[name]]
		r.ByGroup[k] = Group{
			Name:          name,
			N:             c.n,
			Weight:        c.w,
			Accuracy:      ratio(c.correct, c.w),
			SelectionRate: ratio(c.selected, c.w),
			TPR:           ratio(c.tp, c.pos),
			FPR:           ratio(c.fp, c.neg),
		}
	}

	selMin, selMax := nanMinMax(r.ByGroup, func(g Group) float64 { return g.SelectionRate })
	tprMin, tprMax := nanMinMax(r.ByGroup, func(g Group) float64 { return g.TPR })
	fprMin, fprMax := nanMinMax(r.ByGroup, func(g Group) float64 { return g.FPR })
	r.DemographicParityDifference = selMax - selMin
	r.DemographicParityRatio = ratio(selMin, selMax)
	r.EqualOpportunityDifference = tprMax - tprMin
	r.EqualizedOddsDifference = nanMax(tprMax-tprMin, fprMax-fprMin)
	return r
}

// ratio returns num/den, or NaN if den is 0.
func ratio(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// nanMinMax returns the smallest and the largest non-NaN rate(g) over
// groups, or NaN, NaN if there is none.
func nanMinMax(groups []Group, rate func(Group) float64) (lo, hi float64) {
	lo, hi = math.NaN(), math.NaN()
	for _, g := range groups {
		v := rate(g)
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(lo) || v < lo {
			lo = v
		}
		if math.IsNaN(hi) || v > hi {
			hi = v
		}
	}
	return lo, hi
}

// nanMax returns the larger of a and b, ignoring a NaN unless both are.
func nanMax(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Max(a, b)
}
