package infomax

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/dataset"
)

// tinyConv is a small conv model for 1×8×8 inputs with every objective
// on: local, global and prior matching.
func tinyConv(seed uint64) Config {
	c := DefaultConfig([]int{1, 8, 8})
	c.Channels, c.LocalLayer, c.Code, c.Embed, c.Batch, c.Seed = []int{4, 6, 8}, 1, 5, 5, 6, seed
	c.Alpha, c.Gamma = 0.5, 0.1
	return c
}

// blobImages returns n 1×8×8 images, each a bright square at a random
// place on a dark background (so that local and global views share
// information), with a "split" attribute: the first n−10 rows train.
func blobImages(t *testing.T, n int, seed uint64) *dataset.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n*64)
	split := make([]string, n)
	for i := range n {
		r, c := rng.IntN(6), rng.IntN(6)
		for dy := range 3 {
			for dx := range 3 {
				x[i*64+(r+dy)*8+c+dx] = 1
			}
		}
		split[i] = "train"
		if i >= n-10 {
			split[i] = "test"
		}
	}
	tab, err := dataset.NewTable("blobs", []string{"split"}, [][]string{split})
	if err != nil {
		t.Fatal(err)
	}
	return &dataset.Dataset{Name: "blobs", Shape: []int{1, 8, 8}, N: n, X: x, Attrs: tab, Hash: "blobs-hash"}
}

func encoderBytes(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, EncoderFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logFigures returns log.csv without its seconds column.
func logFigures(t *testing.T, dir string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, LogFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		recs[i] = recs[i][:len(recs[i])-1]
	}
	return recs
}

// TestResumeIsExact interrupts a run after step 3 of 8 and resumes it: the
// encoder's bytes and every logged figure equal those of an uninterrupted
// run with the same seed, with and without cross-view DIM (whose
// transformations are drawn anew at every step).
func TestResumeIsExact(t *testing.T) {
	both := AffineAugment
	both.Both = true
	for name, aug := range map[string]Augment{"plain": {}, "cross-view": AffineAugment, "both views": both} {
		cfg := tinyConv(3)
		cfg.Augment = aug
		t.Run(name, func(t *testing.T) { testResumeIsExact(t, cfg) })
	}
}

func testResumeIsExact(t *testing.T, cfg Config) {
	data := blobImages(t, 34, 1) // 24 train rows: 4 steps per epoch
	opts := RunOptions{Data: data, Spec: "blobs", Epochs: 2, CheckpointEvery: 2, Version: "test"}

	opts.Dir = filepath.Join(t.TempDir(), "straight")
	r, err := NewRun(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if info, _ := ReadRunInfo(opts.Dir); info.Status != StatusDone || info.Step != 8 {
		t.Fatalf("straight run: status %s at step %d, want done at 8", info.Status, info.Step)
	}
	want, wantLog := encoderBytes(t, opts.Dir), logFigures(t, opts.Dir)

	opts.Dir = filepath.Join(t.TempDir(), "resumed")
	r, err = NewRun(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = r.Train(ctx, func(p Progress) {
		if p.Step == 3 {
			cancel()
		}
	})
	r.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: got %v, want context.Canceled", err)
	}
	info, err := ReadRunInfo(opts.Dir)
	if err != nil || info.Status != StatusInterrupted || info.Step != 3 {
		t.Fatalf("after interruption: %+v, %v; want interrupted at step 3", info, err)
	}
	// A process killed while writing a log row (SIGKILL, a power cut)
	// leaves the row cut short with no newline: resuming drops it.
	logf, err := os.OpenFile(filepath.Join(opts.Dir, LogFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := logf.WriteString("4,1,1.31"); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	r, err = ResumeRun(opts.Dir, data, 0, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if got := encoderBytes(t, opts.Dir); !bytes.Equal(got, want) {
		t.Error("the resumed run's encoder differs from the uninterrupted run's")
	}
	for _, rec := range wantLog[1:] {
		if rec[3] == "" || rec[4] == "" || rec[5] == "" {
			t.Fatalf("log row %q: every objective should have a figure", rec)
		}
	}
	if got := logFigures(t, opts.Dir); !slices.EqualFunc(got, wantLog, slices.Equal) {
		t.Errorf("resumed log:\n%q\nuninterrupted:\n%q", got, wantLog)
	}
	// Only the last checkpoint's state files remain.
	ents, _ := os.ReadDir(filepath.Join(opts.Dir, stateDir))
	if len(ents) != 4 {
		t.Errorf("%d files in state/, want 4 (params and adam, each with its sidecar)", len(ents))
	}
}

// TestResumeChecks refuses a run folder that is not empty, data that has
// changed and a missing run.
func TestResumeChecks(t *testing.T) {
	data := blobImages(t, 34, 1)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("x"), 0o644)
	if _, err := NewRun(tinyConv(1), RunOptions{Dir: dir, Data: data, Epochs: 1}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("non-empty folder: got %v", err)
	}
	dir = filepath.Join(t.TempDir(), "run")
	r, err := NewRun(tinyConv(1), RunOptions{Dir: dir, Data: data, Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	other := blobImages(t, 34, 2)
	other.Hash = "other"
	if _, err := ResumeRun(dir, other, 0, 0, nil); err == nil || !strings.Contains(err.Error(), "data has changed") {
		t.Errorf("changed data: got %v", err)
	}
	if _, err := ResumeRun(t.TempDir(), data, 0, 0, nil); err == nil || !strings.Contains(err.Error(), "run.json is missing") {
		t.Errorf("no run: got %v", err)
	}
	if _, err := NewRun(tinyConv(1), RunOptions{Dir: filepath.Join(t.TempDir(), "x"), Data: blobImages(t, 14, 1), Epochs: 1}); err == nil || !strings.Contains(err.Error(), "fewer than a batch") {
		t.Errorf("4 training rows: got %v", err)
	}
}

// TestDivergenceKeepsLastCheckpoint poisons the data with NaN after step 2:
// step 3's loss is NaN, the run is marked diverged and the checkpoint of
// step 2 stays usable.
func TestDivergenceKeepsLastCheckpoint(t *testing.T) {
	data := blobImages(t, 34, 1)
	dir := filepath.Join(t.TempDir(), "run")
	r, err := NewRun(tinyConv(1), RunOptions{Dir: dir, Data: data, Epochs: 2, CheckpointEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	err = r.Train(context.Background(), func(p Progress) {
		if p.Step == 2 {
			for i := range data.X {
				data.X[i] = float32(math.NaN())
			}
		}
	})
	if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "step 3") || !strings.Contains(err.Error(), "last good checkpoint (step 2)") {
		t.Fatalf("got %v, want ErrDiverged at step 3 naming the checkpoint of step 2", err)
	}
	info, _ := ReadRunInfo(dir)
	if info.Status != StatusDiverged || info.Step != 2 || !strings.Contains(info.Error, "NaN") {
		t.Errorf("run.json: status %s, step %d, error %q", info.Status, info.Step, info.Error)
	}
	enc, err := LoadEncoder(filepath.Join(dir, EncoderFile), 4)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	if enc.Model().Steps != 2 {
		t.Errorf("saved encoder after %d steps, want 2", enc.Model().Steps)
	}
}

// TestEncoderMatchesTrainer checks that a saved and reloaded encoder gives
// the trainer's codes, whatever the batch size (the last batch padded).
func TestEncoderMatchesTrainer(t *testing.T) {
	t.Run("relu", func(t *testing.T) { encoderMatchesTrainer(t, tinyConv(2)) })
	// A leaky encoder: the saved config carries the slope, and the loaded
	// encoder applies it.
	leaky := tinyConv(2)
	leaky.Slope = 0.2
	t.Run("leaky", func(t *testing.T) { encoderMatchesTrainer(t, leaky) })
	// A centring encoder: the loaded encoder centres too.
	centred := tinyConv(2)
	centred.Center = true
	t.Run("centred", func(t *testing.T) { encoderMatchesTrainer(t, centred) })
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

func encoderMatchesTrainer(t *testing.T, cfg Config) {
	data := blobImages(t, 13, 4)
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	if _, err := tr.Step(data.X[:6*64], rng); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), EncoderFile)
	if err := tr.SaveEncoder(path, Model{Data: DataInfo{Name: "blobs", Hash: data.Hash}}); err != nil {
		t.Fatal(err)
	}
	a, err := tr.Encoder(13)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	want := make([]float32, 13*5)
	if err := a.Encode(data.X, 13, want); err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 5, 13, 20} {
		b, err := LoadEncoder(path, batch)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, 13*5)
		if err := b.Encode(data.X, 13, got); err != nil {
			t.Fatal(err)
		}
		b.Close()
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-5 {
				t.Fatalf("batch %d: code value %d is %v, trainer's %v", batch, i, got[i], want[i])
			}
		}
		if b.Model().Steps != 1 || b.Model().Data.Hash != data.Hash || b.Model().Format != ModelFormat || b.Model().Config.Slope != cfg.Slope || b.Model().Config.Center != cfg.Center {
			t.Errorf("saved model %+v", b.Model())
		}
	}
	if err := a.Encode(data.X[:64], 2, want[:10]); err == nil {
		t.Error("64 values for 2 examples: no error")
	}
}

// TestTableObjectiveLearns trains the MLP encoder on rows whose 6 features
// are noisy copies of 2 latent values: the view objective's JSD must rise
// from chance (−2·log 2 = −1.386 at zero scores) by a clear margin.
func TestTableObjectiveLearns(t *testing.T) {
	cfg := DefaultConfig([]int{6})
	cfg.Hidden, cfg.Code, cfg.Embed, cfg.Batch, cfg.Gamma, cfg.Seed = []int{32}, 4, 8, 32, 0, 1
	tr, err := NewTrainer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rng := rand.New(rand.NewPCG(5, 5))
	x := make([]float32, 32*6)
	var first, last float64
	const steps, window = 300, 30
	for s := range steps {
		for i := range 32 {
			a, b := rng.NormFloat64(), rng.NormFloat64()
			for j := range 6 {
				l := a
				if j%2 == 1 {
					l = b
				}
				x[i*6+j] = float32(l + 0.1*rng.NormFloat64())
			}
		}
		st, err := tr.Step(x, rng)
		if err != nil {
			t.Fatal(err)
		}
		if s < window {
			first += st.Local / window
		}
		if s >= steps-window {
			last += st.Local / window
		}
	}
	if !(first < -1.3 && last > first+0.3) {
		t.Errorf("view JSD: first %d steps %.3f, last %d %.3f; want a start near −1.386 and a rise above 0.3", window, first, window, last)
	}
}

// TestCorrupt checks the table views: each value either is the row's own
// or comes from the same column of another row, in about a fraction q.
func TestCorrupt(t *testing.T) {
	const b, d, q = 50, 40, 0.3
	x := make([]float32, b*d)
	for i := range b {
		for j := range d {
			x[i*d+j] = float32(i*1000 + j) // row i, column j
		}
	}
	view := make([]float32, b*d)
	corrupt(view, x, b, d, q, rand.New(rand.NewPCG(1, 2)))
	changed := 0
	for i := range b {
		for j := range d {
			v := int(view[i*d+j])
			if v%1000 != j {
				t.Fatalf("view[%d][%d] = %d: from column %d", i, j, v, v%1000)
			}
			if v/1000 != i {
				changed++
			}
		}
	}
	// 2,000 Bernoulli(0.3) draws: mean 600, sd √(2000·0.3·0.7) ≈ 20.5;
	// 4 sd is 82.
	if changed < 600-82 || changed > 600+82 {
		t.Errorf("%d of 2000 values replaced, want 600 ± 82", changed)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Encoder = "rnn" }, "unknown encoder"},
		{func(c *Config) { c.Channels = []int{8} }, "at least 2 layers"},
		{func(c *Config) { c.Channels = []int{4, 4, 4, 4, 4} }, "too small"},
		{func(c *Config) { c.LocalLayer = 3 }, "local layer 3"},
		{func(c *Config) { c.Estimator = "mine" }, "unknown estimator"},
		{func(c *Config) { c.Alpha, c.Beta = 0, 0 }, "α + β > 0"},
		{func(c *Config) { c.Batch = 1 }, "batch 1"},
		{func(c *Config) { c.LR = 0 }, "learning rate"},
		{func(c *Config) { c.Input = []int{784} }, "(C, H, W)"},
		{func(c *Config) { c.Slope = 1 }, "slope 1"},
		{func(c *Config) { c.Slope = -0.1 }, "slope -0.1"},
		{func(c *Config) { c.NegGroup, c.NegColumns = 4, []string{"key"} }, "dividing the batch of 6"},
		{func(c *Config) { c.NegGroup, c.NegColumns = 1, []string{"key"} }, "groups of 1"},
		{func(c *Config) { c.NegGroup = 3 }, "need the attributes"},
		{func(c *Config) { c.NegColumns = []string{"key"} }, "need a group size"},
		{func(c *Config) { *c = DefaultConfig([]int{4}); c.Center = true }, "centring needs images"},
	} {
		c := tinyConv(1)
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
	if err := tinyConv(1).Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
