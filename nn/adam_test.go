package nn

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// quadratic builds loss = Σ cA⊙a + Σ cB⊙b + ½(Σ a² + Σ b²), the problem of
// testdata/adam_torch.py, and returns the loss and the parameters.
func quadratic(t *testing.T) (*G.Node, *Params) {
	t.Helper()
	g := G.NewGraph()
	val := func(shape []int, x ...float32) *tensor.Dense {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(x))
	}
	a := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("a"), G.WithValue(val([]int{2, 3}, 0.5, -1, 2, 0.25, -0.75, 1.5)))
	b := G.NewVector(g, tensor.Float32, G.WithShape(4), G.WithName("b"), G.WithValue(val([]int{4}, -2, 0.125, 3, -0.5)))
	ca := G.NewConstant(val([]int{2, 3}, 1, -2, 0.5, 3, 0, -1))
	cb := G.NewConstant(val([]int{4}, 0.25, -0.5, 2, -3))
	half := G.NewConstant(float32(0.5))
	mt := must(t)
	lin := mt(G.Add(mt(G.Sum(mt(G.HadamardProd(ca, a)))), mt(G.Sum(mt(G.HadamardProd(cb, b))))))
	sq := mt(G.Add(mt(G.Sum(mt(G.Square(a)))), mt(G.Sum(mt(G.Square(b))))))
	loss := mt(G.Add(lin, mt(G.HadamardProd(half, sq))))
	p := &Params{}
	if err := p.Add("a", a); err != nil {
		t.Fatal(err)
	}
	if err := p.Add("b", b); err != nil {
		t.Fatal(err)
	}
	return loss, p
}

func TestAdamMatchesTorch(t *testing.T) {
	// torch.optim.Adam differs from a float32 evaluation of the same formula
	// only in rounding: 2e-6 is ~15 ulps at these magnitudes (GORGONIA.md
	// measured gorgonia's AdamSolver at 4e-7).
	const tol = 2e-6
	for _, tc := range []struct {
		clip float64
		a, b []float64 // testdata/adam_torch.py, torch 1.13.0a0
	}{
		{0,
			[]float64{0.00435816497, -0.501779437, 1.50222456, -0.248383224, -0.262868822, 1.02781439},
			[]float64{-1.5035274, 0.573624671, 2.500983, -0.00148103386}},
		{0.5,
			[]float64{0.00218781829, -0.500108182, 1.50045478, -0.250016928, -0.259749055, 1.02423143},
			[]float64{-1.50150096, 0.576484859, 2.49950528, 0.000120617449}},
	} {
		loss, p := quadratic(t)
		m, err := NewMachine(loss, p)
		if err != nil {
			t.Fatal(err)
		}
		opt, err := NewAdam(p, AdamConfig{LR: 0.1, MaxGradNorm: tc.clip})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			if err := opt.Step(); err != nil {
				t.Fatal(err)
			}
		}
		m.Close()
		for _, w := range []struct {
			name string
			want []float64
		}{{"a", tc.a}, {"b", tc.b}} {
			got, _ := Float32s(p.Node(w.name))
			for i := range got {
				if math.Abs(float64(got[i])-w.want[i]) > tol {
					t.Errorf("clip %g: %s[%d] = %.9g, torch %.9g", tc.clip, w.name, i, got[i], w.want[i])
				}
			}
		}
		if opt.StepCount() != 5 {
			t.Errorf("step count %d, want 5", opt.StepCount())
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	loss, p := quadratic(t)
	m, err := NewMachine(loss, p)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	// gradients c + θ: a → [1.5 −3 2.5 3.25 −0.75 0.5], b → [−1.75 −0.375 5 −3.5];
	// Σ g² = 28.875 + 40.453125 = 69.328125 (hand calculation).
	want := math.Sqrt(69.328125)
	n, err := ClipGradNorm(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(n-want) > 1e-9 {
		t.Errorf("norm before clipping %.10g, want %.10g", n, want)
	}
	n2, _ := ClipGradNorm(p, 1e9)
	if math.Abs(n2-1) > 1e-6 {
		t.Errorf("norm after clipping to 1: %.8g", n2)
	}
}

func TestMachineZeroesGradients(t *testing.T) {
	loss, p := quadratic(t)
	m, err := NewMachine(loss, p)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var first []float32
	for i := range 3 {
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		g, err := gradFloat32s(p.Node("a"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = append([]float32(nil), g...)
			continue
		}
		for j := range g {
			if g[j] != first[j] {
				t.Fatalf("run %d: gradient %v, first run %v (accumulated?)", i, g, first)
			}
		}
	}
	// The loss at θ₀, Σ c⊙θ + ½Σ θ², evaluated in float64.
	a := []float64{0.5, -1, 2, 0.25, -0.75, 1.5}
	ca := []float64{1, -2, 0.5, 3, 0, -1}
	b := []float64{-2, 0.125, 3, -0.5}
	cb := []float64{0.25, -0.5, 2, -3}
	var want float64
	for i := range a {
		want += ca[i]*a[i] + a[i]*a[i]/2
	}
	for i := range b {
		want += cb[i]*b[i] + b[i]*b[i]/2
	}
	if got := m.Loss(); math.Abs(got-want) > 1e-5 {
		t.Errorf("loss %.8g, want %.8g", got, want)
	}
}
