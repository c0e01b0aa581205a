package plot_test

import (
	"bytes"
	"fmt"

	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/reports/plot"
)

func ExampleMarkPareto() {
	// Leakage (lower is better) against accuracy (higher is better):
	// λ = 3 leaks more than λ = 1 for less accuracy.
	pts := []plot.Point{
		{Label: "λ = 0", X: 0.6, Y: 0.9},
		{Label: "λ = 1", X: 0.2, Y: 0.8},
		{Label: "λ = 3", X: 0.3, Y: 0.7},
	}
	plot.MarkPareto(pts)
	for _, p := range pts {
		fmt.Println(p.Label, p.Pareto)
	}
	// Output:
	// λ = 0 true
	// λ = 1 true
	// λ = 3 false
}

func ExampleROC() {
	// A metrics.ReID carries its thinned verification ROC curve.
	reid := metrics.ReID{ROC: []metrics.ROCPoint{{FPR: 0, TPR: 0}, {FPR: 0, TPR: 0.5}, {FPR: 0.5, TPR: 0.5}, {FPR: 0.5, TPR: 1}, {FPR: 1, TPR: 1}}}
	svg, err := plot.ROC([]plot.Curve{plot.ROCCurve("identity", reid.ROC)}, true, plot.Options{Title: "Re-identification"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.HasPrefix(svg, []byte("<?xml")), bytes.Contains(svg, []byte(">FPR = 0.001</text>")))
	// Output:
	// true true
}
