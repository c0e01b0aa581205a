package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// encode maps string values to class indexes 0..K-1 in sorted order of the
// values, so that the encoding depends only on the set of values.
func encode(values []string) (codes []int, classes []string) {
	classes = slices.Clone(values)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	codes = make([]int, len(values))
	for i, v := range values {
		codes[i] = index[v]
	}
	return codes, classes
}

// columnSplit reads a train/test column. Values are matched without regard to
// case or surrounding space; anything else is an error naming the row.
func columnSplit(name string, values []string) (train, test []int, err error) {
	for i, v := range values {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "train":
			train = append(train, i)
		case "test":
			test = append(test, i)
		default:
			return nil, nil, fmt.Errorf("split column %s, row %d (0-based, header excluded): value %q is neither train nor test", name, i, v)
		}
	}
	if len(train) == 0 || len(test) == 0 {
		return nil, nil, fmt.Errorf("split column %s: %d train and %d test rows; both are needed", name, len(train), len(test))
	}
	return train, test, nil
}

// stratifiedSplit draws a seeded stratified split: ceil(fraction·n) test rows
// in all, allotted to the classes of strata in proportion to their sizes by
// the largest-remainder method (ties to the lower class index), and drawn
// uniformly within each class. strata nil means a plain random split.
// Returned indexes are sorted.
func stratifiedSplit(strata []int, n int, fraction float64, rng *rand.Rand) (train, test []int) {
	if strata == nil {
		strata = make([]int, n)
	}
	k := slices.Max(strata) + 1
	members := make([][]int, k)
	for i, s := range strata {
		members[s] = append(members[s], i)
	}
	nTest := int(math.Ceil(fraction * float64(n)))
	if nTest >= n {
		nTest = n - 1
	}
	alloc := make([]int, k)
	type rem struct {
		class int
		frac  float64
	}
	rems := make([]rem, 0, k)
	given := 0
	for c, m := range members {
		exact := fraction * float64(len(m))
		alloc[c] = int(math.Floor(exact))
		given += alloc[c]
		rems = append(rems, rem{c, exact - math.Floor(exact)})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].frac > rems[j].frac })
	for i := 0; given < nTest && i < len(rems); i++ {
		if c := rems[i].class; alloc[c] < len(members[c]) {
			alloc[c]++
			given++
		}
	}
	isTest := make([]bool, n)
	for c, m := range members {
		perm := slices.Clone(m)
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		for _, i := range perm[:alloc[c]] {
			isTest[i] = true
		}
	}
	for i, t := range isTest {
		if t {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}
