package fairness

import "testing"

// TestOneVsRest is a hand calculation with classes 0, 1, 2.
//
//	group a: (y, ŷ) = (0,0) (1,1) (2,2) (2,1)             accuracy 3/4
//	group b: (0,1) (1,1) (2,2) (0,0) (0,0)                accuracy 4/5
//
//	class 0: a TPR 1/1 FPR 0/3; b TPR 2/3 FPR 0/2 → EO max(1/3, 0)      = 1/3
//	         selection a 1/4, b 2/5 → DP difference 3/20
//	class 1: a TPR 1/1 FPR 1/3; b TPR 1/1 FPR 1/4 → EO max(0, 1/12)     = 1/12
//	class 2: a TPR 1/2 FPR 0/2; b TPR 1/1 FPR 0/4 → EO max(1/2, 0)      = 1/2
//
// The worst class is 2.
func TestOneVsRest(t *testing.T) {
	rows := []row[int]{
		{"a", 0, 0}, {"a", 1, 1}, {"a", 2, 2}, {"a", 2, 1},
		{"b", 0, 1}, {"b", 1, 1}, {"b", 2, 2}, {"b", 0, 0}, {"b", 0, 0},
	}
	g, y, yhat := split(rows)
	got := ComputeOneVsRest(g, y, yhat, nil)
	if len(got.Classes) != 3 || got.Classes[0] != 0 || got.Classes[1] != 1 || got.Classes[2] != 2 {
		t.Fatalf("classes %v, want [0 1 2]", got.Classes)
	}
	wantEO := []float64{1.0 / 3, 1.0 / 12, 1.0 / 2}
	for c, r := range got.Results {
		if !sameFloat(r.EqualizedOddsDifference, wantEO[c], tol) {
			t.Errorf("class %d: equalized odds difference %v, want %v", c, r.EqualizedOddsDifference, wantEO[c])
		}
		if !sameFloat(r.ByGroup[0].Accuracy, 3.0/4, tol) || !sameFloat(r.ByGroup[1].Accuracy, 4.0/5, tol) {
			t.Errorf("class %d: accuracies %v, %v, want 3/4, 4/5", c, r.ByGroup[0].Accuracy, r.ByGroup[1].Accuracy)
		}
	}
	if got := got.Results[0].DemographicParityDifference; !sameFloat(got, 2.0/5-1.0/4, tol) {
		t.Errorf("class 0: demographic parity difference %v, want 3/20", got)
	}
	if got.Worst != 2 {
		t.Errorf("worst class index %d, want 2", got.Worst)
	}
	// Classes that occur only among predictions are included.
	o := ComputeOneVsRest([]string{"a", "b"}, []string{"cat", "cat"}, []string{"cat", "dog"}, nil)
	if len(o.Classes) != 2 || o.Classes[1] != "dog" {
		t.Errorf("classes %q, want [cat dog]", o.Classes)
	}
	if empty := ComputeOneVsRest[int](nil, nil, nil, nil); empty.Worst != -1 {
		t.Errorf("no rows: worst %d, want -1", empty.Worst)
	}
}
