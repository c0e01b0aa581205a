package knn

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// deg returns the 2-D vector of length r at angle a degrees.
func deg(a, r float64) []float32 {
	s, c := math.Sincos(a * math.Pi / 180)
	return []float32{float32(r * c), float32(r * s)}
}

func matrixOf(rows ...[]float32) *dataset.Matrix {
	x := dataset.NewMatrix(len(rows), len(rows[0]))
	for i, r := range rows {
		copy(x.Row(i), r)
	}
	return x
}

func TestReIDHand(t *testing.T) {
	const (
		A = 1
		B = 2
		C = 3
		D = 4 // no gallery row
	)
	x := matrixOf(
		deg(0, 3),       // 0: gallery A (length 3: norms must not matter)
		deg(100, 1),     // 1: gallery A
		deg(40, 1),      // 2: gallery B
		deg(200, 0.5),   // 3: gallery C
		deg(10, 1),      // 4: probe A
		deg(45, 2),      // 5: probe A
		deg(160, 1),     // 6: probe B
		deg(0, 1),       // 7: probe D
		[]float32{0, 0}, // 8: zero probe A
	)
	gallery, gids := []int{0, 1, 2, 3}, []int{A, A, B, C}
	probes, pids := []int{4, 5, 6, 7, 8}, []int{A, A, B, D, A}
	// Cosines by hand (angle differences):
	//  probe 10° (A): A max(cos10, cos90) = .985, B cos30 = .866, C cos190 = −.985 → 1
	//  probe 45° (A): A max(cos45, cos55) = .707, B cos5 = .996, C cos155 = −.906 → 2
	//  probe 160° (B): A max(cos160, cos60) = .5, B cos120 = −.5, C cos40 = .766 → 3
	//  probe 0° (D): no gallery row → 0
	//  zero probe (A): every similarity 0, A ties B and C → 3 (pessimistic)
	wantRank := []int{1, 2, 3, 0, 3}
	res, err := ReID(x, gallery, gids, probes, pids, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Rank, wantRank) || res.GalleryIdentities != 3 || res.Absent != 1 {
		t.Fatalf("got %+v, want ranks %v, G 3, 1 absent", res, wantRank)
	}
	const tol = 1e-15
	for i, c := range []struct {
		r       int
		weights []int
		rate    float64 // from wantRank by hand
		chance  float64 // 4 of 5 probes present × min(r,3)/3
	}{
		{0, nil, 0, 0},
		{1, nil, 1.0 / 5, 4.0 / 15},
		{2, nil, 2.0 / 5, 8.0 / 15},
		{3, nil, 4.0 / 5, 4.0 / 5},
		{10, nil, 4.0 / 5, 4.0 / 5},
		{1, []int{2, 0, 1, 1, 0}, 2.0 / 4, 4.0 / 15},
		{2, []int{2, 0, 1, 1, 0}, 2.0 / 4, 8.0 / 15},
		{3, []int{2, 0, 1, 1, 0}, 3.0 / 4, 4.0 / 5},
	} {
		if got := res.RateAt(c.r, c.weights); math.Abs(got-c.rate) > tol {
			t.Errorf("case %d: RateAt(%d) = %v, want %v", i, c.r, got, c.rate)
		}
		if got := res.Chance(c.r); math.Abs(got-c.chance) > tol {
			t.Errorf("case %d: Chance(%d) = %v, want %v", i, c.r, got, c.chance)
		}
	}
	if got := res.RateAt(1, []int{0, 0, 0, 0, 0}); !math.IsNaN(got) {
		t.Errorf("zero weights: RateAt = %v, want NaN", got)
	}

	// maxRank = 1: ranks above 1 become 2.
	res, err = ReID(x, gallery, gids, probes, pids, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 2, 0, 2}; !slices.Equal(res.Rank, want) {
		t.Errorf("maxRank 1: ranks %v, want %v", res.Rank, want)
	}
	if !panics(func() { res.RateAt(2, nil) }) {
		t.Errorf("RateAt beyond maxRank: no panic")
	}
}

func TestReIDTies(t *testing.T) {
	const A, B, C, Z = 1, 2, 3, 9
	x := matrixOf(
		deg(40, 1),        // 0: gallery B
		deg(40, 1),        // 1: gallery C, the same vector as B's
		deg(0, 1),         // 2: gallery A
		deg(30, 1),        // 3: probe B
		deg(30, 1),        // 4: probe C
		deg(30, 1),        // 5: probe A
		[]float32{1, 0},   // 6: gallery A
		[]float32{0, 0},   // 7: gallery Z, a zero row
		[]float32{0, 1},   // 8: gallery B
		[]float32{-1, 0},  // 9: probe A
		[]float32{-1, 0},  // 10: probe Z
		[]float32{.6, .8}, // 11: probe B
	)
	// B and C have equal rows: a probe at 30° has similarity cos10 to both,
	// cos30 to A. The tie counts against the probe: B and C rank 2, A 3.
	res, err := ReID(x, []int{0, 1, 2}, []int{B, C, A}, []int{3, 4, 5}, []int{B, C, A}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 2, 3}; !slices.Equal(res.Rank, want) {
		t.Errorf("equal rows: ranks %v, want %v", res.Rank, want)
	}
	// A zero gallery row has similarity 0 with every probe.
	//  (−1,0) of A: A −1, Z 0, B 0 → 3
	//  (−1,0) of Z: Z 0 ties B 0 → 2
	//  (.6,.8) of B: A .6, Z 0, B .8 → 1
	res, err = ReID(x, []int{6, 7, 8}, []int{A, Z, B}, []int{9, 10, 11}, []int{A, Z, B}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{3, 2, 1}; !slices.Equal(res.Rank, want) {
		t.Errorf("zero gallery row: ranks %v, want %v", res.Rank, want)
	}
}

// bruteRanks computes, per pair in float64, the best cosine similarity of
// each probe to each identity, and returns the pessimistic rank within a
// tolerance band: lo counts identities better by more than tol, hi those
// not worse by more than tol.
func bruteRanks(x *dataset.Matrix, gallery, gids, probes, pids []int, tol float64) (lo, hi []int) {
	cos := func(a, b []float32) float64 {
		var ab, aa, bb float64
		for l := range a {
			ab += float64(a[l]) * float64(b[l])
			aa += float64(a[l]) * float64(a[l])
			bb += float64(b[l]) * float64(b[l])
		}
		if aa == 0 || bb == 0 {
			return 0
		}
		return ab / math.Sqrt(aa*bb)
	}
	for i, p := range probes {
		best := map[int]float64{}
		for j, g := range gallery {
			s := cos(x.Row(p), x.Row(g))
			if b, ok := best[gids[j]]; !ok || s > b {
				best[gids[j]] = s
			}
		}
		bt, ok := best[pids[i]]
		if !ok {
			lo, hi = append(lo, 0), append(hi, 0)
			continue
		}
		l, h := 1, 1
		for id, s := range best {
			if id == pids[i] {
				continue
			}
			if s > bt+tol {
				l++
			}
			if s >= bt-tol {
				h++
			}
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	return lo, hi
}

func TestReIDBruteForce(t *testing.T) {
	// Similarities are float32 (about 1e-6 accurate for these sizes), so a
	// rank may differ from the float64 brute force only among identities
	// within simTol of the true one.
	const simTol = 1e-5
	for _, c := range []struct {
		name                  string
		ids, perID, probes, d int
		absent, zeros         int
	}{
		{"clustered", 40, 15, 250, 16, 5, 3},
		{"many identities", 20000, 1, 100, 16, 0, 0}, // shrinks the probe block
	} {
		rng := rand.New(rand.NewPCG(11, uint64(c.ids)))
		nG := c.ids * c.perID
		x := dataset.NewMatrix(nG+c.probes, c.d)
		centre := make([]float64, c.ids*c.d)
		for i := range centre {
			centre[i] = rng.NormFloat64()
		}
		gallery, gids := make([]int, nG), make([]int, nG)
		for j := range nG {
			gallery[j], gids[j] = j, j%c.ids // identities interleaved
		}
		probes, pids := make([]int, c.probes), make([]int, c.probes)
		for i := range c.probes {
			probes[i] = nG + i
			pids[i] = rng.IntN(c.ids + c.absent) // ids ≥ c.ids are absent
		}
		for r := range x.Rows {
			id := pids[max(0, r-nG)]
			if r < nG {
				id = gids[r]
			}
			for l := range c.d {
				v := 0.7 * rng.NormFloat64()
				if id < c.ids {
					v += centre[id*c.d+l]
				}
				x.Data[r*c.d+l] = float32(v)
			}
		}
		for z := range c.zeros { // zero probes and zero gallery rows
			clear(x.Row(nG + z))
			clear(x.Row(z))
		}
		lo, hi := bruteRanks(x, gallery, gids, probes, pids, simTol)
		got, err := ReID(x, gallery, gids, probes, pids, 0)
		if err != nil {
			t.Fatal(err)
		}
		banded := 0
		for i := range probes {
			if got.Rank[i] < lo[i] || got.Rank[i] > hi[i] {
				t.Errorf("%s: probe %d rank %d, brute force %d..%d", c.name, i, got.Rank[i], lo[i], hi[i])
			}
			if lo[i] != hi[i] {
				banded++
			}
		}
		t.Logf("%s: %d of %d probes within simTol of a tie; rank-1 rate %.2f, rank-10 %.2f", c.name, banded, c.probes, got.RateAt(1, nil), got.RateAt(10, nil))
		// The zero probes tie every identity; few others come so close.
		if banded > c.zeros+c.probes/20 {
			t.Errorf("%s: %d probes with near-ties, too many to test", c.name, banded)
		}
		absent := 0
		for _, id := range pids {
			if id >= c.ids {
				absent++
			}
		}
		if got.Absent != absent || got.GalleryIdentities != c.ids {
			t.Errorf("%s: Absent %d, G %d, want %d, %d", c.name, got.Absent, got.GalleryIdentities, absent, c.ids)
		}
		for _, bl := range smallBlockings {
			b, _ := reidBlocked(x, gallery, gids, probes, pids, 0, bl)
			if !slices.Equal(b.Rank, got.Rank) {
				t.Errorf("%s: blocking %+v changes ranks", c.name, bl)
			}
		}
	}
}

func TestReIDErrors(t *testing.T) {
	x := matrixOf([]float32{1, 0}, []float32{0, 1}, []float32{float32(math.Inf(1)), 0})
	if _, err := ReID(x, nil, nil, []int{0}, []int{1}, 0); !errors.Is(err, ErrEmptyGallery) {
		t.Errorf("empty gallery: err = %v", err)
	}
	if _, err := ReID(x, []int{2}, []int{1}, []int{0}, []int{1}, 0); !errors.Is(err, ErrNonFinite) {
		t.Errorf("Inf in gallery: err = %v", err)
	}
	if _, err := ReID(x, []int{0}, []int{1}, []int{2}, []int{1}, 0); !errors.Is(err, ErrNonFinite) {
		t.Errorf("Inf in probe: err = %v", err)
	}
	res, err := ReID(x, []int{0}, []int{1}, nil, nil, 0)
	if err != nil || len(res.Rank) != 0 || !math.IsNaN(res.RateAt(1, nil)) || !math.IsNaN(res.Chance(1)) {
		t.Errorf("no probes: %+v, %v", res, err)
	}
	for i, f := range []func(){
		func() { ReID(x, []int{0}, []int{1, 2}, []int{1}, []int{1}, 0) },
		func() { ReID(x, []int{0}, []int{1}, []int{1}, nil, 0) },
		func() { ReID(x, []int{3}, []int{1}, []int{1}, []int{1}, 0) },
		func() { ReIDResult{Rank: []int{1}}.RateAt(1, []int{1, 1}) },
		func() { ReIDResult{Rank: []int{1}}.RateAt(1, []int{-1}) },
	} {
		if !panics(f) {
			t.Errorf("case %d: no panic", i)
		}
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	// Results must not depend on how many goroutines share the blocks.
	rng := rand.New(rand.NewPCG(12, 13))
	const n, d = 700, 24
	x := dataset.NewMatrix(n, d)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	rows, labels := seq(0, n), make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(20)
	}
	bl := blocking{query: 16, ref: 48} // many tasks
	run := func(procs int) (Estimate, ReIDResult) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		e, err := miBlocked(x, rows, labels, 3, bl)
		if err != nil {
			t.Fatal(err)
		}
		r, err := reidBlocked(x, rows[:400], labels[:400], rows[400:], labels[400:], 0, bl)
		if err != nil {
			t.Fatal(err)
		}
		return e, r
	}
	e1, r1 := run(1)
	for _, procs := range []int{2, 5} {
		e, r := run(procs)
		if !equalFloats(e.Terms, e1.Terms) || !slices.Equal(r.Rank, r1.Rank) {
			t.Errorf("GOMAXPROCS %d: results differ from GOMAXPROCS 1", procs)
		}
	}
}
