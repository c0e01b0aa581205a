package fastblas

import (
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestName(t *testing.T) {
	switch n := Name(); n {
	case "gonum pure Go", "OpenBLAS":
	default:
		t.Errorf("Name() = %q", n)
	}
}

func TestMatMulThroughInstalledBLAS(t *testing.T) {
	// [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50] (hand calculation), through
	// gonum/mat (blas64) and through gorgonia (tensor's BLAS).
	var c mat.Dense
	c.Mul(mat.NewDense(2, 2, []float64{1, 2, 3, 4}), mat.NewDense(2, 2, []float64{5, 6, 7, 8}))
	want := []float64{19, 22, 43, 50}
	for i, v := range c.RawMatrix().Data {
		if v != want[i] {
			t.Errorf("mat: %v, want %v", c.RawMatrix().Data, want)
			break
		}
	}
	a := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))
	b := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{5, 6, 7, 8}))
	p, err := tensor.MatMul(a, b)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range p.Data().([]float32) {
		if float64(v) != want[i] {
			t.Errorf("tensor: %v, want %v", p.Data(), want)
			break
		}
	}
	t.Logf("%s: gorgonia %T, blas64 %T", Name(), G.WhichBLAS(), blas64.Implementation())
}
