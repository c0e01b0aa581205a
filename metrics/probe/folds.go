package probe

import (
	"fmt"
	"sort"
)

// StratifiedKFold returns the test fold, in 0..k−1, of each element of the
// labels y, reproducing scikit-learn 1.2's
// StratifiedKFold(n_splits=k, shuffle=False) exactly:
//
//   - classes are numbered by order of first appearance in y;
//   - with o the encoded labels sorted, fold f takes bincount(o[f::k]) rows
//     of each class, so that classes are dealt round-robin across folds;
//   - the rows of each class, in their original order, are given folds
//     0, 0, …, 1, 1, …, k−1 in blocks of those sizes.
//
// Labels may be any ints. StratifiedKFold returns an error if k exceeds the
// size of every class (scikit-learn's ValueError); if only some classes have
// fewer than k members (a scikit-learn warning) the folds are returned. It
// panics if k < 2.
func StratifiedKFold(y []int, k int) ([]int, error) {
	if k < 2 {
		panic("probe: fewer than two folds")
	}
	enc := make([]int, len(y))
	code := make(map[int]int)
	var counts []int
	for i, v := range y {
		c, ok := code[v]
		if !ok {
			c = len(counts)
			code[v] = c
			counts = append(counts, 0)
		}
		enc[i] = c
		counts[c]++
	}
	small := true
	for _, n := range counts {
		if n >= k {
			small = false
		}
	}
	if small {
		return nil, fmt.Errorf("probe: %d folds cannot be greater than the number of members in each class", k)
	}
	order := append([]int(nil), enc...)
	sort.Ints(order)
	// alloc[f][c] = number of rows of class c in fold f.
	nc := len(counts)
	alloc := make([]int, k*nc)
	for i, c := range order {
		alloc[(i%k)*nc+c]++
	}
	// Deal each class's rows, in order, to folds in blocks.
	fold := make([]int, nc) // current fold of each class
	left := make([]int, nc) // rows of that class left for it
	for c := range nc {
		left[c] = alloc[c]
	}
	test := make([]int, len(y))
	for i, c := range enc {
		for left[c] == 0 {
			fold[c]++
			left[c] = alloc[fold[c]*nc+c]
		}
		test[i] = fold[c]
		left[c]--
	}
	return test, nil
}
