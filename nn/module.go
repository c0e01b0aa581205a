package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Module is a piece of a model built onto a graph: a function of one node
// with learnable parameters.
type Module interface {
	// Forward adds the module's computation on x to x's graph and returns
	// the output node.
	Forward(x *G.Node) (*G.Node, error)
	// Params returns the module's learnable nodes in a fixed order; each
	// has a unique name within the module.
	Params() []*G.Node
}

// newParam adds a learnable float node of the given shape, named name and
// initialised by init, to g. gorgonia's constructors panic on a bad
// initialiser; newParam turns that into an error.
func newParam(g *G.ExprGraph, dt tensor.Dtype, name string, init G.InitWFn, shape ...int) (n *G.Node, err error) {
	if init == nil {
		return nil, fmt.Errorf("nn: parameter %s: nil initialiser", name)
	}
	for _, s := range shape {
		if s <= 0 {
			return nil, fmt.Errorf("nn: parameter %s: invalid shape %v", name, shape)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("nn: parameter %s: %v", name, r)
		}
	}()
	return G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithInit(init)), nil
}
