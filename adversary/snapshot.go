package adversary

import (
	"fmt"

	"github.com/miaudit/miaudit/nn"
)

// Snapshot returns a copy of the critic's parameter values (not the
// optimiser's state), in the order of its parameter set: enough to return
// to the best point of a training run by Restore.
func (e *Estimator) Snapshot() ([]float32, error) {
	var out []float32
	for _, n := range e.m.params.Nodes() {
		v, err := nn.Float32s(n)
		if err != nil {
			return nil, fmt.Errorf("adversary: snapshot: %w", err)
		}
		out = append(out, v...)
	}
	return out, nil
}

// Restore sets the critic's parameter values from a Snapshot of the same
// Estimator. It returns an error if v has the wrong length.
func (e *Estimator) Restore(v []float32) error {
	if len(v) != e.m.params.Size() {
		return fmt.Errorf("adversary: restore: %d values, want %d", len(v), e.m.params.Size())
	}
	for _, n := range e.m.params.Nodes() {
		dst, err := nn.Float32s(n)
		if err != nil {
			return fmt.Errorf("adversary: restore: %w", err)
		}
		copy(dst, v)
		v = v[len(dst):]
	}
	return nil
}
