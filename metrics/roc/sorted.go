package roc

import (
	"cmp"
	"math"
	"slices"
)

// Sorted is a score vector sorted once, in decreasing order, with its tie
// groups (runs of equal scores) marked, so that the AUC and the TPR at a
// false positive rate of any labelling and any weighting of the same samples
// take O(n) time. It suits the bootstrap: one NewSorted, then one call per
// resample with that resample's multiplicities as weights.
//
// A Sorted is read-only after NewSorted and safe for concurrent use.
type Sorted struct {
	n      int
	order  []int32 // sample indices by decreasing score
	starts []int32 // starts[g] is where tie group g begins in order; the last element is n
	hasNaN bool
}

// NewSorted sorts the indices of scores by decreasing score in
// O(n·log n) time and 8·n bytes at most. scores is not retained.
// If any score is NaN, every figure of the returned Sorted is NaN.
// ±Inf scores are ordinary (extreme) scores. NewSorted panics if
// len(scores) does not fit in an int32.
func NewSorted(scores []float64) *Sorted {
	n := len(scores)
	if n > math.MaxInt32 {
		panic("roc: too many scores")
	}
	s := &Sorted{n: n}
	for _, v := range scores {
		if math.IsNaN(v) {
			s.hasNaN = true
			return s
		}
	}
	s.order = make([]int32, n)
	for i := range s.order {
		s.order[i] = int32(i)
	}
	// Ties are broken by index only to make the order deterministic; no
	// figure depends on the order within a tie group.
	slices.SortFunc(s.order, func(a, b int32) int {
		if c := cmp.Compare(scores[b], scores[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for i := 0; i < n; i++ {
		// == treats −0 and +0 as one score, as numpy's np.diff does.
		if i == 0 || scores[s.order[i]] != scores[s.order[i-1]] {
			s.starts = append(s.starts, int32(i))
		}
	}
	s.starts = append(s.starts, int32(n))
	return s
}

// Len returns the number of samples.
func (s *Sorted) Len() int { return s.n }

// AUC returns the ROC AUC of the sorted scores for the labelling positive,
// with the samples weighted by weights; see the package function AUC for the
// definition. It panics if len(positive) or a non-nil len(weights) differs
// from Len(), or if a weight is negative or NaN.
func (s *Sorted) AUC(positive []bool, weights []float64) float64 {
	if len(positive) != s.n {
		panic(errLength)
	}
	return s.auc(func(i int32) bool { return positive[i] }, weights)
}

// TPRAtFPR returns the largest true positive rate among the points of the
// step ROC curve of the sorted scores whose false positive rate is at most
// maxFPR; see the package function TPRAtFPR for the definition and the
// panics.
func (s *Sorted) TPRAtFPR(positive []bool, weights []float64, maxFPR float64) float64 {
	if len(positive) != s.n {
		panic(errLength)
	}
	checkMaxFPR(maxFPR)
	return s.tprAtFPR(func(i int32) bool { return positive[i] }, weights, maxFPR)
}

const (
	errLength = "roc: slice length mismatch"
	errWeight = "roc: negative or NaN weight"
	errMaxFPR = "roc: maxFPR outside [0, 1]"
	errK      = "roc: number of classes k < 1"
	errLabel  = "roc: label outside [0, k)"
)

func checkMaxFPR(maxFPR float64) {
	if !(maxFPR >= 0 && maxFPR <= 1) {
		panic(errMaxFPR)
	}
}

// totals returns the summed weight of the positive and of the negative
// samples. It panics on a bad weight or a weights length mismatch.
func (s *Sorted) totals(pos func(int32) bool, weights []float64) (p, q float64) {
	if weights == nil {
		for i := 0; i < s.n; i++ {
			if pos(int32(i)) {
				p++
			} else {
				q++
			}
		}
		return p, q
	}
	if len(weights) != s.n {
		panic(errLength)
	}
	for i, w := range weights {
		if !(w >= 0) {
			panic(errWeight)
		}
		if pos(int32(i)) {
			p += w
		} else {
			q += w
		}
	}
	return p, q
}

// group returns the summed weight of the positive and of the negative samples
// of tie group g.
func (s *Sorted) group(g int, pos func(int32) bool, weights []float64) (tp, fp float64) {
	for _, i := range s.order[s.starts[g]:s.starts[g+1]] {
		w := 1.0
		if weights != nil {
			w = weights[i]
		}
		if pos(i) {
			tp += w
		} else {
			fp += w
		}
	}
	return tp, fp
}

// auc sums, over tie groups g taken by decreasing score,
//
//	neg_g · (pos_before_g + ½·pos_g)
//
// which is the weighted number of (positive, negative) pairs ranked correctly
// plus half the tied pairs, and divides by P·N. With integer weights every
// partial sum is exact, so only the final division rounds.
func (s *Sorted) auc(pos func(int32) bool, weights []float64) float64 {
	if s.hasNaN {
		if weights != nil && len(weights) != s.n {
			panic(errLength)
		}
		return math.NaN()
	}
	p, q := s.totals(pos, weights)
	if p == 0 || q == 0 {
		return math.NaN()
	}
	var area, before float64
	for g := 0; g < len(s.starts)-1; g++ {
		tp, fp := s.group(g, pos, weights)
		area += fp * (before + tp/2)
		before += tp
	}
	return area / (p * q)
}

// tprAtFPR walks the step ROC curve from the point (0, 0) (threshold +Inf)
// through one point per tie group and keeps the TPR of the last point whose
// FPR is within budget; the FPR never decreases along the walk and neither
// does the TPR, so that TPR is the largest.
func (s *Sorted) tprAtFPR(pos func(int32) bool, weights []float64, maxFPR float64) float64 {
	if s.hasNaN {
		if weights != nil && len(weights) != s.n {
			panic(errLength)
		}
		return math.NaN()
	}
	p, q := s.totals(pos, weights)
	if p == 0 || q == 0 {
		return math.NaN()
	}
	var tps, fps, best float64
	for g := 0; g < len(s.starts)-1; g++ {
		tp, fp := s.group(g, pos, weights)
		tps += tp
		fps += fp
		// fps/q and tps/p are computed as sklearn's roc_curve computes
		// fpr and tpr, so the comparison with maxFPR agrees with it
		// at the boundary.
		if fps/q > maxFPR {
			break
		}
		best = tps / p
	}
	return best
}
