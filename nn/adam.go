package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AdamConfig holds Adam's hyper-parameters. The zero value of each field
// means PyTorch's default (so β₁ = 0 cannot be asked for).
type AdamConfig struct {
	// LR is the learning rate; 0 means 1e-3.
	LR float64
	// Beta1 and Beta2 are the moment decay rates; 0 means 0.9 and 0.999.
	Beta1, Beta2 float64
	// Eps is added to the root of the second moment; 0 means 1e-8.
	Eps float64
	// MaxGradNorm, when positive, scales the gradients before each step so
	// that their global L2 norm is at most MaxGradNorm (see ClipGradNorm).
	MaxGradNorm float64
}

func (c AdamConfig) withDefaults() AdamConfig {
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	return c
}

// Adam is the Adam optimiser (Kingma & Ba 2015) as torch.optim.Adam
// implements it (no weight decay, no AMSGrad), in float32. Step t ≥ 1 does,
// for each parameter θ with gradient g:
//
//	m ← β₁·m + (1−β₁)·g
//	v ← β₂·v + (1−β₂)·g²
//	θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
//
// Its state (m, v and t) can be saved and restored (Save, Load) so that a
// resumed run is bit-identical to an uninterrupted one. Unlike gorgonia's
// AdamSolver it updates values in place and allocates nothing per step.
type Adam struct {
	cfg    AdamConfig
	params *Params
	nodes  G.Nodes
	m, v   [][]float32
	step   int64
	spans  []adamSpan
}

// adamSpan is elements [lo, hi) of parameter i.
type adamSpan struct{ i, lo, hi int }

// NewAdam returns an Adam optimiser over the float32 parameters p, with
// zero moments and step count 0.
func NewAdam(p *Params, cfg AdamConfig) (*Adam, error) {
	cfg = cfg.withDefaults()
	if cfg.LR < 0 || cfg.Beta1 < 0 || cfg.Beta1 >= 1 || cfg.Beta2 < 0 || cfg.Beta2 >= 1 || cfg.Eps < 0 || cfg.MaxGradNorm < 0 {
		return nil, fmt.Errorf("nn: adam: invalid config %+v", cfg)
	}
	a := &Adam{cfg: cfg, params: p, nodes: p.Nodes()}
	for _, n := range a.nodes {
		if n.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("nn: adam: %s has dtype %v, want float32", n.Name(), n.Dtype())
		}
		k := n.Shape().TotalSize()
		a.m = append(a.m, make([]float32, k))
		a.v = append(a.v, make([]float32, k))
	}
	return a, nil
}

// Config returns the hyper-parameters in use, defaults filled in.
func (a *Adam) Config() AdamConfig { return a.cfg }

// StepCount returns the number of steps taken (t).
func (a *Adam) StepCount() int64 { return a.step }

// SetLR changes the learning rate for the following steps.
func (a *Adam) SetLR(lr float64) { a.cfg.LR = lr }

// Step updates every parameter in place from the gradient bound to it (by
// a TapeMachine built with BindDualValues). It does not zero the
// gradients: Machine.Run does that before each run (see ZeroGrads).
func (a *Adam) Step() error {
	grads := make([][]float32, len(a.nodes))
	vals := make([][]float32, len(a.nodes))
	for i, n := range a.nodes {
		var err error
		if vals[i], err = Float32s(n); err != nil {
			return fmt.Errorf("nn: adam: %w", err)
		}
		if grads[i], err = gradFloat32s(n); err != nil {
			return fmt.Errorf("nn: adam: %w", err)
		}
		if len(grads[i]) != len(vals[i]) {
			return fmt.Errorf("nn: adam: %s: gradient has %d elements, value %d", n.Name(), len(grads[i]), len(vals[i]))
		}
	}
	if a.cfg.MaxGradNorm > 0 {
		clipGrads(grads, a.cfg.MaxGradNorm)
	}
	a.step++
	t := float64(a.step)
	bc1 := 1 - math.Pow(a.cfg.Beta1, t)
	bc2 := 1 - math.Pow(a.cfg.Beta2, t)
	stepSize := float32(a.cfg.LR / bc1)
	invBc2Sqrt := float32(1 / math.Sqrt(bc2))
	b1, b2 := float32(a.cfg.Beta1), float32(a.cfg.Beta2)
	c1, c2 := float32(1-a.cfg.Beta1), float32(1-a.cfg.Beta2)
	eps := float32(a.cfg.Eps)
	// Split the work into chunks of a few hundred kilobytes so that both
	// cores stay busy whatever the sizes of the parameters.
	const chunk = 1 << 15
	spans := a.spans[:0]
	for i, g := range grads {
		for lo := 0; lo < len(g); lo += chunk {
			spans = append(spans, adamSpan{i, lo, min(lo+chunk, len(g))})
		}
	}
	a.spans = spans
	parallelFor(len(spans), func(k int) {
		s := spans[k]
		adamKernel(vals[s.i][s.lo:s.hi], grads[s.i][s.lo:s.hi], a.m[s.i][s.lo:s.hi], a.v[s.i][s.lo:s.hi],
			b1, b2, c1, c2, stepSize, invBc2Sqrt, eps)
	})
	return nil
}

// adamKernel updates one parameter slice. It multiplies by 1/√(1−β₂ᵗ)
// where torch divides by √(1−β₂ᵗ): a division fewer per element, at most
// an ulp of difference.
func adamKernel(p, g, m, v []float32, b1, b2, c1, c2, stepSize, invBc2Sqrt, eps float32) {
	p, m, v = p[:len(g)], m[:len(g)], v[:len(g)]
	for j, gj := range g {
		mj := b1*m[j] + c1*gj
		vj := b2*v[j] + c2*gj*gj
		m[j], v[j] = mj, vj
		denom := float32(math.Sqrt(float64(vj)))*invBc2Sqrt + eps
		p[j] -= stepSize * mj / denom
	}
}

// ClipGradNorm scales the gradients of p in place so that their global L2
// norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_:
//
//	n = √(Σ_params Σ_i g_i²),  g ← g · min(1, maxNorm / (n + 1e-6))
//
// It returns n, the norm before clipping.
func ClipGradNorm(p *Params, maxNorm float64) (float64, error) {
	var grads [][]float32
	for _, n := range p.Nodes() {
		g, err := gradFloat32s(n)
		if err != nil {
			return 0, fmt.Errorf("nn: clip: %w", err)
		}
		grads = append(grads, g)
	}
	return clipGrads(grads, maxNorm), nil
}

func clipGrads(grads [][]float32, maxNorm float64) float64 {
	var ss float64
	for _, g := range grads {
		for _, x := range g {
			ss += float64(x) * float64(x)
		}
	}
	norm := math.Sqrt(ss)
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 {
		c := float32(coef)
		for _, g := range grads {
			for j := range g {
				g[j] *= c
			}
		}
	}
	return norm
}

// ZeroGrads sets the gradients bound to p's nodes to zero. gorgonia's
// TapeMachine adds each run's gradient to the bound one, so a training loop
// zeroes them before each run (Machine.Run does).
func ZeroGrads(p *Params) error {
	for _, n := range p.Nodes() {
		g, err := n.Grad()
		if err != nil {
			return fmt.Errorf("nn: zero grads: %s: %w", n.Name(), err)
		}
		if t, ok := g.(tensor.Tensor); ok {
			t.Zero()
		}
	}
	return nil
}

func gradFloat32s(n *G.Node) ([]float32, error) {
	g, err := n.Grad()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Name(), err)
	}
	d, ok := g.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("%s: gradient is %T, want *tensor.Dense", n.Name(), g)
	}
	f, ok := d.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("%s: gradient data is %T, want []float32", n.Name(), d.Data())
	}
	return f, nil
}
