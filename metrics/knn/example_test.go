package knn_test

import (
	"fmt"
	"math"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/metrics/knn"
)

func ExampleReID() {
	// Unit vectors in the plane; the gallery holds identities 1 (at 0° and
	// 100°), 2 (at 40°) and 3 (at 200°), the probes are at 10°, 45° and
	// 160° of identities 1, 1 and 2, and one of identity 4, absent from
	// the gallery. TestReIDHand works out the ranks.
	angles := []float64{0, 100, 40, 200, 10, 45, 160, 0}
	x := dataset.NewMatrix(len(angles), 2)
	for i, a := range angles {
		s, c := math.Sincos(a * math.Pi / 180)
		x.Data[2*i], x.Data[2*i+1] = float32(c), float32(s)
	}
	res, err := knn.ReID(x, []int{0, 1, 2, 3}, []int{1, 1, 2, 3}, []int{4, 5, 6, 7}, []int{1, 1, 2, 4}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ranks:", res.Rank)
	for _, r := range []int{1, 2, 3} {
		fmt.Printf("rank-%d rate %.3f, chance %.3f\n", r, res.RateAt(r, nil), res.Chance(r))
	}
	// Output:
	// ranks: [1 2 3 0]
	// rank-1 rate 0.250, chance 0.250
	// rank-2 rate 0.500, chance 0.500
	// rank-3 rate 0.750, chance 0.750
}
