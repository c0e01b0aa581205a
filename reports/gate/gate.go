package gate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// Rule is one parsed --fail-if expression: the gate fails when the figure
// at Path (or its Bound) compares to Threshold by Op.
type Rule struct {
	// Expr is the expression as written, without surrounding whitespace.
	Expr string
	// Path is the figure's path split at dots, without a ci_low/ci_high
	// suffix.
	Path []string
	// Bound is "" (the point estimate), "ci_low" or "ci_high".
	Bound string
	// Op is one of > >= < <= == !=.
	Op        string
	Threshold float64
}

// operators are the comparison operators of a rule.
var operators = []string{">", ">=", "<", "<=", "==", "!="}

// Bounds of a confidence interval a rule can compare instead of the point
// estimate.
const (
	BoundLow  = "ci_low"
	BoundHigh = "ci_high"
)

// opChars are the characters operators are made of; a path cannot hold them.
const opChars = "<>=!"

// The measure names at the end of each kind of path.
var (
	utilityMeasures  = names(utilityFigures)
	attackerMeasures = names(attackerFigures)
	reidMeasures     = names(reidFigures)
	fairnessMeasures = names(fairnessFigures)
	sections         = []string{"utility", "leakage", "fairness"}
)

// Parse parses "PATH OP THRESHOLD". It checks the syntax and the words the
// grammar fixes (the section, the measure, a ci_ suffix); whether the names
// in the path exist is for Check, against a result.
func Parse(expr string) (Rule, error) {
	r := Rule{Expr: strings.TrimSpace(expr)}
	fail := func(format string, a ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("%q: %s", r.Expr, fmt.Sprintf(format, a...))
	}
	if r.Expr == "" {
		return fail("empty expression: want PATH OP THRESHOLD")
	}
	i := strings.IndexAny(r.Expr, opChars)
	if i < 0 {
		return fail("no comparison operator (want PATH OP THRESHOLD, OP one of %s)", strings.Join(operators, " "))
	}
	j := i
	for j < len(r.Expr) && strings.IndexByte(opChars, r.Expr[j]) >= 0 {
		j++
	}
	r.Op = r.Expr[i:j]
	if !slices.Contains(operators, r.Op) {
		return fail("unknown operator %q (want one of %s)", r.Op, strings.Join(operators, " "))
	}
	path := strings.TrimSpace(r.Expr[:i])
	num := strings.TrimSpace(r.Expr[j:])
	if path == "" {
		return fail("missing path before %q", r.Op)
	}
	if num == "" {
		return fail("missing threshold after %q", r.Op)
	}
	if f := strings.Fields(num); len(f) > 1 {
		if _, err := strconv.ParseFloat(f[0], 64); err == nil {
			return fail("unexpected %q after threshold %s", strings.TrimSpace(num[len(f[0]):]), f[0])
		}
	}
	t, err := strconv.ParseFloat(num, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return fail("threshold %s is out of range", num)
	case err != nil:
		return fail("threshold %q is not a number", num)
	case math.IsNaN(t) || math.IsInf(t, 0):
		return fail("threshold %s is not finite", num)
	}
	r.Threshold = t

	segs := strings.Split(path, ".")
	if slices.Contains(segs, "") {
		return fail("path %s has an empty segment", path)
	}
	if last := segs[len(segs)-1]; last == BoundLow || last == BoundHigh {
		r.Bound, segs = last, segs[:len(segs)-1]
	} else if strings.HasPrefix(last, "ci_") {
		return fail("unknown suffix %q (want %s or %s)", last, BoundLow, BoundHigh)
	}
	if msg := checkShape(segs); msg != "" {
		return fail("%s", msg)
	}
	r.Path = segs
	return r, nil
}

// checkShape checks the words a path's grammar fixes and returns what is
// wrong, or "".
func checkShape(segs []string) string {
	last := segs[len(segs)-1]
	switch segs[0] {
	case "utility":
		const want = "utility.<target>.{accuracy,balanced_accuracy}"
		if len(segs) < 3 {
			return "path " + strings.Join(segs, ".") + " is too short: want " + want
		}
		if !slices.Contains(utilityMeasures, last) {
			return fmt.Sprintf("unknown utility measure %q (want %s)", last, want)
		}
	case "leakage":
		const want = "leakage.<attribute>.attackers.<probe>.{accuracy,advantage,auc}, leakage.<attribute>.mi.<estimator> or leakage.<attribute>.reid.{rank1,rank5,verification_auc,tpr_at_fpr_1e-3}"
		if len(segs) < 4 {
			return "path " + strings.Join(segs, ".") + " is too short: want " + want
		}
		mi := slices.Contains(segs[2:len(segs)-1], "mi")
		if !mi && !slices.Contains(attackerMeasures, last) && !slices.Contains(reidMeasures, last) {
			return fmt.Sprintf("unknown leakage measure %q (want %s)", last, want)
		}
	case "fairness":
		want := "fairness.<target>.<group>[.class.<value>].{" + strings.Join(fairnessMeasures, ",") + "}"
		if len(segs) < 4 {
			return "path " + strings.Join(segs, ".") + " is too short: want " + want
		}
		if !slices.Contains(fairnessMeasures, last) {
			return fmt.Sprintf("unknown fairness measure %q (want %s)", last, want)
		}
	default:
		return fmt.Sprintf("unknown section %q (want %s)", segs[0], strings.Join(sections, ", "))
	}
	return ""
}

// ParseAll parses every expression; the error names the first bad one.
func ParseAll(exprs []string) ([]Rule, error) {
	rules := make([]Rule, 0, len(exprs))
	for _, e := range exprs {
		r, err := Parse(e)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// Violation is a rule that held on a result: the gate fails.
type Violation struct {
	Rule Rule
	// Value is the number compared: the point estimate or the rule's
	// bound; NaN or infinite when the figure is undefined.
	Value float64
	// Figure is the whole figure the rule's path names.
	Figure metrics.Interval
	// Message says which rule failed, with the value, its interval and the
	// threshold, in one line.
	Message string
}

// Check evaluates the rules on r and returns the violated ones, in the
// order of rules. A rule on an undefined figure is always violated. If a
// rule's path names no figure of r, Check returns an *UnknownPathError and
// no violations. Check panics if r is nil or a rule has an operator or
// bound Parse would not produce.
func Check(r *metrics.Result, rules []Rule) ([]Violation, error) {
	if r == nil {
		panic("gate: nil result")
	}
	ix := newIndex(r)
	var out []Violation
	for _, rule := range rules {
		e, err := ix.resolve(rule)
		if err != nil {
			return nil, err
		}
		v := rule.pick(e.iv)
		if defined(v) && !rule.holds(v) {
			continue
		}
		out = append(out, Violation{Rule: rule, Value: v, Figure: e.iv, Message: message(r, rule, e, v)})
	}
	return out, nil
}

// pick returns the number the rule compares.
func (r Rule) pick(iv metrics.Interval) float64 {
	switch r.Bound {
	case "":
		return iv.Value
	case BoundLow:
		return iv.Low
	case BoundHigh:
		return iv.High
	}
	panic("gate: unknown bound")
}

// holds reports whether v OP threshold.
func (r Rule) holds(v float64) bool {
	t := r.Threshold
	switch r.Op {
	case ">":
		return v > t
	case ">=":
		return v >= t
	case "<":
		return v < t
	case "<=":
		return v <= t
	case "==":
		return v == t
	case "!=":
		return v != t
	}
	panic("gate: unknown operator")
}

func defined(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// message describes a violation in one line, e.g.
//
//	leakage.writer.attackers.mlp.advantage > 0.1: value 0.4795 > 0.1 (95% CI 0.4469 to 0.5052)
func message(r *metrics.Result, rule Rule, e entry, v float64) string {
	name := "value"
	if rule.Bound != "" {
		name = rule.Bound
	}
	var ctx []string
	if rule.Bound != "" {
		ctx = append(ctx, "value "+short(e.iv.Value))
	}
	ctx = append(ctx, interval(r.Bootstrap, e.iv))
	if e.note != "" {
		ctx = append(ctx, e.note)
	}
	if !defined(v) {
		if rule.Bound != "" && r.Bootstrap.Resamples == 0 {
			ctx = append(ctx, "the result has no confidence intervals (0 bootstrap resamples)")
		}
		return fmt.Sprintf("%s: %s undefined (null), and an undefined figure cannot pass a gate (%s)", rule.Expr, name, strings.Join(ctx, "; "))
	}
	return fmt.Sprintf("%s: %s %s %s %s (%s)", rule.Expr, name, compared(v, rule.Threshold), rule.Op,
		strconv.FormatFloat(rule.Threshold, 'g', -1, 64), strings.Join(ctx, "; "))
}

// interval describes the confidence interval of iv.
func interval(b metrics.BootstrapInfo, iv metrics.Interval) string {
	if b.Resamples == 0 || !defined(iv.Low) && !defined(iv.High) {
		return "no CI"
	}
	return fmt.Sprintf("%s%% CI %s to %s", strconv.FormatFloat(100*b.Level, 'g', -1, 64), short(iv.Low), short(iv.High))
}

// short formats a figure to 4 significant digits, "null" if undefined.
func short(x float64) string {
	if !defined(x) {
		return "null"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// compared formats v with at least 4 significant digits and as many more as
// it takes for the printed number to compare with t as v does (0.10004 > 0.1,
// not 0.1 > 0.1).
func compared(v, t float64) string {
	for prec := 4; ; prec++ {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		p, _ := strconv.ParseFloat(s, 64)
		if cmp.Compare(p, t) == cmp.Compare(v, t) || prec >= 17 {
			return s
		}
	}
}
