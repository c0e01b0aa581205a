package probe

import (
	"math"

	"github.com/miaudit/miaudit/dataset"
)

// Standardize standardises x in place with the mean and population standard
// deviation of the rows listed in train, as scikit-learn's StandardScaler
// fitted on x[train] and applied to all of x:
//
//	mean_j  = (1/n) Σ_{i∈train} x_ij
//	var_j   = (1/n) Σ_{i∈train} (x_ij − mean_j)²   (ddof = 0)
//	scale_j = √var_j, or 1 if feature j is constant on train
//	x_ij   ← (x_ij − mean_j) / scale_j             for every row i of x
//
// The statistics are computed in float64 with the corrected two-pass
// algorithm; a feature counts as constant, as in scikit-learn, when
// var_j ≤ n·ε·var_j + (n·mean_j·ε)² with ε the float64 machine epsilon. Each
// element is rounded to float32 after the subtraction and again after the
// division, as NumPy does for a float32 array updated in place by float64
// statistics. Standardize returns mean and scale, in the units of x.
//
// If train is nil all rows of x are used. Standardize panics if train is
// empty but not nil, or if it holds an index outside x.
func Standardize(x *dataset.Matrix, train []int) (mean, scale []float64) {
	if train == nil {
		train = make([]int, x.Rows)
		for i := range train {
			train[i] = i
		}
	}
	if len(train) == 0 {
		panic("probe: no training rows")
	}
	d := x.Cols
	n := float64(len(train))
	mean = make([]float64, d)
	for _, i := range train {
		for j, v := range x.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= n
	}
	// Corrected two-pass algorithm (Chan, Golub and LeVeque), as in
	// scikit-learn's _incremental_mean_and_var.
	corr := make([]float64, d)
	sq := make([]float64, d)
	for _, i := range train {
		for j, v := range x.Row(i) {
			t := float64(v) - mean[j]
			corr[j] += t
			sq[j] += t * t
		}
	}
	scale = make([]float64, d)
	const eps = 0x1p-52
	for j := range scale {
		v := (sq[j] - corr[j]*corr[j]/n) / n
		bound := n*eps*v + (n*mean[j]*eps)*(n*mean[j]*eps)
		if v <= bound {
			scale[j] = 1
		} else {
			scale[j] = math.Sqrt(v)
		}
	}
	for i := 0; i < x.Rows; i++ {
		row := x.Row(i)
		for j, v := range row {
			c := float32(float64(v) - mean[j])
			row[j] = float32(float64(c) / scale[j])
		}
	}
	return mean, scale
}
