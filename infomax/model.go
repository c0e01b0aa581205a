package infomax

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/miaudit/miaudit/nn"
)

// ErrDiverged is wrapped by Step's error when the loss is not finite.
var ErrDiverged = errors.New("infomax: training diverged (the loss is not finite)")

// priorHidden is the width of the prior discriminator's hidden layer.
const priorHidden = 256

// encoder is the network from an input to its code, and (conv) its feature
// maps. Its parameters are named "enc.*".
type encoder struct {
	cfg   Config
	convs []*nn.Conv2d
	fc    *nn.Linear
	mlp   *nn.MLP
}

func newEncoder(g *G.ExprGraph, cfg Config, rng *rand.Rand) (*encoder, error) {
	e := &encoder{cfg: cfg}
	var err error
	switch cfg.Encoder {
	case ConvEncoder:
		in, h, w := cfg.Input[0], cfg.Input[1], cfg.Input[2]
		for i, ch := range cfg.Channels {
			k, st := 3, 1
			if i > 0 {
				k, st = 4, 2
			}
			c, err := nn.NewConv2d(g, fmt.Sprintf("enc.conv%d", i), in, ch, k, rng, &nn.Conv2dOptions{Stride: st, Padding: 1})
			if err != nil {
				return nil, err
			}
			e.convs = append(e.convs, c)
			in, h, w = ch, c.OutSize(h), c.OutSize(w)
		}
		if e.fc, err = nn.NewLinear(g, "enc.fc", in*h*w, cfg.Code, rng, nil); err != nil {
			return nil, err
		}
	case MLPEncoder:
		widths := append(append([]int{cfg.Input[0]}, cfg.Hidden...), cfg.Code)
		if e.mlp, err = nn.NewMLP(g, "enc.mlp", widths, cfg.activation(), rng, nil); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// activation is the encoder's activation: ReLU, or a leaky ReLU for a
// positive Slope.
func (c Config) activation() nn.Activation {
	if c.Slope > 0 {
		return nn.LeakyReLU(c.Slope)
	}
	return nn.ReLU
}

// forward returns the code of x and, for the conv encoder, every layer's
// output after its activation.
func (e *encoder) forward(x *G.Node) (y *G.Node, maps []*G.Node, err error) {
	if e.mlp != nil {
		y, err = e.mlp.Forward(x)
		return y, nil, err
	}
	if maps, err = e.features(x, len(e.convs)); err != nil {
		return nil, nil, err
	}
	h := maps[len(maps)-1]
	s := h.Shape()
	flat, err := G.Reshape(h, tensor.Shape{s[0], s[1] * s[2] * s[3]})
	if err != nil {
		return nil, nil, fmt.Errorf("infomax: flatten: %w", err)
	}
	y, err = e.fc.Forward(flat)
	return y, maps, err
}

// features returns the outputs of the conv encoder's first n layers on x,
// each after its activation.
func (e *encoder) features(x *G.Node, n int) (maps []*G.Node, err error) {
	h := x
	for _, c := range e.convs[:n] {
		if h, err = c.Forward(h); err != nil {
			return nil, err
		}
		if h, err = e.cfg.activation()(h); err != nil {
			return nil, err
		}
		maps = append(maps, h)
	}
	return maps, nil
}

func (e *encoder) modules() []nn.Module {
	if e.mlp != nil {
		return []nn.Module{e.mlp}
	}
	mods := make([]nn.Module, 0, len(e.convs)+1)
	for _, c := range e.convs {
		mods = append(mods, c)
	}
	return append(mods, e.fc)
}

// inputNode adds a float32 input of n examples of cfg.Input's shape, bound
// to a new tensor.
func inputNode(g *G.ExprGraph, name string, n int, shape []int) (*G.Node, *tensor.Dense) {
	full := append([]int{n}, shape...)
	t := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(full...))
	return G.NewTensor(g, tensor.Float32, len(full), G.WithShape(full...), G.WithName(name), G.WithValue(t)), t
}

// Stats are the figures of one training step, in nats where they are MI
// estimates (JSD values are a training signal, not nats).
type Stats struct {
	// Loss is the minimised objective −(α·Global + β·Local) + γ·Prior.
	Loss float64
	// Local is the local DIM estimate (for the MLP encoder, the view
	// estimate); NaN when β = 0.
	Local float64
	// Global is the global DIM estimate; NaN when α = 0 or for the MLP
	// encoder.
	Global float64
	// Prior is the prior discriminator's cross-entropy (log 4 ≈ 1.386 when
	// it cannot tell codes from prior draws); NaN when γ = 0.
	Prior float64
}

// Trainer holds a DIM model's training graph and optimiser. It is not safe
// for concurrent use.
type Trainer struct {
	cfg                   Config
	x, view, prior, gy    *tensor.Dense
	xl                    *tensor.Dense // the local view of cross-view DIM
	scratch               []float32
	ctmp                  []float32 // scratch space of centre
	codes                 *Encoder  // forward-only copy for Codes
	enc                   *encoder
	params, encParams     *nn.Params
	machine               *nn.Machine
	opt                   *nn.Adam
	local, global, priorL *G.Node
}

// TrainerOptions extend a Trainer's graph.
type TrainerOptions struct {
	// CodeGrad adds the term Σ g ⊙ y to the loss, g an input set by
	// StepWith: heads outside the graph (adversaries on a protected
	// attribute) then add their gradient with respect to the codes y to
	// the encoder's.
	CodeGrad bool
}

// NewTrainer builds the training graph of cfg, with initial weights drawn
// from a generator seeded with cfg.Seed.
func NewTrainer(cfg Config) (*Trainer, error) { return NewTrainerWith(cfg, TrainerOptions{}) }

// NewTrainerWith is NewTrainer with options.
func NewTrainerWith(cfg Config, opt TrainerOptions) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x696e666f6d6178)) // "infomax"
	g := G.NewGraph()
	t := &Trainer{cfg: cfg}
	var xn *G.Node
	xn, t.x = inputNode(g, "x", cfg.Batch, cfg.Input)
	var err error
	if t.enc, err = newEncoder(g, cfg, rng); err != nil {
		return nil, err
	}
	y, maps, err := t.enc.forward(xn)
	if err != nil {
		return nil, err
	}
	mods := t.enc.modules()
	b := cfg.Batch
	var terms []*G.Node // weighted objective terms to maximise
	var e nn.Exprs
	weigh := func(w float64, v *G.Node) {
		terms = append(terms, e.Do(func() (*G.Node, error) { return G.Mul(v, G.NewConstant(float32(w))) }))
	}
	embedCode := func(name string) (*G.Node, error) {
		l, err := nn.NewLinear(g, name, cfg.Code, cfg.Embed, rng, nil)
		if err != nil {
			return nil, err
		}
		mods = append(mods, l)
		return l.Forward(y)
	}
	switch cfg.Encoder {
	case ConvEncoder:
		if cfg.Beta > 0 {
			lm := maps[cfg.LocalLayer]
			if !cfg.Augment.IsZero() {
				// Cross-view DIM: the local features are those of a
				// transformed copy of the batch, set by StepViews.
				var xl *G.Node
				xl, t.xl = inputNode(g, "x_local", cfg.Batch, cfg.Input)
				lmaps, err := t.enc.features(xl, cfg.LocalLayer+1)
				if err != nil {
					return nil, err
				}
				lm = lmaps[cfg.LocalLayer]
			}
			s := lm.Shape()
			p := s[2] * s[3]
			c, err := nn.NewConv2d(g, "critic.local", s[1], cfg.Embed, 1, rng, &nn.Conv2dOptions{NoBias: true})
			if err != nil {
				return nil, err
			}
			mods = append(mods, c)
			// The code itself is the local critic's code embedding (as in
			// the reference workload): a second linear map between y and
			// the dot product only shrank the initial scores and slowed
			// the local term's start.
			yl := y
			if cfg.Embed != cfg.Code {
				if yl, err = embedCode("critic.code_local"); err != nil {
					return nil, err
				}
			}
			le := e.Do(func() (*G.Node, error) { return c.Forward(lm) })
			le = e.Do(func() (*G.Node, error) { return G.Reshape(le, tensor.Shape{b, cfg.Embed, p}) })
			le = e.Do(func() (*G.Node, error) { return G.Transpose(le, 1, 0, 2) })
			le = e.Do(func() (*G.Node, error) { return G.Reshape(le, tensor.Shape{cfg.Embed, b * p}) })
			sc := e.Do(func() (*G.Node, error) { return nn.MatMul(yl, le, false, false) })
			if e.Err == nil {
				if t.local, err = objective(sc, b, p, cfg.negGroup(), cfg.Estimator); err != nil {
					return nil, err
				}
				weigh(cfg.Beta, t.local)
			}
		}
		if cfg.Alpha > 0 {
			last := maps[len(maps)-1]
			s := last.Shape()
			flat := e.Do(func() (*G.Node, error) { return G.Reshape(last, tensor.Shape{b, s[1] * s[2] * s[3]}) })
			ml, err := nn.NewLinear(g, "critic.map", s[1]*s[2]*s[3], cfg.Embed, rng, nil)
			if err != nil {
				return nil, err
			}
			mods = append(mods, ml)
			yg, err := embedCode("critic.code_global")
			if err != nil {
				return nil, err
			}
			me := e.Do(func() (*G.Node, error) { return ml.Forward(flat) })
			sc := e.Do(func() (*G.Node, error) { return nn.MatMul(yg, me, false, true) })
			if e.Err == nil {
				if t.global, err = objective(sc, b, 1, cfg.negGroup(), cfg.Estimator); err != nil {
					return nil, err
				}
				weigh(cfg.Alpha, t.global)
			}
		}
	case MLPEncoder:
		var vn *G.Node
		vn, t.view = inputNode(g, "view", b, cfg.Input)
		widths := append(append([]int{cfg.Input[0]}, cfg.Hidden...), cfg.Embed)
		vm, err := nn.NewMLP(g, "critic.view", widths, nn.ReLU, rng, nil)
		if err != nil {
			return nil, err
		}
		mods = append(mods, vm)
		yv, err := embedCode("critic.code_view")
		if err != nil {
			return nil, err
		}
		ve := e.Do(func() (*G.Node, error) { return vm.Forward(vn) })
		sc := e.Do(func() (*G.Node, error) { return nn.MatMul(yv, ve, false, true) })
		if e.Err == nil {
			if t.local, err = objective(sc, b, 1, cfg.negGroup(), cfg.Estimator); err != nil {
				return nil, err
			}
			weigh(cfg.Beta, t.local)
		}
	}
	if e.Err != nil {
		return nil, fmt.Errorf("infomax: %w", e.Err)
	}
	loss := e.Neg(sum(&e, terms))
	if opt.CodeGrad {
		var gn *G.Node
		gn, t.gy = inputNode(g, "code_grad", b, []int{cfg.Code})
		loss = e.Add(loss, e.Sum(e.Hadamard(gn, y)))
	}
	if cfg.Gamma > 0 {
		var pn *G.Node
		pn, t.prior = inputNode(g, "prior", b, []int{cfg.Code})
		d, err := nn.NewMLP(g, "prior", []int{cfg.Code, priorHidden, 1}, nn.ReLU, rng, nil)
		if err != nil {
			return nil, err
		}
		mods = append(mods, d)
		// The discriminator minimises its cross-entropy (prior draws are
		// labelled 1, codes 0); the reversal layer makes the encoder
		// maximise it.
		yr := e.Do(func() (*G.Node, error) { return nn.GradReverse(y, 1) })
		dp := e.Do(func() (*G.Node, error) { return d.Forward(pn) })
		dy := e.Do(func() (*G.Node, error) { return d.Forward(yr) })
		real := e.Do(func() (*G.Node, error) { return nn.Softplus(e.Neg(dp)) })
		fake := e.Do(func() (*G.Node, error) { return nn.Softplus(dy) })
		t.priorL = e.Add(e.Do(func() (*G.Node, error) { return G.Mean(real) }), e.Do(func() (*G.Node, error) { return G.Mean(fake) }))
		loss = e.Add(loss, e.Do(func() (*G.Node, error) { return G.Mul(t.priorL, G.NewConstant(float32(cfg.Gamma))) }))
	}
	if e.Err != nil {
		return nil, fmt.Errorf("infomax: %w", e.Err)
	}
	if t.params, err = nn.ParamsOf(mods...); err != nil {
		return nil, err
	}
	if t.encParams, err = nn.ParamsOf(t.enc.modules()...); err != nil {
		return nil, err
	}
	var watch []*G.Node
	for _, n := range []*G.Node{t.local, t.global, t.priorL} {
		if n != nil {
			watch = append(watch, n)
		}
	}
	if t.machine, err = nn.NewMachine(loss, t.params, watch...); err != nil {
		return nil, err
	}
	if t.opt, err = nn.NewAdam(t.params, nn.AdamConfig{LR: cfg.LR, MaxGradNorm: cfg.Clip}); err != nil {
		t.machine.Close()
		return nil, err
	}
	return t, nil
}

// sum adds the nodes.
func sum(e *nn.Exprs, ns []*G.Node) *G.Node {
	acc := ns[0]
	for _, n := range ns[1:] {
		acc = e.Add(acc, n)
	}
	return acc
}

// Config returns the trainer's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// Steps returns the number of steps taken (restored by LoadState).
func (t *Trainer) Steps() int64 { return t.opt.StepCount() }

// Step runs one training step on the batch x (Batch examples, one after
// another) and returns its figures. rng draws the step's randomness: the
// prior samples and the table objective's corrupted views. A non-finite
// loss returns an error wrapping ErrDiverged before the weights change.
func (t *Trainer) Step(x []float32, rng *rand.Rand) (Stats, error) { return t.StepWith(x, nil, rng) }

// StepWith is Step with g, the gradient of the heads' terms with respect
// to the batch's codes (Batch×Code; nil for none), added to the encoder's
// gradient. It needs a trainer built with CodeGrad. The returned Loss does
// not include the heads' terms.
func (t *Trainer) StepWith(x, g []float32, rng *rand.Rand) (Stats, error) {
	return t.StepViews(x, x, g, rng)
}

// StepViews is StepWith with the code computed from x and the local view
// of cross-view DIM drawn from src, the images x is a view of.
func (t *Trainer) StepViews(x, src, g []float32, rng *rand.Rand) (Stats, error) {
	b, d := t.cfg.Batch, t.cfg.InputSize()
	for _, v := range [][]float32{x, src} {
		if len(v) != b*d {
			return Stats{}, fmt.Errorf("infomax: batch of %d values, want %d examples of %d", len(v), b, d)
		}
	}
	if t.gy != nil {
		gd := t.gy.Data().([]float32)
		switch {
		case g == nil:
			clear(gd)
		case len(g) != len(gd):
			return Stats{}, fmt.Errorf("infomax: code gradient of %d values, want %d×%d", len(g), b, t.cfg.Code)
		default:
			copy(gd, g)
		}
	} else if g != nil {
		return Stats{}, fmt.Errorf("infomax: a code gradient needs a trainer built with CodeGrad")
	}
	t.cfg.input(t.x.Data().([]float32), x, b, &t.ctmp)
	if t.xl != nil {
		in := t.cfg.Input
		if t.scratch == nil {
			t.scratch = make([]float32, in[1]*in[2])
		}
		xl := t.xl.Data().([]float32)
		t.cfg.Augment.apply(xl, src, b, in[0], in[1], in[2], rng, t.scratch)
		t.cfg.input(xl, xl, b, &t.ctmp)
	}
	if t.view != nil {
		corrupt(t.view.Data().([]float32), x, b, d, t.cfg.Corrupt, rng)
	}
	if t.prior != nil {
		for i, p := 0, t.prior.Data().([]float32); i < len(p); i++ {
			p[i] = float32(rng.NormFloat64())
		}
	}
	if err := t.machine.Run(); err != nil {
		return Stats{}, err
	}
	st := Stats{Loss: t.machine.Loss(), Local: t.value(t.local), Global: t.value(t.global), Prior: t.value(t.priorL)}
	if t.gy != nil {
		// The loss node includes Σ g ⊙ y, a surrogate whose value means
		// nothing: report the DIM objective alone.
		st.Loss = t.dimLoss(st)
	}
	if math.IsNaN(st.Loss) || math.IsInf(st.Loss, 0) {
		return st, fmt.Errorf("step %d: loss %v: %w", t.Steps()+1, st.Loss, ErrDiverged)
	}
	return st, t.opt.Step()
}

func (t *Trainer) value(n *G.Node) float64 {
	if n == nil {
		return math.NaN()
	}
	v := t.machine.Value(n)
	if v == nil {
		return math.NaN()
	}
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	case []float32:
		return float64(d[0])
	}
	return math.NaN()
}

// corrupt writes into view the batch x (b rows of d) with each value
// replaced, with probability q, by the same feature of a uniformly drawn
// other row.
func corrupt(view, x []float32, b, d int, q float64, rng *rand.Rand) {
	copy(view, x)
	for i := range b {
		for j := range d {
			if rng.Float64() < q {
				o := rng.IntN(b - 1)
				if o >= i {
					o++
				}
				view[i*d+j] = x[o*d+j]
			}
		}
	}
}

// dimLoss recomputes −(α·Global + β·Local) + γ·Prior from the figures.
func (t *Trainer) dimLoss(st Stats) float64 {
	l := 0.0
	if t.local != nil {
		l -= t.cfg.Beta * st.Local
	}
	if t.global != nil {
		l -= t.cfg.Alpha * st.Global
	}
	if t.priorL != nil {
		l += t.cfg.Gamma * st.Prior
	}
	return l
}

// Codes writes the codes of the Batch examples x under the current weights
// into dst (Batch×Code), by a forward pass of a copy of the encoder.
func (t *Trainer) Codes(x, dst []float32) error {
	if t.codes == nil {
		e, err := t.Encoder(t.cfg.Batch)
		if err != nil {
			return err
		}
		t.codes = e
	} else if err := t.codes.setFrom(t.encParams); err != nil {
		return err
	}
	return t.codes.Encode(x, t.cfg.Batch, dst)
}

// Close releases the graph.
func (t *Trainer) Close() error {
	if t.codes != nil {
		t.codes.Close()
	}
	return t.machine.Close()
}
