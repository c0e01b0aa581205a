package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestMLPMatchesDirectComputation(t *testing.T) {
	// y = W₂ᵀ·leaky(W₁ᵀ·x + b₁) + b₂ per row, computed with loops in float64.
	const tol = 1e-12
	for _, slope := range []float64{0, 0.2} {
		g := G.NewGraph()
		rng := rand.New(rand.NewPCG(8, 8))
		x := input64(g, "x", rng, 3, 4)
		m, err := NewMLP(g, "m", []int{4, 5, 2}, LeakyReLU(slope), rng, opt64)
		if err != nil {
			t.Fatal(err)
		}
		y := must(t)(m.Forward(x))
		mach, err := NewMachine(nil, nil, y)
		if err != nil {
			t.Fatal(err)
		}
		if err := mach.Run(); err != nil {
			t.Fatal(err)
		}
		got := mach.Value(y).Data().([]float64)
		mach.Close()
		lin := func(in []float64, l *Linear) []float64 {
			w, b := l.W.Value().Data().([]float64), l.B.Value().Data().([]float64)
			rows := len(in) / l.In
			out := make([]float64, rows*l.Out)
			for r := 0; r < rows; r++ {
				for j := 0; j < l.Out; j++ {
					s := b[j]
					for i := 0; i < l.In; i++ {
						s += in[r*l.In+i] * w[i*l.Out+j]
					}
					out[r*l.Out+j] = s
				}
			}
			return out
		}
		h := lin(x.Value().Data().([]float64), m.Layers[0])
		for i, v := range h {
			if v <= 0 {
				h[i] = slope * v
			}
		}
		want := lin(h, m.Layers[1])
		for i := range want {
			if math.Abs(got[i]-want[i]) > tol {
				t.Errorf("slope %g: y[%d] = %.15g, want %.15g", slope, i, got[i], want[i])
			}
		}
	}
}

func TestLinearShapeErrors(t *testing.T) {
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(1, 1))
	l, err := NewLinear(g, "l", 4, 2, rng, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 5), G.WithName("x"))
	if _, err := l.Forward(x); err == nil {
		t.Error("Forward accepted a (3, 5) input for 4 inputs")
	}
	if _, err := NewMLP(g, "m", []int{3}, nil, rng, nil); err == nil {
		t.Error("NewMLP accepted one width")
	}
	if _, err := NewLinear(g, "n", 0, 2, rng, nil); err == nil {
		t.Error("NewLinear accepted 0 inputs")
	}
	if _, err := NewLinear(g, "n", 2, 2, nil, nil); err == nil {
		t.Error("NewLinear accepted a nil rng without initialisers")
	}
}
