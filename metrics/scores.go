package metrics

import (
	"math"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/metrics/bootstrap"
	"github.com/miaudit/miaudit/metrics/probe"
	"github.com/miaudit/miaudit/metrics/roc"
)

// attackerScores are what the audit keeps of an attacker's test posteriors:
// never the whole n×K matrix, which for 30,000 rows and 1,000 identities
// would take 240 MB.
type attackerScores struct {
	correct []bool    // argmax prediction equals the true class
	ce      []float64 // −log q'(s_i | z_i), q' smoothed (see smoothing)
	auc     float64   // macro one-vs-rest AUC over the classes with both positive and negative rows
	used    int       // classes in auc
	aucReps []float64 // auc of each bootstrap resample
}

const (
	scoreRowBlock = 256
	// scoreChunkCells bounds the class-chunk of test scores held at once.
	scoreChunkCells = 1 << 20
)

// logitsBlock stores z(x_r) = W_{c0:c1}·x_r + b_{c0:c1} for the given rows in
// dst (len(rows)×(c1−c0)), using xb as scratch.
func logitsBlock(m *probe.Model, z *dataset.Matrix, rows []int, c0, c1 int, xb, dst []float64) {
	d, nr, nc := m.Dim, len(rows), c1-c0
	for r, i := range rows {
		row := xb[r*d : (r+1)*d]
		for j, v := range z.Row(i) {
			row[j] = float64(v)
		}
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1,
		blas64.General{Rows: nr, Cols: d, Stride: d, Data: xb[:nr*d]},
		blas64.General{Rows: nc, Cols: d, Stride: d, Data: m.Weights[c0*d : c1*d]},
		0, blas64.General{Rows: nr, Cols: nc, Stride: nc, Data: dst[:nr*nc]})
	for r := range nr {
		row := dst[r*nc : (r+1)*nc]
		for c := range row {
			row[c] += m.Intercepts[c0+c]
		}
	}
}

// posterior is an attacker's posterior over the K classes of a fixed list of
// n test rows, read in blocks: LogProba fills dst ((r1−r0)×(c1−c0),
// row-major) with log q(c | z_r) for the rows at positions [r0, r1) and the
// classes [c0, c1).
type posterior interface {
	Classes() int
	Rows() int
	LogProba(r0, r1, c0, c1 int, dst []float64)
}

// linearPosterior is a linear probe's softmax posterior, computed from the
// embeddings block by block; only the per-row log-partition is stored.
type linearPosterior struct {
	m    *probe.Model
	z    *dataset.Matrix
	rows []int
	lse  []float64
	xb   []float64
}

func newLinearPosterior(m *probe.Model, z *dataset.Matrix, rows []int) *linearPosterior {
	n, k := len(rows), m.K
	p := &linearPosterior{m: m, z: z, rows: rows, lse: make([]float64, n), xb: make([]float64, scoreRowBlock*m.Dim)}
	lb := make([]float64, scoreRowBlock*k)
	for r0 := 0; r0 < n; r0 += scoreRowBlock {
		r1 := min(r0+scoreRowBlock, n)
		logitsBlock(m, z, rows[r0:r1], 0, k, p.xb, lb)
		for r := r0; r < r1; r++ {
			p.lse[r] = logSumExp(lb[(r-r0)*k : (r-r0+1)*k])
		}
	}
	return p
}

func (p *linearPosterior) Classes() int { return p.m.K }
func (p *linearPosterior) Rows() int    { return len(p.rows) }

func (p *linearPosterior) LogProba(r0, r1, c0, c1 int, dst []float64) {
	nc := c1 - c0
	for b0 := r0; b0 < r1; b0 += scoreRowBlock {
		b1 := min(b0+scoreRowBlock, r1)
		out := dst[(b0-r0)*nc : (b1-r0)*nc]
		logitsBlock(p.m, p.z, p.rows[b0:b1], c0, c1, p.xb, out)
		for r := b0; r < b1; r++ {
			row := out[(r-b0)*nc : (r-b0+1)*nc]
			for c := range row {
				row[c] -= p.lse[r]
			}
		}
	}
}

// densePosterior holds a whole n×K log-posterior in float32 (for attackers
// whose posterior is not a cheap function of the embeddings).
type densePosterior struct {
	n, k int
	logp []float32
}

func (p *densePosterior) Classes() int { return p.k }
func (p *densePosterior) Rows() int    { return p.n }

func (p *densePosterior) LogProba(r0, r1, c0, c1 int, dst []float64) {
	nc := c1 - c0
	for r := r0; r < r1; r++ {
		src := p.logp[r*p.k+c0 : r*p.k+c1]
		out := dst[(r-r0)*nc : (r-r0+1)*nc]
		for c, v := range src {
			out[c] = float64(v)
		}
	}
}

func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(v - mx)
	}
	return mx + math.Log(sum)
}

// scoreAttacker computes an attacker's predictions (argmax, ties to the
// lowest class), smoothed cross-entropy and macro one-vs-rest AUC (with its
// bootstrap replicates) on its rows with true classes s.
func scoreAttacker(p posterior, s []int, boot *bootstrap.Resampler) *attackerScores {
	n, k := p.Rows(), p.Classes()
	sc := &attackerScores{correct: make([]bool, n), ce: make([]float64, n)}
	lb := make([]float64, scoreRowBlock*k)
	for r0 := 0; r0 < n; r0 += scoreRowBlock {
		r1 := min(r0+scoreRowBlock, n)
		p.LogProba(r0, r1, 0, k, lb)
		for r := r0; r < r1; r++ {
			row := lb[(r-r0)*k : (r-r0+1)*k]
			best := 0
			for c, v := range row {
				if v > row[best] {
					best = c
				}
			}
			sc.correct[r] = best == s[r]
			q := math.Exp(row[s[r]])
			sc.ce[r] = -math.Log((1-smoothing)*q + smoothing/float64(k))
		}
	}
	sc.auc, sc.used, sc.aucReps = macroAUC(p, s, boot)
	return sc
}

// macroAUC is the macro average over classes of the one-vs-rest ROC AUC of
// the posterior P(c | z), over classes with positive and negative rows, with
// its value on every bootstrap resample. For a class with sorted positive
// scores p_(1) ≤ … ≤ p_(m) and suffix sums S_r of their weights, a negative
// row j with lo_j positives below its score and hi_j at or below it adds
// w_j·(S_hi + ½(S_lo − S_hi)) to the count of correctly ordered pairs, so
// every resample costs O(n) per class after one sort.
func macroAUC(p posterior, s []int, boot *bootstrap.Resampler) (float64, int, []float64) {
	n, k := p.Rows(), p.Classes()
	nb := boot.Len()
	// Multiplicities of every resample, as uint16 (12 MB for 30,000 rows
	// and 200 resamples).
	wmat := make([][]uint16, nb)
	wf := make([]float64, n)
	for b := range nb {
		boot.Weights(b, wf)
		wmat[b] = make([]uint16, n)
		for i, v := range wf {
			if v > math.MaxUint16 {
				panic("metrics: bootstrap multiplicity overflows uint16")
			}
			wmat[b][i] = uint16(v)
		}
	}
	members := make([][]int32, k)
	for i, c := range s {
		members[c] = append(members[c], int32(i))
	}
	chunk := max(1, min(k, scoreChunkCells/max(n, 1)))
	cols := make([]float64, n*chunk) // class-major: cols[c*n+i]
	lb := make([]float64, scoreRowBlock*chunk)

	const workers = 2
	type acc struct {
		sum  float64
		used int
		reps []float64
		nrep []int
	}
	accs := make([]acc, workers)
	for w := range accs {
		accs[w].reps = make([]float64, nb)
		accs[w].nrep = make([]int, nb)
	}
	for c0 := 0; c0 < k; c0 += chunk {
		c1 := min(c0+chunk, k)
		nc := c1 - c0
		for r0 := 0; r0 < n; r0 += scoreRowBlock {
			r1 := min(r0+scoreRowBlock, n)
			p.LogProba(r0, r1, c0, c1, lb)
			for r := r0; r < r1; r++ {
				for c := range nc {
					cols[c*n+r] = math.Exp(lb[(r-r0)*nc+c])
				}
			}
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lo := make([]int32, n)
				hi := make([]int32, n)
				var suffix []float64
				a := &accs[w]
				for c := c0 + w; c < c1; c += workers {
					pos := members[c]
					if len(pos) == 0 || len(pos) == n {
						continue
					}
					col := cols[(c-c0)*n : (c-c0+1)*n]
					ps := make([]float64, len(pos))
					order := make([]int32, len(pos))
					for i, j := range pos {
						order[i] = j
					}
					sort.Slice(order, func(a, b int) bool { return col[order[a]] < col[order[b]] })
					for i, j := range order {
						ps[i] = col[j]
					}
					mpos := int32(len(pos))
					for j, v := range col {
						lo[j] = int32(sort.SearchFloat64s(ps, v))
						h := lo[j]
						for h < mpos && ps[h] == v {
							h++
						}
						hi[j] = h
					}
					for _, j := range pos { // positives add nothing: S[m] = 0
						lo[j], hi[j] = mpos, mpos
					}
					suffix = slices.Grow(suffix[:0], len(pos)+1)[:len(pos)+1]
					one := func(wt []uint16) float64 {
						suffix[mpos] = 0
						for r := mpos - 1; r >= 0; r-- {
							suffix[r] = suffix[r+1] + float64(weightU(wt, int(order[r])))
						}
						wp := suffix[0]
						var num, wn float64
						for j := range col {
							wj := float64(weightU(wt, j))
							num += wj * (suffix[lo[j]] + suffix[hi[j]])
							wn += wj
						}
						wn -= wp
						if wp == 0 || wn == 0 {
							return math.NaN()
						}
						return 0.5 * num / (wp * wn)
					}
					a.sum += one(nil)
					a.used++
					for b := range nb {
						if v := one(wmat[b]); !math.IsNaN(v) {
							a.reps[b] += v
							a.nrep[b]++
						}
					}
				}
			}()
		}
		wg.Wait()
	}
	var sum float64
	used := 0
	reps := make([]float64, nb)
	nrep := make([]int, nb)
	for _, a := range accs {
		sum += a.sum
		used += a.used
		for b := range nb {
			reps[b] += a.reps[b]
			nrep[b] += a.nrep[b]
		}
	}
	for b := range nb {
		if nrep[b] == 0 {
			reps[b] = math.NaN()
		} else {
			reps[b] /= float64(nrep[b])
		}
	}
	if used == 0 {
		return math.NaN(), 0, reps
	}
	return sum / float64(used), used, reps
}

func weightU(w []uint16, i int) uint16 {
	if w == nil {
		return 1
	}
	return w[i]
}

// verification returns the ROC AUC and the TPR at FPR = 1e-3 of pair scores
// (same identity positive), with bootstrap intervals over the pairs.
func (a *auditor) verification(scores []float64, same []bool) (auc, tpr Interval) {
	sorted := roc.NewSorted(scores)
	const maxFPR = 1e-3
	vals := []float64{sorted.AUC(same, nil), sorted.TPRAtFPR(same, nil, maxFPR)}
	boot := bootstrap.NewResampler(len(scores), a.cfg.Bootstrap, newRand(a.cfg.Seed, streamPairBoot))
	reps := [][]float64{nil, nil}
	w := make([]float64, len(scores))
	for b := range boot.Len() {
		boot.Weights(b, w)
		reps[0] = append(reps[0], sorted.AUC(same, w))
		reps[1] = append(reps[1], sorted.TPRAtFPR(same, w, maxFPR))
	}
	iv := makeIntervals(vals, reps, a.cfg.Level)
	return iv[0], iv[1]
}
