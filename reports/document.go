package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// document is a report laid out for the human formats: a title, tables and
// notes, all as plain text that each format escapes for itself.
type document struct {
	title  string
	tables []grid
	notes  []string
}

// grid is one table: a title, a header, rows of cells; numeric columns are
// right-aligned.
type grid struct {
	title   string
	header  []string
	rows    [][]string
	numeric []bool // per column
	// maxWidths, per column, is the width in terminal cells at which the
	// terminal table wraps a column's text; 0 or missing means never.
	maxWidths []int
}

// Columns of the main table.
const (
	colSection = iota
	colAttribute
	colMeasure
	colValue
	colCI
	colReference
	mainColumns
)

// newDocument lays out r: the main long-form table, a by-group table per
// fairness entry that is not one-vs-rest, a per-class table per target ×
// group (and prediction source) of one-vs-rest entries, and notes.
//
// One-vs-rest fairness entries (one per class of a multiclass target) can be
// many — ten per grouping for digits, thousands for an identity target — so
// the main table shows only binary and worst-class entries; the one-vs-rest
// ones appear as one compact row per class in a per-class table, and their
// by-group rates only in the CSV and JSON, which hold every figure.
func newDocument(r *metrics.Result) document {
	res := r.Bootstrap.Resamples
	d := document{title: "miaudit privacy audit"}
	if r.Input.Embeddings != "" {
		d.title += ": " + r.Input.Embeddings
	}

	figs := grid{
		title:   "Figures",
		header:  []string{"section", "attribute", "measure", "value", levelLabel(r.Bootstrap.Level), "reference"},
		numeric: []bool{colValue: true, colCI: true, mainColumns - 1: false},
		// Re-identification notes can be long. Attributes are not wrapped:
		// in a long-form table a row that spans two lines is easily misread.
		maxWidths: []int{colReference: 40},
	}
	for _, f := range figures(r) {
		if f.view != viewMain {
			continue
		}
		row := make([]string, mainColumns)
		row[colSection], row[colAttribute], row[colMeasure] = f.section, f.attribute, f.measure
		row[colValue], row[colCI] = "n/a", "—"
		if f.hasValue {
			row[colValue], row[colCI] = fmtNum(f.value.Value), fmtCI(f.value, res)
		}
		row[colReference] = f.ref.human()
		figs.rows = append(figs.rows, row)
	}
	d.tables = append(d.tables, figs)

	for _, f := range r.Fairness {
		if f.Kind == kindOneVsRest || len(f.ByGroup) == 0 {
			continue
		}
		g := grid{
			title:   "Fairness by group: " + fairnessAttribute(f),
			header:  []string{"group", "n", measureAccuracy, measureSelection, "TPR", "FPR"},
			numeric: []bool{false, true, true, true, true, true},
		}
		for _, gr := range f.ByGroup {
			g.rows = append(g.rows, []string{
				gr.Group,
				strconv.Itoa(gr.N),
				fmtValueCI(gr.Accuracy, res),
				fmtValueCI(gr.SelectionRate, res),
				fmtValueCI(gr.TPR, res),
				fmtValueCI(gr.FPR, res),
			})
		}
		d.tables = append(d.tables, g)
	}

	d.tables = append(d.tables, perClassTables(r)...)
	d.notes = notes(r)
	return d
}

// perClassTables gives one table per (target, group, source) of one-vs-rest
// fairness entries, one row per class, in the order the classes first appear.
func perClassTables(r *metrics.Result) []grid {
	type key struct{ target, group, source string }
	var order []key
	tables := make(map[key]*grid)
	res := r.Bootstrap.Resamples
	for _, f := range r.Fairness {
		if f.Kind != kindOneVsRest {
			continue
		}
		k := key{f.Target, f.Group, f.Source}
		g, ok := tables[k]
		if !ok {
			title := "Fairness per class, one class against the rest: " + fairnessTarget(f)
			if f.Source != "" && f.Source != "probe" {
				title += " (" + f.Source + ")"
			}
			g = &grid{
				title:   title,
				header:  []string{"class", measureDPD, measureDPR, measureEOD, measureEOpp},
				numeric: []bool{false, true, true, true, true},
			}
			tables[k] = g
			order = append(order, k)
		}
		row := []string{f.Positive}
		for _, m := range fairnessMeasures(f) {
			row = append(row, fmtValueCI(m.value, res))
		}
		g.rows = append(g.rows, row)
	}
	gs := make([]grid, len(order))
	for i, k := range order {
		gs[i] = *tables[k]
	}
	return gs
}

// notes are the sentences printed under the tables: what the intervals
// cover, the split, notes on single figures, warnings, the input, the seed
// and the version.
func notes(r *metrics.Result) []string {
	var ns []string
	add := func(format string, args ...any) { ns = append(ns, fmt.Sprintf(format, args...)) }

	b := r.Bootstrap
	if b.Resamples > 0 {
		s := fmt.Sprintf("Confidence intervals: %s from %d bootstrap resamples",
			strings.TrimSuffix(levelLabel(b.Level), " CI"), b.Resamples)
		if b.Level <= 0 || b.Level >= 1 {
			s = fmt.Sprintf("Confidence intervals from %d bootstrap resamples (level not recorded)", b.Resamples)
		}
		if b.Covers != "" {
			s += "; they cover " + b.Covers
		}
		add("%s.", s)
	} else {
		add("No confidence intervals: the audit drew no bootstrap resamples (shown as —).")
	}

	sp := r.Split
	switch sp.Method {
	case "column":
		add("Split: train/test column %q; %d train rows, %d test rows.", sp.Column, sp.TrainRows, sp.TestRows)
	case "stratified":
		s := "Split: seeded stratified random split"
		if sp.StratifiedBy != "" {
			s += fmt.Sprintf(" by %q", sp.StratifiedBy)
		}
		if sp.TestFraction > 0 {
			s += ", test fraction " + strconv.FormatFloat(sp.TestFraction, 'g', -1, 64)
		}
		add("%s; %d train rows, %d test rows.", s, sp.TrainRows, sp.TestRows)
	default:
		add("Split: %s; %d train rows, %d test rows.", orUnknown(sp.Method), sp.TrainRows, sp.TestRows)
	}

	for _, l := range r.Leakage {
		if l.UnseenTestRows > 0 {
			add("%s: %d test rows have a value that never occurs in the train split; no attacker can name them, so they count as errors.",
				l.Attribute, l.UnseenTestRows)
		}
		for _, m := range l.MI {
			if m.Note != "" {
				add("%s, I(Z;S) %s: %s", l.Attribute, m.Estimator, m.Note)
			}
		}
		if id := l.ReID; id != nil && id.Available {
			add("%s, re-identification: cosine similarity; %d gallery identities, %d probes (%d absent from the gallery), %d verification pairs.",
				l.Attribute, id.GalleryIdentities, id.Probes, id.AbsentProbes, id.Pairs)
			if id.Note != "" {
				add("%s, re-identification: %s", l.Attribute, id.Note)
			}
		}
	}

	for _, w := range r.Warnings {
		add("Warning: %s", w)
	}

	in := r.Input
	emb := orUnknown(in.Embeddings)
	if in.Key != "" {
		emb += fmt.Sprintf(" (key %q)", in.Key)
	}
	add("Input: embeddings %s, %d rows × %d dims, sha256 %s; labels %s, sha256 %s.",
		emb, in.Rows, in.Dim, orUnknown(in.SHA256), orUnknown(in.Labels), orUnknown(in.LabelsSHA256))
	add("Seed %d; miaudit %s; result schema %d.", r.Seed, orUnknown(r.Version), r.Schema)
	return ns
}

func orUnknown(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}
