package reports

import (
	"bytes"
	"fmt"
)

// Grid is one titled table of a document other packages render with
// WriteDocument: a header, rows of cells, and which columns are numeric
// (right-aligned).
type Grid struct {
	Title   string
	Header  []string
	Rows    [][]string
	Numeric []bool
}

// WriteDocument renders a title, grids and notes in the layout of the audit
// report, as "table" (terminal, via tablewriter) or "markdown"; the
// self-test's report uses it. Cells are plain text that each format escapes.
func WriteDocument(buf *bytes.Buffer, format, title string, grids []Grid, notes []string) error {
	d := document{title: title, notes: notes}
	for _, g := range grids {
		d.tables = append(d.tables, grid{title: g.Title, header: g.Header, rows: g.Rows, numeric: g.Numeric})
	}
	switch format {
	case "table":
		return writeTable(buf, d)
	case "markdown":
		writeMarkdown(buf, d)
		return nil
	}
	return fmt.Errorf("reports: document format %q (want table or markdown)", format)
}

// Number formats a figure for people as the reports do: three decimals,
// four significant digits below 5e-4 (so that a small variance does not
// print as 0.000), "n/a" for NaN.
func Number(x float64) string { return fmtNum(x) }
