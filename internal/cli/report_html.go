package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/plot/vg"

	"github.com/miaudit/miaudit/infomax"
	"github.com/miaudit/miaudit/internal/atomicfile"
	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/reports"
	"github.com/miaudit/miaudit/reports/gate"
	"github.com/miaudit/miaudit/reports/plot"
)

// commandLineKey is the context key of the arguments miaudit was invoked
// with (MainContext's args).
type commandLineKey struct{}

// withCommandLine returns ctx carrying args, for the reports that record
// the command that wrote them.
func withCommandLine(ctx context.Context, args []string) context.Context {
	return context.WithValue(ctx, commandLineKey{}, slices.Clone(args))
}

// commandLineFrom returns the arguments withCommandLine put into ctx, nil
// if none.
func commandLineFrom(ctx context.Context) []string {
	if ctx == nil {
		return nil
	}
	args, _ := ctx.Value(commandLineKey{}).([]string)
	return args
}

// shellLine is "miaudit" and args as one line a POSIX shell reads back as
// the same arguments: arguments with characters other than letters, digits
// and -_./=:,+@% are single-quoted.
func shellLine(args []string) string {
	parts := []string{"miaudit"}
	for _, a := range args {
		safe := a != ""
		for _, r := range a {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r)) {
				safe = false
				break
			}
		}
		if safe {
			parts = append(parts, a)
		} else {
			parts = append(parts, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
	}
	return strings.Join(parts, " ")
}

// plotsDir returns the folder the figures' SVG files go to, "" for none:
// --plots, which must be an existing folder (a *UsageError otherwise), or
// with the html format and --out FILE.html, FILE_plots beside it, created
// when the files are written.
func (o *ReportOptions) plotsDir() (string, error) {
	if o.Plots != "" {
		st, err := os.Stat(o.Plots)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", usageErrorf("--plots %s: no such folder; create it first", o.Plots)
		case err != nil:
			return "", usageErrorf("--plots %s: %w", o.Plots, err)
		case !st.IsDir():
			return "", usageErrorf("--plots %s is not a folder", o.Plots)
		}
		return o.Plots, nil
	}
	if o.Format != "html" || o.Out == "" {
		return "", nil
	}
	dir := strings.TrimSuffix(o.Out, filepath.Ext(o.Out)) + "_plots"
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return "", usageErrorf("--out %s: its plots folder %s is a file; name another folder with --plots", o.Out, dir)
	}
	return dir, nil
}

// reportPage is what the html format shows beyond the Report: the command
// line, the gates' results and the figures.
type reportPage struct {
	CommandLine []string
	Gates       []reports.HTMLGate
	Figures     []reports.HTMLFigure
	// FigureNotes say which figures were left out and why.
	FigureNotes []string
}

// plotFile is the file name of a figure in the plots folder.
func plotFile(f reports.HTMLFigure) string { return f.ID + ".svg" }

// checkPlotFiles returns a *UsageError if a figure's file exists in dir
// and force is false, or is a folder.
func checkPlotFiles(dir string, figs []reports.HTMLFigure, force bool) error {
	if dir == "" {
		return nil
	}
	for _, f := range figs {
		path := filepath.Join(dir, plotFile(f))
		st, err := os.Stat(path)
		switch {
		case err != nil:
		case st.IsDir():
			return usageErrorf("--plots: %s is a folder", path)
		case !force:
			return usageErrorf("--plots: %s exists: refusing to overwrite it without --force", path)
		}
	}
	return nil
}

// writePlotFiles writes each figure's SVG into dir (creating dir, whose
// parent exists, if missing), each file atomically.
func writePlotFiles(dir string, figs []reports.HTMLFigure) error {
	if dir == "" || len(figs) == 0 {
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, f := range figs {
		if err := atomicfile.WriteFile(filepath.Join(dir, plotFile(f)), f.SVG); err != nil {
			return err
		}
	}
	return nil
}

// reportGateResults checks every rule against every input, for the html
// report: one entry per rule with its violations, each naming its audit.
// Rules whose path an audit lacks were refused before (checkReportGates).
func reportGateResults(inputs []*ReportInput, rules []gate.Rule) []reports.HTMLGate {
	var out []reports.HTMLGate
	for _, r := range rules {
		g := reports.HTMLGate{Rule: r.Expr, Audits: len(inputs)}
		for _, in := range inputs {
			vs, err := gate.Check(in.Result, []gate.Rule{r})
			if err != nil {
				g.Failed = append(g.Failed, in.Path+": "+err.Error())
				continue
			}
			for _, v := range vs {
				g.Failed = append(g.Failed, in.Path+": "+v.Message)
			}
		}
		out = append(out, g)
	}
	return out
}

// writeReportHTML writes the html format: the comparison, page's figures
// and gates, each setting's audits and every input's provenance.
func writeReportHTML(w io.Writer, rep *Report, page *reportPage) error {
	if page == nil {
		page = &reportPage{}
	}
	index := make(map[*ReportInput]int, len(rep.Inputs))
	doc := &reports.HTMLReport{
		Title:       reportTitle(rep),
		Version:     version(),
		Comparison:  rep.Comparison,
		Warnings:    rep.Warnings,
		Figures:     page.Figures,
		FigureNotes: page.FigureNotes,
		Gates:       page.Gates,
	}
	if page.CommandLine != nil {
		doc.CommandLine = shellLine(page.CommandLine)
	}
	for k, in := range rep.Inputs {
		index[in] = k
		doc.Inputs = append(doc.Inputs, reports.HTMLInput{
			Path: in.Path, Kind: in.Kind, Setting: in.Group, Version: in.Version, RunVersion: in.RunVersion,
			Seed: in.Seed, Dataset: in.Dataset, SHA256: in.SHA256, Params: in.Params,
		})
	}
	for _, g := range rep.Groups {
		s := reports.HTMLSetting{Name: g.Name, Kind: g.Kind}
		for _, in := range g.Inputs {
			s.Inputs = append(s.Inputs, index[in])
		}
		if len(g.Inputs) > 0 {
			s.Audit = g.Inputs[0].Result
		}
		doc.Settings = append(doc.Settings, s)
	}
	return reports.WriteHTML(w, doc)
}

// reportTitle names a report by its dataset, or its number of datasets.
func reportTitle(rep *Report) string {
	var names []string
	for _, in := range rep.Inputs {
		if !slices.Contains(names, in.Dataset) {
			names = append(names, in.Dataset)
		}
	}
	switch len(names) {
	case 0:
		return "miaudit report"
	case 1:
		return "miaudit report: " + orDefault(names[0], "one dataset")
	}
	return fmt.Sprintf("miaudit report: %d datasets", len(names))
}

// Sizes of the report's figures: the frontier and the fairness bars at the
// plot package's default; training curves and ROC curves, whose legends
// name settings and seeds, wider.
const (
	wideFigure   = 8 * vg.Inch
	curvesHeight = 4.5 * vg.Inch
)

// maxLabel is the longest setting name, in characters, that figures show
// as it is; longer ones are shortened (see figureLabels).
const maxLabel = 28

// figureLabels are the names figures give the groups: their names if each
// has at most maxLabel characters, else the name cut with "…" if the cut
// names stay distinct, else "S1", "S2", …; and, when some label differs
// from its name, a sentence for captions that says which is which.
func figureLabels(groups []ReportGroup) (labels []string, legend string) {
	labels = make([]string, len(groups))
	cut := false
	seen := make(map[string]bool)
	distinct := true
	for i, g := range groups {
		l := g.Name
		if utf8.RuneCountInString(l) > maxLabel {
			l = string([]rune(l)[:maxLabel-1]) + "…"
			cut = true
		}
		if seen[l] {
			distinct = false
		}
		seen[l] = true
		labels[i] = l
	}
	if !cut {
		return labels, ""
	}
	var pairs []string
	for i, g := range groups {
		if !distinct {
			labels[i] = "S" + strconv.Itoa(i+1)
		}
		if labels[i] != g.Name {
			pairs = append(pairs, labels[i]+" is "+g.Name)
		}
	}
	return labels, " Labels: " + strings.Join(pairs, "; ") + "."
}

// figureSlug turns a name into a file-name part: lower case, λ as
// "lambda", runs of other characters than letters, digits, '.' and '_' as
// one '-'; at most 60 bytes.
func figureSlug(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "λ", "lambda")
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 60 {
		out = out[:60]
	}
	out = strings.Trim(out, ".-")
	if out == "" {
		out = "x"
	}
	return out
}

// figureSet collects figures with distinct IDs, and notes on those left
// out.
type figureSet struct {
	figures []reports.HTMLFigure
	notes   []string
	ids     map[string]bool
}

// add appends a figure, making its ID unique with a numeric suffix; a
// wide one takes the page's width.
func (s *figureSet) add(id, title, caption string, svg []byte, wide bool) {
	if s.ids == nil {
		s.ids = make(map[string]bool)
	}
	base := id
	for n := 2; s.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	s.ids[id] = true
	s.figures = append(s.figures, reports.HTMLFigure{ID: id, Title: title, Caption: caption, SVG: svg, Wide: wide})
}

func (s *figureSet) note(format string, a ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, a...))
}

// buildReportFigures draws the report's figures: the privacy–utility
// frontier against the attackers' advantage and against an MI estimate,
// per setting the fairness bars of its first audit, per setting of runs
// the training curves, and per protected attribute the re-identification
// ROC curves. A figure whose data is missing is left out with a note.
func buildReportFigures(rep *Report) ([]reports.HTMLFigure, []string) {
	var s figureSet
	labels, legend := figureLabels(rep.Groups)
	frontierFigures(&s, rep.Comparison, labels, legend)
	fairnessFigures(&s, rep.Groups, labels)
	trainingFigures(&s, rep.Groups, labels)
	rocFigures(&s, rep.Groups, labels, legend)
	return s.figures, s.notes
}

// intervalWords says what the comparison's interval whiskers are.
func intervalWords(c *reports.Comparison) string {
	if c.Intervals.Level <= 0 {
		return "No whiskers: the cells have no confidence interval."
	}
	return fmt.Sprintf("Whiskers: the %s %% bootstrap interval over test rows — one seed's own, or for several seeds the mean of their bounds (the typical interval of one seed, not an interval for the mean).",
		strconv.FormatFloat(math.Round(c.Intervals.Level*1000)/10, 'f', -1, 64))
}

// frontierFigures adds the frontier of utility against the Pareto leakage
// axis (the largest mean attacker advantage on the first protected
// attribute) and, when the comparison has an MI column, against it.
func frontierFigures(s *figureSet, c *reports.Comparison, labels []string, legend string) {
	if c.UtilityColumn < 0 || len(c.LeakageColumns) == 0 {
		what := "no target, so no utility"
		if c.UtilityColumn >= 0 {
			what = "no attacker on their first protected attribute, so no leakage axis"
		}
		s.note("No privacy–utility frontier: the audits have %s.", what)
		return
	}
	ucol := c.Columns[c.UtilityColumn]
	point := func(i int, x reports.Cell) plot.Point {
		y := c.Rows[i].Cells[c.UtilityColumn]
		return plot.Point{Label: labels[i], X: x.Mean, XLow: x.Low, XHigh: x.High, Y: y.Mean, YLow: y.Low, YHigh: y.High}
	}

	// Against the advantage: per row the leakage column with the largest
	// mean, as the comparison's Pareto rule takes it.
	var pts []plot.Point
	for i, r := range c.Rows {
		best := -1
		for _, j := range c.LeakageColumns {
			if m := r.Cells[j].Mean; !math.IsNaN(m) && (best < 0 || m > r.Cells[best].Mean) {
				best = j
			}
		}
		x := reports.Cell{Mean: math.NaN(), Low: math.NaN(), High: math.NaN()}
		if best >= 0 {
			x = r.Cells[best]
		}
		p := point(i, x)
		p.Pareto = r.Pareto
		pts = append(pts, p)
	}
	lcol := c.Columns[c.LeakageColumns[0]]
	xlabel := lcol.Name
	xwords := "the mean " + lcol.Name
	if len(c.LeakageColumns) > 1 {
		var probes []string
		for _, j := range c.LeakageColumns {
			probes = append(probes, c.Columns[j].Estimator)
		}
		xlabel = fmt.Sprintf("%s attacker advantage (largest of %s)", lcol.Attribute, strings.Join(probes, ", "))
		xwords = "the largest of the mean advantages of the " + strings.Join(probes, " and ") + " attackers on " + lcol.Attribute
	}
	title := "Privacy–utility frontier: attacker advantage"
	svg, err := plot.Frontier(pts, plot.Options{Title: title, XLabel: xlabel, YLabel: ucol.Name})
	if err != nil {
		s.note("No frontier against the attacker advantage: %v.", err)
	} else {
		s.add("frontier-advantage", title,
			fmt.Sprintf("One point per setting: the mean over its seeds of the %s (utility, higher is better) against %s (leakage, lower is better). Filled points are the Pareto-optimal settings (* in the comparison), joined by the frontier line; rings are dominated. %s%s",
				ucol.Name, xwords, intervalWords(c), legend), svg, false)
	}

	// Against an MI estimate of the same attribute: the MLP attacker's
	// Barber–Agakov bound if there is one, else the first MI column.
	mi := -1
	for j, col := range c.Columns {
		if col.Section != "leakage" || !strings.HasPrefix(col.Measure, "I(Z;S)") || col.Attribute != lcol.Attribute {
			continue
		}
		if mi < 0 || strings.HasPrefix(col.Estimator, "barber-agakov (mlp") && !strings.HasPrefix(c.Columns[mi].Estimator, "barber-agakov (mlp") {
			mi = j
		}
	}
	if mi < 0 {
		s.note("No frontier against mutual information: the audits have no MI estimate of %s.", lcol.Attribute)
		return
	}
	mcol := c.Columns[mi]
	pts = pts[:0]
	for i, r := range c.Rows {
		pts = append(pts, point(i, r.Cells[mi]))
	}
	plot.MarkPareto(pts)
	title = "Privacy–utility frontier: mutual information"
	svg, err = plot.Frontier(pts, plot.Options{Title: title, XLabel: mcol.Name, YLabel: ucol.Name})
	if err != nil {
		s.note("No frontier against %s: %v.", mcol.Name, err)
		return
	}
	hs := ""
	for _, e := range c.Entropies {
		if e.Attribute == mcol.Attribute {
			hs = fmt.Sprintf(" H(%s) = %s nats is the most Z could reveal.", e.Attribute, reports.Number(e.Nats.Mean))
		}
	}
	s.add("frontier-mi", title,
		fmt.Sprintf("One point per setting: the mean over its seeds of the %s against the %s (leakage, lower is better; bound type: %s).%s Filled points are Pareto-optimal on these two axes, joined by the frontier line. %s%s",
			ucol.Name, mcol.Name, boundWord(mcol.Bound), hs, intervalWords(c), legend), svg, false)
}

func boundWord(b string) string {
	switch b {
	case metrics.BoundLower:
		return "a lower bound"
	case metrics.BoundUpper:
		return "an upper-bound style estimate"
	case metrics.BoundEstimate:
		return "an estimate, neither bound"
	}
	return "not given"
}

// fairnessFigures adds, per setting, the by-group rates of its first
// audit's first binary or worst-class fairness entry.
func fairnessFigures(s *figureSet, groups []ReportGroup, labels []string) {
	var without []string
	for i, g := range groups {
		in := g.Inputs[0]
		var f *metrics.Fairness
		for k := range in.Result.Fairness {
			e := &in.Result.Fairness[k]
			if (e.Kind == "binary" || e.Kind == "worst-class") && len(e.ByGroup) > 0 {
				f = e
				break
			}
		}
		if f == nil {
			without = append(without, g.Name)
			continue
		}
		title := fmt.Sprintf("Fairness by %s: %s", f.Group, labels[i])
		// The setting on a line of its own: a long name and the entry
		// would not fit on one line.
		svg, err := plot.FairnessBars(*f, plot.Options{Title: fmt.Sprintf("%s\n%s = %s by %s (%s)", labels[i], f.Target, f.Positive, f.Group, f.Kind)})
		if err != nil {
			s.note("No fairness figure for %s: %v.", g.Name, err)
			continue
		}
		source := "the " + f.Target + " probe's test predictions"
		if f.Source != "" && f.Source != "probe" {
			source = "the given predictions (" + f.Source + ")"
		}
		kind := "positive class " + f.Positive
		if f.Kind == "worst-class" {
			kind = "its worst class, " + f.Positive + " against the rest (the largest equalized odds difference)"
		}
		ci := "whiskers: that audit's bootstrap intervals over test rows"
		if in.Result.Bootstrap.Resamples <= 0 {
			ci = "no whiskers: that audit drew no bootstrap resamples"
		}
		of := ""
		if len(g.Inputs) > 1 {
			of = fmt.Sprintf(", the first of the setting's %d audits", len(g.Inputs))
		}
		s.add("fairness-"+figureSlug(g.Name), title,
			fmt.Sprintf("Setting %s: selection rate, TPR and FPR in each group of %s, for %s (%s), from the audit of %s (seed %d%s); %s. The demographic parity difference is the spread of the selection rates; the equalized odds difference the larger of the TPR and FPR spreads.",
				g.Name, f.Group, source, kind, in.Path, in.Seed, of, ci), svg, false)
	}
	if len(without) == len(groups) {
		s.note("No fairness figures: the audits measured no fairness (audit with --group).")
	} else if len(without) > 0 {
		s.note("No fairness figure for %s: the first audit has no binary or worst-class fairness entry.", strings.Join(without, "; "))
	}
}

// Thinning of training curves: a log with more than maxCurvePoints steps
// is drawn as the moving average over smoothSteps steps, every k-th step,
// with k chosen so that about maxCurvePoints points remain.
const (
	maxCurvePoints = 200
	smoothSteps    = 20
)

// runLog is the figures of a run's log.csv by column, empty cells NaN.
type runLog struct {
	steps []float64
	cols  map[string][]float64
}

// readRunLog reads dir's log.csv.
func readRunLog(dir string) (*runLog, error) {
	path := filepath.Join(dir, infomax.LogFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	head := recs[0]
	l := &runLog{cols: make(map[string][]float64)}
	si := slices.Index(head, "step")
	if si < 0 {
		return nil, fmt.Errorf("%s: no column step", path)
	}
	num := func(rec []string, j int) float64 {
		if j >= len(rec) {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(rec[j], 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	for _, rec := range recs[1:] {
		l.steps = append(l.steps, num(rec, si))
		for j, h := range head {
			l.cols[h] = append(l.cols[h], num(rec, j))
		}
	}
	return l, nil
}

// anyFinite reports whether xs has a finite value.
func anyFinite(xs []float64) bool {
	return slices.ContainsFunc(xs, func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) })
}

// thin returns the points a curve of (xs, ys) is drawn with: all of them
// if there are at most maxCurvePoints; else, every k-th point and the
// last, k = ⌈n / maxCurvePoints⌉, each y the mean of the finite values
// among the smoothSteps values up to it (NaN if none).
func thin(xs, ys []float64) (tx, ty []float64, k int) {
	n := len(xs)
	if n <= maxCurvePoints {
		return xs, ys, 1
	}
	k = (n + maxCurvePoints - 1) / maxCurvePoints
	for i := 0; i < n; i++ {
		if i%k != k-1 && i != n-1 {
			continue
		}
		var sum float64
		var c int
		for _, y := range ys[max(0, i-smoothSteps+1) : i+1] {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				sum += y
				c++
			}
		}
		y := math.NaN()
		if c > 0 {
			y = sum / float64(c)
		}
		tx = append(tx, xs[i])
		ty = append(ty, y)
	}
	return tx, ty, k
}

// trainingFigures adds, per setting of runs, the curves of its runs'
// logs: the DIM estimate and each training adversary's estimate against
// the step, one curve per seed and series, and the final audit's fresh
// attacker at the last step.
func trainingFigures(s *figureSet, groups []ReportGroup, labels []string) {
	for gi, g := range groups {
		if g.Kind != InputRun {
			continue
		}
		var curves []plot.Curve
		var dimWords, freshWords []string
		thinned := 0
		several := len(g.Inputs) > 1
		suffix := func(in *ReportInput) string {
			if several {
				return fmt.Sprintf(" · seed %d", in.Seed)
			}
			return ""
		}
		var dims, advs, fresh []plot.Curve
		for _, in := range g.Inputs {
			l, err := readRunLog(in.Path)
			if err != nil {
				s.note("No training curves of %s for %s: %v.", in.Path, g.Name, err)
				continue
			}
			est := orDefault(in.Params["dim_estimator"], "dim")
			// An MLP encoder's "local" estimate scores its code against
			// a corrupted view of its row.
			where := "local "
			if in.Params["encoder"] == "mlp" {
				where = "view "
			}
			dim, what := l.cols["local"], where+est
			if !anyFinite(dim) {
				// Global DIM only: the objective −loss.
				dim, what = make([]float64, len(l.steps)), "−loss"
				for i, v := range l.cols["loss"] {
					dim[i] = -v
				}
			}
			if !slices.Contains(dimWords, what) {
				dimWords = append(dimWords, what)
			}
			x, y, k := thin(l.steps, dim)
			thinned = max(thinned, k)
			dims = append(dims, plot.Curve{Name: "DIM (" + what + ")" + suffix(in), X: x, Y: y})
			last := math.NaN()
			for _, st := range l.steps {
				if !math.IsNaN(st) {
					last = st
				}
			}
			for _, a := range in.Adversary {
				col, ok := l.cols["adv_"+a.Attribute]
				if !ok {
					continue
				}
				x, y, _ := thin(l.steps, col)
				advs = append(advs, plot.Curve{Name: a.Adversary + " on " + a.Attribute + suffix(in), X: x, Y: y})
				// The final audit's fresh attacker on the same
				// attribute, at the last step.
				if m, name := freshMI(in.Result, a.Attribute); m != nil && !math.IsNaN(last) {
					fresh = append(fresh, plot.Curve{Name: "fresh " + name + suffix(in), X: []float64{last}, Y: []float64{m.Nats.Value}, Markers: true})
					w := fmt.Sprintf("%s on %s (%s)", m.Estimator, a.Attribute, boundWord(m.Bound))
					if !slices.Contains(freshWords, w) {
						freshWords = append(freshWords, w)
					}
				}
			}
		}
		curves = append(append(append(curves, dims...), advs...), fresh...)
		if len(curves) == 0 {
			continue
		}
		title := "Training: " + labels[gi]
		svg, err := plot.Curves(curves, plot.Options{Title: title, YLabel: "DIM score / MI estimate (nats)", Width: wideFigure, Height: curvesHeight})
		if err != nil {
			s.note("No training curves for %s: %v.", g.Name, err)
			continue
		}
		var adv []string
		for _, a := range g.Inputs[0].Adversary {
			adv = append(adv, fmt.Sprintf("the %s head's estimate of I(code; %s) (%s bound, nats)", a.Adversary, a.Attribute, a.Bound))
		}
		caption := fmt.Sprintf("Setting %s, per step of training", g.Name)
		if several {
			caption += fmt.Sprintf(", one curve per seed and series (%d runs)", len(g.Inputs))
		}
		caption += fmt.Sprintf(": the DIM objective's estimate (%s; a JSD score is a training signal, not nats)", strings.Join(dimWords, ", "))
		if slices.ContainsFunc(dimWords, func(w string) bool { return strings.HasPrefix(w, "view ") }) {
			caption += " — view: the MLP encoder's code scored against a corrupted view of its row —"
		}
		if len(adv) > 0 {
			caption += " and " + strings.Join(adv, ", ")
		}
		caption += "."
		if len(freshWords) > 0 {
			caption += " The markers at the last step are the final audit's fresh " + strings.Join(freshWords, "; ") +
				": fresh attackers see only the final codes; a training adversary far below them was fooled."
		}
		if thinned > 1 {
			caption += fmt.Sprintf(" Each curve is the moving average over the last %d logged steps, drawn every %d steps.", smoothSteps, thinned)
		} else {
			caption += " Every logged step is drawn, unsmoothed."
		}
		s.add("training-"+figureSlug(g.Name), title, caption, svg, true)
	}
}

// freshMI returns the final audit's MI figure for attr to set beside a
// training adversary: the MLP attacker's Barber–Agakov bound, else the
// linear attacker's; nil if neither was measured. name labels it.
func freshMI(r *metrics.Result, attr string) (*metrics.MI, string) {
	for _, l := range r.Leakage {
		if l.Attribute != attr {
			continue
		}
		for _, want := range []struct{ prefix, name string }{
			{"barber-agakov (mlp", "mlp attacker BA"},
			{"barber-agakov", "linear attacker BA"},
		} {
			for k := range l.MI {
				if m := &l.MI[k]; strings.HasPrefix(m.Estimator, want.prefix) && !math.IsNaN(m.Nats.Value) {
					return m, want.name + " on " + attr
				}
			}
		}
	}
	return nil, ""
}

// rocFigures adds, per protected attribute, the verification ROC curves
// of the settings' first audits.
func rocFigures(s *figureSet, groups []ReportGroup, labels []string, legend string) {
	if len(groups) == 0 {
		return
	}
	var without []string
	for _, l := range groups[0].Inputs[0].Result.Leakage {
		attr := l.Attribute
		var curves []plot.Curve
		for i, g := range groups {
			for _, gl := range g.Inputs[0].Result.Leakage {
				if gl.Attribute == attr && gl.ReID != nil && gl.ReID.Available && len(gl.ReID.ROC) > 0 {
					curves = append(curves, plot.ROCCurve(labels[i], gl.ReID.ROC))
				}
			}
		}
		if len(curves) == 0 {
			without = append(without, attr)
			continue
		}
		title := "Re-identification ROC: " + attr
		svg, err := plot.ROC(curves, true, plot.Options{Title: title, Width: wideFigure, Height: curvesHeight})
		if err != nil {
			s.note("No re-identification ROC for %s: %v.", attr, err)
			continue
		}
		s.add("roc-"+figureSlug(attr), title,
			fmt.Sprintf("Verification of %s from the embeddings: sampled pairs of test rows scored by cosine similarity, a pair with one value of %s counting as positive; one curve per setting, from its first audit (the point estimate, all pairs). The false positive rate is on a log axis from %g (smaller rates are drawn at its edge); the dotted line marks FPR = %g, where the tables' TPR at FPR = 1e-3 is read; the dashed curve is chance.%s",
				attr, attr, plot.MinLogFPR, plot.MarkFPR, legend), svg, true)
	}
	if len(without) > 0 {
		s.note("No re-identification ROC for %s: no audit measured verification (it needs an attribute with at least --reid-min-values distinct values, some repeated).", strings.Join(without, ", "))
	}
}

// reportFigurePage builds the html page's extras, or with another format
// only the figures for --plots.
func reportFigurePage(o *ReportOptions, rep *Report, plotsDir string) *reportPage {
	page := &reportPage{CommandLine: o.CommandLine}
	if o.Format == "html" || plotsDir != "" {
		page.Figures, page.FigureNotes = buildReportFigures(rep)
	}
	if o.Format == "html" {
		page.Gates = reportGateResults(rep.Inputs, o.gates)
	}
	return page
}

// writeFigureNotes prints the notes on left-out figures to w, for formats
// that do not show them.
func writeFigureNotes(w io.Writer, notes []string) {
	var b bytes.Buffer
	for _, n := range notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, _ = w.Write(b.Bytes())
}
