package infomax

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/nn"
)

// ModelFormat names the layout of a trained encoder's JSON config.
const ModelFormat = "miaudit-dim-encoder/1"

// Model is the JSON config saved beside a trained encoder's weights:
// everything needed to rebuild it and to know what it was trained on.
type Model struct {
	Format string `json:"format"`
	// Config is the model and training configuration.
	Config Config `json:"config"`
	// Data describes the training data.
	Data DataInfo `json:"data"`
	// Steps is the number of training steps behind the weights.
	Steps int64 `json:"steps"`
	// Version is the miaudit version that trained it.
	Version string `json:"version"`
}

// DataInfo identifies a model's training data.
type DataInfo struct {
	// Name is the dataset's spec (e.g. "mnist").
	Name string `json:"name"`
	// Hash is the data's SHA-256 (dataset.Dataset.Hash).
	Hash string `json:"sha256"`
	// Rows is the number of training examples.
	Rows int `json:"rows"`
	// Schema is a table's feature coding, applied again at embedding time.
	Schema *dataset.TableSchema `json:"schema,omitempty"`
	// LabelColumns are a table's attribute columns, and DropMissing
	// whether rows with missing features were dropped: embedding reads
	// the table the same way.
	LabelColumns []string `json:"label_columns,omitempty"`
	DropMissing  bool     `json:"drop_missing,omitempty"`
	// Derive are the derived attribute columns (NAME=SOURCE:PATTERN).
	Derive []string `json:"derive,omitempty"`
}

// SaveEncoder writes the encoder's weights (parameters "enc.*") to path as
// safetensors and m, with Config and Steps filled in from the trainer, as
// its JSON sidecar; both files are written atomically.
func (t *Trainer) SaveEncoder(path string, m Model) error {
	m.Format, m.Config, m.Steps = ModelFormat, t.cfg, t.Steps()
	return nn.SaveCheckpoint(path, t.encParams, m)
}

// SaveState writes every parameter (encoder, critics, discriminator) to
// params and Adam's state to adam, so that LoadState can resume training
// exactly.
func (t *Trainer) SaveState(params, adam string) error {
	if err := nn.SaveCheckpoint(params, t.params, t.cfg); err != nil {
		return err
	}
	return t.opt.Save(adam)
}

// LoadState restores what SaveState wrote. The files must come from a
// trainer of the same Config.
func (t *Trainer) LoadState(params, adam string) error {
	if err := nn.LoadCheckpoint(params, t.params, nil); err != nil {
		return err
	}
	return t.opt.Load(adam)
}

// Encoder maps inputs to codes with fixed weights, batch by batch. It is
// not safe for concurrent use.
type Encoder struct {
	model   Model
	batch   int
	x       *tensor.Dense
	y       *G.Node
	params  *nn.Params
	machine *nn.Machine
	tmp     []float32 // scratch space of centre
}

// newEncoderGraph builds a forward-only encoder for batches of batch
// examples; its weights are placeholders until set.
func newEncoderGraph(m Model, batch int) (*Encoder, error) {
	if err := m.Config.Validate(); err != nil {
		return nil, err
	}
	if batch < 1 {
		return nil, fmt.Errorf("infomax: encoder batch %d", batch)
	}
	g := G.NewGraph()
	e := &Encoder{model: m, batch: batch}
	var xn *G.Node
	xn, e.x = inputNode(g, "x", batch, m.Config.Input)
	enc, err := newEncoder(g, m.Config, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	if e.y, _, err = enc.forward(xn); err != nil {
		return nil, err
	}
	if e.params, err = nn.ParamsOf(enc.modules()...); err != nil {
		return nil, err
	}
	if e.machine, err = nn.NewMachine(nil, nil, e.y); err != nil {
		return nil, err
	}
	return e, nil
}

// LoadEncoder reads an encoder saved by SaveEncoder and builds it for
// batches of batch examples.
func LoadEncoder(path string, batch int) (*Encoder, error) {
	var m Model
	if err := nn.LoadConfig(path, &m); err != nil {
		return nil, err
	}
	if m.Format != ModelFormat {
		return nil, fmt.Errorf("read %s: format %q, want %q (not a miaudit DIM encoder)", nn.ConfigPath(path), m.Format, ModelFormat)
	}
	e, err := newEncoderGraph(m, batch)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", nn.ConfigPath(path), err)
	}
	if err := nn.LoadCheckpoint(path, e.params, nil); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Encoder returns an Encoder with the trainer's current weights (a copy).
func (t *Trainer) Encoder(batch int) (*Encoder, error) {
	e, err := newEncoderGraph(Model{Format: ModelFormat, Config: t.cfg, Steps: t.Steps()}, batch)
	if err != nil {
		return nil, err
	}
	if err := e.setFrom(t.encParams); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// setFrom copies the values of the parameters of p with the encoder's
// names into the encoder.
func (e *Encoder) setFrom(p *nn.Params) error {
	for _, name := range e.params.Names() {
		src, err := nn.Float32s(p.Node(name))
		if err != nil {
			return err
		}
		dst, err := nn.Float32s(e.params.Node(name))
		if err != nil {
			return err
		}
		copy(dst, src)
	}
	return nil
}

// Model returns the encoder's saved config.
func (e *Encoder) Model() Model { return e.model }

// Code returns the width of the codes.
func (e *Encoder) Code() int { return e.model.Config.Code }

// Encode writes the codes of the n examples in x (one after another) into
// dst, n×Code values, batch by batch (the last batch padded with zeros).
func (e *Encoder) Encode(x []float32, n int, dst []float32) error {
	d, c := e.model.Config.InputSize(), e.Code()
	if len(x) != n*d || len(dst) != n*c {
		return fmt.Errorf("infomax: encode %d examples: %d input values (want %d), %d output values (want %d)", n, len(x), n*d, len(dst), n*c)
	}
	buf := e.x.Data().([]float32)
	for lo := 0; lo < n; lo += e.batch {
		hi := min(lo+e.batch, n)
		e.model.Config.input(buf, x[lo*d:hi*d], hi-lo, &e.tmp)
		clear(buf[(hi-lo)*d:])
		if err := e.machine.Run(); err != nil {
			return err
		}
		y, ok := e.machine.Value(e.y).Data().([]float32)
		if !ok {
			return fmt.Errorf("infomax: encode: code of type %T", e.machine.Value(e.y).Data())
		}
		copy(dst[lo*c:hi*c], y[:(hi-lo)*c])
	}
	return nil
}

// Close releases the graph.
func (e *Encoder) Close() error { return e.machine.Close() }
