package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Activation is an element-wise function added to a graph.
type Activation func(x *G.Node) (*G.Node, error)

// ReLU is max(x, 0), computed in one pass by an nn operation. Its gradient
// at 0 is 0, as PyTorch's.
func ReLU(x *G.Node) (*G.Node, error) {
	y, err := G.ApplyOp(leakyReLUOp{out: newOutBuf()}, x)
	if err != nil {
		return nil, fmt.Errorf("nn: relu: %w", err)
	}
	return y, nil
}

// Identity returns x unchanged.
func Identity(x *G.Node) (*G.Node, error) { return x, nil }

// LeakyReLU returns the activation
//
//	f(x) = x        if x ≥ 0
//	f(x) = slope·x  if x < 0
//
// as torch.nn.LeakyReLU(slope) (gradient slope at 0), computed in one pass
// by an nn operation. It panics if slope is negative or above 1.
func LeakyReLU(slope float64) Activation {
	if slope < 0 || slope > 1 {
		panic("nn: leaky relu slope outside [0, 1]")
	}
	return func(x *G.Node) (*G.Node, error) {
		y, err := G.ApplyOp(leakyReLUOp{slope: slope, out: newOutBuf()}, x)
		if err != nil {
			return nil, fmt.Errorf("nn: leaky relu: %w", err)
		}
		return y, nil
	}
}
