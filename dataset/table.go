package dataset

import "fmt"

// NewTable builds a label table from columns held in memory: cols[j] holds
// the values of column header[j], all of the same length. It returns an error
// for duplicate or empty names and columns of unequal length.
func NewTable(path string, header []string, cols [][]string) (*Table, error) {
	if len(header) != len(cols) {
		return nil, fmt.Errorf("%s: %d names for %d columns", path, len(header), len(cols))
	}
	seen := map[string]bool{}
	rows := -1
	for j, h := range header {
		if h == "" {
			return nil, fmt.Errorf("%s: column %d has an empty name", path, j+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("%s: duplicate column name %q", path, h)
		}
		seen[h] = true
		if rows >= 0 && len(cols[j]) != rows {
			return nil, fmt.Errorf("%s: column %q has %d values, want %d", path, h, len(cols[j]), rows)
		}
		rows = len(cols[j])
	}
	return &Table{Path: path, Header: header, Rows: max(rows, 0), cols: cols}, nil
}
