package selftest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestGaussianRhoRoundTrip(t *testing.T) {
	const tol = 1e-12
	for i, tc := range []struct {
		mi  float64
		dim int
	}{
		{0, 20}, {1e-9, 20}, {2, 20}, {4, 20}, {6, 20}, {8, 20}, {10, 20}, {0.5, 1}, {3, 2},
	} {
		rho := GaussianRho(tc.mi, tc.dim)
		if !(rho >= 0 && rho < 1) {
			t.Errorf("case %d: got ρ = %v, want it in [0, 1)", i, rho)
		}
		if got := GaussianMI(rho, tc.dim); math.Abs(got-tc.mi) > tol*max(1, tc.mi) {
			t.Errorf("case %d: got MI(ρ(%v)) = %v, want %v", i, tc.mi, got, tc.mi)
		}
	}
}

func TestGaussianMIClosedForm(t *testing.T) {
	const tol = 1e-15
	for i, tc := range []struct {
		rho  float64
		dim  int
		want float64
	}{
		// −½·log(1 − 0.25) = ½·log(4/3), by hand.
		{0.5, 1, 0.5 * math.Log(4.0/3)},
		// −10·log(1 − 0.64) = 10·log(1/0.36), by hand.
		{0.8, 20, 10 * math.Log(1/0.36)},
		{0, 20, 0},
	} {
		if got := GaussianMI(tc.rho, tc.dim); math.Abs(got-tc.want) > tol*max(1, tc.want) {
			t.Errorf("case %d: got %v, want %v", i, got, tc.want)
		}
	}
	if got := GaussianMI(1, 20); !math.IsInf(got, 1) {
		t.Errorf("got MI(ρ = 1) = %v, want +Inf", got)
	}
}

// TestGaussianSample checks the sampler against the task's definition: each
// coordinate has variance 1 and corr(x_j, y_j) = ρ, and the empirical Gaussian
// MI of the samples, −d/2·log(1−ρ̂²), is near the task's.
func TestGaussianSample(t *testing.T) {
	g := Gaussian{Dim: GaussianDim, MI: 4}
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewBatch(g.Shape(1000))
	var sxx, syy, sxy float64
	var n int
	for range 50 {
		g.Sample(rng, b)
		for i := range b.X {
			x, y := float64(b.X[i]), float64(b.Y[i])
			sxx += x * x
			syy += y * y
			sxy += x * y
			n++
		}
	}
	rho := g.Rho()
	// Standard errors with n = 1e6 pairs: var(x̂²) ≈ 2/n, corr ≈ (1−ρ²)/√n.
	if got := sxx / float64(n); math.Abs(got-1) > 4*math.Sqrt(2/float64(n)) {
		t.Errorf("got var(x) = %v, want 1", got)
	}
	if got := syy / float64(n); math.Abs(got-1) > 4*math.Sqrt(2/float64(n)) {
		t.Errorf("got var(y) = %v, want 1", got)
	}
	if got := sxy / math.Sqrt(sxx*syy); math.Abs(got-rho) > 4*(1-rho*rho)/math.Sqrt(float64(n)) {
		t.Errorf("got corr = %v, want ρ = %v", got, rho)
	}
}

// trapezoidMI2 returns I(Z;S) for S uniform on two classes and
// Z | S ~ N(±m, 1) in one dimension by the trapezoid rule on [−m−L, m+L]:
//
//	I = log 2 − ∫ p(z)·H(S|z) dz,  p(z) = ½φ(z+m) + ½φ(z−m),
//
// independent of MixtureTruth's sampling and log-sum-exp.
func trapezoidMI2(m float64) float64 {
	const (
		L = 12 // φ(12) ≈ 2e-32: the tails are negligible
		n = 200_000
	)
	phi := func(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
	a, b := -m-L, m+L
	h := (b - a) / n
	var integral float64
	for i := 0; i <= n; i++ {
		z := a + float64(i)*h
		p0, p1 := 0.5*phi(z+m), 0.5*phi(z-m)
		p := p0 + p1
		var hz float64
		for _, q := range []float64{p0 / p, p1 / p} {
			if q > 0 {
				hz -= q * math.Log(q)
			}
		}
		w := 1.0
		if i == 0 || i == n {
			w = 0.5
		}
		integral += w * p * hz
	}
	return math.Log(2) - integral*h
}

func TestMixtureTruthAgainstTrapezoid(t *testing.T) {
	const (
		samples = 200_000
		k       = 3 // standard errors
	)
	for i, m := range []float64{0.25, 0.5, 1, 2, 3} {
		want := trapezoidMI2(m)
		mi, se := MixtureTruth(rand.New(rand.NewPCG(uint64(i), 7)), [][]float64{{-m}, {m}}, samples)
		if math.Abs(mi-want) > k*se {
			t.Errorf("means ±%v: got %v ± %v, want %v (trapezoid), off by %.1f SE", m, mi, se, want, math.Abs(mi-want)/se)
		}
		// The simplex task with separation 2m is the same problem, rotated
		// into two dimensions.
		mi2, se2 := Mixture{Classes: 2, Separation: 2 * m}.Truth(rand.New(rand.NewPCG(uint64(i), 8)), samples)
		if math.Abs(mi2-want) > k*se2 {
			t.Errorf("simplex K=2, separation %v: got %v ± %v, want %v (trapezoid)", 2*m, mi2, se2, want)
		}
	}
}

func TestMixtureTruthLimits(t *testing.T) {
	const samples = 20_000
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{2, 10, 50} {
		logK := math.Log(float64(k))
		// Equal means: S is independent of Z, and every posterior is the
		// prior exactly, so the estimate is exactly 0.
		if mi, se := (Mixture{Classes: k}).Truth(rng, samples); mi != 0 || se != 0 {
			t.Errorf("K=%d, equal means: got %v ± %v, want exactly 0", k, mi, se)
		}
		// Means 60 apart: a wrong class is ≥ 60²/2 − 60·|noise| less likely,
		// so H(S|Z) < e^−1000 and I = log K to rounding.
		if mi, _ := (Mixture{Classes: k, Separation: 60}).Truth(rng, samples); math.Abs(mi-logK) > 1e-12 {
			t.Errorf("K=%d, far-apart means: got %v, want log K = %v", k, mi, logK)
		}
		prev := 0.0
		for _, sep := range []float64{0.5, 1, 2, 3, 4, 6} {
			mi, se := Mixture{Classes: k, Separation: sep}.Truth(rng, samples)
			if mi > logK || mi < 0 {
				t.Errorf("K=%d, separation %v: got %v, want it in [0, log K = %v]", k, sep, mi, logK)
			}
			if mi < prev-4*se {
				t.Errorf("K=%d: MI fell from %v to %v ± %v as the separation grew to %v", k, prev, mi, se, sep)
			}
			prev = mi
		}
	}
}

// TestMixtureSample checks the sampler against the task's definition: labels
// uniform, and Z − μ_S standard normal in every coordinate.
func TestMixtureSample(t *testing.T) {
	m := Mixture{Classes: 10, Separation: 3}
	mu := m.Means()
	rng := rand.New(rand.NewPCG(5, 6))
	b := NewBatch(m.Shape(500))
	counts := make([]int, m.Classes)
	var sum, sum2 float64
	var n int
	for range 40 {
		m.Sample(rng, b)
		for i, s := range b.Labels {
			counts[s]++
			for j := range m.Classes {
				e := float64(b.X[i*m.Classes+j]) - mu[s][j]
				sum += e
				sum2 += e * e
				n++
			}
		}
	}
	rows := 40 * 500
	for s, c := range counts {
		// Binomial(20000, 0.1): sd = 42.4.
		if math.Abs(float64(c)-float64(rows)/10) > 4*42.4 {
			t.Errorf("class %d drawn %d times, want about %d", s, c, rows/10)
		}
	}
	if mean := sum / float64(n); math.Abs(mean) > 4/math.Sqrt(float64(n)) {
		t.Errorf("got noise mean %v, want 0", mean)
	}
	if v := sum2 / float64(n); math.Abs(v-1) > 4*math.Sqrt(2/float64(n)) {
		t.Errorf("got noise variance %v, want 1", v)
	}
}

func TestStandardTruths(t *testing.T) {
	// The truths Standard's and QuickStaircases' doc comments quote, rounded
	// to two decimals, from another Monte-Carlo stream than Run's: within
	// the rounding (0.005) plus 4 standard errors.
	want := map[string]float64{
		"mixture K=2, separation 2": 0.34, "mixture K=2, separation 4": 0.63, "mixture K=2, separation 3": 0.53,
		"mixture K=10, separation 2": 0.79, "mixture K=10, separation 4": 1.93, "mixture K=10, separation 3": 1.44,
		"mixture K=50, separation 3": 1.94, "mixture K=50, separation 5": 3.51, "mixture K=50, separation 4": 2.89,
	}
	seen := 0
	for _, st := range append(Standard(), QuickStaircases()...) {
		for _, task := range st.Levels {
			name := st.Name + ", " + task.String()
			w, ok := want[name]
			if !ok {
				continue
			}
			seen++
			mi, se := task.Truth(rand.New(rand.NewPCG(1, 1)), DefaultTruthSamples)
			if math.Abs(mi-w) > 0.005+4*se {
				t.Errorf("%s: got %v ± %v, want about %.2f", name, mi, se, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d mixture levels, want %d", seen, len(want))
	}
}

// The correlations of the standard staircase; the same figures follow from
// √(1 − exp(−2I/20)) in Python's math module.
func ExampleGaussianRho() {
	for _, mi := range GaussianLevels {
		fmt.Printf("I = %g nats: ρ = %.4f\n", mi, GaussianRho(mi, GaussianDim))
	}
	// Output:
	// I = 2 nats: ρ = 0.4258
	// I = 4 nats: ρ = 0.5742
	// I = 6 nats: ρ = 0.6717
	// I = 8 nats: ρ = 0.7421
	// I = 10 nats: ρ = 0.7951
}
