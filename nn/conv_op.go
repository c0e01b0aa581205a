package nn

import (
	"fmt"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file holds the operations behind Conv2d. gorgonia's G.Conv2d
// materialises the im2col matrix of the whole batch, transposes it and the
// output, and differentiates through those copies. conv2dOp instead lowers
// a chunk of examples at a time into a row matrix (im2row, the transpose of
// im2col: one row of In·K·K entries per output position, so the rows of
// several examples stack) and multiplies it by the kernel with one GEMM,
// through whichever BLAS gorgonia uses (G.Use). Its gradients are separate
// operations, so that the TapeMachine can leave out the input gradient of
// the first layer. With R_b the (H′·W′, In·K·K) row matrix of example b and
// W read as (Out, In·K·K):
//
//	forward   Y_b = W·R_bᵀ (+ b)           gonum: Y_bᵀ = R_b·Wᵀ, then transposed
//	input     ∂x_b = row2im(∂Y_bᵀ·W)       row2im adds each entry back to its pixel
//	kernel    ∂W = Σ_b ∂Y_b·R_b            R_b kept from the forward pass, or recomputed
//	bias      ∂b_o = Σ_b Σ_(i,j) ∂Y[b,o,i,j]
//
// With gonum's pure-Go BLAS, the GEMMs whose left operand is one that a
// ReLU makes half zeros (activations, output gradients) go through
// sparseGemm, which skips the zeros and uses gonum's assembly axpy: 1.7–2.5
// times faster than gonum's Sgemm on these products. OpenBLAS runs every
// form at the same speed. A 1×1 convolution with stride 1 and no padding
// needs no row matrix: R_bᵀ is x_b itself, read as an (In, H·W) matrix.
//
// Work is split over the batch on up to GOMAXPROCS goroutines, each with its
// own scratch; OpenBLAS should then run one thread per call
// (OPENBLAS_NUM_THREADS=1). Each example is computed by the same sequence of
// operations whatever the split, and the kernel gradient is summed in
// convGroups fixed groups of examples, added up in a fixed order, so results
// are bit-identical from run to run and do not depend on GOMAXPROCS (given a
// deterministic BLAS, as gonum's and OpenBLAS's GEMMs are).

const (
	// convChunkCols is the number of output positions (rows of the row
	// matrix) that one GEMM covers at least, when examples are small
	// enough to stack several: a GEMM that thin runs well below the
	// BLAS's peak.
	convChunkCols = 64
	// convKernelCols is convChunkCols for the kernel gradient.
	convKernelCols = 256
	// convMaxChunk bounds the examples per chunk (and so the scratch).
	convMaxChunk = 8
	// convGroups is the number of partial kernel gradients summed at the
	// end of the kernel-gradient pass: at most this many goroutines work
	// on it, (convGroups−1) kernel-sized buffers are kept, and groups are
	// small enough to balance two or four busy cores.
	convGroups = 8
	// convKeepRows is the largest row matrix of a whole batch (entries) that
	// the forward pass keeps for the kernel gradient, which otherwise
	// recomputes it chunk by chunk: 32M entries, 128 MB in float32.
	convKeepRows = 1 << 25
)

var tensor4A = G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}

// convGeom is the geometry of one convolution: input (n, c, h, w), kernel
// (o, c, k, k), stride s, zero padding p, output (n, o, oh, ow).
type convGeom struct {
	n, c, h, w int
	o, oh, ow  int
	k, s, p    int
}

// newConvGeom returns the geometry for input shape x and kernel shape wt,
// or an error if they do not fit.
func newConvGeom(x, wt tensor.Shape, k, s, p int) (convGeom, error) {
	if x.Dims() != 4 || wt.Dims() != 4 || x[1] != wt[1] || wt[2] != k || wt[3] != k {
		return convGeom{}, fmt.Errorf("nn: conv2d: input %v and kernel %v for a %d×%d kernel", x, wt, k, k)
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], o: wt[0], k: k, s: s, p: p}
	if k < 1 || s < 1 || p < 0 || g.h+2*p < k || g.w+2*p < k {
		return convGeom{}, fmt.Errorf("nn: conv2d: input %v too small for kernel %d, stride %d, padding %d", x, k, s, p)
	}
	g.oh, g.ow = (g.h+2*p-k)/s+1, (g.w+2*p-k)/s+1
	return g, nil
}

// rows is the width of the row matrix, In·K·K; cols its height per
// example, H′·W′ (the rows and columns of the usual im2col matrix).
func (g convGeom) rows() int { return g.c * g.k * g.k }
func (g convGeom) cols() int { return g.oh * g.ow }

// pointwise reports whether the row matrix of an example is the example
// itself, transposed (1×1 kernel, stride 1, no padding).
func (g convGeom) pointwise() bool { return g.k == 1 && g.s == 1 && g.p == 0 }

// chunk returns the number of examples whose row matrices one GEMM of the
// forward pass or of the input gradient stacks (1 for pointwise
// convolutions, which need none).
func (g convGeom) chunk() int { return g.chunkOf(convChunkCols) }

// kernelChunk is chunk for the kernel gradient, whose GEMM sums over the
// stacked positions: a short sum reads and writes all of ∂W for little
// work.
func (g convGeom) kernelChunk() int { return g.chunkOf(convKernelCols) }

// chunkOf returns the number of examples that make up at least minRows
// output positions, within [1, min(n, convMaxChunk)]; 1 for pointwise
// convolutions.
func (g convGeom) chunkOf(minRows int) int {
	if g.pointwise() {
		return 1
	}
	return max(1, min(g.n, convMaxChunk, (minRows+g.cols()-1)/g.cols()))
}

// units returns the number of chunks of m examples in the batch.
func (g convGeom) units(m int) int { return (g.n + m - 1) / m }

// span returns the examples [b0, b1) of chunk u of m examples.
func (g convGeom) span(u, m int) (b0, b1 int) { return u * m, min(g.n, (u+1)*m) }

// convWork is the scratch of one Conv2d application, shared by its forward
// and gradient operations (which the TapeMachine never runs at the same
// time) and kept from run to run.
type convWork struct {
	f32 convBufs[float32]
	f64 convBufs[float64]
}

func newConvWork() *convWork { return &convWork{} }

// convBufs holds one scratch buffer per goroutine, the partial kernel
// gradients of groups 1 … convGroups−1, the transposed kernel and the
// batch's row matrix.
type convBufs[T float32 | float64] struct {
	scratch [][]T
	idx     [][]int32 // per goroutine, for sparseGemm
	partial [][]T
	common  []T
	// kept is the row matrix of the whole batch from the last forward
	// pass, valid for the input whose data keptX and keptN describe.
	kept  []T
	keptX *T
	keptN int
}

// keep returns the whole-batch row matrix buffer of length n, marked
// invalid until markKept; its contents are stale.
func (b *convBufs[T]) keep(n int) []T {
	if cap(b.kept) < n {
		b.kept = make([]T, n)
	}
	b.keptX, b.keptN = nil, 0
	return b.kept[:n]
}

// markKept records that the kept row matrix is that of input x.
func (b *convBufs[T]) markKept(x []T) { b.keptX, b.keptN = &x[0], len(x) }

// takeKept returns the kept row matrix of length n if it is that of input
// x (the same data: the tape runs the forward operation first and x stays
// live until the kernel gradient has read it), or nil, and invalidates it.
func (b *convBufs[T]) takeKept(x []T, n int) []T {
	ok := b.keptX == &x[0] && b.keptN == len(x) && len(b.kept) >= n
	b.keptX, b.keptN = nil, 0
	if !ok {
		return nil
	}
	return b.kept[:n]
}

// keepsRows reports whether the forward pass keeps the batch's row matrix.
func (g convGeom) keepsRows() bool {
	return !g.pointwise() && g.n*g.cols()*g.rows() <= convKeepRows
}

func bufsOf[T float32 | float64](w *convWork) *convBufs[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&w.f32).(*convBufs[T])
	}
	return any(&w.f64).(*convBufs[T])
}

// prepare makes room for workers scratch buffers; call it before starting
// them, which then call get and index with distinct indices.
func (b *convBufs[T]) prepare(workers int) {
	for len(b.scratch) < workers {
		b.scratch = append(b.scratch, nil)
		b.idx = append(b.idx, nil)
	}
}

// index returns worker's index buffer for sparseGemm, of length n.
func (b *convBufs[T]) index(worker, n int) []int32 {
	if cap(b.idx[worker]) < n {
		b.idx[worker] = make([]int32, n)
	}
	return b.idx[worker][:n]
}

// get returns worker's scratch with length n; its contents are stale.
func (b *convBufs[T]) get(worker, n int) []T {
	if cap(b.scratch[worker]) < n {
		b.scratch[worker] = make([]T, n)
	}
	return b.scratch[worker][:n]
}

// shared returns a buffer of length n read by all goroutines (the
// transposed kernel); its contents are stale.
func (b *convBufs[T]) shared(n int) []T {
	if cap(b.common) < n {
		b.common = make([]T, n)
	}
	return b.common[:n]
}

// partials returns k partial buffers of length n; their contents are stale.
func (b *convBufs[T]) partials(k, n int) [][]T {
	for len(b.partial) < k {
		b.partial = append(b.partial, nil)
	}
	for i := range k {
		if cap(b.partial[i]) < n {
			b.partial[i] = make([]T, n)
		}
		b.partial[i] = b.partial[i][:n]
	}
	return b.partial[:k]
}

// convRun calls f(worker, u) for every u in [0, n) on up to GOMAXPROCS
// goroutines, worker in [0, workers) identifying the goroutine (and so its
// scratch). Units are handed out in order as goroutines become free.
func convRun(n int, prepare func(workers int), f func(worker, u int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	prepare(max(workers, 1))
	if workers <= 1 {
		for u := range n {
			f(0, u)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for wk := range workers {
		go func() {
			defer wg.Done()
			for {
				u := int(next.Add(1)) - 1
				if u >= n {
					return
				}
				f(wk, u)
			}
		}()
	}
	wg.Wait()
}

// gemmT sets c = op(a)·op(b) + β·c for row-major matrices, op(a) being
// m×k and op(b) k×n, through the BLAS gorgonia uses.
func gemmT[T float32 | float64](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	impl := G.WhichBLAS()
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(trans(tA), trans(tB), m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(trans(tA), trans(tB), m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// sparseGemm sets c = op(a)·b + β·c, β 0 or 1, for row-major matrices,
// op(a) being m×k (a stored k×m if tA) and b k×n, skipping the zero
// entries of op(a): each row of op(a) is compacted to the indices of its
// non-zero entries (without branches: ReLU zeros fall at random), and each
// of those adds its multiple of a row of b to c's row with gonum's
// vectorised axpy, over panels of 256 columns. On ReLU outputs (half
// zeros) it runs 1.7–2.5 times faster than gonum's Sgemm, whose kernel
// branches on every entry of a once per 64 columns. As there, a zero of a
// contributes nothing even against an infinite or NaN entry of b. idx
// must hold k entries.
func sparseGemm[T float32 | float64](tA bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, idx []int32) {
	const panel = 256
	axpy := axpyOf[T]()
	idx = idx[:k]
	for j0 := 0; j0 < n; j0 += panel {
		nj := min(panel, n-j0)
		for i := range m {
			ci := c[i*ldc+j0 : i*ldc+j0+nj]
			if beta == 0 {
				clear(ci)
			}
			cnt := 0
			if tA {
				for l := range idx {
					idx[cnt] = int32(l)
					cnt += b2i(a[l*lda+i] != 0)
				}
				for _, l := range idx[:cnt] {
					axpy(a[int(l)*lda+i], b[int(l)*ldb+j0:], ci)
				}
				continue
			}
			ai := a[i*lda : i*lda+k]
			for l, v := range ai {
				idx[cnt] = int32(l)
				cnt += b2i(v != 0)
			}
			for _, l := range idx[:cnt] {
				axpy(ai[l], b[int(l)*ldb+j0:], ci)
			}
		}
	}
}

// axpyOf returns y += α·x[:len(y)] through gonum's assembly kernels.
func axpyOf[T float32 | float64]() func(alpha T, x, y []T) {
	var f any
	var z T
	if _, ok := any(z).(float32); ok {
		f = func(alpha float32, x, y []float32) { gonum.Implementation{}.Saxpy(len(y), alpha, x, 1, y, 1) }
	} else {
		f = func(alpha float64, x, y []float64) { gonum.Implementation{}.Daxpy(len(y), alpha, x, 1, y, 1) }
	}
	return f.(func(T, []T, []T))
}

// im2row writes the row matrix of one example x (c, h, w) into rows, an
// (oh·ow, c·k·k) matrix: row i·ow + j, column (ci·k + u)·k + v holds
// x[ci, i·s+u−p, j·s+v−p], zero outside the image. It is the transpose
// of the usual im2col matrix: each output position's receptive field is
// one contiguous row, and the rows of several examples stack. The loops
// run over output rows i, channels, output columns j: each (j, ci) block
// of k·k entries is written at once, from k image rows held in cache.
func im2row[T float32 | float64](rows []T, x []T, g *convGeom) {
	h, w, k, s, p, ow := g.h, g.w, g.k, g.s, g.p, g.ow
	ckk, kk := g.rows(), g.k*g.k
	j0, j1 := g.inner()
	for i := range g.oh {
		ri := rows[i*ow*ckk : (i+1)*ow*ckk]
		u0, u1 := g.kernelRows(i)
		for ci := range g.c {
			xc := x[ci*h*w : (ci+1)*h*w]
			for j := range ow {
				d := ri[j*ckk+ci*kk : j*ckk+(ci+1)*kk]
				clear(d[:u0*k])
				clear(d[u1*k:])
				q0 := j*s - p
				if j < j0 || j >= j1 {
					for u := u0; u < u1; u++ {
						rowEdge(d[u*k:(u+1)*k], xc[(i*s+u-p)*w:(i*s+u-p+1)*w], q0)
					}
					continue
				}
				src := xc[q0:]
				switch k {
				case 3:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						*(*[3]T)(d[u*3:]) = [3]T(src[r : r+3])
					}
				case 4:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						*(*[4]T)(d[u*4:]) = [4]T(src[r : r+4])
					}
				default:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						copy(d[u*k:(u+1)*k], src[r:r+k])
					}
				}
			}
		}
	}
}

// kernelRows returns the kernel rows [u0, u1) that fall inside the image
// for output row i.
func (g *convGeom) kernelRows(i int) (u0, u1 int) {
	u0 = min(g.k, max(0, g.p-i*g.s))
	return u0, max(u0, min(g.k, g.h+g.p-i*g.s))
}

// inner returns the output columns [j0, j1) whose receptive field lies
// within the image's columns.
func (g *convGeom) inner() (j0, j1 int) {
	j0 = (g.p + g.s - 1) / g.s
	if t := g.w + g.p - g.k; t >= 0 {
		j1 = min(g.ow, t/g.s+1)
	}
	return min(j0, j1), j1
}

// rowEdge sets d[v] = src[q0+v], or 0 where q0+v is outside src.
func rowEdge[T float32 | float64](d, src []T, q0 int) {
	for v := range d {
		if q := q0 + v; q >= 0 && q < len(src) {
			d[v] = src[q]
		} else {
			d[v] = 0
		}
	}
}

// row2im is im2row's adjoint: it adds every entry of rows into the pixel of
// dx (c, h, w) it was read from, in a fixed order.
func row2im[T float32 | float64](dx []T, rows []T, g *convGeom) {
	h, w, k, s, p, ow := g.h, g.w, g.k, g.s, g.p, g.ow
	ckk, kk := g.rows(), g.k*g.k
	j0, j1 := g.inner()
	for i := range g.oh {
		ri := rows[i*ow*ckk : (i+1)*ow*ckk]
		u0, u1 := g.kernelRows(i)
		for ci := range g.c {
			xc := dx[ci*h*w : (ci+1)*h*w]
			for j := range ow {
				d := ri[j*ckk+ci*kk : j*ckk+(ci+1)*kk]
				q0 := j*s - p
				if j < j0 || j >= j1 {
					for u := u0; u < u1; u++ {
						dst := xc[(i*s+u-p)*w : (i*s+u-p+1)*w]
						for v, a := range d[u*k : (u+1)*k] {
							if q := q0 + v; q >= 0 && q < w {
								dst[q] += a
							}
						}
					}
					continue
				}
				dst := xc[q0:]
				switch k {
				case 3:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						q, a := (*[3]T)(dst[r:r+3]), (*[3]T)(d[u*3:])
						q[0] += a[0]
						q[1] += a[1]
						q[2] += a[2]
					}
				case 4:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						q, a := (*[4]T)(dst[r:r+4]), (*[4]T)(d[u*4:])
						q[0] += a[0]
						q[1] += a[1]
						q[2] += a[2]
						q[3] += a[3]
					}
				default:
					for u := u0; u < u1; u++ {
						r := (i*s + u - p) * w
						q := dst[r : r+k]
						for v, a := range d[u*k : (u+1)*k] {
							q[v] += a
						}
					}
				}
			}
		}
	}
}

// transpose sets dst (c, r) to the transpose of src (r, c) plus, if bias
// is not nil, bias[j] on row j of dst. It writes dst sequentially, in
// blocks of rows of src small enough for the strided reads to stay in
// cache.
func transpose[T float32 | float64](dst, src []T, r, c int, bias []T) {
	const tile = 32
	for i0 := 0; i0 < r; i0 += tile {
		i1 := min(r, i0+tile)
		for j := range c {
			d := dst[j*r+i0 : j*r+i1]
			var b T
			if bias != nil {
				b = bias[j]
			}
			for ii := range d {
				d[ii] = src[(i0+ii)*c+j] + b
			}
		}
	}
}

// gatherChunk copies the (o, np) blocks of examples b0 … b0+m−1 of a
// (n, o, np) array side by side into dst, an (o, m·np) matrix.
func gatherChunk[T float32 | float64](dst, src []T, b0, m, o, np int) {
	ld := m * np
	for j := range m {
		sb := src[(b0+j)*o*np:]
		for oc := range o {
			copy(dst[oc*ld+j*np:oc*ld+(j+1)*np], sb[oc*np:(oc+1)*np])
		}
	}
}

// skipsZeros reports whether the BLAS in use is gonum's pure-Go one, in
// which case the GEMMs whose left operand is a ReLU output or gradient go
// through sparseGemm.
func skipsZeros() bool {
	_, ok := G.WhichBLAS().(gonum.Implementation)
	return ok
}

// convForward sets y = conv(x, w) (+ bias, if not nil). With gonum's BLAS
// each chunk of m examples is computed transposed, Yᵀ = rows·Wᵀ
// ((m·np, o) from the (m·np, c·k·k) row matrix), and transposed into y:
// the activations, typically half zeros after a ReLU, are then the left
// operand of sparseGemm. Other BLASes compute
// Y_b = W·rows_bᵀ straight into y, or for a chunk of several examples
// (o, m·np) scattered into y.
func convForward[T float32 | float64](g convGeom, x, w, bias, y []T, ws *convWork) {
	bufs := bufsOf[T](ws)
	ckk, np := g.rows(), g.cols()
	xs, ys := g.c*g.h*g.w, g.o*np
	sparse := skipsZeros()
	var wt []T
	if sparse {
		wt = bufs.shared(len(w))
		transpose(wt, w, g.o, ckk, nil)
	}
	var kept []T
	if g.keepsRows() {
		kept = bufs.keep(g.n * np * ckk)
	}
	// rowsFor returns the buffer for the row matrix of chunk u: its part of
	// kept, or worker's scratch past the first extra entries.
	mc := g.chunk()
	rowsFor := func(worker, u, extra int) (rows, scratch []T) {
		b0, b1 := g.span(u, mc)
		if kept != nil {
			return kept[b0*np*ckk : b1*np*ckk], bufs.get(worker, extra)
		}
		buf := bufs.get(worker, (b1-b0)*np*ckk+extra)
		return buf[extra:], buf[:extra]
	}
	convRun(g.units(mc), bufs.prepare, func(worker, u int) {
		b0, b1 := g.span(u, mc)
		m := b1 - b0
		var rows, yt []T
		switch {
		case g.pointwise() && !sparse:
			for b := b0; b < b1; b++ {
				yb := y[b*ys : (b+1)*ys]
				beta := fillBias(yb, bias, np)
				gemmT(false, false, g.o, np, g.c, w, g.c, x[b*xs:(b+1)*xs], np, beta, yb, np)
			}
			return
		case g.pointwise():
			// Yᵀ = xᵀ·Wᵀ, x_b read as (c, np).
			yt = bufs.get(worker, np*g.o)
			sparseGemm(true, np, g.o, g.c, x[b0*xs:b1*xs], np, wt, g.o, 0, yt, g.o, bufs.index(worker, g.c))
		case !sparse && m == 1:
			rows, _ = rowsFor(worker, u, 0)
			im2row(rows, x[b0*xs:b1*xs], &g)
			yb := y[b0*ys : b1*ys]
			beta := fillBias(yb, bias, np)
			gemmT(false, true, g.o, np, ckk, w, ckk, rows, ckk, beta, yb, np)
			return
		case !sparse:
			// Y_chunk = W·R_chunkᵀ, (o, m·np), scattered into y.
			ld := m * np
			rows, yc := rowsFor(worker, u, g.o*ld)
			for j := range m {
				im2row(rows[j*np*ckk:(j+1)*np*ckk], x[(b0+j)*xs:(b0+j+1)*xs], &g)
			}
			gemmT(false, true, g.o, ld, ckk, w, ckk, rows, ckk, 0, yc, ld)
			for j := range m {
				yb := y[(b0+j)*ys : (b0+j+1)*ys]
				for oc := range g.o {
					d, src := yb[oc*np:(oc+1)*np], yc[oc*ld+j*np:oc*ld+(j+1)*np]
					if bias == nil {
						copy(d, src)
						continue
					}
					for i, v := range src {
						d[i] = v + bias[oc]
					}
				}
			}
			return
		default:
			rows, yt = rowsFor(worker, u, m*np*g.o)
			for j := range m {
				im2row(rows[j*np*ckk:(j+1)*np*ckk], x[(b0+j)*xs:(b0+j+1)*xs], &g)
			}
			sparseGemm(false, m*np, g.o, ckk, rows, ckk, wt, g.o, 0, yt, g.o, bufs.index(worker, ckk))
		}
		for j := range m {
			b := b0 + j
			transpose(y[b*ys:(b+1)*ys], yt[j*np*g.o:(j+1)*np*g.o], np, g.o, bias)
		}
	})
	if kept != nil {
		bufs.markKept(x)
	}
}

// fillBias sets each of the rows (np wide) of y to the matching bias and
// returns the β with which a GEMM should add to y: 1, or 0 without a bias.
func fillBias[T float32 | float64](y, bias []T, np int) T {
	if bias == nil {
		return 0
	}
	for oc, bo := range bias {
		r := y[oc*np : (oc+1)*np]
		for i := range r {
			r[i] = bo
		}
	}
	return 1
}

// convInputGrad sets dx to the gradient with respect to the input of the
// convolution with kernel w, given the output gradient dy: per chunk the
// row-matrix gradient ∂Yᵀ·W, added back into the pixels by row2im.
func convInputGrad[T float32 | float64](g convGeom, w, dy, dx []T, ws *convWork) {
	bufs := bufsOf[T](ws)
	sparse := skipsZeros()
	ckk, np := g.rows(), g.cols()
	xs, ys := g.c*g.h*g.w, g.o*np
	mc := g.chunk()
	convRun(g.units(mc), bufs.prepare, func(worker, u int) {
		b0, b1 := g.span(u, mc)
		m := b1 - b0
		if g.pointwise() {
			for b := b0; b < b1; b++ {
				gemmT(true, false, g.c, np, g.o, w, g.c, dy[b*ys:(b+1)*ys], np, 0, dx[b*xs:(b+1)*xs], np)
			}
			return
		}
		ld := m * np
		var drows, dyc []T
		if m == 1 {
			drows, dyc = bufs.get(worker, ld*ckk), dy[b0*ys:(b0+1)*ys]
		} else {
			buf := bufs.get(worker, ld*ckk+g.o*ld)
			drows, dyc = buf[:ld*ckk], buf[ld*ckk:]
			gatherChunk(dyc, dy, b0, m, g.o, np)
		}
		if sparse {
			sparseGemm(true, ld, ckk, g.o, dyc, ld, w, ckk, 0, drows, ckk, bufs.index(worker, g.o))
		} else {
			gemmT(true, false, ld, ckk, g.o, dyc, ld, w, ckk, 0, drows, ckk)
		}
		for j := range m {
			dxb := dx[(b0+j)*xs : (b0+j+1)*xs]
			clear(dxb)
			row2im(dxb, drows[j*np*ckk:(j+1)*np*ckk], &g)
		}
	})
}

// convWeightGrad sets dw to the gradient with respect to the kernel of the
// convolution of x, given the output gradient dy: Σ_b ∂Y_b·rows(x_b), the
// row matrices kept by the forward pass or recomputed, the chunks of the
// batch split into convGroups groups summed apart and then in group order.
func convWeightGrad[T float32 | float64](g convGeom, x, dy, dw []T, ws *convWork) {
	bufs := bufsOf[T](ws)
	sparse := skipsZeros()
	ckk, np := g.rows(), g.cols()
	xs, ys := g.c*g.h*g.w, g.o*np
	mc := g.kernelChunk()
	units := g.units(mc)
	groups := min(convGroups, units)
	parts := bufs.partials(groups-1, len(dw))
	var kept []T
	if g.keepsRows() {
		kept = bufs.takeKept(x, g.n*np*ckk)
	}
	convRun(groups, bufs.prepare, func(worker, gi int) {
		acc := dw
		if gi > 0 {
			acc = parts[gi-1]
		}
		var beta T
		for u := gi * units / groups; u < (gi+1)*units/groups; u++ {
			b0, b1 := g.span(u, mc)
			m := b1 - b0
			if g.pointwise() {
				for b := b0; b < b1; b++ {
					gemmT(false, true, g.o, g.c, np, dy[b*ys:(b+1)*ys], np, x[b*xs:(b+1)*xs], np, beta, acc, g.c)
					beta = 1
				}
				continue
			}
			ld := m * np
			var rows, dyc []T
			if kept != nil {
				rows, dyc = kept[b0*np*ckk:b1*np*ckk], bufs.get(worker, g.o*ld)
			} else {
				buf := bufs.get(worker, ld*ckk+g.o*ld)
				rows, dyc = buf[:ld*ckk], buf[ld*ckk:]
				for j := range m {
					im2row(rows[j*np*ckk:(j+1)*np*ckk], x[(b0+j)*xs:(b0+j+1)*xs], &g)
				}
			}
			if m == 1 {
				dyc = dy[b0*ys : (b0+1)*ys]
			} else {
				gatherChunk(dyc, dy, b0, m, g.o, np)
			}
			if sparse {
				sparseGemm(false, g.o, ckk, ld, dyc, ld, rows, ckk, beta, acc, ckk, bufs.index(worker, ld))
			} else {
				gemmT(false, false, g.o, ckk, ld, dyc, ld, rows, ckk, beta, acc, ckk)
			}
			beta = 1
		}
	})
	if len(parts) == 0 {
		return
	}
	// dw += parts[0] + parts[1] + …, element by element in that order,
	// split into ranges over the goroutines.
	const span = 1 << 14
	convRun((len(dw)+span-1)/span, func(int) {}, func(_, r int) {
		lo, hi := r*span, min(len(dw), (r+1)*span)
		d := dw[lo:hi]
		for _, pt := range parts {
			for i, v := range pt[lo:hi] {
				d[i] += v
			}
		}
	})
}

// convBiasGrad sets db[o] = Σ_b Σ_p dy[b, o, p], summed in float64.
func convBiasGrad[T float32 | float64](db, dy []T, n, o, np int) {
	for oc := range o {
		var s float64
		for b := range n {
			for _, v := range dy[(b*o+oc)*np : (b*o+oc+1)*np] {
				s += float64(v)
			}
		}
		db[oc] = T(s)
	}
}

// conv2dOp is y = conv(x, W) (+ b): x (n, In, H, W), W (Out, In, K, K),
// b (Out) → y (n, Out, H′, W′); see Conv2d.
type conv2dOp struct {
	k, s, p int
	bias    bool
	out     *outBuf
	work    *convWork
}

func (op conv2dOp) Arity() int {
	if op.bias {
		return 3
	}
	return 2
}

func (op conv2dOp) Type() hm.Type {
	if op.bias {
		return hm.NewFnType(tensor4A, tensor4A, vecA, tensor4A)
	}
	return hm.NewFnType(tensor4A, tensor4A, tensor4A)
}

func (op conv2dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("nn: conv2d: %d inputs, want %d", len(in), op.Arity())
	}
	x, ok1 := in[0].(tensor.Shape)
	w, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("nn: conv2d: inputs %v", in)
	}
	g, err := newConvGeom(x, w, op.k, op.s, op.p)
	if err != nil {
		return nil, err
	}
	if op.bias {
		if b, ok := in[2].(tensor.Shape); !ok || b.TotalSize() != g.o {
			return nil, fmt.Errorf("nn: conv2d: bias shape %v for %d outputs", in[2], g.o)
		}
	}
	return tensor.Shape{g.n, g.o, g.oh, g.ow}, nil
}

func (op conv2dOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("nn: conv2d: %d inputs, want %d", len(vals), op.Arity())
	}
	ts, err := denseAll(vals)
	if err != nil {
		return nil, err
	}
	x, w := ts[0], ts[1]
	g, err := newConvGeom(x.Shape(), w.Shape(), op.k, op.s, op.p)
	if err != nil {
		return nil, err
	}
	if op.bias && ts[2].Shape().TotalSize() != g.o {
		return nil, fmt.Errorf("nn: conv2d: bias shape %v for %d outputs", ts[2].Shape(), g.o)
	}
	y := op.out.get(x.Dtype(), g.n, g.o, g.oh, g.ow)
	switch xd := x.Data().(type) {
	case []float32:
		err = runForward(g, xd, ts[1:], y, op.work)
	case []float64:
		err = runForward(g, xd, ts[1:], y, op.work)
	default:
		err = fmt.Errorf("nn: conv2d: data %T", x.Data())
	}
	if err != nil {
		return nil, err
	}
	return y, nil
}

// runForward type-checks the kernel, bias (if any) and output against x's
// element type and runs convForward.
func runForward[T float32 | float64](g convGeom, x []T, wb []*tensor.Dense, y *tensor.Dense, ws *convWork) error {
	w, ok1 := wb[0].Data().([]T)
	yd, ok2 := y.Data().([]T)
	var b []T
	ok3 := true
	if len(wb) > 1 {
		b, ok3 = wb[1].Data().([]T)
	}
	if !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("nn: conv2d: mixed dtypes")
	}
	convForward(g, x, w, b, yd, ws)
	return nil
}

// denseAll returns vals as contiguous dense tensors.
func denseAll(vals []G.Value) ([]*tensor.Dense, error) {
	ts := make([]*tensor.Dense, len(vals))
	for i, v := range vals {
		d, err := dense(v)
		if err != nil {
			return nil, err
		}
		ts[i] = d
	}
	return ts, nil
}

func (op conv2dOp) ReturnsPtr() bool     { return false }
func (op conv2dOp) CallsExtern() bool    { return false }
func (op conv2dOp) OverwritesInput() int { return -1 }
func (op conv2dOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.conv2d(k=%d,s=%d,p=%d,bias=%t)", op.k, op.s, op.p, op.bias)
}
func (op conv2dOp) Hashcode() uint32 { return hashOf(op) }
func (op conv2dOp) String() string {
	return fmt.Sprintf("nn.Conv2d(k=%d,s=%d,p=%d,bias=%t)", op.k, op.s, op.p, op.bias)
}

func (op conv2dOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// SymDiff returns ∂x, ∂W and (with a bias) ∂b as three nodes, each one
// operation, sharing the forward operation's scratch.
func (op conv2dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, w := inputs[0], inputs[1]
	dx, err := G.ApplyOp(convInputGradOp{k: op.k, s: op.s, p: op.p, x: x.Shape().Clone(), out: newOutBuf(), work: op.work}, w, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: conv2d gradient: %w", err)
	}
	dw, err := G.ApplyOp(convWeightGradOp{k: op.k, s: op.s, p: op.p, out: newOutBuf(), work: op.work}, x, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: conv2d gradient: %w", err)
	}
	if !op.bias {
		return G.Nodes{dx, dw}, nil
	}
	db, err := G.ApplyOp(convBiasGradOp{out: newOutBuf()}, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: conv2d gradient: %w", err)
	}
	return G.Nodes{dx, dw, db}, nil
}

// convInputGradOp is (W, ∂y) → ∂x for an input of shape x.
type convInputGradOp struct {
	k, s, p int
	x       tensor.Shape
	out     *outBuf
	work    *convWork
}

func (op convInputGradOp) Arity() int    { return 2 }
func (op convInputGradOp) Type() hm.Type { return hm.NewFnType(tensor4A, tensor4A, tensor4A) }

func (op convInputGradOp) geom(w, dy tensor.Shape) (convGeom, error) {
	g, err := newConvGeom(op.x, w, op.k, op.s, op.p)
	if err != nil {
		return g, err
	}
	if !dy.Eq(tensor.Shape{g.n, g.o, g.oh, g.ow}) {
		return g, fmt.Errorf("nn: conv2d input gradient: output gradient %v for input %v and kernel %v", dy, op.x, w)
	}
	return g, nil
}

func (op convInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	w, ok1 := in[0].(tensor.Shape)
	dy, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("nn: conv2d input gradient: inputs %v", in)
	}
	if _, err := op.geom(w, dy); err != nil {
		return nil, err
	}
	return op.x.Clone(), nil
}

func (op convInputGradOp) Do(vals ...G.Value) (G.Value, error) {
	ts, err := denseAll(vals)
	if err != nil {
		return nil, err
	}
	w, dy := ts[0], ts[1]
	g, err := op.geom(w.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	dx := op.out.get(w.Dtype(), op.x...)
	switch wd := w.Data().(type) {
	case []float32:
		err = runInputGrad(g, wd, dy, dx, op.work)
	case []float64:
		err = runInputGrad(g, wd, dy, dx, op.work)
	default:
		err = fmt.Errorf("nn: conv2d input gradient: data %T", w.Data())
	}
	if err != nil {
		return nil, err
	}
	return dx, nil
}

func runInputGrad[T float32 | float64](g convGeom, w []T, dy, dx *tensor.Dense, ws *convWork) error {
	dyd, ok1 := dy.Data().([]T)
	dxd, ok2 := dx.Data().([]T)
	if !ok1 || !ok2 {
		return fmt.Errorf("nn: conv2d input gradient: mixed dtypes")
	}
	convInputGrad(g, w, dyd, dxd, ws)
	return nil
}

func (op convInputGradOp) ReturnsPtr() bool     { return false }
func (op convInputGradOp) CallsExtern() bool    { return false }
func (op convInputGradOp) OverwritesInput() int { return -1 }
func (op convInputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.conv2dinputgrad(k=%d,s=%d,p=%d,x=%v)", op.k, op.s, op.p, op.x)
}
func (op convInputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op convInputGradOp) String() string {
	return fmt.Sprintf("nn.Conv2dInputGrad(k=%d,s=%d,p=%d)", op.k, op.s, op.p)
}
func (op convInputGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op convInputGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nn: conv2d input gradient: second derivatives are not supported")
}

// convWeightGradOp is (x, ∂y) → ∂W.
type convWeightGradOp struct {
	k, s, p int
	out     *outBuf
	work    *convWork
}

func (op convWeightGradOp) Arity() int    { return 2 }
func (op convWeightGradOp) Type() hm.Type { return hm.NewFnType(tensor4A, tensor4A, tensor4A) }

func (op convWeightGradOp) geom(x, dy tensor.Shape) (convGeom, error) {
	if x.Dims() != 4 || dy.Dims() != 4 {
		return convGeom{}, fmt.Errorf("nn: conv2d kernel gradient: input %v, output gradient %v", x, dy)
	}
	g, err := newConvGeom(x, tensor.Shape{dy[1], x[1], op.k, op.k}, op.k, op.s, op.p)
	if err != nil {
		return g, err
	}
	if !dy.Eq(tensor.Shape{g.n, g.o, g.oh, g.ow}) {
		return g, fmt.Errorf("nn: conv2d kernel gradient: output gradient %v for input %v", dy, x)
	}
	return g, nil
}

func (op convWeightGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, ok1 := in[0].(tensor.Shape)
	dy, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("nn: conv2d kernel gradient: inputs %v", in)
	}
	g, err := op.geom(x, dy)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{g.o, g.c, g.k, g.k}, nil
}

func (op convWeightGradOp) Do(vals ...G.Value) (G.Value, error) {
	ts, err := denseAll(vals)
	if err != nil {
		return nil, err
	}
	x, dy := ts[0], ts[1]
	g, err := op.geom(x.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	dw := op.out.get(x.Dtype(), g.o, g.c, g.k, g.k)
	switch xd := x.Data().(type) {
	case []float32:
		err = runWeightGrad(g, xd, dy, dw, op.work)
	case []float64:
		err = runWeightGrad(g, xd, dy, dw, op.work)
	default:
		err = fmt.Errorf("nn: conv2d kernel gradient: data %T", x.Data())
	}
	if err != nil {
		return nil, err
	}
	return dw, nil
}

func runWeightGrad[T float32 | float64](g convGeom, x []T, dy, dw *tensor.Dense, ws *convWork) error {
	dyd, ok1 := dy.Data().([]T)
	dwd, ok2 := dw.Data().([]T)
	if !ok1 || !ok2 {
		return fmt.Errorf("nn: conv2d kernel gradient: mixed dtypes")
	}
	convWeightGrad(g, x, dyd, dwd, ws)
	return nil
}

func (op convWeightGradOp) ReturnsPtr() bool     { return false }
func (op convWeightGradOp) CallsExtern() bool    { return false }
func (op convWeightGradOp) OverwritesInput() int { return -1 }
func (op convWeightGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.conv2dweightgrad(k=%d,s=%d,p=%d)", op.k, op.s, op.p)
}
func (op convWeightGradOp) Hashcode() uint32 { return hashOf(op) }
func (op convWeightGradOp) String() string {
	return fmt.Sprintf("nn.Conv2dWeightGrad(k=%d,s=%d,p=%d)", op.k, op.s, op.p)
}
func (op convWeightGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op convWeightGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nn: conv2d kernel gradient: second derivatives are not supported")
}

// convBiasGradOp is ∂y (n, o, h, w) → ∂b (o), the sum over all but the
// channel axis.
type convBiasGradOp struct{ out *outBuf }

func (op convBiasGradOp) Arity() int    { return 1 }
func (op convBiasGradOp) Type() hm.Type { return hm.NewFnType(tensor4A, vecA) }
func (op convBiasGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 4 {
		return nil, fmt.Errorf("nn: conv2d bias gradient: input %v", in[0])
	}
	return tensor.Shape{s[1]}, nil
}

func (op convBiasGradOp) Do(vals ...G.Value) (G.Value, error) {
	dy, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	s := dy.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: conv2d bias gradient: input %v", s)
	}
	db := op.out.get(dy.Dtype(), s[1])
	switch d := dy.Data().(type) {
	case []float32:
		convBiasGrad(db.Data().([]float32), d, s[0], s[1], s[2]*s[3])
	case []float64:
		convBiasGrad(db.Data().([]float64), d, s[0], s[1], s[2]*s[3])
	default:
		return nil, fmt.Errorf("nn: conv2d bias gradient: data %T", dy.Data())
	}
	return db, nil
}

func (op convBiasGradOp) ReturnsPtr() bool      { return false }
func (op convBiasGradOp) CallsExtern() bool     { return false }
func (op convBiasGradOp) OverwritesInput() int  { return -1 }
func (op convBiasGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.conv2dbiasgrad") }
func (op convBiasGradOp) Hashcode() uint32      { return hashOf(op) }
func (op convBiasGradOp) String() string        { return "nn.Conv2dBiasGrad" }
func (op convBiasGradOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op convBiasGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nn: conv2d bias gradient: second derivatives are not supported")
}
