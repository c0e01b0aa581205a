package knn

import (
	"math/rand/v2"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// benchSize is an audit shape: probes and gallery rows of dims columns,
// from ids identities. Large is the production audit.
type benchSize struct {
	name                       string
	probes, gallery, dims, ids int
}

var benchSizes = []benchSize{
	{"Small", 300, 700, 128, 10},
	{"Medium", 3000, 7000, 128, 100},
	{"Large", 30000, 70000, 128, 1000},
}

// benchSet is synthetic audit data: rows [0, gallery) are the gallery,
// the rest the probes; each row is its identity's centre plus noise.
type benchSet struct {
	x             *dataset.Matrix
	gallery, gids []int
	probes, pids  []int
	rows, labels  []int // all rows and their identities, for MI
}

func newBenchSet(s benchSize) benchSet {
	rng := rand.New(rand.NewPCG(1, 2))
	n := s.probes + s.gallery
	x := dataset.NewMatrix(n, s.dims)
	centre := make([]float64, s.ids*s.dims)
	for i := range centre {
		centre[i] = rng.NormFloat64()
	}
	var bs benchSet
	bs.x = x
	for r := range n {
		id := r % s.ids
		for l := range s.dims {
			x.Data[r*s.dims+l] = float32(centre[id*s.dims+l] + 0.7*rng.NormFloat64())
		}
		bs.rows, bs.labels = append(bs.rows, r), append(bs.labels, id)
		if r < s.gallery {
			bs.gallery, bs.gids = append(bs.gallery, r), append(bs.gids, id)
		} else {
			bs.probes, bs.pids = append(bs.probes, r), append(bs.pids, id)
		}
	}
	return bs
}

// runBenchSizes runs f as a sub-benchmark at each size, reporting
// GFLOP/s for flops(s) floating-point operations per call (2 per
// multiply-add of the dot products).
func runBenchSizes(b *testing.B, flops func(s benchSize) float64, f func(b *testing.B, bs benchSet)) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			bs := newBenchSet(s)
			b.ReportAllocs()
			f(b, bs)
			b.ReportMetric(flops(s)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkReID(b *testing.B) {
	runBenchSizes(b, func(s benchSize) float64 {
		return 2 * float64(s.probes) * float64(s.gallery) * float64(s.dims)
	}, func(b *testing.B, bs benchSet) {
		for b.Loop() {
			if _, err := ReID(bs.x, bs.gallery, bs.gids, bs.probes, bs.pids, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMI estimates I(Z; identity) over all probe and gallery rows.
func BenchmarkMI(b *testing.B) {
	runBenchSizes(b, func(s benchSize) float64 {
		n := float64(s.probes + s.gallery)
		perLabel := n / float64(s.ids)
		// Each unordered pair once: pass 1 within labels, pass 2 all.
		return float64(s.dims) * (float64(s.ids)*perLabel*perLabel + n*n)
	}, func(b *testing.B, bs benchSet) {
		for b.Loop() {
			if _, err := MI(bs.x, bs.rows, bs.labels, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDots measures the blocked products alone: one worker's
// 256×2048 block of 128-column dot products through 64×64 gemm tiles.
func BenchmarkDots(b *testing.B) {
	const m, n, d = 256, 2048, 128
	rng := rand.New(rand.NewPCG(3, 4))
	a64, b64, c64 := make([]float64, m*d), make([]float64, n*d), make([]float64, m*n)
	a32, b32, c32 := make([]float32, m*d), make([]float32, n*d), make([]float32, m*n)
	for i := range a64 {
		a64[i] = rng.NormFloat64()
		a32[i] = float32(a64[i])
	}
	for i := range b64 {
		b64[i] = rng.NormFloat64()
		b32[i] = float32(b64[i])
	}
	flops := 2.0 * m * n * d
	b.Run("float64", func(b *testing.B) {
		for b.Loop() {
			dots64(c64, a64, b64, m, n, d)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("float32", func(b *testing.B) {
		for b.Loop() {
			dots32(c32, a32, b32, m, n, d)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
