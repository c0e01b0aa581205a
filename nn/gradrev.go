package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GradReverse returns a node equal to x whose gradient is −scale times the
// gradient it receives: the gradient reversal layer of Ganin & Lempitsky
// (2015). Parameters before it descend the loss's negative: a head after it
// minimises a loss that the layers before it maximise, in one backward
// pass. It returns an error for a negative scale.
func GradReverse(x *G.Node, scale float64) (*G.Node, error) {
	if scale < 0 {
		return nil, fmt.Errorf("nn: gradient reversal: negative scale %g", scale)
	}
	y, err := G.ApplyOp(scaleOp{c: 1, back: -scale, out: newOutBuf()}, x)
	if err != nil {
		return nil, fmt.Errorf("nn: gradient reversal: %w", err)
	}
	return y, nil
}

// scaleOp is y = c·x whose gradient is back·g (back = c for a plain
// product; GradReverse sets c = 1 and back = −scale).
type scaleOp struct {
	c, back float64
	out     *outBuf
}

func (op scaleOp) Arity() int { return 1 }
func (op scaleOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op scaleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("nn: scale: input %v", in[0])
	}
	return s.Clone(), nil
}

func (op scaleOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	y := op.out.get(x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		scaleInto(y.Data().([]float32), xd, float32(op.c))
	case []float64:
		scaleInto(y.Data().([]float64), xd, op.c)
	default:
		return nil, fmt.Errorf("nn: scale: data %T", x.Data())
	}
	return y, nil
}

func scaleInto[T float32 | float64](y, x []T, c T) {
	y = y[:len(x)]
	if c == 1 {
		copy(y, x)
		return
	}
	for i, v := range x {
		y[i] = c * v
	}
}

func (op scaleOp) ReturnsPtr() bool      { return false }
func (op scaleOp) CallsExtern() bool     { return false }
func (op scaleOp) OverwritesInput() int  { return -1 }
func (op scaleOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "nn.scale(%g,%g)", op.c, op.back) }
func (op scaleOp) Hashcode() uint32      { return hashOf(op) }
func (op scaleOp) String() string        { return fmt.Sprintf("nn.Scale(%g, grad %g)", op.c, op.back) }
func (op scaleOp) DiffWRT(n int) []bool  { return []bool{true} }

// SymDiff returns ∂x = back·g.
func (op scaleOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(scaleOp{c: op.back, back: op.back, out: newOutBuf()}, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: scale gradient: %w", err)
	}
	return G.Nodes{dx}, nil
}
