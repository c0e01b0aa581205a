// Command pixels writes a dataset's raw inputs as an embedding matrix
// (.npy, float32, one flattened example per row, values in [0, 1]) and its
// attributes as a labels CSV: the "logistic regression on raw pixels"
// baseline of the DIM quality run, audited like any other embeddings.
//
//	go run ./bench/pixels -data mnist -out bench/out/pixels
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/internal/atomicfile"
)

func main() {
	spec := flag.String("data", "mnist", "dataset spec (as miaudit train --data)")
	out := flag.String("out", "bench/out/pixels", "output folder")
	flag.Parse()
	if err := run(*spec, *out); err != nil {
		fmt.Fprintln(os.Stderr, "pixels:", err)
		os.Exit(1)
	}
}

func run(spec, out string) error {
	d, err := dataset.Load(spec, dataset.LoadOptions{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	m := &dataset.Matrix{Rows: d.N, Cols: d.Size(), Data: d.X}
	f, err := atomicfile.Create(filepath.Join(out, "Z.npy"))
	if err != nil {
		return err
	}
	if err := dataset.WriteNPY(f, m); err != nil {
		f.Abort()
		return err
	}
	if err := f.Commit(); err != nil {
		return err
	}
	lf, err := atomicfile.Create(filepath.Join(out, "labels.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(lf)
	w.Write(d.Attrs.Header)
	cols := make([][]string, len(d.Attrs.Header))
	for j, h := range d.Attrs.Header {
		cols[j], _ = d.Attrs.Column(h)
	}
	rec := make([]string, len(cols))
	for i := range d.N {
		for j := range cols {
			rec[j] = cols[j][i]
		}
		w.Write(rec)
	}
	if w.Flush(); w.Error() != nil {
		lf.Abort()
		return w.Error()
	}
	return lf.Commit()
}
