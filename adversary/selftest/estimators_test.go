package selftest

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDefaultsPlumbing runs each default estimator for a few steps on a
// continuous and a discrete task: bound types, InfoNCE's ceiling, finite
// figures.
func TestDefaultsPlumbing(t *testing.T) {
	cfg := Config{Seed: 1, Steps: 4, TruthSamples: 1000, Staircases: []Staircase{GaussianStaircase(2), MixtureStaircase(3, 2)}}
	res, err := Run(context.Background(), cfg, Defaults(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("got skipped %+v, want every estimator on every task", res.Skipped)
	}
	// Bound types as Song & Ermon (2020) and Cheng et al. (2020) classify
	// the estimators.
	wantBound := map[string]string{"mine": "lower", "nwj": "lower", "infonce": "lower", "smile": "estimate", "club": "upper"}
	if len(res.Rows) != 2*len(wantBound) {
		t.Fatalf("got %d rows, want %d", len(res.Rows), 2*len(wantBound))
	}
	for _, r := range res.Rows {
		if r.Bound != wantBound[r.Estimator] {
			t.Errorf("%s: got bound %q, want %q", r.Estimator, r.Bound, wantBound[r.Estimator])
		}
		wantCeiling := 0.0
		if r.Estimator == "infonce" {
			wantCeiling = math.Log(DefaultBatchSize)
		}
		if r.Ceiling != wantCeiling {
			t.Errorf("%s: got ceiling %v, want %v", r.Estimator, r.Ceiling, wantCeiling)
		}
		if r.Stats == nil || !finite(r.Stats.MSE) {
			t.Errorf("%s on %s: got %+v (%s), want finite figures", r.Estimator, r.Level, r.Stats, r.Diverged)
		}
	}
}

// ceilingCheck wraps the estimators' trainers to check every held-out
// InfoNCE estimate against its ceiling log N, not only the window's mean.
func ceilingCheck(t *testing.T, ests []Estimator) []Estimator {
	out := make([]Estimator, len(ests))
	for i, e := range ests {
		out[i] = Estimator{Name: e.Name, New: func(s Shape, rng *rand.Rand) (Trainer, error) {
			tr, err := e.New(s, rng)
			if c, ok := tr.(Capped); ok && err == nil {
				return checkedTrainer{Trainer: tr, t: t, name: e.Name, ceiling: c.Ceiling()}, nil
			}
			return tr, err
		}}
	}
	return out
}

type checkedTrainer struct {
	Trainer
	t       *testing.T
	name    string
	ceiling float64
}

func (c checkedTrainer) Estimate(b *Batch) (float64, error) {
	v, err := c.Trainer.Estimate(b)
	if v > c.ceiling {
		c.t.Errorf("%s: held-out estimate %v above its ceiling %v", c.name, v, c.ceiling)
	}
	return v, err
}

// TestQuickSelftest trains the default estimators on the 2-nat Gaussian level
// and on the K = 2 and K = 10 mixtures (separation 3) and checks their biases
// against the known truths. About 6,000 steps: 30–40 s on 2 cores.
//
// The tolerances are for 400 steps per level, scored over the last 100, at
// seed 1; the biases measured there are in the comments. They are loose on
// the side where an estimator is still converging and tight on the side
// its bound type forbids. A window's mean has a standard error of about
// 0.02–0.05 nats (held-out standard deviations of 0.06–0.5 over 100 steps);
// the tight sides leave ≥ 5 of them.
//
// The K = 50 mixture is left out: at 400 steps its critics are far from
// converged (biases of −1.3 to −2 nats at 600 steps), and --quick shows it.
func TestQuickSelftest(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five estimators for 6,000 steps")
	}
	cfg := Config{
		Seed:   1,
		Steps:  400,
		Window: 100,
		Staircases: []Staircase{
			GaussianStaircase(2),
			MixtureStaircase(2, 3),
			MixtureStaircase(10, 3),
		},
	}
	res, err := Run(context.Background(), cfg, ceilingCheck(t, Defaults()), nil)
	if err != nil {
		t.Fatal(err)
	}
	// vCLUB with the exact conditional q(y|x) = N(ρx, (1−ρ²)I) has the
	// population value I + KL(p(x)p(y) ‖ p(x,y)) = d·ρ²/(1−ρ²) (by hand:
	// E_P‖y−ρx‖² = d(1−ρ²), E_Q‖y'−ρx‖² = d(1+ρ²)): 4.43 nats at I = 2, which
	// the fitted Gaussian q approaches. It is an upper bound, not the truth.
	rho := GaussianRho(2, GaussianDim)
	clubGauss := GaussianDim * rho * rho / (1 - rho*rho)

	type tol struct{ lo, hi float64 } // allowed bias, nats
	want := map[string]map[string]tol{
		"gaussian d=20, 2 nats": {
			"mine":    {-1.0, 0.25}, // measured −0.51
			"nwj":     {-1.0, 0.25}, // −0.67
			"infonce": {-1.0, 0.25}, // −0.40
			"smile":   {-0.8, 0.5},  // −0.23; SMILE is biased either way
			// CLUB: above the truth, near its population value (+2.07).
			"club": {-0.1, clubGauss - 2 + 0.5},
		},
		"mixture K=2, separation 3": {
			// Truth 0.527; biases +0.009, −0.021, −0.007, +0.014.
			"mine": {-0.1, 0.1}, "nwj": {-0.1, 0.1}, "infonce": {-0.1, 0.1}, "smile": {-0.1, 0.1},
			// CLUB's gap to the truth is the lautum information of S and
			// Z, large for separated classes (+1.62): only its side is
			// checked.
			"club": {-0.1, math.Inf(1)},
		},
		"mixture K=10, separation 3": {
			// Truth 1.445.
			"mine":    {-0.5, 0.1}, // −0.22
			"nwj":     {-0.6, 0.1}, // −0.32
			"infonce": {-0.4, 0.1}, // −0.09
			"smile":   {-0.5, 0.3}, // −0.15
			"club":    {-0.1, math.Inf(1)},
		},
	}
	seen := 0
	for _, r := range res.Rows {
		level := r.Staircase + ", " + r.Level
		w, ok := want[level][r.Estimator]
		if !ok {
			t.Errorf("unexpected row %s at %s", r.Estimator, level)
			continue
		}
		seen++
		if r.Stats != nil {
			t.Logf("%-8s %-26s truth %.3f mean %.3f bias %+.3f variance %.3f", r.Estimator, level, r.Truth, r.Stats.Mean, r.Stats.Bias, r.Stats.Variance)
		}
		if r.Stats == nil {
			t.Errorf("%s at %s: %s", r.Estimator, level, r.Diverged)
			continue
		}
		if b := r.Stats.Bias; b < w.lo || b > w.hi {
			t.Errorf("%s at %s: got bias %+.3f (mean %.3f, truth %.3f), want it in [%+.2f, %+.2f]", r.Estimator, level, b, r.Stats.Mean, r.Truth, w.lo, w.hi)
		}
		if r.Ceiling > 0 && r.Stats.Mean > r.Ceiling {
			t.Errorf("%s at %s: got mean %.3f above its ceiling %.3f", r.Estimator, level, r.Stats.Mean, r.Ceiling)
		}
	}
	if seen != 15 {
		t.Errorf("checked %d rows, want 15", seen)
	}
}
