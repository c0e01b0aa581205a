package roc_test

import (
	"fmt"

	"github.com/miaudit/miaudit/metrics/roc"
)

func ExampleAUC() {
	// scikit-learn's roc_auc_score example: one of the four
	// (positive, negative) pairs is ranked the wrong way round.
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	positive := []bool{false, false, true, true}
	fmt.Println(roc.AUC(scores, positive, nil))
	// Output:
	// 0.75
}

func ExampleSorted() {
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	positive := []bool{false, false, true, true}
	s := roc.NewSorted(scores) // sort once
	// Two bootstrap resamples, given as multiplicities.
	for _, w := range [][]float64{{1, 1, 1, 1}, {0, 2, 1, 1}} {
		fmt.Printf("AUC %.3f, TPR at FPR ≤ 0: %.3f\n", s.AUC(positive, w), s.TPRAtFPR(positive, w, 0))
	}
	// Output:
	// AUC 0.750, TPR at FPR ≤ 0: 0.500
	// AUC 0.500, TPR at FPR ≤ 0: 0.500
}

func ExampleMacroOvRAUC() {
	// Three rows, three classes, each row's largest score on its class.
	proba := []float64{
		0.8, 0.1, 0.1,
		0.2, 0.7, 0.1,
		0.3, 0.3, 0.4,
	}
	auc, used := roc.MacroOvRAUC(proba, 3, []int{0, 1, 2}, nil)
	fmt.Println(auc, used)
	// Output:
	// 1 3
}
