package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/metrics"
)

// cmpTol is the tolerance of the comparison's means and standard
// deviations against hand calculations: a few ulps of numbers near 1.
const cmpTol = 1e-12

// cmpPoint is what cmpResult varies between audits: the digit probe's
// accuracy and the writer_id attackers' advantages.
type cmpPoint struct{ acc, lin, mlp float64 }

// cmpResult is a hand-made audit Result with the shape of a sweep's
// audits: targets digit and smiling; protected attributes writer_id (linear
// and mlp attackers, two MI estimates, re-identification) and sex (a linear
// attacker and one MI estimate); a binary, a worst-class and a one-vs-rest
// fairness entry. Its numbers are invented; where a test reads one it says
// so. No bootstrap: the comparison ignores intervals.
func cmpResult(p cmpPoint) *metrics.Result {
	nan := math.NaN()
	v := func(x float64) metrics.Interval { return metrics.Interval{Value: x, Low: nan, High: nan} }
	fair := func(target, kind, positive string, dpd, eod float64) metrics.Fairness {
		return metrics.Fairness{
			Target: target, Group: "sex", Source: "probe", Positive: positive, Kind: kind,
			DemographicParityDifference: v(dpd), DemographicParityRatio: v(1 - dpd),
			EqualizedOddsDifference: v(eod), EqualOpportunityDifference: v(eod),
		}
	}
	return &metrics.Result{
		Schema: metrics.SchemaVersion,
		Utility: []metrics.Utility{
			{Target: "digit", Probe: "linear", Classes: 10, Accuracy: v(p.acc), BalancedAccuracy: v(p.acc), MajorityBaseline: 0.112, Converged: true},
			{Target: "smiling", Probe: "linear", Classes: 2, Accuracy: v(0.7), BalancedAccuracy: v(0.69), MajorityBaseline: 0.548, Converged: true},
		},
		Leakage: []metrics.Leakage{
			{
				Attribute:   "writer_id",
				Classes:     50,
				EntropyNats: math.Log(50), // uniform over 50 writers
				Attackers: []metrics.Attacker{
					// accuracy = majority + advantage·(1 − majority), majority 0.02
					{Probe: "linear", Accuracy: v(0.02 + 0.98*p.lin), MajorityBaseline: 0.02, Advantage: v(p.lin), AUC: v(0.8)},
					{Probe: "mlp", Accuracy: v(0.02 + 0.98*p.mlp), MajorityBaseline: 0.02, Advantage: v(p.mlp), AUC: v(0.85)},
				},
				MI: []metrics.MI{
					{Estimator: "barber-agakov (linear attacker)", Bound: metrics.BoundLower, Nats: v(2 * p.lin)},
					{Estimator: "infonce (batch 128)", Bound: metrics.BoundLower, Nats: v(4.1), Ceiling: &ceiling128},
				},
				// Chance rank-1: 1 of 50 gallery identities, every test
				// identity in the gallery.
				ReID: &metrics.ReID{Available: true, Rank1: v(0.2), Rank5: v(0.4), ChanceRank1: 0.02, VerificationAUC: v(0.8), TPRAtFPR1e3: v(0.01)},
			},
			{
				Attribute:   "sex",
				Classes:     2,
				EntropyNats: math.Log(2), // balanced
				Attackers:   []metrics.Attacker{{Probe: "linear", Accuracy: v(0.6), MajorityBaseline: 0.5, Advantage: v(0.2), AUC: v(0.62)}},
				MI:          []metrics.MI{{Estimator: "barber-agakov (linear attacker)", Bound: metrics.BoundLower, Nats: v(0.01)}},
				ReID:        &metrics.ReID{Available: false, Note: "not identities"},
			},
		},
		Fairness: []metrics.Fairness{
			fair("smiling", kindBinary, "yes", 0.08, 0.1),
			fair("digit", kindWorstClass, "7", 0.04, 0.12),
			fair("digit", kindOneVsRest, "0", 0.01, 0.02),
		},
		Warnings: []string{},
	}
}

// cmpResults makes one cmpResult per cmpPoint.
func cmpResults(ps ...cmpPoint) []*metrics.Result {
	rs := make([]*metrics.Result, len(ps))
	for i, p := range ps {
		rs[i] = cmpResult(p)
	}
	return rs
}

// cmpSweep is the comparison of the golden files: four settings of a λ sweep
// with 3, 3, 1 and 2 seeds. By hand (sd with denominator n − 1):
//
//	λ = 0    acc .90 .92 .94 → .92 ± .02; linear adv .30 .32 .34 → .32 ± .02;
//	         mlp adv .35 .40 .45 → .40 ± .05; extra 1.2 1.3 1.4 → 1.3 ± 0.1
//	λ = 0.3  acc .88 .89 .90 → .89 ± .01; linear adv .10 .12 .14 → .12 ± .02;
//	         mlp adv .15 .20 .25 → .20 ± .05; MI 2·lin with the second NaN:
//	         .20 .28 → .24 ± .04·√2 = .0566 (n = 2); extra .5 .6 .7 → .6 ± .1
//	λ = 1    one seed: acc .80, linear .05, mlp .10, extra 0.1
//	λ = 3    acc .78 .80 → .79 ± .01·√2 = .0141; linear .06 .08 → .07 ± .0141;
//	         mlp .10 .12 → .11 ± .0141; extra .05 .07 → .06 ± .0141
//
// Leakage (the larger mean advantage on writer_id) against utility (mean
// digit accuracy): (.92, .40), (.89, .20), (.80, .10), (.79, .11); λ = 3 is
// dominated by λ = 1, the others are Pareto-optimal.
func cmpSweep() []Group {
	g0 := cmpResults(cmpPoint{0.90, 0.30, 0.35}, cmpPoint{0.92, 0.32, 0.40}, cmpPoint{0.94, 0.34, 0.45})
	g03 := cmpResults(cmpPoint{0.88, 0.10, 0.15}, cmpPoint{0.89, 0.12, 0.20}, cmpPoint{0.90, 0.14, 0.25})
	g03[1].Leakage[0].MI[0].Nats.Value = math.NaN()
	g03[1].Fairness[1].Positive = "3" // another worst class: still the same column
	g03[2].Warnings = []string{"linear probe for digit did not converge"}
	g1 := cmpResults(cmpPoint{0.80, 0.05, 0.10})
	g3 := cmpResults(cmpPoint{0.78, 0.06, 0.10}, cmpPoint{0.80, 0.08, 0.12})
	const adv = "training adversary (mine) [lower] (nats)"
	return []Group{
		{Name: "λ = 0", Params: map[string]string{"lambda": "0", "adversary": "none"}, Results: g0,
			Extra: []Extra{{adv, []float64{1.2, 1.3, 1.4}}}},
		{Name: "λ = 0.3", Params: map[string]string{"lambda": "0.3", "adversary": "mine"}, Results: g03,
			Extra: []Extra{{adv, []float64{0.5, 0.6, 0.7}}}},
		{Name: "λ = 1", Params: map[string]string{"lambda": "1", "adversary": "mine"}, Results: g1,
			Extra: []Extra{{adv, []float64{0.1}}}},
		{Name: "λ = 3", Params: map[string]string{"lambda": "3", "adversary": "mine, 2 layers"}, Results: g3,
			Extra: []Extra{{adv, []float64{0.05, 0.07}}}},
	}
}

func mustCompare(t *testing.T, groups []Group) *Comparison {
	t.Helper()
	c, err := Compare(groups)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	return c
}

// cmpColumn returns the index of the named column.
func cmpColumn(t *testing.T, c *Comparison, name string) int {
	t.Helper()
	for i, col := range c.Columns {
		if col.Name == name {
			return i
		}
	}
	t.Fatalf("no column %q", name)
	return -1
}

func TestCompareColumns(t *testing.T) {
	c := mustCompare(t, cmpSweep())
	var got []string
	for _, col := range c.Columns {
		got = append(got, col.Name)
	}
	want := []string{
		"digit linear probe accuracy",
		"smiling linear probe accuracy",
		// The attackers' shared majority baseline first, then per
		// attacker its accuracy, advantage and AUC.
		"writer_id majority baseline",
		"writer_id linear attacker accuracy",
		"writer_id linear attacker advantage",
		"writer_id linear attacker AUC",
		"writer_id mlp attacker accuracy",
		"writer_id mlp attacker advantage",
		"writer_id mlp attacker AUC",
		"I(Z;writer_id) barber-agakov (linear attacker) [lower] (nats)",
		"I(Z;writer_id) infonce (batch 128) [lower] (nats)",
		"writer_id rank-1 identification",
		"writer_id rank-1 chance",
		"sex majority baseline",
		"sex linear attacker accuracy",
		"sex linear attacker advantage",
		"sex linear attacker AUC",
		"I(Z;sex) barber-agakov (linear attacker) [lower] (nats)",
		// No rank-1 for sex: its re-identification is not available. No
		// one-vs-rest entry. The worst-class entry is one column pair
		// although its worst class differs between audits.
		"smiling × sex (positive: yes) demographic parity difference",
		"smiling × sex (positive: yes) equalized odds difference",
		"digit × sex (worst class) demographic parity difference",
		"digit × sex (worst class) equalized odds difference",
		"training adversary (mine) [lower] (nats)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns:\ngot  %q\nwant %q", got, want)
	}
	if got, want := c.UtilityColumn, 0; got != want {
		t.Errorf("UtilityColumn = %d, want %d", got, want)
	}
	if got, want := c.LeakageColumns, []int{4, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("LeakageColumns = %v, want %v", got, want)
	}
	mi := c.Columns[10]
	if mi.Bound != metrics.BoundLower || mi.Estimator != "infonce (batch 128)" || mi.CeilingNats == nil || *mi.CeilingNats != ceiling128 {
		t.Errorf("InfoNCE column = %+v, want bound lower, its estimator and ceiling log 128", mi)
	}
	// H(S) over the 9 audits: log 50 and log 2 in every one.
	if len(c.Entropies) != 2 {
		t.Fatalf("Entropies = %+v, want writer_id and sex", c.Entropies)
	}
	for i, want := range []AttributeEntropy{{"writer_id", cell(math.Log(50), 0, 9)}, {"sex", cell(math.Log(2), 0, 9)}} {
		if got := c.Entropies[i]; got.Attribute != want.Attribute || !sameCell(got.Nats, want.Nats) {
			t.Errorf("Entropies[%d] = %+v, want %+v", i, got, want)
		}
	}
}

// TestCompareCells checks cells of the sweep against the hand calculations
// in cmpSweep's comment.
func TestCompareCells(t *testing.T) {
	c := mustCompare(t, cmpSweep())
	nan := math.NaN()
	const (
		acc   = "digit linear probe accuracy"
		lin   = "writer_id linear attacker advantage"
		mlp   = "writer_id mlp attacker advantage"
		mi    = "I(Z;writer_id) barber-agakov (linear attacker) [lower] (nats)"
		extra = "training adversary (mine) [lower] (nats)"
		sex   = "sex linear attacker advantage"
	)
	sqrt2 := math.Sqrt2
	for i, test := range []struct {
		row    int
		column string
		want   Cell
		text   string
	}{
		{0, acc, cell(0.92, 0.02, 3), "0.920 ± 0.020"},
		{0, lin, cell(0.32, 0.02, 3), "0.320 ± 0.020"},
		{0, mlp, cell(0.40, 0.05, 3), "0.400 ± 0.050"},
		{0, extra, cell(1.3, 0.1, 3), "1.300 ± 0.100"},
		// Equal values: exactly their value, sd exactly 0.
		{0, sex, cell(0.2, 0, 3), "0.200 ± 0.000"},
		{1, acc, cell(0.89, 0.01, 3), "0.890 ± 0.010"},
		{1, mi, cell(0.24, 0.04*sqrt2, 2), "0.240 ± 0.057 (n = 2)"},
		{1, extra, cell(0.6, 0.1, 3), "0.600 ± 0.100"},
		// One seed: the value alone.
		{2, acc, cell(0.80, nan, 1), "0.800"},
		{2, mlp, cell(0.10, nan, 1), "0.100"},
		{3, acc, cell(0.79, 0.01*sqrt2, 2), "0.790 ± 0.014"},
		{3, extra, cell(0.06, 0.01*sqrt2, 2), "0.060 ± 0.014"},
	} {
		got := c.Rows[test.row].Cells[cmpColumn(t, c, test.column)]
		if got.N != test.want.N || !cmpApprox(got.Mean, test.want.Mean) || !cmpApprox(got.SD, test.want.SD) {
			t.Errorf("%d: %s, %s: got %+v, want %+v", i, c.Rows[test.row].Name, test.column, got, test.want)
		}
		if got := humanCell(got, c.Rows[test.row].Audits); got != test.text {
			t.Errorf("%d: %s, %s: shown as %q, want %q", i, c.Rows[test.row].Name, test.column, got, test.text)
		}
	}
	if got := c.Rows[1].Warnings; got != 1 {
		t.Errorf("λ = 0.3 has %d warnings, want 1", got)
	}
}

// cell is a Cell without an interval.
func cell(mean, sd float64, n int) Cell {
	return Cell{Mean: mean, SD: sd, N: n, Low: math.NaN(), High: math.NaN()}
}

// sameCell reports whether a and b are equal, NaN equal to NaN.
func sameCell(a, b Cell) bool {
	return a.N == b.N && sameFloat(a.Mean, b.Mean) && sameFloat(a.SD, b.SD) && sameFloat(a.Low, b.Low) && sameFloat(a.High, b.High)
}

func cmpApprox(x, y float64) bool {
	return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) <= cmpTol
}

// TestSummarize pins the cell arithmetic on its own.
func TestCompareSummarize(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for i, test := range []struct {
		xs   []float64
		want Cell
	}{
		{[]float64{0.90, 0.92, 0.94}, cell(0.92, 0.02, 3)},
		// mean 0.8, deviations ±0.1: sd √(0.02/1) = 0.1414…
		{[]float64{0.9, nan, 0.7}, cell(0.8, math.Sqrt(0.02), 2)},
		{[]float64{0.9, inf, -inf}, cell(0.9, nan, 1)},
		{[]float64{nan, nan}, cell(nan, nan, 0)},
		{nil, cell(nan, nan, 0)},
		// Four values 1, 2, 3, 4: mean 2.5, Σ(x − mean)² = 5, sd √(5/3).
		{[]float64{1, 2, 3, 4}, cell(2.5, math.Sqrt(5.0/3), 4)},
	} {
		got := summarizeCell(test.xs)
		if got.N != test.want.N || !cmpApprox(got.Mean, test.want.Mean) || !cmpApprox(got.SD, test.want.SD) {
			t.Errorf("%d: summarizeCell(%v) = %+v, want %+v", i, test.xs, got, test.want)
		}
	}
	// Equal values give exactly their value and sd 0, although 0.9·3/3 is
	// not exactly 0.9 in floating cmpPoint.
	if got := summarizeCell([]float64{0.9, 0.9, 0.9}); !sameCell(got, cell(0.9, 0, 3)) {
		t.Errorf("summarizeCell(0.9, 0.9, 0.9) = %+v, want exactly {0.9 0 3}", got)
	}
}

func TestComparePareto(t *testing.T) {
	nan := math.NaN()
	// Each row is one audit (acc, linear advantage, mlp advantage); the
	// leakage is the larger advantage.
	for _, test := range []struct {
		name string
		rows []cmpPoint
		want []bool
	}{
		{
			// Utility, leakage: A (.90, .20), B (.85, .10), C (.85, .25),
			// D (.90, .20). C is dominated by A, B and D; A and D tie and
			// are both optimal. Were the leakage the linear attacker's
			// alone, D (.90, .10) would dominate A and B; were it the mlp
			// attacker's, A (.90, .15) would dominate D.
			name: "dominated and tie",
			rows: []cmpPoint{{0.90, 0.20, 0.15}, {0.85, 0.05, 0.10}, {0.85, 0.25, 0.00}, {0.90, 0.10, 0.20}},
			want: []bool{true, true, false, true},
		},
		{
			// Equal leakage .10, lower utility: dominated.
			name: "equal leakage",
			rows: []cmpPoint{{0.85, 0.05, 0.10}, {0.80, 0.10, 0.05}},
			want: []bool{true, false},
		},
		{
			// Equal utility, higher leakage: dominated.
			name: "equal utility",
			rows: []cmpPoint{{0.85, 0.05, 0.10}, {0.85, 0.11, 0.05}},
			want: []bool{true, false},
		},
		{
			// The second row's utility is undefined: it is not marked and
			// does not dominate the first, which it would with utility .9.
			name: "undefined utility",
			rows: []cmpPoint{{0.85, 0.20, 0.20}, {nan, 0.10, 0.10}},
			want: []bool{true, false},
		},
		{
			// One attacker's advantage undefined: the other counts.
			name: "one attacker undefined",
			rows: []cmpPoint{{0.85, 0.20, nan}, {0.85, nan, 0.10}},
			want: []bool{false, true},
		},
		{
			name: "single row",
			rows: []cmpPoint{{0.5, 0.5, 0.5}},
			want: []bool{true},
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			var groups []Group
			for i, p := range test.rows {
				groups = append(groups, Group{Name: string(rune('A' + i)), Results: cmpResults(p)})
			}
			c := mustCompare(t, groups)
			var got []bool
			for _, r := range c.Rows {
				got = append(got, r.Pareto)
			}
			if !reflect.DeepEqual(got, test.want) {
				t.Errorf("Pareto = %v, want %v", got, test.want)
			}
		})
	}

	// The axes are means over seeds: A (.90, .20) from accuracies .88 and
	// .92; B (.89, .10) from advantages .05 and .15. C, one audit equal to
	// B's second, (.89, .15), ties with that audit but is dominated by B's
	// mean; A and B are both optimal.
	c := mustCompare(t, []Group{
		{Name: "A", Results: cmpResults(cmpPoint{0.88, 0.2, 0.1}, cmpPoint{0.92, 0.2, 0.1})},
		{Name: "B", Results: cmpResults(cmpPoint{0.89, 0.05, 0}, cmpPoint{0.89, 0.15, 0})},
		{Name: "C", Results: cmpResults(cmpPoint{0.89, 0.15, 0})},
	})
	for i, want := range []bool{true, true, false} {
		if got := c.Rows[i].Pareto; got != want {
			t.Errorf("means: row %s Pareto = %v, want %v", c.Rows[i].Name, got, want)
		}
	}
}

func TestCompareNoParetoAxes(t *testing.T) {
	noTargets := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	noTargets.Utility = nil
	noTargets.Fairness = nil
	noAttackers := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	noAttackers.Leakage[0].Attackers = nil
	for _, test := range []struct {
		name string
		r    *metrics.Result
		note string
	}{
		{"no target", noTargets, "No Pareto marking: the audits have no target"},
		{"no attacker", noAttackers, "No Pareto marking: the audits have no attacker on their first protected attribute"},
	} {
		t.Run(test.name, func(t *testing.T) {
			c := mustCompare(t, []Group{{Name: "only", Results: []*metrics.Result{test.r}}})
			if c.Rows[0].Pareto {
				t.Errorf("row marked Pareto-optimal without both axes")
			}
			if out := renderComparison(t, c, "table"); !strings.Contains(out, test.note) {
				t.Errorf("table lacks the note %q:\n%s", test.note, out)
			}
		})
	}
}

func TestCompareErrors(t *testing.T) {
	one := func() []*metrics.Result { return cmpResults(cmpPoint{0.9, 0.1, 0.1}) }
	otherTargets := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	otherTargets.Utility = otherTargets.Utility[:1]
	otherAttrs := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	otherAttrs.Leakage[0], otherAttrs.Leakage[1] = otherAttrs.Leakage[1], otherAttrs.Leakage[0]
	twice := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	twice.Leakage[0].MI = append(twice.Leakage[0].MI, twice.Leakage[0].MI[0])
	for _, test := range []struct {
		name   string
		groups []Group
		want   string // in the message
	}{
		{"no groups", nil, "no settings"},
		{"no results", []Group{{Name: "a"}}, `setting "a" has no audits`},
		{"no name", []Group{{Results: one()}}, "setting 1 has no name"},
		{"same name", []Group{{Name: "a", Results: one()}, {Name: "a", Results: one()}}, `two settings are named "a"`},
		{"targets differ", []Group{{Name: "a", Results: one()}, {Name: "b", Results: append(one(), otherTargets)}},
			`setting "a", audit 1 and setting "b", audit 2: targets differ`},
		{"attributes differ", []Group{{Name: "a", Results: append(one(), otherAttrs)}},
			"protected attributes differ"},
		{"extra count", []Group{{Name: "a", Results: one(), Extra: []Extra{{"x", []float64{1, 2}}}}}, `extra "x" has 2 values for 1 audits`},
		{"extra twice", []Group{{Name: "a", Results: one(), Extra: []Extra{{"x", []float64{1}}, {"x", []float64{2}}}}}, `two extras are named "x"`},
		{"extra named as a column", []Group{{Name: "a", Results: one(), Extra: []Extra{{"digit linear probe accuracy", []float64{1}}}}},
			`two columns are named "digit linear probe accuracy"`},
		{"reserved param", []Group{{Name: "a", Params: map[string]string{"mean": "1"}, Results: one()}}, `param key "mean"`},
		{"empty param", []Group{{Name: "a", Params: map[string]string{"": "1"}, Results: one()}}, `param key ""`},
		{"figure twice", []Group{{Name: "a", Results: []*metrics.Result{twice}}}, "appears twice"},
	} {
		t.Run(test.name, func(t *testing.T) {
			c, err := Compare(test.groups)
			if err == nil {
				t.Fatalf("Compare succeeded (%d columns), want an error", len(c.Columns))
			}
			if !strings.Contains(err.Error(), test.want) {
				t.Errorf("error %q does not contain %q", err, test.want)
			}
		})
	}
}

func TestCompareNilResult(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("Compare with a nil Result did not panic")
		}
	}()
	Compare([]Group{{Name: "a", Results: []*metrics.Result{nil}}})
}

// TestCompareMissing checks figures that some audits lack or leave
// undefined: they count as undefined, and a figure no audit of a setting
// defines is n/a.
func TestCompareMissing(t *testing.T) {
	a := cmpResults(cmpPoint{0.9, 0.1, 0.2}, cmpPoint{0.8, 0.1, 0.2})
	a[1].Leakage[0].ReID = &metrics.ReID{Available: false} // rank-1 missing in one audit
	a[0].Leakage[0].Attackers = a[0].Leakage[0].Attackers[:1]
	a[1].Leakage[0].Attackers = a[1].Leakage[0].Attackers[:1] // no mlp attacker in a
	b := cmpResults(cmpPoint{math.NaN(), 0.1, 0.2})
	c := mustCompare(t, []Group{{Name: "a", Results: a}, {Name: "b", Results: b}})
	for i, test := range []struct {
		row    int
		column string
		text   string
	}{
		{0, "writer_id rank-1 identification", "0.200 (n = 1)"},
		{0, "writer_id mlp attacker advantage", "n/a"},
		{1, "writer_id mlp attacker advantage", "0.200"},
		{1, "digit linear probe accuracy", "n/a"},
	} {
		r := c.Rows[test.row]
		if got := humanCell(r.Cells[cmpColumn(t, c, test.column)], r.Audits); got != test.text {
			t.Errorf("%d: %s, %s: shown as %q, want %q", i, r.Name, test.column, got, test.text)
		}
	}
}

// TestCompareBound checks that an MI figure's bound type is part of its
// column: the same estimator with another bound type is another column.
func TestCompareBound(t *testing.T) {
	r := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	r.Leakage[1].MI[0].Bound = ""
	s := cmpResult(cmpPoint{0.9, 0.1, 0.1})
	s.Leakage[1].MI[0].Bound = metrics.BoundEstimate
	c := mustCompare(t, []Group{{Name: "a", Results: []*metrics.Result{r, s}}})
	for _, name := range []string{
		"I(Z;sex) barber-agakov (linear attacker) [bound type not given] (nats)",
		"I(Z;sex) barber-agakov (linear attacker) [estimate] (nats)",
	} {
		j := cmpColumn(t, c, name)
		if got := humanCell(c.Rows[0].Cells[j], 2); got != "0.010 (n = 1)" {
			t.Errorf("%s: shown as %q, want %q", name, got, "0.010 (n = 1)")
		}
	}
	if j := cmpColumn(t, c, "I(Z;sex) barber-agakov (linear attacker) [bound type not given] (nats)"); c.Columns[j].Bound != "" {
		t.Errorf("Bound = %q, want the empty bound type of the audit", c.Columns[j].Bound)
	}
}

// ivResult is an audit with one target (digit, linear probe) and one
// attacker on writer, whose digit accuracy is acc; resamples and level
// describe its bootstrap.
func ivResult(acc metrics.Interval, resamples int, level float64) *metrics.Result {
	nan := math.NaN()
	return &metrics.Result{
		Schema:    metrics.SchemaVersion,
		Bootstrap: metrics.BootstrapInfo{Resamples: resamples, Level: level, Covers: "test rows"},
		Utility:   []metrics.Utility{{Target: "digit", Probe: "linear", Accuracy: acc}},
		Leakage: []metrics.Leakage{{Attribute: "writer", Attackers: []metrics.Attacker{{
			Probe: "linear", Accuracy: metrics.Interval{Value: 0.3, Low: 0.25, High: 0.35}, MajorityBaseline: 0.1,
			Advantage: metrics.Interval{Value: 0.2, Low: nan, High: nan}, AUC: metrics.Interval{Value: 0.7, Low: 0.65, High: 0.75},
		}}}},
	}
}

// TestCompareIntervals pins the intervals beside the cells: a single
// audit's own, the mean of the bounds over several, none where an audit
// lacks one, none from an audit without bootstrap resamples, none for an
// extra, and none at all when the audits' levels differ.
func TestCompareIntervals(t *testing.T) {
	nan := math.NaN()
	iv := func(x, lo, hi float64) metrics.Interval { return metrics.Interval{Value: x, Low: lo, High: hi} }
	const n, l = 200, 0.95
	c := mustCompare(t, []Group{
		{Name: "one", Results: []*metrics.Result{ivResult(iv(0.8, 0.7, 0.9), n, l)},
			Extra: []Extra{{"training adversary", []float64{0.4}}}},
		{Name: "three", Results: []*metrics.Result{
			ivResult(iv(0.80, 0.70, 0.88), n, l), ivResult(iv(0.84, 0.76, 0.90), n, l), ivResult(iv(0.86, 0.78, 0.95), n, l),
		}},
		// The NaN value does not count, nor does its interval.
		{Name: "undefined value", Results: []*metrics.Result{ivResult(iv(nan, 0.1, 0.2), n, l), ivResult(iv(0.6, 0.5, 0.7), n, l)}},
		// One audit's interval has an undefined bound: no interval.
		{Name: "undefined bound", Results: []*metrics.Result{ivResult(iv(0.6, 0.5, 0.7), n, l), ivResult(iv(0.7, nan, 0.8), n, l)}},
		// No bootstrap resamples: the (finite) bounds are not used.
		{Name: "no bootstrap", Results: []*metrics.Result{ivResult(iv(0.5, 0.4, 0.6), 0, 0)}},
	})
	const acc = "digit linear probe accuracy"
	for i, test := range []struct {
		row  int
		want Cell
		text string
	}{
		{0, Cell{Mean: 0.8, SD: nan, N: 1, Low: 0.7, High: 0.9}, "0.800 [0.700, 0.900]"},
		// Mean (0.80 + 0.84 + 0.86)/3 = 0.83333; deviations −0.03333,
		// 0.00667, 0.02667: Σ² = 0.0018667, sd √(0.0018667/2) = 0.030551;
		// bounds (0.70 + 0.76 + 0.78)/3 = 0.74667, (0.88 + 0.90 + 0.95)/3 = 0.91.
		{1, Cell{Mean: 2.5 / 3, SD: math.Sqrt(0.0028 / 3), N: 3, Low: 2.24 / 3, High: 0.91}, "0.833 ± 0.031 [0.747, 0.910]"},
		{2, Cell{Mean: 0.6, SD: nan, N: 1, Low: 0.5, High: 0.7}, "0.600 [0.500, 0.700] (n = 1)"},
		// 0.6 and 0.7: mean 0.65, sd √(2·0.05²/1) = 0.070711.
		{3, Cell{Mean: 0.65, SD: 0.05 * math.Sqrt2, N: 2, Low: nan, High: nan}, "0.650 ± 0.071"},
		{4, Cell{Mean: 0.5, SD: nan, N: 1, Low: nan, High: nan}, "0.500"},
	} {
		got := c.Rows[test.row].Cells[cmpColumn(t, c, acc)]
		if got.N != test.want.N || !cmpApprox(got.Mean, test.want.Mean) || !cmpApprox(got.SD, test.want.SD) ||
			!cmpApprox(got.Low, test.want.Low) || !cmpApprox(got.High, test.want.High) {
			t.Errorf("%d: %s: got %+v, want %+v", i, c.Rows[test.row].Name, got, test.want)
		}
		if got := humanCell(got, c.Rows[test.row].Audits); got != test.text {
			t.Errorf("%d: %s: shown as %q, want %q", i, c.Rows[test.row].Name, got, test.text)
		}
	}
	if extra := c.Rows[0].Cells[cmpColumn(t, c, "training adversary")]; extra.HasInterval() {
		t.Errorf("the extra has an interval: %+v", extra)
	}
	if got := c.Intervals; got.Level != l || got.MixedLevels != nil || got.Covers != "test rows" {
		t.Errorf("Intervals = %+v, want level 0.95 covering test rows", got)
	}
	md := renderComparison(t, c, "markdown")
	for _, want := range []string{"[95 % CI]", "| one | 0.800 [0.700, 0.900] |", "the mean of their lower and the mean of their upper bounds", "The intervals cover: test rows.",
		"Measured outside the audits, without an interval: training adversary."} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	// Levels 0.9 and 0.95 cannot be averaged: no interval anywhere.
	c = mustCompare(t, []Group{
		{Name: "a", Results: []*metrics.Result{ivResult(iv(0.8, 0.7, 0.9), n, 0.95)}},
		{Name: "b", Results: []*metrics.Result{ivResult(iv(0.8, 0.72, 0.88), n, 0.9)}},
	})
	if got := c.Intervals; got.Level != 0 || !reflect.DeepEqual(got.MixedLevels, []float64{0.9, 0.95}) {
		t.Errorf("mixed levels: Intervals = %+v, want level 0 and levels [0.9 0.95]", got)
	}
	for _, r := range c.Rows {
		for j, cell := range r.Cells {
			if cell.HasInterval() {
				t.Errorf("mixed levels: %s, %s has an interval %+v", r.Name, c.Columns[j].Name, cell)
			}
		}
	}
	if md := renderComparison(t, c, "markdown"); !strings.Contains(md, "No confidence intervals: the audits' intervals have different levels (90 % CI, 95 % CI), which cannot be averaged.") {
		t.Errorf("mixed levels: markdown lacks the note:\n%s", md)
	}
}

func renderComparison(t *testing.T, c *Comparison, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteComparison(&buf, c, format); err != nil {
		t.Fatalf("WriteComparison(%s): %v", format, err)
	}
	return buf.String()
}

func TestCompareGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			got := []byte(renderComparison(t, mustCompare(t, cmpSweep()), format))
			path := filepath.Join("testdata", "compare."+goldenExt[format]+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s output differs from %s (run go test -update after checking it)\ngot:\n%s\nwant:\n%s", format, path, got, want)
			}
			if again := renderComparison(t, mustCompare(t, cmpSweep()), format); again != string(got) {
				t.Errorf("%s output differs between two renderings of the same groups", format)
			}
		})
	}
}

func TestCompareUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := WriteComparison(&buf, mustCompare(t, cmpSweep()), "xml")
	var ufe *UnknownFormatError
	if !errors.As(err, &ufe) || ufe.Format != "xml" {
		t.Errorf("WriteComparison(xml) error = %v, want an *UnknownFormatError for xml", err)
	}
	if buf.Len() != 0 {
		t.Errorf("WriteComparison(xml) wrote %d bytes, want none", buf.Len())
	}
}

// TestCompareJSON decodes the JSON form and checks it against the
// Comparison: the documented keys, null for undefined numbers, cells equal
// to the float64s.
func TestCompareJSON(t *testing.T) {
	c := mustCompare(t, cmpSweep())
	out := renderComparison(t, c, "json")
	var got struct {
		Columns []map[string]any `json:"columns"`
		Pareto  struct {
			Utility *string  `json:"utility"`
			Leakage []string `json:"leakage"`
		} `json:"pareto"`
		Entropies []struct {
			Attribute string         `json:"attribute"`
			Nats      map[string]any `json:"nats"`
		} `json:"entropies"`
		Intervals struct {
			Level       *float64  `json:"level"`
			MixedLevels []float64 `json:"mixed_levels"`
			Covers      *string   `json:"covers"`
		} `json:"intervals"`
		Notes []string `json:"notes"`
		Rows  []struct {
			Name     string            `json:"name"`
			Params   map[string]string `json:"params"`
			Audits   int               `json:"audits"`
			Warnings int               `json:"warnings"`
			Pareto   bool              `json:"pareto"`
			Cells    []map[string]any  `json:"cells"`
		} `json:"rows"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("JSON does not decode: %v", err)
	}
	if len(got.Columns) != len(c.Columns) || len(got.Rows) != len(c.Rows) {
		t.Fatalf("JSON has %d columns and %d rows, want %d and %d", len(got.Columns), len(got.Rows), len(c.Columns), len(c.Rows))
	}
	for i, col := range got.Columns {
		for _, k := range []string{"name", "section", "attribute", "measure", "estimator", "bound", "ceiling_nats"} {
			if _, ok := col[k]; !ok {
				t.Errorf("column %d lacks %q", i, k)
			}
		}
		if col["name"] != c.Columns[i].Name {
			t.Errorf("column %d name = %v, want %q", i, col["name"], c.Columns[i].Name)
		}
	}
	if got.Pareto.Utility == nil || *got.Pareto.Utility != "digit linear probe accuracy" {
		t.Errorf("pareto utility = %v, want the digit probe accuracy", got.Pareto.Utility)
	}
	if want := []string{"writer_id linear attacker advantage", "writer_id mlp attacker advantage"}; !reflect.DeepEqual(got.Pareto.Leakage, want) {
		t.Errorf("pareto leakage = %q, want %q", got.Pareto.Leakage, want)
	}
	if len(got.Entropies) != 2 || got.Entropies[0].Attribute != "writer_id" || got.Entropies[0].Nats["mean"] != math.Log(50) {
		t.Errorf("entropies = %+v, want writer_id log 50 first", got.Entropies)
	}
	for i, r := range got.Rows {
		want := c.Rows[i]
		if r.Name != want.Name || !reflect.DeepEqual(r.Params, want.Params) || r.Audits != want.Audits || r.Warnings != want.Warnings || r.Pareto != want.Pareto {
			t.Errorf("row %d = %+v, want %+v", i, r, want)
		}
		for j, cell := range r.Cells {
			w := want.Cells[j]
			for k, x := range map[string]float64{"mean": w.Mean, "sd": w.SD, "ci_low": w.Low, "ci_high": w.High} {
				v, ok := cell[k]
				switch {
				case !ok:
					t.Errorf("row %d cell %d lacks %q", i, j, k)
				case math.IsNaN(x) && v != nil:
					t.Errorf("row %d cell %d %s = %v, want null", i, j, k, v)
				case !math.IsNaN(x) && v != x:
					t.Errorf("row %d cell %d %s = %v, want %v exactly", i, j, k, v, x)
				}
			}
			if cell["n"] != float64(w.N) {
				t.Errorf("row %d cell %d n = %v, want %d", i, j, cell["n"], w.N)
			}
		}
	}
	// The sweep's audits drew no bootstrap resamples: no level, no
	// intervals; no notes of the caller.
	if got.Intervals.Level != nil || got.Intervals.MixedLevels == nil || len(got.Intervals.MixedLevels) != 0 || got.Intervals.Covers == nil || got.Notes == nil || len(got.Notes) != 0 {
		t.Errorf("intervals %+v, notes %q: want level null, mixed_levels [], covers \"\", notes []", got.Intervals, got.Notes)
	}
	// A setting without params has "params": {}.
	c = mustCompare(t, []Group{{Name: "a", Results: cmpResults(cmpPoint{0.9, 0.1, 0.1})}})
	if out := renderComparison(t, c, "json"); !strings.Contains(out, `"params": {}`) {
		t.Errorf("JSON of a setting without params lacks \"params\": {}:\n%s", out)
	}
}

// TestCompareCSV reads the long form back as a pandas user would and
// checks it against the Comparison.
func TestCompareCSV(t *testing.T) {
	c := mustCompare(t, cmpSweep())
	recs, err := csv.NewReader(strings.NewReader(renderComparison(t, c, "csv"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	wantHeader := []string{"setting", "adversary", "lambda", "column", "section", "attribute", "measure", "estimator", "bound", "mean", "sd", "ci_low", "ci_high", "n", "pareto"}
	if !reflect.DeepEqual(recs[0], wantHeader) {
		t.Fatalf("header = %q, want %q", recs[0], wantHeader)
	}
	if got, want := len(recs)-1, len(c.Rows)*len(c.Columns); got != want {
		t.Fatalf("CSV has %d records, want %d (settings × columns)", got, want)
	}
	col := make(map[string]int)
	for i, name := range recs[0] {
		col[name] = i
	}
	parse := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return x
	}
	for k, rec := range recs[1:] {
		i, j := k/len(c.Columns), k%len(c.Columns)
		row, cell := c.Rows[i], c.Rows[i].Cells[j]
		if rec[col["setting"]] != row.Name || rec[col["column"]] != c.Columns[j].Name {
			t.Errorf("record %d is (%q, %q), want (%q, %q)", k, rec[col["setting"]], rec[col["column"]], row.Name, c.Columns[j].Name)
		}
		if rec[col["lambda"]] != row.Params["lambda"] || rec[col["adversary"]] != row.Params["adversary"] {
			t.Errorf("record %d params %q, want %v", k, rec, row.Params)
		}
		if !sameFloat(parse(rec[col["mean"]]), cell.Mean) || !sameFloat(parse(rec[col["sd"]]), cell.SD) || rec[col["n"]] != strconv.Itoa(cell.N) ||
			!sameFloat(parse(rec[col["ci_low"]]), cell.Low) || !sameFloat(parse(rec[col["ci_high"]]), cell.High) {
			t.Errorf("record %d = %q, want cell %+v exactly", k, rec, cell)
		}
		if rec[col["pareto"]] != strconv.FormatBool(row.Pareto) {
			t.Errorf("record %d pareto = %q, want %v", k, rec[col["pareto"]], row.Pareto)
		}
	}
}

// TestCompareEscaping runs the special text through a setting's name and
// an extra's: the markdown table keeps its shape and the LaTeX escapes it.
func TestCompareEscaping(t *testing.T) {
	c := mustCompare(t, append(cmpSweep(), Group{
		Name:    specials,
		Results: cmpResults(cmpPoint{0.5, 0.5, 0.5}),
		Extra:   []Extra{{"training adversary (mine) [lower] (nats)", []float64{0.5}}},
	}))

	md := renderComparison(t, c, "markdown")
	want := -1
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		// Unescaped pipes: a pipe after an even number of backslashes.
		n := 0
		for k := range line {
			if line[k] != '|' {
				continue
			}
			bs := 0
			for b := k - 1; b >= 0 && line[b] == '\\'; b-- {
				bs++
			}
			if bs%2 == 0 {
				n++
			}
		}
		if want < 0 {
			want = n
		} else if n != want {
			t.Errorf("markdown line %d has %d unescaped pipes, want %d: %s", i+1, n, want, line)
		}
	}
	if want != len(c.Columns)+3 {
		t.Errorf("markdown header has %d pipes, want %d", want, len(c.Columns)+3)
	}

	tex := renderComparison(t, c, "latex")
	const escaped = `100\% of a\&b cost \$5 \#1 snake\_case \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} \textbar{} \textless{}tag\textgreater{} *bold* "quoted", comma`
	if !strings.Contains(tex, escaped) {
		t.Errorf("LaTeX lacks the escaped special text")
	}
	checkComparisonLaTeX(t, tex, len(c.Columns)+2)
}

func TestCompareLaTeX(t *testing.T) {
	c := mustCompare(t, cmpSweep())
	tex := renderComparison(t, c, "latex")
	checkComparisonLaTeX(t, tex, len(c.Columns)+2)
	t.Run("pdflatex", func(t *testing.T) { compileLaTeX(t, tex) })
}

// checkComparisonLaTeX checks that tex is ASCII, its braces balance, and
// each row of its outer tabular has columns cells; the heading row holds a
// nested tabular per stacked heading, whose \\ ends a line within it.
func checkComparisonLaTeX(t *testing.T, tex string, columns int) {
	t.Helper()
	for i, c := range tex {
		if c > 127 {
			t.Errorf("LaTeX has non-ASCII %q at byte %d", c, i)
			break
		}
	}
	depth := 0
	for i, line := range strings.Split(tex, "\n") {
		if strings.HasPrefix(line, "%") {
			continue
		}
		nested := strings.Count(line, `\begin{tabular}[b]`)
		ampersands := 0
		for _, c := range texScan(line) {
			switch c {
			case '{':
				depth++
			case '}':
				depth--
				if depth < 0 {
					t.Fatalf("line %d closes a brace never opened: %s", i+1, line)
				}
			case '&':
				ampersands++
			case '%', '$', '#', '_', '~', '^', '<', '>', '|':
				t.Errorf("line %d has an unescaped %q: %s", i+1, c, line)
			}
		}
		if isRow := strings.HasSuffix(line, `\\`); isRow && ampersands != columns-1 || !isRow && ampersands != 0 {
			t.Errorf("line %d has %d unescaped &, want %d: %s", i+1, ampersands, columns-1, line)
		}
		if nested > 0 && strings.Count(line, `\end{tabular}`) != nested {
			t.Errorf("line %d opens %d nested tabulars but does not close them", i+1, nested)
		}
	}
	if depth != 0 {
		t.Errorf("LaTeX leaves %d braces open", depth)
	}
}

func ExampleWriteComparison() {
	// Two settings of a sweep, audited with one target and one attacker
	// and 95 % bootstrap intervals, the first with two seeds: accuracy
	// (0.875 + 0.9375)/2 = 0.90625 with sample sd 0.0625/√2 = 0.0442 and
	// interval bounds (0.75 + 0.875)/2 = 0.8125 and (0.9375 + 1)/2 =
	// 0.96875 (shown as 0.812 and 0.969: 0.8125 is exact in binary and
	// rounds to even); advantage (0.44 − 0.2)/(1 − 0.2) = 0.3 twice, sd 0;
	// the majority baseline 0.2 has no interval. Neither setting dominates
	// the other.
	iv := func(x, lo, hi float64) metrics.Interval { return metrics.Interval{Value: x, Low: lo, High: hi} }
	audit := func(acc, attackerAcc, advantage, auc metrics.Interval) *metrics.Result {
		return &metrics.Result{
			Bootstrap: metrics.BootstrapInfo{Resamples: 200, Level: 0.95, Covers: "test rows"},
			Utility:   []metrics.Utility{{Target: "digit", Probe: "linear", Accuracy: acc}},
			Leakage: []metrics.Leakage{{
				Attribute: "writer",
				Attackers: []metrics.Attacker{{
					Probe:            "linear",
					Accuracy:         attackerAcc,
					MajorityBaseline: 0.2,
					Advantage:        advantage,
					AUC:              auc,
				}},
			}},
		}
	}
	c, err := Compare([]Group{
		{Name: "λ = 0", Params: map[string]string{"lambda": "0"}, Results: []*metrics.Result{
			audit(iv(0.875, 0.75, 0.9375), iv(0.44, 0.36, 0.52), iv(0.3, 0.2, 0.4), iv(0.75, 0.625, 0.875)),
			audit(iv(0.9375, 0.875, 1), iv(0.44, 0.36, 0.52), iv(0.3, 0.2, 0.4), iv(0.75, 0.625, 0.875)),
		}},
		{Name: "λ = 1", Params: map[string]string{"lambda": "1"}, Results: []*metrics.Result{
			audit(iv(0.85, 0.8, 0.9), iv(0.28, 0.2, 0.36), iv(0.1, 0, 0.2), iv(0.625, 0.5, 0.75)),
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, format := range []string{"markdown", "csv"} {
		if err := WriteComparison(os.Stdout, c, format); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// # miaudit comparison of 2 settings
	//
	// ## Settings (mean ± sd over each setting's audits [95 % CI])
	//
	// | pareto | setting | digit linear probe accuracy | writer majority baseline | writer linear attacker accuracy | writer linear attacker advantage | writer linear attacker AUC |
	// | --- | --- | ---: | ---: | ---: | ---: | ---: |
	// | \* | λ = 0 | 0.906 ± 0.044 [0.812, 0.969] | 0.200 ± 0.000 | 0.440 ± 0.000 [0.360, 0.520] | 0.300 ± 0.000 [0.200, 0.400] | 0.750 ± 0.000 [0.625, 0.875] |
	// | \* | λ = 1 | 0.850 [0.800, 0.900] | 0.200 | 0.280 [0.200, 0.360] | 0.100 [0.000, 0.200] | 0.625 [0.500, 0.750] |
	//
	// ## Notes
	//
	// - Each cell is the mean ± sample standard deviation (denominator n − 1) of a figure over a setting's audits, one per seed; a setting with a single audit shows its value alone; in brackets, a bootstrap 95 % CI: a single audit's own interval, or for several audits the mean of their lower and the mean of their upper bounds — the typical interval of one seed, not an interval for the mean over seeds (the sd is the spread between seeds); n/a: no audit of the setting defines the figure.
	// - The intervals cover: test rows.
	// - Pareto: \* marks a setting that no other setting dominates, that is, none has a utility at least as high and a leakage at least as low, one of the two strictly. Utility: the mean digit linear probe accuracy; leakage: the mean writer linear attacker advantage. A setting whose utility or leakage is n/a is not marked and dominates none.
	// - Attacker advantage is (accuracy − majority)/(1 − majority): 0 = majority guess, 1 = perfect.
	// - Attacker AUC is the macro one-vs-rest ROC AUC over the classes with both positive and negative test rows: 0.5 = chance, 1 = perfect.
	// setting,lambda,column,section,attribute,measure,estimator,bound,mean,sd,ci_low,ci_high,n,pareto
	// λ = 0,0,digit linear probe accuracy,utility,digit,linear probe accuracy,linear,,0.90625,0.04419417382415922,0.8125,0.96875,2,true
	// λ = 0,0,writer majority baseline,leakage,writer,majority baseline,,,0.2,0,,,2,true
	// λ = 0,0,writer linear attacker accuracy,leakage,writer,linear attacker accuracy,linear,,0.44,0,0.36,0.52,2,true
	// λ = 0,0,writer linear attacker advantage,leakage,writer,linear attacker advantage,linear,,0.3,0,0.2,0.4,2,true
	// λ = 0,0,writer linear attacker AUC,leakage,writer,linear attacker AUC,linear,,0.75,0,0.625,0.875,2,true
	// λ = 1,1,digit linear probe accuracy,utility,digit,linear probe accuracy,linear,,0.85,,0.8,0.9,1,true
	// λ = 1,1,writer majority baseline,leakage,writer,majority baseline,,,0.2,,,,1,true
	// λ = 1,1,writer linear attacker accuracy,leakage,writer,linear attacker accuracy,linear,,0.28,,0.2,0.36,1,true
	// λ = 1,1,writer linear attacker advantage,leakage,writer,linear attacker advantage,linear,,0.1,,0,0.2,1,true
	// λ = 1,1,writer linear attacker AUC,leakage,writer,linear attacker AUC,linear,,0.625,,0.5,0.75,1,true
}
