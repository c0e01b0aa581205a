package knn

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

func TestVerificationPairsHand(t *testing.T) {
	const tol = 1e-15 // a few roundings of values below 1
	x := matrixOf(
		[]float32{1, 0},  // 0: a, id 1
		[]float32{0, 2},  // 1: b, id 2
		[]float32{3, 4},  // 2: c, id 1 (direction (.6, .8))
		[]float32{0, 0},  // 3: z, id 2, a zero row
		[]float32{0, -1}, // 4: e, id 1
	)
	rows, ids := []int{0, 1, 2, 3, 4}, []int{1, 2, 1, 2, 1}
	// Grouped by identity the positions are a c e | b z. The P = 4
	// same-identity pairs, by rank: (a,c) .6, (a,e) 0, (c,e) −.8, (b,z) 0.
	// The D = 6 different-identity pairs: (a,b) 0, (a,z) 0, (c,b) .8,
	// (c,z) 0, (e,b) −1, (e,z) 0.
	wantSame := []float64{.6, 0, -.8, 0}
	diffScore := map[[2]int]float64{{0, 1}: 0, {0, 3}: 0, {2, 1}: .8, {2, 3}: 0, {4, 1}: -1, {4, 3}: 0}

	// maxPairs 8: all 4 same-identity pairs, in rank order, and 4 of the 6
	// others.
	rng := rand.New(rand.NewPCG(1, 1))
	pairs, same, err := samplePairs(ids, 8, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	scores, same2, err := VerificationPairs(x, rows, ids, 8, rng)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 8 || !slices.Equal(same, same2) {
		t.Fatalf("got %d scores, same %v / %v", len(scores), same, same2)
	}
	for i, w := range wantSame {
		if !same[i] || math.Abs(scores[i]-w) > tol {
			t.Errorf("pair %d %v: score %v same %v, want %v true", i, pairs[i], scores[i], same[i], w)
		}
	}
	seen := map[[2]int]bool{}
	for i := 4; i < 8; i++ {
		w, ok := diffScore[pairs[i]]
		if !ok || same[i] || seen[pairs[i]] || math.Abs(scores[i]-w) > tol {
			t.Errorf("pair %d %v: score %v same %v", i, pairs[i], scores[i], same[i])
		}
		seen[pairs[i]] = true
	}
	// maxPairs 2: one pair of each kind.
	scores, same, err = VerificationPairs(x, rows, ids, 3, rng)
	if err != nil || !slices.Equal(same, []bool{true, false}) || len(scores) != 2 {
		t.Errorf("maxPairs 3: scores %v same %v err %v", scores, same, err)
	}
}

func TestVerificationPairsCounts(t *testing.T) {
	// 6 identities of 5 rows: P = 6·C(5,2) = 60, D = C(30,2) − 60 = 375.
	// 1 identity of 1 row more adds 30 different pairs: D = 405.
	ids := make([]int, 31)
	for i := range 30 {
		ids[i] = i % 6
	}
	ids[30] = 99
	for _, c := range []struct {
		maxPairs, nSame, nDiff int
	}{
		{2, 1, 1},
		{21, 10, 10},
		{100, 50, 50}, // k > P/2: partial shuffle
		{120, 60, 60}, // all same pairs
		{1000, 60, 60},
	} {
		pairs, same, err := samplePairs(ids, c.maxPairs, rand.New(rand.NewPCG(2, 3)))
		if err != nil {
			t.Fatal(err)
		}
		nSame, nDiff := 0, 0
		seen := map[[2]int]bool{}
		for i, p := range pairs {
			key := [2]int{min(p[0], p[1]), max(p[0], p[1])}
			if p[0] == p[1] || seen[key] {
				t.Errorf("maxPairs %d: pair %v repeated or degenerate", c.maxPairs, p)
			}
			seen[key] = true
			if same[i] != (ids[p[0]] == ids[p[1]]) {
				t.Errorf("maxPairs %d: pair %v labelled same=%v", c.maxPairs, p, same[i])
			}
			if same[i] {
				nSame++
			} else {
				nDiff++
			}
		}
		if nSame != c.nSame || nDiff != c.nDiff {
			t.Errorf("maxPairs %d: %d same, %d different, want %d, %d", c.maxPairs, nSame, nDiff, c.nSame, c.nDiff)
		}
	}
}

func TestVerificationPairsUniform(t *testing.T) {
	// Each same-identity pair of the 60 above should be drawn with
	// probability n/60. Over trials draws, its count is Binomial(trials,
	// n/60); allow 5 standard deviations.
	ids := make([]int, 30)
	for i := range ids {
		ids[i] = i % 6
	}
	const trials = 3000
	rng := rand.New(rand.NewPCG(4, 5))
	for _, n := range []int{10, 40} { // rejection and shuffle paths
		count := map[[2]int]int{}
		diffCount := map[[2]int]int{}
		for range trials {
			pairs, same, _ := samplePairs(ids, 2*n, rng)
			for i, p := range pairs {
				key := [2]int{min(p[0], p[1]), max(p[0], p[1])}
				if same[i] {
					count[key]++
				} else {
					diffCount[key]++
				}
			}
		}
		check := func(kind string, count map[[2]int]int, total int) {
			p := float64(n) / float64(total)
			mean, sd := trials*p, math.Sqrt(trials*p*(1-p))
			if len(count) != total {
				t.Errorf("n=%d %s: %d distinct pairs drawn, want %d", n, kind, len(count), total)
			}
			for key, c := range count {
				if math.Abs(float64(c)-mean) > 5*sd {
					t.Errorf("n=%d %s: pair %v drawn %d times, want %.0f ± %.0f", n, kind, key, c, mean, 5*sd)
				}
			}
		}
		check("same", count, 60)
		check("different", diffCount, 375)
	}
}

func TestVerificationPairsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	x := dataset.NewMatrix(200, 8)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	rows, ids := make([]int, 200), make([]int, 200)
	for i := range rows {
		rows[i], ids[i] = i, rng.IntN(30)
	}
	s1, b1, err := VerificationPairs(x, rows, ids, 100, rand.New(rand.NewPCG(42, 0)))
	if err != nil {
		t.Fatal(err)
	}
	s2, b2, _ := VerificationPairs(x, rows, ids, 100, rand.New(rand.NewPCG(42, 0)))
	s3, _, _ := VerificationPairs(x, rows, ids, 100, rand.New(rand.NewPCG(43, 0)))
	if !equalFloats(s1, s2) || !slices.Equal(b1, b2) {
		t.Errorf("same seed, different pairs")
	}
	if equalFloats(s1, s3) {
		t.Errorf("different seeds, same pairs")
	}
}

func TestVerificationPairsErrors(t *testing.T) {
	x := matrixOf([]float32{1, 0}, []float32{0, 1}, []float32{float32(math.NaN()), 0})
	rng := rand.New(rand.NewPCG(1, 2))
	if _, _, err := VerificationPairs(x, []int{0, 1}, []int{1, 2}, 10, rng); !errors.Is(err, ErrNoPairs) {
		t.Errorf("no same-identity pair: err = %v", err)
	}
	if _, _, err := VerificationPairs(x, []int{0, 1}, []int{1, 1}, 10, rng); !errors.Is(err, ErrNoPairs) {
		t.Errorf("one identity: err = %v", err)
	}
	if _, _, err := VerificationPairs(x, []int{0, 1, 2}, []int{1, 1, 2}, 10, rng); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN row: err = %v", err)
	}
	for i, f := range []func(){
		func() { VerificationPairs(x, []int{0, 1}, []int{1}, 10, rng) },
		func() { VerificationPairs(x, []int{0, 1}, []int{1, 1}, 1, rng) },
		func() { VerificationPairs(x, []int{0, 1}, []int{1, 1}, 10, nil) },
		func() { VerificationPairs(x, []int{0, 3}, []int{1, 1}, 10, rng) },
	} {
		if !panics(f) {
			t.Errorf("case %d: no panic", i)
		}
	}
}
