package bootstrap

import (
	"math"
	"slices"
)

// Percentile returns the p-th percentile of the non-NaN values, p in
// [0, 100], by linear interpolation between the order statistics
// v_(0) ≤ … ≤ v_(m−1) of the m non-NaN values:
//
//	h = (p/100)·(m − 1),  k = ⌊h⌋,  γ = h − k
//	Q = v_(k) + γ·(v_(k+1) − v_(k))
//
// This is numpy's percentile with its default method="linear" (Hyndman and
// Fan's definition 7), computed with numpy 1.24's rounding, except that NaN
// values are dropped first, as numpy.nanpercentile does (numpy.percentile
// returns NaN if any value is NaN). Where numpy returns NaN from Inf − Inf
// (neighbouring order statistics at least one of which is infinite),
// Percentile returns the limit: the infinite one, or NaN between −Inf and
// +Inf. The result is in the units of values. It is NaN if no value is left.
//
// values is not modified. Percentile panics if p is outside [0, 100] or NaN.
// It takes O(m·log m) time.
func Percentile(values []float64, p float64) float64 {
	if !(p >= 0 && p <= 100) {
		panic(errP)
	}
	v := make([]float64, 0, len(values))
	for _, x := range values {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	return percentileSorted(v, p)
}

// percentileSorted is Percentile of v, sorted and free of NaN.
func percentileSorted(v []float64, p float64) float64 {
	m := len(v)
	if m == 0 {
		return math.NaN()
	}
	h := float64(m-1) * (p / 100)
	if h >= float64(m-1) {
		return v[m-1]
	}
	k := int(math.Floor(h))
	gamma := h - float64(k)
	a, b := v[k], v[k+1]
	switch {
	case gamma == 0 || a == b:
		return a
	case math.IsInf(a, 0) && math.IsInf(b, 0):
		return math.NaN() // between −Inf and +Inf
	case math.IsInf(a, 0):
		return a
	case math.IsInf(b, 0):
		return b
	}
	// numpy's _lerp: interpolate from the nearer end, so the result is
	// exact at both ends and monotone in γ.
	d := b - a
	if gamma >= 0.5 {
		return b - d*(1-gamma)
	}
	return a + d*gamma
}

// CI returns the percentile confidence interval at level (for example 0.95)
// of the bootstrap replicates values:
//
//	lo = Percentile(values, 100·(1 − level)/2)
//	hi = Percentile(values, 100·(1 + level)/2)
//
// NaN replicates (resamples where the statistic is undefined) are dropped, as
// Percentile drops them; a caller should report how many there were. The
// percentiles are computed as (100 − 100·level)/2 and (100 + 100·level)/2,
// which for the usual levels 0.8, 0.9, 0.95 and 0.99 are the exact decimal
// percentiles (2.5 and 97.5 for 0.95) that numpy users write. CI panics if
// level is not in (0, 1).
func CI(values []float64, level float64) (lo, hi float64) {
	if !(level > 0 && level < 1) {
		panic(errLevel)
	}
	v := make([]float64, 0, len(values))
	for _, x := range values {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	pct := 100 * level
	return percentileSorted(v, (100-pct)/2), percentileSorted(v, (100+pct)/2)
}
