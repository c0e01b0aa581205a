package selftest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// fake is a Trainer whose held-out estimates are set by the test: at step t
// (counted over the whole staircase) Estimate returns value(level, t), where
// the level is t / steps. It checks that it never estimates on a batch it
// trained on.
type fake struct {
	t       *testing.T
	steps   int
	value   func(level, step int) float64
	calls   int
	trained map[uint64]bool
	ceiling float64
}

func (f *fake) Bound() string { return "lower" }

func (f *fake) Train(b *Batch) (float64, error) {
	f.trained[batchHash(b)] = true
	return 0, nil
}

func (f *fake) Estimate(b *Batch) (float64, error) {
	if f.trained[batchHash(b)] {
		f.t.Errorf("step %d: estimating on a batch the trainer trained on", f.calls)
	}
	v := f.value(f.calls/f.steps, f.calls)
	f.calls++
	return v, nil
}

type cappedFake struct{ *fake }

func (c cappedFake) Ceiling() float64 { return c.ceiling }

func batchHash(b *Batch) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, b.X, b.Y, b.Labels)
	return h.Sum64()
}

// fakeEstimator builds fakes; news counts the trainers built.
func fakeEstimator(t *testing.T, name string, steps int, value func(level, step int) float64, news *int) Estimator {
	return Estimator{Name: name, New: func(s Shape, _ *rand.Rand) (Trainer, error) {
		if news != nil {
			*news++
		}
		return &fake{t: t, steps: steps, value: value, trained: map[uint64]bool{}}, nil
	}}
}

// TestRunExactStats sets the held-out estimates to truth + bias ± s,
// alternating, so that over an even window the mean is exactly truth + bias
// and the variance exactly s² (both by hand).
func TestRunExactStats(t *testing.T) {
	const (
		steps, window = 30, 8
		bias, s       = 0.25, 0.5
		tol           = 1e-12
	)
	levels := []float64{2, 4, 6}
	news := 0
	value := func(level, step int) float64 {
		sign := 1.0
		if step%2 == 1 {
			sign = -1
		}
		return levels[level] + bias + sign*s
	}
	cfg := Config{Steps: steps, Window: window, Staircases: []Staircase{GaussianStaircase(levels...)}}
	res, err := Run(context.Background(), cfg, []Estimator{fakeEstimator(t, "fake", steps, value, &news)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if news != 1 {
		t.Errorf("built %d trainers for one staircase, want 1: training continues across levels", news)
	}
	if len(res.Rows) != len(levels) {
		t.Fatalf("got %d rows, want %d", len(res.Rows), len(levels))
	}
	for i, r := range res.Rows {
		if r.Truth != levels[i] || r.TruthSE != 0 || r.Level != fmt.Sprintf("%g nats", levels[i]) {
			t.Errorf("row %d: got truth %v ± %v level %q, want %v ± 0", i, r.Truth, r.TruthSE, r.Level, levels[i])
		}
		want := Stats{Mean: levels[i] + bias, Bias: bias, Variance: s * s, MSE: bias*bias + s*s}
		if r.Stats == nil {
			t.Fatalf("row %d: no stats (diverged %q)", i, r.Diverged)
		}
		got := *r.Stats
		if math.Abs(got.Mean-want.Mean) > tol || math.Abs(got.Bias-want.Bias) > tol ||
			math.Abs(got.Variance-want.Variance) > tol || math.Abs(got.MSE-want.MSE) > tol {
			t.Errorf("row %d: got %+v, want %+v", i, got, want)
		}
	}
	if res.Steps != steps || res.Window != window || res.BatchSize != DefaultBatchSize || res.Schema != SchemaVersion {
		t.Errorf("got steps %d window %d batch %d schema %d", res.Steps, res.Window, res.BatchSize, res.Schema)
	}
}

// TestRunWindowIsTheLastSteps: estimates outside the window (a huge value)
// must not reach the stats.
func TestRunWindowIsTheLastSteps(t *testing.T) {
	const steps, window = 50, 10
	value := func(level, step int) float64 {
		if step%steps < steps-window {
			return 1e6
		}
		return 3
	}
	cfg := Config{Steps: steps, Window: window, Staircases: []Staircase{GaussianStaircase(2, 4)}}
	res, err := Run(context.Background(), cfg, []Estimator{fakeEstimator(t, "fake", steps, value, nil)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Rows {
		if r.Stats.Mean != 3 || r.Stats.Variance != 0 || r.Stats.Bias != 3-r.Truth {
			t.Errorf("row %d: got %+v, want mean 3, variance 0", i, *r.Stats)
		}
	}
}

// TestRunNoisyStats: truth + bias + σ·N(0,1) noise. The window's mean has
// standard error σ/√W and its variance (1/W form) relative standard error
// about √(2/W); both must hold within 4 standard errors.
func TestRunNoisyStats(t *testing.T) {
	const (
		steps, window = 4000, 4000
		bias, sigma   = -0.3, 0.2
	)
	noise := rand.New(rand.NewPCG(9, 9))
	value := func(level, step int) float64 { return 2 + bias + sigma*noise.NormFloat64() }
	cfg := Config{Steps: steps, Window: window, BatchSize: 2, Staircases: []Staircase{GaussianStaircase(2)}}
	res, err := Run(context.Background(), cfg, []Estimator{fakeEstimator(t, "fake", steps, value, nil)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Rows[0].Stats
	if se := sigma / math.Sqrt(window); math.Abs(s.Bias-bias) > 4*se {
		t.Errorf("got bias %v, want %v ± %v", s.Bias, bias, 4*se)
	}
	if se := sigma * sigma * math.Sqrt(2.0/window); math.Abs(s.Variance-sigma*sigma) > 4*se {
		t.Errorf("got variance %v, want %v ± %v", s.Variance, sigma*sigma, 4*se)
	}
	if s.MSE != s.Bias*s.Bias+s.Variance {
		t.Errorf("got MSE %v, want bias² + variance = %v", s.MSE, s.Bias*s.Bias+s.Variance)
	}
}

// meanX is an Estimator whose estimate is the held-out batch's mean X: its
// figures depend on every draw of the data.
func meanX(name string) Estimator {
	return Estimator{Name: name, New: func(Shape, *rand.Rand) (Trainer, error) { return meanXTrainer{}, nil }}
}

type meanXTrainer struct{}

func (meanXTrainer) Bound() string                 { return "estimate" }
func (meanXTrainer) Train(*Batch) (float64, error) { return 0, nil }
func (meanXTrainer) Estimate(b *Batch) (float64, error) {
	var s float64
	for _, v := range b.X {
		s += float64(v)
	}
	return s / float64(len(b.X)), nil
}

func TestRunDeterministicAndCommonRandomNumbers(t *testing.T) {
	cfg := Config{Seed: 11, Steps: 40, TruthSamples: 1000, Staircases: []Staircase{GaussianStaircase(2, 4), MixtureStaircase(3, 2)}}
	a, err := Run(context.Background(), cfg, []Estimator{meanX("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), cfg, []Estimator{meanX("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with the same seed differ")
	}
	// Adding an estimator changes none of a's figures, and the new one
	// sees the same batches.
	ab, err := Run(context.Background(), cfg, []Estimator{meanX("b"), meanX("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var onlyA []Row
	for i, r := range ab.Rows {
		if r.Estimator == "a" {
			onlyA = append(onlyA, r)
			other := ab.Rows[i-1]
			if other.Estimator != "b" || *other.Stats != *r.Stats {
				t.Errorf("row %d: b got %+v, a got %+v, want the same (same batches)", i, other.Stats, r.Stats)
			}
		}
	}
	if !reflect.DeepEqual(onlyA, a.Rows) {
		t.Error("adding an estimator changed another's figures")
	}
	// The number of workers changes nothing.
	for _, w := range []int{1, 3} {
		cfg.Workers = w
		got, err := Run(context.Background(), cfg, []Estimator{meanX("b"), meanX("a")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ab) {
			t.Errorf("%d workers gave other figures", w)
		}
	}
	cfg.Seed = 12
	c, err := Run(context.Background(), cfg, []Estimator{meanX("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Rows, c.Rows) {
		t.Error("another seed gave the same figures")
	}
}

func TestRunSkipsUnsupported(t *testing.T) {
	discreteOnly := Estimator{Name: "club", New: func(s Shape, _ *rand.Rand) (Trainer, error) {
		if s.Kind != Discrete {
			return nil, fmt.Errorf("needs a Gaussian q(y|x): %w", ErrUnsupported)
		}
		return meanXTrainer{}, nil
	}}
	cfg := Config{Steps: 5, TruthSamples: 100, Staircases: []Staircase{GaussianStaircase(2), MixtureStaircase(2, 1)}}
	res, err := Run(context.Background(), cfg, []Estimator{meanX("a"), discreteOnly}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Skip{{Estimator: "club", Staircase: "gaussian d=20", Reason: "needs a Gaussian q(y|x): unsupported task"}}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("got skipped %+v, want %+v", res.Skipped, want)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, r.Estimator+"@"+r.Staircase)
	}
	if w := "a@gaussian d=20 a@mixture K=2 club@mixture K=2"; strings.Join(got, " ") != w {
		t.Errorf("got rows %v, want %s", got, w)
	}
}

func TestRunDivergence(t *testing.T) {
	const steps = 10
	value := func(level, step int) float64 {
		if level == 1 && step%steps == 3 {
			return math.Inf(1)
		}
		return 1
	}
	cfg := Config{Steps: steps, Staircases: []Staircase{GaussianStaircase(2, 4, 6)}}
	res, err := Run(context.Background(), cfg, []Estimator{fakeEstimator(t, "mine", steps, value, nil), meanX("ok")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var mine []Row
	for _, r := range res.Rows {
		if r.Estimator == "mine" {
			mine = append(mine, r)
		} else if r.Stats == nil {
			t.Errorf("%s at %s: no stats, but it did not diverge", r.Estimator, r.Level)
		}
	}
	if mine[0].Stats == nil || mine[0].Diverged != "" {
		t.Errorf("level 0: got %+v, want stats", mine[0])
	}
	if mine[1].Stats != nil || !strings.Contains(mine[1].Diverged, "diverged at 4 nats, step 4") {
		t.Errorf("level 1: got %+v, want diverged at step 4", mine[1])
	}
	if mine[2].Stats != nil || !strings.HasPrefix(mine[2].Diverged, "not run: diverged at 4 nats") {
		t.Errorf("level 2: got %+v, want not run", mine[2])
	}
}

var errBoom = errors.New("boom")

type failing struct{ meanXTrainer }

func (failing) Train(*Batch) (float64, error) { return 0, errBoom }

func TestRunErrors(t *testing.T) {
	bad := Estimator{Name: "bad", New: func(Shape, *rand.Rand) (Trainer, error) { return failing{}, nil }}
	cfg := Config{Steps: 5, Staircases: []Staircase{GaussianStaircase(2)}}
	if _, err := Run(context.Background(), cfg, []Estimator{bad}, nil); !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "bad on gaussian d=20, 2 nats, step 1: train") {
		t.Errorf("got %v, want the trainer's error with its place", err)
	}
	// With several workers, the failing job's error, not the cancellation
	// it causes in the others.
	slow := fakeEstimator(t, "slow", 5, func(int, int) float64 { return 1 }, nil)
	cfg2 := Config{Steps: 5, Workers: 2, Staircases: []Staircase{GaussianStaircase(2), GaussianStaircase(4)}}
	if _, err := Run(context.Background(), cfg2, []Estimator{slow, bad}, nil); !errors.Is(err, errBoom) {
		t.Errorf("got %v, want the trainer's error", err)
	}
	broken := Estimator{Name: "broken", New: func(Shape, *rand.Rand) (Trainer, error) { return nil, errBoom }}
	if _, err := Run(context.Background(), cfg, []Estimator{broken}, nil); !errors.Is(err, errBoom) {
		t.Errorf("got %v, want the constructor's error", err)
	}
	for i, tc := range []struct {
		cfg  Config
		ests []Estimator
		want string
	}{
		{Config{Steps: -1}, []Estimator{meanX("a")}, "steps"},
		{Config{Steps: 10, Window: 11}, []Estimator{meanX("a")}, "window"},
		{Config{BatchSize: 1}, []Estimator{meanX("a")}, "batch size"},
		{Config{TruthSamples: 1}, []Estimator{meanX("a")}, "truth samples"},
		{Config{Workers: -1}, []Estimator{meanX("a")}, "workers"},
		{Config{}, nil, "no estimators"},
		{Config{}, []Estimator{meanX("a"), meanX("a")}, "twice"},
		{Config{Staircases: []Staircase{{Name: "empty"}}}, []Estimator{meanX("a")}, "no levels"},
		{Config{Staircases: []Staircase{{Name: "mixed", Levels: []Task{Gaussian{Dim: 2, MI: 1}, Gaussian{Dim: 3, MI: 1}}}}}, []Estimator{meanX("a")}, "another shape"},
	} {
		if _, err := Run(context.Background(), tc.cfg, tc.ests, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("case %d: got %v, want an error about %s", i, err, tc.want)
		}
	}
}

// recorder cancels the run after a number of records.
type recorder struct {
	got    []Progress
	cancel func()
	after  int
}

func (r *recorder) Record(p Progress) {
	r.got = append(r.got, p)
	if len(r.got) == r.after {
		r.cancel()
	}
}

func TestRunProgressAndCancel(t *testing.T) {
	cfg := Config{Steps: 250, Staircases: []Staircase{GaussianStaircase(2, 4)}}
	rec := &recorder{}
	if _, err := Run(context.Background(), cfg, []Estimator{meanX("a")}, rec); err != nil {
		t.Fatal(err)
	}
	// Per level: its start, records at steps 100 and 200, then the
	// finished level.
	var got []string
	for _, p := range rec.got {
		s := fmt.Sprintf("%s/%d", p.Level, p.Step)
		if p.Row != nil {
			s += "+row"
		}
		got = append(got, s)
	}
	if want := "2 nats/0 2 nats/100 2 nats/200 2 nats/250+row 4 nats/0 4 nats/100 4 nats/200 4 nats/250+row"; strings.Join(got, " ") != want {
		t.Errorf("got records %v, want %s", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec = &recorder{cancel: cancel, after: 1}
	if _, err := Run(ctx, cfg, []Estimator{meanX("a")}, rec); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if len(rec.got) != 1 {
		t.Errorf("got %d records after cancelling, want the run to stop at once", len(rec.got))
	}
}

func TestRunCeiling(t *testing.T) {
	capped := Estimator{Name: "infonce", New: func(Shape, *rand.Rand) (Trainer, error) {
		return cappedFake{&fake{t: t, steps: 5, value: func(int, int) float64 { return 1 }, trained: map[uint64]bool{}, ceiling: math.Log(64)}}, nil
	}}
	cfg := Config{Steps: 5, Staircases: []Staircase{GaussianStaircase(2)}}
	res, err := Run(context.Background(), cfg, []Estimator{capped, meanX("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0].Ceiling != math.Log(64) || res.Rows[1].Ceiling != 0 {
		t.Errorf("got ceilings %v and %v, want log 64 and none", res.Rows[0].Ceiling, res.Rows[1].Ceiling)
	}
}
