package minmax

import "math"

// Floors of the variances standardize divides by: each dimension's batch
// variance gets standardizeRel times the mean variance of the batch's
// dimensions added, plus standardizeAbs. Without the relative floor a
// dimension the encoder has nearly switched off (variance ≈ 0) would
// have its gradient multiplied by 1/σ, hundreds of times: measured on
// styled-writers MNIST with a CLUB head at λ = 1 and an absolute ε of
// 1e-5 (batch normalisation's), the codes' spread fell to 4e-4 and the
// amplified gradients killed the encoder at step 800.
const (
	standardizeRel = 1e-3
	standardizeAbs = 1e-8
)

// standardize writes into z the batch-standardised codes of y (b rows of
// d values, row-major),
//
//	z_ij = (y_ij − μ_j) / σ_j,  μ_j = mean_i y_ij,
//	σ_j = √(v_j + ρ·v̄ + ε),  v_j = mean_i (y_ij − μ_j)²,  v̄ = mean_j v_j,
//
// with ρ = standardizeRel and ε = standardizeAbs, and σ_j into sd. The
// heads see z: the codes as the audit's attackers see them (standardised
// features), so that the encoder cannot hide an attribute from a head by
// shrinking or shifting its codes, which no standardising attacker would
// notice.
func standardize(y []float32, b, d int, z []float32, sd []float64) {
	if len(y) != b*d || len(z) != b*d || len(sd) != d {
		panic("minmax: standardize size mismatch")
	}
	var vbar float64
	for j := range d {
		var mu float64
		for i := range b {
			mu += float64(y[i*d+j])
		}
		mu /= float64(b)
		var v float64
		for i := range b {
			e := float64(y[i*d+j]) - mu
			v += e * e
		}
		v /= float64(b)
		sd[j] = v // the variance for now
		vbar += v
	}
	vbar /= float64(d)
	for j := range d {
		sd[j] = math.Sqrt(sd[j] + standardizeRel*vbar + standardizeAbs)
	}
	for j := range d {
		var mu float64
		for i := range b {
			mu += float64(y[i*d+j])
		}
		mu /= float64(b)
		for i := range b {
			z[i*d+j] = float32((float64(y[i*d+j]) - mu) / sd[j])
		}
	}
}

// standardizeGrad adds scale times the gradient with respect to y of a
// term whose gradient with respect to z = standardize(y) is gz, into gy:
//
//	∂/∂y_ik = (gz_ik − mean_i gz_ik − z_ik·A_k/b) / σ_k − ρ/(d·b) · (y_ik − μ_k) · Σ_j A_j/σ_j²,
//	A_j = Σ_i gz_ij z_ij,
//
// batch normalisation's backward pass (without its affine part) with the
// relative floor's term. The result sums to 0 over each column: moving
// every code by the same amount leaves the heads' terms unchanged; scaling
// a dimension changes them only through the floors.
func standardizeGrad(z []float32, sd []float64, gz []float32, b, d int, scale float64, gy []float32) {
	if len(z) != b*d || len(gz) != b*d || len(gy) != b*d || len(sd) != d {
		panic("minmax: standardizeGrad size mismatch")
	}
	var sumA float64
	for j := range d {
		var a float64
		for i := range b {
			a += float64(gz[i*d+j]) * float64(z[i*d+j])
		}
		sumA += a / (sd[j] * sd[j])
	}
	for j := range d {
		var mg, a float64
		for i := range b {
			g := float64(gz[i*d+j])
			mg += g
			a += g * float64(z[i*d+j])
		}
		mg /= float64(b)
		// y_ij − μ_j = z_ij·σ_j.
		c := standardizeRel / float64(d*b) * sumA * sd[j]
		for i := range b {
			k := i*d + j
			gy[k] += float32(scale * ((float64(gz[k])-mg-float64(z[k])*a/float64(b))/sd[j] - c*float64(z[k])))
		}
	}
}
