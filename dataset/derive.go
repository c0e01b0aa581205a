package dataset

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Derive makes a new attribute column from part of another: the value of
// column Name in row i is the first capture group of Pattern matched
// against column Source in row i — for instance the sex part of German
// credit's personal_status ("male single", "female div/dep/mar"), with
// Pattern ^(male|female).
type Derive struct {
	Name, Source string
	Pattern      *regexp.Regexp
}

// ParseDerive parses NAME=SOURCE:PATTERN, PATTERN a regular expression
// (Go syntax) with exactly one capture group.
func ParseDerive(s string) (Derive, error) {
	name, rest, ok := strings.Cut(s, "=")
	source, pat, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || name == "" || source == "" || pat == "" {
		return Derive{}, fmt.Errorf("derived column %q: want NAME=SOURCE:PATTERN, e.g. sex=personal_status:^(male|female)", s)
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return Derive{}, fmt.Errorf("derived column %q: %w", s, err)
	}
	if re.NumSubexp() != 1 {
		return Derive{}, fmt.Errorf("derived column %q: the pattern has %d capture groups, want exactly 1", s, re.NumSubexp())
	}
	return Derive{Name: name, Source: source, Pattern: re}, nil
}

// String returns the NAME=SOURCE:PATTERN form.
func (d Derive) String() string { return d.Name + "=" + d.Source + ":" + d.Pattern.String() }

// applyDerive adds each derived column to d's attributes. A source that is
// not an attribute, a name already taken, or a row whose value does not
// match is an error naming the column and row.
func applyDerive(d *Dataset, derive []Derive) error {
	if len(derive) == 0 {
		return nil
	}
	if d.Attrs == nil {
		return fmt.Errorf("%s: no attribute columns to derive from", d.Name)
	}
	header := slices.Clone(d.Attrs.Header)
	cols := make([][]string, len(header))
	for j, h := range header {
		cols[j], _ = d.Attrs.Column(h)
	}
	for _, dv := range derive {
		j := slices.Index(header, dv.Source)
		if j < 0 {
			return newError(ErrNotFound, d.Name, "derived column %s: no attribute column %q (attributes: %s; a table's source must be among --label-columns)", dv.Name, dv.Source, strings.Join(header, ", "))
		}
		if slices.Contains(header, dv.Name) {
			return formatErrorf(d.Name, "derived column %s: the name is taken", dv.Name)
		}
		col := make([]string, len(cols[j]))
		for i, v := range cols[j] {
			m := dv.Pattern.FindStringSubmatch(v)
			if m == nil {
				return formatErrorf(d.Name, "derived column %s: row %d: %s = %q does not match %s", dv.Name, i+1, dv.Source, v, dv.Pattern)
			}
			col[i] = m[1]
		}
		header, cols = append(header, dv.Name), append(cols, col)
	}
	t, err := NewTable(d.Attrs.Path, header, cols)
	if err != nil {
		return err
	}
	d.Attrs = t
	return nil
}
