package metrics

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/miaudit/miaudit/adversary"
)

// Attackers and estimators an audit can run, by name.
var (
	AttackerNames  = []string{"linear", "mlp"}
	EstimatorNames = []string{"knn", "mine", "nwj", "infonce", "smile", "club"}
)

// Defaults of the neural part of an audit, chosen so that a 10,000 × 128
// audit of one protected attribute finishes in about a minute on 2 cores
// (pure Go).
var (
	DefaultAttackers  = []string{"linear", "mlp"}
	DefaultEstimators = []string{"knn", "mine", "infonce", "smile", "club"}
)

const (
	defaultNeuralSteps = 1000
	defaultNeuralBatch = 128
	// criticEvalEvery is the number of training steps between validation
	// scores of a critic.
	criticEvalEvery = 100
)

// Stream ids of the neural part's generators (see newRand).
const (
	streamMLP    = 10
	streamCritic = 11
)

// mlpAttacker fits the MLP attacker on the train rows and scores it on the
// test rows like the linear one.
func (a *auditor) mlpAttacker(ctx context.Context, attr string, idx int, s, sTest []int, k int) (Attacker, MI, *densePosterior, error) {
	a.rec.Stage(fmt.Sprintf("mlp attacker on %s: fitting on %d train rows (early stopping on 10 %% of them)", attr, len(a.train)))
	m, err := adversary.Fit(ctx, a.z, a.train, gather(s, a.train), k, adversary.AttackerConfig{Seed: a.cfg.Seed ^ uint64(idx)<<32 ^ streamMLP})
	if err != nil {
		return Attacker{}, MI{}, nil, fmt.Errorf("mlp attacker on %s: %w", attr, err)
	}
	n := len(a.test)
	post := &densePosterior{n: n, k: k, logp: make([]float32, n*k)}
	buf := make([]float64, scoreRowBlock*k)
	for r0 := 0; r0 < n; r0 += scoreRowBlock {
		r1 := min(r0+scoreRowBlock, n)
		m.LogProba(a.z, a.test[r0:r1], buf[:(r1-r0)*k])
		for i, v := range buf[:(r1-r0)*k] {
			post.logp[r0*k+i] = float32(v)
		}
	}
	sc := scoreAttacker(post, sTest, a.boot)
	att, ba := a.attackerFigures(sc, sTest, k)
	att.Probe, att.Converged = "mlp", true
	ba.Estimator = "barber-agakov (mlp attacker)"
	ba.Note = fmt.Sprintf("H(S) − cross-entropy of the MLP attacker on test rows, its posterior mixed with ε = %g uniform mass", smoothing)
	return att, ba, post, nil
}

// clubFigure is the categorical CLUB estimate of Cheng et al. (2020) with
// the MLP attacker's smoothed posterior q' as the variational q(s|z), on the
// test rows:
//
//	CLUB = mean_i log q'(s_i|z_i) − mean_i Σ_c p̂(c) log q'(c|z_i)
//
// where p̂ is the distribution of S on the test rows (the all-pairs form of
// vCLUB: mean over every pair (i, j) of log q'(s_j|z_i)). An upper bound
// when q' is close to p(s|z) (an early-stopped attacker, not an overfitted
// one); bootstrapped over test rows with the attacker fixed.
func (a *auditor) clubFigure(post *densePosterior, sTest []int, k int) MI {
	n := post.n
	joint := make([]float64, n)   // log q'(s_i|z_i)
	logq := make([]float64, n*k)  // log q'(c|z_i)
	eps := smoothing / float64(k) // q' = (1−ε)q + ε/K
	for i := range n {
		for c := range k {
			q := math.Exp(float64(post.logp[i*k+c]))
			logq[i*k+c] = math.Log((1-smoothing)*q + eps)
		}
		joint[i] = logq[i*k+sTest[i]]
	}
	value := func(w []float64) float64 {
		pc := classWeights(sTest, k, w)
		var tot float64
		for _, v := range pc {
			tot += v
		}
		var j, m float64
		for i := range n {
			wi := weightAt(w, i)
			if wi == 0 {
				continue
			}
			j += wi * joint[i]
			var mi float64
			for c := range k {
				if pc[c] > 0 {
					mi += pc[c] / tot * logq[i*k+c]
				}
			}
			m += wi * mi
		}
		return (j - m) / tot
	}
	return MI{
		Estimator: "club (categorical, q = mlp attacker)",
		Bound:     BoundUpper,
		Nats:      a.interval(value(nil), value),
		Note:      "CLUB with the MLP attacker's early-stopped, smoothed posterior as q(s|z), on test rows; an upper bound only as far as q matches p(s|z)",
	}
}

// criticMI trains a critic of the named bound on batches of train rows and
// evaluates it on the test rows, in blocks of the batch size (the last
// len(test) mod batch test rows, in a seeded random order, are left out).
func (a *auditor) criticMI(ctx context.Context, attr string, idx int, name string, s, sTest []int, k int) (MI, error) {
	bound := name
	batch := a.cfg.NeuralBatch
	cfg := adversary.Config{Bound: bound, DZ: a.z.Cols, Classes: k, Batch: batch}
	rng := newRand(a.cfg.Seed, streamCritic+uint64(idx)<<8+uint64(slices.Index(EstimatorNames, name)))
	est, err := adversary.New(cfg, rng)
	if err != nil {
		return MI{}, fmt.Errorf("%s critic on %s: %w", name, attr, err)
	}
	defer est.Close()
	d := a.z.Cols
	zb := make([]float32, batch*d)
	sb := make(adversary.Labels, batch)
	// Early stopping: a tenth of the train rows (at least two batches; none
	// below four batches of train rows) is held out; every criticEvalEvery steps the critic is scored on it and
	// the parameters with the best validation value are kept. Without it,
	// critics trained for a fixed budget on a few thousand rows overfitted
	// (held-out InfoNCE of −1.8 nats on the built-in example).
	perm := rng.Perm(len(a.train))
	nVal := max((len(a.train)/10/batch)*batch, 2*batch)
	if len(a.train) < 4*batch { // too few rows to spare two batches
		nVal = 0
	}
	fit := perm[nVal:]
	var zVal []float32
	var sVal adversary.Labels
	for _, r := range perm[:nVal] {
		zVal = append(zVal, a.z.Row(a.train[r])...)
		sVal = append(sVal, s[a.train[r]])
	}
	a.rec.Stage(fmt.Sprintf("%s critic on %s: %d training steps of %d train rows (early stopping on %d held-out train rows)", name, attr, a.cfg.NeuralSteps, batch, nVal))
	best, bestStep := math.Inf(-1), 0
	var bestParams []float32
	for step := 1; step <= a.cfg.NeuralSteps; step++ {
		if step%100 == 0 {
			if err := ctx.Err(); err != nil {
				return MI{}, err
			}
		}
		for i := range batch {
			r := a.train[fit[rng.IntN(len(fit))]]
			copy(zb[i*d:(i+1)*d], a.z.Row(r))
			sb[i] = s[r]
		}
		if _, err := est.Train(zb, sb); err != nil {
			return MI{}, fmt.Errorf("%s critic on %s: %w", name, attr, err)
		}
		if nVal > 0 && (step%criticEvalEvery == 0 || step == a.cfg.NeuralSteps) {
			v, err := est.Estimate(zVal, sVal)
			if err != nil {
				return MI{}, fmt.Errorf("%s critic on %s: %w", name, attr, err)
			}
			if v > best {
				if bestParams, err = est.Snapshot(); err != nil {
					return MI{}, err
				}
				best, bestStep = v, step
			}
		}
	}
	if bestParams != nil && bestStep != a.cfg.NeuralSteps {
		if err := est.Restore(bestParams); err != nil {
			return MI{}, err
		}
	}
	if nVal == 0 {
		bestStep = a.cfg.NeuralSteps
	}
	// Held-out scores on the test rows in a seeded random order.
	order := rng.Perm(len(a.test))
	nb := len(order) / batch
	if nb == 0 {
		return MI{}, fmt.Errorf("%s critic on %s: %d test rows, fewer than a batch of %d", name, attr, len(order), batch)
	}
	type block struct {
		pos []int // test positions of the block's rows
		sc  *adversary.Scores
	}
	blocks := make([]block, nb)
	for b := range nb {
		pos := order[b*batch : (b+1)*batch]
		for i, p := range pos {
			copy(zb[i*d:(i+1)*d], a.z.Row(a.test[p]))
			sb[i] = sTest[p]
		}
		sc, err := est.Scores(zb, sb)
		if err != nil {
			return MI{}, fmt.Errorf("%s critic on %s: %w", name, attr, err)
		}
		blocks[b] = block{pos: slices.Clone(pos), sc: sc}
	}
	tau := est.Config().Tau
	value := func(w []float64) float64 {
		wOf := func(p int) float64 {
			if w == nil {
				return 1
			}
			return w[p]
		}
		switch bound {
		case adversary.BoundInfoNCE, adversary.BoundCLUB:
			var sum, tot float64
			wb := make([]float64, batch)
			for _, bl := range blocks {
				var bw float64
				for i, p := range bl.pos {
					wb[i] = wOf(p)
					bw += wb[i]
				}
				if bw == 0 {
					continue
				}
				var v float64
				if bound == adversary.BoundInfoNCE {
					v = adversary.InfoNCE(bl.sc.Matrix, batch, wb)
				} else {
					v = adversary.CLUB(bl.sc.Matrix, batch, wb)
				}
				sum += bw * v
				tot += bw
			}
			return sum / tot
		}
		var joint, marg, wj, wm []float64
		for _, bl := range blocks {
			joint = append(joint, bl.sc.Joint...)
			for _, p := range bl.pos {
				wj = append(wj, wOf(p))
			}
			marg = append(marg, bl.sc.Marginal...)
			if len(bl.sc.Marginal) == batch { // concat: pair (z_i, s_π(i)), weighted by row i
				for _, p := range bl.pos {
					wm = append(wm, wOf(p))
				}
			} else { // separable: every off-diagonal pair (i, j), weighted by w_i·w_j
				for i, p := range bl.pos {
					for j, q := range bl.pos {
						if i != j {
							wm = append(wm, wOf(p)*wOf(q))
						}
					}
				}
			}
		}
		switch bound {
		case adversary.BoundNWJ:
			return adversary.NWJ(joint, marg, wj, wm)
		case adversary.BoundSMILE:
			return adversary.SMILE(joint, marg, tau, wj, wm)
		default:
			return adversary.DV(joint, marg, wj, wm)
		}
	}
	mi := MI{
		Estimator: criticLabel(bound, tau, batch),
		Bound:     adversary.BoundTypeOf(bound),
		Nats:      a.interval(value(nil), value),
		Note: fmt.Sprintf("critic trained on batches of %d train rows, kept at step %d of %d (best on %d held-out train rows), evaluated on %d test rows in blocks of %d; the bootstrap resamples test rows with the critic fixed",
			batch, bestStep, a.cfg.NeuralSteps, nVal, nb*batch, batch),
	}
	if bound == adversary.BoundInfoNCE {
		c := math.Log(float64(batch))
		mi.Ceiling = &c
		mi.Note += fmt.Sprintf("; InfoNCE can never exceed log %d = %.3f nats", batch, c)
	}
	return mi, nil
}

func criticLabel(bound string, tau float64, batch int) string {
	switch bound {
	case adversary.BoundMINE:
		return "mine (dv, EMA gradient)"
	case adversary.BoundDV:
		return "dv"
	case adversary.BoundSMILE:
		return fmt.Sprintf("smile (τ=%g)", tau)
	case adversary.BoundInfoNCE:
		return fmt.Sprintf("infonce (batch %d)", batch)
	case adversary.BoundCLUB:
		return "club (categorical)"
	}
	return bound
}

// neuralJobs holds the results of the neural jobs for one protected
// attribute.
type neuralJobs struct {
	mlp       Attacker
	mlpBA     MI
	mlpPost   *densePosterior
	critic    map[string]MI
	criticErr map[string]error
}

// neural runs the MLP attacker (if wantMLP) and a critic for every
// estimator of cfg.Estimators that trains one, on up to GOMAXPROCS
// goroutines. An MLP attacker error or a cancelled ctx is returned; a
// critic's error is kept in criticErr, for the caller to report.
func (a *auditor) neural(ctx context.Context, attr string, idx int, s, sTest []int, k int, wantMLP bool) (*neuralJobs, error) {
	nj := &neuralJobs{critic: map[string]MI{}, criticErr: map[string]error{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var jobs []func() error
	if wantMLP {
		jobs = append(jobs, func() error {
			att, ba, post, err := a.mlpAttacker(ctx, attr, idx, s, sTest, k)
			if err != nil {
				cancel()
				return err
			}
			nj.mlp, nj.mlpBA, nj.mlpPost = att, ba, post
			return nil
		})
	}
	var mu sync.Mutex
	for _, name := range a.cfg.Estimators {
		if name == "knn" || name == "club" {
			continue
		}
		jobs = append(jobs, func() error {
			mi, err := a.criticMI(ctx, attr, idx, name, s, sTest, k)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				nj.criticErr[name] = err
				return nil
			}
			nj.critic[name] = mi
			return nil
		})
	}
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for j := range next {
				errs[j] = jobs[j]()
			}
		})
	}
	for j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err // the MLP attacker's error
	}
	if err := ctx.Err(); err != nil {
		return nil, err // cancelled by the caller
	}
	return nj, nil
}
