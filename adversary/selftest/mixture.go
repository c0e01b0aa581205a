package selftest

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Mixture is a Gaussian mixture with a discrete label: S is uniform on
// {0, …, Classes−1} and Z | S = s ~ N(μ_s, I) in Classes dimensions, with
// the means on a scaled simplex,
//
//	μ_s = Separation/√2 · e_s,
//
// so that every two means are Separation apart. X of a batch is Z and its
// labels are S. Separation 0 gives I(Z;S) = 0; as it grows I(Z;S) rises to
// log Classes.
type Mixture struct {
	Classes    int
	Separation float64
}

// Means returns the mixture's means, one row per class.
func (m Mixture) Means() [][]float64 {
	a := m.Separation / math.Sqrt2
	mu := make([][]float64, m.Classes)
	for s := range mu {
		mu[s] = make([]float64, m.Classes)
		mu[s][s] = a
	}
	return mu
}

// Shape implements Task.
func (m Mixture) Shape(batch int) Shape {
	return Shape{Kind: Discrete, N: batch, XDim: m.Classes, Classes: m.Classes}
}

// Sample implements Task. It panics if b's shape is not the task's.
func (m Mixture) Sample(rng *rand.Rand, b *Batch) {
	if b.Kind != Discrete || b.XDim != m.Classes || b.Classes != m.Classes {
		panic("selftest: batch shape mismatch")
	}
	a := m.Separation / math.Sqrt2
	for i := range b.N {
		s := rng.IntN(m.Classes)
		b.Labels[i] = s
		row := b.X[i*m.Classes : (i+1)*m.Classes]
		for j := range row {
			row[j] = float32(rng.NormFloat64())
		}
		row[s] += float32(a)
	}
}

// Truth implements Task with MixtureTruth over the task's means.
func (m Mixture) Truth(rng *rand.Rand, samples int) (mi, se float64) {
	return MixtureTruth(rng, m.Means(), samples)
}

// String implements Task: "separation 3". The staircase names K.
func (m Mixture) String() string {
	return fmt.Sprintf("separation %g", m.Separation)
}

// MixtureTruth returns I(Z;S), in nats, for S uniform on the len(means)
// classes and Z | S = s ~ N(means[s], I), by Monte Carlo over samples draws
// of (s, z) from rng, with its standard error:
//
//	I(Z;S) = H(S) − E_z[H(S|Z=z)],  H(S) = log K,
//	p(s|z) = exp(ℓ_s − logsumexp(ℓ)),  ℓ_s = −‖z − μ_s‖²/2,
//
// H(S|Z=z) = −Σ_s p(s|z)·log p(s|z) is computed exactly for each z (the
// posterior is exact, only the outer expectation is sampled), and se is the
// sample standard deviation of H(S|Z=z) over √samples.
//
// MixtureTruth panics if means is empty, its rows differ in length, or
// samples < 2.
func MixtureTruth(rng *rand.Rand, means [][]float64, samples int) (mi, se float64) {
	k := len(means)
	if k == 0 {
		panic("selftest: no means")
	}
	if samples < 2 {
		panic("selftest: too few samples")
	}
	d := len(means[0])
	for _, mu := range means {
		if len(mu) != d {
			panic("selftest: mean length mismatch")
		}
	}
	z := make([]float64, d)
	logit := make([]float64, k)
	// Welford's running mean and sum of squared deviations of H(S|Z=z).
	var mean, m2 float64
	for n := 1; n <= samples; n++ {
		s := rng.IntN(k)
		for j := range z {
			z[j] = means[s][j] + rng.NormFloat64()
		}
		for c, mu := range means {
			var q float64
			for j, v := range z {
				diff := v - mu[j]
				q += diff * diff
			}
			logit[c] = -q / 2
		}
		h := posteriorEntropy(logit)
		delta := h - mean
		mean += delta / float64(n)
		m2 += delta * (h - mean)
	}
	mi = math.Log(float64(k)) - mean
	se = math.Sqrt(m2 / float64(samples-1) / float64(samples))
	return mi, se
}

// posteriorEntropy returns the entropy, in nats, of the distribution
// p_c = exp(ℓ_c − logsumexp(ℓ)):
//
//	H = logsumexp(ℓ) − Σ_c p_c·ℓ_c,
//
// with ℓ shifted by its maximum so that no exponential overflows.
func posteriorEntropy(logit []float64) float64 {
	top := math.Inf(-1)
	for _, l := range logit {
		top = max(top, l)
	}
	var sum, dot float64
	for _, l := range logit {
		e := math.Exp(l - top)
		sum += e
		dot += e * (l - top)
	}
	// logsumexp(ℓ−top) − Σ p_c·(ℓ_c−top); the shift cancels. Rounding can
	// take a near-certain posterior's entropy a hair below 0.
	return max(math.Log(sum)-dot/sum, 0)
}
