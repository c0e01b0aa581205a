package bootstrap

import "math/rand/v2"

// Resampler generates B bootstrap resamples of n rows: resample r draws n
// row indices uniformly with replacement. A resample is regenerated on
// demand from its own seed, so a Resampler takes 16·B bytes whatever n (3.2 kB
// for B = 200) and a caller needs only one n-vector of weights at a time
// (240 kB for n = 30,000).
//
// Resample r depends only on the state of the *rand.Rand given to
// NewResampler: it is the same however many statistics consume the
// resamples, in whatever order, from however many goroutines. A Resampler is
// read-only after NewResampler and safe for concurrent use.
type Resampler struct {
	n     int
	seeds [][2]uint64
}

const (
	errN        = "bootstrap: negative number of rows or resamples"
	errResample = "bootstrap: resample index out of range"
	errLength   = "bootstrap: slice length mismatch"
	errP        = "bootstrap: percentile outside [0, 100]"
	errLevel    = "bootstrap: level outside (0, 1)"
)

// NewResampler returns b resamples of n rows. It draws 2·b values from rng,
// the only randomness the resamples use. It panics if n or b is negative.
func NewResampler(n, b int, rng *rand.Rand) *Resampler {
	if n < 0 || b < 0 {
		panic(errN)
	}
	r := &Resampler{n: n, seeds: make([][2]uint64, b)}
	for i := range r.seeds {
		r.seeds[i] = [2]uint64{rng.Uint64(), rng.Uint64()}
	}
	return r
}

// Rows returns n, the number of rows resampled.
func (r *Resampler) Rows() int { return r.n }

// Len returns B, the number of resamples.
func (r *Resampler) Len() int { return len(r.seeds) }

// Weights fills dst with the multiplicities of resample i: dst[j] is the
// number of times row j was drawn, so Σ dst = n and a weighted statistic
// with weights dst is the statistic of the resample. If dst is nil a new
// slice is allocated; it is returned either way. Weights takes O(n) time.
// It panics if i is not in [0, Len()) or if a non-nil dst does not have
// length Rows().
func (r *Resampler) Weights(i int, dst []float64) []float64 {
	if dst == nil {
		dst = make([]float64, r.n)
	}
	if len(dst) != r.n {
		panic(errLength)
	}
	clear(dst)
	r.draw(i, func(j int) { dst[j]++ })
	return dst
}

// Indexes fills dst with the row indices of resample i in the order drawn:
// the rows whose counts Weights gives. If dst is nil a new slice is
// allocated; it is returned either way. It panics as Weights does.
func (r *Resampler) Indexes(i int, dst []int) []int {
	if dst == nil {
		dst = make([]int, r.n)
	}
	if len(dst) != r.n {
		panic(errLength)
	}
	k := 0
	r.draw(i, func(j int) { dst[k] = j; k++ })
	return dst
}

// draw calls f with each of the n row indices of resample i.
func (r *Resampler) draw(i int, f func(j int)) {
	if i < 0 || i >= len(r.seeds) {
		panic(errResample)
	}
	rng := rand.New(rand.NewPCG(r.seeds[i][0], r.seeds[i][1]))
	for range r.n {
		f(rng.IntN(r.n))
	}
}
