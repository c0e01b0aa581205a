package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/miaudit/miaudit/internal/fastblas"
)

// BenchmarkMLPStep times one training step of shared/reference/
// torch_workloads.py's "mlp" mode: encoder 784→512→512→64, DV critic
// (64+40)→256→256→1 on z with one-hot s and shuffled s′, loss
// −(mean T(z,s) − (logsumexp T(z,s′) − log B)), Adam 1e-4, batch 128. As
// in the script, x stays fixed and the labels and shuffle change per step.
// Build with -tags openblas (CGO_LDFLAGS=-lopenblas) for OpenBLAS.
func BenchmarkMLPStep(b *testing.B) {
	m, err := newDVModel(benchSizes, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer m.machine.Close()
	rng := rand.New(rand.NewPCG(2, 0))
	m.batch(rng)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.labels(rng)
		if err := m.step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
	b.Logf("BLAS: %s", fastblas.Name())
}
