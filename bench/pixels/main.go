// Command pixels writes a dataset's raw inputs as an embedding matrix
// (.npy, float32, one flattened example per row, values in [0, 1]) and its
// attributes as a labels CSV: the "logistic regression on raw pixels"
// baseline of the DIM quality run, audited like any other embeddings.
//
//	go run ./bench/pixels -data mnist -out bench/out/pixels
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/miaudit/miaudit/dataset"
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
	if err := dataset.WriteNPYFile(filepath.Join(out, "Z.npy"), m); err != nil {
		return err
	}
	return dataset.WriteTableCSV(filepath.Join(out, "labels.csv"), d.Attrs)
}
