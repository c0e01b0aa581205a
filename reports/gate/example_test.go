package gate_test

import (
	"fmt"

	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/reports/gate"
)

func ExampleCheck() {
	r := &metrics.Result{
		Bootstrap: metrics.BootstrapInfo{Resamples: 200, Level: 0.95},
		Utility:   []metrics.Utility{{Target: "digit", Accuracy: metrics.Interval{Value: 0.981, Low: 0.975, High: 0.986}}},
		Leakage: []metrics.Leakage{{
			Attribute: "writer",
			Attackers: []metrics.Attacker{{Probe: "mlp", Advantage: metrics.Interval{Value: 0.42, Low: 0.39, High: 0.45}}},
		}},
	}
	rules, err := gate.ParseAll([]string{
		"utility.digit.accuracy < 0.97",
		"leakage.writer.attackers.mlp.advantage.ci_high > 0.10",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	violations, err := gate.Check(r, rules)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range violations {
		fmt.Println(v.Message)
	}

	// A path the result lacks is an error that lists what it has there.
	bad, _ := gate.Parse("leakage.writer.attackers.linear.auc > 0.6")
	_, err = gate.Check(r, []gate.Rule{bad})
	fmt.Println(err)
	// Output:
	// leakage.writer.attackers.mlp.advantage.ci_high > 0.10: ci_high 0.45 > 0.1 (value 0.42; 95% CI 0.39 to 0.45)
	// "leakage.writer.attackers.linear.auc > 0.6": unknown path leakage.writer.attackers.linear.auc: no probe "linear" under leakage.writer.attackers (valid: mlp)
}

func ExamplePaths() {
	r := &metrics.Result{
		Utility: []metrics.Utility{{Target: "approved"}},
		Fairness: []metrics.Fairness{
			{Target: "approved", Group: "sex+age_band", Kind: "binary", Positive: "yes"},
		},
	}
	for _, p := range gate.Paths(r) {
		fmt.Println(p)
	}
	// Output:
	// fairness.approved.sex+age_band.demographic_parity_difference
	// fairness.approved.sex+age_band.demographic_parity_ratio
	// fairness.approved.sex+age_band.equal_opportunity_difference
	// fairness.approved.sex+age_band.equalized_odds_difference
	// utility.approved.accuracy
	// utility.approved.balanced_accuracy
}
