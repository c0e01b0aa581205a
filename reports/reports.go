package reports

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/miaudit/miaudit/metrics"
)

// Formats are the names Write accepts, in the order a help text lists them.
var Formats = []string{"table", "markdown", "csv", "json", "latex"}

// UnknownFormatError is returned by Write for a format not in Formats.
type UnknownFormatError struct {
	Format string
}

func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("unknown report format %q (valid formats: %s)", e.Format, strings.Join(Formats, ", "))
}

// Write renders r to w in the named format, one of Formats:
//
//	table     a terminal table (Unicode box drawing)
//	markdown  GitHub-flavoured Markdown with headings and pipe tables
//	csv       long form, one row per figure, numbers at full precision
//	json      the Result itself, indented, with a trailing newline
//	latex     a booktabs table environment for \input (needs \usepackage{booktabs})
//
// The whole report is rendered before anything is written, so an error
// leaves w untouched. An unknown format gives an *UnknownFormatError. The json
// format fails if a plain float64 field of r (not an Interval) is NaN or
// infinite, which encoding/json cannot represent.
//
// Write panics if r is nil.
func Write(w io.Writer, r *metrics.Result, format string) error {
	if r == nil {
		panic("reports: nil Result")
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "table":
		err = writeTable(&buf, newDocument(r))
	case "markdown":
		writeMarkdown(&buf, newDocument(r))
	case "csv":
		err = writeCSV(&buf, r)
	case "json":
		err = writeJSON(&buf, r)
	case "latex":
		writeLaTeX(&buf, newDocument(r))
	default:
		return &UnknownFormatError{Format: format}
	}
	if err != nil {
		return fmt.Errorf("render %s report: %w", format, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
