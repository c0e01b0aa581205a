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
		for _, bp := range [][2]int{{2, 1}, {4, 1}, {3, 5}} {
			b, p := bp[0], bp[1]
			rng := rand.New(rand.NewPCG(uint64(b), uint64(p)))
			vals := make([]float64, b*b*p)
			for i := range vals {
				vals[i] = 3 * rng.NormFloat64()
			}
			g := G.NewGraph()
			sT := tensor.New(tensor.WithShape(b, b*p), tensor.WithBacking(append([]float64(nil), vals...)))
			s := G.NewMatrix(g, tensor.Float64, G.WithShape(b, b*p), G.WithName("s"), G.WithValue(sT))
			v, err := objective(s, b, p, est)
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
			want := Estimate(vals, b, p, est)
			if got := out.Data().(float64); math.Abs(got-want) > 1e-12 {
				t.Errorf("%s b=%d p=%d: graph %v, Estimate %v", est, b, p, got, want)
			}
			gv, _ := s.Grad()
			grad := gv.Data().([]float64)
			const h = 1e-6
			for i := range vals {
				x0 := vals[i]
				vals[i] = x0 + h
				fp := Estimate(vals, b, p, est)
				vals[i] = x0 - h
				fm := Estimate(vals, b, p, est)
				vals[i] = x0
				if num := (fp - fm) / (2 * h); math.Abs(num-grad[i]) > 1e-6 {
					t.Errorf("%s b=%d p=%d: ∂/∂s[%d] graph %v, finite differences %v", est, b, p, i, grad[i], num)
				}
			}
			vm.Close()
		}
	}
}
