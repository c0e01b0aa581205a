package roc

import "math"

// OvR holds the k columns of an n×k score matrix, each sorted once, to
// compute the macro one-vs-rest AUC of many labellings or weightings of the
// same rows in O(n·k) each. An OvR is read-only after NewOvR and safe for
// concurrent use.
type OvR struct {
	n, k int
	cols []*Sorted
}

// NewOvR sorts each column of proba, an n×k row-major matrix whose element
// (i, c) = proba[i*k+c] scores row i for class c. Rows need not sum to 1
// (scikit-learn requires it; the ranks within a column are all that
// matters). NewOvR panics if k < 1 or len(proba) is not a multiple of k.
func NewOvR(proba []float64, k int) *OvR {
	if k < 1 {
		panic(errK)
	}
	if len(proba)%k != 0 {
		panic(errLength)
	}
	n := len(proba) / k
	o := &OvR{n: n, k: k, cols: make([]*Sorted, k)}
	col := make([]float64, n)
	for c := 0; c < k; c++ {
		for i := range col {
			col[i] = proba[i*k+c]
		}
		o.cols[c] = NewSorted(col)
	}
	return o
}

// MacroAUC returns the unweighted mean, over classes c, of the one-vs-rest
// AUC of column c with "labels[i] == c" as the positive class, and the number
// of classes averaged:
//
//	MacroAUC = (1/used) · Σ_{c used} AUC(proba[·, c], labels == c, weights)
//
// A class is used when both its positive and its negative rows have nonzero
// total weight. scikit-learn 1.2's roc_auc_score(labels, proba,
// multi_class="ovr", average="macro", sample_weight=weights) raises an error
// instead when a class has no rows; when every class is used the two agree.
// MacroAUC is NaN with used = 0 when no class is used, and NaN (with the
// count of classes that would be used) if a score is NaN.
//
// If weights is nil then all of the weights are 1. MacroAUC panics if
// len(labels) or a non-nil len(weights) is not the number of rows, if a label
// is outside [0, k), or if a weight is negative or NaN.
func (o *OvR) MacroAUC(labels []int, weights []float64) (auc float64, used int) {
	if len(labels) != o.n {
		panic(errLength)
	}
	if weights != nil && len(weights) != o.n {
		panic(errLength)
	}
	for _, l := range labels {
		if l < 0 || l >= o.k {
			panic(errLabel)
		}
	}
	var sum float64
	for c := 0; c < o.k; c++ {
		v := o.cols[c].auc(func(i int32) bool { return labels[i] == c }, weights)
		if math.IsNaN(v) && o.cols[c].hasNaN {
			// A NaN score spoils the figure, but the class may still
			// count: decide that from the weights alone.
			p, q := o.cols[c].totals(func(i int32) bool { return labels[i] == c }, weights)
			if p > 0 && q > 0 {
				used++
				sum += v
			}
			continue
		}
		if !math.IsNaN(v) {
			used++
			sum += v
		}
	}
	if used == 0 {
		return math.NaN(), 0
	}
	return sum / float64(used), used
}

// MacroOvRAUC returns the macro one-vs-rest ROC AUC of the n×k row-major
// probability matrix proba for the class labels in [0, k), and the number of
// classes averaged; see OvR.MacroAUC for the definition, the treatment of
// classes without positive or negative rows, and the panics. NewOvR's panics
// apply too. It takes O(k·n·log n) time.
func MacroOvRAUC(proba []float64, k int, labels []int, weights []float64) (auc float64, used int) {
	return NewOvR(proba, k).MacroAUC(labels, weights)
}
