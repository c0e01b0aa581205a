package adversary_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miaudit/miaudit/adversary"
)

// The optimal critic of a binary Z and S, T = log p(z,s)/(p(z)p(s)), scored
// on the four cells of their joint table with the cells' probabilities as
// weights: DV equals the mutual information.
func ExampleDV() {
	p := [][]float64{{0.3, 0.1}, {0.2, 0.4}} // p(z,s)
	pz, ps := []float64{0.4, 0.6}, []float64{0.5, 0.5}
	var t, wp, wq []float64
	for z := range 2 {
		for s := range 2 {
			t = append(t, math.Log(p[z][s]/(pz[z]*ps[s])))
			wp = append(wp, p[z][s])     // joint weights
			wq = append(wq, pz[z]*ps[s]) // product-of-marginals weights
		}
	}
	fmt.Printf("DV = %.6f nats\n", adversary.DV(t, t, wp, wq))
	// Output:
	// DV = 0.086305 nats
}

// InfoNCE never exceeds log n: a perfect critic on a batch of 4 pairs
// reaches log 4.
func ExampleInfoNCE() {
	const n = 4
	scores := make([]float64, n*n)
	for i := range n {
		for j := range n {
			if i == j {
				scores[i*n+j] = 30
			}
		}
	}
	fmt.Printf("InfoNCE = %.4f, ceiling log %d = %.4f\n", adversary.InfoNCE(scores, n, nil), n, adversary.InfoNCECeiling(n))
	// Output:
	// InfoNCE = 1.3863, ceiling log 4 = 1.3863
}

// Train an estimator on batches of a fixed size, then estimate on held-out
// rows (a multiple of the batch size). The value comes with its bound type.
func ExampleNew() {
	rng := rand.New(rand.NewPCG(1, 2))
	est, err := adversary.New(adversary.Config{Bound: adversary.BoundInfoNCE, DZ: 8, Classes: 10, Batch: 64}, rng)
	if err != nil {
		panic(err)
	}
	defer est.Close()
	batch := func(n int) ([]float32, adversary.Labels) {
		z, s := make([]float32, n*8), make(adversary.Labels, n)
		for i := range s {
			s[i] = rng.IntN(10)
			for j := range 8 {
				z[i*8+j] = float32(rng.NormFloat64())
			}
			z[i*8+s[i]%8] += 2 // Z leaks S
		}
		return z, s
	}
	for range 200 {
		z, s := batch(64)
		if _, err := est.Train(z, s); err != nil {
			panic(err)
		}
	}
	z, s := batch(640)
	v, err := est.Estimate(z, s)
	if err != nil {
		panic(err)
	}
	fmt.Printf("I(Z;S) ≥ %.2f nats (%s bound, ceiling %.2f)\n", v, est.BoundType(), est.Ceiling())
}
