package dataset

import (
	"encoding/csv"
	"fmt"

	"github.com/miaudit/miaudit/internal/atomicfile"
)

// WriteNPYFile writes m to path as .npy (WriteNPY), atomically: a
// temporary file in the same folder renamed over path.
func WriteNPYFile(path string, m *Matrix) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	if err := WriteNPY(f, m); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// WriteTableCSV writes t as CSV (the header, then one line per row) to
// path, atomically.
func WriteTableCSV(path string, t *Table) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	cols := make([][]string, len(t.Header))
	for j, h := range t.Header {
		if cols[j], err = t.Column(h); err != nil {
			f.Abort()
			return err
		}
	}
	rec := make([]string, len(t.Header))
	werr := w.Write(t.Header)
	for i := 0; i < t.Rows && werr == nil; i++ {
		for j := range cols {
			rec[j] = cols[j][i]
		}
		werr = w.Write(rec)
	}
	if w.Flush(); werr == nil {
		werr = w.Error()
	}
	if werr != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return f.Commit()
}
