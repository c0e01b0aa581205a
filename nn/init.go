package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Fans returns the fan-in and fan-out of a weight of the given shape, as
// the initialisers use them:
//
//	(n)                 fanIn = fanOut = n
//	(in, out)           fanIn = in, fanOut = out       (Linear weight, y = x·W)
//	(out, in, k1, ...)  fanIn = in·k1·…, fanOut = out·k1·…  (Conv2d kernel)
//
// Fans panics if shape is empty.
func Fans(shape ...int) (fanIn, fanOut int) {
	switch len(shape) {
	case 0:
		panic("nn: fans of a scalar")
	case 1:
		return shape[0], shape[0]
	case 2:
		return shape[0], shape[1]
	}
	rf := 1
	for _, k := range shape[2:] {
		rf *= k
	}
	return shape[1] * rf, shape[0] * rf
}

// fill returns an InitWFn that allocates a backing slice of dt and sets each
// element, in row-major order, to draw().
func fill(draw func() float64) G.InitWFn {
	return func(dt tensor.Dtype, s ...int) interface{} {
		n := tensor.Shape(s).TotalSize()
		switch dt {
		case tensor.Float32:
			out := make([]float32, n)
			for i := range out {
				out[i] = float32(draw())
			}
			return out
		case tensor.Float64:
			out := make([]float64, n)
			for i := range out {
				out[i] = draw()
			}
			return out
		}
		panic(fmt.Sprintf("nn: initialiser for unsupported dtype %v", dt))
	}
}

// fanFill is fill with a draw that depends on the shape's fans.
func fanFill(mk func(fanIn, fanOut int) func() float64) G.InitWFn {
	return func(dt tensor.Dtype, s ...int) interface{} {
		return fill(mk(Fans(s...)))(dt, s...)
	}
}

// Uniform returns an initialiser drawing each element from U(lo, hi) with rng.
func Uniform(rng *rand.Rand, lo, hi float64) G.InitWFn {
	return fill(func() float64 { return lo + (hi-lo)*rng.Float64() })
}

// Normal returns an initialiser drawing each element from N(mean, std²) with rng.
func Normal(rng *rand.Rand, mean, std float64) G.InitWFn {
	return fill(func() float64 { return mean + std*rng.NormFloat64() })
}

// Constant returns an initialiser setting every element to c.
func Constant(c float64) G.InitWFn {
	return fill(func() float64 { return c })
}

// GlorotUniform returns Glorot & Bengio's (Xavier) uniform initialiser:
//
//	U(−a, a),  a = √(6 / (fanIn + fanOut))
//
// with fans from Fans. It matches torch.nn.init.xavier_uniform_ with gain 1.
func GlorotUniform(rng *rand.Rand) G.InitWFn {
	return fanFill(func(in, out int) func() float64 {
		a := math.Sqrt(6 / float64(in+out))
		return func() float64 { return a * (2*rng.Float64() - 1) }
	})
}

// GlorotNormal returns Glorot & Bengio's (Xavier) normal initialiser:
//
//	N(0, σ²),  σ = √(2 / (fanIn + fanOut))
//
// It matches torch.nn.init.xavier_normal_ with gain 1.
func GlorotNormal(rng *rand.Rand) G.InitWFn {
	return fanFill(func(in, out int) func() float64 {
		sd := math.Sqrt(2 / float64(in+out))
		return func() float64 { return sd * rng.NormFloat64() }
	})
}

// HeNormal returns He et al.'s (Kaiming) normal initialiser for ReLU layers:
//
//	N(0, σ²),  σ = √(2 / fanIn)
//
// It matches torch.nn.init.kaiming_normal_ with its defaults.
func HeNormal(rng *rand.Rand) G.InitWFn {
	return fanFill(func(in, _ int) func() float64 {
		sd := math.Sqrt(2 / float64(in))
		return func() float64 { return sd * rng.NormFloat64() }
	})
}

// HeUniform returns He et al.'s (Kaiming) uniform initialiser for ReLU layers:
//
//	U(−a, a),  a = √(6 / fanIn)
//
// It matches torch.nn.init.kaiming_uniform_ with its defaults.
func HeUniform(rng *rand.Rand) G.InitWFn {
	return fanFill(func(in, _ int) func() float64 {
		a := math.Sqrt(6 / float64(in))
		return func() float64 { return a * (2*rng.Float64() - 1) }
	})
}

// TorchDefault returns the initialiser PyTorch gives nn.Linear and nn.Conv2d
// weights (kaiming_uniform_ with a = √5):
//
//	U(−a, a),  a = 1 / √fanIn
func TorchDefault(rng *rand.Rand) G.InitWFn {
	return fanFill(func(in, _ int) func() float64 {
		a := 1 / math.Sqrt(float64(in))
		return func() float64 { return a * (2*rng.Float64() - 1) }
	})
}

// TorchBias returns the initialiser PyTorch gives the bias of a layer whose
// weight has the given fan-in: U(−1/√fanIn, 1/√fanIn).
func TorchBias(rng *rand.Rand, fanIn int) G.InitWFn {
	a := 1 / math.Sqrt(float64(fanIn))
	return Uniform(rng, -a, a)
}
