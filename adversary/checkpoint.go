package adversary

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/miaudit/miaudit/nn"
)

// checkpointFormat names the layout of an Estimator checkpoint's state.
const checkpointFormat = "miaudit-adversary-estimator/1"

// checkpointState is stored as the config of the parameters' checkpoint
// (nn's JSON sidecar): everything besides the parameters and Adam's moments
// that a resumed run needs to continue bit-identically.
type checkpointState struct {
	Format string `json:"format"`
	Config Config `json:"config"`
	Steps  int64  `json:"steps"`
	// EMAInit and LogEMA are MINE's moving average (log domain).
	EMAInit bool    `json:"ema_init,omitempty"`
	LogEMA  float64 `json:"log_ema,omitempty"`
	// RNG is the state of the Estimator's permutation generator (PCG).
	RNG      []byte `json:"rng"`
	EvalPerm []int  `json:"eval_perm"`
}

// AdamPath returns where Save writes the optimiser state of the checkpoint
// at path: path with ".safetensors" replaced by ".adam.safetensors" (or
// ".adam.safetensors" appended).
func AdamPath(path string) string {
	return strings.TrimSuffix(path, ".safetensors") + ".adam.safetensors"
}

// Save writes the Estimator to path, a safetensors file of its parameters
// with nn's JSON sidecar (nn.ConfigPath(path)) holding its Config, step
// count, MINE moving average and permutation generator state, and the Adam
// state to AdamPath(path) with its own sidecar (see nn.SaveCheckpoint and
// nn.Adam.Save). Each file is written atomically.
func (e *Estimator) Save(path string) error {
	if e.opt == nil {
		return fmt.Errorf("adversary: save %s: estimator has no optimiser", path)
	}
	rs, err := e.pcg.MarshalBinary()
	if err != nil {
		return fmt.Errorf("adversary: save %s: %w", path, err)
	}
	st := checkpointState{
		Format:   checkpointFormat,
		Config:   e.Config(),
		Steps:    e.steps,
		RNG:      rs,
		EvalPerm: e.evalPerm,
	}
	if e.m.ema != nil {
		st.EMAInit, st.LogEMA = e.m.ema.init, e.m.ema.logE
	}
	if err := nn.SaveCheckpoint(path, e.m.params, st); err != nil {
		return err
	}
	return e.opt.Save(AdamPath(path))
}

// Load reads an Estimator written by Save. Training continued after Load
// gives the same values, bit for bit, as training continued after Save.
// Errors wrap nn.ErrCorrupt or nn.ErrIncompatible for damaged or
// mismatched files.
func Load(path string) (*Estimator, error) {
	var st checkpointState
	if err := nn.LoadConfig(path, &st); err != nil {
		return nil, err
	}
	if st.Format != checkpointFormat {
		return nil, fmt.Errorf("adversary: read %s: %w: format %q, want %q", path, nn.ErrCorrupt, st.Format, checkpointFormat)
	}
	// The initial parameters are overwritten; any generator will do.
	e, err := New(st.Config, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, fmt.Errorf("adversary: read %s: %w", path, err)
	}
	fail := func(err error) (*Estimator, error) {
		e.Close()
		return nil, err
	}
	if len(st.EvalPerm) != e.cfg.Batch {
		return fail(fmt.Errorf("adversary: read %s: %w: held-out permutation of %d rows, batch %d", path, nn.ErrCorrupt, len(st.EvalPerm), e.cfg.Batch))
	}
	if err := nn.LoadCheckpoint(path, e.m.params, nil); err != nil {
		return fail(err)
	}
	if err := e.opt.Load(AdamPath(path)); err != nil {
		return fail(err)
	}
	if err := e.pcg.UnmarshalBinary(st.RNG); err != nil {
		return fail(fmt.Errorf("adversary: read %s: %w: generator state: %v", path, nn.ErrCorrupt, err))
	}
	copy(e.evalPerm, st.EvalPerm)
	e.steps = st.Steps
	if e.m.ema != nil {
		e.m.ema.init, e.m.ema.logE = st.EMAInit, st.LogEMA
	}
	return e, nil
}
