package nn

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// forward32 runs a one-off float32 graph y = f(x) on the given data and
// returns y's values.
func forward32(t *testing.T, shape []int, data []float32, f func(x *G.Node) (*G.Node, error)) []float32 {
	t.Helper()
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), data...)))))
	y, err := f(x)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(nil, nil, y)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	switch v := m.Value(y).(type) {
	case *G.F32:
		return []float32{float32(*v)}
	case tensor.Tensor:
		if s, ok := v.Data().(float32); ok {
			return []float32{s}
		}
		return append([]float32(nil), v.Data().([]float32)...)
	default:
		t.Fatalf("value %T", v)
	}
	return nil
}

func TestLogSumExpValues(t *testing.T) {
	// float32 has 24 significant bits: relative error ≈ 6e-8 per op, a few ops.
	const tol = 1e-6
	for i, tc := range []struct {
		shape []int
		x     []float32
		axis  int
		want  []float64
	}{
		// log(e + e² + e³) = 3 + log(1 + e⁻¹ + e⁻²) = 3.40760596444438 (hand calculation);
		// gorgonia's G.LogSumExp returns 1.5048 here.
		{[]int{3}, []float32{1, 2, 3}, 0, []float64{3.40760596444438}},
		// exp(1000) overflows: a shifted LSE gives 1000 + log 2.
		{[]int{2}, []float32{1000, 1000}, 0, []float64{1000 + math.Ln2}},
		{[]int{2}, []float32{-1000, -1000}, 0, []float64{-1000 + math.Ln2}},
		// rows [1 2 3] and [1000 1000 -5]: axis 1 gives LSE per row.
		{[]int{2, 3}, []float32{1, 2, 3, 1000, 1000, -5}, 1, []float64{3.40760596444438, 1000 + math.Ln2}},
		// columns: log(e¹+e⁴), log(e²+e⁵), log(e³+e⁶) = k + 3 + log(1+e⁻³).
		{[]int{2, 3}, []float32{1, 2, 3, 4, 5, 6}, 0, []float64{4.048587351573742, 5.048587351573742, 6.048587351573742}},
		// the DV shape: (B, 1) along axis 0.
		{[]int{3, 1}, []float32{1, 2, 3}, 0, []float64{3.40760596444438}},
	} {
		got := forward32(t, tc.shape, tc.x, func(x *G.Node) (*G.Node, error) { return LogSumExp(x, tc.axis) })
		if len(got) != len(tc.want) {
			t.Errorf("%d: got %d values %v, want %d", i, len(got), got, len(tc.want))
			continue
		}
		for j := range got {
			if d := math.Abs(float64(got[j]) - tc.want[j]); d > tol*math.Max(1, math.Abs(tc.want[j])) {
				t.Errorf("%d: LogSumExp(%v, %d)[%d] = %.8g, want %.8g", i, tc.x, tc.axis, j, got[j], tc.want[j])
			}
		}
	}
}

func TestLogMeanExpValues(t *testing.T) {
	const tol = 1e-6
	// log((e + e² + e³)/3) = 3.40760596444438 − log 3 = 2.30899367577627.
	got := forward32(t, []int{3, 1}, []float32{1, 2, 3}, func(x *G.Node) (*G.Node, error) { return LogMeanExp(x, 0) })
	if want := 2.30899367577627; len(got) != 1 || math.Abs(float64(got[0])-want) > tol*want {
		t.Errorf("LogMeanExp([1 2 3]) = %v, want %.8g", got, want)
	}
}

func TestSoftplusValues(t *testing.T) {
	// Closed form log1p(exp(x)) in float64, or x + log1p(exp(−x)) for x > 0:
	//   −30 → 9.357622968839299e-14, −1 → 0.31326168751822286, 0 → log 2,
	//   1 → 1.3132616875182228, 30 → 30 + 9.36e-14, 100 → 100 (naive exp overflows float32 at 89).
	const tol = 1e-6
	x := []float32{-30, -1, 0, 1, 30, 100}
	want := []float64{9.357622968839299e-14, 0.31326168751822286, math.Ln2, 1.3132616875182228, 30, 100}
	got := forward32(t, []int{len(x)}, x, Softplus)
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); d > tol*math.Abs(want[i]) {
			t.Errorf("Softplus(%v) = %.8g, want %.8g", x[i], got[i], want[i])
		}
	}
}
