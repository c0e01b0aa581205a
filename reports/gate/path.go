package gate

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// measure is a named figure of a T.
type measure[T any] struct {
	name string
	get  func(*T) metrics.Interval
}

func names[T any](ms []measure[T]) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.name
	}
	return out
}

// The figures of each part of a result, by their JSON names.
var (
	utilityFigures = []measure[metrics.Utility]{
		{"accuracy", func(u *metrics.Utility) metrics.Interval { return u.Accuracy }},
		{"balanced_accuracy", func(u *metrics.Utility) metrics.Interval { return u.BalancedAccuracy }},
	}
	attackerFigures = []measure[metrics.Attacker]{
		{"accuracy", func(a *metrics.Attacker) metrics.Interval { return a.Accuracy }},
		{"advantage", func(a *metrics.Attacker) metrics.Interval { return a.Advantage }},
		{"auc", func(a *metrics.Attacker) metrics.Interval { return a.AUC }},
	}
	reidFigures = []measure[metrics.ReID]{
		{"rank1", func(r *metrics.ReID) metrics.Interval { return r.Rank1 }},
		{"rank5", func(r *metrics.ReID) metrics.Interval { return r.Rank5 }},
		{"verification_auc", func(r *metrics.ReID) metrics.Interval { return r.VerificationAUC }},
		{"tpr_at_fpr_1e-3", func(r *metrics.ReID) metrics.Interval { return r.TPRAtFPR1e3 }},
	}
	fairnessFigures = []measure[metrics.Fairness]{
		{"demographic_parity_difference", func(f *metrics.Fairness) metrics.Interval { return f.DemographicParityDifference }},
		{"demographic_parity_ratio", func(f *metrics.Fairness) metrics.Interval { return f.DemographicParityRatio }},
		{"equalized_odds_difference", func(f *metrics.Fairness) metrics.Interval { return f.EqualizedOddsDifference }},
		{"equal_opportunity_difference", func(f *metrics.Fairness) metrics.Interval { return f.EqualOpportunityDifference }},
	}
)

// MIKey is the name of an MI estimator in a path: the first word of
// metrics.MI.Estimator ("knn (Ross 2014, k=3)" is "knn"), except that the
// Barber–Agakov bounds, one per attacker, are "barber-agakov.linear" and
// "barber-agakov.mlp" ("barber-agakov (linear attacker)").
func MIKey(estimator string) string {
	name, rest, _ := strings.Cut(strings.TrimSpace(estimator), " ")
	if name == "barber-agakov" && strings.HasPrefix(rest, "(") {
		if probe, _, ok := strings.Cut(rest[1:], " "); ok && probe != "" {
			return name + "." + probe
		}
	}
	return name
}

// Fairness kinds (metrics.Fairness.Kind).
const (
	kindBinary     = "binary"
	kindOneVsRest  = "one-vs-rest"
	kindWorstClass = "worst-class"
)

// part is one step of a figure's path: a word of the grammar or a name the
// result holds. A name may contain dots.
type part struct {
	// kind is what the step is: "section", "target", "attribute",
	// "subsection" (attackers, mi, reid), "probe", "estimator", "group",
	// "class" or "measure".
	kind, name string
}

// entry is one figure of a result with its path.
type entry struct {
	parts []part
	iv    metrics.Interval
	// note, for messages: the worst class, or why the figure is undefined.
	note string
}

func (e entry) path() string {
	s := make([]string, len(e.parts))
	for i, p := range e.parts {
		s[i] = p.name
	}
	return strings.Join(s, ".")
}

// index holds every figure of a result by path.
type index struct {
	entries []entry
	byPath  map[string]int
	// hints say why nothing lies under a path (re-identification that
	// was not measured).
	hints map[string]string
}

func newIndex(r *metrics.Result) *index {
	ix := &index{byPath: map[string]int{}, hints: map[string]string{}}
	sec := func(name string) part { return part{"section", name} }
	for i := range r.Utility {
		u := &r.Utility[i]
		for _, m := range utilityFigures {
			ix.add(m.get(u), "", sec("utility"), part{"target", u.Target}, part{"measure", m.name})
		}
	}
	for i := range r.Leakage {
		l := &r.Leakage[i]
		attr := part{"attribute", l.Attribute}
		for j := range l.Attackers {
			a := &l.Attackers[j]
			for _, m := range attackerFigures {
				ix.add(m.get(a), "", sec("leakage"), attr, part{"subsection", "attackers"}, part{"probe", a.Probe}, part{"measure", m.name})
			}
		}
		for _, mi := range l.MI {
			ix.add(mi.Nats, "", sec("leakage"), attr, part{"subsection", "mi"}, part{"estimator", MIKey(mi.Estimator)})
		}
		switch reid := "leakage." + l.Attribute + ".reid"; {
		case l.ReID == nil:
			ix.hints[reid] = "the result has no re-identification figures for " + l.Attribute
		case !l.ReID.Available:
			ix.hints[reid] = "re-identification was not measured: " + l.ReID.Note
		default:
			for _, m := range reidFigures {
				ix.add(m.get(l.ReID), "", sec("leakage"), attr, part{"subsection", "reid"}, part{"measure", m.name})
			}
		}
	}
	type pair struct{ target, group string }
	var multiclass []pair
	headed := map[pair]bool{} // a binary or worst-class entry exists
	for i := range r.Fairness {
		f := &r.Fairness[i]
		p := pair{f.Target, f.Group}
		head := []part{sec("fairness"), {"target", f.Target}, {"group", f.Group}}
		note := ""
		switch f.Kind {
		case kindOneVsRest:
			if !slices.Contains(multiclass, p) {
				multiclass = append(multiclass, p)
			}
			head = append(head, part{"measure", "class"}, part{"class", f.Positive})
		case kindWorstClass:
			note = "worst class " + f.Positive
			headed[p] = true
		case kindBinary:
			headed[p] = true
		default:
			continue // a kind this package does not know names no figure
		}
		for _, m := range fairnessFigures {
			ix.add(m.get(f), note, append(slices.Clip(head), part{"measure", m.name})...)
		}
	}
	// A multiclass target whose classes all lack an equalized odds
	// difference has no worst class: its figures exist, undefined.
	undef := metrics.Interval{Value: math.NaN(), Low: math.NaN(), High: math.NaN()}
	for _, p := range multiclass {
		if headed[p] {
			continue
		}
		for _, m := range fairnessFigures {
			ix.add(undef, "no class has a defined equalized odds difference, so there is no worst class",
				sec("fairness"), part{"target", p.target}, part{"group", p.group}, part{"measure", m.name})
		}
	}
	return ix
}

// add indexes a figure. Of two figures with the same path, the one whose
// earliest differing name is longer is kept (longest match); of identical
// ones, the first.
func (ix *index) add(iv metrics.Interval, note string, parts ...part) {
	e := entry{parts: parts, iv: iv, note: note}
	k := e.path()
	i, ok := ix.byPath[k]
	if !ok {
		ix.byPath[k] = len(ix.entries)
		ix.entries = append(ix.entries, e)
		return
	}
	old := ix.entries[i].parts
	for j := range min(len(parts), len(old)) {
		if parts[j].name != old[j].name {
			if len(parts[j].name) > len(old[j].name) {
				ix.entries[i] = e
			}
			return
		}
	}
}

func (ix *index) resolve(rule Rule) (entry, error) {
	if i, ok := ix.byPath[strings.Join(rule.Path, ".")]; ok {
		return ix.entries[i], nil
	}
	return entry{}, ix.unknown(rule)
}

// match returns how many of parts lead segs, and how many segments they
// span.
func match(parts []part, segs []string) (depth, pos int) {
	for d, p := range parts {
		n := strings.Count(p.name, ".") + 1
		if pos+n > len(segs) || strings.Join(segs[pos:pos+n], ".") != p.name {
			return d, pos
		}
		pos += n
	}
	return len(parts), pos
}

// unknown builds the error for a path that names no figure: the longest
// prefix of it that leads some figure's path, and what may follow there.
func (ix *index) unknown(rule Rule) error {
	segs := rule.Path
	bestD, bestPos := 0, 0
	kind := "section"
	valid := map[string]bool{}
	for _, e := range ix.entries {
		d, pos := match(e.parts, segs)
		if d < bestD || d == bestD && pos < bestPos {
			continue
		}
		if d > bestD || pos > bestPos {
			bestD, bestPos, kind = d, pos, ""
			clear(valid)
		}
		if d < len(e.parts) {
			kind = e.parts[d].kind
			valid[e.parts[d].name] = true
		}
	}
	err := &UnknownPathError{
		Expr:  rule.Expr,
		Path:  strings.Join(segs, "."),
		Near:  strings.Join(segs[:bestPos], "."),
		Kind:  kind,
		Valid: slices.Sorted(maps.Keys(valid)),
	}
	if bestPos < len(segs) {
		err.Segment = segs[bestPos]
	}
	err.Reason = ix.hints[err.Near+"."+err.Segment]
	return err
}

// UnknownPathError is a rule whose path names no figure of the result.
type UnknownPathError struct {
	// Expr is the rule's expression and Path its figure path (without a
	// ci_low/ci_high suffix).
	Expr, Path string
	// Near is the longest prefix of Path that leads to figures of the
	// result, and Segment the segment after it that does not.
	Near, Segment string
	// Kind is what the result has after Near: "section", "target",
	// "attribute", "subsection" (attackers, mi, reid), "probe",
	// "estimator", "group", "class" or "measure"; "" when Near is a whole
	// figure's path and nothing may follow it. Valid lists the names the
	// result has there, sorted.
	Kind  string
	Valid []string
	// Reason, when set, says why the result has nothing under
	// Near.Segment (re-identification that was not measured).
	Reason string
}

func (e *UnknownPathError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q: unknown path %s: ", e.Expr, e.Path)
	switch {
	case e.Kind == "":
		fmt.Fprintf(&b, "%s is a figure, nothing may follow it", e.Near)
	case e.Near == "":
		fmt.Fprintf(&b, "no %s %q", e.Kind, e.Segment)
	default:
		fmt.Fprintf(&b, "no %s %q under %s", e.Kind, e.Segment, e.Near)
	}
	if e.Kind != "" {
		if len(e.Valid) == 0 {
			b.WriteString(" (the result has no figures)")
		} else {
			fmt.Fprintf(&b, " (valid: %s)", strings.Join(e.Valid, ", "))
		}
	}
	if e.Reason != "" {
		b.WriteString("; " + e.Reason)
	}
	return b.String()
}

// Paths lists the path of every figure of r, sorted. Each also takes a
// .ci_low or .ci_high suffix.
func Paths(r *metrics.Result) []string {
	ix := newIndex(r)
	out := make([]string, 0, len(ix.entries))
	for _, e := range ix.entries {
		out = append(out, e.path())
	}
	slices.Sort(out)
	return out
}
