package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestFans(t *testing.T) {
	for i, tc := range []struct {
		shape       []int
		fanIn, fout int
	}{
		{[]int{7}, 7, 7},
		{[]int{784, 512}, 784, 512},        // Linear weight (in, out)
		{[]int{64, 1, 3, 3}, 9, 576},       // Conv2d (out, in, kh, kw): torch's _calculate_fan_in_and_fan_out
		{[]int{128, 64, 4, 4}, 1024, 2048}, // 64·16, 128·16
	} {
		in, out := Fans(tc.shape...)
		if in != tc.fanIn || out != tc.fout {
			t.Errorf("%d: Fans(%v) = %d, %d, want %d, %d", i, tc.shape, in, out, tc.fanIn, tc.fout)
		}
	}
}

func draw32(init G.InitWFn, shape ...int) []float32 {
	return init(tensor.Float32, shape...).([]float32)
}

func TestInitialisersAreSeeded(t *testing.T) {
	for _, tc := range []struct {
		name string
		mk   func(*rand.Rand) G.InitWFn
	}{
		{"GlorotUniform", GlorotUniform},
		{"GlorotNormal", GlorotNormal},
		{"HeNormal", HeNormal},
		{"HeUniform", HeUniform},
		{"TorchDefault", TorchDefault},
		{"Normal", func(r *rand.Rand) G.InitWFn { return Normal(r, 0, 1) }},
		{"Uniform", func(r *rand.Rand) G.InitWFn { return Uniform(r, -1, 1) }},
	} {
		a := draw32(tc.mk(rand.New(rand.NewPCG(1, 2))), 8, 5)
		b := draw32(tc.mk(rand.New(rand.NewPCG(1, 2))), 8, 5)
		c := draw32(tc.mk(rand.New(rand.NewPCG(1, 3))), 8, 5)
		if !slices.Equal(a, b) {
			t.Errorf("%s: same seed gave different weights", tc.name)
		}
		if slices.Equal(a, c) {
			t.Errorf("%s: different seeds gave the same weights", tc.name)
		}
	}
}

// moments returns the largest absolute value and the second moment about 0.
func moments(x []float32) (maxAbs, m2 float64) {
	for _, v := range x {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
		m2 += float64(v) * float64(v)
	}
	return maxAbs, m2 / float64(len(x))
}

func TestInitialiserScales(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name  string
		init  G.InitWFn
		shape []int
		bound float64 // 0: unbounded (normal)
		vari  float64 // E[w²]
		tol   float64 // relative tolerance on E[w²], ≈ 5 standard errors
	}{
		// U(−a, a) has variance a²/3; the sample variance's relative SE is √(0.8/n).
		{"GlorotUniform", GlorotUniform(rng), []int{400, 600}, math.Sqrt(6.0 / 1000), 2.0 / 1000, 0.01},
		{"HeUniform", HeUniform(rng), []int{400, 600}, math.Sqrt(6.0 / 400), 2.0 / 400, 0.01},
		{"TorchDefault", TorchDefault(rng), []int{400, 600}, 1 / math.Sqrt(400), 1.0 / (3 * 400), 0.01},
		// N(0, σ²): relative SE of the sample second moment is √(2/n).
		{"GlorotNormal", GlorotNormal(rng), []int{400, 600}, 0, 2.0 / 1000, 0.015},
		{"HeNormal conv", HeNormal(rng), []int{64, 32, 3, 3}, 0, 2.0 / 288, 0.05},
	} {
		maxAbs, m2 := moments(draw32(tc.init, tc.shape...))
		if tc.bound > 0 && maxAbs > tc.bound {
			t.Errorf("%s: |w| up to %g, bound %g", tc.name, maxAbs, tc.bound)
		}
		if math.Abs(m2-tc.vari) > tc.tol*tc.vari {
			t.Errorf("%s: E[w²] = %g, want %g ± %.0f%%", tc.name, m2, tc.vari, 100*tc.tol)
		}
	}
}

func TestLayersAreReproducible(t *testing.T) {
	build := func(seed uint64) []float32 {
		g := G.NewGraph()
		m, err := NewMLP(g, "m", []int{6, 5, 2}, nil, rand.New(rand.NewPCG(seed, 0)), nil)
		if err != nil {
			t.Fatal(err)
		}
		var all []float32
		for _, n := range m.Params() {
			f, err := Float32s(n)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, f...)
		}
		return all
	}
	if a, b := build(4), build(4); !slices.Equal(a, b) {
		t.Error("same seed gave different MLP weights")
	}
	if a, b := build(4), build(5); slices.Equal(a, b) {
		t.Error("different seeds gave the same MLP weights")
	}
}
