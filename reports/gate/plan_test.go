package gate

import (
	"errors"
	"strings"
	"testing"
)

// testPlan is the plan whose audit could produce testResult: every name
// that result holds.
var testPlan = Plan{
	Targets:    []string{"digit", "a", "a.b", "y", "z"},
	Protected:  []string{"writer", "sex"},
	Groups:     []string{"sex", "sex+age_band", "b.c", "c"},
	Attackers:  []string{"linear", "mlp"},
	Estimators: []string{"knn", "mine", "nwj", "infonce", "smile", "club"},
}

// TestPrecheckAcceptsResultPaths: Precheck refuses no path that a result
// of the plan holds — every path of testResult, with and without a
// ci_high suffix.
func TestPrecheckAcceptsResultPaths(t *testing.T) {
	paths := Paths(testResult())
	if len(paths) < 50 {
		t.Fatalf("only %d paths", len(paths))
	}
	for _, p := range paths {
		for _, expr := range []string{p + " > 0", p + ".ci_high > 0"} {
			r, err := Parse(expr)
			if err != nil {
				t.Fatal(err)
			}
			if err := Precheck([]Rule{r}, testPlan); err != nil {
				t.Errorf("Precheck(%q): %v", expr, err)
			}
		}
	}
}

// TestPrecheck: names the plan does not measure are refused with the valid
// ones listed; what depends on the data (a class's figures,
// re-identification) is left to Check.
func TestPrecheck(t *testing.T) {
	plan := Plan{Targets: []string{"digit"}, Protected: []string{"writer"}, Groups: []string{"sex"},
		Attackers: []string{"linear"}, Estimators: []string{"knn", "club"}}
	for _, expr := range []string{
		"utility.digit.balanced_accuracy < 0.9",
		"leakage.writer.attackers.linear.auc.ci_high > 0.6",
		"leakage.writer.mi.knn > 0.1",
		"leakage.writer.mi.barber-agakov.linear > 0.1",
		"leakage.writer.reid.rank1 > 0.1",
		"fairness.digit.sex.equal_opportunity_difference > 0.1",
		"fairness.digit.sex.class.7.demographic_parity_difference > 0.1",
	} {
		r, err := Parse(expr)
		if err != nil {
			t.Fatal(err)
		}
		if err := Precheck([]Rule{r}, plan); err != nil {
			t.Errorf("Precheck(%q): %v", expr, err)
		}
	}
	for _, tc := range []struct{ expr, want string }{
		{"utility.digt.accuracy < 0.9", `no target "digt" under utility (valid: digit)`},
		{"leakage.sex.attackers.linear.auc > 0.6", `no attribute "sex" under leakage (valid: writer)`},
		{"leakage.writer.attackers.mlp.advantage > 0.1", `no probe "mlp" under leakage.writer.attackers (valid: linear)`},
		{"leakage.writer.mi.mine > 0.1", `no estimator "mine" under leakage.writer.mi (valid: barber-agakov.linear, knn)`},
		{"leakage.writer.mi.barber-agakov.mlp > 0.1", `no estimator "barber-agakov" under leakage.writer.mi`},
		{"leakage.writer.mi.club > 0.1", "add mlp to the attackers"},
		{"fairness.digit.age.demographic_parity_difference > 0.1", `no group "age" under fairness.digit (valid: sex)`},
	} {
		r, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		// A good rule first: the error names the bad one.
		ok, _ := Parse("utility.digit.accuracy < 0.9")
		err = Precheck([]Rule{ok, r}, plan)
		var u *UnknownPathError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) || u.Expr != tc.expr {
			t.Errorf("Precheck(%q): %v; want an *UnknownPathError for it saying %q", tc.expr, err, tc.want)
		}
	}
}
