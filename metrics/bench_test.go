package metrics

import (
	"context"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// benchmarkAudit audits the synthetic writers example of rows×dim with ids
// identities: a 10-class target, the identity and a two-level group, with C
// fixed to 1 and no bootstrap unless full (the work of the scikit-learn
// reference, ../shared/reference/sklearn_audit.py --no-cv). The matrix is
// regenerated for every iteration because Audit standardises it in place.
func benchmarkAudit(b *testing.B, rows, dim, ids int, full bool) {
	cfg := Config{Targets: []string{"digit"}, Protected: []string{"writer"}, Groups: []string{"sex"}, CGrid: []float64{1},
		Attackers: []string{"linear"}, Estimators: []string{"knn"}}
	if full {
		cfg.CGrid, cfg.Bootstrap, cfg.Attackers, cfg.Estimators = nil, 200, nil, nil
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		z, tab := dataset.ExampleTable(dataset.ExampleSpec{Writers: ids, RowsPerWriter: rows / ids, Dim: dim, Seed: 1})
		b.StartTimer()
		if _, err := Audit(context.Background(), cfg, z, tab, Input{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuditSmall(b *testing.B)     { benchmarkAudit(b, 2000, 32, 20, false) }
func BenchmarkAuditSmallFull(b *testing.B) { benchmarkAudit(b, 2000, 32, 20, true) }
func BenchmarkAuditMedium(b *testing.B)    { benchmarkAudit(b, 20000, 128, 200, false) }
func BenchmarkAuditLarge(b *testing.B)     { benchmarkAudit(b, 100000, 128, 1000, false) }
