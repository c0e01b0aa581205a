package reports

import (
	"fmt"
	"math"
	"strconv"

	"github.com/miaudit/miaudit/metrics"
)

// Sections of the long-form table, in the order they appear.
const (
	sectionUtility  = "utility"
	sectionLeakage  = "leakage"
	sectionReID     = "re-identification"
	sectionFairness = "fairness"
)

// Fairness kinds (metrics.Fairness.Kind).
const (
	kindBinary     = "binary"
	kindOneVsRest  = "one-vs-rest"
	kindWorstClass = "worst-class"
)

// view says where a figure appears in the human formats; the CSV holds all.
type view int

const (
	viewMain     view = iota // a row of the main table
	viewByGroup              // a cell of a fairness entry's by-group table
	viewPerClass             // a cell of the per-class table of one-vs-rest entries
)

// figure is one row of the long form: one number the audit measured, or a
// row without a number that says why a measure is missing (hasValue false).
type figure struct {
	view      view
	section   string
	attribute string
	group     string // the group of a by-group rate; empty otherwise
	measure   string
	estimator string
	bound     string
	value     metrics.Interval
	hasValue  bool
	ref       reference
}

// reference is what a figure is to be read against: a labelled number
// ("majority 0.112", "H(S) = 3.912 nats") and/or a text ("0 = parity").
type reference struct {
	label string
	x     float64
	hasX  bool
	unit  string
	text  string
}

func refNumber(label string, x float64, unit string) reference {
	return reference{label: label, x: x, hasX: true, unit: unit}
}

func refText(text string) reference { return reference{text: text} }

// format renders the reference with numbers formatted by num.
func (ref reference) format(num func(float64) string) string {
	s := ref.text
	if ref.hasX {
		s = ref.label + " " + num(ref.x)
		if ref.unit != "" {
			s += " " + ref.unit
		}
		if ref.text != "" {
			s += ", " + ref.text
		}
	}
	return s
}

// human is the reference as the human views show it (3 decimals).
func (ref reference) human() string { return ref.format(fmtNum) }

// machine is the reference as the CSV holds it (full precision).
func (ref reference) machine() string { return ref.format(fmtFull) }

// Measure names shared by the main table and the by-group tables.
const (
	measureDPD       = "demographic parity difference"
	measureDPR       = "demographic parity ratio"
	measureEOD       = "equalized odds difference"
	measureEOpp      = "equal opportunity difference"
	measureAccuracy  = "accuracy"
	measureSelection = "selection rate"
	measureTPR       = "true positive rate"
	measureFPR       = "false positive rate"
)

// figures lists every figure of r in the order of the long-form table:
// utility, leakage, re-identification, fairness; within a section, in the
// order of r's slices (never in map order), so equal Results give equal
// reports.
func figures(r *metrics.Result) []figure {
	var fs []figure
	add := func(f figure) {
		f.hasValue = true
		fs = append(fs, f)
	}
	for _, u := range r.Utility {
		f := figure{section: sectionUtility, attribute: u.Target, estimator: u.Probe}
		f.measure = withProbe(u.Probe, "probe accuracy")
		f.value = u.Accuracy
		f.ref = refNumber("majority", u.MajorityBaseline, "")
		f.ref.text = notConverged(u.Converged)
		add(f)
		f.measure = withProbe(u.Probe, "probe balanced accuracy")
		f.value = u.BalancedAccuracy
		f.ref = reference{}
		if u.Classes > 0 {
			// A constant prediction has recall 1 on one class and 0 on the
			// others: balanced accuracy 1/K.
			f.ref = refNumber("chance", 1/float64(u.Classes), "")
		}
		add(f)
	}
	for _, l := range r.Leakage {
		for _, a := range l.Attackers {
			f := figure{section: sectionLeakage, attribute: l.Attribute, estimator: a.Probe}
			f.measure = withProbe(a.Probe, "attacker accuracy")
			f.value = a.Accuracy
			f.ref = refNumber("majority", a.MajorityBaseline, "")
			f.ref.text = notConverged(a.Converged)
			add(f)
			f.measure = withProbe(a.Probe, "attacker advantage (acc−maj)/(1−maj)")
			f.value = a.Advantage
			f.ref = refText("0 = majority guess, 1 = perfect")
			add(f)
			f.measure = withProbe(a.Probe, "attacker macro one-vs-rest AUC")
			f.value = a.AUC
			f.ref = refNumber("chance", 0.5, "")
			f.ref.text = fmt.Sprintf("%d classes", a.AUCClasses)
			add(f)
		}
		for _, m := range l.MI {
			ref := refNumber("H(S) =", l.EntropyNats, "nats")
			if m.Ceiling != nil {
				ref.text = fmt.Sprintf("ceiling %.3f nats", *m.Ceiling)
			}
			add(figure{
				section:   sectionLeakage,
				attribute: l.Attribute,
				measure:   fmt.Sprintf("I(Z;S) %s [%s] (nats)", m.Estimator, boundWords(m.Bound)),
				estimator: m.Estimator,
				bound:     m.Bound,
				value:     m.Nats,
				ref:       ref,
			})
		}
	}
	for _, l := range r.Leakage {
		id := l.ReID
		switch {
		case id == nil:
		case !id.Available:
			fs = append(fs, figure{
				section:   sectionReID,
				attribute: l.Attribute,
				measure:   "re-identification not available",
				ref:       refText(id.Note),
			})
		default:
			f := figure{section: sectionReID, attribute: l.Attribute}
			for _, m := range []struct {
				measure string
				value   metrics.Interval
				ref     reference
			}{
				{"rank-1 identification", id.Rank1, refNumber("chance", id.ChanceRank1, "")},
				{"rank-5 identification", id.Rank5, refNumber("chance", id.ChanceRank5, "")},
				{"verification AUC", id.VerificationAUC, refNumber("chance", 0.5, "")},
				// A scorer that ignores Z accepts a fraction 1e-3 of
				// same-identity pairs at FPR 1e-3.
				{"TPR at FPR=1e-3", id.TPRAtFPR1e3, refNumber("chance", 1e-3, "")},
			} {
				f.measure, f.value, f.ref = m.measure, m.value, m.ref
				add(f)
			}
		}
	}
	for _, fa := range r.Fairness {
		v := viewMain
		if fa.Kind == kindOneVsRest {
			v = viewPerClass
		}
		f := figure{view: v, section: sectionFairness, attribute: fairnessAttribute(fa), estimator: fa.Source}
		for _, m := range fairnessMeasures(fa) {
			f.measure, f.value, f.ref = m.measure, m.value, m.ref
			add(f)
		}
		f.view = viewByGroup
		for _, g := range fa.ByGroup {
			f.group = g.Group
			f.ref = refText(fmt.Sprintf("n = %d", g.N))
			for _, m := range groupMeasures(g) {
				f.measure, f.value = m.measure, m.value
				add(f)
			}
		}
	}
	return fs
}

type measured struct {
	measure string
	value   metrics.Interval
	ref     reference
}

func fairnessMeasures(f metrics.Fairness) []measured {
	return []measured{
		{measureDPD, f.DemographicParityDifference, refText("0 = parity")},
		{measureDPR, f.DemographicParityRatio, refText("1 = parity")},
		{measureEOD, f.EqualizedOddsDifference, refText("0 = parity")},
		{measureEOpp, f.EqualOpportunityDifference, refText("0 = parity")},
	}
}

func groupMeasures(g metrics.GroupRates) []measured {
	return []measured{
		{measure: measureAccuracy, value: g.Accuracy},
		{measure: measureSelection, value: g.SelectionRate},
		{measure: measureTPR, value: g.TPR},
		{measure: measureFPR, value: g.FPR},
	}
}

// notConverged is the remark a probe's accuracy carries if its fit did not
// converge.
func notConverged(converged bool) string {
	if converged {
		return ""
	}
	return "probe did not converge"
}

// withProbe prefixes a measure with the probe's name ("linear probe
// accuracy"), or leaves it bare if the probe has none.
func withProbe(probe, measure string) string {
	if probe == "" {
		return measure
	}
	return probe + " " + measure
}

func boundWords(bound string) string {
	switch bound {
	case metrics.BoundLower:
		return "lower bound"
	case metrics.BoundUpper:
		return "upper bound"
	case metrics.BoundEstimate:
		return "estimate"
	case "":
		return "bound type not given"
	}
	return bound
}

// fairnessTarget is "target × group", the pair a fairness entry is about.
func fairnessTarget(f metrics.Fairness) string {
	return f.Target + " × " + f.Group
}

// fairnessAttribute names a fairness entry: its target × group pair, which
// class counts as positive, and where the predictions come from if not the
// utility probe.
func fairnessAttribute(f metrics.Fairness) string {
	var class string
	switch f.Kind {
	case kindBinary:
		class = "positive: " + f.Positive
	case kindWorstClass:
		class = "worst class: " + f.Positive
	case kindOneVsRest:
		class = "one-vs-rest: " + f.Positive
	default:
		class = f.Kind + ": " + f.Positive
	}
	if f.Source != "" && f.Source != "probe" {
		class += "; " + f.Source
	}
	return fairnessTarget(f) + " (" + class + ")"
}

// fmtNum formats a figure for people: 3 decimals, 4 significant digits for
// magnitudes below 5e-4 (which 3 decimals would show as 0.000), "n/a" for NaN.
func fmtNum(x float64) string {
	switch {
	case math.IsNaN(x):
		return "n/a"
	case x != 0 && math.Abs(x) < 5e-4:
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	s := strconv.FormatFloat(x, 'f', 3, 64)
	if s == "-0.000" {
		s = "0.000"
	}
	return s
}

// fmtFull formats a figure for machines: the shortest text that parses back
// to the same float64, empty for NaN.
func fmtFull(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// hasCI reports whether iv has a confidence interval to show: the audit drew
// bootstrap resamples and both ends are defined.
func hasCI(iv metrics.Interval, resamples int) bool {
	return resamples > 0 && !math.IsNaN(iv.Low) && !math.IsNaN(iv.High)
}

// fmtCI is the interval "[lo, hi]", or "—" when there is none.
func fmtCI(iv metrics.Interval, resamples int) string {
	if !hasCI(iv, resamples) {
		return "—"
	}
	return "[" + fmtNum(iv.Low) + ", " + fmtNum(iv.High) + "]"
}

// fmtValueCI is a value followed by its interval, if any, in one cell.
func fmtValueCI(iv metrics.Interval, resamples int) string {
	if !hasCI(iv, resamples) {
		return fmtNum(iv.Value)
	}
	return fmtNum(iv.Value) + " " + fmtCI(iv, resamples)
}

// levelLabel is the CI column's heading, "95 % CI" for level 0.95.
func levelLabel(level float64) string {
	if !(level > 0 && level < 1) {
		return "CI"
	}
	// Round to 0.1 % so that 0.95·100 prints as 95, not 95.00000000000001.
	pct := math.Round(level*1000) / 10
	return strconv.FormatFloat(pct, 'f', -1, 64) + " % CI"
}
