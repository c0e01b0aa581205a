package fairness

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tol is the tolerance for rates that are exact fractions of small integers
// and differ from the hand calculation only by rounding.
const tol = 1e-15

func sameFloat(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

type row[L comparable] struct {
	group string
	y, ŷ  L
}

func split[L comparable](rows []row[L]) (groups []string, y, yhat []L) {
	for _, r := range rows {
		groups = append(groups, r.group)
		y = append(y, r.y)
		yhat = append(yhat, r.ŷ)
	}
	return groups, y, yhat
}

func checkResult(t *testing.T, name string, got, want Result) {
	t.Helper()
	if len(got.ByGroup) != len(want.ByGroup) {
		t.Fatalf("%s: %d groups, want %d", name, len(got.ByGroup), len(want.ByGroup))
	}
	for k, g := range got.ByGroup {
		w := want.ByGroup[k]
		if g.Name != w.Name || g.N != w.N || g.Weight != w.Weight {
			t.Errorf("%s: group %d = %q n=%d weight=%v, want %q n=%d weight=%v", name, k, g.Name, g.N, g.Weight, w.Name, w.N, w.Weight)
		}
		for _, f := range []struct {
			what      string
			got, want float64
		}{
			{"accuracy", g.Accuracy, w.Accuracy},
			{"selection rate", g.SelectionRate, w.SelectionRate},
			{"TPR", g.TPR, w.TPR},
			{"FPR", g.FPR, w.FPR},
		} {
			if !sameFloat(f.got, f.want, tol) {
				t.Errorf("%s: group %q %s = %v, want %v", name, g.Name, f.what, f.got, f.want)
			}
		}
	}
	for _, f := range []struct {
		what      string
		got, want float64
	}{
		{"demographic parity difference", got.DemographicParityDifference, want.DemographicParityDifference},
		{"demographic parity ratio", got.DemographicParityRatio, want.DemographicParityRatio},
		{"equalized odds difference", got.EqualizedOddsDifference, want.EqualizedOddsDifference},
		{"equal opportunity difference", got.EqualOpportunityDifference, want.EqualOpportunityDifference},
	} {
		if !sameFloat(f.got, f.want, tol) {
			t.Errorf("%s: %s = %v, want %v", name, f.what, f.got, f.want)
		}
	}
}

// TestTwoGroups is a hand calculation, positive = 1.
//
//	group a: (y, ŷ) = (1,1) (1,0) (0,1) (0,0)
//	  accuracy 2/4, selection 2/4, TPR 1/2, FPR 1/2
//	group b: (1,1) (1,1) (1,0) (0,0) (0,0) (0,0)
//	  accuracy 5/6, selection 2/6, TPR 2/3, FPR 0/3
//	demographic parity difference 1/2 − 1/3 = 1/6, ratio (1/3)/(1/2) = 2/3
//	equal opportunity difference 2/3 − 1/2 = 1/6
//	equalized odds difference max(1/6, 1/2 − 0) = 1/2
func TestTwoGroups(t *testing.T) {
	rows := []row[int]{
		{"b", 1, 1}, {"a", 1, 1}, {"a", 1, 0}, {"b", 1, 1}, {"a", 0, 1},
		{"b", 1, 0}, {"a", 0, 0}, {"b", 0, 0}, {"b", 0, 0}, {"b", 0, 0},
	}
	g, y, yhat := split(rows)
	got := Compute(g, y, yhat, 1, nil)
	want := Result{
		ByGroup: []Group{
			{Name: "a", N: 4, Weight: 4, Accuracy: 2.0 / 4, SelectionRate: 2.0 / 4, TPR: 1.0 / 2, FPR: 1.0 / 2},
			{Name: "b", N: 6, Weight: 6, Accuracy: 5.0 / 6, SelectionRate: 2.0 / 6, TPR: 2.0 / 3, FPR: 0},
		},
		DemographicParityDifference: 1.0 / 6,
		DemographicParityRatio:      2.0 / 3,
		EqualOpportunityDifference:  1.0 / 6,
		EqualizedOddsDifference:     1.0 / 2,
	}
	checkResult(t, "two groups", got, want)
}

// TestThreeGroups is a hand calculation with string labels, positive "yes",
// groups given out of order.
//
//	group x: (yes,yes) (no,no)
//	  accuracy 1, selection 1/2, TPR 1/1, FPR 0/1
//	group y: (yes,no) (yes,yes) (no,yes) (no,yes)
//	  accuracy 1/4, selection 3/4, TPR 1/2, FPR 2/2
//	group z: (yes,yes) (yes,yes) (yes,no) (no,no) (no,no)
//	  accuracy 4/5, selection 2/5, TPR 2/3, FPR 0/2
//	demographic parity difference 3/4 − 2/5 = 7/20, ratio (2/5)/(3/4) = 8/15
//	equal opportunity difference 1 − 1/2 = 1/2
//	equalized odds difference max(1/2, 1 − 0) = 1
func TestThreeGroups(t *testing.T) {
	rows := []row[string]{
		{"z", "yes", "yes"}, {"y", "yes", "no"}, {"x", "yes", "yes"}, {"z", "yes", "yes"},
		{"y", "yes", "yes"}, {"z", "yes", "no"}, {"y", "no", "yes"}, {"x", "no", "no"},
		{"z", "no", "no"}, {"y", "no", "yes"}, {"z", "no", "no"},
	}
	g, y, yhat := split(rows)
	got := Compute(g, y, yhat, "yes", nil)
	want := Result{
		ByGroup: []Group{
			{Name: "x", N: 2, Weight: 2, Accuracy: 1, SelectionRate: 1.0 / 2, TPR: 1, FPR: 0},
			{Name: "y", N: 4, Weight: 4, Accuracy: 1.0 / 4, SelectionRate: 3.0 / 4, TPR: 1.0 / 2, FPR: 1},
			{Name: "z", N: 5, Weight: 5, Accuracy: 4.0 / 5, SelectionRate: 2.0 / 5, TPR: 2.0 / 3, FPR: 0},
		},
		DemographicParityDifference: 3.0/4 - 2.0/5,
		DemographicParityRatio:      (2.0 / 5) / (3.0 / 4),
		EqualOpportunityDifference:  1.0 / 2,
		EqualizedOddsDifference:     1,
	}
	checkResult(t, "three groups", got, want)
}

// TestGroupWithoutPositives is a hand calculation, positive = 1, where group
// b has no positive rows, so its TPR is undefined and left out.
//
//	group a: (1,1) (1,0) (0,1) (0,1) (0,0)
//	  accuracy 2/5, selection 3/5, TPR 1/2, FPR 2/3
//	group b: (0,0) (0,0) (0,1)
//	  accuracy 2/3, selection 1/3, TPR 0/0 = NaN, FPR 1/3
//	group c: (1,1) (0,0) (0,0) (0,0)
//	  accuracy 1, selection 1/4, TPR 1/1, FPR 0/3
//	demographic parity difference 3/5 − 1/4 = 7/20, ratio (1/4)/(3/5) = 5/12
//	equal opportunity difference (a, c only) 1 − 1/2 = 1/2
//	equalized odds difference max(1/2, 2/3 − 0) = 2/3
//
// fairlearn would give group b TPR 0 (see Compute), hence an equal
// opportunity difference of 1.
func TestGroupWithoutPositives(t *testing.T) {
	rows := []row[int]{
		{"a", 1, 1}, {"a", 1, 0}, {"a", 0, 1}, {"a", 0, 1}, {"a", 0, 0},
		{"b", 0, 0}, {"b", 0, 0}, {"b", 0, 1},
		{"c", 1, 1}, {"c", 0, 0}, {"c", 0, 0}, {"c", 0, 0},
	}
	g, y, yhat := split(rows)
	got := Compute(g, y, yhat, 1, nil)
	want := Result{
		ByGroup: []Group{
			{Name: "a", N: 5, Weight: 5, Accuracy: 2.0 / 5, SelectionRate: 3.0 / 5, TPR: 1.0 / 2, FPR: 2.0 / 3},
			{Name: "b", N: 3, Weight: 3, Accuracy: 2.0 / 3, SelectionRate: 1.0 / 3, TPR: math.NaN(), FPR: 1.0 / 3},
			{Name: "c", N: 4, Weight: 4, Accuracy: 1, SelectionRate: 1.0 / 4, TPR: 1, FPR: 0},
		},
		DemographicParityDifference: 3.0/5 - 1.0/4,
		DemographicParityRatio:      (1.0 / 4) / (3.0 / 5),
		EqualOpportunityDifference:  1.0 / 2,
		EqualizedOddsDifference:     2.0 / 3,
	}
	checkResult(t, "group without positives", got, want)
}

// TestDegenerate covers the NaN rules.
func TestDegenerate(t *testing.T) {
	nan := math.NaN()
	// Nobody selected: selection rates 0 and 0, difference 0, ratio
	// 0/0 = NaN (fairlearn's too). No negatives anywhere: every FPR is
	// NaN, so the equalized odds difference is the TPR difference, 0.
	got := Compute([]string{"a", "b"}, []int{1, 1}, []int{0, 0}, 1, nil)
	want := Result{
		ByGroup: []Group{
			{Name: "a", N: 1, Weight: 1, Accuracy: 0, SelectionRate: 0, TPR: 0, FPR: nan},
			{Name: "b", N: 1, Weight: 1, Accuracy: 0, SelectionRate: 0, TPR: 0, FPR: nan},
		},
		DemographicParityDifference: 0,
		DemographicParityRatio:      nan,
		EqualOpportunityDifference:  0,
		EqualizedOddsDifference:     0,
	}
	checkResult(t, "nobody selected", got, want)

	// Group b's only row has weight 0: listed, every rate NaN, left out.
	got = Compute([]string{"a", "b", "a"}, []int{1, 1, 0}, []int{1, 1, 0}, 1, []float64{1, 0, 2})
	want = Result{
		ByGroup: []Group{
			{Name: "a", N: 2, Weight: 3, Accuracy: 1, SelectionRate: 1.0 / 3, TPR: 1, FPR: 0},
			{Name: "b", N: 1, Weight: 0, Accuracy: nan, SelectionRate: nan, TPR: nan, FPR: nan},
		},
		DemographicParityDifference: 0,
		DemographicParityRatio:      1,
		EqualOpportunityDifference:  0,
		EqualizedOddsDifference:     0,
	}
	checkResult(t, "weighted-out group", got, want)

	// No rows.
	got = Compute[int](nil, nil, nil, 1, nil)
	want = Result{
		ByGroup:                     []Group{},
		DemographicParityDifference: nan,
		DemographicParityRatio:      nan,
		EqualOpportunityDifference:  nan,
		EqualizedOddsDifference:     nan,
	}
	checkResult(t, "no rows", got, want)
}

// TestWeightsAreMultiplicities checks that integer weights give the result
// of the data with each row repeated that many times (Weight then counts the
// repeats, N the distinct rows).
func TestWeightsAreMultiplicities(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	names := []string{"p", "q", "r"}
	for trial := 0; trial < 100; trial++ {
		n := 1 + rng.IntN(40)
		var g, rg []string
		var y, yhat, ry, ryhat []int
		w := make([]float64, n)
		for i := range w {
			g = append(g, names[rng.IntN(3)])
			y = append(y, rng.IntN(3))
			yhat = append(yhat, rng.IntN(3))
			m := rng.IntN(4)
			w[i] = float64(m)
			for range m {
				rg = append(rg, g[i])
				ry = append(ry, y[i])
				ryhat = append(ryhat, yhat[i])
			}
		}
		got := Compute(g, y, yhat, 2, w)
		want := Compute(rg, ry, ryhat, 2, nil)
		// Groups whose rows all drew 0 are listed in got only; N counts
		// distinct rows in got and repeats in want.
		kept := []Group{}
		for _, gr := range got.ByGroup {
			if gr.Weight > 0 {
				gr.N = int(gr.Weight)
				kept = append(kept, gr)
			}
		}
		got.ByGroup = kept
		if want.ByGroup == nil {
			want.ByGroup = []Group{}
		}
		checkResult(t, "weights as repeats", got, want)
	}
}

func TestPanics(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func()
		want string
	}{
		{"length", func() { Compute([]string{"a"}, []int{1, 0}, []int{1}, 1, nil) }, errLength},
		{"weights length", func() { Compute([]string{"a"}, []int{1}, []int{1}, 1, []float64{1, 1}) }, errLength},
		{"negative weight", func() { Compute([]string{"a"}, []int{1}, []int{1}, 1, []float64{-1}) }, errWeight},
		{"NaN weight", func() { Compute([]string{"a"}, []int{1}, []int{1}, 1, []float64{math.NaN()}) }, errWeight},
		{"one-vs-rest length", func() { ComputeOneVsRest([]string{"a"}, []int{1}, []int{}, nil) }, errLength},
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
