package bootstrap_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miaudit/miaudit/metrics/bootstrap"
)

func ExamplePercentile() {
	// As numpy.percentile([1, 2, 3, 4], 25) and numpy.nanpercentile.
	fmt.Println(bootstrap.Percentile([]float64{4, 1, 3, 2}, 25))
	fmt.Println(bootstrap.Percentile([]float64{4, math.NaN(), 1, 3, 2}, 25))
	// Output:
	// 1.75
	// 1.75
}

func ExampleResampler() {
	// Accuracy of 10 predictions, with a 90 % percentile bootstrap
	// interval over 100 resamples of the rows.
	correct := []float64{1, 1, 0, 1, 1, 1, 0, 1, 1, 1}
	mean := func(w []float64) float64 {
		var s, n float64
		for i, x := range correct {
			s += w[i] * x
			n += w[i]
		}
		return s / n
	}
	ones := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}

	rs := bootstrap.NewResampler(len(correct), 100, rand.New(rand.NewPCG(1, 2)))
	w := make([]float64, rs.Rows())
	reps := make([]float64, rs.Len())
	for r := range reps {
		reps[r] = mean(rs.Weights(r, w))
	}
	// The bounds depend on the seed: the same seed gives the same
	// resamples, hence these exact bounds, on every run.
	iv := bootstrap.NewInterval(mean(ones), reps, 0.9)
	fmt.Printf("accuracy %.2f, 90%% CI [%.2f, %.2f]\n", iv.Value, iv.Low, iv.High)
	// Output:
	// accuracy 0.80, 90% CI [0.59, 1.00]
}

func ExampleInterval_MarshalJSON() {
	b, _ := json.Marshal(bootstrap.Interval{Value: math.NaN(), Low: math.NaN(), High: math.NaN()})
	fmt.Println(string(b))
	// Output:
	// {"value":null,"ci_low":null,"ci_high":null}
}
