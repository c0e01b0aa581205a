package fairness_test

import (
	"fmt"

	"github.com/miaudit/miaudit/metrics/fairness"
)

func ExampleCompute() {
	groups := []string{"f", "f", "f", "f", "m", "m", "m", "m"}
	y := []int{1, 1, 0, 0, 1, 1, 0, 0}
	yhat := []int{1, 0, 0, 0, 1, 1, 1, 0}
	r := fairness.Compute(groups, y, yhat, 1, nil)
	for _, g := range r.ByGroup {
		fmt.Printf("%s: n=%d selection %.2f TPR %.2f FPR %.2f\n", g.Name, g.N, g.SelectionRate, g.TPR, g.FPR)
	}
	fmt.Printf("demographic parity difference %.2f, ratio %.2f\n", r.DemographicParityDifference, r.DemographicParityRatio)
	fmt.Printf("equalized odds difference %.2f, equal opportunity difference %.2f\n", r.EqualizedOddsDifference, r.EqualOpportunityDifference)
	// Output:
	// f: n=4 selection 0.25 TPR 0.50 FPR 0.00
	// m: n=4 selection 0.75 TPR 1.00 FPR 0.50
	// demographic parity difference 0.50, ratio 0.33
	// equalized odds difference 0.50, equal opportunity difference 0.50
}

func ExampleComputeOneVsRest() {
	groups := []string{"a", "a", "a", "b", "b", "b"}
	y := []string{"cat", "dog", "eel", "cat", "dog", "eel"}
	yhat := []string{"cat", "dog", "eel", "dog", "dog", "eel"}
	o := fairness.ComputeOneVsRest(groups, y, yhat, nil)
	for c, class := range o.Classes {
		fmt.Printf("%s: equalized odds difference %.2f\n", class, o.Results[c].EqualizedOddsDifference)
	}
	fmt.Println("worst:", o.Classes[o.Worst])
	// Output:
	// cat: equalized odds difference 1.00
	// dog: equalized odds difference 0.50
	// eel: equalized odds difference 0.00
	// worst: cat
}
