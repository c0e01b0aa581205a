package selftest

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Gaussian is the correlated-Gaussians task: x ~ N(0, I_Dim) and
// y = ρx + √(1−ρ²)·ε with ε ~ N(0, I_Dim) independent of x, where ρ is chosen
// so that I(X;Y) = MI nats (see GaussianRho). Each of the Dim coordinate
// pairs (x_j, y_j) is a bivariate normal with correlation ρ, independent of
// the others.
type Gaussian struct {
	Dim int
	MI  float64 // nats
}

// GaussianMI returns the mutual information, in nats, of the correlated
// Gaussians of dimension dim with correlation rho:
//
//	I(X;Y) = −dim/2 · log(1 − ρ²).
//
// It is +Inf for |ρ| = 1.
func GaussianMI(rho float64, dim int) float64 {
	return -float64(dim) / 2 * math.Log1p(-rho*rho)
}

// GaussianRho returns the correlation ρ ≥ 0 at which correlated Gaussians of
// dimension dim have mutual information mi nats, the inverse of GaussianMI:
//
//	ρ = √(1 − exp(−2·mi/dim)).
func GaussianRho(mi float64, dim int) float64 {
	return math.Sqrt(-math.Expm1(-2 * mi / float64(dim)))
}

// Rho is the task's correlation.
func (g Gaussian) Rho() float64 { return GaussianRho(g.MI, g.Dim) }

// Shape implements Task.
func (g Gaussian) Shape(batch int) Shape {
	return Shape{Kind: Continuous, N: batch, XDim: g.Dim, YDim: g.Dim}
}

// Sample implements Task. It panics if b's shape is not the task's.
func (g Gaussian) Sample(rng *rand.Rand, b *Batch) {
	if b.Kind != Continuous || b.XDim != g.Dim || b.YDim != g.Dim {
		panic("selftest: batch shape mismatch")
	}
	rho := g.Rho()
	sd := math.Exp(-g.MI / float64(g.Dim)) // √(1−ρ²), without cancellation
	for i := range b.X {
		x := rng.NormFloat64()
		b.X[i] = float32(x)
		b.Y[i] = float32(rho*x + sd*rng.NormFloat64())
	}
}

// Truth implements Task: the closed form, with standard error 0.
func (g Gaussian) Truth(*rand.Rand, int) (mi, se float64) { return g.MI, 0 }

// String implements Task.
func (g Gaussian) String() string { return fmt.Sprintf("%g nats", g.MI) }
