package minmax

import (
	"math"
	"math/rand/v2"
	"testing"
)

// termOf is a smooth test term of standardised codes, L(z) = Σ w_ij z_ij +
// ½ Σ z_ij², whose gradient with respect to z is w + z.
func termOf(z []float32, w []float64) (float64, []float32) {
	var l float64
	g := make([]float32, len(z))
	for i, x := range z {
		l += w[i]*float64(x) + 0.5*float64(x)*float64(x)
		g[i] = float32(w[i] + float64(x))
	}
	return l, g
}

// TestStandardizeGradFiniteDifferences checks standardizeGrad against
// central differences of L(standardize(y)) in float64 arithmetic on the
// float32 codes, and that each column of the gradient sums to 0 (shifting
// a dimension changes nothing). The last dimension is 50 times narrower
// than the others, so that the relative floor dominates its σ and an
// error in the floor's term would show.
func TestStandardizeGradFiniteDifferences(t *testing.T) {
	const b, d = 7, 3
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]float32, b*d)
	w := make([]float64, b*d)
	for i := range y {
		y[i] = float32(rng.NormFloat64()*2 + 1)
		if i%d == d-1 {
			y[i] /= 50
		}
		w[i] = rng.NormFloat64()
	}
	z, sd := make([]float32, b*d), make([]float64, d)
	standardize(y, b, d, z, sd)
	_, gz := termOf(z, w)
	gy := make([]float32, b*d)
	const scale = 0.5
	standardizeGrad(z, sd, gz, b, d, scale, gy)

	at := func(yy []float32) float64 {
		zz, s := make([]float32, b*d), make([]float64, d)
		standardize(yy, b, d, zz, s)
		l, _ := termOf(zz, w)
		return l
	}
	// float32 codes: a step of 1e-2 keeps the rounding error of the
	// difference (≈ 1e-7·|L|/h) far below the tolerance.
	const tol = 2e-3
	for k := range y {
		h := float32(1e-2)
		if k%d == d-1 {
			h /= 50 // the narrow column
		}
		yp, ym := append([]float32(nil), y...), append([]float32(nil), y...)
		yp[k] += h
		ym[k] -= h
		num := scale * (at(yp) - at(ym)) / (float64(yp[k]) - float64(ym[k]))
		if math.Abs(num-float64(gy[k])) > tol*math.Max(1, math.Abs(num)) {
			t.Errorf("∂/∂y[%d] = %.6f, finite differences %.6f", k, gy[k], num)
		}
	}
	for j := range d {
		var sum float64
		for i := range b {
			sum += float64(gy[i*d+j])
		}
		if math.Abs(sum) > 1e-5 {
			t.Errorf("column %d: Σ g = %g, want 0", j, sum)
		}
	}
}

// TestStandardizeValues pins standardize on a hand calculation: the
// column (1, 2, 3, 6) has mean 3 and variance (4 + 1 + 0 + 9)/4 = 3.5, the
// constant column variance 0, so v̄ = 1.75 and the floors add
// 1e-3·1.75 + 1e-8: z = (−2, −1, 0, 3)/√(3.5 + 0.00175 + 1e-8), and the
// constant column gives zeros.
func TestStandardizeValues(t *testing.T) {
	y := []float32{1, 5, 2, 5, 3, 5, 6, 5}
	z, sd := make([]float32, 8), make([]float64, 2)
	standardize(y, 4, 2, z, sd)
	floor := 1e-3*1.75 + 1e-8
	s := math.Sqrt(3.5 + floor)
	want := []float64{-2 / s, 0, -1 / s, 0, 0, 0, 3 / s, 0}
	for i, x := range z {
		if math.Abs(float64(x)-want[i]) > 1e-6 {
			t.Errorf("z[%d] = %v, want %v", i, x, want[i])
		}
	}
	if math.Abs(sd[0]-s) > 1e-12 || math.Abs(sd[1]-math.Sqrt(floor)) > 1e-12 {
		t.Errorf("sd = %v, want [%v %v]", sd, s, math.Sqrt(floor))
	}
}

// TestHeadsSeeStandardisedCodes gives two heads built alike the same batch
// of codes, one as it is and one as 3y + 5: with standardised codes (the
// default) both heads see the same z, so they report the same estimate
// and, the gradient being preconditioned by σ (∂z/∂y scales with 1/σ, the
// preconditioner with σ), hand back the same code gradients; with
// RawCodes they see different inputs and their gradients differ.
func TestHeadsSeeStandardisedCodes(t *testing.T) {
	d := planted(t, 64, 4)
	const b, code = 32, 4
	rows := make([]int, b)
	y := make([]float32, b*code)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range rows {
		rows[i] = i
		for j := range code {
			y[i*code+j] = float32(rng.NormFloat64())
		}
	}
	y3 := make([]float32, len(y))
	for i, v := range y {
		y3[i] = 3*v + 5
	}
	step := func(raw bool, codes []float32) ([]float64, []float32) {
		heads, _, err := NewHeads(Config{Protect: []Protect{{"s", 1}}, Adversary: GRL, CriticSteps: 2, Warmup: -1, RawCodes: raw, Seed: 7}, d, code, b)
		if err != nil {
			t.Fatal(err)
		}
		defer heads[0].Close()
		g := make([]float32, b*code)
		f, err := heads[0].Step(codes, rows, 0, g)
		if err != nil {
			t.Fatal(err)
		}
		return f, g
	}
	off := func(g, g3 []float32) float64 {
		var worst float64
		for i := range g {
			worst = math.Max(worst, math.Abs(float64(g3[i])-float64(g[i])))
		}
		return worst
	}
	f, g := step(false, y)
	f3, g3 := step(false, y3)
	var norm float64
	for _, x := range g {
		norm = math.Max(norm, math.Abs(float64(x)))
	}
	if norm < 1e-3 {
		t.Fatalf("standardised: the head's gradient is %g at most: nothing to compare", norm)
	}
	// float32 codes: 3y + 5 is rounded, so z agrees to about 1e-6.
	if math.Abs(f[0]-f3[0]) > 1e-5 || f[1] != 1 || f3[1] != 1 {
		t.Errorf("standardised: figures %v and %v, want the same estimate and λ = 1", f, f3)
	}
	if d := off(g, g3); d > 1e-5 {
		t.Errorf("standardised: gradients differ by up to %g", d)
	}
	_, g = step(true, y)
	_, g3 = step(true, y3)
	if d := off(g, g3); d < 1e-3 {
		t.Errorf("raw codes: gradients agree to %g: the head did not see the raw codes", d)
	}
}
