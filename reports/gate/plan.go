package gate

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// Plan is what an audit is asked to measure, known before it runs: the
// names of metrics.Config's Targets, Protected, Groups, Attackers and
// Estimators.
type Plan struct {
	Targets, Protected, Groups, Attackers, Estimators []string
}

// Precheck returns an *UnknownPathError for the first rule whose path
// names a figure the plan cannot produce — a target, protected attribute,
// attacker, MI estimator or fairness group it does not measure, or a
// measure those do not have — so that a misspelt gate is refused before a
// long audit, not after it. What depends on the data is left to Check: a
// multiclass target's per-class figures, and whether re-identification
// was measured.
func Precheck(rules []Rule, p Plan) error {
	ix := planIndex(p)
	for _, rule := range rules {
		_, err := ix.resolve(rule)
		var u *UnknownPathError
		if err == nil || errors.As(err, &u) && u.Kind == "measure" && u.Segment == "class" && strings.HasPrefix(u.Near, "fairness.") {
			continue
		}
		return err
	}
	return nil
}

// planIndex indexes a result of the plan's shape, its figures undefined:
// the paths an audit of the plan would produce. The club estimate needs
// the mlp attacker; without it the result has none.
func planIndex(p Plan) *index {
	undef := metrics.Interval{Value: math.NaN(), Low: math.NaN(), High: math.NaN()}
	r := &metrics.Result{}
	for _, t := range p.Targets {
		r.Utility = append(r.Utility, metrics.Utility{Target: t, Accuracy: undef, BalancedAccuracy: undef})
	}
	mlp := slices.Contains(p.Attackers, "mlp")
	for _, s := range p.Protected {
		l := metrics.Leakage{Attribute: s, ReID: &metrics.ReID{Available: true}}
		for _, a := range p.Attackers {
			l.Attackers = append(l.Attackers, metrics.Attacker{Probe: a})
			l.MI = append(l.MI, metrics.MI{Estimator: "barber-agakov (" + a + " attacker)"})
		}
		for _, e := range p.Estimators {
			if e != "club" || mlp {
				l.MI = append(l.MI, metrics.MI{Estimator: e})
			}
		}
		r.Leakage = append(r.Leakage, l)
	}
	for _, t := range p.Targets {
		for _, g := range p.Groups {
			r.Fairness = append(r.Fairness, metrics.Fairness{Target: t, Group: g, Kind: kindBinary})
		}
	}
	ix := newIndex(r)
	if !mlp {
		for _, s := range p.Protected {
			ix.hints["leakage."+s+".mi.club"] = "the club estimate uses the mlp attacker as q(s|z): add mlp to the attackers"
		}
	}
	return ix
}
