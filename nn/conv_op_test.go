package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convCase is a convolution of a (b, c, h, w) input by o kernels of k×k,
// stride s, zero padding p.
type convCase struct{ b, c, h, w, o, k, s, p int }

func (tc convCase) String() string {
	return fmt.Sprintf("%dx%dx%dx%d o%d k%d s%d p%d", tc.b, tc.c, tc.h, tc.w, tc.o, tc.k, tc.s, tc.p)
}

// convOpCases cover the layers of the DIM encoder (3×3/1 pad 1, 4×4/2
// pad 1, 1×1), odd sizes, strides that skip pixels, padding wider than the
// kernel, batches of 1, 2 and 3, and each path through conv_op.go: one
// example per row matrix (16×17, 12×13: ≥ convChunkCols output
// positions), several with a remainder (5×7, batch 3: chunks of 2 and 1),
// one chunk of the whole batch (7×9, 4×4/2), and 1×1 kernels with and
// without the pointwise shortcut.
var convOpCases = []convCase{
	{3, 2, 5, 7, 3, 3, 1, 1},
	{1, 2, 5, 7, 3, 3, 1, 1},
	{3, 2, 16, 17, 3, 3, 1, 1},
	{3, 2, 12, 13, 2, 3, 1, 1},
	{3, 3, 7, 9, 2, 4, 2, 1},
	{1, 3, 7, 9, 2, 4, 2, 1},
	{3, 2, 9, 7, 2, 3, 2, 0},
	{3, 3, 5, 7, 4, 1, 1, 0},
	{1, 3, 5, 7, 4, 1, 1, 0},
	{3, 2, 5, 6, 3, 1, 2, 1},
	{1, 2, 6, 5, 2, 5, 3, 2},
	{2, 2, 4, 5, 3, 1, 1, 2}, // padding wider than the kernel
	{2, 1, 3, 3, 2, 2, 1, 3},
}

// fromSlice is an initialiser that copies vals (converted to dt).
func fromSlice(vals []float64) G.InitWFn {
	i := 0
	return fill(func() float64 { i++; return vals[i-1] })
}

// convEval is a graph computing y = conv(x) and cost Σ cw⊙y for one
// convCase, with its gradients bound; run returns y, ∂x, ∂W, ∂b (as
// float64) after one run of the machine.
type convEval struct {
	run   func() [4][]float64
	close func()
}

// newConvEval builds a convEval in dtype dt from x, W, b and cw given in
// row-major order, with nn's Conv2d operation or, with old, gorgonia's
// G.Conv2d followed by a broadcast addition of the bias.
func newConvEval(t *testing.T, tc convCase, dt tensor.Dtype, old bool, x, w, b, cw []float64) convEval {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewTensor(g, dt, 4, G.WithShape(tc.b, tc.c, tc.h, tc.w), G.WithName("x"), G.WithInit(fromSlice(x)))
	conv, err := NewConv2d(g, "conv", tc.c, tc.o, tc.k, nil, &Conv2dOptions{
		Stride: tc.s, Padding: tc.p, Dtype: dt, Weight: fromSlice(w), Bias: fromSlice(b)})
	if err != nil {
		t.Fatal(err)
	}
	var y *G.Node
	if old {
		y = must(t)(oldConv2dForward(conv, xn))
	} else {
		y = must(t)(conv.Forward(xn))
	}
	c := G.NewConstant(tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(fromSlice(cw)(dt, y.Shape()...))))
	cost := must(t)(G.Sum(must(t)(G.HadamardProd(y, c))))
	wrt := G.Nodes{xn, conv.W, conv.B}
	if _, err := G.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	var yv G.Value
	G.Read(y, &yv)
	vm := G.NewTapeMachine(g, G.BindDualValues(wrt...))
	run := func() [4][]float64 {
		t.Helper()
		for _, n := range wrt { // the machine adds to the bound gradients
			if gv, err := n.Grad(); err == nil {
				if gt, ok := gv.(tensor.Tensor); ok {
					gt.Zero()
				}
			}
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var out [4][]float64
		out[0] = float64s(t, yv)
		for i, n := range wrt {
			gv, err := n.Grad()
			if err != nil {
				t.Fatal(err)
			}
			out[i+1] = float64s(t, gv)
		}
		vm.Reset()
		return out
	}
	return convEval{run: run, close: func() { vm.Close() }}
}

// oldConv2dForward is Conv2d.Forward as it was before conv_op.go: gorgonia's
// im2col G.Conv2d and a broadcast addition of the bias.
func oldConv2dForward(c *Conv2d, x *G.Node) (*G.Node, error) {
	p, st := []int{c.Padding, c.Padding}, []int{c.Stride, c.Stride}
	y, err := G.Conv2d(x, c.W, tensor.Shape{c.Kernel, c.Kernel}, p, st, []int{1, 1})
	if err != nil || c.B == nil {
		return y, err
	}
	return G.BroadcastAdd(y, c.B, nil, []byte{0, 2, 3})
}

// float64s copies a float32 or float64 tensor's data into a new []float64.
func float64s(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	t.Fatalf("value %T with data %T", v, v.Data())
	return nil
}

// randomConvData returns x, W, b and cw for tc drawn from N(0, 1) with a
// seeded generator.
func randomConvData(tc convCase, seed uint64) (x, w, b, cw []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	draw := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	oh, ow := (tc.h+2*tc.p-tc.k)/tc.s+1, (tc.w+2*tc.p-tc.k)/tc.s+1
	return draw(tc.b * tc.c * tc.h * tc.w), draw(tc.o * tc.c * tc.k * tc.k), draw(tc.o), draw(tc.b * tc.o * oh * ow)
}

// dyadic returns n values ((i·a mod m) − off)/d, exactly representable in
// float32, as conv_torch.py below.
func dyadic(n, a, m, off, d int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64((i*a)%m-off) / float64(d)
	}
	return v
}

// TestConv2dMatchesTorch compares y, ∂x, ∂W and ∂b of cost Σ cw⊙y with
// torch.nn.functional.conv2d's on data whose products and sums are exact
// in float32, so the two must agree exactly whatever their order of
// summation. The wanted values were printed, as Python reprs, by this
// script under torch 1.13.0a0 (Debian python3-torch):
//
//	import torch
//	import torch.nn.functional as F
//	def vals(n, a, m, off, d):
//	    return [float(((i * a) % m) - off) / d for i in range(n)]
//	for (b, c, h, w, o, k, s, p) in [(2, 2, 4, 5, 2, 4, 2, 1), (1, 2, 3, 4, 2, 3, 1, 1)]:
//	    x = torch.tensor(vals(b*c*h*w, 37, 23, 11, 8), dtype=torch.float32).reshape(b, c, h, w).requires_grad_()
//	    wt = torch.tensor(vals(o*c*k*k, 29, 17, 8, 16), dtype=torch.float32).reshape(o, c, k, k).requires_grad_()
//	    bias = torch.tensor(vals(o, 5, 7, 3, 4), dtype=torch.float32).requires_grad_()
//	    y = F.conv2d(x, wt, bias, stride=s, padding=p)
//	    cw = torch.tensor(vals(y.numel(), 13, 11, 5, 4), dtype=torch.float32).reshape(y.shape)
//	    (cw * y).sum().backward()
//	    for name, t in (("y", y), ("dx", x.grad), ("dw", wt.grad), ("db", bias.grad)):
//	        print(name, ", ".join(repr(v) for v in t.detach().flatten().tolist()))
func TestConv2dMatchesTorch(t *testing.T) {
	for _, tc := range []struct {
		convCase
		want [4][]float64 // y, ∂x, ∂W, ∂b
	}{
		{convCase{2, 2, 4, 5, 2, 4, 2, 1}, [4][]float64{
			{-1.7734375, 0.21875, -1.4921875, -2.28125, 1.3828125, 0.390625, 0.8125, 1.625, -0.4453125, 0.390625, -0.5, 1.40625, 0.4609375, -0.015625, 0.8125, 0.2109375},
			{-0.359375, 0.234375, -1.09375, 0.65625, -0.296875, 0.65625, 0.5625, 0.234375, 0.796875, -0.609375, 0.984375, -1.28125, 0.25, -0.578125, -0.390625, -0.46875, 0.09375, -0.234375, -0.203125, 0.140625,
				-0.515625, 0.234375, 0.234375, -0.515625, 0.65625, -0.421875, 0.09375, 0.5625, 0.875, 0.796875, -0.359375, 0.375, -1.28125, 0.828125, -0.578125, 0.203125, -0.375, 0.09375, -0.28125, -0.203125,
				0.28125, -0.078125, 0.078125, -0.21875, 0.234375, -0.171875, 0.546875, -0.859375, -0.5625, 0.84375, -0.265625, -0.5625, 0.15625, 0.8125, -0.4375, 0.0, -0.8125, 0.8125, 0.6875, -0.484375,
				0.046875, 0.03125, -0.078125, 0.125, -0.21875, -0.28125, 0.625, 0.546875, -0.640625, -0.5625, 0.6875, 0.578125, -0.5625, -0.59375, 0.8125, 0.125, -0.578125, -0.8125, 0.53125, 0.6875},
			{1.84375, -0.5625, -0.28125, -0.71875, 2.125, 1.8125, -1.96875, 0.71875, 0.53125, 1.59375, -2.1875, 0.5, -1.09375, 2.03125, -2.03125, 1.09375,
				1.34375, -0.6875, -1.125, 2.75, 0.0625, 0.9375, -1.40625, 3.4375, -0.09375, 0.71875, -1.625, 1.78125, -1.21875, 1.28125, -0.625, -1.09375,
				-1.28125, 1.78125, -1.96875, 1.46875, -1.125, -0.03125, -1.3125, 0.28125, -0.25, 0.03125, 0.90625, 0.34375, 1.09375, -1.5, 3.125, -0.875,
				-1.15625, 1.53125, -0.78125, -0.9375, 0.21875, 0.21875, -1.0625, -1.625, 0.375, 0.28125, -1.0, -0.84375, 1.59375, -1.0, 0.03125, 0.34375},
			{-1.75, 0.5},
		}},
		{convCase{1, 2, 3, 4, 2, 3, 1, 1}, [4][]float64{
			{-0.7890625, -1.5, -1.5703125, -0.09375, -0.7421875, -0.6796875, -1.015625, 0.6171875, -0.0703125, -1.40625, -1.34375, -0.3515625,
				-0.078125, 0.9453125, -1.125, -0.4453125, 1.7421875, 0.9140625, -0.4453125, 0.0, 1.0078125, 1.2421875, 0.203125, -0.765625},
			{-1.09375, 0.234375, 0.453125, 0.1875, -1.21875, -0.984375, 0.59375, 0.203125, 0.015625, -0.296875, 0.15625, -0.515625,
				0.484375, -0.875, 0.328125, 0.078125, 0.84375, 0.953125, 0.453125, 0.046875, -0.515625, 0.90625, -0.78125, 0.8125},
			{-3.65625, 0.34375, -2.03125, 3.5625, -1.875, 0.21875, 2.5, 2.46875, -0.6875, -3.65625, 2.4375, 3.03125, 1.46875, -0.09375, -1.71875, -1.96875, 0.4375, 1.09375,
				2.25, -3.1875, 1.375, 2.59375, 3.84375, -3.5, -1.03125, 2.03125, 1.46875, 0.0625, -3.84375, 2.8125, -1.8125, 1.75, -1.28125, 1.1875, -1.78125, 2.03125},
			{-1.25, -0.75},
		}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			ev := newConvEval(t, tc.convCase, dt, false, dyadic(tc.b*tc.c*tc.h*tc.w, 37, 23, 11, 8),
				dyadic(tc.o*tc.c*tc.k*tc.k, 29, 17, 8, 16), dyadic(tc.o, 5, 7, 3, 4), dyadic(len(tc.want[0]), 13, 11, 5, 4))
			got := ev.run()
			ev.close()
			for i, name := range []string{"y", "dx", "dw", "db"} {
				if len(got[i]) != len(tc.want[i]) {
					t.Fatalf("%v %v: %s has %d elements, torch %d", tc.convCase, dt, name, len(got[i]), len(tc.want[i]))
				}
				for j := range got[i] {
					if got[i][j] != tc.want[i][j] {
						t.Errorf("%v %v: %s[%d] = %g, torch %g", tc.convCase, dt, name, j, got[i][j], tc.want[i][j])
						break
					}
				}
			}
		}
	}
}

// TestGradConv2dOp checks ∂x, ∂W and ∂b against central finite differences
// (float64) on every convOpCases geometry.
func TestGradConv2dOp(t *testing.T) {
	for i, tc := range convOpCases {
		t.Run(tc.String(), func(t *testing.T) {
			checkGrad(t, func(g *G.ExprGraph) (*G.Node, G.Nodes) {
				rng := rand.New(rand.NewPCG(uint64(i), 19))
				x := input64(g, "x", rng, tc.b, tc.c, tc.h, tc.w)
				c, err := NewConv2d(g, "conv", tc.c, tc.o, tc.k, rng, &Conv2dOptions{Stride: tc.s, Padding: tc.p, Dtype: tensor.Float64})
				if err != nil {
					t.Fatal(err)
				}
				y := must(t)(c.Forward(x))
				return weighted(t, y, rng), append(G.Nodes{x}, c.Params()...)
			})
		})
	}
}

// TestConv2dMatchesGorgonia compares y and the gradients of Σ cw⊙y with the
// old path (gorgonia's G.Conv2d, oldConv2dForward) in float32 on random
// data. ∂W and ∂b sum up to 816 products of N(0,1) terms in different
// orders, with cancellation: against a float64 evaluation both paths are off
// by up to 5e-5 where the largest entry is 54 (1e-6 of it), so the
// tolerance is 1e-5 of max(1, the largest |entry| of the tensor).
func TestConv2dMatchesGorgonia(t *testing.T) {
	const tol = 1e-5
	for i, tc := range convOpCases {
		x, w, b, cw := randomConvData(tc, uint64(i))
		var res [2][4][]float64
		for j, old := range []bool{false, true} {
			ev := newConvEval(t, tc, tensor.Float32, old, x, w, b, cw)
			res[j] = ev.run()
			ev.close()
		}
		for k, name := range []string{"y", "dx", "dw", "db"} {
			got, want := res[0][k], res[1][k]
			scale := 1.0
			for _, v := range want {
				scale = math.Max(scale, math.Abs(v))
			}
			for j := range want {
				if d := math.Abs(got[j] - want[j]); d > tol*scale {
					t.Errorf("%v: %s[%d] = %.8g, G.Conv2d %.8g (scale %.3g)", tc, name, j, got[j], want[j], scale)
					break
				}
			}
		}
	}
}

// TestConv2dDeterministic runs each case twice on one machine, and again
// with GOMAXPROCS 1 and 3, and wants bit-identical results every time.
func TestConv2dDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for i, tc := range convOpCases {
		x, w, b, cw := randomConvData(tc, uint64(i)+100)
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			ev := newConvEval(t, tc, dt, false, x, w, b, cw)
			first := ev.run()
			for _, procs := range []int{0, 1, 3} {
				if procs > 0 {
					runtime.GOMAXPROCS(procs)
				}
				again := ev.run()
				for k, name := range []string{"y", "dx", "dw", "db"} {
					for j := range first[k] {
						if math.Float64bits(again[k][j]) != math.Float64bits(first[k][j]) {
							t.Errorf("%v %v GOMAXPROCS %d: %s[%d] = %x, first run %x", tc, dt, procs, name, j,
								math.Float64bits(again[k][j]), math.Float64bits(first[k][j]))
							break
						}
					}
				}
			}
			ev.close()
		}
	}
}

func TestConv2dOpShapeErrors(t *testing.T) {
	op := conv2dOp{k: 3, s: 1, p: 0, out: newOutBuf(), work: newConvWork()}
	for _, tc := range []struct {
		x, w tensor.Shape
	}{
		{tensor.Shape{1, 2, 5, 5}, tensor.Shape{4, 3, 3, 3}}, // channels differ
		{tensor.Shape{1, 2, 5, 5}, tensor.Shape{4, 2, 2, 2}}, // kernel size differs
		{tensor.Shape{1, 2, 2, 5}, tensor.Shape{4, 2, 3, 3}}, // input too small
		{tensor.Shape{2, 5, 5}, tensor.Shape{4, 2, 3, 3}},    // not 4-D
	} {
		if s, err := op.InferShape(tc.x, tc.w); err == nil {
			t.Errorf("InferShape(%v, %v) = %v, want an error", tc.x, tc.w, s)
		}
	}
}

// TestConv2dKeptRows wants the kernel gradient computed from the row
// matrices kept by the forward pass to be bit-identical to the one that
// recomputes them (a workspace without a forward pass), and the kept
// matrices to be used once only.
func TestConv2dKeptRows(t *testing.T) {
	for i, tc := range convOpCases {
		x, w, _, dy := randomConvData(tc, uint64(i)+200)
		g, err := newConvGeom(tensor.Shape{tc.b, tc.c, tc.h, tc.w}, tensor.Shape{tc.o, tc.c, tc.k, tc.k}, tc.k, tc.s, tc.p)
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float64, len(dy))
		kept, fresh := newConvWork(), newConvWork()
		convForward(g, x, w, nil, y, kept)
		if got := bufsOf[float64](kept).keptX != nil; got != g.keepsRows() {
			t.Errorf("%v: rows kept %t, want %t", tc, got, g.keepsRows())
		}
		dw1, dw2 := make([]float64, len(w)), make([]float64, len(w))
		convWeightGrad(g, x, dy, dw1, kept)
		if bufsOf[float64](kept).keptX != nil {
			t.Errorf("%v: kept rows still marked valid after use", tc)
		}
		convWeightGrad(g, x, dy, dw2, fresh)
		for j := range dw1 {
			if math.Float64bits(dw1[j]) != math.Float64bits(dw2[j]) {
				t.Errorf("%v: dw[%d] = %v from kept rows, %v recomputed", tc, j, dw1[j], dw2[j])
				break
			}
		}
	}
}
