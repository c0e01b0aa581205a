package infomax

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestEstimateByHand pins Estimate on a 2×2 score matrix (b = 2, p = 1)
// s = [[2, 0], [1, 3]]: positives 2 and 3, negatives 0 and 1.
//
//	JSD     = mean(−softplus(−2), −softplus(−3)) − mean(softplus(0), softplus(1))
//	        = −(0.126928 + 0.048587)/2 − (0.693147 + 1.313262)/2 = −1.090962
//	DV      = mean(2, 3) − log mean(e⁰, e¹) = 2.5 − log(1.859141) = 1.879885
//	InfoNCE = log 2 + mean over columns of (s[c][c] − log Σ_i exp s[i][c])
//	        = 0.693147 + ((2 − log(e²+e¹)) + (3 − log(e⁰+e³)))/2
//	        = 0.693147 + (−0.313262 − 0.048587)/2 = 0.512222
func TestEstimateByHand(t *testing.T) {
	s := []float64{2, 0, 1, 3}
	sp := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	want := map[string]float64{
		JSD:     -(sp(-2)+sp(-3))/2 - (sp(0)+sp(1))/2,
		DV:      2.5 - math.Log((1+math.E)/2),
		InfoNCE: math.Log(2) + ((2-math.Log(math.Exp(2)+math.E))+(3-math.Log(1+math.Exp(3))))/2,
	}
	approx := map[string]float64{JSD: -1.090962, DV: 1.879885, InfoNCE: 0.512222}
	for est, w := range want {
		got := Estimate(s, 2, 1, est)
		if math.Abs(got-w) > 1e-12 || math.Abs(got-approx[est]) > 1e-6 {
			t.Errorf("%s: got %.9f, want %.9f (%.6f by hand)", est, got, w, approx[est])
		}
	}
}

// TestEstimateWithinByHand pins the grouped estimate on a 4×4 score
// matrix (b = 4, p = 1) in groups of m = 2, examples {0, 1} and {2, 3}:
//
//	s = [[2, 0, 9, 9],
//	     [1, 3, 9, 9],
//	     [9, 9, 1, 4],
//	     [9, 9, 0, 2]]
//
// The 9s pair examples of different groups and must not count. Positives
// 2, 3, 1, 2; negatives 0, 1 (first group) and 4, 0 (second).
//
//	JSD     = −mean softplus(−pos) − mean softplus(neg)
//	        = −(0.126928 + 0.048587 + 0.313262 + 0.126928)/4
//	          − (0.693147 + 1.313262 + 4.018150 + 0.693147)/4 = −1.833353
//	DV      = mean(pos) − log mean(e^neg) = 2 − log((1 + e + e⁴ + 1)/4)
//	        = 2 − log(59.316432/4) = 2 − 2.696592 = −0.696592
//	InfoNCE = log 2 + mean over columns c of (s[c][c] − log Σ_{i in c's group} exp s[i][c])
//	        = 0.693147 + ((2 − log(e²+e)) + (3 − log(1+e³)) + (1 − log(e+1)) + (2 − log(e⁴+e²)))/4
//	        = 0.693147 + (−0.313262 − 0.048587 − 0.313262 − 2.126928)/4 = −0.007363
func TestEstimateWithinByHand(t *testing.T) {
	s := []float64{2, 0, 9, 9, 1, 3, 9, 9, 9, 9, 1, 4, 9, 9, 0, 2}
	sp := func(x float64) float64 { return math.Log1p(math.Exp(x)) }
	lse := func(a, b float64) float64 { return math.Log(math.Exp(a) + math.Exp(b)) }
	want := map[string]float64{
		JSD:     -(sp(-2)+sp(-3)+sp(-1)+sp(-2))/4 - (sp(0)+sp(1)+sp(4)+sp(0))/4,
		DV:      2 - math.Log((1+math.E+math.Exp(4)+1)/4),
		InfoNCE: math.Log(2) + ((2-lse(2, 1))+(3-lse(0, 3))+(1-lse(1, 0))+(2-lse(4, 2)))/4,
	}
	approx := map[string]float64{JSD: -1.833353, DV: -0.696592, InfoNCE: -0.007363}
	for est, w := range want {
		got := EstimateWithin(s, 4, 1, 2, est)
		if math.Abs(got-w) > 1e-12 || math.Abs(got-approx[est]) > 1e-6 {
			t.Errorf("%s: got %.9f, want %.9f (%.6f by hand)", est, got, w, approx[est])
		}
	}
	// In one group of the whole batch, it is Estimate.
	for _, est := range Estimators {
		if a, b := EstimateWithin(s, 4, 1, 4, est), Estimate(s, 4, 1, est); a != b {
			t.Errorf("%s: m = b gives %v, Estimate %v", est, a, b)
		}
	}
}

// TestEstimateLocalLayout checks the column layout with p = 2: example j's
// features are columns 2j and 2j+1. With scores +a on positives and −a on
// negatives, InfoNCE tends to log b as a grows and DV is 2a.
func TestEstimateLocalLayout(t *testing.T) {
	b, p, a := 3, 2, 20.0
	s := make([]float64, b*b*p)
	for i := range b {
		for c := range b * p {
			s[i*b*p+c] = -a
			if c/p == i {
				s[i*b*p+c] = a
			}
		}
	}
	if got := Estimate(s, b, p, InfoNCE); math.Abs(got-math.Log(3)) > 1e-12 {
		t.Errorf("InfoNCE %v, want log 3 = %v", got, math.Log(3))
	}
	if got := Estimate(s, b, p, DV); math.Abs(got-2*a) > 1e-12 {
		t.Errorf("DV %v, want 2a = %v", got, 2*a)
	}
}

// TestObjectiveMatchesEstimate builds each estimator's graph on a random
// float64 score matrix and compares its value with Estimate, and its
// gradient with central finite differences of Estimate.
func TestObjectiveMatchesEstimate(t *testing.T) {
	for _, est := range Estimators {
		for _, bpm := range [][3]int{{2, 1, 2}, {4, 1, 4}, {3, 5, 3}, {4, 1, 2}, {6, 3, 3}} {
			b, p, m := bpm[0], bpm[1], bpm[2]
			rng := rand.New(rand.NewPCG(uint64(b), uint64(p)))
			vals := make([]float64, b*b*p)
			for i := range vals {
				vals[i] = 3 * rng.NormFloat64()
			}
			g := G.NewGraph()
			sT := tensor.New(tensor.WithShape(b, b*p), tensor.WithBacking(append([]float64(nil), vals...)))
			s := G.NewMatrix(g, tensor.Float64, G.WithShape(b, b*p), G.WithName("s"), G.WithValue(sT))
			v, err := objective(s, b, p, m, est)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := G.Grad(v, s); err != nil {
				t.Fatal(err)
			}
			var out G.Value
			G.Read(v, &out)
			vm := G.NewTapeMachine(g, G.BindDualValues(s))
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			want := EstimateWithin(vals, b, p, m, est)
			if got := out.Data().(float64); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s b=%d p=%d m=%d: graph %v, EstimateWithin %v", est, b, p, m, got, want)
			}
			gv, _ := s.Grad()
			grad := gv.Data().([]float64)
			const h = 1e-6
			for i := range vals {
				x0 := vals[i]
				vals[i] = x0 + h
				fp := EstimateWithin(vals, b, p, m, est)
				vals[i] = x0 - h
				fm := EstimateWithin(vals, b, p, m, est)
				vals[i] = x0
				if num := (fp - fm) / (2 * h); math.Abs(num-grad[i]) > 1e-6 {
					t.Errorf("%s b=%d p=%d m=%d: ∂/∂s[%d] graph %v, finite differences %v", est, b, p, m, i, grad[i], num)
				}
			}
			vm.Close()
		}
	}
}
