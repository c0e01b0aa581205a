package dataset

import (
	"io"
	"os"
	"strings"
)

// Table is a label table read from a CSV file: named columns of string
// values, one row per embedding.
type Table struct {
	Path   string   // file the table was read from
	Header []string // column names, in file order, spaces trimmed
	Rows   int      // number of data rows (the header line not counted)

	cols [][]string // cols[j][i] is row i of column Header[j]
}

// ReadLabels reads a CSV label table from path. The first line is the
// header; it may start with a UTF-8 byte-order mark. Column names and values
// have surrounding spaces trimmed (so " F" and "F" are one group); values are
// otherwise kept as written, the empty string included.
//
// An empty file, a header without data rows, an empty or duplicate column
// name, a row whose number of fields differs from the header's or bad
// quoting is an error matching ErrFormat whose message starts with path and
// names the line or column. Errors opening or reading the file are those of
// package os.
func ReadLabels(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr, err := newCSVReader(f)
	if err != nil {
		return nil, ioError(path, err)
	}

	header, err := cr.Read()
	if err == io.EOF {
		return nil, formatErrorf(path, "empty file (want a header line naming the columns)")
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	seen := make(map[string]int, len(header))
	for j, name := range header {
		name = strings.TrimSpace(name)
		header[j] = name
		if name == "" {
			return nil, formatErrorf(path, "column %d (0-based) has an empty header name", j)
		}
		if k, dup := seen[name]; dup {
			return nil, formatErrorf(path, "duplicate column name %q (columns %d and %d, 0-based)", name, k, j)
		}
		seen[name] = j
	}

	t := &Table{Path: path, Header: header, cols: make([][]string, len(header))}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		if len(rec) != len(header) {
			line, _ := cr.FieldPos(0)
			return nil, formatErrorf(path, "line %d: %s, want %d", line, fieldCount(len(rec)), len(header))
		}
		for j, v := range rec {
			t.cols[j] = append(t.cols[j], strings.TrimSpace(v))
		}
		t.Rows++
	}
	if t.Rows == 0 {
		return nil, formatErrorf(path, "no data rows after the header")
	}
	return t, nil
}

// Has reports whether the table has a column called name.
func (t *Table) Has(name string) bool {
	return t.index(name) >= 0
}

// Column returns a copy of the values of the column called name, one per
// row. An unknown name is an error matching ErrNotFound that lists the
// available columns.
func (t *Table) Column(name string) ([]string, error) {
	j := t.index(name)
	if j < 0 {
		return nil, newError(ErrNotFound, t.Path, "no column %q (available: %s)", name, strings.Join(t.Header, ", "))
	}
	return append([]string(nil), t.cols[j]...), nil
}

// index returns the position of column name in the header, or -1.
func (t *Table) index(name string) int {
	for j, h := range t.Header {
		if h == name {
			return j
		}
	}
	return -1
}

// Intersect returns the group label of every row for a group spec: a column
// name, or several joined by "+". For "a+b" row i's label is
// a[i] + "+" + b[i], e.g. "F+young" for sex "F" and age "young": the
// intersection of the groups of a and b. A spec naming an existing column
// is taken as that column even if it contains "+".
//
// An unknown or empty column name in spec is an error matching ErrNotFound.
// If values themselves contain "+" so that two different combinations give
// the same label (("x+", "y") and ("x", "+y") both give "x++y"), the groups
// would silently merge: that is an error matching ErrFormat.
func Intersect(t *Table, spec string) ([]string, error) {
	if t.Has(spec) {
		return t.Column(spec)
	}
	names := strings.Split(spec, "+")
	if len(names) == 1 {
		return t.Column(spec)
	}
	cols := make([][]string, len(names))
	for k, name := range names {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, newError(ErrNotFound, t.Path, "group spec %q has an empty column name (want names joined by \"+\")", spec)
		}
		j := t.index(name)
		if j < 0 {
			return nil, newError(ErrNotFound, t.Path, "group spec %q: no column %q (available: %s)", spec, name, strings.Join(t.Header, ", "))
		}
		names[k], cols[k] = name, t.cols[j]
	}

	labels := make([]string, t.Rows)
	parts := make([]string, len(cols))
	var ambiguous bool // some value contains "+"
	for i := range labels {
		for k, c := range cols {
			parts[k] = c[i]
			ambiguous = ambiguous || strings.Contains(c[i], "+")
		}
		labels[i] = strings.Join(parts, "+")
	}
	if ambiguous {
		if err := checkJoinInjective(t.Path, spec, names, cols, labels); err != nil {
			return nil, err
		}
	}
	return labels, nil
}

// checkJoinInjective returns an error if two rows with different value
// combinations in cols got the same joined label.
func checkJoinInjective(path, spec string, names []string, cols [][]string, labels []string) error {
	first := make(map[string]int) // label -> first row with it
	for i, label := range labels {
		r, ok := first[label]
		if !ok {
			first[label] = i
			continue
		}
		for _, c := range cols {
			if c[i] != c[r] {
				return formatErrorf(path, "group spec %q is ambiguous: rows %d and %d (0-based) have different values of %s but both join to %q (a value contains \"+\")", spec, r, i, strings.Join(names, ", "), label)
			}
		}
	}
	return nil
}
