package knn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/miaudit/miaudit/dataset"
)

// ErrNoPairs is returned by VerificationPairs when the rows give no
// same-identity pair or no different-identity pair.
var ErrNoPairs = errors.New("knn: no pairs of one kind")

// VerificationPairs samples pairs of the rows x.Row(rows[i]), labelled
// with identities ids[i], and returns their cosine similarities
//
//	score = (a·b)·(1/‖a‖)·(1/‖b‖), 0 if a or b is a zero row
//
// accumulated in float64, with same[t] reporting whether pair t shares an
// identity. It returns n = min(P, maxPairs/2) same-identity pairs, drawn
// uniformly without replacement from the P unordered pairs of distinct
// positions with equal ids (all of them if P ≤ maxPairs/2), followed by
// min(D, n) different-identity pairs drawn uniformly without replacement
// from the D unordered pairs with different ids. A pair is a pair of
// positions in rows, so repeated row indexes count as distinct points.
// Each pair is drawn as a uniform rank among the pairs of its kind and
// decoded through prefix counts over the rows grouped by identity, so
// nothing is rejected for its identity (only repeats are redrawn), and the
// result is deterministic for a given state of rng. Memory is O(len(rows)
// + maxPairs).
//
// VerificationPairs returns an error wrapping ErrNoPairs if no identity
// has two rows (P = 0) or all rows share one identity (D = 0), and one
// wrapping ErrNonFinite if a row holds a NaN or an infinity. It panics if
// len(rows) != len(ids), if maxPairs < 2, if rng is nil or if an index in
// rows is not a row of x.
func VerificationPairs(x *dataset.Matrix, rows []int, ids []int, maxPairs int, rng *rand.Rand) (scores []float64, same []bool, err error) {
	checkMatrix(x)
	if len(rows) != len(ids) {
		panic("knn: slice length mismatch")
	}
	if maxPairs < 2 {
		panic("knn: maxPairs < 2")
	}
	if rng == nil {
		panic("knn: nil rng")
	}
	checkRows(x, rows)

	pairs, same, err := samplePairs(ids, maxPairs, rng)
	if err != nil {
		return nil, nil, err
	}
	n := len(rows)
	inv := make([]float64, n)
	for p, r := range rows {
		var s float64
		for _, v := range x.Row(r) {
			s += float64(v) * float64(v)
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, nil, fmt.Errorf("row %d: %w", r, ErrNonFinite)
		}
		if s > 0 {
			inv[p] = 1 / math.Sqrt(s)
		}
	}
	cosine := func(p, q int) float64 {
		a, b := x.Row(rows[p]), x.Row(rows[q])
		var s float64
		for l, v := range a {
			s += float64(v) * float64(b[l])
		}
		return s * inv[p] * inv[q]
	}

	scores = make([]float64, len(pairs))
	for t, pr := range pairs {
		scores[t] = cosine(pr[0], pr[1])
	}
	return scores, same, nil
}

// samplePairs draws the pairs of positions of VerificationPairs: the
// same-identity pairs first, then the different-identity ones.
func samplePairs(ids []int, maxPairs int, rng *rand.Rand) (pairs [][2]int, same []bool, err error) {
	// Positions grouped by identity in ord; the group of ord[a] ends at
	// end[a]. Entry a has end[a]−1−a partners of its identity after it and
	// n−end[a] partners of other identities after it. The prefix sums
	// sameCum and diffCum of these counts number the pairs of each kind,
	// and a number decodes to its pair by binary search.
	n := len(ids)
	ord := make([]int, n)
	for i := range ord {
		ord[i] = i
	}
	slices.SortStableFunc(ord, func(a, b int) int {
		switch {
		case ids[a] < ids[b]:
			return -1
		case ids[a] > ids[b]:
			return 1
		}
		return 0
	})
	end := make([]int, n)
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && ids[ord[hi]] == ids[ord[lo]] {
			hi++
		}
		for a := lo; a < hi; a++ {
			end[a] = hi
		}
		lo = hi
	}
	sameCum := make([]int64, n+1)
	diffCum := make([]int64, n+1)
	for a := range n {
		sameCum[a+1] = sameCum[a] + int64(end[a]-1-a)
		diffCum[a+1] = diffCum[a] + int64(n-end[a])
	}
	P, D := sameCum[n], diffCum[n]
	if P == 0 {
		return nil, nil, fmt.Errorf("no identity has two rows: %w", ErrNoPairs)
	}
	if D == 0 {
		return nil, nil, fmt.Errorf("all rows share one identity: %w", ErrNoPairs)
	}
	nSame := int(min(P, int64(maxPairs/2)))
	nDiff := int(min(D, int64(nSame)))

	// unrank returns the pair of positions (in ord) of rank t.
	unrank := func(cum []int64, t int64, sameKind bool) (int, int) {
		a := sort.Search(n, func(i int) bool { return cum[i+1] > t }) // first a with cum[a+1] > t
		off := int(t - cum[a])
		if sameKind {
			return a, a + 1 + off
		}
		return a, end[a] + off
	}

	pairs = make([][2]int, 0, nSame+nDiff)
	same = make([]bool, 0, nSame+nDiff)
	for _, t := range sampleDistinct(P, nSame, rng) {
		a, b := unrank(sameCum, t, true)
		pairs = append(pairs, [2]int{ord[a], ord[b]})
		same = append(same, true)
	}
	for _, t := range sampleDistinct(D, nDiff, rng) {
		a, b := unrank(diffCum, t, false)
		pairs = append(pairs, [2]int{ord[a], ord[b]})
		same = append(same, false)
	}
	return pairs, same, nil
}

// sampleDistinct returns k distinct integers drawn uniformly from [0, m),
// in the order drawn: 0, …, m−1 in order if k == m, a partial Fisher–Yates
// shuffle if k > m/2 (then m < 2k is small), and draws with rejection of
// repeats otherwise (each draw is then new with probability above 1/2).
func sampleDistinct(m int64, k int, rng *rand.Rand) []int64 {
	out := make([]int64, 0, k)
	switch {
	case int64(k) == m:
		for t := range m {
			out = append(out, t)
		}
	case int64(k) > m/2:
		all := make([]int64, m)
		for t := range all {
			all[t] = int64(t)
		}
		for i := range k {
			j := i + rng.IntN(len(all)-i)
			all[i], all[j] = all[j], all[i]
		}
		out = append(out, all[:k]...)
	default:
		seen := make(map[int64]struct{}, k)
		for len(out) < k {
			t := rng.Int64N(m)
			if _, dup := seen[t]; !dup {
				seen[t] = struct{}{}
				out = append(out, t)
			}
		}
	}
	return out
}
