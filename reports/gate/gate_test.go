package gate

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/metrics"
)

func iv(v, lo, hi float64) metrics.Interval { return metrics.Interval{Value: v, Low: lo, High: hi} }

var nan = math.NaN()

// testResult is a hand-built result in which every figure has its own
// value, so that a path resolving to the wrong figure shows as a wrong
// number. Its names cover dotted names ("a.b", "b.c"), an intersectional
// group, a binary target, a multiclass target with a worst class and one
// without, and re-identification measured for one attribute only.
func testResult() *metrics.Result {
	fair := func(target, group, kind, pos string, base float64) metrics.Fairness {
		return metrics.Fairness{
			Target: target, Group: group, Kind: kind, Positive: pos, Source: "probe",
			DemographicParityDifference: iv(base+0.001, base+0.0005, base+0.0015),
			DemographicParityRatio:      iv(base+0.002, base+0.0015, base+0.0025),
			EqualizedOddsDifference:     iv(base+0.003, base+0.0025, base+0.0035),
			EqualOpportunityDifference:  iv(base+0.004, base+0.0035, base+0.0045),
		}
	}
	undefined := fair("y", "sex+age_band", "binary", "1", 0.50)
	undefined.EqualOpportunityDifference = iv(nan, nan, nan) // a group without positives
	undefined.EqualizedOddsDifference = iv(0.503, nan, 0.5035)
	noWorst := []metrics.Fairness{fair("z", "sex", "one-vs-rest", "p", 0.60), fair("z", "sex", "one-vs-rest", "q", 0.61)}
	for i := range noWorst {
		noWorst[i].EqualizedOddsDifference = iv(nan, nan, nan)
	}
	return &metrics.Result{
		Schema:    metrics.SchemaVersion,
		Bootstrap: metrics.BootstrapInfo{Resamples: 200, Level: 0.95},
		Utility: []metrics.Utility{
			{Target: "digit", Probe: "linear", Accuracy: iv(0.91, 0.89, 0.93), BalancedAccuracy: iv(0.905, 0.885, 0.925)},
			{Target: "a", Probe: "linear", Accuracy: iv(0.71, 0.70, 0.72), BalancedAccuracy: iv(0.715, 0.705, 0.725)},
			{Target: "a.b", Probe: "linear", Accuracy: iv(0.81, 0.80, 0.82), BalancedAccuracy: iv(0.815, 0.805, 0.825)},
		},
		Leakage: []metrics.Leakage{
			{
				Attribute: "writer",
				Attackers: []metrics.Attacker{
					{Probe: "linear", Accuracy: iv(0.49, 0.46, 0.52), Advantage: iv(0.48, 0.45, 0.51), AUC: iv(0.95, 0.94, 0.96)},
					{Probe: "mlp", Accuracy: iv(0.59, 0.56, 0.62), Advantage: iv(0.58, 0.55, 0.61), AUC: iv(0.97, 0.96, 0.98)},
				},
				MI: []metrics.MI{
					{Estimator: "barber-agakov (linear attacker)", Nats: iv(2.1, 1.9, 2.2)},
					{Estimator: "barber-agakov (mlp attacker)", Nats: iv(2.3, 2.2, 2.4)},
					{Estimator: "knn (Ross 2014, k=3)", Nats: iv(1.15, 1.09, 1.2)},
					{Estimator: "mine (dv, EMA gradient)", Nats: iv(1.5, 1.4, 1.6)},
					{Estimator: "nwj", Nats: iv(1.4, 1.3, 1.45)},
					{Estimator: "infonce (batch 128)", Nats: iv(1.7, 1.6, 1.8)},
					{Estimator: "smile (τ=5)", Nats: iv(1.6, 1.55, 1.65)},
					{Estimator: "club (categorical, q = mlp attacker)", Nats: iv(2.9, 2.8, 3.0)},
				},
				ReID: &metrics.ReID{Available: true, Rank1: iv(0.22, 0.20, 0.24), Rank5: iv(0.52, 0.50, 0.55),
					VerificationAUC: iv(0.74, 0.73, 0.75), TPRAtFPR1e3: iv(0.013, 0.009, 0.023)},
			},
			{
				Attribute: "sex",
				Attackers: []metrics.Attacker{{Probe: "linear", Accuracy: iv(0.63, 0.60, 0.67), Advantage: iv(0.25, 0.19, 0.31), AUC: iv(0.68, 0.65, 0.71)}},
				MI:        []metrics.MI{{Estimator: "knn (Ross 2014, k=3)", Nats: iv(0.01, 0, 0.02)}},
				ReID:      &metrics.ReID{Available: false, Note: "sex has 2 values, each shared by many rows"},
			},
		},
		Fairness: append([]metrics.Fairness{
			fair("digit", "sex", "one-vs-rest", "0", 0.10),
			fair("digit", "sex", "one-vs-rest", "7", 0.20),
			fair("digit", "sex", "worst-class", "7", 0.20),
			undefined,
			fair("a", "b.c", "binary", "1", 0.30),   // the path fairness.a.b.c.… is also…
			fair("a.b", "c", "binary", "1", 0.40),   // …this one's, which wins (longest match)
			fair("a.b", "sex", "binary", "1", 0.45), // only target "a.b" reads fairness.a.b.sex.…
		}, noWorst...),
	}
}

func TestParse(t *testing.T) {
	for i, tc := range []struct {
		expr string
		want Rule
	}{
		{"leakage.writer.attackers.mlp.advantage > 0.10", Rule{Path: []string{"leakage", "writer", "attackers", "mlp", "advantage"}, Op: ">", Threshold: 0.10}},
		// no whitespace around the operator; the two-character operators
		{"utility.digit.accuracy<0.97", Rule{Path: []string{"utility", "digit", "accuracy"}, Op: "<", Threshold: 0.97}},
		{"utility.digit.accuracy<=.5", Rule{Path: []string{"utility", "digit", "accuracy"}, Op: "<=", Threshold: 0.5}},
		{"utility.digit.accuracy >=1e-3", Rule{Path: []string{"utility", "digit", "accuracy"}, Op: ">=", Threshold: 1e-3}},
		{"  utility.digit.accuracy == -0  ", Rule{Path: []string{"utility", "digit", "accuracy"}, Op: "==", Threshold: 0}},
		{"utility.digit.accuracy != 1", Rule{Path: []string{"utility", "digit", "accuracy"}, Op: "!=", Threshold: 1}},
		// the CI bounds become Bound, not a path segment
		{"fairness.digit.sex.equalized_odds_difference.ci_high > 0.05", Rule{Path: []string{"fairness", "digit", "sex", "equalized_odds_difference"}, Bound: "ci_high", Op: ">", Threshold: 0.05}},
		{"leakage.writer.mi.knn.ci_low > 0", Rule{Path: []string{"leakage", "writer", "mi", "knn"}, Bound: "ci_low", Op: ">", Threshold: 0}},
		// a dotted estimator key and a dotted name split at every dot: Check resolves them
		{"leakage.writer.mi.barber-agakov.mlp > 1", Rule{Path: []string{"leakage", "writer", "mi", "barber-agakov", "mlp"}, Op: ">", Threshold: 1}},
		{"fairness.a.b.c.class.x.y.demographic_parity_ratio < 0.8", Rule{Path: []string{"fairness", "a", "b", "c", "class", "x", "y", "demographic_parity_ratio"}, Op: "<", Threshold: 0.8}},
		{"leakage.id.reid.tpr_at_fpr_1e-3 > 0x1p-4", Rule{Path: []string{"leakage", "id", "reid", "tpr_at_fpr_1e-3"}, Op: ">", Threshold: 0.0625}}, // Go hex float: 2⁻⁴
	} {
		got, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("%d: Parse(%q): %v", i, tc.expr, err)
			continue
		}
		tc.want.Expr = strings.TrimSpace(tc.expr) // Expr is the expression as written, trimmed
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d: Parse(%q) = %+v, want %+v", i, tc.expr, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for i, tc := range []struct {
		expr, want string
	}{
		{"", `"": empty expression: want PATH OP THRESHOLD`},
		{"   ", `"": empty expression: want PATH OP THRESHOLD`},
		{"utility.digit.accuracy 0.97", `"utility.digit.accuracy 0.97": no comparison operator (want PATH OP THRESHOLD, OP one of > >= < <= == !=)`},
		{"utility.digit.accuracy = 0.97", `"utility.digit.accuracy = 0.97": unknown operator "=" (want one of > >= < <= == !=)`},
		{"utility.digit.accuracy => 0.97", `"utility.digit.accuracy => 0.97": unknown operator "=>" (want one of > >= < <= == !=)`},
		{"utility.digit.accuracy >> 0.97", `"utility.digit.accuracy >> 0.97": unknown operator ">>" (want one of > >= < <= == !=)`},
		{"> 0.97", `"> 0.97": missing path before ">"`},
		{"utility.digit.accuracy <", `"utility.digit.accuracy <": missing threshold after "<"`},
		{"utility.digit.accuracy < abc", `"utility.digit.accuracy < abc": threshold "abc" is not a number`},
		{"utility.digit.accuracy < 0.9.7", `"utility.digit.accuracy < 0.9.7": threshold "0.9.7" is not a number`},
		{"utility.digit.accuracy < 97%", `"utility.digit.accuracy < 97%": threshold "97%" is not a number`},
		{"utility.digit.accuracy < 0.97 and more", `"utility.digit.accuracy < 0.97 and more": unexpected "and more" after threshold 0.97`},
		{"utility.digit.accuracy < 0.97 < 1", `"utility.digit.accuracy < 0.97 < 1": unexpected "< 1" after threshold 0.97`},
		{"utility.digit.accuracy < NaN", `"utility.digit.accuracy < NaN": threshold NaN is not finite`},
		{"utility.digit.accuracy < -Inf", `"utility.digit.accuracy < -Inf": threshold -Inf is not finite`},
		{"utility.digit.accuracy < 1e999", `"utility.digit.accuracy < 1e999": threshold 1e999 is out of range`},
		{"utility..accuracy < 0.9", `"utility..accuracy < 0.9": path utility..accuracy has an empty segment`},
		{".utility.digit.accuracy < 0.9", `".utility.digit.accuracy < 0.9": path .utility.digit.accuracy has an empty segment`},
		{"utility.digit.accuracy. < 0.9", `"utility.digit.accuracy. < 0.9": path utility.digit.accuracy. has an empty segment`},
		{"utility.digit.accuracy.ci_hi < 0.9", `"utility.digit.accuracy.ci_hi < 0.9": unknown suffix "ci_hi" (want ci_low or ci_high)`},
		{"utilty.digit.accuracy < 0.9", `"utilty.digit.accuracy < 0.9": unknown section "utilty" (want utility, leakage, fairness)`},
		{"utility.accuracy < 0.9", `"utility.accuracy < 0.9": path utility.accuracy is too short: want utility.<target>.{accuracy,balanced_accuracy}`},
		{"utility.digit.acc < 0.9", `"utility.digit.acc < 0.9": unknown utility measure "acc" (want utility.<target>.{accuracy,balanced_accuracy})`},
		// the suffix is not a measure: the measure must precede it
		{"utility.digit.ci_low < 0.9", `"utility.digit.ci_low < 0.9": path utility.digit is too short: want utility.<target>.{accuracy,balanced_accuracy}`},
		{"leakage.writer.attackers.mlp.advntage > 0.1", `"leakage.writer.attackers.mlp.advntage > 0.1": unknown leakage measure "advntage" (want leakage.<attribute>.attackers.<probe>.{accuracy,advantage,auc}, leakage.<attribute>.mi.<estimator> or leakage.<attribute>.reid.{rank1,rank5,verification_auc,tpr_at_fpr_1e-3})`},
		{"leakage.writer.mi > 0.1", `"leakage.writer.mi > 0.1": path leakage.writer.mi is too short: want leakage.<attribute>.attackers.<probe>.{accuracy,advantage,auc}, leakage.<attribute>.mi.<estimator> or leakage.<attribute>.reid.{rank1,rank5,verification_auc,tpr_at_fpr_1e-3}`},
		{"fairness.digit.sex.eod > 0.05", `"fairness.digit.sex.eod > 0.05": unknown fairness measure "eod" (want fairness.<target>.<group>[.class.<value>].{demographic_parity_difference,demographic_parity_ratio,equalized_odds_difference,equal_opportunity_difference})`},
		{"fairness.digit.equalized_odds_difference > 0.05", `"fairness.digit.equalized_odds_difference > 0.05": path fairness.digit.equalized_odds_difference is too short: want fairness.<target>.<group>[.class.<value>].{demographic_parity_difference,demographic_parity_ratio,equalized_odds_difference,equal_opportunity_difference}`},
	} {
		_, err := Parse(tc.expr)
		if err == nil {
			t.Errorf("%d: Parse(%q) succeeded, want error %s", i, tc.expr, tc.want)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%d: Parse(%q):\ngot  %s\nwant %s", i, tc.expr, got, tc.want)
		}
	}
}

func TestParseAllNamesTheBadExpression(t *testing.T) {
	rules, err := ParseAll([]string{"utility.digit.accuracy < 0.9", "utility.digit.accuracy < x"})
	if err == nil || !strings.Contains(err.Error(), `"utility.digit.accuracy < x"`) || rules != nil {
		t.Errorf("got %v, %v; want no rules and an error naming the second expression", rules, err)
	}
	rules, err = ParseAll([]string{"utility.digit.accuracy < 0.9", "leakage.sex.mi.knn > 0.1"})
	if err != nil || len(rules) != 2 || rules[1].Expr != "leakage.sex.mi.knn > 0.1" {
		t.Errorf("got %+v, %v; want both rules in order", rules, err)
	}
}

// TestCheckResolves pins the figure every kind of path names: each figure
// of testResult has its own value (up to the rounding of the sums in
// testResult's fair), so a path that resolves to another figure reads
// another number.
func TestCheckResolves(t *testing.T) {
	const tol = 1e-12
	r := testResult()
	for i, tc := range []struct {
		path string
		want float64
	}{
		{"utility.digit.accuracy", 0.91},
		{"utility.digit.balanced_accuracy", 0.905},
		{"utility.digit.accuracy.ci_low", 0.89},
		{"utility.digit.accuracy.ci_high", 0.93},
		{"utility.a.accuracy", 0.71},   // "a" and "a.b" are different targets…
		{"utility.a.b.accuracy", 0.81}, // …and the dotted one resolves whole
		{"leakage.writer.attackers.linear.accuracy", 0.49},
		{"leakage.writer.attackers.linear.advantage", 0.48},
		{"leakage.writer.attackers.linear.auc", 0.95},
		{"leakage.writer.attackers.mlp.advantage", 0.58},
		{"leakage.writer.attackers.mlp.advantage.ci_low", 0.55},
		{"leakage.writer.attackers.mlp.advantage.ci_high", 0.61},
		{"leakage.sex.attackers.linear.advantage", 0.25},
		{"leakage.writer.mi.barber-agakov.linear", 2.1},
		{"leakage.writer.mi.barber-agakov.mlp", 2.3},
		{"leakage.writer.mi.barber-agakov.mlp.ci_high", 2.4},
		{"leakage.writer.mi.knn", 1.15},
		{"leakage.writer.mi.mine", 1.5},
		{"leakage.writer.mi.nwj", 1.4},
		{"leakage.writer.mi.infonce", 1.7},
		{"leakage.writer.mi.smile", 1.6},
		{"leakage.writer.mi.club", 2.9},
		{"leakage.sex.mi.knn", 0.01},
		{"leakage.writer.reid.rank1", 0.22},
		{"leakage.writer.reid.rank5", 0.52},
		{"leakage.writer.reid.verification_auc", 0.74},
		{"leakage.writer.reid.tpr_at_fpr_1e-3", 0.013},
		{"leakage.writer.reid.tpr_at_fpr_1e-3.ci_high", 0.023},
		// a multiclass target: the plain path is the worst class (7: base 0.20)
		{"fairness.digit.sex.demographic_parity_difference", 0.201},
		{"fairness.digit.sex.demographic_parity_ratio", 0.202},
		{"fairness.digit.sex.equalized_odds_difference", 0.203},
		{"fairness.digit.sex.equal_opportunity_difference", 0.204},
		{"fairness.digit.sex.equalized_odds_difference.ci_high", 0.2035},
		// one class against the rest (class 0: base 0.10)
		{"fairness.digit.sex.class.0.equalized_odds_difference", 0.103},
		{"fairness.digit.sex.class.7.demographic_parity_ratio", 0.202},
		// a binary target over an intersectional group
		{"fairness.y.sex+age_band.demographic_parity_difference", 0.501},
		// target "a.b" group "c" (base 0.40) beats target "a" group "b.c" (0.30)
		{"fairness.a.b.c.equalized_odds_difference", 0.403},
		{"fairness.a.b.sex.equalized_odds_difference", 0.453},
	} {
		rule, err := Parse(tc.path + " > -1e9") // holds for every figure of testResult
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		vs, err := Check(r, []Rule{rule})
		if err != nil {
			t.Errorf("%d: %s: %v", i, tc.path, err)
			continue
		}
		if len(vs) != 1 || math.Abs(vs[0].Value-tc.want) > tol {
			t.Errorf("%d: %s: got violations %+v, want one with value %g", i, tc.path, vs, tc.want)
		}
	}
}

// TestPathsResolve checks that Paths lists exactly the figures Check
// resolves: every listed path (and its bounds) resolves, and the list has
// one path per figure of testResult, which a hand count gives.
func TestPathsResolve(t *testing.T) {
	r := testResult()
	paths := Paths(r)
	// utility 3×2; writer 2×3 attackers + 8 MI + 4 reid; sex 3 + 1;
	// fairness digit×sex 4 worst + 2×4 classes, y 4, a.b×c 4 (a×b.c has
	// the same paths), a.b×sex 4, z×sex 4 undefined + 2×4 classes.
	const want = 6 + 6 + 8 + 4 + 3 + 1 + 4 + 8 + 4 + 4 + 4 + 4 + 8
	if len(paths) != want {
		t.Errorf("got %d paths, want %d:\n%s", len(paths), want, strings.Join(paths, "\n"))
	}
	if !slices.IsSorted(paths) {
		t.Error("paths are not sorted")
	}
	for _, p := range paths {
		for _, suffix := range []string{"", ".ci_low", ".ci_high"} {
			rule, err := Parse(p + suffix + " > 1e9")
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if _, err := Check(r, []Rule{rule}); err != nil {
				t.Errorf("%s%s: %v", p, suffix, err)
			}
		}
	}
}

func TestPathsSmall(t *testing.T) {
	r := &metrics.Result{
		Utility: []metrics.Utility{{Target: "y"}},
		Leakage: []metrics.Leakage{{Attribute: "s", Attackers: []metrics.Attacker{{Probe: "linear"}},
			MI: []metrics.MI{{Estimator: "barber-agakov (linear attacker)"}}, ReID: &metrics.ReID{}}},
		Fairness: []metrics.Fairness{{Target: "y", Group: "g", Kind: "binary"}},
	}
	// written out by hand from the grammar in doc.go
	want := []string{
		"fairness.y.g.demographic_parity_difference",
		"fairness.y.g.demographic_parity_ratio",
		"fairness.y.g.equal_opportunity_difference",
		"fairness.y.g.equalized_odds_difference",
		"leakage.s.attackers.linear.accuracy",
		"leakage.s.attackers.linear.advantage",
		"leakage.s.attackers.linear.auc",
		"leakage.s.mi.barber-agakov.linear",
		"utility.y.accuracy",
		"utility.y.balanced_accuracy",
	}
	if got := Paths(r); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckOperators pins each operator below, at and above its threshold
// on utility.digit.accuracy = 0.91: only the equal value separates > from
// >= and < from <=.
func TestCheckOperators(t *testing.T) {
	r := testResult()
	for i, tc := range []struct {
		op        string
		threshold float64
		fires     bool
	}{
		{">", 0.90, true}, {">", 0.91, false}, {">", 0.92, false},
		{">=", 0.90, true}, {">=", 0.91, true}, {">=", 0.92, false},
		{"<", 0.90, false}, {"<", 0.91, false}, {"<", 0.92, true},
		{"<=", 0.90, false}, {"<=", 0.91, true}, {"<=", 0.92, true},
		{"==", 0.90, false}, {"==", 0.91, true}, {"==", 0.92, false},
		{"!=", 0.90, true}, {"!=", 0.91, false}, {"!=", 0.92, true},
	} {
		rule, err := Parse("utility.digit.accuracy" + tc.op + strconv.FormatFloat(tc.threshold, 'g', -1, 64))
		if err != nil {
			t.Fatal(err)
		}
		vs, err := Check(r, []Rule{rule})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(vs) == 1; got != tc.fires || len(vs) > 1 {
			t.Errorf("%d: 0.91 %s %g: got %d violations, want fired=%t", i, tc.op, tc.threshold, len(vs), tc.fires)
		}
	}
}

// TestCheckUndefined pins that a rule on an undefined figure fails under
// both > and <, which no defined value satisfies at once, and that the
// message says why.
func TestCheckUndefined(t *testing.T) {
	r := testResult()
	for i, tc := range []struct {
		path string
		want []string // in the message
	}{
		{"fairness.y.sex+age_band.equal_opportunity_difference", []string{"value undefined (null)", "no CI"}},
		{"fairness.y.sex+age_band.equal_opportunity_difference.ci_high", []string{"ci_high undefined (null)", "value null"}},
		// a defined value whose lower bound is undefined
		{"fairness.y.sex+age_band.equalized_odds_difference.ci_low", []string{"ci_low undefined (null)", "value 0.503", "95% CI null to 0.5035"}},
		// no class has an equalized odds difference: no worst class
		{"fairness.z.sex.equalized_odds_difference", []string{"value undefined (null)", "no worst class"}},
		{"fairness.z.sex.demographic_parity_difference", []string{"value undefined (null)", "no worst class"}},
	} {
		for _, op := range []string{" > -1e9", " < 1e9"} {
			rule, err := Parse(tc.path + op)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := Check(r, []Rule{rule})
			if err != nil {
				t.Errorf("%d: %v", i, err)
				continue
			}
			if len(vs) != 1 || !math.IsNaN(vs[0].Value) {
				t.Errorf("%d: %s%s: got %+v, want one violation with a NaN value", i, tc.path, op, vs)
				continue
			}
			for _, w := range append(tc.want, tc.path+op) {
				if !strings.Contains(vs[0].Message, w) {
					t.Errorf("%d: message %q lacks %q", i, vs[0].Message, w)
				}
			}
		}
	}
	// Without bootstrap resamples the bounds are undefined, and the message
	// says why.
	r.Bootstrap.Resamples = 0
	r.Utility[0].Accuracy = iv(0.91, nan, nan)
	rule, _ := Parse("utility.digit.accuracy.ci_high > 0.95")
	vs, err := Check(r, []Rule{rule})
	if err != nil || len(vs) != 1 || !strings.Contains(vs[0].Message, "0 bootstrap resamples") {
		t.Errorf("got %+v, %v; want one violation naming the missing resamples", vs, err)
	}
}

// TestCheckMessage pins the message of a violation: the rule, the compared
// number with the threshold, the interval, and the worst class.
func TestCheckMessage(t *testing.T) {
	r := testResult()
	r.Utility[0].Accuracy = iv(0.100004, 0.09, 0.11)
	for i, tc := range []struct {
		expr, want string
	}{
		{"leakage.writer.attackers.mlp.advantage > 0.1", "leakage.writer.attackers.mlp.advantage > 0.1: value 0.58 > 0.1 (95% CI 0.55 to 0.61)"},
		{"leakage.writer.attackers.mlp.advantage.ci_low>0.5", "leakage.writer.attackers.mlp.advantage.ci_low>0.5: ci_low 0.55 > 0.5 (value 0.58; 95% CI 0.55 to 0.61)"},
		{"fairness.digit.sex.equalized_odds_difference > 0.05", "fairness.digit.sex.equalized_odds_difference > 0.05: value 0.203 > 0.05 (95% CI 0.2025 to 0.2035; worst class 7)"},
		// 0.100004 at 4 digits is 0.1, which would read "0.1 > 0.1": the
		// number gets the digits that show the comparison
		{"utility.digit.accuracy > 0.1", "utility.digit.accuracy > 0.1: value 0.100004 > 0.1 (95% CI 0.09 to 0.11)"},
		{"utility.digit.accuracy != 0.1", "utility.digit.accuracy != 0.1: value 0.100004 != 0.1 (95% CI 0.09 to 0.11)"},
	} {
		rule, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := Check(r, []Rule{rule})
		if err != nil || len(vs) != 1 {
			t.Errorf("%d: got %+v, %v; want one violation", i, vs, err)
			continue
		}
		if vs[0].Message != tc.want {
			t.Errorf("%d:\ngot  %s\nwant %s", i, vs[0].Message, tc.want)
		}
		if vs[0].Rule.Expr != tc.expr {
			t.Errorf("%d: got rule %q, want %q", i, vs[0].Rule.Expr, tc.expr)
		}
	}
}

func TestCheckOrderAndFigure(t *testing.T) {
	r := testResult()
	rules, err := ParseAll([]string{
		"leakage.writer.reid.rank1 > 0.2",     // fires: 0.22
		"utility.digit.accuracy < 0.9",        // holds not: 0.91
		"leakage.sex.mi.knn.ci_high >= 0.02",  // fires: 0.02, at the threshold
		"leakage.sex.mi.knn.ci_high > 0.02",   // holds not: equal
		"utility.a.b.balanced_accuracy < 0.9", // fires: 0.815
	})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := Check(r, rules)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Rule.Expr)
	}
	want := []string{rules[0].Expr, rules[2].Expr, rules[4].Expr}
	if !slices.Equal(got, want) {
		t.Errorf("got violations %q, want %q", got, want)
	}
	if len(vs) == 3 && (vs[1].Figure != iv(0.01, 0, 0.02) || vs[1].Value != 0.02) {
		t.Errorf("got figure %+v value %g, want the whole knn figure of sex and its ci_high 0.02", vs[1].Figure, vs[1].Value)
	}
}

func TestCheckUnknownPath(t *testing.T) {
	r := testResult()
	for i, tc := range []struct {
		path                   string
		near, segment, kind    string
		valid                  []string
		reason, wantInErrorMsg string
	}{
		{"utility.dgit.accuracy", "utility", "dgit", "target", []string{"a", "a.b", "digit"}, "",
			`"utility.dgit.accuracy > 0.5": unknown path utility.dgit.accuracy: no target "dgit" under utility (valid: a, a.b, digit)`},
		{"leakage.wrter.attackers.mlp.auc", "leakage", "wrter", "attribute", []string{"sex", "writer"}, "",
			`no attribute "wrter" under leakage (valid: sex, writer)`},
		{"leakage.writer.attackers.svm.auc", "leakage.writer.attackers", "svm", "probe", []string{"linear", "mlp"}, "",
			`no probe "svm" under leakage.writer.attackers (valid: linear, mlp)`},
		{"leakage.sex.attackers.mlp.auc", "leakage.sex.attackers", "mlp", "probe", []string{"linear"}, "",
			`no probe "mlp" under leakage.sex.attackers (valid: linear)`},
		{"leakage.writer.mi.ba", "leakage.writer.mi", "ba", "estimator",
			[]string{"barber-agakov.linear", "barber-agakov.mlp", "club", "infonce", "knn", "mine", "nwj", "smile"}, "",
			`no estimator "ba" under leakage.writer.mi (valid: barber-agakov.linear, barber-agakov.mlp, club, infonce, knn, mine, nwj, smile)`},
		{"leakage.writer.mi.barber-agakov.svm", "leakage.writer.mi", "barber-agakov", "estimator",
			[]string{"barber-agakov.linear", "barber-agakov.mlp", "club", "infonce", "knn", "mine", "nwj", "smile"}, "", `barber-agakov.mlp`},
		{"leakage.sex.reid.rank1", "leakage.sex", "reid", "subsection", []string{"attackers", "mi"}, "re-identification was not measured: sex has 2 values, each shared by many rows",
			`no subsection "reid" under leakage.sex (valid: attackers, mi); re-identification was not measured: sex has 2 values`},
		{"leakage.writer.mi.knn.accuracy", "leakage.writer.mi.knn", "accuracy", "", nil, "",
			`leakage.writer.mi.knn is a figure, nothing may follow it`},
		{"fairness.digit.age.equalized_odds_difference", "fairness.digit", "age", "group", []string{"sex"}, "",
			`no group "age" under fairness.digit (valid: sex)`},
		{"fairness.digit.sex.class.5.equalized_odds_difference", "fairness.digit.sex.class", "5", "class", []string{"0", "7"}, "",
			`no class "5" under fairness.digit.sex.class (valid: 0, 7)`},
		// a binary target has no per-class entries
		{"fairness.y.sex+age_band.class.1.equalized_odds_difference", "fairness.y.sex+age_band", "class", "measure", fairnessMeasures, "",
			`no measure "class" under fairness.y.sex+age_band (valid: demographic_parity_difference, demographic_parity_ratio, equal_opportunity_difference, equalized_odds_difference)`},
	} {
		rule, err := Parse(tc.path + " > 0.5")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := Check(r, []Rule{rule})
		var ue *UnknownPathError
		if !errors.As(err, &ue) {
			t.Errorf("%d: %s: got %v, %v; want an *UnknownPathError", i, tc.path, vs, err)
			continue
		}
		valid := slices.Clone(tc.valid)
		slices.Sort(valid)
		if ue.Path != tc.path || ue.Near != tc.near || ue.Segment != tc.segment || ue.Kind != tc.kind || !slices.Equal(ue.Valid, valid) || ue.Reason != tc.reason {
			t.Errorf("%d: got %+v, want path %s near %q segment %q kind %q valid %q reason %q", i, ue, tc.path, tc.near, tc.segment, tc.kind, valid, tc.reason)
		}
		if !strings.Contains(err.Error(), tc.wantInErrorMsg) {
			t.Errorf("%d: error %q lacks %q", i, err, tc.wantInErrorMsg)
		}
		if vs != nil {
			t.Errorf("%d: got violations %+v with an error", i, vs)
		}
	}
	// An empty result has no figures at all.
	rule, _ := Parse("utility.digit.accuracy < 0.9")
	_, err := Check(&metrics.Result{}, []Rule{rule})
	if err == nil || !strings.Contains(err.Error(), `no section "utility" (the result has no figures)`) {
		t.Errorf("got %v, want an error saying the result has no figures", err)
	}
}

// TestMIKeys pins the key of every estimator string metrics produces
// (metrics/audit.go: attackerFigures, knnFigure; metrics/neural.go:
// mlpAttacker, clubFigure, criticLabel for each critic bound) and that no
// two of them share a key.
func TestMIKeys(t *testing.T) {
	produced := []struct{ estimator, key string }{
		{"barber-agakov (linear attacker)", "barber-agakov.linear"},
		{"barber-agakov (mlp attacker)", "barber-agakov.mlp"},
		{"knn (Ross 2014, k=3)", "knn"},
		{"mine (dv, EMA gradient)", "mine"},
		{"dv", "dv"},
		{"nwj", "nwj"},
		{"jsd", "jsd"},
		{"infonce (batch 128)", "infonce"},
		{"smile (τ=5)", "smile"},
		{"club (categorical, q = mlp attacker)", "club"},
	}
	seen := map[string]string{}
	for i, tc := range produced {
		got := MIKey(tc.estimator)
		if got != tc.key {
			t.Errorf("%d: MIKey(%q) = %q, want %q", i, tc.estimator, got, tc.key)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("%d: %q and %q share the key %q", i, prev, tc.estimator, got)
		}
		seen[got] = tc.estimator
	}
	// Settings in the label do not change the key.
	for i, tc := range []struct{ estimator, key string }{
		{"knn (Ross 2014, k=10)", "knn"},
		{"infonce (batch 512)", "infonce"},
		{"smile (τ=2.5)", "smile"},
		// criticLabel's club label; the audit never trains a club critic
		// (neural skips it), so it cannot meet clubFigure's in one result
		{"club (categorical)", "club"},
		{"barber-agakov", "barber-agakov"}, // no attacker named: the first word
	} {
		if got := MIKey(tc.estimator); got != tc.key {
			t.Errorf("%d: MIKey(%q) = %q, want %q", i, tc.estimator, got, tc.key)
		}
	}
}
