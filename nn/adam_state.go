package nn

import (
	"encoding/binary"
	"fmt"

	"github.com/nlpodyssey/safetensors"
	"gorgonia.org/tensor"
)

// Names of the optimiser state tensors in an Adam state file.
const (
	adamStepName   = "step"
	adamMPrefix    = "exp_avg/"
	adamVPrefix    = "exp_avg_sq/"
	adamStateLabel = "adam"
)

// Save writes the optimiser's state — the step count t and the first and
// second moments of every parameter, under "exp_avg/<name>" and
// "exp_avg_sq/<name>" — to path in the safetensors format, with a JSON
// sidecar at ConfigPath(path) holding the hyper-parameters, exactly as
// SaveCheckpoint writes a model.
func (a *Adam) Save(path string) error {
	ts := make(map[string]rawTensor, 2*len(a.nodes)+1)
	for i, n := range a.nodes {
		name := a.params.names[i]
		ts[adamMPrefix+name] = float32Tensor(n.Shape(), a.m[i])
		ts[adamVPrefix+name] = float32Tensor(n.Shape(), a.v[i])
	}
	step := make([]byte, 8)
	binary.LittleEndian.PutUint64(step, uint64(a.step))
	ts[adamStepName] = rawTensor{dtype: safetensors.I64, shape: []uint64{1}, data: step}
	meta := map[string]string{"format": checkpointFormat, "state": adamStateLabel}
	return saveCheckpoint(path, ts, meta, a.cfg)
}

// Load restores the optimiser's step count and moments from a file written
// by Save, checking names and shapes against the parameters it was created
// with. The hyper-parameters stay those given to NewAdam (SetLR changes
// the learning rate). On error the state is unchanged; errors wrap
// ErrCorrupt or ErrIncompatible.
func (a *Adam) Load(path string) error {
	tf, _, err := openCheckpoint(path)
	if err != nil {
		return err
	}
	sv, err := tf.view(adamStepName, safetensors.I64, []uint64{1})
	if err != nil {
		return err
	}
	step := int64(binary.LittleEndian.Uint64(sv.Data()))
	if step < 0 {
		return fmt.Errorf("read %s: tensor %q: %w: negative step %d", path, adamStepName, ErrCorrupt, step)
	}
	m := make([][]float32, len(a.nodes))
	v := make([][]float32, len(a.nodes))
	for i, n := range a.nodes {
		name := a.params.names[i]
		shape := tensor.Shape(n.Shape())
		m[i] = make([]float32, len(a.m[i]))
		v[i] = make([]float32, len(a.v[i]))
		if err := tf.readFloat32s(adamMPrefix+name, shape, m[i]); err != nil {
			return err
		}
		if err := tf.readFloat32s(adamVPrefix+name, shape, v[i]); err != nil {
			return err
		}
	}
	for i := range a.nodes {
		copy(a.m[i], m[i])
		copy(a.v[i], v[i])
	}
	a.step = step
	return nil
}
