package adversary

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/miaudit/miaudit/nn"
)

// encoderMachine differentiates the encoder's term with respect to z (built
// on the first EncoderGrad call). It is a copy of the head's graph, whose
// parameters (and MINE moving average) are set from the head's before
// every use: gorgonia cannot differentiate a second cost on a graph it has
// already differentiated.
type encoderMachine struct {
	m     *model
	mc    *nn.Machine
	obj   *G.Node
	margW *tensor.Dense // CLUB: W[i][c] = p̂_c / n, the batch's label shares
}

// EncoderGrad returns the term an encoder producing z minimises to hide S
// from this head, on the batch (z, s) of exactly Batch rows, and writes its
// gradient with respect to z into dz (Batch×DZ), without changing the
// head. The term is the head's own estimate of I(Z;S), so that descending
// it lowers the estimate:
//
//   - dv, nwj, infonce, jsd, smile: the bound's value on the batch (the
//     concat critic's marginal pairs from the Estimator's generator, as in
//     Train);
//   - mine: the same value, with MINE's moving average in the gradient of
//     the partition term (the EMA-corrected gradient);
//   - club: the CLUB value mean_i log q(s_i|z_i) − mean_i Σ_c p̂_c log q(c|z_i),
//     p̂ the batch's label shares (discrete S only);
//   - grl: mean_i log q(s_i|z_i), minus the classifier's cross-entropy:
//     descending it raises the cross-entropy, as a gradient reversal layer;
//     with Config.EncoderTerm TermEntropy, mean_i Σ_c q(c|z_i) log q(c|z_i),
//     minus the mean entropy of the classifier's posteriors: descending it
//     makes them flatter, whatever the true labels.
//
// It returns an error for inputs of the wrong size, a continuous S with
// club, or a non-finite term.
func (e *Estimator) EncoderGrad(z []float32, s Attribute, dz []float32) (float64, error) {
	if len(dz) != e.cfg.Batch*e.cfg.DZ {
		return nan, fmt.Errorf("adversary: encoder gradient of %d values, want %d×%d", len(dz), e.cfg.Batch, e.cfg.DZ)
	}
	if e.m.perm != nil {
		// Validate before drawing, so that a bad call leaves the
		// generator as it was.
		if _, err := e.rowsOf(z, s, true); err != nil {
			return nan, err
		}
		cyclicPerm(e.rng, e.m.perm)
	}
	return e.encoderGradAt(z, s, dz)
}

// encoderGradAt is EncoderGrad with the concat critic's marginal pairs
// as they are.
func (e *Estimator) encoderGradAt(z []float32, s Attribute, dz []float32) (float64, error) {
	if _, err := e.rowsOf(z, s, true); err != nil {
		return nan, err
	}
	if e.enc == nil {
		em, err := newEncoderMachine(e.cfg, e.m.dt)
		if err != nil {
			return nan, err
		}
		e.enc = em
	}
	m := e.enc.m
	for i, p := range e.m.params.Nodes() {
		copyValue(m.params.Nodes()[i], p)
	}
	if e.m.ema != nil {
		*m.ema = *e.m.ema
	}
	m.load(z, s)
	if m.perm != nil {
		copy(m.perm, e.m.perm)
		m.setPairs(m.perm)
	}
	if e.enc.margW != nil {
		setLabelShares(e.enc.margW, m.labels, m.cfg.Classes)
	}
	if err := e.enc.mc.Run(); err != nil {
		return nan, err
	}
	v := e.enc.mc.Loss()
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nan, fmt.Errorf("adversary: encoder term %v: %w", v, ErrDiverged)
	}
	g, err := m.z.Grad()
	if err != nil {
		return nan, fmt.Errorf("adversary: encoder gradient: %w", err)
	}
	switch d := g.Data().(type) {
	case []float32:
		copy(dz, d)
	case []float64:
		for i, x := range d {
			dz[i] = float32(x)
		}
	}
	return v, nil
}

// newEncoderMachine builds a copy of the head's graph with the encoder's
// term (see EncoderGrad) and a machine that differentiates it with respect
// to z.
func newEncoderMachine(cfg Config, dt tensor.Dtype) (*encoderMachine, error) {
	// The initial parameters are overwritten before every use.
	m, err := buildModel(cfg, dt, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	em := &encoderMachine{m: m}
	var e nn.Exprs
	switch {
	case m.cfg.Bound == BoundCLUB:
		if m.logq == nil {
			return nil, fmt.Errorf("adversary: club: no encoder term for a continuous S")
		}
		k := m.cfg.Classes
		em.margW = tensor.New(tensor.Of(m.dt), tensor.WithShape(m.n, k))
		w := G.NewMatrix(m.g, m.dt, G.WithShape(m.n, k), G.WithName("club.shares"), G.WithValue(em.margW))
		// −loss = mean_i log q(s_i|z_i).
		em.obj = e.Sub(e.Neg(m.loss), e.Sum(e.Hadamard(m.logq, w)))
	case m.cfg.EncoderTerm == TermEntropy: // GRL only (withDefaults)
		// −H(q(·|z_i)) averaged over rows: Σ_{i,c} q log q / n.
		em.obj = e.Mul(e.Sum(e.Hadamard(e.Exp(m.logq), m.logq)), scalar(m.dt, 1/float64(m.n)))
	default:
		em.obj = e.Neg(m.loss)
	}
	if e.Err != nil {
		return nil, fmt.Errorf("adversary: encoder term: %w", e.Err)
	}
	zp := &nn.Params{}
	if err := zp.Add("z", m.z); err != nil {
		return nil, err
	}
	mc, err := nn.NewMachine(em.obj, zp)
	if err != nil {
		return nil, err
	}
	em.mc = mc
	return em, nil
}

// copyValue copies src's value into dst's (same shape and dtype).
func copyValue(dst, src *G.Node) {
	switch d := dst.Value().Data().(type) {
	case []float32:
		copy(d, src.Value().Data().([]float32))
	case []float64:
		copy(d, src.Value().Data().([]float64))
	}
}

// setLabelShares fills w (n×k) with W[i][c] = p̂_c/n, p̂_c the share of
// label c among labels.
func setLabelShares(w *tensor.Dense, labels []int, k int) {
	n := len(labels)
	counts := make([]float64, k)
	for _, l := range labels {
		counts[l]++
	}
	switch d := w.Data().(type) {
	case []float32:
		for i := range n {
			for c := range k {
				d[i*k+c] = float32(counts[c] / float64(n) / float64(n))
			}
		}
	case []float64:
		for i := range n {
			for c := range k {
				d[i*k+c] = counts[c] / float64(n) / float64(n)
			}
		}
	}
}
