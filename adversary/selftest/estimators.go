package selftest

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/miaudit/miaudit/adversary"
)

// Defaults returns the estimators miaudit selftest runs, each an
// adversary.Estimator with the package's defaults (MLP critics with two
// hidden layers of 256 ReLU units, Adam at 5e-4) on batches of the task's
// size:
//
//	mine     DV bound, gradient with MINE's moving average (α = 0.01), concat critic
//	nwj      Nguyen–Wainwright–Jordan bound, concat critic
//	infonce  InfoNCE, separable critic f(x)·g(y), ceiling log N
//	smile    SMILE with τ = 5, concat critic
//	club     CLUB: categorical q(s|z) on discrete tasks, Gaussian q(y|x)
//	         (mean and log-variance MLPs) on continuous ones
//
// JSD is a training signal, not an MI value, and is not among them.
func Defaults() []Estimator {
	return []Estimator{
		Adversary("mine", adversary.Config{Bound: adversary.BoundMINE}),
		Adversary("nwj", adversary.Config{Bound: adversary.BoundNWJ}),
		Adversary("infonce", adversary.Config{Bound: adversary.BoundInfoNCE}),
		Adversary("smile", adversary.Config{Bound: adversary.BoundSMILE, Tau: 5}),
		Adversary("club", adversary.Config{Bound: adversary.BoundCLUB}),
	}
}

// Adversary returns an Estimator named name that builds an
// adversary.Estimator from cfg with Z = X, S = Y, and the batch size and
// widths (DZ, DS or Classes, Batch) of the task's shape.
//
// The trainer's bound type is the estimator's BoundType; its ceiling is
// the estimator's Ceiling when finite (InfoNCE). A training step whose
// loss is not finite (adversary.ErrDiverged) is reported to Run as a NaN
// value, so that the estimator is marked as diverged instead of ending the
// run.
func Adversary(name string, cfg adversary.Config) Estimator {
	return Estimator{Name: name, New: func(s Shape, rng *rand.Rand) (Trainer, error) {
		c := cfg
		c.DZ, c.Batch = s.XDim, s.N
		if s.Kind == Discrete {
			c.Classes = s.Classes
		} else {
			c.DS = s.YDim
		}
		e, err := adversary.New(c, rng)
		if err != nil {
			return nil, err
		}
		t := &adversaryTrainer{e: e}
		if math.IsInf(e.Ceiling(), 1) {
			return t, nil
		}
		return cappedTrainer{t}, nil
	}}
}

// adversaryTrainer adapts an adversary.Estimator to Trainer.
type adversaryTrainer struct {
	e *adversary.Estimator
}

var (
	_ Trainer = (*adversaryTrainer)(nil)
	_ Capped  = cappedTrainer{}
)

func (t *adversaryTrainer) Bound() string { return t.e.BoundType() }

func (t *adversaryTrainer) Train(b *Batch) (float64, error) {
	v, err := t.e.Train(b.X, attribute(b))
	if errors.Is(err, adversary.ErrDiverged) {
		return math.NaN(), nil
	}
	return v, err
}

func (t *adversaryTrainer) Estimate(b *Batch) (float64, error) {
	return t.e.Estimate(b.X, attribute(b))
}

// Close releases the estimator's gorgonia machines.
func (t *adversaryTrainer) Close() error { return t.e.Close() }

// cappedTrainer is an adversaryTrainer whose estimator has a finite ceiling.
type cappedTrainer struct{ *adversaryTrainer }

func (t cappedTrainer) Ceiling() float64 { return t.e.Ceiling() }

func attribute(b *Batch) adversary.Attribute {
	if b.Kind == Discrete {
		return adversary.Labels(b.Labels)
	}
	return adversary.Floats(b.Y)
}
