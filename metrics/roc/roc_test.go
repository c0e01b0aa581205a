package roc

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tol is the tolerance for figures that are exact in real arithmetic and
// differ from the reference only by floating-point rounding.
const tol = 1e-12

func sameFloat(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

func TestAUCHand(t *testing.T) {
	nan := math.NaN()
	for i, test := range []struct {
		scores   []float64
		positive []bool
		weights  []float64
		want     float64
		// wantTPR is TPRAtFPR at maxFPR.
		maxFPR  float64
		wantTPR float64
	}{
		// 0: scikit-learn's roc_auc_score docstring example: of the 4
		// (pos, neg) pairs, (0.35, 0.4) is the only one misordered,
		// AUC = 3/4. Points (fpr, tpr) by threshold +Inf, 0.8, 0.4,
		// 0.35, 0.1: (0,0), (0,½), (½,½), (½,1), (1,1); at FPR ≤ 0 the
		// best TPR is ½.
		{scores: []float64{0.1, 0.4, 0.35, 0.8}, positive: []bool{false, false, true, true}, want: 0.75, maxFPR: 0, wantTPR: 0.5},
		// 1: as 0, budget ½ admits (½,1).
		{scores: []float64{0.1, 0.4, 0.35, 0.8}, positive: []bool{false, false, true, true}, want: 0.75, maxFPR: 0.5, wantTPR: 1},
		// 2: every score tied: each pair counts ½; the only points are
		// (0,0) and (1,1), so TPR at FPR ≤ 0.1 is 0.
		{scores: []float64{3, 3, 3, 3, 3}, positive: []bool{true, false, true, false, false}, want: 0.5, maxFPR: 0.1, wantTPR: 0},
		// 3: perfect ranking.
		{scores: []float64{0, 1, 2, 3}, positive: []bool{false, false, true, true}, want: 1, maxFPR: 0, wantTPR: 1},
		// 4: reversed ranking.
		{scores: []float64{0, 1, 2, 3}, positive: []bool{true, true, false, false}, want: 0, maxFPR: 0.5, wantTPR: 0},
		// 5: a tie across classes: pairs (2,1)✓ (2,2)½ (0,1)✗ (0,2)✗
		// → 1.5/4. Points: (0,0), (½,½) at t=2, (1,½) at t=1, (1,1).
		{scores: []float64{2, 0, 2, 1}, positive: []bool{true, true, false, false}, want: 0.375, maxFPR: 0.5, wantTPR: 0.5},
		// 6: case 5 with the tied negative counted 3 times: pairs
		// weighted 3·½ + 1 for the positive at 2, 0 for the positive
		// at 0: 2.5 / (2·4).
		{scores: []float64{2, 0, 2, 1}, positive: []bool{true, true, false, false}, weights: []float64{1, 1, 3, 1}, want: 2.5 / 8, maxFPR: 0.75, wantTPR: 0.5},
		// 7: zero weights drop samples: only 0.9+ and 0.2− remain.
		{scores: []float64{0.9, 0.1, 0.5, 0.2}, positive: []bool{true, true, false, false}, weights: []float64{2, 0, 0, 1}, want: 1, maxFPR: 0, wantTPR: 1},
		// 8: ±Inf scores are ordinary.
		{scores: []float64{math.Inf(-1), math.Inf(1), 0}, positive: []bool{false, true, true}, want: 1, maxFPR: 0, wantTPR: 1},
		// 9: −0 and +0 are one score (a tie).
		{scores: []float64{math.Copysign(0, -1), 0}, positive: []bool{true, false}, want: 0.5, maxFPR: 0, wantTPR: 0},
		// 10: no negatives: undefined.
		{scores: []float64{1, 2}, positive: []bool{true, true}, want: nan, maxFPR: 0.1, wantTPR: nan},
		// 11: the only negative has weight 0: undefined.
		{scores: []float64{1, 2}, positive: []bool{true, false}, weights: []float64{1, 0}, want: nan, maxFPR: 0.1, wantTPR: nan},
		// 12: a NaN score: undefined.
		{scores: []float64{1, nan}, positive: []bool{true, false}, want: nan, maxFPR: 0.1, wantTPR: nan},
		// 13: empty.
		{scores: nil, positive: nil, want: nan, maxFPR: 0.1, wantTPR: nan},
	} {
		if got := AUC(test.scores, test.positive, test.weights); !sameFloat(got, test.want, tol) {
			t.Errorf("case %d: AUC = %v, want %v", i, got, test.want)
		}
		if got := TPRAtFPR(test.scores, test.positive, test.weights, test.maxFPR); !sameFloat(got, test.wantTPR, tol) {
			t.Errorf("case %d: TPRAtFPR(%v) = %v, want %v", i, test.maxFPR, got, test.wantTPR)
		}
	}
}

// TestWeightsAreMultiplicities checks that integer weights give the figures
// of the data with each row repeated that many times.
func TestWeightsAreMultiplicities(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.IntN(60)
		scores := make([]float64, n)
		positive := make([]bool, n)
		weights := make([]float64, n)
		var rs []float64
		var rp []bool
		for i := range scores {
			scores[i] = float64(rng.IntN(8)) // many ties
			positive[i] = rng.IntN(2) == 0
			m := rng.IntN(4)
			weights[i] = float64(m)
			for range m {
				rs = append(rs, scores[i])
				rp = append(rp, positive[i])
			}
		}
		s := NewSorted(scores)
		for _, maxFPR := range []float64{0, 0.1, 0.5, 1} {
			got := s.TPRAtFPR(positive, weights, maxFPR)
			want := TPRAtFPR(rs, rp, nil, maxFPR)
			if !sameFloat(got, want, tol) {
				t.Errorf("trial %d: weighted TPRAtFPR(%v) = %v, repeated rows %v", trial, maxFPR, got, want)
			}
		}
		got := s.AUC(positive, weights)
		want := AUC(rs, rp, nil)
		if !sameFloat(got, want, tol) {
			t.Errorf("trial %d: weighted AUC = %v, repeated rows %v", trial, got, want)
		}
		// The AUC is P(pos > neg) + ½ P(tie): count the pairs directly.
		var num, den float64
		for i := range rs {
			for j := range rs {
				if !rp[i] || rp[j] {
					continue
				}
				den++
				switch {
				case rs[i] > rs[j]:
					num++
				case rs[i] == rs[j]:
					num += 0.5
				}
			}
		}
		if !sameFloat(got, num/den, tol) {
			t.Errorf("trial %d: AUC = %v, pair count %v", trial, got, num/den)
		}
	}
}

func TestMacroOvRHand(t *testing.T) {
	// 3 classes, 4 rows; class 2 has no rows, so only classes 0 and 1
	// are used. Column 0 scores rows 0,1 (class 0) 0.9, 0.6 against rows
	// 2,3 (class 1) 0.5, 0.7: pairs ✓✓ ✗✓ → AUC 3/4. Column 1 scores
	// rows 2,3 0.4, 0.2 against rows 0,1 0.1, 0.3: ✓✓ ✓✗ → 3/4.
	// Macro over 2 classes: 3/4.
	proba := []float64{
		0.9, 0.1, 0,
		0.6, 0.3, 0.1,
		0.5, 0.4, 0.1,
		0.7, 0.2, 0.1,
	}
	labels := []int{0, 0, 1, 1}
	got, used := MacroOvRAUC(proba, 3, labels, nil)
	if used != 2 || !sameFloat(got, 0.75, tol) {
		t.Errorf("MacroOvRAUC = %v over %d classes, want 0.75 over 2", got, used)
	}
	// Weight 0 on both class-1 rows leaves class 0 without negatives and
	// class 1 without positives: nothing is used.
	got, used = MacroOvRAUC(proba, 3, labels, []float64{1, 1, 0, 0})
	if used != 0 || !math.IsNaN(got) {
		t.Errorf("MacroOvRAUC with class 1 weighted out = %v over %d classes, want NaN over 0", got, used)
	}
}

func TestPanics(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func()
		want string
	}{
		{"AUC length", func() { AUC([]float64{1, 2}, []bool{true}, nil) }, errLength},
		{"AUC weights length", func() { AUC([]float64{1, 2}, []bool{true, false}, []float64{1}) }, errLength},
		{"AUC negative weight", func() { AUC([]float64{1, 2}, []bool{true, false}, []float64{1, -1}) }, errWeight},
		{"AUC NaN weight", func() { AUC([]float64{1, 2}, []bool{true, false}, []float64{math.NaN(), 1}) }, errWeight},
		{"TPRAtFPR maxFPR", func() { TPRAtFPR([]float64{1, 2}, []bool{true, false}, nil, 1.5) }, errMaxFPR},
		{"TPRAtFPR NaN maxFPR", func() { TPRAtFPR([]float64{1, 2}, []bool{true, false}, nil, math.NaN()) }, errMaxFPR},
		{"Sorted length", func() { NewSorted([]float64{1, 2}).AUC([]bool{true}, nil) }, errLength},
		{"OvR k", func() { NewOvR([]float64{1}, 0) }, errK},
		{"OvR shape", func() { NewOvR([]float64{1, 2, 3}, 2) }, errLength},
		{"OvR label", func() { MacroOvRAUC([]float64{0.5, 0.5}, 2, []int{2}, nil) }, errLabel},
		{"OvR labels length", func() { MacroOvRAUC([]float64{0.5, 0.5}, 2, []int{0, 1}, nil) }, errLength},
	} {
		func() {
			defer func() {
				if got := recover(); got != test.want {
					t.Errorf("%s: panic %v, want %q", test.name, got, test.want)
				}
			}()
			test.f()
		}()
	}
}

func benchmarkSortedAUC(b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(3, 4))
	scores := make([]float64, n)
	positive := make([]bool, n)
	weights := make([]float64, n)
	for i := range scores {
		scores[i] = rng.Float64()
		positive[i] = rng.IntN(2) == 0
		weights[i] = float64(rng.IntN(3))
	}
	s := NewSorted(scores)
	b.ResetTimer()
	for b.Loop() {
		s.AUC(positive, weights)
	}
}

func BenchmarkSortedAUCSmall(b *testing.B)  { benchmarkSortedAUC(b, 300) }
func BenchmarkSortedAUCMedium(b *testing.B) { benchmarkSortedAUC(b, 30_000) }
func BenchmarkSortedAUCLarge(b *testing.B)  { benchmarkSortedAUC(b, 1_000_000) }
