package minmax

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/miaudit/miaudit/adversary"
	"github.com/miaudit/miaudit/internal/atomicfile"
	"github.com/nlpodyssey/safetensors"
)

// replaySuffix ends the name of a head's replay file in a checkpoint.
const replaySuffix = ".replay.safetensors"

// replayRing keeps the codes (as a head saw them) and labels of the last n
// batches of b rows of d-wide codes, for Config.Replay.
type replayRing struct {
	n, b, d      int
	z            []float32 // n·b·d, slot i at z[i·b·d:]
	s            []int     // n·b
	filled, next int       // slots in use; the slot the next batch goes to
}

// newReplayRing returns a ring of n batches, or nil for n ≤ 0.
func newReplayRing(n, b, d int) *replayRing {
	if n <= 0 {
		return nil
	}
	return &replayRing{n: n, b: b, d: d, z: make([]float32, n*b*d), s: make([]int, n*b)}
}

// push copies a batch into the ring, over the oldest when it is full.
func (r *replayRing) push(z []float32, s adversary.Labels) {
	copy(r.z[r.next*r.b*r.d:(r.next+1)*r.b*r.d], z)
	copy(r.s[r.next*r.b:(r.next+1)*r.b], s)
	r.next = (r.next + 1) % r.n
	r.filled = min(r.filled+1, r.n)
}

// pick returns the batch in slot t mod filled (slices into the ring), and
// false while the ring is empty. t is a deterministic counter, so that a
// resumed run picks as an uninterrupted one does.
func (r *replayRing) pick(t int64) ([]float32, adversary.Labels, bool) {
	if r.filled == 0 {
		return nil, nil, false
	}
	i := int(t % int64(r.filled))
	return r.z[i*r.b*r.d : (i+1)*r.b*r.d], r.s[i*r.b : (i+1)*r.b], true
}

// raw is a safetensors.View over little-endian bytes.
type raw struct {
	dtype safetensors.DType
	shape []uint64
	data  []byte
}

func (v raw) DType() safetensors.DType { return v.dtype }
func (v raw) Shape() []uint64          { return v.shape }
func (v raw) Data() []byte             { return v.data }
func (v raw) DataLen() uint64          { return uint64(len(v.data)) }

// save writes the ring to path (safetensors: codes F32 [n, b, d], labels
// and the two counters I64).
func (r *replayRing) save(path string) error {
	zb := make([]byte, 4*len(r.z))
	for i, v := range r.z {
		binary.LittleEndian.PutUint32(zb[4*i:], math.Float32bits(v))
	}
	ints := func(x []int) []byte {
		b := make([]byte, 8*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
		}
		return b
	}
	t := map[string]raw{
		"codes":    {safetensors.F32, []uint64{uint64(r.n), uint64(r.b), uint64(r.d)}, zb},
		"labels":   {safetensors.I64, []uint64{uint64(r.n), uint64(r.b)}, ints(r.s)},
		"counters": {safetensors.I64, []uint64{2}, ints([]int{r.filled, r.next})},
	}
	b, err := safetensors.Serialize(t, nil)
	if err != nil {
		return fmt.Errorf("minmax: write %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, b)
}

// load restores the ring from path, checking that it holds a ring of the
// same shape.
func (r *replayRing) load(path string) (err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("minmax: replay state: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("minmax: read %s: damaged: %v", path, p)
		}
	}()
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return fmt.Errorf("minmax: read %s: %w", path, err)
	}
	view := func(name string, dt safetensors.DType, shape ...uint64) ([]byte, error) {
		v, ok := st.Tensor(name)
		n := uint64(dt.Size())
		for _, x := range shape {
			n *= x
		}
		if !ok || v.DType() != dt || !slices.Equal(v.Shape(), shape) || uint64(len(v.Data())) != n {
			return nil, fmt.Errorf("minmax: read %s: tensor %q missing or not %v %v (a ring of %d batches of %d×%d)", path, name, dt, shape, r.n, r.b, r.d)
		}
		return v.Data(), nil
	}
	zb, err := view("codes", safetensors.F32, uint64(r.n), uint64(r.b), uint64(r.d))
	if err != nil {
		return err
	}
	sb, err := view("labels", safetensors.I64, uint64(r.n), uint64(r.b))
	if err != nil {
		return err
	}
	cb, err := view("counters", safetensors.I64, 2)
	if err != nil {
		return err
	}
	filled, next := int(int64(binary.LittleEndian.Uint64(cb))), int(int64(binary.LittleEndian.Uint64(cb[8:])))
	if filled < 0 || filled > r.n || next < 0 || next >= r.n {
		return fmt.Errorf("minmax: read %s: counters %d, %d out of range for %d batches", path, filled, next, r.n)
	}
	for i := range r.z {
		r.z[i] = math.Float32frombits(binary.LittleEndian.Uint32(zb[4*i:]))
	}
	for i := range r.s {
		r.s[i] = int(int64(binary.LittleEndian.Uint64(sb[8*i:])))
	}
	r.filled, r.next = filled, next
	return nil
}
