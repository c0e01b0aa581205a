package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// naiveConv is a direct 2-D cross-correlation with zero padding, written
// from the definition (PyTorch's nn.Conv2d):
//
//	y[b,o,i,j] = bias[o] + Σ_c Σ_u Σ_v w[o,c,u,v] · x[b, c, i·s+u−p, j·s+v−p]
func naiveConv(x []float64, b, c, h, w int, k []float64, o, kk, s, p int, bias []float64) ([]float64, int, int) {
	oh, ow := (h+2*p-kk)/s+1, (w+2*p-kk)/s+1
	y := make([]float64, b*o*oh*ow)
	for bi := 0; bi < b; bi++ {
		for oi := 0; oi < o; oi++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					sum := bias[oi]
					for ci := 0; ci < c; ci++ {
						for u := 0; u < kk; u++ {
							for v := 0; v < kk; v++ {
								r, q := i*s+u-p, j*s+v-p
								if r < 0 || r >= h || q < 0 || q >= w {
									continue
								}
								sum += k[((oi*c+ci)*kk+u)*kk+v] * x[((bi*c+ci)*h+r)*w+q]
							}
						}
					}
					y[((bi*o+oi)*oh+i)*ow+j] = sum
				}
			}
		}
	}
	return y, oh, ow
}

func TestConv2dMatchesDirectConvolution(t *testing.T) {
	// Sums of up to In·K·K = 75 products of O(1) terms: float64 is exact to
	// ~1e-14; float32 rounds each of them (2⁻²⁴ ≈ 6e-8 relative), ≲ 1e-5 of
	// the output's largest entry in the worst case.
	const tol64, tol32 = 1e-12, 1e-5
	cases := []convCase{
		{2, 1, 5, 5, 2, 3, 1, 1},
		{1, 3, 7, 9, 4, 4, 2, 1}, // odd sizes, stride 2
		{2, 2, 6, 5, 3, 3, 2, 0},
		{1, 2, 4, 4, 3, 1, 1, 0}, // 1×1
	}
	for i, tc := range append(cases, convOpCases...) {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			g := G.NewGraph()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			xv, wv, bv, _ := randomConvData(tc, uint64(i)+300)
			x := G.NewTensor(g, dt, 4, G.WithShape(tc.b, tc.c, tc.h, tc.w), G.WithName("x"), G.WithInit(fromSlice(xv)))
			conv, err := NewConv2d(g, "conv", tc.c, tc.o, tc.k, rng, &Conv2dOptions{
				Stride: tc.s, Padding: tc.p, Dtype: dt, Weight: fromSlice(wv), Bias: fromSlice(bv)})
			if err != nil {
				t.Fatal(err)
			}
			y := must(t)(conv.Forward(x))
			m, err := NewMachine(nil, nil, y)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			got := float64s(t, m.Value(y))
			m.Close()
			// The reference sees the values as stored in dt.
			want, oh, ow := naiveConv(float64s(t, x.Value()), tc.b, tc.c, tc.h, tc.w,
				float64s(t, conv.W.Value()), tc.o, tc.k, tc.s, tc.p, float64s(t, conv.B.Value()))
			if !y.Shape().Eq(tensor.Shape{tc.b, tc.o, oh, ow}) || len(got) != len(want) {
				t.Fatalf("%v: shape %v, want (%d, %d, %d, %d)", tc, y.Shape(), tc.b, tc.o, oh, ow)
			}
			tol := tol64
			if dt == tensor.Float32 {
				scale := 1.0
				for _, v := range want {
					scale = math.Max(scale, math.Abs(v))
				}
				tol = tol32 * scale
			}
			for j := range want {
				if math.Abs(got[j]-want[j]) > tol {
					t.Errorf("%v %v: y[%d] = %.15g, direct convolution %.15g", tc, dt, j, got[j], want[j])
					break
				}
			}
		}
	}
}
