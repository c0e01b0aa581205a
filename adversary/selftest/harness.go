package selftest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// Trainer is an MI estimator being trained on one staircase. Its values are
// in nats. The harness reuses batches: a Trainer must not keep b after a
// call returns. A Trainer that implements io.Closer is closed when its
// staircase ends.
type Trainer interface {
	// Bound says what an estimate is: "lower" (a variational lower bound),
	// "upper" (an upper-bound style estimate) or "estimate".
	Bound() string
	// Train takes one optimisation step on b and returns the objective's
	// MI value on b.
	Train(b *Batch) (float64, error)
	// Estimate returns the MI estimate on b, which it does not train on.
	Estimate(b *Batch) (float64, error)
}

// Capped is implemented by a Trainer whose estimate can never exceed a known
// value, such as InfoNCE's log N for batches of N. The ceiling is printed
// beside its figures; +Inf means none.
type Capped interface {
	Ceiling() float64
}

// Estimator names a Trainer and builds one per staircase.
type Estimator struct {
	Name string
	// New builds a fresh Trainer for batches of shape s, initialised from
	// rng. For a task the estimator does not apply to it returns an error
	// wrapping ErrUnsupported; Run then skips the staircase for it and says
	// why in Result.Skipped.
	New func(s Shape, rng *rand.Rand) (Trainer, error)
}

// ErrUnsupported marks a task an estimator does not apply to.
var ErrUnsupported = errors.New("unsupported task")

// Config is a self-test's schedule. The zero value of a field means its
// default.
type Config struct {
	// Seed seeds every draw: the batches, the Monte-Carlo truths and each
	// trainer's initialisation.
	Seed uint64
	// Steps is the number of training steps per level (default 4,000).
	Steps int
	// Window is the number of final steps of each level whose held-out
	// estimates are scored (default min(500, Steps/4), at least 1).
	Window int
	// BatchSize is the number of samples per batch (default 64).
	BatchSize int
	// TruthSamples is the number of Monte-Carlo draws behind each truth
	// that has no closed form (default 100,000).
	TruthSamples int
	// Staircases are the tasks (default Standard()).
	Staircases []Staircase
	// Workers is the number of (estimator, staircase) pairs run at once
	// (default runtime.GOMAXPROCS(0)). The Result does not depend on it.
	Workers int
	// Version is recorded in the Result.
	Version string
	// Notes are copied to the Result for a reader.
	Notes []string
}

// Defaults of Config.
const (
	DefaultSteps        = 4000
	DefaultWindow       = 500
	DefaultBatchSize    = 64
	DefaultTruthSamples = 100_000
)

// Standard returns the full benchmark: the correlated-Gaussians staircase
// at 2, 4, 6, 8 and 10 nats (d = 20), and Gaussian mixtures with 2, 10 and 50
// classes at two separations each, whose truths (Monte Carlo, 100,000 draws)
// are about 0.34 and 0.63 nats (K = 2), 0.79 and 1.93 (K = 10), 1.94 and
// 3.51 (K = 50).
func Standard() []Staircase {
	return []Staircase{
		GaussianStaircase(GaussianLevels...),
		MixtureStaircase(2, 2, 4),
		MixtureStaircase(10, 2, 4),
		MixtureStaircase(50, 3, 5),
	}
}

// QuickStaircases returns a reduced benchmark: the Gaussians at 2, 4 and 6
// nats and one level per mixture, with truths of about 0.53 (K = 2,
// separation 3), 1.44 (K = 10, separation 3) and 2.89 nats (K = 50,
// separation 4).
func QuickStaircases() []Staircase {
	return []Staircase{
		GaussianStaircase(2, 4, 6),
		MixtureStaircase(2, 3),
		MixtureStaircase(10, 3),
		MixtureStaircase(50, 4),
	}
}

// Quick returns the reduced schedule: QuickStaircases, 600 steps per level,
// scored over the last 150.
func Quick() Config {
	return Config{Steps: 600, Window: 150, Staircases: QuickStaircases()}
}

func (c Config) withDefaults() Config {
	if c.Steps == 0 {
		c.Steps = DefaultSteps
	}
	if c.Window == 0 {
		c.Window = max(min(DefaultWindow, c.Steps/4), 1)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.TruthSamples == 0 {
		c.TruthSamples = DefaultTruthSamples
	}
	if c.Staircases == nil {
		c.Staircases = Standard()
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	return c
}

func (c Config) validate(ests []Estimator) error {
	switch {
	case c.Steps < 1:
		return fmt.Errorf("steps per level must be at least 1, got %d", c.Steps)
	case c.Window < 1 || c.Window > c.Steps:
		return fmt.Errorf("window must lie between 1 and the %d steps per level, got %d", c.Steps, c.Window)
	case c.BatchSize < 2:
		return fmt.Errorf("batch size must be at least 2, got %d", c.BatchSize)
	case c.Workers < 1:
		return fmt.Errorf("workers must be at least 1, got %d", c.Workers)
	case c.TruthSamples < 2:
		return fmt.Errorf("truth samples must be at least 2, got %d", c.TruthSamples)
	case len(ests) == 0:
		return errors.New("no estimators to test")
	}
	for i, e := range ests {
		if e.Name == "" || e.New == nil {
			return fmt.Errorf("estimator %d has no name or no constructor", i)
		}
		if slices.ContainsFunc(ests[:i], func(o Estimator) bool { return o.Name == e.Name }) {
			return fmt.Errorf("estimator %s listed twice", e.Name)
		}
	}
	for _, st := range c.Staircases {
		if len(st.Levels) == 0 {
			return fmt.Errorf("staircase %s has no levels", st.Name)
		}
		for _, t := range st.Levels[1:] {
			if t.Shape(c.BatchSize) != st.Levels[0].Shape(c.BatchSize) {
				return fmt.Errorf("staircase %s: level %s has another shape than level %s", st.Name, t, st.Levels[0])
			}
		}
	}
	return nil
}

// Progress is what a Recorder hears: a position in the run and, at the end
// of a level, its row.
type Progress struct {
	Estimator string
	Staircase string
	Level     string
	// Step of Steps training steps of this level are done; Step 0 is the
	// start of the level.
	Step, Steps int
	// Estimate is the latest held-out estimate, in nats (NaN at step 0).
	Estimate float64
	// Row is the level's result once the level is finished (or the
	// estimator diverged); nil before.
	Row *Row
}

// Recorder receives a run's progress: at the start of every level, every
// RecordEvery steps and at the end of every level. With more than one
// worker (Config.Workers), Record is called from several goroutines at
// once. Implementations must be cheap.
type Recorder interface {
	Record(Progress)
}

// RecordEvery is the number of steps between two progress records.
const RecordEvery = 100

type nopRecorder struct{}

func (nopRecorder) Record(Progress) {}

// Run trains and scores every estimator on every staircase of cfg and returns
// the result. rec may be nil.
//
// For each staircase, each estimator gets one fresh Trainer, which keeps
// training from one level to the next (see Staircase). At each of a level's
// cfg.Steps steps the trainer takes a training step on a fresh batch and
// then estimates on another fresh batch, held out from training; the
// held-out estimates of the last cfg.Window steps e_1, …, e_W are scored
// against the level's truth I:
//
//	mean = 1/W Σ e_t,  bias = mean − I,
//	variance = 1/W Σ (e_t − mean)²,  MSE = 1/W Σ (e_t − I)² = bias² + variance.
//
// Every estimator sees the same batches (common random numbers), and adding
// an estimator or a staircase changes no other's draws. The pairs (estimator,
// staircase) run on cfg.Workers goroutines; the Result does not depend on
// their number. A non-finite training value or estimate marks the estimator
// as diverged on that level; its later levels of the staircase are not run.
// An error from a Trainer, other than ErrUnsupported from Estimator.New,
// ends the run with that error, as does ctx's cancellation.
func Run(ctx context.Context, cfg Config, ests []Estimator, rec Recorder) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(ests); err != nil {
		return nil, err
	}
	if rec == nil {
		rec = nopRecorder{}
	}
	truths := make([][][2]float64, len(cfg.Staircases))
	for si, st := range cfg.Staircases {
		truths[si] = make([][2]float64, len(st.Levels))
		for li, t := range st.Levels {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			mi, se := t.Truth(newRand(cfg.Seed, "truth", si, li), cfg.TruthSamples)
			truths[si][li] = [2]float64{mi, se}
		}
	}

	// One job per (staircase, estimator), in the order of the table.
	type job struct {
		r    runner
		rows []Row
		skip *Skip
		err  error
	}
	var jobs []*job
	for si, st := range cfg.Staircases {
		for _, e := range ests {
			jobs = append(jobs, &job{r: runner{cfg: cfg, st: st, si: si, est: e, truths: truths[si], rec: rec}})
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan *job)
	var wg sync.WaitGroup
	for range min(cfg.Workers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if j.rows, j.skip, j.err = j.r.run(ctx); j.err != nil {
					cancel()
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()

	res := &Result{
		Schema:       SchemaVersion,
		Version:      cfg.Version,
		Seed:         cfg.Seed,
		Steps:        cfg.Steps,
		Window:       cfg.Window,
		BatchSize:    cfg.BatchSize,
		TruthSamples: cfg.TruthSamples,
		Rows:         []Row{},
		Skipped:      []Skip{},
		Notes:        append([]string{}, cfg.Notes...),
	}
	// The first error in job order that is not the cancellation it caused.
	for _, j := range jobs {
		if j.err != nil && !errors.Is(j.err, context.Canceled) {
			return nil, j.err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for si, st := range cfg.Staircases {
		// The table reads level by level: the estimators' rows of a level
		// together.
		group := jobs[si*len(ests) : (si+1)*len(ests)]
		for li := range st.Levels {
			for _, j := range group {
				if j.skip == nil {
					res.Rows = append(res.Rows, j.rows[li])
				}
			}
		}
		for _, j := range group {
			if j.skip != nil {
				res.Skipped = append(res.Skipped, *j.skip)
			}
		}
	}
	return res, nil
}

// runner runs one estimator through one staircase.
type runner struct {
	cfg    Config
	st     Staircase
	si     int
	est    Estimator
	truths [][2]float64
	rec    Recorder
}

func (r *runner) run(ctx context.Context) ([]Row, *Skip, error) {
	shape := r.st.Levels[0].Shape(r.cfg.BatchSize)
	tr, err := r.est.New(shape, newRand(r.cfg.Seed, "init", r.est.Name, r.si))
	if errors.Is(err, ErrUnsupported) {
		return nil, &Skip{Estimator: r.est.Name, Staircase: r.st.Name, Reason: err.Error()}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s on %s: %w", r.est.Name, r.st.Name, err)
	}
	if c, ok := tr.(io.Closer); ok {
		defer c.Close()
	}
	ceiling := 0.0
	if c, ok := tr.(Capped); ok && finite(c.Ceiling()) {
		ceiling = c.Ceiling()
	}
	data := newRand(r.cfg.Seed, "data", r.si)
	train, held := NewBatch(shape), NewBatch(shape)
	window := make([]float64, r.cfg.Window)
	first := r.cfg.Steps - r.cfg.Window
	rows := make([]Row, len(r.st.Levels))
	diverged := ""
	for li, task := range r.st.Levels {
		row := &rows[li]
		*row = Row{
			Estimator: r.est.Name,
			Bound:     tr.Bound(),
			Staircase: r.st.Name,
			Level:     task.String(),
			Truth:     r.truths[li][0],
			TruthSE:   r.truths[li][1],
			Ceiling:   ceiling,
		}
		if diverged != "" {
			row.Diverged = "not run: " + diverged
			continue
		}
		p := Progress{Estimator: r.est.Name, Staircase: r.st.Name, Level: row.Level, Steps: r.cfg.Steps, Estimate: math.NaN()}
		r.rec.Record(p)
		for step := range r.cfg.Steps {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			task.Sample(data, train)
			v, err := tr.Train(train)
			if err != nil {
				return nil, nil, fmt.Errorf("%s on %s, %s, step %d: train: %w", r.est.Name, r.st.Name, row.Level, step+1, err)
			}
			task.Sample(data, held)
			est, err := tr.Estimate(held)
			if err != nil {
				return nil, nil, fmt.Errorf("%s on %s, %s, step %d: estimate: %w", r.est.Name, r.st.Name, row.Level, step+1, err)
			}
			if !finite(v) || !finite(est) {
				diverged = fmt.Sprintf("diverged at %s, step %d (training value %g, held-out estimate %g)", row.Level, step+1, v, est)
				row.Diverged = diverged
				break
			}
			if step >= first {
				window[step-first] = est
			}
			p.Step, p.Estimate = step+1, est
			if p.Step%RecordEvery == 0 && p.Step < p.Steps {
				r.rec.Record(p)
			}
		}
		if row.Diverged == "" {
			row.Stats = scoreWindow(window, row.Truth)
		}
		p.Row = row
		r.rec.Record(p)
	}
	return rows, nil, nil
}

// scoreWindow returns the mean, bias, variance and MSE of the estimates e
// against the truth (see Run). The variance divides by len(e), so that
// MSE = bias² + variance is exactly the mean squared error.
func scoreWindow(e []float64, truth float64) *Stats {
	var sum float64
	for _, v := range e {
		sum += v
	}
	mean := sum / float64(len(e))
	var ss float64
	for _, v := range e {
		ss += (v - mean) * (v - mean)
	}
	s := &Stats{Mean: mean, Bias: mean - truth, Variance: ss / float64(len(e))}
	s.MSE = s.Bias*s.Bias + s.Variance
	return s
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// newRand returns the generator of one use of randomness, named by parts, so
// that adding a use never changes another's draws.
func newRand(seed uint64, parts ...any) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x00", p)
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
