package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/miaudit/miaudit/adversary/selftest"
)

// SelftestOptions are the parsed flags of `miaudit selftest`.
type SelftestOptions struct {
	IO *IOStreams

	Quick      bool
	Seed       uint64
	Steps      int
	Estimators []string

	Format string
	Out    string
	Force  bool
	Quiet  bool

	// available are the estimators --estimators picks from; nil means
	// selftest.Defaults(). Tests put fakes here.
	available []selftest.Estimator
}

// NewCmdSelftest builds `miaudit selftest`. runF, if non-nil, replaces the
// work (flag tests capture the parsed options with it).
func NewCmdSelftest(ios *IOStreams, runF func(context.Context, *SelftestOptions) error) *cobra.Command {
	opts := &SelftestOptions{IO: ios}
	names := estimatorNames(selftest.Defaults())
	cmd := &cobra.Command{
		Use:   "selftest",
		Short: "Check the MI estimators on tasks whose true MI is known",
		Long: `Run miaudit's mutual-information estimators on the benchmark tasks of the
MI-estimation literature, whose true MI is known, and report how far off
each estimator is:

  correlated Gaussians  x ~ N(0, I), y = ρx + √(1−ρ²)ε in 20 dimensions, true
                        MI −d/2·log(1−ρ²) = 2, 4, 6, 8, 10 nats (a staircase);
  Gaussian mixtures     a label S with K = 2, 10, 50 equiprobable classes and
                        Z | S ~ N(μ_S, I); true I(Z;S) by Monte Carlo with the
                        exact posterior, ± its standard error.

Each estimator trains for --steps steps per level on fresh batches of 64 and
estimates after each step on a fresh held-out batch; over the last 500 steps
(150 with --quick; a quarter of --steps below 2,000) the table gives the mean
estimate, bias = mean − truth, variance and MSE = bias² + variance, with the
bound type (lower, upper, or estimate for SMILE) and InfoNCE's ceiling
log 64 ≈ 4.16 nats. Estimators keep training from one level
of a staircase to the next, as in the papers. JSD is a training signal, not an
MI value, and is not scored.

The full run (4,000 steps per level) takes a while; --quick runs 600 steps on
fewer levels. Progress goes to standard error; the same --seed gives the same
numbers.`,
		Example: `  # a quick check, a table on the terminal
  miaudit selftest --quick

  # the full benchmark as Markdown, for a review
  miaudit selftest --format markdown --out selftest.md

  # two estimators, another seed, JSON
  miaudit selftest --estimators infonce,smile --seed 3 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return selftestRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Quick, "quick", false, "a reduced schedule: 600 steps per level, fewer levels")
	f.Uint64Var(&opts.Seed, "seed", 0, "seed of the batches, the Monte-Carlo truths and the estimators' initialisation")
	f.IntVar(&opts.Steps, "steps", 0, "training steps per level (default 4000, or 600 with --quick)")
	f.StringSliceVar(&opts.Estimators, "estimators", names, "estimators to run, comma-separated")
	f.StringVar(&opts.Format, "format", "table", "output `FORMAT`: "+strings.Join(selftest.Formats, ", "))
	f.StringVarP(&opts.Out, "out", "o", "", "write the result to `FILE` (default: standard output)")
	f.BoolVar(&opts.Force, "force", false, "overwrite --out if it exists")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "no progress on standard error")
	return cmd
}

func estimatorNames(ests []selftest.Estimator) []string {
	names := make([]string, len(ests))
	for i, e := range ests {
		names[i] = e.Name
	}
	return names
}

func (o *SelftestOptions) validate() error {
	if o.Steps < 0 {
		return usageErrorf("--steps must be at least 1, got %d", o.Steps)
	}
	if !slices.Contains(selftest.Formats, o.Format) {
		return usageErrorf("--format %q is not one of %s", o.Format, strings.Join(selftest.Formats, ", "))
	}
	names := estimatorNames(o.estimators())
	if len(o.Estimators) == 0 {
		return usageErrorf("--estimators needs at least one of %s", strings.Join(names, ", "))
	}
	for i, e := range o.Estimators {
		if !slices.Contains(names, e) {
			return usageErrorf("--estimators: unknown estimator %q (available: %s)", e, strings.Join(names, ", "))
		}
		if slices.Contains(o.Estimators[:i], e) {
			return usageErrorf("--estimators: %s is listed twice", e)
		}
	}
	return nil
}

func (o *SelftestOptions) estimators() []selftest.Estimator {
	if o.available != nil {
		return o.available
	}
	return selftest.Defaults()
}

func selftestRun(ctx context.Context, o *SelftestOptions) error {
	if err := checkOut(o.Out, o.Force); err != nil {
		return err
	}
	cfg := selftest.Config{}
	if o.Quick {
		cfg = selftest.Quick()
	}
	if o.Steps > 0 {
		cfg.Steps, cfg.Window = o.Steps, 0 // the default window for these steps
	}
	cfg.Seed = o.Seed
	cfg.Version = version()
	cfg.Notes = []string{"JSD is a training signal, not an MI value: it is not scored."}
	var ests []selftest.Estimator
	for _, e := range o.estimators() {
		if slices.Contains(o.Estimators, e.Name) {
			ests = append(ests, e)
		}
	}
	rec := newSelftestProgress(o.IO.ErrOut, o.Quiet)
	res, err := selftest.Run(ctx, cfg, ests, rec)
	if err != nil {
		return err
	}
	rec.done()
	var buf bytes.Buffer
	if err := selftest.Write(&buf, res, o.Format); err != nil {
		return err
	}
	return writeOutput(o.IO.Out, o.Out, buf.Bytes())
}

// selftestProgress prints each finished level, with its speed, on standard
// error, and a line for a level in progress at most every progressEvery. It
// is safe for concurrent use: Run's workers share it.
type selftestProgress struct {
	w        io.Writer
	quiet    bool
	now      func() time.Time
	mu       sync.Mutex
	start    time.Time
	lastLine time.Time
	begun    map[string]time.Time // when each running level began, by estimator, staircase and level
}

// progressEvery is the least time between two in-progress lines.
const progressEvery = 15 * time.Second

func newSelftestProgress(w io.Writer, quiet bool) *selftestProgress {
	t := time.Now()
	return &selftestProgress{w: w, quiet: quiet, now: time.Now, start: t, lastLine: t, begun: map[string]time.Time{}}
}

// Record implements selftest.Recorder.
func (p *selftestProgress) Record(pr selftest.Progress) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	key := pr.Estimator + "\x00" + pr.Staircase + "\x00" + pr.Level
	if pr.Step == 0 && pr.Row == nil {
		p.begun[key] = now
		return
	}
	begun, ok := p.begun[key]
	if !ok {
		begun = p.start
	}
	rate := float64(pr.Step) / max(now.Sub(begun).Seconds(), 1e-9)
	switch {
	case pr.Row != nil:
		status := pr.Row.Diverged
		if s := pr.Row.Stats; s != nil {
			status = fmt.Sprintf("mean %.3f, bias %+.3f (truth %.3f)", s.Mean, s.Bias, pr.Row.Truth)
		}
		fmt.Fprintf(p.w, "[%6.1fs] %-8s %s, %s: %d steps, %.0f steps/s, %s\n", now.Sub(p.start).Seconds(), pr.Estimator, pr.Staircase, pr.Level, pr.Step, rate, status)
		delete(p.begun, key)
		p.lastLine = now
	case now.Sub(p.lastLine) >= progressEvery:
		fmt.Fprintf(p.w, "[%6.1fs] %-8s %s, %s: step %d/%d, %.0f steps/s, held-out %.3f\n", now.Sub(p.start).Seconds(), pr.Estimator, pr.Staircase, pr.Level, pr.Step, pr.Steps, rate, pr.Estimate)
		p.lastLine = now
	}
}

func (p *selftestProgress) done() {
	if !p.quiet {
		fmt.Fprintf(p.w, "[%6.1fs] done\n", p.now().Sub(p.start).Seconds())
	}
}
