package nn

import "gorgonia.org/tensor"

// outBuf is the output tensor of one operation node, allocated on its first
// run and reused on every later run of the same graph. gorgonia's own
// operations allocate a fresh output per run (and the TapeMachine zeroes
// its registers on Reset), which for the benchmark model is ~8 MB of
// garbage per step.
//
// Reuse is safe under the TapeMachine because every intermediate value is
// dead once a run ends: within a run the machine's register allocation
// keeps a value alive for as long as some instruction reads it (another
// node may take over the buffer only after that, exactly as it may take
// over a freshly allocated one), and after the run values are reached only
// through G.Read copies and the gradients added into the parameters' dual
// values. The buffer's shape is reset on every use in case a later node
// reshaped it in place.
type outBuf struct{ t *tensor.Dense }

func newOutBuf() *outBuf { return &outBuf{} }

// get returns the buffer with dtype dt and the given shape, allocating it
// when absent or of another dtype or size. Its contents are stale.
func (b *outBuf) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	size := tensor.Shape(shape).TotalSize()
	if b.t == nil || b.t.Dtype() != dt || b.t.DataSize() != size || b.t.IsView() {
		b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		return b.t
	}
	if !b.t.Shape().Eq(tensor.Shape(shape)) {
		if err := b.t.Reshape(shape...); err != nil {
			b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		}
	}
	return b.t
}
