package knn

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mathext"

	"github.com/miaudit/miaudit/dataset"
)

// ErrTooFewPoints is returned by MI when fewer than 2 points have a label
// that some other point shares.
var ErrTooFewPoints = errors.New("knn: fewer than 2 points share a label")

// Estimate is a kNN estimate of a mutual information, in nats. It is a
// point estimate, neither a lower nor an upper bound (in a metrics.Result
// its bound type is metrics.BoundEstimate), and biased at finite N.
type Estimate struct {
	// Nats is max(0, Raw), the estimate reported.
	Nats float64
	// Raw is the estimate before clipping at 0: the mean of Terms.
	Raw float64
	// N is the number of points used: those whose label occurs at least
	// twice.
	N int
	// Terms[t] = ψ(N) + ψ(k_t) − ψ(c_t) − ψ(m_t) is the contribution of
	// point Used[t] (see MI), so that Raw is their mean. Resampling Terms
	// with replacement bootstraps the estimate with N, k_t, c_t and m_t
	// held fixed.
	Terms []float64
	// Used[t] is the position in rows (and labels) of the point behind
	// Terms[t]; positions are increasing.
	Used []int
}

// refineRatio sets where a squared distance from the expansion
// s − 2a·b, s = ‖a‖² + ‖b‖², is recomputed directly as Σ(a_l − b_l)². The
// expansion's absolute error is at most about d·2⁻⁵³·s for d columns, so
// above refineRatio·s its relative error is below d·2⁻⁴³ (35 correct bits
// for d = 128, typically more); below, cancellation could leave nothing.
const refineRatio = 1.0 / 1024

// MI returns the kNN estimate of the mutual information I(Z;S) in nats
// between the continuous rows Z_i = x.Row(rows[i]) and the discrete labels
// S_i = labels[i]: the estimator of B. C. Ross, "Mutual information between
// discrete and continuous data sets", PLoS ONE 9(2): e87357 (2014), as
// scikit-learn 1.2 computes it in
// sklearn.feature_selection._mutual_info._compute_mi_cd, with the
// Euclidean distance between rows. For a single column it gives sklearn's
// value on the same numbers, save where sklearn itself is inconsistent: for
// a label with at most 2k+1 points its brute-force neighbour distances can
// come out an ulp high, and its radius query then counts the k-th
// neighbour in m_i (testdata/gen_sklearn.py keeps such a case).
//
// Points whose label occurs once are dropped, from N too. For each of the N
// remaining points i, with c_i points of its label,
//
//	k_i = min(k, c_i − 1)
//	r_i = distance from Z_i to its k_i-th nearest neighbour of the same label, i itself excluded
//	m_i = #{j : ‖Z_j − Z_i‖ ≤ nextafter(r_i, 0)}, over the N points, i included
//	Raw = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(c_i)⟩ − ⟨ψ(m_i)⟩
//	Nats = max(0, Raw)
//
// where ψ is the digamma function and ⟨·⟩ the mean over the N points. The
// radius nextafter(r_i, 0) makes the count strict — points at exactly r_i,
// the k_i-th neighbour among them, are not counted — except when r_i = 0,
// where it counts the exact duplicates of Z_i. As in sklearn's KDTree the
// test is on squares: ‖Z_j − Z_i‖² ≤ fl(nextafter(r_i, 0)²).
//
// Squared distances are ‖a‖² + ‖b‖² − 2a·b in float64, a·b from blas64
// Gemm on rows converted to float64; where the result is below
// 2⁻¹⁰·(‖a‖² + ‖b‖²) it is recomputed directly as Σ(a_l − b_l)², so near
// neighbours lose nothing to cancellation, the result is never negative and
// duplicate rows are at distance exactly 0. Each pair gets the same bits in
// every pass, so the k_i-th neighbour is never counted in m_i by rounding.
//
// MI returns an error wrapping ErrTooFewPoints if fewer than 2 points
// remain, and one wrapping ErrNonFinite if a used row holds a NaN or an
// infinity. It panics if len(rows) != len(labels), if k < 1 or if an index
// in rows is not a row of x.
//
// The work is about (Σ_labels c² + N²)·x.Cols multiply-adds: each pair of
// points of a label once, then each pair of the N points once, in blocks
// on GOMAXPROCS goroutines. Each goroutine holds k float64 per row for the
// neighbour lists, a count per row, and about 6 MiB of blocks.
func MI(x *dataset.Matrix, rows []int, labels []int, k int) (Estimate, error) {
	return miBlocked(x, rows, labels, k, defaultBlocking)
}

func miBlocked(x *dataset.Matrix, rows []int, labels []int, k int, bl blocking) (Estimate, error) {
	checkMatrix(x)
	if len(rows) != len(labels) {
		panic("knn: slice length mismatch")
	}
	if k < 1 {
		panic("knn: k < 1")
	}
	checkRows(x, rows)

	// Positions of each label, labels in increasing order.
	byLabel := make(map[int][]int)
	for p, l := range labels {
		byLabel[l] = append(byLabel[l], p)
	}
	keys := make([]int, 0, len(byLabel))
	for l := range byLabel {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	count := make([]int, len(rows))
	var groups [][]int
	for _, l := range keys {
		g := byLabel[l]
		for _, p := range g {
			count[p] = len(g)
		}
		if len(g) > 1 {
			groups = append(groups, g)
		}
	}
	var used []int
	for p, c := range count {
		if c > 1 {
			used = append(used, p)
		}
	}
	if len(used) < 2 {
		return Estimate{}, fmt.Errorf("%d points, %d labels: %w", len(rows), len(keys), ErrTooFewPoints)
	}

	// Squared norms by position, for the used points only.
	usedRows := make([]int, len(used))
	for t, p := range used {
		usedRows[t] = rows[p]
	}
	sqUsed, err := sqNorms(x, usedRows)
	if err != nil {
		return Estimate{}, err
	}
	sq := make([]float64, len(rows))
	for t, p := range used {
		sq[p] = sqUsed[t]
	}

	maxCount := 0
	for _, g := range groups {
		maxCount = max(maxCount, len(g))
	}

	// Pass 1: k_i and the squared radius fl(nextafter(r_i, 0)²), from the
	// points of each label against each other. Each worker keeps, for every
	// point, the k smallest squared distances to other points of its label
	// that it has seen; the lists are merged afterwards.
	var mu sync.Mutex
	var tops [][]float64
	blq := blocking{query: min(bl.query, maxCount), ref: min(bl.ref, maxCount)}
	tasks := symTasks(groups, blq.query)
	parallel(len(tasks), func() func(int) {
		w := newL2Worker(x, rows, sq, blq)
		top := make([]float64, len(rows)*k)
		for i := range top {
			top[i] = math.Inf(1)
		}
		mu.Lock()
		tops = append(tops, top)
		mu.Unlock()
		return func(t int) {
			ki := min(k, len(tasks[t].pos)-1)
			w.sweep(tasks[t], blq, func(q, ref []int, d2 []float64, inside int) {
				for a, qp := range q {
					tq := top[qp*k : qp*k+ki]
					for b, v := range d2[a*len(ref) : (a+1)*len(ref)] {
						rp := ref[b]
						if v < tq[ki-1] && rp != qp {
							insertSorted(tq, v)
						}
						if b >= inside {
							if tr := top[rp*k : rp*k+ki]; v < tr[ki-1] {
								insertSorted(tr, v)
							}
						}
					}
				}
			})
		}
	})
	kk := make([]int, len(rows))
	rr := make([]float64, len(rows))
	merged := make([]float64, k)
	for _, g := range groups {
		ki := min(k, len(g)-1)
		for _, p := range g {
			for i := range merged[:ki] {
				merged[i] = math.Inf(1)
			}
			for _, top := range tops {
				for _, v := range top[p*k : p*k+ki] {
					if v < merged[ki-1] {
						insertSorted(merged[:ki], v)
					}
				}
			}
			// sklearn: r = kneighbors distance, radius = nextafter(r, 0),
			// and KDTree compares squared distances with radius².
			rad := math.Nextafter(math.Sqrt(merged[ki-1]), 0)
			rr[p] = rad * rad
			kk[p] = ki
		}
	}

	// Pass 2: m_i, from all used points against each other, counted in
	// per-worker tallies summed afterwards.
	var counts [][]int32
	blu := blocking{query: min(bl.query, len(used)), ref: min(bl.ref, len(used))}
	tasks = symTasks([][]int{used}, blu.query)
	parallel(len(tasks), func() func(int) {
		w := newL2Worker(x, rows, sq, blu)
		cnt := make([]int32, len(rows))
		rrRef := make([]float64, blu.ref)
		mu.Lock()
		counts = append(counts, cnt)
		mu.Unlock()
		return func(t int) {
			w.sweep(tasks[t], blu, func(q, ref []int, d2 []float64, inside int) {
				for b, rp := range ref {
					rrRef[b] = rr[rp]
				}
				for a, qp := range q {
					lim := rr[qp]
					row := d2[a*len(ref) : (a+1)*len(ref)]
					var c int32
					for _, v := range row {
						if v <= lim {
							c++
						}
					}
					cnt[qp] += c
					for b := inside; b < len(ref); b++ {
						if row[b] <= rrRef[b] {
							cnt[ref[b]]++
						}
					}
				}
			})
		}
	})
	m := make([]int, len(rows))
	for _, cnt := range counts {
		for _, p := range used {
			m[p] += int(cnt[p])
		}
	}

	n := len(used)
	psiN := mathext.Digamma(float64(n))
	terms := make([]float64, n)
	var sum float64
	for t, p := range used {
		terms[t] = psiN + mathext.Digamma(float64(kk[p])) - mathext.Digamma(float64(count[p])) - mathext.Digamma(float64(m[p]))
		sum += terms[t]
	}
	raw := sum / float64(n)
	return Estimate{Nats: max(0, raw), Raw: raw, N: n, Terms: terms, Used: used}, nil
}

// l2Worker computes blocks of squared Euclidean distances between points
// given by position: point p is row rows[p] of x, with squared norm sq[p].
type l2Worker struct {
	x      *dataset.Matrix
	rows   []int
	sq     []float64
	qi, ri []int
	qb, rb []float64
	d2     []float64
}

func newL2Worker(x *dataset.Matrix, rows []int, sq []float64, bl blocking) *l2Worker {
	return &l2Worker{
		x: x, rows: rows, sq: sq,
		qi: make([]int, 0, bl.query), ri: make([]int, 0, bl.ref),
		qb: make([]float64, bl.query*x.Cols), rb: make([]float64, bl.ref*x.Cols),
		d2: make([]float64, bl.query*bl.ref),
	}
}

// symTask is a block of query points, pos[lo:lo+bq], to be compared with
// the points pos[lo:] (themselves included). Over the blocks of a list,
// every unordered pair of distinct points meets once outside the query
// blocks' own squares, and every ordered pair inside them.
type symTask struct {
	pos []int
	lo  int
}

// symTasks returns the query blocks of bq points of each list.
func symTasks(lists [][]int, bq int) []symTask {
	var tasks []symTask
	for _, pos := range lists {
		for lo := 0; lo < len(pos); lo += bq {
			tasks = append(tasks, symTask{pos, lo})
		}
	}
	return tasks
}

// sweep computes the squared distances of task t's query block to the
// points pos[t.lo:], a chunk of bl.ref points at a time, and passes each
// block to visit. The first inside points of a chunk belong to the query
// block itself: for those, each ordered pair appears, (a, b) and (b, a);
// for the rest, each unordered pair appears once and visit must account
// for both directions. Distances are symmetric to the bit, so the
// direction in which a pair is computed does not matter.
func (w *l2Worker) sweep(t symTask, bl blocking, visit func(q, ref []int, d2 []float64, inside int)) {
	q := t.pos[t.lo:min(t.lo+bl.query, len(t.pos))]
	for c0 := t.lo; c0 < len(t.pos); c0 += bl.ref {
		ref := t.pos[c0:min(c0+bl.ref, len(t.pos))]
		inside := min(len(ref), max(0, t.lo+len(q)-c0))
		visit(q, ref, w.distances(q, ref), inside)
	}
}

// insertSorted inserts v into the ascending list top, dropping its last
// element. The caller has checked v < top[len(top)-1].
func insertSorted(top []float64, v float64) {
	i := len(top) - 1
	for i > 0 && top[i-1] > v {
		top[i] = top[i-1]
		i--
	}
	top[i] = v
}

// distances returns the len(q)×len(ref) squared distances between the
// points at positions q and ref, row-major, in scratch that the next call
// overwrites.
func (w *l2Worker) distances(q, ref []int) []float64 {
	w.qi = w.qi[:0]
	for _, p := range q {
		w.qi = append(w.qi, w.rows[p])
	}
	w.ri = w.ri[:0]
	for _, p := range ref {
		w.ri = append(w.ri, w.rows[p])
	}
	d := w.x.Cols
	qb := gather64(w.qb, w.x, w.qi)
	rb := gather64(w.rb, w.x, w.ri)
	c := w.d2[:len(q)*len(ref)]
	dots64(c, qb, rb, len(q), len(ref), d)
	for a, qp := range q {
		na := w.sq[qp]
		row := c[a*len(ref) : (a+1)*len(ref)]
		for b, rp := range ref {
			s := na + w.sq[rp]
			v := s - 2*row[b]
			if v <= refineRatio*s {
				// Also catches v < 0, so the result is never negative.
				v = sqDistDirect(w.x.Row(w.qi[a]), w.x.Row(w.ri[b]))
			}
			row[b] = v
		}
	}
	return c
}

// sqDistDirect returns Σ(a_l − b_l)² accumulated in float64. The
// differences of float32 values are exact in float64 unless their
// exponents differ by more than 29.
func sqDistDirect(a, b []float32) float64 {
	var s float64
	for l, v := range a {
		t := float64(v) - float64(b[l])
		s += t * t
	}
	return s
}
