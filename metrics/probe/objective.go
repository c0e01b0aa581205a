package probe

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/miaudit/miaudit/dataset"
)

const (
	// blockRows is the number of rows converted to float64 and multiplied
	// at once; it shrinks for many classes so that a block of logits stays
	// within blockElems values.
	blockRows  = 1024
	blockElems = 1 << 18
	// workers is the number of goroutines sharing the blocks of an
	// evaluation. The blocks are split into fixed contiguous halves and the
	// partial sums added in a fixed order, so results are bit-identical
	// from run to run.
	workers = 2
)

// workspace holds the buffers of one worker: a block of rows in float64, its
// logits (then residuals), and partial sums of the gradient and loss.
type workspace struct {
	xb, z, g, gb []float64
	loss         float64
}

// wsPool recycles workspaces across evaluations and fits.
var wsPool = sync.Pool{New: func() any { return new(workspace) }}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// blockSize returns the number of rows per block for kz logits per row.
func blockSize(kz int) int {
	nb := blockRows
	if nb*kz > blockElems {
		nb = max(blockElems/kz, 16)
	}
	return nb
}

// objective is the penalised negative log-likelihood minimised by Fit,
//
//	F(W, b) = C·Σ_i ℓ_i + ½·Σ_k ‖W_k‖²
//
// with ℓ_i = logsumexp(z_i) − z_{i,y_i}, z_i = W·x_i + b (multinomial, kz
// weight vectors), or ℓ_i = log(1+e^{t_i}) − y_i·t_i, t_i = w·x_i + b
// (binary, kz = 1). The parameters are packed as [W (kz×d, row-major), b (kz)].
type objective struct {
	ctx  context.Context
	x    *dataset.Matrix
	rows []int
	lab  []int // compact label of each row: 0..kz−1, or 0/1 if binary
	kz   int
	d    int
	c    float64
	nb   int
	ws   [workers]*workspace
}

func newObjective(ctx context.Context, x *dataset.Matrix, rows, lab []int, kz int, c float64) *objective {
	o := &objective{ctx: ctx, x: x, rows: rows, lab: lab, kz: kz, d: x.Cols, c: c, nb: blockSize(kz)}
	for w := range o.ws {
		ws := wsPool.Get().(*workspace)
		ws.xb = grow(ws.xb, o.nb*o.d)
		ws.z = grow(ws.z, o.nb*kz)
		ws.g = grow(ws.g, kz*o.d)
		ws.gb = grow(ws.gb, kz)
		o.ws[w] = ws
	}
	return o
}

// release returns the workspaces to the pool.
func (o *objective) release() {
	for w, ws := range o.ws {
		wsPool.Put(ws)
		o.ws[w] = nil
	}
}

func (o *objective) dim() int { return o.kz * (o.d + 1) }

// eval returns F at p and stores ∇F in grad. It returns NaN early if the
// context is cancelled.
func (o *objective) eval(p, grad []float64) float64 {
	n := len(o.rows)
	nblocks := (n + o.nb - 1) / o.nb
	half := (nblocks + 1) / 2
	if nblocks <= 1 {
		o.work(o.ws[0], p, 0, nblocks)
		o.ws[1].reset()
	} else {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			o.work(o.ws[1], p, half, nblocks)
		}()
		o.work(o.ws[0], p, 0, half)
		wg.Wait()
	}
	if o.ctx.Err() != nil {
		return math.NaN()
	}
	kd := o.kz * o.d
	w := p[:kd]
	w0, w1 := o.ws[0], o.ws[1]
	var pen float64
	for j, v := range w {
		pen += v * v
		grad[j] = o.c*(w0.g[j]+w1.g[j]) + v
	}
	for k := 0; k < o.kz; k++ {
		grad[kd+k] = o.c * (w0.gb[k] + w1.gb[k])
	}
	return o.c*(w0.loss+w1.loss) + 0.5*pen
}

func (ws *workspace) reset() {
	clear(ws.g)
	clear(ws.gb)
	ws.loss = 0
}

// work accumulates the loss and its gradient (without C and the penalty)
// over blocks [b0, b1) into ws.
func (o *objective) work(ws *workspace, p []float64, b0, b1 int) {
	ws.reset()
	d, kz, nb := o.d, o.kz, o.nb
	n := len(o.rows)
	w := blas64.General{Rows: kz, Cols: d, Stride: d, Data: p[:kz*d]}
	icpt := p[kz*d:]
	g := blas64.General{Rows: kz, Cols: d, Stride: d, Data: ws.g}
	for b := b0; b < b1; b++ {
		if o.ctx.Err() != nil {
			return
		}
		i0 := b * nb
		i1 := min(i0+nb, n)
		nr := i1 - i0
		xb := blas64.General{Rows: nr, Cols: d, Stride: d, Data: ws.xb[:nr*d]}
		for r, i := range o.rows[i0:i1] {
			dst := xb.Data[r*d : (r+1)*d]
			for j, v := range o.x.Row(i) {
				dst[j] = float64(v)
			}
		}
		z := blas64.General{Rows: nr, Cols: kz, Stride: kz, Data: ws.z[:nr*kz]}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, xb, w, 0, z)
		lab := o.lab[i0:i1]
		if kz == 1 {
			for r, y := range lab {
				t := z.Data[r] + icpt[0]
				yf := float64(y)
				ws.loss += softplus(t) - yf*t
				res := sigmoid(t) - yf
				z.Data[r] = res
				ws.gb[0] += res
			}
		} else {
			for r, y := range lab {
				zr := z.Data[r*kz : (r+1)*kz]
				m := math.Inf(-1)
				for k := range zr {
					zr[k] += icpt[k]
					m = max(m, zr[k])
				}
				ws.loss -= zr[y]
				var s float64
				for k, v := range zr {
					e := math.Exp(v - m)
					zr[k] = e
					s += e
				}
				ws.loss += m + math.Log(s)
				for k := range zr {
					zr[k] /= s
				}
				zr[y]--
				for k, v := range zr {
					ws.gb[k] += v
				}
			}
		}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, z, xb, 1, g)
	}
}

// softplus returns log(1+eᵗ) without overflow.
func softplus(t float64) float64 {
	return max(t, 0) + math.Log1p(math.Exp(-math.Abs(t)))
}

// sigmoid returns 1/(1+e⁻ᵗ) without overflow.
func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}
