package selftest_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miaudit/miaudit/adversary/selftest"
)

// plugin estimates the MI of correlated Gaussians in closed form from a
// batch's pooled correlation ρ̂: −d/2·log(1−ρ̂²). It needs no training.
type plugin struct{}

func (plugin) Bound() string                              { return "estimate" }
func (p plugin) Train(b *selftest.Batch) (float64, error) { return p.Estimate(b) }
func (plugin) Estimate(b *selftest.Batch) (float64, error) {
	var sxy, sxx, syy float64
	for i := range b.X {
		x, y := float64(b.X[i]), float64(b.Y[i])
		sxy += x * y
		sxx += x * x
		syy += y * y
	}
	return selftest.GaussianMI(sxy/math.Sqrt(sxx*syy), b.XDim), nil
}

// A plug-in estimator on the correlated Gaussians: nearly unbiased, with a
// variance that grows with the MI. By the delta method, with m = 64·20 pairs
// per batch, Var ρ̂ ≈ (1−ρ²)²/m and dI/dρ = dρ/(1−ρ²), so Var Î ≈ d²ρ²/m:
// 0.057 at 2 nats (ρ² = 0.181) and 0.198 at 10 nats (ρ² = 0.632), against
// 0.06 and 0.23 measured over 100 held-out batches.
func ExampleRun() {
	est := selftest.Estimator{Name: "plug-in", New: func(s selftest.Shape, _ *rand.Rand) (selftest.Trainer, error) {
		if s.Kind != selftest.Continuous {
			return nil, fmt.Errorf("needs a continuous Y: %w", selftest.ErrUnsupported)
		}
		return plugin{}, nil
	}}
	cfg := selftest.Config{Seed: 1, Steps: 400, Staircases: []selftest.Staircase{selftest.GaussianStaircase(2, 10)}}
	res, err := selftest.Run(context.Background(), cfg, []selftest.Estimator{est}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Rows {
		fmt.Printf("%s: truth %.0f, bias %+.1f, variance %.2f\n", r.Level, r.Truth, r.Stats.Bias, r.Stats.Variance)
	}
	// Output:
	// 2 nats: truth 2, bias +0.0, variance 0.06
	// 10 nats: truth 10, bias +0.1, variance 0.23
}
