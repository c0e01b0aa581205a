package selftest

import (
	"math/rand/v2"
	"strconv"
)

// Task is one level of the benchmark: a joint distribution of (X, Y) whose
// mutual information is known.
type Task interface {
	// Shape is the shape of the task's batches of batch samples.
	Shape(batch int) Shape
	// Sample fills b with b.N fresh joint samples drawn from rng.
	Sample(rng *rand.Rand, b *Batch)
	// Truth returns I(X;Y) in nats and its standard error: 0 for a closed
	// form, else a Monte-Carlo standard error over samples draws from rng.
	Truth(rng *rand.Rand, samples int) (mi, se float64)
	// String names the level within its staircase ("2 nats",
	// "separation 3").
	String() string
}

// Staircase is a sequence of levels with one batch shape, run in order.
// Each estimator is built once per staircase and keeps training from one
// level to the next, as in Poole et al. (2019) and Song & Ermon (2020),
// whose estimators follow a staircase of rising MI without a restart: the
// figures then also show how fast an estimator tracks a change.
type Staircase struct {
	Name   string
	Levels []Task
}

// GaussianDim and GaussianLevels are the standard correlated-Gaussians
// staircase (Poole et al. 2019; Song & Ermon 2020): d = 20, 2 to 10 nats.
const GaussianDim = 20

// GaussianLevels are the staircase's MI levels, in nats.
var GaussianLevels = []float64{2, 4, 6, 8, 10}

// GaussianStaircase returns the correlated-Gaussians staircase at the given
// MI levels (nats) in GaussianDim dimensions.
func GaussianStaircase(levels ...float64) Staircase {
	st := Staircase{Name: "gaussian d=20"}
	for _, mi := range levels {
		st.Levels = append(st.Levels, Gaussian{Dim: GaussianDim, MI: mi})
	}
	return st
}

// MixtureStaircase returns the mixture staircase with k classes at the given
// separations.
func MixtureStaircase(k int, separations ...float64) Staircase {
	st := Staircase{Name: "mixture K=" + strconv.Itoa(k)}
	for _, sep := range separations {
		st.Levels = append(st.Levels, Mixture{Classes: k, Separation: sep})
	}
	return st
}
