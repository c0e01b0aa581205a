package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGradReverse checks GradReverse's value (x itself) and gradient: for
// cost = Σ_i c_i·u_i² with u = GradReverse(x), the gradient with respect
// to x is −scale·2·c ⊙ x, the reversed gradient of the cost, by hand.
func TestGradReverse(t *testing.T) {
	const scale = 0.7
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	x := input64(g, "x", rng, 3, 4)
	r := must(t)(GradReverse(x, scale))
	sq := must(t)(G.Square(r))
	c := Normal(rng, 0, 1)(tensor.Float64, 3, 4).([]float64)
	cn := G.NewConstant(tensor.New(tensor.WithShape(3, 4), tensor.WithBacking(c)))
	cost := must(t)(G.Sum(must(t)(G.HadamardProd(sq, cn))))
	if _, err := G.Grad(cost, x); err != nil {
		t.Fatal(err)
	}
	var rv G.Value
	G.Read(r, &rv)
	vm := G.NewTapeMachine(g, G.BindDualValues(x))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	xs := x.Value().Data().([]float64)
	if got := rv.Data().([]float64); !equalFloats(got, xs) {
		t.Errorf("value %v, want x = %v", got, xs)
	}
	gv, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	for i, gi := range gv.Data().([]float64) {
		want := -scale * 2 * c[i] * xs[i]
		if math.Abs(gi-want) > 1e-12 {
			t.Errorf("∂cost/∂x[%d] = %v, want −scale·2·c·x = %v", i, gi, want)
		}
	}
	if _, err := GradReverse(x, -1); err == nil {
		t.Error("negative scale: no error")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
