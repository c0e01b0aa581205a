package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/miaudit/miaudit/metrics"
)

// Group is one setting of a comparison (one adversarial weight λ of a
// sweep, say): the audits of the encoders trained with it, one per seed.
type Group struct {
	// Name labels the setting's row ("λ = 0.3"); it must be non-empty and
	// unique within a comparison.
	Name string
	// Params describe the setting for machines ({"lambda": "0.3",
	// "adversary": "mine"}); the CSV and JSON carry them, the human formats
	// do not. Keys must be non-empty and must not be one of CSVColumns.
	Params map[string]string
	// Results are the setting's audits, one per seed. Every result of every
	// group must have the same targets and protected attributes, in the
	// same order.
	Results []*metrics.Result
	// Extra are figures measured outside the audit, in the order of Results
	// (the training adversary's final estimate, say).
	Extra []Extra
}

// Extra is a figure measured outside the audit: one value per result of its
// group, NaN where it is undefined. Its Name is the column's heading and
// should carry its bound type and unit ("training adversary (mine) [lower]
// (nats)").
type Extra struct {
	Name   string
	Values []float64
}

// Comparison is a table of figures compared across settings: one row per
// Group, one column per figure present in any of the audits.
type Comparison struct {
	Columns []Column
	Rows    []CompareRow
	// UtilityColumn is the index in Columns of the Pareto utility axis,
	// the first target's linear probe accuracy, or -1 if there is none.
	UtilityColumn int
	// LeakageColumns are the indices in Columns of the attacker advantages
	// on the first protected attribute, whose largest mean is the Pareto
	// leakage axis; empty if there are none.
	LeakageColumns []int
	// Entropies are the reference H(S) of each protected attribute with an
	// MI column: its plug-in entropy on the test rows, in nats, over every
	// audit of every setting.
	Entropies []AttributeEntropy
	// Intervals says what the cells' confidence intervals are.
	Intervals Intervals
	// Notes are the caller's own remarks (inputs of different datasets,
	// say); the human formats print them first among the notes, the json
	// format as "notes". Compare leaves them empty.
	Notes []string
}

// Intervals describes the bootstrap confidence intervals of a comparison's
// cells. Only audits that drew bootstrap resamples
// (metrics.BootstrapInfo.Resamples > 0) have intervals.
type Intervals struct {
	// Level is the confidence level (0.95) shared by every audit that has
	// intervals; 0 if no audit has any, or if their levels differ.
	Level float64
	// MixedLevels lists the audits' different levels, in increasing
	// order, when they differ: no cell then has an interval, since
	// intervals of different levels cannot be averaged. Nil otherwise.
	MixedLevels []float64
	// Covers is what the intervals cover, as the first audit with
	// intervals says it (metrics.BootstrapInfo.Covers).
	Covers string
}

// Column is one figure compared across settings.
type Column struct {
	// Name is the column's heading, unique within a comparison:
	// "digit linear probe accuracy", "I(Z;writer_id) mine [lower] (nats)".
	Name string
	// Section is "utility", "leakage", "re-identification", "fairness"
	// or "extra".
	Section string
	// Attribute is what the figure is about: the target, the protected
	// attribute, or the fairness entry ("smiling × sex (positive: yes)");
	// empty for an extra.
	Attribute string
	// Measure is the figure within its attribute ("linear attacker
	// advantage"); for an extra, its name.
	Measure string
	// Estimator is the probe, attacker or MI estimator, or the source of a
	// fairness entry's predictions; empty if none.
	Estimator string
	// Bound is the bound type of an MI figure (metrics.BoundLower, …);
	// empty for other figures.
	Bound string
	// CeilingNats, for an MI figure, is a value its estimator can never
	// exceed (metrics.MI.Ceiling, from the first audit that has one); nil
	// if none.
	CeilingNats *float64
}

// CompareRow is one setting's summary.
type CompareRow struct {
	Name   string
	Params map[string]string
	// Audits is the number of the setting's results; Warnings is the
	// number of warnings they carry in total.
	Audits   int
	Warnings int
	// Pareto reports whether the row is Pareto-optimal (see Compare).
	Pareto bool
	// Cells are the row's figures, one per column of the Comparison.
	Cells []Cell
}

// Cell summarises one figure over a setting's audits: the mean and the
// sample standard deviation of the point estimates xᵢ of the N audits that
// define it, and beside them a bootstrap confidence interval [Low, High]:
// for one audit its own interval, for several the mean of their bounds,
//
//	mean = Σ xᵢ / N,  sd = √(Σ (xᵢ − mean)² / (N − 1)),
//	Low  = Σ lowᵢ / N,  High = Σ highᵢ / N,
//
// over the same N audits. The averaged interval is the typical interval
// of one seed's audit (it covers what each audit's interval covers:
// resampling of its test rows), not an interval for the mean over seeds;
// the spread between seeds is SD.
//
// Mean is NaN if N is 0, SD is NaN if N < 2. Low and High are NaN unless
// each of the N audits has an interval with both bounds finite, drawn at
// the comparison's one confidence level (see Intervals); figures measured
// outside the audits (Extra) and H(S) have none.
type Cell struct {
	Mean float64
	SD   float64
	N    int
	Low  float64
	High float64
}

// HasInterval reports whether c carries a confidence interval.
func (c Cell) HasInterval() bool { return !math.IsNaN(c.Low) && !math.IsNaN(c.High) }

// AttributeEntropy is the reference H(S) of a protected attribute.
type AttributeEntropy struct {
	Attribute string
	Nats      Cell
}

// Sections of a comparison that the audit report does not have.
const sectionExtra = "extra"

// CSVColumns are the fixed columns of WriteComparison's csv format; the
// params' keys go between "setting" and "column".
var CSVColumns = []string{"setting", "column", "section", "attribute", "measure", "estimator", "bound", "mean", "sd", "ci_low", "ci_high", "n", "pareto"}

// Compare summarises each group's audits as one row of a comparison.
//
// The columns are, in this order and only where some audit has them: for
// each target, each probe's accuracy; for each protected attribute, the
// majority baseline of its attackers (the test share of its commonest
// value), each attacker's accuracy, advantage and macro one-vs-rest AUC,
// each MI estimate (by estimator and bound type, in nats) and the rank-1
// re-identification rate with its chance rate (where re-identification was
// available); for each binary and worst-class fairness
// entry, the demographic parity difference and the equalized odds
// difference; then the groups' Extra figures. One-vs-rest fairness entries
// (one per class of a multiclass target) are left out; worst-class entries
// are matched by target, grouping and source, whatever their worst class.
// Within a kind, columns come in the order they first appear in the groups.
//
// Each cell is the mean and sample standard deviation (see Cell) over the
// group's results of the figure's point estimate, with the mean of their
// bootstrap interval bounds beside it. A result that lacks the figure, or
// whose value is NaN or ±Inf, does not count. The intervals of audits
// that drew no bootstrap resamples are not used, and if the audits with
// intervals differ in their confidence level, no cell has one (see
// Intervals).
//
// A row is Pareto-optimal if no other row is at least as good on both axes
// and strictly better on one:
//
//	utility: the mean accuracy of the first target's linear probe (of its
//	         first probe, if it has no linear one) — higher is better;
//	leakage: the largest of the mean advantages of the attackers on the
//	         first protected attribute — lower is better.
//
// Rows with equal utility and leakage are all Pareto-optimal. A row whose
// utility or leakage is undefined (no audit of it defines the figure) is not
// Pareto-optimal and dominates no other row; if the audits have no target or
// no attacker on their first protected attribute, no row is.
//
// Compare returns an error if groups is empty, a group has no name, a
// duplicate name or no results, a param key is empty or one of CSVColumns,
// an Extra has a value count other than its group's result count, results
// disagree on their targets or protected attributes, a result holds the
// same figure twice, or two columns get the same name.
// It panics if a result is nil.
func Compare(groups []Group) (*Comparison, error) {
	if len(groups) == 0 {
		return nil, errors.New("compare: no settings")
	}
	b := newColumnBuilder()
	ivs := intervalsOf(groups)
	var (
		ref      *metrics.Result
		refName  string
		names    = make(map[string]bool)
		values   = make([][]map[colKey]metrics.Interval, len(groups)) // [group][result]
		entropy  = make(map[string][]float64)
		warnings = make([]int, len(groups))
	)
	for gi, g := range groups {
		if g.Name == "" {
			return nil, fmt.Errorf("compare: setting %d has no name", gi+1)
		}
		if names[g.Name] {
			return nil, fmt.Errorf("compare: two settings are named %q", g.Name)
		}
		names[g.Name] = true
		if len(g.Results) == 0 {
			return nil, fmt.Errorf("compare: setting %q has no audits", g.Name)
		}
		for k := range g.Params {
			if k == "" || slices.Contains(CSVColumns, k) {
				return nil, fmt.Errorf("compare: setting %q: param key %q is empty or a CSV column name", g.Name, k)
			}
		}
		for ri, r := range g.Results {
			if r == nil {
				panic("reports: nil Result")
			}
			where := fmt.Sprintf("setting %q, audit %d", g.Name, ri+1)
			if ref == nil {
				ref, refName = r, where
			} else if err := sameShape(ref, r); err != nil {
				return nil, fmt.Errorf("compare: %s and %s: %w", refName, where, err)
			}
			vals, err := b.addResult(r, ivs.Level > 0 && r.Bootstrap.Resamples > 0)
			if err != nil {
				return nil, fmt.Errorf("compare: %s: %w", where, err)
			}
			values[gi] = append(values[gi], vals)
			warnings[gi] += len(r.Warnings)
			for _, l := range r.Leakage {
				entropy[l.Attribute] = append(entropy[l.Attribute], l.EntropyNats)
			}
		}
		for _, e := range g.Extra {
			if len(e.Values) != len(g.Results) {
				return nil, fmt.Errorf("compare: setting %q: extra %q has %d values for %d audits", g.Name, e.Name, len(e.Values), len(g.Results))
			}
			k := colKey{section: sectionExtra, measure: e.Name}
			for ri, x := range e.Values {
				if _, dup := values[gi][ri][k]; dup {
					return nil, fmt.Errorf("compare: setting %q: two extras are named %q", g.Name, e.Name)
				}
				values[gi][ri][k] = noInterval(x)
			}
			b.add(k, [3]int{3, 0, 0}, 0, nil)
		}
	}

	keys, cols := b.columns()
	c := &Comparison{Columns: cols, UtilityColumn: -1, Intervals: ivs}
	seen := make(map[string]bool)
	for _, col := range cols {
		if seen[col.Name] {
			return nil, fmt.Errorf("compare: two columns are named %q", col.Name)
		}
		seen[col.Name] = true
	}

	// The Pareto axes.
	targets, attrs := ResultShape(ref)
	for i, k := range keys {
		switch {
		case len(targets) > 0 && k.section == sectionUtility && k.attribute == targets[0]:
			if c.UtilityColumn < 0 || k.estimator == "linear" && keys[c.UtilityColumn].estimator != "linear" {
				c.UtilityColumn = i
			}
		case len(attrs) > 0 && k.section == sectionLeakage && k.attribute == attrs[0] && k.measure == measureAttackerAdvantage:
			c.LeakageColumns = append(c.LeakageColumns, i)
		}
	}

	for gi, g := range groups {
		row := CompareRow{Name: g.Name, Params: maps.Clone(g.Params), Audits: len(g.Results), Warnings: warnings[gi]}
		xs := make([]metrics.Interval, len(g.Results))
		for _, k := range keys {
			for ri, vals := range values[gi] {
				x, ok := vals[k]
				if !ok {
					x = noInterval(math.NaN())
				}
				xs[ri] = x
			}
			row.Cells = append(row.Cells, summarizeIntervals(xs))
		}
		c.Rows = append(c.Rows, row)
	}
	c.markPareto()

	for _, a := range attrs {
		for _, k := range keys {
			if k.isMI() && k.attribute == a {
				c.Entropies = append(c.Entropies, AttributeEntropy{Attribute: a, Nats: summarizeCell(entropy[a])})
				break
			}
		}
	}
	return c, nil
}

// axes returns row i's Pareto utility and leakage, NaN where undefined.
func (c *Comparison) axes(i int) (utility, leakage float64) {
	utility, leakage = math.NaN(), math.NaN()
	cells := c.Rows[i].Cells
	if c.UtilityColumn >= 0 {
		utility = cells[c.UtilityColumn].Mean
	}
	for _, j := range c.LeakageColumns {
		if m := cells[j].Mean; !math.IsNaN(m) && !(m <= leakage) {
			leakage = m
		}
	}
	return utility, leakage
}

// markPareto sets each row's Pareto flag by the rule in Compare's comment.
func (c *Comparison) markPareto() {
	for i := range c.Rows {
		u, l := c.axes(i)
		if math.IsNaN(u) || math.IsNaN(l) {
			continue
		}
		dominated := false
		for j := range c.Rows {
			uj, lj := c.axes(j)
			if j != i && uj >= u && lj <= l && (uj > u || lj < l) {
				dominated = true
				break
			}
		}
		c.Rows[i].Pareto = !dominated
	}
}

// intervalsOf says which intervals the groups' audits have: their one
// confidence level, or their different levels.
func intervalsOf(groups []Group) Intervals {
	var iv Intervals
	var levels []float64
	for _, g := range groups {
		for _, r := range g.Results {
			if r == nil || r.Bootstrap.Resamples <= 0 {
				continue
			}
			if len(levels) == 0 {
				iv.Covers = r.Bootstrap.Covers
			}
			if !slices.Contains(levels, r.Bootstrap.Level) {
				levels = append(levels, r.Bootstrap.Level)
			}
		}
	}
	switch {
	case len(levels) == 1:
		iv.Level = levels[0]
	case len(levels) > 1:
		slices.Sort(levels)
		iv.MixedLevels = levels
	}
	return iv
}

// noInterval is x without a confidence interval.
func noInterval(x float64) metrics.Interval {
	return metrics.Interval{Value: x, Low: math.NaN(), High: math.NaN()}
}

// summarizeIntervals is the Cell of xs: summarizeCell of their values, and
// the means of their bounds over the same values if each of them has both
// bounds finite.
func summarizeIntervals(xs []metrics.Interval) Cell {
	vals := make([]float64, len(xs))
	for i, x := range xs {
		vals[i] = x.Value
	}
	c := summarizeCell(vals)
	if c.N == 0 {
		return c
	}
	var lo, hi float64
	for _, x := range xs {
		if !finite(x.Value) {
			continue
		}
		if !finite(x.Low) || !finite(x.High) {
			return c
		}
		lo += x.Low
		hi += x.High
	}
	c.Low, c.High = lo/float64(c.N), hi/float64(c.N)
	return c
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// summarizeCell is the Cell of xs, skipping NaN and ±Inf, without an
// interval. Deviations are taken from the first value, so equal values give
// exactly their value and a zero SD.
func summarizeCell(xs []float64) Cell {
	c := Cell{Mean: math.NaN(), SD: math.NaN(), Low: math.NaN(), High: math.NaN()}
	var shift, sum float64
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		if c.N == 0 {
			shift = x
		}
		c.N++
		sum += x - shift
	}
	if c.N == 0 {
		return c
	}
	d := sum / float64(c.N)
	c.Mean = shift + d
	if c.N < 2 {
		return c
	}
	var ss float64
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		ss += (x - shift - d) * (x - shift - d)
	}
	c.SD = math.Sqrt(ss / float64(c.N-1))
	return c
}

// ResultShape returns the targets (in order of first appearance) and the
// protected attributes of r: what Compare requires every result to share.
func ResultShape(r *metrics.Result) (targets, attrs []string) {
	for _, u := range r.Utility {
		if !slices.Contains(targets, u.Target) {
			targets = append(targets, u.Target)
		}
	}
	for _, l := range r.Leakage {
		attrs = append(attrs, l.Attribute)
	}
	return targets, attrs
}

// sameShape returns an error if r and s differ in their targets or
// protected attributes.
func sameShape(r, s *metrics.Result) error {
	rt, ra := ResultShape(r)
	st, sa := ResultShape(s)
	if !slices.Equal(rt, st) {
		return fmt.Errorf("targets differ: %q and %q", rt, st)
	}
	if !slices.Equal(ra, sa) {
		return fmt.Errorf("protected attributes differ: %q and %q", ra, sa)
	}
	return nil
}

// colKey identifies a column; its name follows from it.
type colKey struct {
	section, attribute, measure, estimator, bound string
}

// Measures of the comparison's columns.
const (
	measureProbeAccuracy     = "probe accuracy"
	measureAttackerAccuracy  = "attacker accuracy"
	measureAttackerAdvantage = "attacker advantage"
	measureAttackerAUC       = "attacker AUC"
	measureMajority          = "majority baseline"
	measureRank1             = "rank-1 identification"
	measureRank1Chance       = "rank-1 chance"
	measureMI                = "I(Z;S)"
)

func (k colKey) isMI() bool { return k.section == sectionLeakage && k.measure == measureMI }

// boundLabel is the bound type of an MI column as its heading shows it.
func (k colKey) boundLabel() string {
	if k.bound == "" {
		return "bound type not given"
	}
	return k.bound
}

// name is the column's heading.
func (k colKey) name() string {
	switch {
	case k.section == sectionExtra:
		return k.measure
	case k.isMI():
		return fmt.Sprintf("I(Z;%s) %s [%s] (nats)", k.attribute, k.estimator, k.boundLabel())
	}
	return k.attribute + " " + k.label()
}

// label is the column's measure as a heading shows it under the attribute.
func (k colKey) label() string {
	switch {
	case k.isMI():
		return fmt.Sprintf("I(Z;S) %s [%s] (nats)", k.estimator, k.boundLabel())
	case k.section == sectionUtility, k.section == sectionLeakage:
		return withProbe(k.estimator, k.measure)
	}
	return k.measure
}

// columnBuilder collects the columns of a comparison in their order.
type columnBuilder struct {
	cols map[colKey]*pendingColumn
	// first numbers each entity (a probe, attacker, estimator, fairness
	// entry or extra: a column's key without its measure) in the order
	// it first appears.
	first map[colKey]int
}

type pendingColumn struct {
	key     colKey
	order   [5]int // kind, attribute, sub-kind, entity's first appearance, measure
	ceiling *float64
}

func newColumnBuilder() *columnBuilder {
	return &columnBuilder{cols: make(map[colKey]*pendingColumn), first: make(map[colKey]int)}
}

// add records the column k; rank is its (kind, attribute, sub-kind) and
// measure its place among its entity's columns.
func (b *columnBuilder) add(k colKey, rank [3]int, measure int, ceiling *float64) {
	if c, ok := b.cols[k]; ok {
		if c.ceiling == nil {
			c.ceiling = ceiling
		}
		return
	}
	e := k
	e.measure = ""
	if k.section == sectionExtra {
		e = k
	}
	n, ok := b.first[e]
	if !ok {
		n = len(b.first)
		b.first[e] = n
	}
	b.cols[k] = &pendingColumn{key: k, order: [5]int{rank[0], rank[1], rank[2], n, measure}, ceiling: ceiling}
}

// addResult records r's columns and returns its figures, with their
// intervals if withCI is set (without them otherwise).
func (b *columnBuilder) addResult(r *metrics.Result, withCI bool) (map[colKey]metrics.Interval, error) {
	vals := make(map[colKey]metrics.Interval)
	var dup error
	put := func(k colKey, rank [3]int, measure int, x metrics.Interval, ceiling *float64) {
		if _, ok := vals[k]; ok && dup == nil {
			dup = fmt.Errorf("figure %q appears twice", k.name())
		}
		if !withCI {
			x = noInterval(x.Value)
		}
		vals[k] = x
		b.add(k, rank, measure, ceiling)
	}
	targets, _ := ResultShape(r)
	for _, u := range r.Utility {
		t := slices.Index(targets, u.Target)
		put(colKey{section: sectionUtility, attribute: u.Target, measure: measureProbeAccuracy, estimator: u.Probe},
			[3]int{0, t, 0}, 0, u.Accuracy, nil)
	}
	for a, l := range r.Leakage {
		if len(l.Attackers) > 0 {
			// Every attacker of an attribute is measured on the same test
			// rows, so they share their majority baseline.
			put(colKey{section: sectionLeakage, attribute: l.Attribute, measure: measureMajority},
				[3]int{1, a, 0}, 0, noInterval(l.Attackers[0].MajorityBaseline), nil)
		}
		for _, at := range l.Attackers {
			k := colKey{section: sectionLeakage, attribute: l.Attribute, estimator: at.Probe}
			k.measure = measureAttackerAccuracy
			put(k, [3]int{1, a, 1}, 0, at.Accuracy, nil)
			k.measure = measureAttackerAdvantage
			put(k, [3]int{1, a, 1}, 1, at.Advantage, nil)
			k.measure = measureAttackerAUC
			put(k, [3]int{1, a, 1}, 2, at.AUC, nil)
		}
		for _, m := range l.MI {
			k := colKey{section: sectionLeakage, attribute: l.Attribute, measure: measureMI, estimator: m.Estimator, bound: m.Bound}
			put(k, [3]int{1, a, 2}, 0, m.Nats, m.Ceiling)
		}
		if id := l.ReID; id != nil && id.Available {
			k := colKey{section: sectionReID, attribute: l.Attribute, measure: measureRank1}
			put(k, [3]int{1, a, 3}, 0, id.Rank1, nil)
			k.measure = measureRank1Chance
			put(k, [3]int{1, a, 3}, 1, noInterval(id.ChanceRank1), nil)
		}
	}
	for _, f := range r.Fairness {
		var attr string
		switch f.Kind {
		case kindOneVsRest:
			continue
		case kindWorstClass:
			// The worst class may differ between audits: match the entry
			// without it.
			attr = fairnessTarget(f) + " (worst class"
			if f.Source != "" && f.Source != "probe" {
				attr += "; " + f.Source
			}
			attr += ")"
		default:
			attr = fairnessAttribute(f)
		}
		k := colKey{section: sectionFairness, attribute: attr, estimator: f.Source}
		k.measure = measureDPD
		put(k, [3]int{2, 0, 0}, 0, f.DemographicParityDifference, nil)
		k.measure = measureEOD
		put(k, [3]int{2, 0, 0}, 1, f.EqualizedOddsDifference, nil)
	}
	return vals, dup
}

// columns returns the keys and the columns in their order.
func (b *columnBuilder) columns() ([]colKey, []Column) {
	pending := make([]*pendingColumn, 0, len(b.cols))
	for _, c := range b.cols {
		pending = append(pending, c)
	}
	slices.SortFunc(pending, func(x, y *pendingColumn) int { return slices.Compare(x.order[:], y.order[:]) })
	keys := make([]colKey, len(pending))
	cols := make([]Column, len(pending))
	for i, p := range pending {
		k := p.key
		keys[i] = k
		cols[i] = Column{
			Name:        k.name(),
			Section:     k.section,
			Attribute:   k.attribute,
			Measure:     k.label(),
			Estimator:   k.estimator,
			Bound:       k.bound,
			CeilingNats: p.ceiling,
		}
	}
	return keys, cols
}

// WriteComparison renders c to w in the named format, one of Formats:
//
//	table     a terminal table: a "pareto" column (* marks a Pareto-optimal
//	          row), the setting, then one column per figure headed by its
//	          attribute and measure on two lines; notes below
//	markdown  the same as a GitHub-flavoured pipe table, one-line headings
//	latex     the same as a booktabs table environment for \input
//	csv       long form, one row per setting and column (see below)
//	json      the comparison itself (see below)
//
// The human formats show each cell as "mean ± sd", as the value alone for a
// single audit, then its interval "[low, high]" if it has one (see Cell):
// "0.812 ± 0.012 [0.790, 0.830]" for several audits, "0.812 [0.790, 0.830]"
// for one; "n/a" where no audit defines the figure, and "(n = k)" last
// when only k of the setting's audits do; numbers as Number formats them.
// The notes under the table give the caller's Notes, what the cells and
// their intervals are, the Pareto rule and its axes, what the attacker
// advantage is, the reference H(S) of each attribute with MI columns, the
// MI ceilings and the audits' warning counts.
//
// The csv format is tidy long form, ready for pandas'
// pivot(index="setting", columns="column", values="mean"): a header, then
// one record per setting and column, settings in order and columns in
// order within a setting. Its columns are "setting", one column per param
// key (the union of the settings' keys, sorted; empty where a setting lacks
// the key), then "column" (the heading), "section", "attribute", "measure",
// "estimator", "bound", "mean", "sd", "ci_low", "ci_high", "n" and "pareto"
// ("true" or "false"). Numbers are the shortest text that parses back to
// the same float64; an undefined number is empty.
//
// The json format is one object, indented by two spaces, with a trailing
// newline:
//
//	{
//	  "columns": [{"name", "section", "attribute", "measure",
//	               "estimator", "bound", "ceiling_nats"}],
//	  "pareto": {"utility": column name or null, "leakage": [column names]},
//	  "entropies": [{"attribute", "nats": cell}],
//	  "intervals": {"level": level or null, "mixed_levels": [levels],
//	                "covers": text},
//	  "notes": [the caller's Notes],
//	  "rows": [{"name", "params": {key: value}, "audits", "warnings",
//	            "pareto", "cells": [cell, one per column]}]
//	}
//
// where a cell is {"mean", "sd", "ci_low", "ci_high", "n"}, an undefined
// number is null, and "ceiling_nats" is null where a column has no
// ceiling. Every key is always present; "params" is {} for a setting
// without params.
//
// The whole output is rendered before anything is written, so an error
// leaves w untouched. An unknown format gives an *UnknownFormatError.
// WriteComparison panics if c is nil.
func WriteComparison(w io.Writer, c *Comparison, format string) error {
	if c == nil {
		panic("reports: nil Comparison")
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "table":
		err = writeTable(&buf, comparisonDocument(c, true))
	case "markdown":
		writeMarkdown(&buf, comparisonDocument(c, false))
	case "csv":
		err = writeComparisonCSV(&buf, c)
	case "json":
		err = writeComparisonJSON(&buf, c)
	case "latex":
		writeComparisonLaTeX(&buf, comparisonDocument(c, true))
	default:
		return &UnknownFormatError{Format: format}
	}
	if err != nil {
		return fmt.Errorf("render %s comparison: %w", format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// humanCell is a cell as the human formats show it; audits is the number of
// the setting's audits.
func humanCell(c Cell, audits int) string {
	if c.N == 0 {
		return "n/a"
	}
	s := fmtNum(c.Mean)
	if c.N > 1 {
		s += " ± " + fmtNum(c.SD)
	}
	if c.HasInterval() {
		s += " [" + fmtNum(c.Low) + ", " + fmtNum(c.High) + "]"
	}
	if c.N < audits {
		s += fmt.Sprintf(" (n = %d)", c.N)
	}
	return s
}

// headingWidth is the width, in characters, at which a stacked heading
// wraps: about that of a cell "0.240 ± 0.057 (n = 2)".
const headingWidth = 22

// wrapWords breaks s at spaces into lines of at most width characters
// (longer words stay whole), joined by "\n".
func wrapWords(s string, width int) string {
	var lines []string
	line, n := "", 0
	for _, w := range strings.Fields(s) {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn > width {
			lines = append(lines, line)
			line, n = "", 0
		}
		if n > 0 {
			line += " "
			n++
		}
		line += w
		n += wn
	}
	return strings.Join(append(lines, line), "\n")
}

// comparisonDocument lays c out for the human formats. A column's heading
// is its name, or if stacked its attribute above its measure, each wrapped
// at headingWidth.
func comparisonDocument(c *Comparison, stacked bool) document {
	title := "Settings (mean ± sd over each setting's audits)"
	if c.hasIntervals() {
		title = "Settings (mean ± sd over each setting's audits [" + levelLabel(c.Intervals.Level) + "])"
	}
	g := grid{
		title:   title,
		header:  []string{"pareto", "setting"},
		numeric: []bool{false, false},
	}
	for _, col := range c.Columns {
		h := col.Name
		switch {
		case stacked && col.Attribute != "":
			h = wrapWords(col.Attribute, headingWidth) + "\n" + wrapWords(col.Measure, headingWidth)
		case stacked:
			h = wrapWords(col.Name, headingWidth)
		}
		g.header = append(g.header, h)
		g.numeric = append(g.numeric, true)
	}
	partial := false
	for _, r := range c.Rows {
		row := []string{"", r.Name}
		if r.Pareto {
			row[0] = "*"
		}
		for _, cell := range r.Cells {
			row = append(row, humanCell(cell, r.Audits))
			partial = partial || cell.N > 0 && cell.N < r.Audits
		}
		g.rows = append(g.rows, row)
	}
	return document{
		title:  fmt.Sprintf("miaudit comparison of %d settings", len(c.Rows)),
		tables: []grid{g},
		notes:  comparisonNotes(c, partial),
	}
}

// comparisonNotes are the sentences under a comparison's table; partial
// says whether some cell summarises only some of its setting's audits.
func comparisonNotes(c *Comparison, partial bool) []string {
	var ns []string
	add := func(format string, args ...any) { ns = append(ns, fmt.Sprintf(format, args...)) }

	ns = append(ns, c.Notes...)
	s := "Each cell is the mean ± sample standard deviation (denominator n − 1) of a figure over a setting's audits, one per seed; " +
		"a setting with a single audit shows its value alone"
	if c.hasIntervals() {
		s += fmt.Sprintf("; in brackets, a bootstrap %s: a single audit's own interval, or for several audits the mean of their lower and the mean of their upper bounds "+
			"— the typical interval of one seed, not an interval for the mean over seeds (the sd is the spread between seeds); ", levelLabel(c.Intervals.Level))
	} else {
		s += ", and no cell has a confidence interval; "
	}
	s += "n/a: no audit of the setting defines the figure"
	if partial {
		s += "; (n = k): only k of the setting's audits define it"
	}
	add("%s.", s)
	switch iv := c.Intervals; {
	case len(iv.MixedLevels) > 0:
		var ls []string
		for _, l := range iv.MixedLevels {
			ls = append(ls, levelLabel(l))
		}
		add("No confidence intervals: the audits' intervals have different levels (%s), which cannot be averaged.", strings.Join(ls, ", "))
	case iv.Level > 0 && iv.Covers != "":
		add("The intervals cover: %s.", strings.TrimSuffix(iv.Covers, "."))
	}
	if c.hasIntervals() {
		var extras []string
		for _, col := range c.Columns {
			if col.Section == sectionExtra {
				extras = append(extras, col.Name)
			}
		}
		if len(extras) > 0 {
			add("Measured outside the audits, without an interval: %s.", strings.Join(extras, "; "))
		}
	}

	var leak []string
	for _, j := range c.LeakageColumns {
		leak = append(leak, c.Columns[j].Name)
	}
	switch {
	case c.UtilityColumn < 0:
		add("No Pareto marking: the audits have no target, so no utility.")
	case len(leak) == 0:
		add("No Pareto marking: the audits have no attacker on their first protected attribute, so no leakage.")
	default:
		which := "the mean " + leak[0]
		if len(leak) > 1 {
			which = "the largest of the means of " + strings.Join(leak, ", ")
		}
		add("Pareto: * marks a setting that no other setting dominates, that is, none has a utility at least as high and a leakage at least as low, one of the two strictly. "+
			"Utility: the mean %s; leakage: %s. A setting whose utility or leakage is n/a is not marked and dominates none.",
			c.Columns[c.UtilityColumn].Name, which)
	}

	for _, col := range c.Columns {
		if col.Section == sectionLeakage && col.Measure == withProbe(col.Estimator, measureAttackerAdvantage) {
			add("Attacker advantage is (accuracy − majority)/(1 − majority): 0 = majority guess, 1 = perfect.")
			break
		}
	}
	for _, col := range c.Columns {
		if col.Section == sectionLeakage && col.Measure == withProbe(col.Estimator, measureAttackerAUC) {
			add("Attacker AUC is the macro one-vs-rest ROC AUC over the classes with both positive and negative test rows: 0.5 = chance, 1 = perfect.")
			break
		}
	}
	for _, col := range c.Columns {
		if col.Section == sectionReID && col.Measure == measureRank1Chance {
			add("Rank-1 chance is the expected rank-1 rate of a random ranking of the gallery identities: the share of test rows whose identity is in the gallery, over the number of gallery identities.")
			break
		}
	}
	for _, e := range c.Entropies {
		h := fmtNum(e.Nats.Mean) + " nats in each of the audits"
		if e.Nats.SD > 0 {
			h = humanCell(e.Nats, e.Nats.N) + " nats over the audits"
		}
		add("H(%s) = %s: the plug-in entropy of %s on the test rows, the reference of the I(Z;%s) columns.",
			e.Attribute, h, e.Attribute, e.Attribute)
	}
	for _, col := range c.Columns {
		if col.CeilingNats != nil {
			add("%s cannot exceed %s nats: a value at the ceiling says only that the MI is at least that large.",
				col.Name, fmtNum(*col.CeilingNats))
		}
	}
	for _, r := range c.Rows {
		switch {
		case r.Warnings == 1:
			add("%s: its audits carry 1 warning; see their own reports.", r.Name)
		case r.Warnings > 1:
			add("%s: its audits carry %d warnings; see their own reports.", r.Name, r.Warnings)
		}
	}
	return ns
}

// hasIntervals reports whether some cell of c has an interval.
func (c *Comparison) hasIntervals() bool {
	for _, r := range c.Rows {
		for _, cell := range r.Cells {
			if cell.HasInterval() {
				return true
			}
		}
	}
	return false
}

// paramKeys is the sorted union of the rows' param keys.
func paramKeys(c *Comparison) []string {
	var keys []string
	for _, r := range c.Rows {
		for k := range r.Params {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func writeComparisonCSV(buf *bytes.Buffer, c *Comparison) error {
	w := csv.NewWriter(buf)
	keys := paramKeys(c)
	header := append([]string{CSVColumns[0]}, keys...)
	header = append(header, CSVColumns[1:]...)
	if err := w.Write(header); err != nil {
		return err
	}
	for _, r := range c.Rows {
		for j, col := range c.Columns {
			cell := r.Cells[j]
			rec := []string{r.Name}
			for _, k := range keys {
				rec = append(rec, r.Params[k])
			}
			rec = append(rec, col.Name, col.Section, col.Attribute, col.Measure, col.Estimator, col.Bound,
				fmtFull(cell.Mean), fmtFull(cell.SD), fmtFull(cell.Low), fmtFull(cell.High), fmt.Sprint(cell.N), fmt.Sprint(r.Pareto))
			if err := w.Write(rec); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}

// MarshalJSON implements json.Marshaler: {"mean", "sd", "ci_low",
// "ci_high", "n"} with an undefined (NaN or infinite) number as null.
func (c Cell) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Mean *float64 `json:"mean"`
		SD   *float64 `json:"sd"`
		Low  *float64 `json:"ci_low"`
		High *float64 `json:"ci_high"`
		N    int      `json:"n"`
	}{finiteOrNil(c.Mean), finiteOrNil(c.SD), finiteOrNil(c.Low), finiteOrNil(c.High), c.N})
}

func finiteOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func writeComparisonJSON(buf *bytes.Buffer, c *Comparison) error {
	type column struct {
		Name        string   `json:"name"`
		Section     string   `json:"section"`
		Attribute   string   `json:"attribute"`
		Measure     string   `json:"measure"`
		Estimator   string   `json:"estimator"`
		Bound       string   `json:"bound"`
		CeilingNats *float64 `json:"ceiling_nats"`
	}
	type pareto struct {
		Utility *string  `json:"utility"`
		Leakage []string `json:"leakage"`
	}
	type entropy struct {
		Attribute string `json:"attribute"`
		Nats      Cell   `json:"nats"`
	}
	type row struct {
		Name     string            `json:"name"`
		Params   map[string]string `json:"params"`
		Audits   int               `json:"audits"`
		Warnings int               `json:"warnings"`
		Pareto   bool              `json:"pareto"`
		Cells    []Cell            `json:"cells"`
	}
	type intervals struct {
		Level       *float64  `json:"level"`
		MixedLevels []float64 `json:"mixed_levels"`
		Covers      string    `json:"covers"`
	}
	var out struct {
		Columns   []column  `json:"columns"`
		Pareto    pareto    `json:"pareto"`
		Entropies []entropy `json:"entropies"`
		Intervals intervals `json:"intervals"`
		Notes     []string  `json:"notes"`
		Rows      []row     `json:"rows"`
	}
	out.Intervals = intervals{MixedLevels: []float64{}, Covers: c.Intervals.Covers}
	if c.Intervals.Level > 0 {
		out.Intervals.Level = &c.Intervals.Level
	}
	out.Intervals.MixedLevels = append(out.Intervals.MixedLevels, c.Intervals.MixedLevels...)
	out.Notes = append([]string{}, c.Notes...)
	out.Columns = []column{}
	for _, col := range c.Columns {
		out.Columns = append(out.Columns, column(col))
	}
	if c.UtilityColumn >= 0 {
		out.Pareto.Utility = &c.Columns[c.UtilityColumn].Name
	}
	out.Pareto.Leakage = []string{}
	for _, j := range c.LeakageColumns {
		out.Pareto.Leakage = append(out.Pareto.Leakage, c.Columns[j].Name)
	}
	out.Entropies = []entropy{}
	for _, e := range c.Entropies {
		out.Entropies = append(out.Entropies, entropy(e))
	}
	out.Rows = []row{}
	for _, r := range c.Rows {
		params := r.Params
		if params == nil {
			params = map[string]string{}
		}
		cells := r.Cells
		if cells == nil {
			cells = []Cell{}
		}
		out.Rows = append(out.Rows, row{r.Name, params, r.Audits, r.Warnings, r.Pareto, cells})
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// writeComparisonLaTeX renders d, a comparison's document, as one table
// environment for \input in a document that loads booktabs. It differs
// from writeLaTeX in its headings: a two-line heading (attribute, measure)
// is stacked in a nested tabular, so that the wide table stays as narrow as
// its longest words allow.
func writeComparisonLaTeX(buf *bytes.Buffer, d document) {
	buf.WriteString("% Generated by miaudit; needs \\usepackage{booktabs}.\n")
	buf.WriteString("\\begin{table}[htbp]\n\\centering\n\\small\n")
	buf.WriteString("\\caption{" + texEscape(d.title) + "}\n")
	for _, g := range d.tables {
		buf.WriteString("\\begin{tabular}{")
		for j := range g.header {
			if g.numeric[j] {
				buf.WriteString("r")
			} else {
				buf.WriteString("l")
			}
		}
		buf.WriteString("}\n\\toprule\n")
		for j, h := range g.header {
			if j > 0 {
				buf.WriteString(" & ")
			}
			lines := strings.Split(h, "\n")
			if len(lines) == 1 {
				buf.WriteString(texCell(h, j, false))
				continue
			}
			align := "l"
			if g.numeric[j] {
				align = "r"
			}
			buf.WriteString("\\begin{tabular}[b]{@{}" + align + "@{}}")
			for i, l := range lines {
				if i > 0 {
					buf.WriteString("\\\\ ")
				}
				// A line that starts with "[" (a bound type wrapped onto
				// its own line) is shielded by {}, or the \\ before it
				// reads it as its optional argument.
				l = texEscape(l)
				if i > 0 && strings.HasPrefix(l, "[") {
					l = "{}" + l
				}
				buf.WriteString(l)
			}
			buf.WriteString("\\end{tabular}")
		}
		buf.WriteString(" \\\\\n\\midrule\n")
		for _, row := range g.rows {
			texRow(buf, row, g.numeric)
		}
		buf.WriteString("\\bottomrule\n\\end{tabular}\n")
	}
	buf.WriteString("\n\\medskip\n{\\footnotesize\\raggedright\n")
	for _, n := range d.notes {
		buf.WriteString(texEscape(n) + "\\par\n")
	}
	buf.WriteString("}\n\\end{table}\n")
}
