package roc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// sklearnTol is the tolerance against scikit-learn: it computes the AUC by
// the trapezoidal rule on normalised rates, which rounds differently from
// the pair count here, by a few ulps.
const sklearnTol = 1e-12

// sklearnFixture is testdata/sklearn.json, written by testdata/gen_sklearn.py
// with scikit-learn 1.2.1 (Debian python3-sklearn); the version is recorded
// in the file and checked below.
type sklearnFixture struct {
	SklearnVersion string `json:"sklearn_version"`
	Binary         []struct {
		Name             string             `json:"name"`
		Scores           []float64          `json:"scores"`
		Positive         []bool             `json:"positive"`
		Weights          []float64          `json:"weights"`
		AUC              float64            `json:"auc"`
		AUCWeighted      float64            `json:"auc_weighted"`
		TPRAtFPR         map[string]float64 `json:"tpr_at_fpr"`
		TPRAtFPRWeighted map[string]float64 `json:"tpr_at_fpr_weighted"`
	} `json:"binary"`
	Multiclass struct {
		K                   int       `json:"k"`
		Proba               []float64 `json:"proba"`
		Labels              []int     `json:"labels"`
		Weights             []float64 `json:"weights"`
		MacroOvRAUC         float64   `json:"macro_ovr_auc"`
		MacroOvRAUCWeighted float64   `json:"macro_ovr_auc_weighted"`
	} `json:"multiclass"`
}

func readSklearn(t *testing.T) *sklearnFixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sklearn.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f sklearnFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.SklearnVersion) < 4 || f.SklearnVersion[:4] != "1.2." {
		t.Fatalf("fixture from scikit-learn %q, want 1.2.x", f.SklearnVersion)
	}
	return &f
}

func TestAgainstSklearn(t *testing.T) {
	f := readSklearn(t)
	for _, c := range f.Binary {
		// roc_auc_score(y, s) and roc_auc_score(y, s, sample_weight=w)
		// with w a bootstrap resample's multiplicities.
		if got := AUC(c.Scores, c.Positive, nil); !sameFloat(got, c.AUC, sklearnTol) {
			t.Errorf("%s: AUC = %.17g, sklearn %.17g", c.Name, got, c.AUC)
		}
		if got := AUC(c.Scores, c.Positive, c.Weights); !sameFloat(got, c.AUCWeighted, sklearnTol) {
			t.Errorf("%s: weighted AUC = %.17g, sklearn %.17g", c.Name, got, c.AUCWeighted)
		}
		s := NewSorted(c.Scores)
		if got := s.AUC(c.Positive, c.Weights); !sameFloat(got, c.AUCWeighted, sklearnTol) {
			t.Errorf("%s: Sorted weighted AUC = %.17g, sklearn %.17g", c.Name, got, c.AUCWeighted)
		}
		// max tpr[fpr <= maxFPR] of roc_curve(..., drop_intermediate=False).
		for _, maxFPR := range []float64{0.1, 1e-3} {
			key := strconv.FormatFloat(maxFPR, 'g', -1, 64) // Python's repr of the same float
			want, ok := c.TPRAtFPR[key]
			if !ok {
				t.Fatalf("%s: no sklearn TPR at FPR %s", c.Name, key)
			}
			if got := TPRAtFPR(c.Scores, c.Positive, nil, maxFPR); !sameFloat(got, want, sklearnTol) {
				t.Errorf("%s: TPRAtFPR(%v) = %.17g, sklearn %.17g", c.Name, maxFPR, got, want)
			}
			want = c.TPRAtFPRWeighted[key]
			if got := s.TPRAtFPR(c.Positive, c.Weights, maxFPR); !sameFloat(got, want, sklearnTol) {
				t.Errorf("%s: weighted TPRAtFPR(%v) = %.17g, sklearn %.17g", c.Name, maxFPR, got, want)
			}
		}
	}

	// roc_auc_score(labels, proba, multi_class="ovr", average="macro") on
	// a 4-class fixture where every class has rows, so all 4 are used.
	m := f.Multiclass
	got, used := MacroOvRAUC(m.Proba, m.K, m.Labels, nil)
	if used != m.K || !sameFloat(got, m.MacroOvRAUC, sklearnTol) {
		t.Errorf("MacroOvRAUC = %.17g over %d classes, sklearn %.17g over %d", got, used, m.MacroOvRAUC, m.K)
	}
	got, used = NewOvR(m.Proba, m.K).MacroAUC(m.Labels, m.Weights)
	if used != m.K || !sameFloat(got, m.MacroOvRAUCWeighted, sklearnTol) {
		t.Errorf("weighted MacroAUC = %.17g over %d classes, sklearn %.17g over %d", got, used, m.MacroOvRAUCWeighted, m.K)
	}
}
