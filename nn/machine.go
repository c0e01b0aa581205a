package nn

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Machine runs one graph, built once, for every batch: the pattern that
// keeps gorgonia's memory flat (each graph built stays in memory, so a graph
// per batch leaks). A training loop looks like:
//
//	g := G.NewGraph()
//	x := G.NewMatrix(g, G.Float32, G.WithShape(batch, in), G.WithName("x"))
//	... build the model and a scalar loss on x ...
//	m, err := nn.NewMachine(loss, params)       // G.Grad + TapeMachine, once
//	defer m.Close()
//	xT := tensor.New(tensor.WithShape(batch, in), tensor.Of(tensor.Float32))
//	G.Let(x, xT)                                // bind once, refill per batch
//	for each batch {
//		copy(xT.Data().([]float32), batchData)
//		m.Run()                                 // zero grads, RunAll, Reset
//		opt.Step()
//		loss := m.Loss()
//	}
//
// Outputs are read through G.Read nodes added before the machine is
// compiled (the TapeMachine reuses buffers, so a node's Value() after a run
// may have been overwritten).
type Machine struct {
	vm     G.VM
	params *Params
	loss   *G.Node
	// lossVal is allocated apart from the Machine: a G.Read into a field
	// of the Machine would make the TapeMachine (which carries a finalizer)
	// reach itself, a cycle Go never collects, and leak every graph.
	lossVal *G.Value
	watched map[*G.Node]*G.Value
}

// NewMachine differentiates loss with respect to params (if params is not
// nil and not empty), adds read-outs for loss and each watched node, and
// compiles the part of the graph that these need into a TapeMachine bound
// to params' gradients; nodes that feed none of them are never computed.
// loss may be nil for a forward-only machine, which then needs at least one
// watched node. All nodes must belong to one graph; build one graph per
// machine.
func NewMachine(loss *G.Node, params *Params, watch ...*G.Node) (m *Machine, err error) {
	var g *G.ExprGraph
	switch {
	case loss != nil:
		g = loss.Graph()
	case len(watch) > 0:
		g = watch[0].Graph()
	default:
		return nil, errors.New("nn: machine: no loss and nothing watched")
	}
	m = &Machine{params: params, loss: loss, watched: make(map[*G.Node]*G.Value)}
	var learn G.Nodes
	if params != nil {
		learn = params.Nodes()
	}
	if loss != nil && len(learn) > 0 {
		if _, err := G.Grad(loss, learn...); err != nil {
			return nil, fmt.Errorf("nn: machine: gradient: %w", err)
		}
	}
	if loss != nil {
		m.lossVal = new(G.Value)
		G.Read(loss, m.lossVal)
	}
	for _, n := range watch {
		if n.Graph() != g {
			return nil, fmt.Errorf("nn: machine: watched node %s is in another graph", n.Name())
		}
		if _, dup := m.watched[n]; dup {
			continue
		}
		v := new(G.Value)
		m.watched[n] = v
		G.Read(n, v)
	}
	// Compile only what the loss, the gradients and the watched nodes need.
	// G.Grad adds the gradient of every input of a differentiated operation,
	// including ones nothing asked for (the data input of the first layer:
	// a (batch, in) matrix product per step); the TapeMachine runs every node
	// of its graph, so such dead nodes are left out.
	var roots G.Nodes
	if loss != nil {
		roots = append(roots, loss)
	}
	for _, n := range learn {
		if d := n.Deriv(); d != nil && loss != nil {
			roots = append(roots, d)
		}
	}
	roots = append(roots, watch...)
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("nn: machine: compile: %v", r)
		}
	}()
	sub := g.SubgraphRoots(roots...)
	if len(learn) > 0 && loss != nil {
		m.vm = G.NewTapeMachine(sub, G.BindDualValues(learn...))
	} else {
		m.vm = G.NewTapeMachine(sub)
	}
	return m, nil
}

// Run zeroes the parameters' gradients, runs the whole graph once on the
// values currently bound to its inputs and resets the machine for the next
// run. Afterwards the gradients are bound to the parameters (for Adam.Step)
// and Loss and Value return this run's results.
func (m *Machine) Run() error {
	if m.params != nil && m.params.Len() > 0 && m.loss != nil {
		if err := ZeroGrads(m.params); err != nil {
			return err
		}
	}
	err := m.vm.RunAll()
	m.vm.Reset()
	if err != nil {
		return fmt.Errorf("nn: machine: run: %w", err)
	}
	return nil
}

// Loss returns the loss of the last run as a float64 (NaN before any run or
// without a loss).
func (m *Machine) Loss() float64 {
	if m.lossVal == nil {
		return nan
	}
	f, err := scalarOf(*m.lossVal)
	if err != nil {
		return nan
	}
	return f
}

// Value returns the value of watched node n from the last run, or nil. It
// is a copy that the next run overwrites in place.
func (m *Machine) Value(n *G.Node) G.Value {
	v, ok := m.watched[n]
	if !ok {
		return nil
	}
	return *v
}

// Close releases the machine.
func (m *Machine) Close() error { return m.vm.Close() }
