package adversary

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tol is for values computed in a few float64 operations from the same
// inputs as the reference (rounding only).
const tol = 1e-12

// table2x2 is the joint distribution of a binary Z (rows) and a binary S
// (columns) used by the closed-form tests:
//
//	p(z,s) = [0.3 0.1; 0.2 0.4],  p(z) = (0.4, 0.6),  p(s) = (0.5, 0.5)
//
// Its mutual information is
//
//	I = 0.3·log(0.3/0.2) + 0.1·log(0.1/0.2) + 0.2·log(0.2/0.3) + 0.4·log(0.4/0.3)
//	  = 0.086304621735534187 nats   (python3: sum(p·log(p/(pz·ps))))
var table2x2 = [2][2]float64{{0.3, 0.1}, {0.2, 0.4}}

const (
	mi2x2 = 0.086304621735534187
	// jsd2x2 is 2·JS(P‖Q) − log 4 for P the table and Q = p(z)p(s),
	// computed with python3 from the definition of JS.
	jsd2x2 = -1.3420015907880303
	// club2x2 is E_P[log p(s|z)] − E_{p(z)p(s)}[log p(s|z)] for the table,
	// computed with python3.
	club2x2 = 0.17917594692280558
)

// population2x2 returns the four cells (z, s) of the table as "rows": the
// optimal critic T(z,s) = log p(z,s)/(p(z)p(s)) + shift on each, the joint
// weights p(z,s) and the product-of-marginals weights p(z)p(s). Weighted
// means over the cells are the population expectations under P and Q.
func population2x2(shift float64) (t, wp, wq []float64) {
	pz := [2]float64{0.4, 0.6}
	ps := [2]float64{0.5, 0.5}
	for a := range 2 {
		for b := range 2 {
			p, q := table2x2[a][b], pz[a]*ps[b]
			t = append(t, math.Log(p/q)+shift)
			wp = append(wp, p)
			wq = append(wq, q)
		}
	}
	return t, wp, wq
}

func TestBoundsAtOptimalCritic(t *testing.T) {
	// With T the log density ratio, DV and NWJ(T+1) equal I exactly
	// (E_Q e^T = Σ q·p/q = 1), and DV is invariant to a constant shift.
	for i, tc := range []struct {
		name string
		got  func() float64
		want float64
	}{
		{"DV", func() float64 { t, wp, wq := population2x2(0); return DV(t, t, wp, wq) }, mi2x2},
		{"DV shifted", func() float64 { t, wp, wq := population2x2(3.5); return DV(t, t, wp, wq) }, mi2x2},
		{"NWJ(T+1)", func() float64 { t, wp, wq := population2x2(1); return NWJ(t, t, wp, wq) }, mi2x2},
		{"SMILE τ=∞", func() float64 { t, wp, wq := population2x2(0); return SMILE(t, t, math.Inf(1), wp, wq) }, mi2x2},
		{"JSD", func() float64 { t, wp, wq := population2x2(0); return JSD(t, t, wp, wq) }, jsd2x2},
	} {
		if got := tc.got(); math.Abs(got-tc.want) > tol {
			t.Errorf("%d %s: got %.17g, want %.17g", i, tc.name, got, tc.want)
		}
	}
}

func TestNWJBelowDV(t *testing.T) {
	// NWJ ≤ DV for the same scores: e^(x−1) ≥ x for x = log mean e^T.
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 100 {
		j, m := randomScores(rng, 20, 3), randomScores(rng, 30, 3)
		if nwj, dv := NWJ(j, m, nil, nil), DV(j, m, nil, nil); nwj > dv+tol {
			t.Errorf("trial %d: NWJ %v > DV %v", trial, nwj, dv)
		}
	}
}

func TestCLUBAtTrueConditional(t *testing.T) {
	// The 4 cells as rows with weights p(z,s); logq[i][j] = log p(s_j|z_i).
	// CLUB's weighted form is then E_P log p(s|z) − E_{p(z)p(s)} log p(s|z)
	// (the weights of the pairs (i, j) are p_i·p_j, whose marginals are p(z)
	// and p(s)), which is at least I.
	pz := [2]float64{0.4, 0.6}
	var zs, ss []int
	var w []float64
	for a := range 2 {
		for b := range 2 {
			zs, ss, w = append(zs, a), append(ss, b), append(w, table2x2[a][b])
		}
	}
	logq := make([]float64, 16)
	for i := range 4 {
		for j := range 4 {
			logq[i*4+j] = math.Log(table2x2[zs[i]][ss[j]] / pz[zs[i]])
		}
	}
	got := CLUB(logq, 4, w)
	if math.Abs(got-club2x2) > tol {
		t.Errorf("CLUB = %.17g, want %.17g", got, club2x2)
	}
	if got < mi2x2 {
		t.Errorf("CLUB %v below the mutual information %v", got, mi2x2)
	}
}

func TestHandComputed(t *testing.T) {
	for i, tc := range []struct {
		name      string
		got, want float64
	}{
		// mean(1, 2) − log mean(e^−1, e^0, e^1) after clipping [−3, 0, 3]
		// to [−1, 1]: 1.5 − log((e^−1 + 1 + e)/3), python3.
		{"SMILE τ=1", SMILE([]float64{1, 2}, []float64{-3, 0, 3}, 1, nil, nil), 1.1910063242237294},
		// 1.5 − log((e^−3 + 1 + e^3)/3)
		{"DV", DV([]float64{1, 2}, []float64{-3, 0, 3}, nil, nil), 1.5 - math.Log((math.Exp(-3)+1+math.Exp(3))/3)},
		// 1.5 − (e^−4 + e^−1 + e^2)/3
		{"NWJ", NWJ([]float64{1, 2}, []float64{-3, 0, 3}, nil, nil), 1.5 - (math.Exp(-4)+math.Exp(-1)+math.Exp(2))/3},
		// M = [a b; c d] = [1 2; 3 4]: (a+d)/2 − (a+b+c+d)/4 = 2.5 − 2.5
		{"CLUB 2×2", CLUB([]float64{1, 2, 3, 4}, 2, nil), 0},
		// M = [0 −1; −2 0]: 0 − (−3)/4
		{"CLUB 2×2 b", CLUB([]float64{0, -1, -2, 0}, 2, nil), 0.75},
		// rows: 2 − log((e^2 + e^0)/2) and 3 − log((e^1 + e^3)/2)
		{"InfoNCE 2×2", InfoNCE([]float64{2, 0, 1, 3}, 2, nil),
			(2 - math.Log((math.Exp(2)+1)/2) + 3 - math.Log((math.Exp(1)+math.Exp(3))/2)) / 2},
		// −softplus(−1) − softplus(2): log(1+e^−1), log(1+e^2)
		{"JSD", JSD([]float64{1}, []float64{2}, nil, nil), -math.Log1p(math.Exp(-1)) - math.Log1p(math.Exp(2))},
		{"BarberAgakov", BarberAgakov(math.Log(2), 0.25), math.Log(2) - 0.25},
		{"ceiling", InfoNCECeiling(128), math.Log(128)},
	} {
		if math.Abs(tc.got-tc.want) > tol {
			t.Errorf("%d %s: got %.17g, want %.17g", i, tc.name, tc.got, tc.want)
		}
	}
}

func TestInfoNCECeiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(40)
		s := randomScores(rng, n*n, 10)
		if v := InfoNCE(s, n, nil); v > InfoNCECeiling(n)+tol {
			t.Errorf("trial %d: InfoNCE %v above log %d = %v", trial, v, n, InfoNCECeiling(n))
		}
	}
	// A perfect critic (positives 50, negatives −50) reaches log n: the
	// negatives add (n−1)·e^−100 ≈ 1e-42 to each row's sum.
	for _, n := range []int{2, 16, 128} {
		s := make([]float64, n*n)
		for i := range n {
			for j := range n {
				s[i*n+j] = -50
				if i == j {
					s[i*n+j] = 50
				}
			}
		}
		if got := InfoNCE(s, n, nil); math.Abs(got-math.Log(float64(n))) > tol {
			t.Errorf("n=%d perfect critic: %.17g, want log n = %.17g", n, got, math.Log(float64(n)))
		}
	}
}

func TestLargeScoresDoNotOverflow(t *testing.T) {
	// e^1000 overflows float64; the max shift keeps DV finite:
	// 1000 − log mean(e^1000, e^1000) = 0.
	if got := DV([]float64{1000}, []float64{1000, 1000}, nil, nil); got != 0 {
		t.Errorf("DV = %v, want 0", got)
	}
	if got := InfoNCE([]float64{1000, 1000, 1000, 1000}, 2, nil); got != 0 {
		t.Errorf("InfoNCE = %v, want 0", got)
	}
	if got := JSD([]float64{1000}, []float64{-1000}, nil, nil); got != 0 {
		t.Errorf("JSD = %v, want 0", got)
	}
}

func TestWeightsEqualDuplicatedRows(t *testing.T) {
	// Integer weights give the value of the batch with each row repeated
	// that many times (a bootstrap resample). Weight 0 drops a row.
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 7
	joint, marginal := randomScores(rng, n, 2), randomScores(rng, n, 2)
	matrix := randomScores(rng, n*n, 2)
	w := make([]float64, n)
	for i := range w {
		w[i] = float64(rng.IntN(4)) // 0 to 3 copies
	}
	w[0] = 2      // at least two rows in the resample
	var idx []int // the resampled rows: row i repeated w[i] times
	for i := range w {
		for range int(w[i]) {
			idx = append(idx, i)
		}
	}
	dup := func(x []float64) []float64 {
		out := make([]float64, len(idx))
		for r, i := range idx {
			out[r] = x[i]
		}
		return out
	}
	m := len(idx)
	dupM := make([]float64, m*m)
	for r, i := range idx {
		for c, j := range idx {
			dupM[r*m+c] = matrix[i*n+j]
		}
	}
	const wtol = 1e-12
	for _, tc := range []struct {
		name     string
		weighted float64
		repeated float64
	}{
		{"DV", DV(joint, marginal, w, w), DV(dup(joint), dup(marginal), nil, nil)},
		{"NWJ", NWJ(joint, marginal, w, w), NWJ(dup(joint), dup(marginal), nil, nil)},
		{"JSD", JSD(joint, marginal, w, w), JSD(dup(joint), dup(marginal), nil, nil)},
		{"SMILE", SMILE(joint, marginal, 0.5, w, w), SMILE(dup(joint), dup(marginal), 0.5, nil, nil)},
		{"InfoNCE", InfoNCE(matrix, n, w), InfoNCE(dupM, m, nil)},
		{"CLUB", CLUB(matrix, n, w), CLUB(dupM, m, nil)},
	} {
		if math.Abs(tc.weighted-tc.repeated) > wtol {
			t.Errorf("%s: weighted %.17g, repeated rows %.17g", tc.name, tc.weighted, tc.repeated)
		}
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	if a, b := DV(joint, marginal, ones, ones), DV(joint, marginal, nil, nil); math.Abs(a-b) > wtol {
		t.Errorf("DV with unit weights %v, nil weights %v", a, b)
	}
}

func TestBoundPanics(t *testing.T) {
	for i, f := range []func(){
		func() { DV([]float64{1}, []float64{1}, []float64{1, 2}, nil) },
		func() { NWJ([]float64{1}, []float64{1}, nil, []float64{}) },
		func() { InfoNCE([]float64{1, 2, 3}, 2, nil) },
		func() { InfoNCE([]float64{1, 2, 3, 4}, 2, []float64{1}) },
		func() { CLUB([]float64{1, 2}, 2, nil) },
		func() { SMILE([]float64{1}, []float64{1}, -1, nil, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("case %d did not panic", i)
				}
			}()
			f()
		}()
	}
	if v := DV(nil, nil, nil, nil); !math.IsNaN(v) {
		t.Errorf("DV of empty scores = %v, want NaN", v)
	}
}

func randomScores(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}
