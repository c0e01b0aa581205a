package nn

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is a fully connected layer
//
//	y = x·W + b,   x: (batch, In),  W: (In, Out),  b: (Out)
//
// Its parameters are named name+".weight" and name+".bias". Forward adds one
// fused operation (one GEMM forward, two GEMMs and a column sum backward)
// rather than gorgonia's product, broadcast and sum nodes.
type Linear struct {
	W, B    *G.Node // B is nil without a bias
	In, Out int
}

// LinearOptions configures NewLinear. A nil *LinearOptions, like the zero
// value, means PyTorch's nn.Linear: a bias, and weight and bias drawn from
// U(−1/√In, 1/√In).
type LinearOptions struct {
	// NoBias drops the bias term.
	NoBias bool
	// Weight initialises W; nil means TorchDefault(rng).
	Weight G.InitWFn
	// Bias initialises b; nil means TorchBias(rng, In).
	Bias G.InitWFn
	// Dtype is the parameters' type; the zero value means float32.
	Dtype tensor.Dtype
}

// NewLinear adds a Linear layer's parameters to g. Initial values come from
// opt's initialisers or, by default, from rng (drawn weight first, then
// bias). rng may be nil only when opt gives both initialisers (or NoBias
// and a weight initialiser).
func NewLinear(g *G.ExprGraph, name string, in, out int, rng *rand.Rand, opt *LinearOptions) (*Linear, error) {
	var o LinearOptions
	if opt != nil {
		o = *opt
	}
	if o.Dtype == (tensor.Dtype{}) {
		o.Dtype = tensor.Float32
	}
	if o.Weight == nil {
		if rng == nil {
			return nil, fmt.Errorf("nn: linear %s: nil rng and no weight initialiser", name)
		}
		o.Weight = TorchDefault(rng)
	}
	if o.Bias == nil && !o.NoBias {
		if rng == nil {
			return nil, fmt.Errorf("nn: linear %s: nil rng and no bias initialiser", name)
		}
		o.Bias = TorchBias(rng, in)
	}
	l := &Linear{In: in, Out: out}
	var err error
	if l.W, err = newParam(g, o.Dtype, name+".weight", o.Weight, in, out); err != nil {
		return nil, err
	}
	if !o.NoBias {
		if l.B, err = newParam(g, o.Dtype, name+".bias", o.Bias, out); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Forward returns x·W + b for x of shape (batch, In).
func (l *Linear) Forward(x *G.Node) (*G.Node, error) {
	if s := x.Shape(); s.Dims() != 2 || s[1] != l.In {
		return nil, fmt.Errorf("nn: linear %s: input shape %v, want (batch, %d)", l.W.Name(), s, l.In)
	}
	var y *G.Node
	var err error
	if l.B == nil {
		y, err = G.ApplyOp(linearOp{out: newOutBuf()}, x, l.W)
	} else {
		y, err = G.ApplyOp(linearOp{bias: true, out: newOutBuf()}, x, l.W, l.B)
	}
	if err != nil {
		return nil, fmt.Errorf("nn: linear %s: %w", l.W.Name(), err)
	}
	return y, nil
}

// Params returns W and, if present, b.
func (l *Linear) Params() []*G.Node {
	if l.B == nil {
		return []*G.Node{l.W}
	}
	return []*G.Node{l.W, l.B}
}

var _ Module = (*Linear)(nil)
