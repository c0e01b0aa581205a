package roc

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCurveHand(t *testing.T) {
	for i, test := range []struct {
		scores   []float64
		positive []bool
		weights  []float64
		want     []Point
	}{
		// 0: scikit-learn's roc_auc_score docstring example. By
		// decreasing threshold +Inf, 0.8 (pos), 0.4 (neg), 0.35 (pos),
		// 0.1 (neg), with 2 positives and 2 negatives: (0,0), (0,½),
		// (½,½), (½,1), (1,1).
		{
			scores: []float64{0.1, 0.4, 0.35, 0.8}, positive: []bool{false, false, true, true},
			want: []Point{{0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}},
		},
		// 1: a tie across classes: the group at 2 holds one positive
		// and one negative, so one point (½,½); then 1 (neg) → (1,½);
		// then 0 (pos) → (1,1).
		{
			scores: []float64{2, 0, 2, 1}, positive: []bool{true, true, false, false},
			want: []Point{{0, 0}, {0.5, 0.5}, {1, 0.5}, {1, 1}},
		},
		// 2: case 1 with the tied negative counted 3 times: negatives
		// weigh 3 + 1 = 4, so t=2 gives (¾,½) and t=1 gives (1,½).
		{
			scores: []float64{2, 0, 2, 1}, positive: []bool{true, true, false, false}, weights: []float64{1, 1, 3, 1},
			want: []Point{{0, 0}, {0.75, 0.5}, {1, 0.5}, {1, 1}},
		},
		// 3: every score tied: one group, straight to (1,1).
		{
			scores: []float64{3, 3, 3}, positive: []bool{true, false, false},
			want: []Point{{0, 0}, {1, 1}},
		},
		// 4: a score held only by zero-weight samples gives no point
		// (roc_curve drops them): 0.9 (pos) → (0,1), 0.5 (weight 0)
		// skipped, 0.2 (neg) → (1,1).
		{
			scores: []float64{0.9, 0.5, 0.2}, positive: []bool{true, false, false}, weights: []float64{1, 0, 1},
			want: []Point{{0, 0}, {0, 1}, {1, 1}},
		},
		// 5: no negatives, a NaN score, a zero-weight class, empty: nil.
		{scores: []float64{1, 2}, positive: []bool{true, true}},
		{scores: []float64{1, math.NaN()}, positive: []bool{true, false}},
		{scores: []float64{1, 2}, positive: []bool{true, false}, weights: []float64{1, 0}},
		{},
	} {
		got := Curve(test.scores, test.positive, test.weights)
		if !slices.Equal(got, test.want) {
			t.Errorf("case %d: Curve = %v, want %v", i, got, test.want)
		}
		// The curve is what TPRAtFPR walks: at each point's FPR the
		// budgeted TPR is at least that point's TPR, and equals the TPR
		// of the last point with that FPR.
		for j, pt := range got {
			tpr := TPRAtFPR(test.scores, test.positive, test.weights, pt.FPR)
			if j == len(got)-1 || got[j+1].FPR > pt.FPR {
				if tpr != pt.TPR {
					t.Errorf("case %d: TPRAtFPR(%v) = %v, curve point %v", i, pt.FPR, tpr, pt)
				}
			}
		}
	}
}

// TestThinHand thins the curve of 2,000 distinct scores that alternate
// positive, negative, positive, … by decreasing score (1,000 of each).
// After the k best samples ⌈k/2⌉ are positive and ⌊k/2⌋ negative, so the
// exact curve has 2,001 points (0,0), (0,.001), (.001,.001), (.001,.002),
// …, and the last point with FPR ≤ g is the one after the (m+1)-th
// positive, (m/1000, (m+1)/1000), where m = max{m ≤ 1000 : m/1000 ≤ g}
// is the number of negatives the budget admits (capped at TPR 1 for
// m = 1000). The thinned curve is (0,0), those points for the grid FPRs
// g_k = 10^(k/40−4) with repeats dropped (g < .001 admits m = 0 for
// k < 40), and nothing more: g = 1 already gives the last point (1,1).
func TestThinHand(t *testing.T) {
	const n = 1000
	scores := make([]float64, 2*n)
	positive := make([]bool, 2*n)
	for i := range scores {
		scores[i] = float64(-i)
		positive[i] = i%2 == 0
	}
	curve := Curve(scores, positive, nil)
	if len(curve) != 2*n+1 {
		t.Fatalf("curve has %d points, want %d", len(curve), 2*n+1)
	}
	want := []Point{{0, 0}}
	for k := 0; k <= 160; k++ {
		g := math.Pow(10, float64(k)/40-4)
		m := 0
		for m+1 <= n && float64(m+1)/n <= g {
			m++
		}
		pt := Point{FPR: float64(m) / n, TPR: math.Min(float64(m+1)/n, 1)}
		if pt != want[len(want)-1] {
			want = append(want, pt)
		}
	}
	got := Thin(curve)
	if !slices.Equal(got, want) {
		t.Errorf("Thin =\n%v\nwant\n%v", got, want)
	}
	if len(got) > 200 {
		t.Errorf("Thin kept %d points, want at most 200", len(got))
	}
	// The budget 1e-3 (the reported TPR at FPR ≤ 1e-3) admits m = 1
	// negative: the point (.001, .002) is kept.
	if !slices.Contains(got, Point{0.001, 0.002}) {
		t.Errorf("Thin dropped (0.001, 0.002)")
	}
	if tpr := TPRAtFPR(scores, positive, nil, 1e-3); tpr != 0.002 {
		t.Errorf("TPRAtFPR(1e-3) = %v, want 0.002", tpr)
	}
	// Short curves are kept whole, in a copy.
	short := curve[:200]
	thin := Thin(short)
	if !slices.Equal(thin, short) {
		t.Errorf("Thin changed a curve of 200 points")
	}
	thin[0].TPR = 0.5
	if curve[0].TPR != 0 {
		t.Errorf("Thin returned its input, not a copy")
	}
}

func TestThinGrid(t *testing.T) {
	g := ThinGrid()
	if len(g) != 161 {
		t.Fatalf("grid has %d points, want 161", len(g))
	}
	// Exact decades: 1e-4 … 1 at k = 0, 40, 80, 120, 160.
	for k, want := range map[int]float64{0: 1e-4, 40: 1e-3, 80: 1e-2, 120: 0.1, 160: 1} {
		if g[k] != want {
			t.Errorf("grid[%d] = %v, want %v", k, g[k], want)
		}
	}
	for k := 1; k < len(g); k++ {
		if !(g[k] > g[k-1]) {
			t.Errorf("grid not increasing at %d: %v, %v", k, g[k-1], g[k])
		}
	}
}

func TestThinPanics(t *testing.T) {
	for _, c := range [][]Point{
		{{0, 0}, {0.5, 0.5}, {0.4, 1}},
		{{0, 0}, {math.NaN(), 1}},
	} {
		func() {
			defer func() {
				if got := recover(); got != errCurve {
					t.Errorf("Thin(%v): panic %v, want %q", c, got, errCurve)
				}
			}()
			Thin(c)
		}()
	}
}

// sklearnCurveFixture is testdata/sklearn_curve.json, written by
// testdata/gen_sklearn_curve.py with scikit-learn 1.2.1 (Debian
// python3-sklearn); the version is recorded in the file and checked below.
type sklearnCurveFixture struct {
	SklearnVersion string    `json:"sklearn_version"`
	Grid           []float64 `json:"grid"`
	Cases          []struct {
		Name       string    `json:"name"`
		Scores     []float64 `json:"scores"`
		Positive   []bool    `json:"positive"`
		Weights    []float64 `json:"weights"`
		CurveLen   int       `json:"curve_len"`
		CurveFPR   []float64 `json:"curve_fpr"`
		CurveTPR   []float64 `json:"curve_tpr"`
		ThinnedFPR []float64 `json:"thinned_fpr"`
		ThinnedTPR []float64 `json:"thinned_tpr"`
	} `json:"cases"`
}

// gridTol is the relative tolerance between two libm's 10^x: a few ulps.
const gridTol = 1e-15

func points(fpr, tpr []float64) []Point {
	out := make([]Point, len(fpr))
	for i := range fpr {
		out[i] = Point{fpr[i], tpr[i]}
	}
	return out
}

// TestCurveAgainstSklearn compares Curve with roc_curve(...,
// drop_intermediate=False) and Thin with the fixture script's own
// implementation of the documented rule. Both compute each rate as one
// division of exact integer-valued sums, so the points agree bit for bit.
func TestCurveAgainstSklearn(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn_curve.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f sklearnCurveFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.SklearnVersion) < 4 || f.SklearnVersion[:4] != "1.2." {
		t.Fatalf("fixture from scikit-learn %q, want 1.2.x", f.SklearnVersion)
	}
	// Python's 10 ** (k/40 - 4) and Go's math.Pow round differently
	// by an ulp or two at some k (exactly equal at the decades, which
	// TestThinGrid pins); the thinned curves below agree all the same.
	g := ThinGrid()
	if len(g) != len(f.Grid) {
		t.Fatalf("ThinGrid has %d points, Python %d", len(g), len(f.Grid))
	}
	for k := range g {
		if math.Abs(g[k]-f.Grid[k]) > gridTol*f.Grid[k] {
			t.Errorf("ThinGrid[%d] = %.17g, Python %.17g", k, g[k], f.Grid[k])
		}
	}
	if len(f.Cases) != 4 {
		t.Fatalf("fixture has %d cases, want 4", len(f.Cases))
	}
	for _, c := range f.Cases {
		curve := Curve(c.Scores, c.Positive, c.Weights)
		if len(curve) != c.CurveLen {
			t.Errorf("%s: curve has %d points, sklearn %d", c.Name, len(curve), c.CurveLen)
		}
		if c.CurveFPR != nil {
			if want := points(c.CurveFPR, c.CurveTPR); !slices.Equal(curve, want) {
				t.Errorf("%s: Curve =\n%v\nsklearn\n%v", c.Name, curve, want)
			}
		}
		got := Thin(curve)
		if want := points(c.ThinnedFPR, c.ThinnedTPR); !slices.Equal(got, want) {
			t.Errorf("%s: Thin =\n%v\nwant\n%v", c.Name, got, want)
		}
	}
}
