package adversary

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestEncoderGradMatchesFiniteDifferences checks EncoderGrad's gradient
// with respect to z against central finite differences of the term it
// returns, on float64 graphs, for every head whose term is a plain
// function of z (MINE's moving-average gradient is not the gradient of its
// value; TestEncoderGradDescends covers it).
func TestEncoderGradMatchesFiniteDifferences(t *testing.T) {
	const h, tol = 1e-6, 1e-4
	for _, cfg := range []Config{
		{Bound: BoundDV, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}},
		{Bound: BoundNWJ, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}},
		{Bound: BoundInfoNCE, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}, Out: 4},
		{Bound: BoundSMILE, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}, Out: 4},
		{Bound: BoundCLUB, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}},
		{Bound: BoundGRL, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}},
		{Bound: BoundGRL, EncoderTerm: TermEntropy, DZ: 3, Classes: 4, Batch: 6, Hidden: []int{5}},
		{Bound: BoundDV, DZ: 3, Classes: 40, Embed: 3, Batch: 6, Hidden: []int{5}},
	} {
		e := float64Estimator(t, cfg, 3)
		z := make([]float32, 6*3)
		for i, v := range e.m.zT.Data().([]float64) {
			z[i] = float32(v)
		}
		s := Labels(append([]int(nil), e.m.labels...))
		dz := make([]float32, len(z))
		if _, err := e.encoderGradAt(z, s, dz); err != nil {
			t.Fatalf("%s: %v", cfg.Bound, err)
		}
		var norm float64
		for _, g := range dz {
			norm += float64(g) * float64(g)
		}
		if norm == 0 {
			t.Errorf("%s: zero gradient", cfg.Bound)
		}
		x := e.enc.m.zT.Data().([]float64)
		term := func() float64 {
			if err := e.enc.mc.Run(); err != nil {
				t.Fatal(err)
			}
			return e.enc.mc.Loss()
		}
		for j := range x {
			x0 := x[j]
			x[j] = x0 + h
			fp := term()
			x[j] = x0 - h
			fm := term()
			x[j] = x0
			num := (fp - fm) / (2 * h)
			if math.Abs(num-float64(dz[j])) > tol*math.Max(1, math.Abs(num)) {
				t.Errorf("%s (embed %d): ∂term/∂z[%d] = %v, finite differences %v", cfg.Bound, cfg.Embed, j, dz[j], num)
			}
		}
		e.Close()
	}
}

// TestEncoderGradDescends trains each head a little on dependent (z, s),
// then moves z a small step against EncoderGrad's gradient: the head's term
// on the batch must fall — the encoder's gradient points to a lower
// estimate of I(Z;S), for every head including MINE's corrected gradient.
func TestEncoderGradDescends(t *testing.T) {
	heads := []Config{{Bound: BoundGRL, EncoderTerm: TermEntropy}}
	for _, b := range []string{BoundMINE, BoundDV, BoundNWJ, BoundInfoNCE, BoundSMILE, BoundCLUB, BoundGRL} {
		heads = append(heads, Config{Bound: b})
	}
	for _, cfg := range heads {
		bound := cfg.Bound + " " + cfg.EncoderTerm
		rng := rand.New(rand.NewPCG(4, 4))
		cfg.DZ, cfg.Classes, cfg.Batch, cfg.Hidden = 4, 3, 32, []int{16}
		e, err := New(cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		batch := func() ([]float32, Labels) {
			z := make([]float32, 32*4)
			s := make(Labels, 32)
			for i := range s {
				s[i] = rng.IntN(3)
				for j := range 4 {
					z[i*4+j] = float32(rng.NormFloat64())
				}
				z[i*4] += 2 * float32(s[i]) // S planted in dimension 0
			}
			return z, s
		}
		for range 200 {
			z, s := batch()
			if _, err := e.Train(z, s); err != nil {
				t.Fatal(err)
			}
		}
		z, s := batch()
		dz := make([]float32, len(z))
		// The same marginal pairs for both evaluations: the generator's
		// draw is made once, by EncoderGrad.
		before, err := e.EncoderGrad(z, s, dz)
		if err != nil {
			t.Fatal(err)
		}
		var norm float64
		for _, g := range dz {
			norm += float64(g) * float64(g)
		}
		step := 0.05 / math.Sqrt(norm)
		moved := make([]float32, len(z))
		for i := range z {
			moved[i] = z[i] - float32(step)*dz[i]
		}
		after, err := e.encoderGradAt(moved, s, make([]float32, len(z)))
		if err != nil {
			t.Fatal(err)
		}
		if !(after < before) {
			t.Errorf("%s: term %v before, %v after a step against the gradient", bound, before, after)
		}
		e.Close()
	}
}

// TestEncoderGradEntropyTerm checks the maximum-entropy term against hand
// calculations. A linear head (no hidden layer) with zero weights and
// biases has q(·|z) uniform over its K = 5 classes for every z: the term,
// minus the entropy, is −log 5 = −1.6094 and its gradient is 0 (the
// entropy is at its maximum). With biases (log 4, 0, 0, 0, 0) and zero
// weights, q = (4, 1, 1, 1, 1)/8 for every row: the term is
// 0.5·log 0.5 + 4·0.125·log 0.125 = −0.3466 − 1.0397 = −1.3863 (= −log 4),
// whatever the labels.
func TestEncoderGradEntropyTerm(t *testing.T) {
	cfg := Config{Bound: BoundGRL, EncoderTerm: TermEntropy, DZ: 3, Classes: 5, Batch: 4, Hidden: []int{}}
	e := float64Estimator(t, cfg, 1)
	defer e.Close()
	for _, tc := range []struct {
		bias0, want float64
	}{{0, -math.Log(5)}, {math.Log(4), -math.Log(4)}} {
		for _, p := range e.m.params.Nodes() {
			d := p.Value().Data().([]float64)
			clear(d)
			if strings.HasSuffix(p.Name(), ".bias") {
				d[0] = tc.bias0
			}
		}
		z := []float32{1, -2, 0.5, 0, 3, 1, -1, -1, 2, 0.25, 0, -4}
		dz := make([]float32, len(z))
		got, err := e.encoderGradAt(z, Labels{0, 1, 2, 4}, dz)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("bias %.4f: term %.6f, want %.6f", tc.bias0, got, tc.want)
		}
		for i, g := range dz {
			if g != 0 {
				t.Fatalf("bias %.4f: ∂term/∂z[%d] = %v with zero weights, want 0", tc.bias0, i, g)
			}
		}
	}
}

func TestEncoderGradErrors(t *testing.T) {
	e, err := New(Config{Bound: BoundCLUB, DZ: 2, DS: 2, Batch: 4}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.EncoderGrad(make([]float32, 8), make(Floats, 8), make([]float32, 8)); err == nil {
		t.Error("club with a continuous S: no error")
	}
	if _, err := e.EncoderGrad(make([]float32, 8), make(Floats, 8), make([]float32, 7)); err == nil {
		t.Error("dz of the wrong size: no error")
	}
	if _, err := New(Config{Bound: BoundGRL, DZ: 2, DS: 2}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("grl with a continuous S: no error")
	}
	if _, err := New(Config{Bound: BoundCLUB, EncoderTerm: TermEntropy, DZ: 2, Classes: 2}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("the entropy term with club: no error")
	}
	if _, err := New(Config{Bound: BoundGRL, EncoderTerm: "uniform", DZ: 2, Classes: 2}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("an unknown encoder term: no error")
	}
}
