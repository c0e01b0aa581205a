// Command genaudit writes the audit benchmark's inputs: an n×d float32
// embedding matrix (.npy) with a 10-class target y, an identity column with
// a given number of identities, and a two-level group column sex, where
// identity and sex leak into the embedding by construction (see
// dataset.Example).
//
//	go run ./bench/genaudit -rows 100000 -dim 128 -ids 1000 -out bench/out
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/internal/atomicfile"
)

func main() {
	rows := flag.Int("rows", 100000, "rows")
	dim := flag.Int("dim", 128, "embedding dimension")
	ids := flag.Int("ids", 1000, "identities")
	seed := flag.Uint64("seed", 1, "seed")
	out := flag.String("out", "bench/out", "output folder")
	flag.Parse()
	if err := run(*rows, *dim, *ids, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genaudit:", err)
		os.Exit(1)
	}
}

func run(rows, dim, ids int, seed uint64, out string) error {
	if rows%ids != 0 {
		return fmt.Errorf("-rows %d is not a multiple of -ids %d", rows, ids)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	z, header, cols := dataset.Example(dataset.ExampleSpec{Writers: ids, RowsPerWriter: rows / ids, Dim: dim, Seed: seed})
	if err := dataset.WriteNPYFile(filepath.Join(out, "Z.npy"), z); err != nil {
		return err
	}
	l, err := atomicfile.Create(filepath.Join(out, "labels.csv"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(l)
	fmt.Fprintln(w, "y,identity,sex")
	_ = header // digit, writer, sex
	for i := range rows {
		fmt.Fprintf(w, "%s,%s,%s\n", cols[0][i], cols[1][i], cols[2][i])
	}
	if err := w.Flush(); err != nil {
		l.Abort()
		return err
	}
	return l.Commit()
}
