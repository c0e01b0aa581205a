package nn

import (
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dvSizes are the widths of the DV workload: an MLP encoder D→H→H→Z and a
// critic (Z+S)→TH→TH→1 on a batch of B with S one-hot classes.
type dvSizes struct{ B, D, H, Z, S, TH int }

// benchSizes is shared/reference/torch_workloads.py's "mlp" mode.
var benchSizes = dvSizes{B: 128, D: 784, H: 512, Z: 64, S: 40, TH: 256}

// dvModel is the workload of the benchmark and of the leak and resume
// tests: one graph, built once, run for every batch.
type dvModel struct {
	x, s, sp      *G.Node
	xT, sT, spT   *tensor.Dense
	enc, critic   *MLP
	loss          *G.Node
	params        *Params
	machine       *Machine
	opt           *Adam
	sz            dvSizes
	lab, labShuff []int
}

func newDVModel(sz dvSizes, seed uint64) (*dvModel, error) {
	rng := rand.New(rand.NewPCG(seed, 0))
	g := G.NewGraph()
	m := &dvModel{sz: sz, lab: make([]int, sz.B), labShuff: make([]int, sz.B)}
	m.xT = tensor.New(tensor.WithShape(sz.B, sz.D), tensor.Of(tensor.Float32))
	m.sT = tensor.New(tensor.WithShape(sz.B, sz.S), tensor.Of(tensor.Float32))
	m.spT = tensor.New(tensor.WithShape(sz.B, sz.S), tensor.Of(tensor.Float32))
	m.x = G.NewMatrix(g, tensor.Float32, G.WithShape(sz.B, sz.D), G.WithName("x"), G.WithValue(m.xT))
	m.s = G.NewMatrix(g, tensor.Float32, G.WithShape(sz.B, sz.S), G.WithName("s"), G.WithValue(m.sT))
	m.sp = G.NewMatrix(g, tensor.Float32, G.WithShape(sz.B, sz.S), G.WithName("sp"), G.WithValue(m.spT))
	var err error
	if m.enc, err = NewMLP(g, "enc", []int{sz.D, sz.H, sz.H, sz.Z}, ReLU, rng, nil); err != nil {
		return nil, err
	}
	if m.critic, err = NewMLP(g, "critic", []int{sz.Z + sz.S, sz.TH, sz.TH, 1}, ReLU, rng, nil); err != nil {
		return nil, err
	}
	z, err := m.enc.Forward(m.x)
	if err != nil {
		return nil, err
	}
	if m.loss, err = dvLoss(z, m.s, m.sp, m.critic); err != nil {
		return nil, err
	}
	if m.params, err = ParamsOf(m.enc, m.critic); err != nil {
		return nil, err
	}
	if m.machine, err = NewMachine(m.loss, m.params); err != nil {
		return nil, err
	}
	if m.opt, err = NewAdam(m.params, AdamConfig{LR: 1e-4}); err != nil {
		return nil, err
	}
	return m, nil
}

// batch fills the bound input tensors in place: x from N(0,1), s one-hot of
// uniform labels, s′ a shuffle of s's rows.
func (m *dvModel) batch(rng *rand.Rand) {
	x := m.xT.Data().([]float32)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	m.labels(rng)
}

// labels refills s and s′ only.
func (m *dvModel) labels(rng *rand.Rand) {
	s, sp := m.sT.Data().([]float32), m.spT.Data().([]float32)
	clear(s)
	clear(sp)
	for i := range m.lab {
		m.lab[i] = rng.IntN(m.sz.S)
	}
	for i, j := range rng.Perm(m.sz.B) {
		m.labShuff[i] = m.lab[j]
	}
	for i := range m.lab {
		s[i*m.sz.S+m.lab[i]] = 1
		sp[i*m.sz.S+m.labShuff[i]] = 1
	}
}

// step runs one training step on the bound inputs.
func (m *dvModel) step() error {
	if err := m.machine.Run(); err != nil {
		return err
	}
	return m.opt.Step()
}
