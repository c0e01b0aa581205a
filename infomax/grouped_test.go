package infomax

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// TestGroupedOrder checks the epoch order of grouped negatives on 3 keys
// of 7, 5 and 2 rows in groups of 2: floor(7/2) + floor(5/2) + floor(2/2)
// = 3 + 2 + 1 = 6 groups, 12 rows; every aligned pair shares its key, no
// row comes twice, the seed and epoch fix the order and another epoch
// gives another.
func TestGroupedOrder(t *testing.T) {
	keys := []string{"a", "b", "a", "c", "a", "b", "a", "b", "c", "a", "b", "a", "b", "a", "x"}
	rows := make([]int, 14) // row 14 ("x") is not a training row
	for i := range rows {
		rows[i] = i
	}
	o := groupedOrder(7, 0, rows, keys, 2)
	if len(o) != 12 {
		t.Fatalf("got %d rows, want 12: %v", len(o), o)
	}
	seen := map[int]bool{}
	for i, row := range o {
		if row == 14 || seen[row] {
			t.Errorf("row %d unexpected or repeated in %v", row, o)
		}
		seen[row] = true
		if i%2 == 1 && keys[o[i-1]] != keys[row] {
			t.Errorf("group %d mixes rows %d (%s) and %d (%s)", i/2, o[i-1], keys[o[i-1]], row, keys[row])
		}
	}
	if again := groupedOrder(7, 0, rows, keys, 2); !slices.Equal(o, again) {
		t.Errorf("same seed and epoch: %v then %v", o, again)
	}
	if next := groupedOrder(7, 1, rows, keys, 2); slices.Equal(o, next) {
		t.Errorf("epochs 0 and 1 gave the same order %v", o)
	}
}

// TestGroupedNegativesRun trains with negatives within a key column of 3
// values on 24 training rows (8 per key: 4 groups of 2 each, 12 groups,
// 4 batches of 6), interrupted after step 3 and resumed: the same encoder
// as an uninterrupted run. A missing column and an empty value are
// refused, naming them.
func TestGroupedNegativesRun(t *testing.T) {
	data := blobImages(t, 34, 1) // rows 0–23 train
	split, _ := data.Attrs.Column("split")
	key := make([]string, data.N)
	for i := range key {
		key[i] = string(rune('a' + i%3))
	}
	tab, err := dataset.NewTable("blobs", []string{"split", "key"}, [][]string{split, key})
	if err != nil {
		t.Fatal(err)
	}
	data.Attrs = tab
	cfg := tinyConv(5)
	cfg.NegGroup, cfg.NegColumns = 2, []string{"key"}
	opts := RunOptions{Data: data, Spec: "blobs", Epochs: 2, CheckpointEvery: 2, Version: "test"}

	opts.Dir = filepath.Join(t.TempDir(), "straight")
	r, err := NewRun(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().StepsPerEpoch != 4 {
		t.Errorf("%d steps per epoch, want 4", r.Info().StepsPerEpoch)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	want := encoderBytes(t, opts.Dir)

	opts.Dir = filepath.Join(t.TempDir(), "resumed")
	if r, err = NewRun(cfg, opts); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Train(ctx, func(p Progress) {
		if p.Step == 3 {
			cancel()
		}
	})
	r.Close()
	if r, err = ResumeRun(opts.Dir, data, 0, 2, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !bytes.Equal(encoderBytes(t, opts.Dir), want) {
		t.Error("the resumed run's encoder differs from the uninterrupted run's")
	}

	// The same seed without groups trains another encoder: the groups
	// change the batches and the objective.
	plain := cfg
	plain.NegGroup, plain.NegColumns = 0, nil
	opts.Dir = filepath.Join(t.TempDir(), "plain")
	if r, err = NewRun(plain, opts); err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if bytes.Equal(encoderBytes(t, opts.Dir), want) {
		t.Error("grouped negatives trained the same encoder as plain ones")
	}

	bad := cfg
	bad.NegColumns = []string{"writer"}
	if _, err := NewRun(bad, RunOptions{Dir: filepath.Join(t.TempDir(), "x"), Data: data, Epochs: 1}); err == nil || !strings.Contains(err.Error(), `"writer", which blobs does not have`) {
		t.Errorf("missing column: got %v", err)
	}
	key[4] = ""
	tab, _ = dataset.NewTable("blobs", []string{"split", "key"}, [][]string{split, key})
	data.Attrs = tab
	if _, err := NewRun(cfg, RunOptions{Dir: filepath.Join(t.TempDir(), "y"), Data: data, Epochs: 1}); err == nil || !strings.Contains(err.Error(), "row 4 of blobs has no value") {
		t.Errorf("empty value: got %v", err)
	}
}
