package probe

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/miaudit/miaudit/dataset"
)

// Model is a fitted linear probe: K classes over Dim features, with logits
//
//	z_k(x) = Weights[k]·x + Intercepts[k],   P(k | x) = softmax(z(x))_k.
//
// A class absent from the training rows has zero weights and an intercept of
// −Inf, so its probability is exactly 0 and it is never predicted. When the
// training rows hold exactly two classes a < b the model is scikit-learn's
// binary logistic regression P(b | x) = σ(w·x + c): row a is zero and row b
// holds (w, c), which the softmax turns into the same two probabilities.
type Model struct {
	// K is the number of classes and Dim the number of features.
	K, Dim int
	// Weights holds the weight vector of each class, K×Dim row-major, in
	// nats per unit of standardised feature.
	Weights []float64
	// Intercepts holds the intercept of each class in nats; −Inf for a
	// class absent from the training rows.
	Intercepts []float64
	// C is the inverse regularisation strength the model was fitted with.
	C float64

	// Converged reports whether L-BFGS reached the gradient tolerance. A
	// model that did not converge is still the best point found, as with
	// scikit-learn's ConvergenceWarning.
	Converged bool
	// Iterations is the number of L-BFGS iterations and Evaluations the
	// number of evaluations of the objective and its gradient.
	Iterations, Evaluations int
	// GradNorm is ‖∇F‖∞ at the returned weights, in the units of the
	// objective F of Fit.
	GradNorm float64
}

// logits stores z(x_i) for the rows [i0, i1) of rows in dst (row-major,
// (i1−i0)×K), using xb as float64 scratch.
func (m *Model) logits(x *dataset.Matrix, rows []int, xb, dst []float64) {
	d, k := m.Dim, m.K
	nr := len(rows)
	for r, i := range rows {
		row := xb[r*d : (r+1)*d]
		for j, v := range x.Row(i) {
			row[j] = float64(v)
		}
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1,
		blas64.General{Rows: nr, Cols: d, Stride: d, Data: xb[:nr*d]},
		blas64.General{Rows: k, Cols: d, Stride: d, Data: m.Weights},
		0, blas64.General{Rows: nr, Cols: k, Stride: k, Data: dst[:nr*k]})
	for r := range nr {
		zr := dst[r*k : (r+1)*k]
		for c, b := range m.Intercepts {
			zr[c] += b
		}
	}
}

func (m *Model) check(x *dataset.Matrix) {
	if x.Cols != m.Dim {
		panic("probe: dimension mismatch")
	}
	if len(m.Weights) != m.K*m.Dim || len(m.Intercepts) != m.K {
		panic("probe: malformed model")
	}
}

// Proba stores in dst the class probabilities of the listed rows of x,
// row-major len(rows)×K: dst[r·K+k] = P(k | x_rows[r]), computed as a softmax
// shifted by the largest logit. Both columns are filled when K is 2. Proba
// panics if len(dst) ≠ len(rows)·K or x.Cols ≠ Dim.
func (m *Model) Proba(x *dataset.Matrix, rows []int, dst []float64) {
	m.check(x)
	k := m.K
	if len(dst) != len(rows)*k {
		panic("probe: slice length mismatch")
	}
	nb := blockSize(k)
	xb := make([]float64, min(nb, len(rows))*m.Dim)
	for i0 := 0; i0 < len(rows); i0 += nb {
		i1 := min(i0+nb, len(rows))
		m.logits(x, rows[i0:i1], xb, dst[i0*k:i1*k])
	}
	for r := range rows {
		softmax(dst[r*k : (r+1)*k])
	}
}

// softmax replaces z by softmax(z), shifting by max(z) first.
func softmax(z []float64) {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = max(mx, v)
	}
	var s float64
	for i, v := range z {
		e := math.Exp(v - mx)
		z[i] = e
		s += e
	}
	for i := range z {
		z[i] /= s
	}
}

// Predict stores in dst the most probable class of each listed row of x, the
// argmax of its logits with ties going to the lowest class (as NumPy's
// argmax, hence scikit-learn's predict). Predict panics if
// len(dst) ≠ len(rows) or x.Cols ≠ Dim.
func (m *Model) Predict(x *dataset.Matrix, rows []int, dst []int) {
	m.check(x)
	if len(dst) != len(rows) {
		panic("probe: slice length mismatch")
	}
	k := m.K
	nb := min(blockSize(k), len(rows))
	xb := make([]float64, nb*m.Dim)
	z := make([]float64, nb*k)
	for i0 := 0; i0 < len(rows); i0 += nb {
		i1 := min(i0+nb, len(rows))
		m.logits(x, rows[i0:i1], xb, z)
		for r := range i1 - i0 {
			zr := z[r*k : (r+1)*k]
			best := 0
			for c, v := range zr {
				if v > zr[best] {
					best = c
				}
			}
			dst[i0+r] = best
		}
	}
}
