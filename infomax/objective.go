package infomax

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/miaudit/miaudit/nn"
)

// Estimators of the MI between a code and its input.
const (
	JSD     = "jsd"
	InfoNCE = "infonce"
	DV      = "dv"
)

// Estimators lists the estimator names Config.Estimator accepts.
var Estimators = []string{JSD, InfoNCE, DV}

// Estimate returns the estimator's value on a score matrix s of b rows
// (codes) and b·p columns (features: p per example, example j's at columns
// j·p … j·p+p−1), whose positive pairs are row i with example i's p
// columns and negative pairs row i with the other examples' columns:
//
//	JSD      E_pos[−softplus(−s)] − E_neg[softplus(s)]
//	DV       E_pos[s] − log E_neg[exp s]
//	InfoNCE  log b + mean over columns c of (s[i(c), c] − log Σ_i' exp s[i', c]),
//	         i(c) the example of column c: each feature picks its own code
//	         out of the b codes of the batch (at most log b)
//
// in float64, as the reference for the graph objective builds. It panics
// if len(s) ≠ b·b·p, b < 2 or p < 1.
func Estimate(s []float64, b, p int, estimator string) float64 {
	return EstimateWithin(s, b, p, b, estimator)
}

// EstimateWithin is Estimate with the batch cut into groups of m
// consecutive examples (m divides b): the negatives of a row are the
// other examples of its group only, and InfoNCE picks each feature's code
// out of the m codes of its group (at most log m). With m = b it is
// Estimate. It panics if m < 2 or m does not divide b.
func EstimateWithin(s []float64, b, p, m int, estimator string) float64 {
	if b < 2 || p < 1 || len(s) != b*b*p || m < 2 || b%m != 0 {
		panic("infomax: score matrix shape")
	}
	cols := b * p
	neg := func(i, c int) bool { return c/p != i && c/p/m == i/m }
	switch estimator {
	case JSD:
		var pos, ng float64
		for i := range b {
			for c := range cols {
				v := s[i*cols+c]
				if c/p == i {
					pos -= softplus(-v)
				} else if neg(i, c) {
					ng += softplus(v)
				}
			}
		}
		return pos/float64(b*p) - ng/float64(b*(m-1)*p)
	case DV:
		var pos float64
		top := math.Inf(-1)
		for i := range b {
			for c := range cols {
				if c/p == i {
					pos += s[i*cols+c]
				} else if neg(i, c) {
					top = max(top, s[i*cols+c])
				}
			}
		}
		var sum float64
		for i := range b {
			for c := range cols {
				if neg(i, c) {
					sum += math.Exp(s[i*cols+c] - top)
				}
			}
		}
		return pos/float64(b*p) - (top + math.Log(sum/float64(b*(m-1)*p)))
	case InfoNCE:
		var tot float64
		for c := range cols {
			g := c / p / m * m // the first example of c's group
			top := math.Inf(-1)
			for i := g; i < g+m; i++ {
				top = max(top, s[i*cols+c])
			}
			var sum float64
			for i := g; i < g+m; i++ {
				sum += math.Exp(s[i*cols+c] - top)
			}
			tot += s[(c/p)*cols+c] - top - math.Log(sum)
		}
		return math.Log(float64(m)) + tot/float64(cols)
	}
	panic(fmt.Sprintf("infomax: unknown estimator %q", estimator))
}

// softplus is log(1 + eˣ) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// objective adds the estimator's value on the score node s (b × b·p,
// float32, laid out as EstimateWithin's, negatives within groups of m) to
// s's graph, differentiable.
func objective(s *G.Node, b, p, m int, estimator string) (*G.Node, error) {
	cols := b * p
	nPos, nNeg := float64(b*p), float64(b*(m-1)*p)
	dt := s.Dtype()
	// mask holds pos on the positive pairs, neg on the negative ones and
	// other elsewhere (pairs across groups).
	mask3 := func(pos, neg, other float64) *G.Node {
		t := tensor.New(tensor.Of(dt), tensor.WithShape(b, cols))
		for i := range b {
			for c := range cols {
				v := other
				switch {
				case c/p == i:
					v = pos
				case c/p/m == i/m:
					v = neg
				}
				if err := t.SetAt(castTo(dt, v), i, c); err != nil {
					panic(err) // unreachable: in range and of t's dtype
				}
			}
		}
		return G.NewConstant(t)
	}
	mask := func(pos, neg float64) *G.Node { return mask3(pos, neg, 0) }
	var e nn.Exprs
	var v *G.Node
	switch estimator {
	case JSD:
		// Σ pos·(−softplus(−s))/nPos − Σ neg·softplus(s)/nNeg
		sp := e.Do(func() (*G.Node, error) { return nn.Softplus(s) })
		spNeg := e.Do(func() (*G.Node, error) { return nn.Softplus(e.Neg(s)) })
		pos := e.Sum(e.Hadamard(spNeg, mask(1/nPos, 0)))
		neg := e.Sum(e.Hadamard(sp, mask(0, 1/nNeg)))
		v = e.Neg(e.Add(pos, neg))
	case DV:
		pos := e.Sum(e.Hadamard(s, mask(1/nPos, 0)))
		// log E_neg[exp s] = logsumexp over all entries of s + log w,
		// w = 1/nNeg on negatives and 0 (log w = −1e30) on positives.
		lw := mask3(-1e30, -math.Log(nNeg), -1e30)
		flat := e.Do(func() (*G.Node, error) { return G.Reshape(e.Add(s, lw), tensor.Shape{b * cols}) })
		lme := e.Do(func() (*G.Node, error) { return nn.LogSumExp(flat, 0) })
		v = e.Sub(pos, lme)
	case InfoNCE:
		pos := e.Sum(e.Hadamard(s, mask(1/float64(cols), 0)))
		// Each column's log-sum-exp runs over the codes of its group:
		// the others are pushed to −1e30 (when m = b there are none).
		in := s
		if m < b {
			in = e.Add(s, mask3(0, 0, -1e30))
		}
		lse := e.Do(func() (*G.Node, error) { return nn.LogSumExp(in, 0) })
		mean := e.Do(func() (*G.Node, error) { return G.Mean(lse) })
		logB := G.NewConstant(castTo(dt, math.Log(float64(m))))
		v = e.Add(logB, e.Sub(pos, mean))
	default:
		return nil, fmt.Errorf("infomax: unknown estimator %q (want jsd, infonce or dv)", estimator)
	}
	if e.Err != nil {
		return nil, fmt.Errorf("infomax: %s objective: %w", estimator, e.Err)
	}
	return v, nil
}

// castTo returns v as a scalar of dtype dt (float32 or float64).
func castTo(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float64 {
		return v
	}
	return float32(v)
}
