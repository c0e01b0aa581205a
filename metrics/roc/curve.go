package roc

import (
	"math"
	"slices"
)

// Point is one point of a ROC curve: a false positive rate and a true
// positive rate, both fractions in [0, 1].
type Point struct {
	FPR, TPR float64
}

// Curve returns the ROC curve of scores for the binary labels positive,
// with sample i counted weights[i] times: the point (0, 0) for the
// threshold +Inf, then one point per distinct score t, by decreasing t,
//
//	FPR(t) = W(score ≥ t, negative) / W(negative)
//	TPR(t) = W(score ≥ t, positive) / W(positive)
//
// where W sums the weights of the samples that satisfy its condition; a
// score whose samples all have weight 0 gives no point. The last point is
// (1, 1). These are the fpr and tpr arrays of scikit-learn
// 1.2's roc_curve(positive, scores, sample_weight=weights,
// drop_intermediate=False); TPRAtFPR is the largest TPR among the points
// whose FPR is within its budget.
//
// Curve returns nil where AUC is NaN: when the positives or the negatives
// have zero total weight, or when a score is NaN. Weights and panics are as
// for AUC. It takes O(n·log n) time and returns one more point than there
// are distinct scores; use Thin for a plot.
func Curve(scores []float64, positive []bool, weights []float64) []Point {
	if len(positive) != len(scores) {
		panic(errLength)
	}
	return NewSorted(scores).Curve(positive, weights)
}

// Curve returns the ROC curve of the sorted scores for the labelling
// positive, with the samples weighted by weights; see the package function
// Curve for the definition, nil results and panics. It takes O(n) time.
func (s *Sorted) Curve(positive []bool, weights []float64) []Point {
	if len(positive) != s.n {
		panic(errLength)
	}
	pos := func(i int32) bool { return positive[i] }
	if s.hasNaN {
		if weights != nil && len(weights) != s.n {
			panic(errLength)
		}
		return nil
	}
	p, q := s.totals(pos, weights)
	if p == 0 || q == 0 {
		return nil
	}
	groups := len(s.starts) - 1
	out := make([]Point, 1, groups+1)
	var tps, fps float64
	for g := range groups {
		tp, fp := s.group(g, pos, weights)
		if tp == 0 && fp == 0 {
			// Only zero weights: roc_curve drops such samples first.
			continue
		}
		tps += tp
		fps += fp
		// Rates as in tprAtFPR (and roc_curve): cumulative weight over
		// the total, so that the points agree with TPRAtFPR.
		out = append(out, Point{FPR: fps / q, TPR: tps / p})
	}
	return out
}

// Thinning grid of Thin: thinPerDecade points per decade of FPR from
// 10^thinMinExp to 1; curves of at most thinMax points are kept whole.
const (
	errCurve = "roc: curve not ordered by FPR or NaN rate"

	thinMax       = 200
	thinPerDecade = 40
	thinMinExp    = -4
)

// ThinGrid returns the false positive rates of Thin's grid, uniform in
// log10(FPR) with 40 points per decade from 1e-4 to 1:
//
//	g_k = 10^(k/40 − 4), k = 0, …, 160
//
// computed as math.Pow(10, float64(k)/40-4), which gives 1e-4, 1e-3,
// 0.01, 0.1 and 1 exactly at the decades.
func ThinGrid() []float64 {
	n := -thinMinExp*thinPerDecade + 1
	g := make([]float64, n)
	for k := range g {
		g[k] = math.Pow(10, float64(k)/thinPerDecade+thinMinExp)
	}
	return g
}

// Thin returns a curve of at most 200 points with the shape of curve, for a
// plot. If curve has at most 200 points, Thin returns a copy of it.
// Otherwise it returns the subsequence of the points of curve made of
//
//   - its first point (the threshold +Inf, (0, 0) for a Curve),
//   - for each FPR g of ThinGrid (161 values, uniform in log10(FPR) from
//     1e-4 to 1), the last point whose FPR is at most g, and
//   - its last point ((1, 1) for a Curve),
//
// in order, each point once. Every point returned is a point of curve. For
// a Curve, whose TPR never decreases, the point chosen for g has TPR
// max{TPR : FPR ≤ g}, the step curve's value at g (TPRAtFPR with budget g):
// the thinned curve keeps the TPR at FPR ≤ 1e-3 exactly. At most 163
// points remain.
//
// curve must be ordered by nondecreasing FPR, as Curve returns it; Thin
// panics otherwise, or if a rate is NaN.
func Thin(curve []Point) []Point {
	for i, pt := range curve {
		if math.IsNaN(pt.FPR) || math.IsNaN(pt.TPR) || (i > 0 && pt.FPR < curve[i-1].FPR) {
			panic(errCurve)
		}
	}
	if len(curve) <= thinMax {
		return slices.Clone(curve)
	}
	out := []Point{curve[0]}
	last := 0 // index in curve of the last point kept
	i := 0
	for _, g := range ThinGrid() {
		for i+1 < len(curve) && curve[i+1].FPR <= g {
			i++
		}
		if curve[i].FPR <= g && i > last {
			out = append(out, curve[i])
			last = i
		}
	}
	if end := len(curve) - 1; end > last {
		out = append(out, curve[end])
	}
	return out
}
