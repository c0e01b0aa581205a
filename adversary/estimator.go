package adversary

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/miaudit/miaudit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Estimator trains one variational bound on I(Z;S) with one critic (or,
// for CLUB, one variational q(s|z)) by Adam, on batches of exactly
// Config.Batch rows, and evaluates it on held-out batches.
//
// Its gorgonia graph is built once, in New, with two machines on it: a
// training machine (loss, gradients) and a forward-only machine for
// Scores and Estimate. Marginal (product-of-marginals) pairs are:
//
//   - concat critic: (z_i, s_π(i)) with π a random cyclic permutation of
//     the batch (Sattolo's algorithm: no row is paired with itself), drawn
//     per training step from the Estimator's own generator; held-out
//     batches use one fixed such π, drawn in New, so that Estimate is a
//     function of its inputs;
//   - separable critic: all n(n−1) off-diagonal pairs of the n×n scores
//     f(Z)·g(S)ᵀ, from one matrix product;
//   - InfoNCE with the concat critic: all n² pairs (z_i, s_j), the MLP run
//     on n² rows;
//   - CLUB: none; its n×n matrix log q(s_j|z_i) is formed from q's outputs.
//
// Same Config, same rng state and same calls give bit-identical results.
// An Estimator is not safe for concurrent use.
type Estimator struct {
	cfg   Config
	m     *model
	train *nn.Machine
	eval  *nn.Machine
	opt   *nn.Adam // nil for the float64 graphs of the tests
	pcg   *rand.PCG
	rng   *rand.Rand
	// evalPerm is the fixed cyclic permutation of held-out batches.
	evalPerm []int
	steps    int64
	enc      *encoderMachine // built by EncoderGrad
}

// New builds an Estimator for cfg (zero fields take their defaults; see
// Config), drawing its initial parameters and the seed of its own
// permutation generator from rng. It returns an error for an invalid cfg.
func New(cfg Config, rng *rand.Rand) (*Estimator, error) {
	return newEstimator(cfg, rng, tensor.Float32)
}

// newEstimator is New for a dtype: float64 graphs (no optimiser) serve the
// gradient checks.
func newEstimator(cfg Config, rng *rand.Rand, dt tensor.Dtype) (*Estimator, error) {
	if rng == nil {
		return nil, fmt.Errorf("adversary: nil rng")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := buildModel(cfg, dt, rng)
	if err != nil {
		return nil, err
	}
	e := &Estimator{cfg: cfg, m: m}
	e.pcg = rand.NewPCG(rng.Uint64(), rng.Uint64())
	e.rng = rand.New(e.pcg)
	e.evalPerm = make([]int, cfg.Batch)
	cyclicPerm(e.rng, e.evalPerm)
	if e.train, err = nn.NewMachine(m.loss, m.params, m.watched()...); err != nil {
		return nil, err
	}
	if e.eval, err = nn.NewMachine(nil, nil, m.watched()...); err != nil {
		e.train.Close()
		return nil, err
	}
	if dt == tensor.Float32 {
		if e.opt, err = nn.NewAdam(m.params, nn.AdamConfig{LR: cfg.LR, MaxGradNorm: cfg.MaxGradNorm}); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// cyclicPerm fills p with a uniformly random cyclic permutation (Sattolo's
// algorithm): p[i] ≠ i for every i when len(p) ≥ 2, and p[i] is uniform
// over the other indices.
func cyclicPerm(rng *rand.Rand, p []int) {
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := rng.IntN(i)
		p[i], p[j] = p[j], p[i]
	}
}

// watched returns the nodes both machines read out: the ones the bound's
// value is computed from.
func (m *model) watched() []*G.Node {
	switch {
	case m.logq != nil:
		return []*G.Node{m.logq}
	case m.mu != nil:
		return []*G.Node{m.mu, m.logvar}
	case m.matrix != nil:
		return []*G.Node{m.matrix}
	}
	return []*G.Node{m.joint, m.marginal}
}

// Config returns the configuration in use, defaults filled in.
func (e *Estimator) Config() Config {
	c := e.cfg
	c.Hidden = append([]int(nil), c.Hidden...)
	return c
}

// Bound returns the bound's name (Config.Bound).
func (e *Estimator) Bound() string { return e.cfg.Bound }

// BoundType returns what the bound's values say about I(Z;S): Lower for
// dv, mine, nwj and infonce; Upper for club (an upper bound when q(s|z) is
// close to the true conditional); PointEstimate for smile, whose clipped
// partition term makes it neither a lower nor an upper bound; and
// TrainingSignal for jsd, which is not in nats of I(Z;S).
func (e *Estimator) BoundType() string { return BoundTypeOf(e.cfg.Bound) }

// Ceiling returns the largest value the bound can take on one batch:
// log Batch for InfoNCE (InfoNCECeiling), +Inf for the others.
func (e *Estimator) Ceiling() float64 {
	if e.cfg.Bound == BoundInfoNCE {
		return InfoNCECeiling(e.cfg.Batch)
	}
	return math.Inf(1)
}

// Steps returns the number of training steps taken.
func (e *Estimator) Steps() int64 { return e.steps }

// Close releases the machines. The Estimator must not be used afterwards.
func (e *Estimator) Close() error {
	var err error
	if e.train != nil {
		err = e.train.Close()
	}
	if e.eval != nil {
		if err2 := e.eval.Close(); err == nil {
			err = err2
		}
	}
	if e.enc != nil {
		if err2 := e.enc.mc.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Train takes one Adam step on the batch (z, s) of exactly Batch rows — z
// row-major Batch×DZ, s Labels (discrete S) or Floats (continuous S) — and
// returns the bound's value on that batch, computed from the scores the
// step's forward pass produced (the parameters before the step): DV for
// dv and mine, NWJ, InfoNCE, JSD, SMILE or CLUB. It returns an error for
// inputs of the wrong size or kind, a label out of range, or a non-finite
// loss (wrapping ErrDiverged; the parameters are then unchanged).
func (e *Estimator) Train(z []float32, s Attribute) (float64, error) {
	if err := e.load(z, s); err != nil {
		return nan, err
	}
	if e.m.perm != nil {
		cyclicPerm(e.rng, e.m.perm)
		e.m.setPairs(e.m.perm)
	}
	if err := e.train.Run(); err != nil {
		return nan, err
	}
	if l := e.train.Loss(); math.IsNaN(l) || math.IsInf(l, 0) {
		return nan, fmt.Errorf("adversary: step %d: loss %v: %w", e.steps+1, l, ErrDiverged)
	}
	sc, err := e.m.scores(e.train)
	if err != nil {
		return nan, err
	}
	if e.opt != nil {
		if err := e.opt.Step(); err != nil {
			return nan, err
		}
	}
	if e.m.ema != nil {
		e.m.ema.logE, e.m.ema.init = e.m.ema.pending, true
	}
	e.steps++
	return sc.value(e.cfg), nil
}

var nan = math.NaN()

// Scores returns the critic's outputs on one held-out batch of exactly
// Batch rows, by a forward pass only (no parameter changes). For the
// concat critic the marginal pairs use the Estimator's fixed held-out
// permutation.
func (e *Estimator) Scores(z []float32, s Attribute) (*Scores, error) {
	if err := e.load(z, s); err != nil {
		return nil, err
	}
	if e.m.perm != nil {
		e.m.setPairs(e.evalPerm)
	}
	if err := e.eval.Run(); err != nil {
		return nil, err
	}
	return e.m.scores(e.eval)
}

// Estimate returns the bound's value on held-out data: z of n rows (n a
// positive multiple of Batch) and s of n rows, scored in consecutive
// blocks of Batch rows (rows should be in random order: a block's marginal
// pairs are drawn within it). For DV, MINE, NWJ, JSD and SMILE the joint
// and marginal scores of all blocks are pooled into one call of the bound
// function; for InfoNCE and CLUB, whose values are defined per batch, it
// returns the mean of the blocks' values (InfoNCE stays ≤ log Batch).
func (e *Estimator) Estimate(z []float32, s Attribute) (float64, error) {
	b := e.cfg.Batch
	n, err := e.rowsOf(z, s, false)
	if err != nil {
		return nan, err
	}
	if n == 0 || n%b != 0 {
		return nan, fmt.Errorf("adversary: estimate on %d rows, want a positive multiple of the batch %d", n, b)
	}
	var pooled Scores
	var sum float64
	for k := 0; k < n/b; k++ {
		sc, err := e.Scores(z[k*b*e.cfg.DZ:(k+1)*b*e.cfg.DZ], sliceRows(s, k*b, (k+1)*b, e.cfg.DS))
		if err != nil {
			return nan, err
		}
		switch e.cfg.Bound {
		case BoundInfoNCE, BoundCLUB, BoundGRL:
			sum += sc.value(e.cfg)
		default:
			pooled.Joint = append(pooled.Joint, sc.Joint...)
			pooled.Marginal = append(pooled.Marginal, sc.Marginal...)
		}
	}
	switch e.cfg.Bound {
	case BoundInfoNCE, BoundCLUB, BoundGRL:
		return sum / float64(n/b), nil
	}
	return pooled.value(e.cfg), nil
}

func sliceRows(s Attribute, lo, hi, ds int) Attribute {
	switch v := s.(type) {
	case Labels:
		return v[lo:hi]
	case Floats:
		return v[lo*ds : hi*ds]
	}
	return s
}

// rowsOf checks z and s against the configuration and returns their number
// of rows; with exact, it must be Batch.
func (e *Estimator) rowsOf(z []float32, s Attribute, exact bool) (int, error) {
	cfg := e.cfg
	if len(z)%cfg.DZ != 0 {
		return 0, fmt.Errorf("adversary: %d values of z are not rows of width %d", len(z), cfg.DZ)
	}
	n := len(z) / cfg.DZ
	switch v := s.(type) {
	case Labels:
		if cfg.Classes == 0 {
			return 0, fmt.Errorf("adversary: labels given for a continuous S")
		}
		for _, l := range v {
			if l < 0 || l >= cfg.Classes {
				return 0, fmt.Errorf("adversary: label %d outside [0, %d)", l, cfg.Classes)
			}
		}
	case Floats:
		if cfg.DS == 0 {
			return 0, fmt.Errorf("adversary: floats given for a discrete S")
		}
	case nil:
		return 0, fmt.Errorf("adversary: nil S")
	}
	ns, err := s.rows(cfg.DS)
	if err != nil {
		return 0, err
	}
	if ns != n {
		return 0, fmt.Errorf("adversary: %d rows of z and %d of S", n, ns)
	}
	if exact && n != cfg.Batch {
		return 0, fmt.Errorf("adversary: batch of %d rows, want %d", n, cfg.Batch)
	}
	return n, nil
}

// load checks a batch and writes it into the graph's inputs.
func (e *Estimator) load(z []float32, s Attribute) error {
	if _, err := e.rowsOf(z, s, true); err != nil {
		return err
	}
	e.m.load(z, s)
	return nil
}

// load sets the model's inputs to the batch (z, s), checked by the caller.
func (m *model) load(z []float32, s Attribute) {
	setFloats(m.zT, z)
	switch v := s.(type) {
	case Labels:
		copy(m.labels, v)
		if m.allPairs {
			m.refreshPairLabels()
		}
		if m.pickIdx != nil {
			for i, l := range v {
				m.pickIdx[i] = i*m.cfg.Classes + l
			}
		}
	case Floats:
		setFloats(m.sT, v)
	}
}

func setFloats(t *tensor.Dense, x []float32) {
	switch d := t.Data().(type) {
	case []float32:
		copy(d, x)
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
	}
}

// setPairs sets the concat critic's marginal pairs to (i, perm[i]).
func (m *model) setPairs(perm []int) {
	n := m.n
	for i, j := range perm {
		m.pairS[n+i] = j
	}
	m.refreshPairLabels()
}

// refreshPairLabels sets pairLabels[r] = labels[pairS[r]].
func (m *model) refreshPairLabels() {
	if m.pairLabels != nil {
		for r, j := range m.pairS {
			m.pairLabels[r] = m.labels[j]
		}
	}
}

// Scores are the outputs of a critic, or of CLUB's q, on one batch of n
// rows.
type Scores struct {
	// N is the number of rows.
	N int
	// Joint holds T(z_i, s_i), n values (for CLUB, log q(s_i|z_i)).
	Joint []float64
	// Marginal holds T on the product-of-marginals pairs: (z_i, s_π(i)) for
	// the concat critic, the n(n−1) off-diagonal entries of Matrix row by
	// row for the separable one; nil for CLUB.
	Marginal []float64
	// Matrix is n×n row-major, Matrix[i·n+j] = T(z_i, s_j), when the
	// critic scores all pairs (separable critic, InfoNCE); for CLUB it holds
	// log q(s_j|z_i). Otherwise nil.
	Matrix []float64
	// Labels are the batch's labels, for CLUB and GRL (discrete S).
	Labels []int
}

// value applies cfg's bound function to the scores.
func (sc *Scores) value(cfg Config) float64 {
	switch cfg.Bound {
	case BoundDV, BoundMINE:
		return DV(sc.Joint, sc.Marginal, nil, nil)
	case BoundNWJ:
		return NWJ(sc.Joint, sc.Marginal, nil, nil)
	case BoundJSD:
		return JSD(sc.Joint, sc.Marginal, nil, nil)
	case BoundSMILE:
		return SMILE(sc.Joint, sc.Marginal, cfg.Tau, nil, nil)
	case BoundInfoNCE:
		return InfoNCE(sc.Matrix, sc.N, nil)
	case BoundCLUB:
		return CLUB(sc.Matrix, sc.N, nil)
	case BoundGRL:
		var ll float64
		for i := range sc.N {
			ll += sc.Matrix[i*sc.N+i]
		}
		return BarberAgakov(labelEntropy(sc.Labels), -ll/float64(sc.N))
	}
	return nan
}

// scores copies the last run's watched outputs of mc into a Scores.
func (m *model) scores(mc *nn.Machine) (*Scores, error) {
	n := m.n
	sc := &Scores{N: n}
	read := func(x *G.Node) ([]float64, error) {
		v := mc.Value(x)
		t, ok := v.(tensor.Tensor)
		if !ok {
			return nil, fmt.Errorf("adversary: no value for %s", x.Name())
		}
		switch d := t.Data().(type) {
		case []float32:
			return float64s(d), nil
		case []float64:
			return append([]float64(nil), d...), nil
		}
		return nil, fmt.Errorf("adversary: %s: data %T", x.Name(), t.Data())
	}
	var err error
	switch {
	case m.logq != nil:
		lq, err := read(m.logq)
		if err != nil {
			return nil, err
		}
		k := m.cfg.Classes
		sc.Labels = slices.Clone(m.labels)
		sc.Matrix = make([]float64, n*n)
		for i := range n {
			for j, l := range m.labels {
				sc.Matrix[i*n+j] = lq[i*k+l]
			}
		}
	case m.mu != nil:
		mu, err := read(m.mu)
		if err != nil {
			return nil, err
		}
		lv, err := read(m.logvar)
		if err != nil {
			return nil, err
		}
		sc.Matrix = gaussLogq(mu, lv, denseFloat64s(m.sT), n, m.cfg.DS)
	case m.matrix != nil:
		if sc.Matrix, err = read(m.matrix); err != nil {
			return nil, err
		}
		sc.Joint = make([]float64, 0, n)
		sc.Marginal = make([]float64, 0, n*(n-1))
		for i := range n {
			for j, v := range sc.Matrix[i*n : (i+1)*n] {
				if i == j {
					sc.Joint = append(sc.Joint, v)
				} else {
					sc.Marginal = append(sc.Marginal, v)
				}
			}
		}
		return sc, nil
	default:
		if sc.Joint, err = read(m.joint); err != nil {
			return nil, err
		}
		if sc.Marginal, err = read(m.marginal); err != nil {
			return nil, err
		}
		return sc, nil
	}
	sc.Joint = make([]float64, n)
	for i := range n {
		sc.Joint[i] = sc.Matrix[i*n+i]
	}
	return sc, nil
}

func denseFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		return float64s(d)
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// gaussLogq returns the n×n matrix log N(s_j; μ_i, diag e^(ℓ_i)).
func gaussLogq(mu, lv, s []float64, n, d int) []float64 {
	out := make([]float64, n*n)
	c := -0.5 * math.Log(2*math.Pi) * float64(d)
	for i := range n {
		mi, li := mu[i*d:(i+1)*d], lv[i*d:(i+1)*d]
		for j := range n {
			sj := s[j*d : (j+1)*d]
			v := c
			for k := range d {
				r := sj[k] - mi[k]
				v -= 0.5 * (r*r*math.Exp(-li[k]) + li[k])
			}
			out[i*n+j] = v
		}
	}
	return out
}

// labelEntropy returns the entropy, in nats, of the labels' empirical
// distribution.
// The sum runs over the labels in sorted order, so that it is the same
// bits whatever the order of the batch.
func labelEntropy(labels []int) float64 {
	sorted := slices.Sorted(slices.Values(labels))
	n := float64(len(sorted))
	var h float64
	for lo := 0; lo < len(sorted); {
		hi := lo
		for hi < len(sorted) && sorted[hi] == sorted[lo] {
			hi++
		}
		p := float64(hi-lo) / n
		h -= p * math.Log(p)
		lo = hi
	}
	return h
}
