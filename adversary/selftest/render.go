package selftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/reports"
)

// Formats are the names Write accepts, in the order a help text lists them.
var Formats = []string{"table", "markdown", "json"}

// UnknownFormatError is returned by Write for a format not in Formats.
type UnknownFormatError struct {
	Format string
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("unknown self-test format %q (valid formats: %s)", e.Format, strings.Join(Formats, ", "))
}

// Write renders r to w in the named format, one of Formats:
//
//	table     a terminal table per staircase (Unicode box drawing), then notes
//	markdown  GitHub-flavoured Markdown: headings, pipe tables, notes
//	json      the Result itself, indented, with a trailing newline
//
// Each table has a row per level and estimator: the truth (± its Monte-Carlo
// standard error), the mean held-out estimate, bias, variance, MSE, the
// bound type and the estimator's ceiling if it has one. The whole output is
// rendered before anything is written, so an error leaves w untouched. An
// unknown format gives an *UnknownFormatError.
//
// Write panics if r is nil.
func Write(w io.Writer, r *Result, format string) error {
	if r == nil {
		panic("selftest: nil Result")
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "table", "markdown":
		d := newDocument(r)
		grids := make([]reports.Grid, len(d.grids))
		for i, g := range d.grids {
			grids[i] = reports.Grid{Title: g.title, Header: header, Rows: g.rows, Numeric: numeric}
		}
		err = reports.WriteDocument(&buf, format, d.title, grids, d.notes)
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	default:
		return &UnknownFormatError{Format: format}
	}
	if err != nil {
		return fmt.Errorf("render %s self-test: %w", format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// document is a Result laid out for people: a title, one grid per
// staircase, notes; plain text that each format escapes for itself.
type document struct {
	title string
	grids []grid
	notes []string
}

type grid struct {
	title string
	rows  [][]string
}

var (
	header = []string{"level", "truth", "estimator", "bound", "mean", "bias", "variance", "MSE", "ceiling"}
	// numeric columns are right-aligned.
	numeric = []bool{false, true, false, false, true, true, true, true, true}
)

func newDocument(r *Result) document {
	d := document{title: "miaudit selftest: MI estimators on tasks with known truth"}
	var diverged []string
	for i, row := range r.Rows {
		if i == 0 || row.Staircase != r.Rows[i-1].Staircase {
			d.grids = append(d.grids, grid{title: row.Staircase})
		}
		g := &d.grids[len(d.grids)-1]
		truth := reports.Number(row.Truth)
		if row.TruthSE > 0 {
			// A standard error to one significant digit.
			truth += " ± " + strconv.FormatFloat(row.TruthSE, 'g', 1, 64)
		}
		cells := []string{row.Level, truth, row.Estimator, row.Bound, "diverged", "—", "—", "—", "—"}
		if s := row.Stats; s != nil {
			cells[4], cells[5], cells[6], cells[7] = reports.Number(s.Mean), reports.Number(s.Bias), reports.Number(s.Variance), reports.Number(s.MSE)
		} else if strings.HasPrefix(row.Diverged, "not run") {
			cells[4] = "not run"
		}
		if row.Ceiling > 0 {
			cells[8] = reports.Number(row.Ceiling)
		}
		if row.Diverged != "" && !strings.HasPrefix(row.Diverged, "not run") {
			diverged = append(diverged, fmt.Sprintf("%s on %s: %s.", row.Estimator, row.Staircase, row.Diverged))
		}
		g.rows = append(g.rows, cells)
	}
	d.notes = append(d.notes,
		fmt.Sprintf("Each level: %d training steps, each on a fresh batch of %d, each followed by an estimate on a fresh held-out batch; the held-out estimates of the last %d steps are scored: mean, bias = mean − truth, variance (over those steps), MSE = bias² + variance. MI in nats, variance and MSE in nats².", r.Steps, r.BatchSize, r.Window),
		"Each estimator is built once per staircase and keeps training from one level to the next, as in Poole et al. (2019) and Song & Ermon (2020).",
		"Bound: lower = a variational lower bound, upper = an upper-bound style estimate (CLUB). Ceiling: a value the estimator can never exceed (InfoNCE: log of the batch size).",
		fmt.Sprintf("Truth: closed form −d/2·log(1−ρ²) for correlated Gaussians; for mixtures H(S) − E[H(S|Z)] by Monte Carlo over %d draws with the exact posterior, ± one standard error.", r.TruthSamples),
	)
	for _, s := range r.Skipped {
		d.notes = append(d.notes, fmt.Sprintf("%s not run on %s: %s.", s.Estimator, s.Staircase, s.Reason))
	}
	d.notes = append(d.notes, diverged...)
	d.notes = append(d.notes, r.Notes...)
	d.notes = append(d.notes, fmt.Sprintf("Seed %d, miaudit %s.", r.Seed, r.Version))
	return d
}
