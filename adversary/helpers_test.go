package adversary

import (
	"math"
	"math/rand/v2"
	"os"
)

// gaussPairs draws n pairs of correlated Gaussians in d dimensions:
// x ~ N(0, I), y = ρx + √(1−ρ²)ε, whose mutual information is
// −d/2·log(1−ρ²) nats (closed form).
func gaussPairs(rng *rand.Rand, n, d int, rho float64) (x, y []float32) {
	x, y = make([]float32, n*d), make([]float32, n*d)
	c := math.Sqrt(1 - rho*rho)
	for i := range x {
		a := rng.NormFloat64()
		x[i] = float32(a)
		y[i] = float32(rho*a + c*rng.NormFloat64())
	}
	return x, y
}

// rhoForMI returns ρ such that −d/2·log(1−ρ²) = mi.
func rhoForMI(mi float64, d int) float64 {
	return math.Sqrt(1 - math.Exp(-2*mi/float64(d)))
}

func readFile(path string) ([]byte, error)  { return os.ReadFile(path) }
func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }
