// Package reports renders an audit's metrics.Result for review: a terminal
// table, GitHub-flavoured Markdown, long-form CSV, JSON and a LaTeX booktabs
// table.
//
// Every human view shows the same figures, one row per figure, in one
// long-form table with the columns
//
//	section | attribute | measure | value | CI | reference
//
// followed by a by-group breakdown for each fairness entry and by notes (what
// the confidence intervals cover, the split, warnings, the input's hash, seed
// and version). The CSV holds every figure, including those the human views
// show only in their by-group and per-class tables, with numbers at full
// precision; the JSON is the Result itself.
//
// Many audits compare side by side with Compare and WriteComparison, and
// WriteHTML renders a comparison with its figures (SVG from package plot),
// its audits and their provenance as one self-contained HTML page.
//
// The package only writes to the io.Writer it is given: it never prints,
// reads flags or exits.
package reports
