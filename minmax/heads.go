package minmax

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/miaudit/miaudit/adversary"
	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/infomax"
)

// Adversary heads.
const (
	MINE    = adversary.BoundMINE
	NWJ     = adversary.BoundNWJ
	InfoNCE = adversary.BoundInfoNCE
	CLUB    = adversary.BoundCLUB
	GRL     = adversary.BoundGRL
	// MaxEnt is GRL's classifier head, q(s|z) trained by maximum
	// likelihood, whose encoder raises the entropy of q(·|z) instead of
	// its cross-entropy: maximum-entropy adversarial representation
	// learning (Roy & Boddeti, CVPR 2019). An encoder that raises the
	// cross-entropy can move a writer's codes to where the head names
	// another writer, which a fresh attacker can undo; one that raises the
	// entropy is rewarded only for codes the head cannot tell apart. On
	// styled-writers MNIST it was less stable than GRL over seeds (see the
	// package documentation).
	MaxEnt = "maxent"
)

// Adversaries lists the heads Config.Adversary accepts.
var Adversaries = []string{MINE, NWJ, InfoNCE, CLUB, GRL, MaxEnt}

// Defaults of Config's zero fields.
//
// DefaultAdversary is the classifier head with gradient reversal (GRL), on
// the evidence of the experiments in the package documentation: it is the
// head whose removal of the protected attribute fresh attackers confirm.
const (
	DefaultAdversary   = GRL
	DefaultCriticSteps = 5
	DefaultWarmup      = 200
)

// ConvDelay is the delay (Config.Delay) miaudit's command line uses for
// conv encoders (images) unless told otherwise: 300 steps of DIM alone
// before λ starts to rise. Local DIM on images starts slowly (its
// estimate stays near chance, −2·log 2, for the first hundred steps), and
// an adversary heard from the first step swamps it: on styled-writers
// MNIST (one epoch, GRL head, λ = 1, seed 0) the run without a delay
// ended with codes that told neither digit nor writer (digit linear-probe
// accuracy 0.119, the majority share), the run with 300 steps of delay
// kept the digits (0.496, against 0.505 for λ = 0) and hid the writer
// (MLP attacker advantage 0.145, against 0.810). Tables need none: the
// MLP encoder's view objective starts at once, and on German credit a
// delay of 300 steps left sex more recoverable (see the package
// documentation).
const ConvDelay = 300

// ConvCriticSteps and TableCriticSteps are the numbers of head steps per
// encoder step (Config.CriticSteps) miaudit's command line uses for conv
// encoders (images) and MLP encoders (tables) unless told otherwise.
//
// Images: with the images centred (infomax.Config.Center) and DIM's
// negatives drawn within the writer (infomax.Config.NegGroup), GRL at
// λ = 1 on styled-writers MNIST (one epoch) with 20 steps kept the digit
// linear probe (0.926 and 0.895, against 0.912 and 0.889 at λ = 0) and cut
// a fresh MLP attacker's writer advantage by 59.3 % and 63.3 % (0.227 and
// 0.208, against 0.558 and 0.566), means over seeds 0–2 and over seeds
// 3–5 (the writers of sweep --seed 3); every seed cut it by at least
// 57 % for at most 0.4 digit points. λ = 2 with 15 steps gave 61.4 % and
// 52.8 %, one seed only 43 %. Without centring, 15 steps were the knee
// (0.844 and 0.428 on seed 0, against 0.853 and 0.861 for plain DIM;
// 20 steps 0.756 and 0.356): see the package documentation.
//
// Tables: on German credit (GRL, sex protected, 100 epochs, 5 seeds) 10
// steps at λ = 5 left every seed's fresh attackers within the bootstrap
// CI of the majority share and cost 1.8 points of class accuracy (0.711
// against 0.729); 5 steps needed λ = 10 for the same and cost 2.3 (0.706).
// Chosen on seeds 0–4, it held on seeds 5–9: class 0.699 against 0.698,
// every attacker within the CI, demographic parity difference 0.042
// against 0.130.
const (
	ConvCriticSteps  = 20
	TableCriticSteps = 10
)

// Protect is a protected attribute and the weight of its head's term.
type Protect struct {
	Attr   string  `json:"attr"`
	Lambda float64 `json:"lambda"`
}

// Config configures the adversary heads.
type Config struct {
	// Protect lists the protected attributes, one head each.
	Protect []Protect `json:"protect"`
	// Adversary is the head kind (Adversaries); "" means DefaultAdversary.
	Adversary string `json:"adversary"`
	// CriticSteps is the number of head steps per encoder step; 0 means
	// DefaultCriticSteps, 5. On the planted-attribute task of the tests
	// (an MLP encoder, 600 steps), a fresh probe's accuracy on the
	// protected attribute after training with one head step per encoder
	// step stayed at 0.96–1.00 for every head at λ = 1 and 10, and fell to
	// 0.53–0.86 with five steps: a head that lags the encoder hands it
	// gradients of a stale estimate.
	CriticSteps int `json:"critic_steps"`
	// Delay is the number of steps trained with λ = 0 (the heads train,
	// the encoder does not hear them) before λ starts to rise; 0 means
	// none. Measured both ways: with λ = 3 from the first step on
	// styled-writers MNIST (300 steps), the heads' gradients swamped DIM's
	// (small while its scores are near 0) and the DIM estimate stayed at
	// chance, −2·log 2; but on the planted-attribute task of the tests a
	// delay of 100 steps let the encoder learn the attribute first, and
	// λ = 3 never removed it (a fresh probe's accuracy stayed 1.00 against
	// 0.51 without delay).
	Delay int `json:"delay,omitempty"`
	// Warmup is the number of steps, after Delay, over which each λ rises
	// linearly from λ/Warmup to λ; 0 means DefaultWarmup, a negative value
	// none.
	Warmup int `json:"warmup"`
	// Hidden and LR configure the heads' networks and Adam (0 or nil: the
	// adversary package's defaults).
	Hidden []int   `json:"hidden,omitempty"`
	LR     float64 `json:"lr,omitempty"`
	// RawCodes gives the heads the codes as they are. By default they see
	// them standardised over the batch (see standardize), as the audit's
	// attackers see standardised features, and the encoder receives the
	// gradient of their terms with respect to its codes preconditioned by
	// each dimension's batch standard deviation σ_j: column j of the
	// gradient multiplied by σ_j, still a descent direction (the
	// preconditioner is positive diagonal), now of a size that does not
	// depend on the codes' scale. The plain gradient grows as 1/σ: on
	// styled-writers MNIST (GRL head, λ = 1) it let the heads' term swamp
	// DIM's as the codes shrank, until the codes were constant (spread
	// 4e-4 against 2.2 for λ = 0) and told nothing, the digit included.
	RawCodes bool `json:"raw_codes,omitempty"`
	// Unclamped lets the encoder hear a head on every step. By default a
	// head is silent on a step where its estimate on the batch (its last
	// training step's value) is not above 0: it found nothing there, and
	// pushing on teaches the encoder to fool this one head — a GRL head's
	// cross-entropy driven above the labels' entropy — rather than to
	// hide the attribute, which fresh attackers then recover. On
	// styled-writers MNIST (GRL, λ = 0.3, leaky codes, one epoch, seed 0;
	// λ = 0: digit probe 0.794, fresh MLP attacker's writer advantage
	// 0.861) the unclamped heads ended at −0.2 nats; with 10 head steps
	// the clamped run kept more digit and hid more writer (0.734 and 0.338
	// against 0.691 and 0.462 unclamped), and with 7 it kept the digit
	// (0.793) and cut the advantage to 0.507 (digit probes fitted with the
	// C grid 0.01, 0.1, 1; with the default grid, 0.853 for λ = 0 and 0.815
	// for 7 steps: see the package documentation). On the planted task of the
	// tests it hides less (a fresh probe's accuracy 0.63–0.65 against
	// 0.57–0.59 at λ = 1, head seeds 2–4).
	Unclamped bool `json:"unclamped,omitempty"`
	// Seed seeds the heads' initial weights and pairings.
	Seed uint64 `json:"seed"`
}

// WithDefaults returns c with its zero fields set to their defaults, as
// NewHeads records it, or an error if c is not valid.
func (c Config) WithDefaults() (Config, error) { return c.withDefaults() }

// RecordedConfig returns the heads' Config from raw, the spec that
// NewHeads returned (and run.json records).
func RecordedConfig(raw json.RawMessage) (Config, error) {
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return Config{}, fmt.Errorf("minmax: heads spec: %w", err)
	}
	return sp.Config, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.Adversary == "" {
		c.Adversary = DefaultAdversary
	}
	if !slices.Contains(Adversaries, c.Adversary) {
		return c, fmt.Errorf("minmax: unknown adversary %q (want one of %s)", c.Adversary, strings.Join(Adversaries, ", "))
	}
	if c.CriticSteps == 0 {
		c.CriticSteps = DefaultCriticSteps
	}
	if c.CriticSteps < 1 {
		return c, fmt.Errorf("minmax: %d critic steps", c.CriticSteps)
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	}
	if c.Delay < 0 {
		return c, fmt.Errorf("minmax: delay %d", c.Delay)
	}
	if len(c.Protect) == 0 {
		return c, fmt.Errorf("minmax: no protected attribute")
	}
	seen := map[string]bool{}
	for _, p := range c.Protect {
		if seen[p.Attr] {
			return c, fmt.Errorf("minmax: %s protected twice", p.Attr)
		}
		seen[p.Attr] = true
		if p.Lambda < 0 || math.IsNaN(p.Lambda) || math.IsInf(p.Lambda, 0) {
			return c, fmt.Errorf("minmax: λ %g for %s: want a finite λ ≥ 0", p.Lambda, p.Attr)
		}
	}
	return c, nil
}

// spec is what run.json records to build the heads again.
type spec struct {
	Config Config `json:"config"`
	// Classes are each protected attribute's values, sorted: value i is
	// class i.
	Classes [][]string `json:"classes"`
	Code    int        `json:"code"`
	Batch   int        `json:"batch"`
}

// NewHeads builds one head per protected attribute of cfg for codes of
// width code in batches of batch rows of d, and the spec that HeadsFrom
// needs to build them again (to resume a run).
func NewHeads(cfg Config, d *dataset.Dataset, code, batch int) ([]infomax.Head, json.RawMessage, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	sp := spec{Config: cfg, Code: code, Batch: batch}
	for _, p := range cfg.Protect {
		col, err := column(d, p.Attr)
		if err != nil {
			return nil, nil, err
		}
		vals := slices.Sorted(slices.Values(col))
		vals = slices.Compact(vals)
		if len(vals) < 2 {
			return nil, nil, fmt.Errorf("minmax: protected attribute %s has a single value %q: nothing to hide", p.Attr, vals[0])
		}
		sp.Classes = append(sp.Classes, vals)
	}
	raw, err := json.Marshal(sp)
	if err != nil {
		return nil, nil, err
	}
	heads, err := build(sp, d)
	return heads, raw, err
}

// HeadsFrom builds the heads that NewHeads described in raw.
func HeadsFrom(raw json.RawMessage, d *dataset.Dataset) ([]infomax.Head, error) {
	var sp spec
	if err := json.Unmarshal(raw, &sp); err != nil {
		return nil, fmt.Errorf("minmax: heads: %w", err)
	}
	return build(sp, d)
}

func column(d *dataset.Dataset, attr string) ([]string, error) {
	if d.Attrs == nil || !d.Attrs.Has(attr) {
		var have []string
		if d.Attrs != nil {
			have = d.Attrs.Header
		}
		return nil, fmt.Errorf("minmax: %s has no attribute %q (it has %v): %w", d.Name, attr, have, dataset.ErrNotFound)
	}
	return d.Attrs.Column(attr)
}

func build(sp spec, d *dataset.Dataset) ([]infomax.Head, error) {
	var heads []infomax.Head
	fail := func(err error) ([]infomax.Head, error) {
		for _, h := range heads {
			h.Close()
		}
		return nil, err
	}
	cfg := sp.Config
	for i, p := range cfg.Protect {
		col, err := column(d, p.Attr)
		if err != nil {
			return fail(err)
		}
		classes := sp.Classes[i]
		labels := make([]int, len(col))
		for r, v := range col {
			c, ok := slices.BinarySearch(classes, v)
			if !ok {
				return fail(fmt.Errorf("minmax: row %d of %s has %s = %q, not among the run's values", r, d.Name, p.Attr, v))
			}
			labels[r] = c
		}
		ac := adversary.Config{Bound: cfg.Adversary, DZ: sp.Code, Classes: len(classes), Batch: sp.Batch, Hidden: cfg.Hidden, LR: cfg.LR}
		if cfg.Adversary == MaxEnt {
			ac.Bound, ac.EncoderTerm = adversary.BoundGRL, adversary.TermEntropy
		}
		est, err := adversary.New(ac, rand.New(rand.NewPCG(cfg.Seed, 0x6164760000+uint64(i)))) // "adv"
		if err != nil {
			return fail(fmt.Errorf("minmax: head on %s: %w", p.Attr, err))
		}
		heads = append(heads, &head{
			attr: p.Attr, kind: cfg.Adversary, lambda: p.Lambda, delay: cfg.Delay, warmup: cfg.Warmup, k: cfg.CriticSteps, est: est, labels: labels,
			s: make(adversary.Labels, sp.Batch), g: make([]float32, sp.Batch*sp.Code), b: sp.Batch, d: sp.Code,
			unclamped: cfg.Unclamped,
		})
		if !cfg.RawCodes {
			h := heads[len(heads)-1].(*head)
			h.z, h.sd, h.gy = make([]float32, sp.Batch*sp.Code), make([]float64, sp.Code), make([]float32, sp.Batch*sp.Code)
		}
	}
	return heads, nil
}

// head is the adversary on one protected attribute.
type head struct {
	attr, kind    string // kind: Config.Adversary
	lambda        float64
	delay, warmup int
	k             int
	est           *adversary.Estimator
	labels        []int // class of every dataset row
	s             adversary.Labels
	g             []float32
	b, d          int
	unclamped     bool
	// z and sd hold the batch's standardised codes and their columns'
	// standard deviations; nil for raw codes.
	z, gy []float32
	sd    []float64
}

// Columns implements infomax.Head: the head's estimate on the batch (its
// last training step's value) and the λ in force.
func (h *head) Columns() []string {
	return []string{"adv_" + h.attr, "lambda_" + h.attr}
}

// lambdaAt returns λ at step k (from 0): 0 for k < delay, then
// λ·min(1, (k − delay + 1)/warmup).
func (h *head) lambdaAt(k int64) float64 {
	k -= int64(max(h.delay, 0))
	switch {
	case k < 0:
		return 0
	case h.warmup <= 0:
		return h.lambda
	}
	return h.lambda * math.Min(1, float64(k+1)/float64(h.warmup))
}

// Step implements infomax.Head.
func (h *head) Step(y []float32, rows []int, k int64, g []float32) ([]float64, error) {
	for i, r := range rows {
		h.s[i] = h.labels[r]
	}
	z := y
	if h.z != nil {
		standardize(y, h.b, h.d, h.z, h.sd)
		z = h.z
	}
	v := math.NaN()
	for range h.k {
		var err error
		if v, err = h.est.Train(z, h.s); err != nil {
			return nil, h.wrap(err)
		}
	}
	lam := h.lambdaAt(k)
	if lam > 0 && (h.unclamped || v > 0) {
		if _, err := h.est.EncoderGrad(z, h.s, h.g); err != nil {
			return nil, h.wrap(err)
		}
		if h.z != nil {
			// The gradient with respect to y, each dimension's column
			// multiplied by its σ_j (see standardize): a descent
			// direction for the head's term whose size does not grow as
			// the codes shrink.
			clear(h.gy)
			standardizeGrad(h.z, h.sd, h.g, h.b, h.d, 1, h.gy)
			for i, x := range h.gy {
				g[i] += float32(lam * h.sd[i%h.d] * float64(x))
			}
		} else {
			for i, x := range h.g {
				g[i] += float32(lam) * x
			}
		}
	}
	return []float64{v, lam}, nil
}

func (h *head) wrap(err error) error {
	if errors.Is(err, adversary.ErrDiverged) {
		return fmt.Errorf("%w: the %s head on %s: %w", infomax.ErrDiverged, h.kind, h.attr, err)
	}
	return fmt.Errorf("minmax: head on %s: %w", h.attr, err)
}

// Save implements infomax.Head.
func (h *head) Save(prefix string) error { return h.est.Save(prefix + ".safetensors") }

// Load implements infomax.Head.
func (h *head) Load(prefix string) error {
	est, err := adversary.Load(prefix + ".safetensors")
	if err != nil {
		return err
	}
	h.est.Close()
	h.est = est
	return nil
}

// Close implements infomax.Head.
func (h *head) Close() error { return h.est.Close() }
