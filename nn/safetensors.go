package nn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/miaudit/miaudit/internal/atomicfile"
	"github.com/nlpodyssey/safetensors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ErrCorrupt is wrapped by the errors of the loaders when a file is
// truncated, damaged or not in the expected format.
var ErrCorrupt = errors.New("corrupt file")

// ErrIncompatible is wrapped by the errors of the loaders when a well-formed
// file does not fit the model: a tensor is missing or has another shape or
// dtype.
var ErrIncompatible = errors.New("incompatible file")

// rawTensor is a safetensors.View over little-endian bytes.
type rawTensor struct {
	dtype safetensors.DType
	shape []uint64
	data  []byte
}

func (r rawTensor) DType() safetensors.DType { return r.dtype }
func (r rawTensor) Shape() []uint64          { return r.shape }
func (r rawTensor) Data() []byte             { return r.data }
func (r rawTensor) DataLen() uint64          { return uint64(len(r.data)) }

func shapeU64(s tensor.Shape) []uint64 {
	out := make([]uint64, len(s))
	for i, d := range s {
		out[i] = uint64(d)
	}
	return out
}

func float32Tensor(shape tensor.Shape, x []float32) rawTensor {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return rawTensor{dtype: safetensors.F32, shape: shapeU64(shape), data: b}
}

func float64Tensor(shape tensor.Shape, x []float64) rawTensor {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return rawTensor{dtype: safetensors.F64, shape: shapeU64(shape), data: b}
}

// nodeTensor encodes the value bound to n.
func nodeTensor(n *G.Node) (rawTensor, error) {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return rawTensor{}, fmt.Errorf("%s: value is %T, want *tensor.Dense", n.Name(), n.Value())
	}
	switch x := d.Data().(type) {
	case []float32:
		return float32Tensor(d.Shape(), x), nil
	case []float64:
		return float64Tensor(d.Shape(), x), nil
	}
	return rawTensor{}, fmt.Errorf("%s: data is %T, want []float32 or []float64", n.Name(), d.Data())
}

// writeSafetensors writes tensors (name → tensor) and metadata to path
// atomically in the safetensors format: an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
// {…}} and the raw data.
func writeSafetensors(path string, tensors map[string]rawTensor, meta map[string]string) error {
	b, err := safetensors.Serialize(tensors, meta)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b)
}

// serialize writes tensors and metadata to w in the safetensors format.
func serialize(w io.Writer, tensors map[string]rawTensor, meta map[string]string) error {
	return safetensors.SerializeToWriter(tensors, meta, w)
}

// tensorFile is a parsed safetensors file held in memory.
type tensorFile struct {
	path string
	st   safetensors.SafeTensors
}

// readSafetensors reads and parses path. A damaged file gives an error
// wrapping ErrCorrupt, never a panic.
func readSafetensors(path string) (*tensorFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseSafetensors(path, b)
}

func parseSafetensors(path string, b []byte) (tf *tensorFile, err error) {
	defer func() {
		if r := recover(); r != nil {
			tf, err = nil, fmt.Errorf("read %s: %w: %v", path, ErrCorrupt, r)
		}
	}()
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w: %v", path, ErrCorrupt, err)
	}
	return &tensorFile{path: path, st: st}, nil
}

// view returns the named tensor after checking its dtype and shape.
func (tf *tensorFile) view(name string, dt safetensors.DType, shape []uint64) (safetensors.TensorView, error) {
	v, ok := tf.st.Tensor(name)
	if !ok {
		return v, fmt.Errorf("read %s: tensor %q: %w: missing", tf.path, name, ErrIncompatible)
	}
	if v.DType() != dt {
		return v, fmt.Errorf("read %s: tensor %q: %w: dtype %v, want %v", tf.path, name, ErrIncompatible, v.DType(), dt)
	}
	if !slices.Equal(v.Shape(), shape) {
		return v, fmt.Errorf("read %s: tensor %q: %w: shape %v, want %v", tf.path, name, ErrIncompatible, v.Shape(), shape)
	}
	if want := uint64(len(v.Data())); want != dt.Size()*numElems(shape) {
		return v, fmt.Errorf("read %s: tensor %q: %w: %d bytes for shape %v", tf.path, name, ErrCorrupt, want, shape)
	}
	return v, nil
}

func numElems(shape []uint64) uint64 {
	n := uint64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// readFloat32s decodes the named F32 tensor of the given shape into dst.
func (tf *tensorFile) readFloat32s(name string, shape tensor.Shape, dst []float32) error {
	v, err := tf.view(name, safetensors.F32, shapeU64(shape))
	if err != nil {
		return err
	}
	b := v.Data()
	if len(b) != 4*len(dst) {
		return fmt.Errorf("read %s: tensor %q: %w: %d bytes, want %d", tf.path, name, ErrIncompatible, len(b), 4*len(dst))
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return nil
}

// readFloat64s decodes the named F64 tensor of the given shape into dst.
func (tf *tensorFile) readFloat64s(name string, shape tensor.Shape, dst []float64) error {
	v, err := tf.view(name, safetensors.F64, shapeU64(shape))
	if err != nil {
		return err
	}
	b := v.Data()
	if len(b) != 8*len(dst) {
		return fmt.Errorf("read %s: tensor %q: %w: %d bytes, want %d", tf.path, name, ErrIncompatible, len(b), 8*len(dst))
	}
	for i := range dst {
		dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return nil
}

// readNode decodes the named tensor into the value bound to n, in place.
func (tf *tensorFile) readNode(name string, n *G.Node) error {
	d, ok := n.Value().(*tensor.Dense)
	if !ok {
		return fmt.Errorf("read %s: tensor %q: node value is %T, want *tensor.Dense", tf.path, name, n.Value())
	}
	switch x := d.Data().(type) {
	case []float32:
		return tf.readFloat32s(name, d.Shape(), x)
	case []float64:
		return tf.readFloat64s(name, d.Shape(), x)
	}
	return fmt.Errorf("read %s: tensor %q: node data is %T, want []float32 or []float64", tf.path, name, d.Data())
}

// SaveParams writes the current values of p to path in the safetensors
// format (F32 or F64 tensors under p's names), atomically: a reader or a
// crash never sees a half-written file. meta, which may be nil, is stored
// as the file's "__metadata__".
func SaveParams(path string, p *Params, meta map[string]string) error {
	ts := make(map[string]rawTensor, p.Len())
	for _, name := range p.names {
		t, err := nodeTensor(p.nodes[name])
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		ts[name] = t
	}
	return writeSafetensors(path, ts, meta)
}

// LoadParams sets every parameter of p, in place, to the tensor of the same
// name in the safetensors file path. Each tensor's dtype and shape must
// match the parameter's; tensors in the file that p does not name are
// ignored. On error no parameter has been changed. Errors name the tensor
// and the file and wrap ErrCorrupt (damaged file) or ErrIncompatible
// (missing tensor, other dtype or shape).
func LoadParams(path string, p *Params) error {
	tf, err := readSafetensors(path)
	if err != nil {
		return err
	}
	return loadParams(tf, p)
}

func loadParams(tf *tensorFile, p *Params) error {
	// Check everything first so that a failed load leaves p untouched.
	for _, name := range p.names {
		n := p.nodes[name]
		dt := safetensors.F32
		if n.Dtype() == tensor.Float64 {
			dt = safetensors.F64
		}
		if _, err := tf.view(name, dt, shapeU64(n.Shape())); err != nil {
			return err
		}
	}
	for _, name := range p.names {
		if err := tf.readNode(name, p.nodes[name]); err != nil {
			return err
		}
	}
	return nil
}
