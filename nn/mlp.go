package nn

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
)

// MLP is a stack of Linear layers with an activation between consecutive
// layers (none after the last):
//
//	widths = [784, 512, 512, 64]:  Linear(784,512) act Linear(512,512) act Linear(512,64)
//
// Layer i's parameters are named name+".<i>.weight" and name+".<i>.bias".
type MLP struct {
	Layers []*Linear
	Act    Activation
}

// NewMLP adds an MLP with the given widths (input width first, at least two)
// to g. act nil means ReLU. opt applies to every layer (see NewLinear); the
// layers draw from rng in order.
func NewMLP(g *G.ExprGraph, name string, widths []int, act Activation, rng *rand.Rand, opt *LinearOptions) (*MLP, error) {
	if len(widths) < 2 {
		return nil, fmt.Errorf("nn: mlp %s: %d widths, want at least 2", name, len(widths))
	}
	if act == nil {
		act = ReLU
	}
	m := &MLP{Act: act}
	for i := 0; i+1 < len(widths); i++ {
		l, err := NewLinear(g, fmt.Sprintf("%s.%d", name, i), widths[i], widths[i+1], rng, opt)
		if err != nil {
			return nil, err
		}
		m.Layers = append(m.Layers, l)
	}
	return m, nil
}

// Forward applies the layers and activations to x of shape (batch, widths[0]).
func (m *MLP) Forward(x *G.Node) (*G.Node, error) {
	var err error
	for i, l := range m.Layers {
		if x, err = l.Forward(x); err != nil {
			return nil, err
		}
		if i+1 < len(m.Layers) {
			if x, err = m.Act(x); err != nil {
				return nil, err
			}
		}
	}
	return x, nil
}

// Params returns every layer's parameters, first layer first.
func (m *MLP) Params() []*G.Node {
	var ps []*G.Node
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

var _ Module = (*MLP)(nil)
