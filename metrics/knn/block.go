package knn

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/miaudit/miaudit/dataset"
)

// ErrNonFinite is returned, wrapped with the offending row, when an
// embedding holds a NaN or an infinity.
var ErrNonFinite = errors.New("knn: non-finite embedding value")

// tile is the side of the square tiles handed to BLAS. gonum's gemm runs a
// product of fewer than 4 blocks of 64×64 on its serial path, where entry
// (i, j) of A·Bᵀ is one dot product over the full rows (f64.DotUnitary or
// f32.DotUnitary, the kernels of blas64.Dot and blas32.Dot). Keeping tiles
// at 64×64 therefore gives every pair of rows the same bits wherever the
// pair falls in a block, and ‖a‖² from Dot equals the diagonal a·a: a
// duplicate row is at distance exactly 0. TestTileBitsIndependentOfBlocking
// pins this. 64×64 was also the fastest tile measured (gonum v0.17.0, amd64).
const tile = 64

// blocking gives the number of query rows per block and reference rows per
// chunk of a neighbour search; a worker holds query×ref scores.
type blocking struct {
	query, ref int
}

// defaultBlocking keeps a worker's score block at 256×2048 (4 MiB in
// float64, 2 MiB in float32).
var defaultBlocking = blocking{query: 256, ref: 2048}

// parallel runs tasks 0, …, n−1 on up to runtime.GOMAXPROCS(0) goroutines.
// Each goroutine calls newWorker once, to get scratch of its own, and then
// the returned function for each task it takes. Tasks must write to
// disjoint outputs; the results then do not depend on the scheduling.
func parallel(n int, newWorker func() func(task int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		if n > 0 {
			w := newWorker()
			for t := range n {
				w(t)
			}
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			w := newWorker()
			for {
				t := int(next.Add(1) - 1)
				if t >= n {
					return
				}
				w(t)
			}
		})
	}
	wg.Wait()
}

// checkMatrix panics if x is nil or its shape does not match its data.
func checkMatrix(x *dataset.Matrix) {
	if x == nil {
		panic("knn: nil matrix")
	}
	if x.Rows < 0 || x.Cols < 0 || len(x.Data) != x.Rows*x.Cols {
		panic("knn: matrix shape does not match its data")
	}
}

// checkRows panics if an index in rows is not a row of x.
func checkRows(x *dataset.Matrix, rows []int) {
	for _, r := range rows {
		if r < 0 || r >= x.Rows {
			panic("knn: row index out of range")
		}
	}
}

// gather64 copies rows idx of x, converted to float64, into dst
// (len(idx)×x.Cols, row-major) and returns it.
func gather64(dst []float64, x *dataset.Matrix, idx []int) []float64 {
	d := x.Cols
	dst = dst[:len(idx)*d]
	for a, r := range idx {
		row := x.Data[r*d : (r+1)*d]
		out := dst[a*d : (a+1)*d]
		for l, v := range row {
			out[l] = float64(v)
		}
	}
	return dst
}

// gather32 copies rows idx of x into dst (len(idx)×x.Cols) and returns it.
func gather32(dst []float32, x *dataset.Matrix, idx []int) []float32 {
	d := x.Cols
	dst = dst[:len(idx)*d]
	for a, r := range idx {
		copy(dst[a*d:(a+1)*d], x.Data[r*d:(r+1)*d])
	}
	return dst
}

// dots64 sets c[i*n+j] = a_i·b_j for the m rows of a and the n rows of b,
// both with d columns, through blas64 Gemm on tile×tile tiles.
func dots64(c, a, b []float64, m, n, d int) {
	c = c[:m*n]
	if d == 0 {
		clear(c)
		return
	}
	for j0 := 0; j0 < n; j0 += tile {
		nj := min(tile, n-j0)
		bt := blas64.General{Rows: nj, Cols: d, Stride: d, Data: b[j0*d : (j0+nj)*d]}
		for i0 := 0; i0 < m; i0 += tile {
			mi := min(tile, m-i0)
			blas64.Gemm(blas.NoTrans, blas.Trans, 1,
				blas64.General{Rows: mi, Cols: d, Stride: d, Data: a[i0*d : (i0+mi)*d]},
				bt, 0,
				blas64.General{Rows: mi, Cols: nj, Stride: n, Data: c[i0*n+j0 : (i0+mi-1)*n+j0+nj]})
		}
	}
}

// dots32 is dots64 in float32 through blas32 Gemm.
func dots32(c, a, b []float32, m, n, d int) {
	c = c[:m*n]
	if d == 0 {
		clear(c)
		return
	}
	for j0 := 0; j0 < n; j0 += tile {
		nj := min(tile, n-j0)
		bt := blas32.General{Rows: nj, Cols: d, Stride: d, Data: b[j0*d : (j0+nj)*d]}
		for i0 := 0; i0 < m; i0 += tile {
			mi := min(tile, m-i0)
			blas32.Gemm(blas.NoTrans, blas.Trans, 1,
				blas32.General{Rows: mi, Cols: d, Stride: d, Data: a[i0*d : (i0+mi)*d]},
				bt, 0,
				blas32.General{Rows: mi, Cols: nj, Stride: n, Data: c[i0*n+j0 : (i0+mi-1)*n+j0+nj]})
		}
	}
}

// sqNorms returns ‖x_r‖² for each r in rows, as blas64.Dot of the row
// converted to float64 with itself (the kernel dots64 uses), or an error
// wrapping ErrNonFinite naming the first row that is not finite.
func sqNorms(x *dataset.Matrix, rows []int) ([]float64, error) {
	sq := make([]float64, len(rows))
	buf := make([]float64, x.Cols)
	for p, r := range rows {
		for l, v := range x.Row(r) {
			buf[l] = float64(v)
		}
		v := blas64.Dot(blas64.Vector{N: x.Cols, Inc: 1, Data: buf}, blas64.Vector{N: x.Cols, Inc: 1, Data: buf})
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("row %d: %w", r, ErrNonFinite)
		}
		sq[p] = v
	}
	return sq, nil
}

// invNorms32 returns 1/‖x_r‖ for each r in rows, 0 for a zero row, with the
// squared norm accumulated in float64. A row that is not finite, or whose
// norm is so large that float32 dot products with it could overflow, is an
// error.
func invNorms32(x *dataset.Matrix, rows []int) ([]float32, error) {
	inv := make([]float32, len(rows))
	for p, r := range rows {
		var s float64
		for _, v := range x.Row(r) {
			s += float64(v) * float64(v)
		}
		switch {
		case math.IsNaN(s) || math.IsInf(s, 0):
			return nil, fmt.Errorf("row %d: %w", r, ErrNonFinite)
		case s > math.MaxFloat32:
			return nil, fmt.Errorf("row %d: squared norm %g exceeds the float32 range", r, s)
		case s > 0:
			inv[p] = float32(1 / math.Sqrt(s))
		}
	}
	return inv, nil
}
