package adversary

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/miaudit/miaudit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// model is an Estimator's graph, built once for batches of n rows: the
// inputs (bound tensors refilled in place, index slices refilled in place),
// the critic's outputs and the training loss.
type model struct {
	cfg Config
	dt  tensor.Dtype
	n   int
	g   *G.ExprGraph

	z  *G.Node
	zT *tensor.Dense
	s  *G.Node // continuous S, n×DS
	sT *tensor.Dense

	// labels holds the batch's labels (discrete S); the gathers of the
	// embedding read it.
	labels []int
	// pairZ and pairS index the rows (z, s) of the pairs the concat critic
	// scores: (i, i) then (i, π(i)) with π = perm the batch's permutation,
	// or all (i, j) for InfoNCE (allPairs; perm nil). pairLabels[r] =
	// labels[pairS[r]] for a discrete S.
	pairZ, pairS, pairLabels []int
	perm                     []int
	allPairs                 bool
	// pickIdx holds i·K + label_i for CLUB's log q(s_i|z_i).
	pickIdx []int

	joint, marginal, matrix *G.Node // critic outputs: (n), (m), (n, n)
	logq                    *G.Node // CLUB, discrete: (n, K) log-softmax
	mu, logvar              *G.Node // CLUB, continuous: (n, DS)
	loss                    *G.Node
	params                  *nn.Params
	ema                     *emaState
}

// lin is the LinearOptions for dt (nn's default initialisers, drawing from
// the builder's rng).
func lin(dt tensor.Dtype) *nn.LinearOptions { return &nn.LinearOptions{Dtype: dt} }

func widths(in int, hidden []int, out int) []int {
	w := append([]int{in}, hidden...)
	return append(w, out)
}

func scalar(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float64 {
		return G.NewConstant(v)
	}
	return G.NewConstant(float32(v))
}

// buildModel adds the inputs, the critic (or CLUB's q), and the loss of cfg
// (defaults filled in) to a new graph for batches of cfg.Batch rows,
// drawing initial parameters from rng in a fixed order.
func buildModel(cfg Config, dt tensor.Dtype, rng *rand.Rand) (*model, error) {
	n := cfg.Batch
	m := &model{cfg: cfg, dt: dt, n: n, g: G.NewGraph()}
	m.zT = tensor.New(tensor.Of(dt), tensor.WithShape(n, cfg.DZ))
	m.z = G.NewMatrix(m.g, dt, G.WithShape(n, cfg.DZ), G.WithName("z"), G.WithValue(m.zT))
	if cfg.DS > 0 {
		m.sT = tensor.New(tensor.Of(dt), tensor.WithShape(n, cfg.DS))
		m.s = G.NewMatrix(m.g, dt, G.WithShape(n, cfg.DS), G.WithName("s"), G.WithValue(m.sT))
	} else {
		m.labels = make([]int, n)
	}
	var mods []nn.Module
	var extra []*G.Node // parameters outside modules (the embedding)
	var err error
	if cfg.Bound == BoundCLUB || cfg.Bound == BoundGRL {
		mods, err = m.buildCLUB(rng)
	} else {
		mods, extra, err = m.buildCritic(rng)
	}
	if err != nil {
		return nil, err
	}
	m.params = &nn.Params{}
	for _, p := range extra {
		if err := m.params.Add(p.Name(), p); err != nil {
			return nil, err
		}
	}
	for _, mod := range mods {
		for _, p := range mod.Params() {
			if err := m.params.Add(p.Name(), p); err != nil {
				return nil, err
			}
		}
	}
	if cfg.Bound != BoundCLUB && cfg.Bound != BoundGRL {
		if m.loss, err = m.boundLoss(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// embedS returns e(s) for the rows given by idx — labels for a discrete
// S, row indices of s for a continuous one (nil: s itself) — and its
// width. For a learned embedding it also returns the table, a parameter.
func (m *model) embedS(idx []int, rng *rand.Rand) (e *G.Node, width int, table *G.Node, err error) {
	cfg := m.cfg
	if cfg.DS > 0 {
		if idx == nil {
			return m.s, cfg.DS, nil, nil
		}
		e, err := gatherRows(m.s, idx)
		return e, cfg.DS, nil, err
	}
	var src *G.Node
	if cfg.Embed > 0 {
		// A learned K×E table, N(0, 1) as torch.nn.Embedding.
		table = G.NewMatrix(m.g, m.dt, G.WithShape(cfg.Classes, cfg.Embed), G.WithName("embed.weight"),
			G.WithInit(nn.Normal(rng, 0, 1)))
		src = table
	} else {
		// The identity: gathering its rows gives one-hot codes. An input
		// node, not a parameter: it never changes.
		eye := tensor.New(tensor.Of(m.dt), tensor.WithShape(cfg.Classes, cfg.Classes))
		for k := range cfg.Classes {
			if err := eye.SetAt(oneOf(m.dt), k, k); err != nil {
				return nil, 0, nil, err
			}
		}
		src = G.NewMatrix(m.g, m.dt, G.WithShape(cfg.Classes, cfg.Classes), G.WithName("onehot"), G.WithValue(eye))
	}
	if e, err = gatherRows(src, idx); err != nil {
		return nil, 0, nil, err
	}
	return e, src.Shape()[1], table, nil
}

func oneOf(dt tensor.Dtype) any {
	if dt == tensor.Float64 {
		return 1.0
	}
	return float32(1)
}

// buildCritic adds the critic and sets joint, marginal and (for InfoNCE or
// a separable critic) matrix.
func (m *model) buildCritic(rng *rand.Rand) ([]nn.Module, []*G.Node, error) {
	cfg, n := m.cfg, m.n
	var extra []*G.Node
	switch cfg.Critic {
	case CriticConcat:
		m.allPairs = cfg.Bound == BoundInfoNCE
		rows := 2 * n
		if m.allPairs {
			rows = n * n
		}
		m.pairZ, m.pairS = make([]int, rows), make([]int, rows)
		if m.allPairs {
			for i := range n {
				for j := range n {
					m.pairZ[i*n+j], m.pairS[i*n+j] = i, j
				}
			}
		} else {
			// Joint pairs, then marginal pairs whose S rows setPairs
			// fills with the batch's permutation.
			m.perm = make([]int, n)
			for i := range n {
				m.pairZ[i], m.pairS[i], m.pairZ[n+i], m.pairS[n+i] = i, i, i, i
			}
		}
		sIdx := m.pairS
		if cfg.DS == 0 {
			m.pairLabels = make([]int, rows)
			sIdx = m.pairLabels
		}
		e, es, table, err := m.embedS(sIdx, rng)
		if err != nil {
			return nil, nil, err
		}
		if table != nil {
			extra = append(extra, table)
		}
		zz, err := gatherRows(m.z, m.pairZ)
		if err != nil {
			return nil, nil, err
		}
		x, err := nn.ConcatCols(zz, e)
		if err != nil {
			return nil, nil, err
		}
		mlp, err := nn.NewMLP(m.g, "critic", widths(cfg.DZ+es, cfg.Hidden, 1), nn.ReLU, rng, lin(m.dt))
		if err != nil {
			return nil, nil, err
		}
		t, err := mlp.Forward(x)
		if err != nil {
			return nil, nil, err
		}
		if m.allPairs {
			if m.matrix, err = pick(t, seq(0, n*n), n, n); err != nil {
				return nil, nil, err
			}
			if err := m.splitMatrix(); err != nil {
				return nil, nil, err
			}
		} else {
			if m.joint, err = pick(t, seq(0, n), n); err != nil {
				return nil, nil, err
			}
			if m.marginal, err = pick(t, seq(n, 2*n), n); err != nil {
				return nil, nil, err
			}
		}
		return []nn.Module{mlp}, extra, nil
	case CriticSeparable:
		f, err := nn.NewMLP(m.g, "f", widths(cfg.DZ, cfg.Hidden, cfg.Out), nn.ReLU, rng, lin(m.dt))
		if err != nil {
			return nil, nil, err
		}
		var sIdx []int // continuous S: s itself
		if cfg.DS == 0 {
			sIdx = m.labels
		}
		e, es, table, err := m.embedS(sIdx, rng)
		if err != nil {
			return nil, nil, err
		}
		if table != nil {
			extra = append(extra, table)
		}
		gm, err := nn.NewMLP(m.g, "g", widths(es, cfg.Hidden, cfg.Out), nn.ReLU, rng, lin(m.dt))
		if err != nil {
			return nil, nil, err
		}
		fz, err := f.Forward(m.z)
		if err != nil {
			return nil, nil, err
		}
		gs, err := gm.Forward(e)
		if err != nil {
			return nil, nil, err
		}
		if m.matrix, err = nn.MatMul(fz, gs, false, true); err != nil {
			return nil, nil, err
		}
		if err := m.splitMatrix(); err != nil {
			return nil, nil, err
		}
		return []nn.Module{f, gm}, extra, nil
	}
	return nil, nil, fmt.Errorf("adversary: unknown critic %q", cfg.Critic)
}

// splitMatrix sets joint to the diagonal of matrix and marginal to its
// n(n−1) off-diagonal entries, row by row.
func (m *model) splitMatrix() error {
	n := m.n
	diag := make([]int, n)
	off := make([]int, 0, n*(n-1))
	for i := range n {
		diag[i] = i*n + i
		for j := range n {
			if j != i {
				off = append(off, i*n+j)
			}
		}
	}
	var err error
	if m.joint, err = pick(m.matrix, diag, n); err != nil {
		return err
	}
	m.marginal, err = pick(m.matrix, off, len(off))
	return err
}

func seq(lo, hi int) []int {
	s := make([]int, hi-lo)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

// boundLoss returns the loss minimised for the bound: minus the bound for
// the lower bounds and for JSD; JSD's loss for SMILE (Song & Ermon train
// the critic with the JS gradient and report the clipped DV value); MINE's
// surrogate whose gradient has the moving average in the denominator.
func (m *model) boundLoss() (*G.Node, error) {
	dt := m.dt
	var e nn.Exprs
	var loss *G.Node
	meanJ := e.Mean(m.joint)
	switch m.cfg.Bound {
	case BoundDV:
		loss = e.Sub(e.LogMeanExp(m.marginal), meanJ)
	case BoundMINE:
		// loss = −(mean_P T − mean_Q e^(T − log EMA)), EMA constant:
		// ∂loss = −(mean_P ∂T − mean_Q e^T ∂T / EMA).
		m.ema = &emaState{rate: m.cfg.EMA}
		logD := e.Do(func() (*G.Node, error) {
			return G.ApplyOp(emaOp{id: nextOpID(), st: m.ema}, m.marginal)
		})
		loss = e.Sub(e.Mean(e.Exp(e.Sub(m.marginal, logD))), meanJ)
	case BoundNWJ:
		loss = e.Sub(e.Mean(e.Exp(e.Sub(m.marginal, scalar(dt, 1)))), meanJ)
	case BoundJSD, BoundSMILE:
		loss = e.Add(e.Mean(e.Softplus(e.Neg(m.joint))), e.Mean(e.Softplus(m.marginal)))
	case BoundInfoNCE:
		// −mean_i [S_ii − (LSE_j S_ij − log n)]
		l := e.Sub(e.Mean(e.LogSumExpRows(m.matrix)), meanJ)
		loss = e.Sub(l, scalar(dt, math.Log(float64(m.n))))
	default:
		return nil, fmt.Errorf("adversary: unknown bound %q", m.cfg.Bound)
	}
	if e.Err != nil {
		return nil, fmt.Errorf("adversary: %s loss: %w", m.cfg.Bound, e.Err)
	}
	return loss, nil
}

// buildCLUB adds q(s|z) and its negative log-likelihood loss: a softmax
// classifier for a discrete S; for a continuous S a diagonal Gaussian
// N(μ(z), diag e^ℓ(z)) with μ and ℓ two MLPs of z, as Cheng et al.'s code
// (which bounds ℓ by a tanh to (−1, 1); here ℓ is free so that S of any
// scale can be fitted).
func (m *model) buildCLUB(rng *rand.Rand) ([]nn.Module, error) {
	cfg, n, dt := m.cfg, m.n, m.dt
	var e nn.Exprs
	if cfg.Classes > 0 {
		q, err := nn.NewMLP(m.g, "q", widths(cfg.DZ, cfg.Hidden, cfg.Classes), nn.ReLU, rng, lin(dt))
		if err != nil {
			return nil, err
		}
		logits, err := q.Forward(m.z)
		if err != nil {
			return nil, err
		}
		lse := e.LogSumExpRows(logits)
		m.logq = e.Do(func() (*G.Node, error) { return G.BroadcastSub(logits, lse, nil, []byte{1}) })
		m.pickIdx = make([]int, n)
		ll := e.Do(func() (*G.Node, error) { return pick(m.logq, m.pickIdx, n) })
		m.loss = e.Neg(e.Mean(ll))
		if e.Err != nil {
			return nil, fmt.Errorf("adversary: club: %w", e.Err)
		}
		return []nn.Module{q}, nil
	}
	mu, err := nn.NewMLP(m.g, "q_mu", widths(cfg.DZ, cfg.Hidden, cfg.DS), nn.ReLU, rng, lin(dt))
	if err != nil {
		return nil, err
	}
	lv, err := nn.NewMLP(m.g, "q_logvar", widths(cfg.DZ, cfg.Hidden, cfg.DS), nn.ReLU, rng, lin(dt))
	if err != nil {
		return nil, err
	}
	if m.mu, err = mu.Forward(m.z); err != nil {
		return nil, err
	}
	if m.logvar, err = lv.Forward(m.z); err != nil {
		return nil, err
	}
	// −log q(s|z) = Σ_d [½(s−μ)²·e^(−ℓ) + ½ℓ] + ½·DS·log 2π; the loss is its
	// mean over rows.
	sq := e.Hadamard(e.Square(e.Sub(m.s, m.mu)), e.Exp(e.Neg(m.logvar)))
	total := e.Sum(e.Add(sq, m.logvar))
	m.loss = e.Add(e.Mul(total, scalar(dt, 0.5/float64(n))), scalar(dt, 0.5*math.Log(2*math.Pi)*float64(cfg.DS)))
	if e.Err != nil {
		return nil, fmt.Errorf("adversary: club: %w", e.Err)
	}
	return []nn.Module{mu, lv}, nil
}
