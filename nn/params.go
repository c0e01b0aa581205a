package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Params is an ordered set of named learnable nodes: what an optimiser
// updates and what a checkpoint saves. Names are unique; the order is the
// order of insertion. The zero value is an empty set ready to use.
type Params struct {
	names []string
	nodes map[string]*G.Node
}

// ParamsOf collects the parameters of mods, in order, under their node
// names. It returns an error if two parameters share a name.
func ParamsOf(mods ...Module) (*Params, error) {
	p := &Params{}
	for _, m := range mods {
		for _, n := range m.Params() {
			if err := p.Add(n.Name(), n); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// Add appends n under name. The node must be a float32 or float64 input
// node (a graph variable) with a value bound; name must be new and non-empty.
func (p *Params) Add(name string, n *G.Node) error {
	switch {
	case name == "":
		return fmt.Errorf("nn: params: empty name")
	case n == nil:
		return fmt.Errorf("nn: params: %s: nil node", name)
	case !n.IsVar():
		return fmt.Errorf("nn: params: %s: not a graph variable", name)
	case n.Value() == nil:
		return fmt.Errorf("nn: params: %s: no value bound", name)
	}
	if dt := n.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("nn: params: %s: dtype %v, want float32 or float64", name, dt)
	}
	if _, dup := p.nodes[name]; dup {
		return fmt.Errorf("nn: params: duplicate name %s", name)
	}
	if p.nodes == nil {
		p.nodes = make(map[string]*G.Node)
	}
	p.names = append(p.names, name)
	p.nodes[name] = n
	return nil
}

// Len returns the number of parameters.
func (p *Params) Len() int { return len(p.names) }

// Names returns the names in order (a copy).
func (p *Params) Names() []string { return append([]string(nil), p.names...) }

// Node returns the node named name, or nil.
func (p *Params) Node(name string) *G.Node { return p.nodes[name] }

// Nodes returns the nodes in order.
func (p *Params) Nodes() G.Nodes {
	ns := make(G.Nodes, len(p.names))
	for i, name := range p.names {
		ns[i] = p.nodes[name]
	}
	return ns
}

// Size returns the total number of scalar parameters.
func (p *Params) Size() int {
	n := 0
	for _, name := range p.names {
		n += p.nodes[name].Shape().TotalSize()
	}
	return n
}

// Float32s returns the backing slice of the float32 value bound to n: writes
// to it change the node's value in place. It returns an error if n has no
// dense float32 value.
func Float32s(n *G.Node) ([]float32, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("nn: %s: value is %T, want *tensor.Dense", n.Name(), n.Value())
	}
	f, ok := d.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("nn: %s: data is %T, want []float32", n.Name(), d.Data())
	}
	return f, nil
}
