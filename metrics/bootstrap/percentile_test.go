package bootstrap

import (
	"math"
	"testing"
)

// tol is the tolerance against numpy: the same formula with the same
// rounding, so the values agree to the last bit or two.
const tol = 1e-14

func sameFloat(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestPercentile(t *testing.T) {
	a := []float64{3.2, -1, 7.5, 0.25, 10, 4.4, 4.4, 2.0 / 3}
	withNaN := []float64{1, math.NaN(), 2, 4, math.NaN()}
	inf := math.Inf(1)
	for i, test := range []struct {
		values []float64
		p      float64
		want   float64
	}{
		// 0–9: numpy 1.24.2, np.percentile(a, p), printed with repr.
		{a, 0, -1.0},
		{a, 2.5, -0.78125},
		{a, 10, -0.12499999999999989},
		{a, 25, 0.5625},
		{a, 33.3, 1.505199999999999},
		{a, 50, 3.8000000000000003},
		{a, 62.5, 4.4},
		{a, 90, 8.25},
		{a, 97.5, 9.5625},
		{a, 100, 10.0},
		// 10: np.percentile([5.0], 37).
		{[]float64{5}, 37, 5},
		// 11–14: np.nanpercentile(withNaN, p): NaNs dropped.
		{withNaN, 0, 1.0},
		{withNaN, 40, 1.8},
		{withNaN, 75, 3.0},
		{withNaN, 100, 4.0},
		// 15–16: nothing left: NaN (numpy warns and returns nan).
		{nil, 50, math.NaN()},
		{[]float64{math.NaN()}, 50, math.NaN()},
		// 17–18: infinities: the limit, where numpy 1.24 returns nan
		// from inf − inf.
		{[]float64{1, inf}, 100, inf},
		{[]float64{1, 2, inf}, 75, inf},
		// 19: between −Inf and +Inf the interpolation is undefined.
		{[]float64{-inf, inf}, 50, math.NaN()},
	} {
		if got := Percentile(test.values, test.p); !sameFloat(got, test.want, tol) {
			t.Errorf("case %d: Percentile(%v, %v) = %.17g, want %.17g", i, test.values, test.p, got, test.want)
		}
	}
	if a[0] != 3.2 || a[1] != -1 {
		t.Errorf("Percentile modified its input: %v", a)
	}
}

func TestCI(t *testing.T) {
	v := []float64{0.5, 9, 3, 7.25, 1, 12, 4, 8, 2, 6}
	for _, test := range []struct {
		level  float64
		lo, hi float64
	}{
		// numpy 1.24.2: np.percentile(v, [5, 95]) and [2.5, 97.5].
		{0.9, 0.725, 10.649999999999997},
		{0.95, 0.6125, 11.325000000000001},
	} {
		lo, hi := CI(v, test.level)
		if !sameFloat(lo, test.lo, tol) || !sameFloat(hi, test.hi, tol) {
			t.Errorf("CI(v, %v) = [%.17g, %.17g], want [%.17g, %.17g]", test.level, lo, hi, test.lo, test.hi)
		}
	}
}

func TestPanics(t *testing.T) {
	for _, test := range []struct {
		name string
		f    func()
		want string
	}{
		{"percentile above 100", func() { Percentile([]float64{1}, 100.5) }, errP},
		{"percentile NaN", func() { Percentile([]float64{1}, math.NaN()) }, errP},
		{"level 1", func() { CI([]float64{1}, 1) }, errLevel},
		{"level 0", func() { CI([]float64{1}, 0) }, errLevel},
		{"negative rows", func() { NewResampler(-1, 1, nil) }, errN},
		{"resample index", func() { NewResampler(3, 2, newRand(1)).Weights(2, nil) }, errResample},
		{"weights length", func() { NewResampler(3, 2, newRand(1)).Weights(0, make([]float64, 2)) }, errLength},
		{"indexes length", func() { NewResampler(3, 2, newRand(1)).Indexes(0, make([]int, 4)) }, errLength},
	} {
		func() {
			defer func() {
				if got := recover(); got != test.want {
					t.Errorf("%s: panic %v, want %q", test.name, got, test.want)
				}
			}()
			test.f()
		}()
	}
}
