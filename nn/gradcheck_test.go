package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gradTol bounds |analytic − numeric| / max(1, |analytic|, |numeric|) for
// gradient checks on float64 graphs with central differences of step
// fdStep: the truncation error is O(h²·f”') ≈ 1e-12 and the rounding
// error O(ε·f/h) ≈ 1e-10 for the costs here (|f| ≲ 10), so 1e-6 leaves a
// wide margin while still catching a wrong gradient.
const (
	gradTol = 1e-6
	fdStep  = 1e-5
)

// checkGrad builds a float64 graph with build, computes the gradient of its
// scalar cost with respect to wrt with TapeMachine + G.Grad +
// BindDualValues, and compares it with central finite differences on up to
// maxElems elements of each wrt node.
func checkGrad(t *testing.T, build func(g *G.ExprGraph) (cost *G.Node, wrt G.Nodes)) {
	t.Helper()
	const maxElems = 12
	g := G.NewGraph()
	cost, wrt := build(g)
	if _, err := G.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	var costV G.Value
	G.Read(cost, &costV)
	vm := G.NewTapeMachine(g, G.BindDualValues(wrt...))
	defer vm.Close()
	run := func() float64 {
		t.Helper()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		f, err := scalarOf(costV)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	run()
	analytic := make([][]float64, len(wrt))
	for i, n := range wrt {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		analytic[i] = append([]float64(nil), gv.Data().([]float64)...)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i, n := range wrt {
		x := n.Value().(*tensor.Dense).Data().([]float64)
		idx := rng.Perm(len(x))
		if len(idx) > maxElems {
			idx = idx[:maxElems]
		}
		for _, j := range idx {
			x0 := x[j]
			x[j] = x0 + fdStep
			fp := run()
			x[j] = x0 - fdStep
			fm := run()
			x[j] = x0
			num := (fp - fm) / (2 * fdStep)
			a := analytic[i][j]
			if rel := math.Abs(a-num) / math.Max(1, math.Max(math.Abs(a), math.Abs(num))); rel > gradTol {
				t.Errorf("d cost/d %s[%d]: got %.10g, finite differences %.10g (rel %.2g)", n.Name(), j, a, num, rel)
			}
		}
	}
}

// input64 adds a float64 variable of the given shape filled from N(0, 1).
func input64(g *G.ExprGraph, name string, rng *rand.Rand, shape ...int) *G.Node {
	return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name), G.WithInit(Normal(rng, 0, 1)))
}

// weighted returns Σ c_i·y_i with fixed random c, a scalar cost whose
// gradient with respect to y is c (so every output element is checked).
func weighted(t *testing.T, y *G.Node, rng *rand.Rand) *G.Node {
	t.Helper()
	c := G.NewConstant(tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(Normal(rng, 0, 1)(tensor.Float64, y.Shape()...))))
	p, err := G.HadamardProd(y, c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := G.Sum(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// must returns a function that fails t on a non-nil error and otherwise
// returns the node: must(t)(l.Forward(x)).
func must(t *testing.T) func(*G.Node, error) *G.Node {
	return func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

var opt64 = &LinearOptions{Dtype: tensor.Float64}

func TestGradLinear(t *testing.T) {
	checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
		rng := rand.New(rand.NewPCG(1, 2))
		x := input64(g, "x", rng, 5, 7)
		l, err := NewLinear(g, "lin", 7, 3, rng, opt64)
		if err != nil {
			t.Fatal(err)
		}
		y := must(t)(l.Forward(x))
		return weighted(t, y, rng), append(G.Nodes{x}, l.Params()...)
	})
}

func TestGradMLP(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  Activation
	}{
		{"relu", ReLU},
		{"leaky0.2", LeakyReLU(0.2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(3, 4))
				x := input64(g, "x", rng, 6, 5)
				m, err := NewMLP(g, "mlp", []int{5, 8, 7, 2}, tc.act, rng, opt64)
				if err != nil {
					t.Fatal(err)
				}
				y := must(t)(m.Forward(x))
				return weighted(t, y, rng), append(G.Nodes{x}, m.Params()...)
			})
		})
	}
}

func TestGradActivations(t *testing.T) {
	for i, tc := range []struct {
		name string
		f    Activation
	}{
		{"relu", ReLU},
		{"leaky0.01", LeakyReLU(0.01)},
		{"leaky0.3", LeakyReLU(0.3)},
		{"softplus", Softplus},
		{"identity", Identity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(uint64(i), 5))
				x := input64(g, "x", rng, 4, 6)
				y := must(t)(tc.f(x))
				return weighted(t, y, rng), G.Nodes{x}
			})
		})
	}
}

func TestGradConv2d(t *testing.T) {
	for i, tc := range []struct {
		name                       string
		in, out, k, stride, pad, h int
		w                          int
	}{
		{"3x3/1 pad1", 2, 3, 3, 1, 1, 5, 7},
		{"4x4/2 pad1 odd", 3, 2, 4, 2, 1, 7, 9},
		{"3x3/2 pad0 odd", 2, 2, 3, 2, 0, 9, 7},
		{"1x1/1", 3, 4, 1, 1, 0, 3, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(uint64(i), 9))
				x := input64(g, "x", rng, 2, tc.in, tc.h, tc.w)
				c, err := NewConv2d(g, "conv", tc.in, tc.out, tc.k, rng, &Conv2dOptions{Stride: tc.stride, Padding: tc.pad, Dtype: tensor.Float64})
				if err != nil {
					t.Fatal(err)
				}
				y := must(t)(c.Forward(x))
				if want := (tensor.Shape{2, tc.out, c.OutSize(tc.h), c.OutSize(tc.w)}); !y.Shape().Eq(want) {
					t.Fatalf("output shape %v, want %v", y.Shape(), want)
				}
				return weighted(t, y, rng), append(G.Nodes{x}, c.Params()...)
			})
		})
	}
}

func TestGradLogSumExp(t *testing.T) {
	for i, tc := range []struct {
		name  string
		shape []int
		axis  int
		mean  bool
	}{
		{"vector", []int{7}, 0, false},
		{"matrix axis 1", []int{4, 5}, 1, false},
		{"matrix axis 0", []int{4, 5}, 0, false},
		{"column axis 0 (DV)", []int{8, 1}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(uint64(i), 11))
				x := input64(g, "x", rng, tc.shape...)
				f := LogSumExp
				if tc.mean {
					f = LogMeanExp
				}
				y := must(t)(f(x, tc.axis))
				if y.IsScalar() {
					return y, G.Nodes{x}
				}
				return weighted(t, y, rng), G.Nodes{x}
			})
		})
	}
}

// dvLoss builds the Donsker–Varadhan critic loss of the benchmark on
// encoder output z: −(mean T(z,s) − log mean exp T(z,s′)). z feeds two
// critic evaluations, the case where LispMachine's gradients are wrong.
func dvLoss(z, s, sp *G.Node, critic Module) (*G.Node, error) {
	zs, err := ConcatCols(z, s)
	if err != nil {
		return nil, err
	}
	zsp, err := ConcatCols(z, sp)
	if err != nil {
		return nil, err
	}
	tj, err := critic.Forward(zs)
	if err != nil {
		return nil, err
	}
	tm, err := critic.Forward(zsp)
	if err != nil {
		return nil, err
	}
	mj, err := G.Mean(tj)
	if err != nil {
		return nil, err
	}
	lme, err := LogMeanExp(tm, 0)
	if err != nil {
		return nil, err
	}
	// lme has shape (1); reduce it to a scalar so that the loss is one.
	if lme, err = G.Sum(lme); err != nil {
		return nil, err
	}
	d, err := G.Sub(lme, mj)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// oneHot returns a (n, k) constant whose row i is e_{lab[i]}.
func oneHot(dt tensor.Dtype, lab []int, k int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(len(lab), k), tensor.Of(dt))
	for i, l := range lab {
		switch dt {
		case tensor.Float32:
			t.Data().([]float32)[i*k+l] = 1
		default:
			t.Data().([]float64)[i*k+l] = 1
		}
	}
	return t
}

func TestGradNodeFeedingTwoBranches(t *testing.T) {
	checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
		rng := rand.New(rand.NewPCG(21, 22))
		const b, in, zd, k = 6, 5, 4, 3
		x := input64(g, "x", rng, b, in)
		enc, err := NewMLP(g, "enc", []int{in, 7, zd}, ReLU, rng, opt64)
		if err != nil {
			t.Fatal(err)
		}
		critic, err := NewMLP(g, "critic", []int{zd + k, 8, 1}, ReLU, rng, opt64)
		if err != nil {
			t.Fatal(err)
		}
		lab := []int{0, 1, 2, 0, 1, 2}
		perm := []int{3, 5, 0, 4, 2, 1}
		labp := make([]int, b)
		for i, p := range perm {
			labp[i] = lab[p]
		}
		s := G.NewMatrix(g, tensor.Float64, G.WithShape(b, k), G.WithName("s"), G.WithValue(oneHot(tensor.Float64, lab, k)))
		sp := G.NewMatrix(g, tensor.Float64, G.WithShape(b, k), G.WithName("sp"), G.WithValue(oneHot(tensor.Float64, labp, k)))
		z := must(t)(enc.Forward(x))
		loss := must(t)(dvLoss(z, s, sp, critic))
		return loss, append(append(G.Nodes{x}, enc.Params()...), critic.Params()...)
	})
}

func TestGradConcatCols(t *testing.T) {
	checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
		rng := rand.New(rand.NewPCG(31, 32))
		a := input64(g, "a", rng, 4, 3)
		b := input64(g, "b", rng, 4, 1)
		c := input64(g, "c", rng, 4, 5)
		y := must(t)(ConcatCols(a, b, c))
		if want := (tensor.Shape{4, 9}); !y.Shape().Eq(want) {
			t.Fatalf("shape %v, want %v", y.Shape(), want)
		}
		return weighted(t, y, rng), G.Nodes{a, b, c}
	})
}

func TestGradMatMul(t *testing.T) {
	// Every transposition: A and B stored so that op(A) is 4×3 and op(B) 3×5.
	for _, tc := range []struct{ ta, tb bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		t.Run(fmt.Sprintf("%t,%t", tc.ta, tc.tb), func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(3, 4))
				sa, sb := []int{4, 3}, []int{3, 5}
				if tc.ta {
					sa = []int{3, 4}
				}
				if tc.tb {
					sb = []int{5, 3}
				}
				a := input64(g, "a", rng, sa...)
				b := input64(g, "b", rng, sb...)
				y := must(t)(MatMul(a, b, tc.ta, tc.tb))
				return weighted(t, y, rng), G.Nodes{a, b}
			})
		})
	}
}
