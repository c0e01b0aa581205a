package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

func TestDataFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want DataStyledOptions
	}{
		{[]string{"styled-mnist", "--out", "d"}, DataStyledOptions{Writers: 50, Out: "d"}},
		{[]string{"styled-mnist", "-o", "d", "--writers", "2", "--seed", "9", "--train", "200", "--test", "50", "--force", "-q"},
			DataStyledOptions{Writers: 2, Seed: 9, Train: 200, Test: 50, Out: "d", Force: true, Quiet: true}},
	} {
		var got *DataStyledOptions
		cmd := NewCmdData(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *DataStyledOptions) error {
			got = o
			return nil
		})
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		g := *got
		g.IO = nil
		if !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%v: got %+v, want %+v", tc.args, g, tc.want)
		}
	}
}

func TestDataHelp(t *testing.T) {
	out, errOut, code := run(t, "data")
	if code != ExitOK || errOut != "" || !strings.Contains(out, "styled-mnist") || !strings.Contains(out, "Usage:") {
		t.Errorf("got exit %d, stdout %q, stderr %q, want the help on stdout", code, out, errOut)
	}
	out, _, code = run(t, "data", "styled-mnist", "--help")
	for _, w := range []string{"styles.csv", "--writers", "Examples:"} {
		if code != ExitOK || !strings.Contains(out, w) {
			t.Errorf("styled-mnist --help: got exit %d, stdout lacks %q", code, w)
		}
	}
}

func TestDataErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	full := filepath.Join(dir, "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("keep"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no out", []string{"data", "styled-mnist"}, []string{"--out is required"}},
		{"no writers", []string{"data", "styled-mnist", "--out", dir, "--writers", "0"}, []string{"--writers must be at least 2", "got 0"}},
		{"one writer", []string{"data", "styled-mnist", "--out", dir, "--writers", "1"}, []string{"--writers must be at least 2", "got 1"}},
		{"negative train", []string{"data", "styled-mnist", "--out", dir, "--train", "-1"}, []string{"--train must be 0 (all) or a positive count, got -1"}},
		{"negative test", []string{"data", "styled-mnist", "--out", dir, "--test", "-5"}, []string{"--test must be", "got -5"}},
		{"bad seed", []string{"data", "styled-mnist", "--out", dir, "--seed", "-1"}, []string{"seed"}},
		{"out is a file", []string{"data", "styled-mnist", "--out", file}, []string{file, "is a file"}},
		{"out not empty", []string{"data", "styled-mnist", "--out", full}, []string{full, "not empty", "--force"}},
		{"out parent missing", []string{"data", "styled-mnist", "--out", filepath.Join(dir, "no", "d")}, []string{"does not exist"}},
		{"unknown subcommand", []string{"data", "styled-fashion"}, []string{"unknown command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != ExitUsage {
				t.Errorf("got exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "miaudit: ") {
				t.Errorf("got stdout %q stderr %q, want one line on stderr starting miaudit:", out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(full, "keep.txt")); string(b) != "keep" {
		t.Error("a refused run touched the folder")
	}
}

// fakeDigits is a small source in MNIST's form: 6 train and 3 test images
// of 4×4 pixels with columns digit and split.
func fakeDigits(t *testing.T) *dataset.Dataset {
	t.Helper()
	const n = 9
	digits, splits := make([]string, n), make([]string, n)
	x := make([]float32, n*16)
	for i := range n {
		digits[i] = fmt.Sprint(i % 10)
		splits[i] = map[bool]string{true: "train", false: "test"}[i < 6]
		x[i*16+5], x[i*16+6], x[i*16+9] = 1, float32(i)/255, 0.5
	}
	attrs, err := dataset.NewTable("fake", []string{"digit", "split"}, [][]string{digits, splits})
	if err != nil {
		t.Fatal(err)
	}
	return &dataset.Dataset{Name: "fake", Shape: []int{1, 4, 4}, N: n, X: x, Attrs: attrs}
}

func TestDataStyledRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var errOut bytes.Buffer
	o := &DataStyledOptions{IO: &IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut}, Writers: 3, Seed: 2, Out: dir, source: fakeDigits(t)}
	if err := dataStyledRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if want := "wrote " + dir + ": 6 train + 3 test images by 3 writers (seed 2)\n"; errOut.String() != want {
		t.Errorf("got stderr %q, want %q", errOut.String(), want)
	}
	first, err := os.ReadFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}

	// Into the same, now full, folder: refused without --force; with
	// --force and -q the same bytes, nothing on stderr.
	if err := dataStyledRun(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("second run without --force: got %v", err)
	}
	errOut.Reset()
	o.Force, o.Quiet = true, true
	if err := dataStyledRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"))
	if !bytes.Equal(first, again) || errOut.Len() != 0 {
		t.Errorf("rerun with --force -q: same bytes %v, stderr %q", bytes.Equal(first, again), errOut.String())
	}

	o.Train = 7
	if err := dataStyledRun(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--train 7: fake has 6 train digits") {
		t.Errorf("--train beyond the source: got %v", err)
	}
	o.Train, o.Test = 0, 4
	if err := dataStyledRun(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--test 4: fake has 3 test digits") {
		t.Errorf("--test beyond the source: got %v", err)
	}
}

// The command end to end on MNIST, read back with LoadIDXDir.
func TestDataStyledMNIST(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "styled")
	out, errOut, code := run(t, "data", "styled-mnist", "--train", "200", "--test", "50", "--writers", "10", "--seed", "4", "--out", dir)
	if code != ExitOK {
		t.Fatalf("got exit %d, stderr %q", code, errOut)
	}
	if want := "wrote " + dir + ": 200 train + 50 test images by 10 writers (seed 4)\n"; out != "" || errOut != want {
		t.Errorf("got stdout %q stderr %q, want nothing and %q", out, errOut, want)
	}
	d, err := dataset.LoadIDXDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 250 || !reflect.DeepEqual(d.Shape, []int{1, 28, 28}) || !reflect.DeepEqual(d.Attrs.Header, []string{"digit", "writer", "group", "split"}) {
		t.Fatalf("got N %d, shape %v, columns %v", d.N, d.Shape, d.Attrs.Header)
	}
	digit, _ := d.Attrs.Column("digit")
	writer, _ := d.Attrs.Column("writer")
	group, _ := d.Attrs.Column("group")
	// MNIST's first ten train and test labels (LeCun et al.'s files, as
	// every tutorial prints them).
	if got := strings.Join(digit[:10], ""); got != "5041921314" {
		t.Errorf("got first train digits %s, want 5041921314", got)
	}
	if got := strings.Join(digit[200:210], ""); got != "7210414959" {
		t.Errorf("got first test digits %s, want 7210414959", got)
	}
	// Balanced: 200/10 = 20 train and 50/10 = 5 test digits per writer;
	// w00–w04 in group A, w05–w09 in B.
	count := map[string]int{}
	for i, w := range writer {
		if i < 200 {
			count[w] += 100
		} else {
			count[w]++
		}
		if want := map[bool]string{true: "A", false: "B"}[w < "w05"]; group[i] != want {
			t.Errorf("row %d: writer %s in group %s, want %s", i, w, group[i], want)
		}
	}
	for k := range 10 {
		if w := fmt.Sprintf("w%02d", k); count[w] != 2005 {
			t.Errorf("writer %s: got %d train and %d test digits, want 20 and 5", w, count[w]/100, count[w]%100)
		}
	}
	st, err := dataset.ReadLabels(filepath.Join(dir, "styles.csv"))
	if err != nil || st.Rows != 10 {
		t.Errorf("styles.csv: %v, want 10 writers", err)
	}
}
