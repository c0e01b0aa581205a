package selftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
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
	case "table":
		err = writeTable(&buf, newDocument(r))
	case "markdown":
		writeMarkdown(&buf, newDocument(r))
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
		truth := fmtNum(row.Truth)
		if row.TruthSE > 0 {
			// A standard error to one significant digit.
			truth += " ± " + strconv.FormatFloat(row.TruthSE, 'g', 1, 64)
		}
		cells := []string{row.Level, truth, row.Estimator, row.Bound, "diverged", "—", "—", "—", "—"}
		if s := row.Stats; s != nil {
			cells[4], cells[5], cells[6], cells[7] = fmtNum(s.Mean), fmtNum(s.Bias), fmtNum(s.Variance), fmtNum(s.MSE)
		} else if strings.HasPrefix(row.Diverged, "not run") {
			cells[4] = "not run"
		}
		if row.Ceiling > 0 {
			cells[8] = fmtNum(row.Ceiling)
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

// writeTable renders d for a terminal, a tablewriter table per grid.
func writeTable(buf *bytes.Buffer, d document) error {
	fmt.Fprintf(buf, "%s\n", d.title)
	align := make(tw.Alignment, len(header))
	for i := range align {
		align[i] = tw.AlignLeft
		if numeric[i] {
			align[i] = tw.AlignRight
		}
	}
	for _, g := range d.grids {
		fmt.Fprintf(buf, "\n%s\n", g.title)
		t := tablewriter.NewTable(buf,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
			tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		)
		t.Header(header)
		if err := t.Bulk(g.rows); err != nil {
			return err
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	buf.WriteString("\nNotes\n")
	for _, n := range d.notes {
		fmt.Fprintf(buf, "- %s\n", n)
	}
	return nil
}

// mdEscaper backslash-escapes the characters that would end a table cell
// (|) or start inline markup.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`, "<", `\<`, ">", `\>`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

// writeMarkdown renders d as GitHub-flavoured Markdown.
func writeMarkdown(buf *bytes.Buffer, d document) {
	buf.WriteString("# " + mdEscaper.Replace(d.title) + "\n")
	row := func(cells []string) {
		buf.WriteString("|")
		for _, c := range cells {
			buf.WriteString(" " + mdEscaper.Replace(c) + " |")
		}
		buf.WriteString("\n")
	}
	for _, g := range d.grids {
		buf.WriteString("\n## " + mdEscaper.Replace(g.title) + "\n\n")
		row(header)
		buf.WriteString("|")
		for _, n := range numeric {
			if n {
				buf.WriteString(" ---: |")
			} else {
				buf.WriteString(" --- |")
			}
		}
		buf.WriteString("\n")
		for _, r := range g.rows {
			row(r)
		}
	}
	buf.WriteString("\n## Notes\n\n")
	for _, n := range d.notes {
		buf.WriteString("- " + mdEscaper.Replace(n) + "\n")
	}
}

// fmtNum formats a figure for people: three decimals, or four significant
// digits below 5e-4 so that a small variance does not print as 0.000.
func fmtNum(x float64) string {
	if x != 0 && math.Abs(x) < 5e-4 {
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	s := strconv.FormatFloat(x, 'f', 3, 64)
	if s == "-0.000" {
		s = "0.000"
	}
	return s
}
