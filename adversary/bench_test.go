package adversary

import (
	"math/rand/v2"
	"testing"

	"github.com/miaudit/miaudit/internal/fastblas"
)

// benchmarkStep times one training step (forward, backward, Adam) of cfg
// on a fixed batch; the permutation of the concat critic changes per step.
func benchmarkStep(b *testing.B, cfg Config) {
	rng := rand.New(rand.NewPCG(1, 1))
	e, err := New(cfg, rng)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	z, s := randomBatch(rng, e.cfg, e.cfg.Batch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Train(z, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
}

// BenchmarkCriticStep times one critic step at batch 256 on z of 128 dims
// against 1,000 identities (a learned 32-wide embedding, looked up per
// label), with the default hidden layers [256, 256]: the concat critic
// (DV; 512 rows through the MLP: joint and shuffled pairs) and the
// separable critic (InfoNCE and DV over the 256×256 score matrix). Build
// with -tags openblas (CGO_LDFLAGS=-lopenblas) for OpenBLAS.
func BenchmarkCriticStep(b *testing.B) {
	base := Config{DZ: 128, Classes: 1000, Batch: 256}
	for _, tc := range []struct {
		name          string
		bound, critic string
	}{
		{"concat-embed/dv", BoundDV, CriticConcat},
		{"separable-embed/infonce", BoundInfoNCE, CriticSeparable},
		{"separable-embed/dv", BoundDV, CriticSeparable},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := base
			cfg.Bound, cfg.Critic = tc.bound, tc.critic
			benchmarkStep(b, cfg)
		})
	}
	b.Logf("BLAS: %s", fastblas.Name())
}
