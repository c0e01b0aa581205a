package adversary

import (
	"errors"
	"fmt"
	"math"
)

// Names of the bounds an Estimator trains (Config.Bound).
const (
	BoundDV      = "dv"      // Donsker–Varadhan, plain minibatch gradient
	BoundMINE    = "mine"    // DV value, gradient with MINE's moving average
	BoundNWJ     = "nwj"     // Nguyen–Wainwright–Jordan (MINE-f)
	BoundInfoNCE = "infonce" // contrastive, ≤ log Batch
	BoundJSD     = "jsd"     // Jensen–Shannon objective of Deep InfoMax
	BoundSMILE   = "smile"   // clipped DV, trained with the JS gradient
	BoundCLUB    = "club"    // contrastive log-ratio upper bound, q(s|z) by maximum likelihood
	// BoundGRL is a classifier q(s|z) trained by maximum likelihood, as
	// CLUB's, whose value is the Barber–Agakov bound with the batch's label
	// entropy, H(S) + mean log q(s|z); as an adversary head the encoder
	// raises the classifier's cross-entropy (gradient reversal, Ganin &
	// Lempitsky 2015).
	BoundGRL = "grl"
)

// Names of the critics (Config.Critic).
const (
	CriticConcat    = "concat"    // T(z, s) = MLP([z, e(s)])
	CriticSeparable = "separable" // T(z, s) = f(z)·g(e(s))
)

// Bound types (Estimator.BoundType): what a value says about I(Z;S).
const (
	Lower          = "lower"
	Upper          = "upper"
	PointEstimate  = "estimate"
	TrainingSignal = "training-signal"
)

// Defaults of Config's zero fields.
const (
	DefaultBatch = 128
	// DefaultLR is Adam's learning rate: 5e-4, the rate of Poole et al.'s
	// (2019) and Song & Ermon's (2020) MI benchmark code. Belghazi et al.
	// used 1e-4; on the 1-nat Gaussian task of the tests both rates reach
	// the truth within 1,500 steps at batch 128, and the larger one is what
	// the benchmark's higher levels were tuned with.
	DefaultLR       = 5e-4
	DefaultEMA      = 0.01
	DefaultTau      = 5.0
	DefaultOut      = 32
	DefaultEmbed    = 32
	MaxOneHot       = 128
	defaultHiddenSz = 256
)

// ErrDiverged is wrapped by the error of Train when the loss is not finite;
// the parameters are then left as they were before the step.
var ErrDiverged = errors.New("adversary: training diverged")

// Config describes an Estimator. The zero value of a field means its
// default, as each field says.
type Config struct {
	// Bound is one of BoundDV, BoundMINE, BoundNWJ, BoundInfoNCE, BoundJSD,
	// BoundSMILE and BoundCLUB.
	Bound string `json:"bound"`
	// Critic is CriticConcat or CriticSeparable; "" means separable for
	// InfoNCE and SMILE and concat otherwise. SMILE scores all n(n−1)
	// off-diagonal pairs with the separable critic: on the 20-d Gaussian
	// staircase (1,500 steps, batch 64) its bias at 6 and 10 nats went from
	// the concat critic's upward drift to −0.20 and +0.27 nats with
	// variances 0.18 and 0.47. CLUB has no critic (its q(s|z) is an
	// MLP of z) and requires "". InfoNCE with the concat critic scores all
	// n² pairs, so a step costs n times a DV step.
	Critic string `json:"critic,omitempty"`
	// DZ is the width of z.
	DZ int `json:"dz"`
	// Classes is K for a discrete S (labels in 0..K−1, K ≥ 2); DS is the
	// width of a continuous S. Exactly one of them is positive.
	Classes int `json:"classes,omitempty"`
	DS      int `json:"ds,omitempty"`
	// Hidden lists the hidden widths of every MLP (critic, f and g of the
	// separable critic, q of CLUB), ReLU between layers. nil means
	// [256, 256]; an empty non-nil slice means no hidden layer (a linear
	// critic).
	Hidden []int `json:"hidden"`
	// Embed is the width of the learned embedding e(s) of a discrete S, a
	// Classes×Embed parameter looked up per label (for many identities).
	// 0 means one-hot e(s) when Classes ≤ MaxOneHot and a DefaultEmbed-wide
	// embedding otherwise. Ignored for a continuous S and by CLUB.
	Embed int `json:"embed,omitempty"`
	// Out is the width of f(z) and g(s) of the separable critic; 0 means
	// DefaultOut.
	Out int `json:"out,omitempty"`
	// Batch is the number of rows of every batch given to Train (and of
	// each block given to Scores and Estimate); 0 means DefaultBatch.
	Batch int `json:"batch,omitempty"`
	// LR is Adam's learning rate; 0 means DefaultLR.
	LR float64 `json:"lr,omitempty"`
	// MaxGradNorm, when positive, clips the global gradient norm before each
	// Adam step.
	MaxGradNorm float64 `json:"max_grad_norm,omitempty"`
	// EMA is MINE's moving-average rate α (EMA ← (1−α)·EMA + α·mean_Q e^T);
	// 0 means DefaultEMA. Used by BoundMINE only.
	EMA float64 `json:"ema,omitempty"`
	// Tau is SMILE's clip τ; 0 means DefaultTau. Used by BoundSMILE only.
	Tau float64 `json:"tau,omitempty"`
	// EncoderTerm chooses the term EncoderGrad hands the encoder of a GRL
	// head: "" the head's own (minus its cross-entropy, which the encoder
	// then raises), TermEntropy minus the entropy of q(·|z), which the
	// encoder then raises (maximum-entropy adversarial representation
	// learning, Roy & Boddeti, CVPR 2019). Training and estimates are the
	// same for both.
	EncoderTerm string `json:"encoder_term,omitempty"`
}

// TermEntropy is the maximum-entropy encoder term of a GRL head
// (Config.EncoderTerm).
const TermEntropy = "entropy"

// withDefaults returns c with its zero fields set and checks it.
func (c Config) withDefaults() (Config, error) {
	switch c.Bound {
	case BoundDV, BoundMINE, BoundNWJ, BoundJSD:
		if c.Critic == "" {
			c.Critic = CriticConcat
		}
	case BoundInfoNCE, BoundSMILE:
		if c.Critic == "" {
			c.Critic = CriticSeparable
		}
	case BoundCLUB, BoundGRL:
		if c.Critic != "" {
			return c, fmt.Errorf("adversary: %s has no critic, got %q", c.Bound, c.Critic)
		}
		if c.Bound == BoundGRL && c.Classes == 0 {
			return c, fmt.Errorf("adversary: grl needs a discrete S (Classes)")
		}
	default:
		return c, fmt.Errorf("adversary: unknown bound %q", c.Bound)
	}
	switch c.EncoderTerm {
	case "":
	case TermEntropy:
		if c.Bound != BoundGRL {
			return c, fmt.Errorf("adversary: encoder term %q needs the grl bound, not %s", c.EncoderTerm, c.Bound)
		}
	default:
		return c, fmt.Errorf("adversary: unknown encoder term %q (want %q or none)", c.EncoderTerm, TermEntropy)
	}
	if c.Bound != BoundCLUB && c.Bound != BoundGRL && c.Critic != CriticConcat && c.Critic != CriticSeparable {
		return c, fmt.Errorf("adversary: unknown critic %q", c.Critic)
	}
	if c.DZ < 1 {
		return c, fmt.Errorf("adversary: DZ %d, want at least 1", c.DZ)
	}
	switch {
	case c.Classes > 0 && c.DS > 0:
		return c, fmt.Errorf("adversary: both Classes (%d) and DS (%d) set", c.Classes, c.DS)
	case c.Classes == 1 || c.Classes < 0 || c.DS < 0:
		return c, fmt.Errorf("adversary: Classes %d, DS %d", c.Classes, c.DS)
	case c.Classes == 0 && c.DS == 0:
		return c, fmt.Errorf("adversary: neither Classes nor DS set")
	}
	if c.Hidden == nil {
		c.Hidden = []int{defaultHiddenSz, defaultHiddenSz}
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return c, fmt.Errorf("adversary: hidden widths %v", c.Hidden)
		}
	}
	if c.Embed < 0 || c.Out < 0 || c.Batch < 0 {
		return c, fmt.Errorf("adversary: negative Embed, Out or Batch")
	}
	if c.Classes > 0 && c.Embed == 0 && c.Classes > MaxOneHot {
		c.Embed = DefaultEmbed
	}
	if c.Out == 0 {
		c.Out = DefaultOut
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.Batch < 2 {
		return c, fmt.Errorf("adversary: batch %d, want at least 2", c.Batch)
	}
	if c.LR == 0 {
		c.LR = DefaultLR
	}
	if c.EMA == 0 {
		c.EMA = DefaultEMA
	}
	if c.Tau == 0 {
		c.Tau = DefaultTau
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) || !(c.EMA > 0 && c.EMA < 1) || !(c.Tau > 0) || c.MaxGradNorm < 0 {
		return c, fmt.Errorf("adversary: LR %v, EMA %v, Tau %v, MaxGradNorm %v", c.LR, c.EMA, c.Tau, c.MaxGradNorm)
	}
	return c, nil
}

// BoundTypeOf returns the bound type of a bound name: Lower for dv, mine,
// nwj, infonce and grl, Upper for club, PointEstimate for smile and
// TrainingSignal for jsd, or "" for an unknown name.
func BoundTypeOf(bound string) string {
	switch bound {
	case BoundDV, BoundMINE, BoundNWJ, BoundInfoNCE, BoundGRL:
		return Lower
	case BoundCLUB:
		return Upper
	case BoundSMILE:
		return PointEstimate
	case BoundJSD:
		return TrainingSignal
	}
	return ""
}

// Attribute is one batch of the second variable S of I(Z;S): Labels for a
// discrete S, Floats for a continuous one.
type Attribute interface {
	// rows returns the number of rows given width (DS; ignored by Labels),
	// or an error if the data do not form whole rows.
	rows(width int) (int, error)
}

// Labels is a batch of a discrete S: one label in 0..K−1 per row.
type Labels []int

// Floats is a batch of a continuous S, row-major n×DS.
type Floats []float32

func (l Labels) rows(int) (int, error) { return len(l), nil }

func (f Floats) rows(width int) (int, error) {
	if width <= 0 || len(f)%width != 0 {
		return 0, fmt.Errorf("adversary: %d values are not rows of width %d", len(f), width)
	}
	return len(f) / width, nil
}
