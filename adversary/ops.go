package adversary

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file holds the gorgonia operations the critics need and gorgonia
// lacks or makes expensive:
//
//   - gatherRowsOp: y = x[idx] by rows (an embedding lookup, a shuffle, the
//     tiling of all n² pairs); gradient: scatter-add into the rows.
//   - pickOp: y = x.flat[idx] into a given shape (a diagonal, the
//     off-diagonal entries, the label's log-probability); gradient:
//     scatter-add into the elements.
//   - abtOp: C = A·Bᵀ by one GEMM (the separable critic's n×n scores).
//   - emaOp: the MINE moving-average denominator, with no gradient.
//
// The index slices are shared with the Estimator, which refills them in
// place before each run: the graph is built once for every batch. Every op
// carries a unique id in its hash so that gorgonia never merges two
// gathers of the same input with different indices (its graph deduplicates
// nodes of equal hash).

var (
	matA = G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	vecA = G.TensorType{Dims: 1, Of: hm.TypeVariable('a')}
)

var opIDs atomic.Uint64

func nextOpID() uint64 { return opIDs.Add(1) }

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// denseOf returns v as a *tensor.Dense with contiguous row-major data.
func denseOf(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("adversary: want *tensor.Dense, got %T", v)
	}
	if d.RequiresIterator() || d.IsView() {
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("adversary: cannot materialise %v", d.Shape())
		}
		d = m
	}
	return d, nil
}

func tensorType(dims int) hm.Type {
	return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

// gatherRowsOp copies rows idx[0], idx[1], … of a matrix x (r×c) into a
// len(idx)×c matrix.
type gatherRowsOp struct {
	id   uint64
	idx  []int
	rows int // rows of the input, for the gradient's shape
}

func gatherRows(x *G.Node, idx []int) (*G.Node, error) {
	if x.Dims() != 2 {
		return nil, fmt.Errorf("adversary: gather rows of a %d-d node", x.Dims())
	}
	op := gatherRowsOp{id: nextOpID(), idx: idx, rows: x.Shape()[0]}
	y, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("adversary: gather rows: %w", err)
	}
	return y, nil
}

func (op gatherRowsOp) Arity() int    { return 1 }
func (op gatherRowsOp) Type() hm.Type { return hm.NewFnType(matA, matA) }
func (op gatherRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 2 {
		return nil, fmt.Errorf("adversary: gather rows of %v", in[0])
	}
	return tensor.Shape{len(op.idx), s[1]}, nil
}

func (op gatherRowsOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := denseOf(vals[0])
	if err != nil {
		return nil, err
	}
	r, c := x.Shape()[0], x.Shape()[1]
	y := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(len(op.idx), c))
	switch xd := x.Data().(type) {
	case []float32:
		err = gatherRowsData(y.Data().([]float32), xd, op.idx, r, c)
	case []float64:
		err = gatherRowsData(y.Data().([]float64), xd, op.idx, r, c)
	default:
		err = fmt.Errorf("adversary: gather rows: data %T", x.Data())
	}
	if err != nil {
		return nil, err
	}
	return y, nil
}

func gatherRowsData[T float32 | float64](y, x []T, idx []int, r, c int) error {
	for i, k := range idx {
		if k < 0 || k >= r {
			return fmt.Errorf("adversary: gather rows: index %d outside [0, %d)", k, r)
		}
		copy(y[i*c:(i+1)*c], x[k*c:(k+1)*c])
	}
	return nil
}

func (op gatherRowsOp) ReturnsPtr() bool      { return false }
func (op gatherRowsOp) CallsExtern() bool     { return false }
func (op gatherRowsOp) OverwritesInput() int  { return -1 }
func (op gatherRowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "adversary.gatherrows#%d", op.id) }
func (op gatherRowsOp) Hashcode() uint32      { return hashOf(op) }
func (op gatherRowsOp) String() string        { return fmt.Sprintf("GatherRows#%d", op.id) }
func (op gatherRowsOp) DiffWRT(n int) []bool  { return []bool{true} }

func (op gatherRowsOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(scatterRowsOp{id: nextOpID(), idx: op.idx, rows: op.rows}, grad)
	if err != nil {
		return nil, fmt.Errorf("adversary: gather rows gradient: %w", err)
	}
	return G.Nodes{dx}, nil
}

// scatterRowsOp adds row i of g (len(idx)×c) into row idx[i] of a zero
// rows×c matrix: the gradient of gatherRowsOp.
type scatterRowsOp struct {
	id   uint64
	idx  []int
	rows int
}

func (op scatterRowsOp) Arity() int    { return 1 }
func (op scatterRowsOp) Type() hm.Type { return hm.NewFnType(matA, matA) }
func (op scatterRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 2 {
		return nil, fmt.Errorf("adversary: scatter rows of %v", in[0])
	}
	return tensor.Shape{op.rows, s[1]}, nil
}

func (op scatterRowsOp) Do(vals ...G.Value) (G.Value, error) {
	g, err := denseOf(vals[0])
	if err != nil {
		return nil, err
	}
	c := g.Shape()[1]
	y := tensor.New(tensor.Of(g.Dtype()), tensor.WithShape(op.rows, c))
	switch gd := g.Data().(type) {
	case []float32:
		scatterRowsData(y.Data().([]float32), gd, op.idx, c)
	case []float64:
		scatterRowsData(y.Data().([]float64), gd, op.idx, c)
	default:
		return nil, fmt.Errorf("adversary: scatter rows: data %T", g.Data())
	}
	return y, nil
}

func scatterRowsData[T float32 | float64](y, g []T, idx []int, c int) {
	for i, k := range idx {
		dst, src := y[k*c:(k+1)*c], g[i*c:(i+1)*c]
		for j, v := range src {
			dst[j] += v
		}
	}
}

func (op scatterRowsOp) ReturnsPtr() bool      { return false }
func (op scatterRowsOp) CallsExtern() bool     { return false }
func (op scatterRowsOp) OverwritesInput() int  { return -1 }
func (op scatterRowsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "adversary.scatterrows#%d", op.id) }
func (op scatterRowsOp) Hashcode() uint32      { return hashOf(op) }
func (op scatterRowsOp) String() string        { return fmt.Sprintf("ScatterRows#%d", op.id) }
func (op scatterRowsOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op scatterRowsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("adversary: scatter rows: second derivatives are not supported")
}

// pickOp copies elements x.flat[idx[0]], x.flat[idx[1]], … of x (any shape,
// row-major) into a tensor of shape out (of size len(idx)).
type pickOp struct {
	id       uint64
	idx      []int
	in, out  tensor.Shape
	backward bool // scatter-add g (shape out) into zeros of shape in instead
}

func pick(x *G.Node, idx []int, out ...int) (*G.Node, error) {
	if tensor.Shape(out).TotalSize() != len(idx) {
		return nil, fmt.Errorf("adversary: pick %d elements into shape %v", len(idx), out)
	}
	op := pickOp{id: nextOpID(), idx: idx, in: x.Shape().Clone(), out: tensor.Shape(out).Clone()}
	y, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("adversary: pick: %w", err)
	}
	return y, nil
}

func (op pickOp) Arity() int { return 1 }
func (op pickOp) Type() hm.Type {
	if op.backward {
		return hm.NewFnType(tensorType(op.out.Dims()), tensorType(op.in.Dims()))
	}
	return hm.NewFnType(tensorType(op.in.Dims()), tensorType(op.out.Dims()))
}

func (op pickOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	want, res := op.in, op.out
	if op.backward {
		want, res = op.out, op.in
	}
	if !ok || !s.Eq(want) {
		return nil, fmt.Errorf("adversary: pick: input %v, want %v", in[0], want)
	}
	return res.Clone(), nil
}

func (op pickOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := denseOf(vals[0])
	if err != nil {
		return nil, err
	}
	shape := op.out
	if op.backward {
		shape = op.in
	}
	y := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(shape.Clone()...))
	size := op.in.TotalSize()
	switch xd := x.Data().(type) {
	case []float32:
		err = pickData(y.Data().([]float32), xd, op.idx, size, op.backward)
	case []float64:
		err = pickData(y.Data().([]float64), xd, op.idx, size, op.backward)
	default:
		err = fmt.Errorf("adversary: pick: data %T", x.Data())
	}
	if err != nil {
		return nil, err
	}
	return y, nil
}

func pickData[T float32 | float64](y, x []T, idx []int, size int, backward bool) error {
	for i, k := range idx {
		if k < 0 || k >= size {
			return fmt.Errorf("adversary: pick: index %d outside [0, %d)", k, size)
		}
		if backward {
			y[k] += x[i]
		} else {
			y[i] = x[k]
		}
	}
	return nil
}

func (op pickOp) ReturnsPtr() bool     { return false }
func (op pickOp) CallsExtern() bool    { return false }
func (op pickOp) OverwritesInput() int { return -1 }
func (op pickOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "adversary.pick#%d(%t)", op.id, op.backward)
}
func (op pickOp) Hashcode() uint32 { return hashOf(op) }
func (op pickOp) String() string {
	if op.backward {
		return fmt.Sprintf("ScatterPick#%d", op.id)
	}
	return fmt.Sprintf("Pick#%d", op.id)
}

func (op pickOp) DiffWRT(n int) []bool { return []bool{!op.backward} }

func (op pickOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.backward {
		return nil, fmt.Errorf("adversary: scatter pick: second derivatives are not supported")
	}
	b := op
	b.id, b.backward = nextOpID(), true
	dx, err := G.ApplyOp(b, grad)
	if err != nil {
		return nil, fmt.Errorf("adversary: pick gradient: %w", err)
	}
	return G.Nodes{dx}, nil
}

// emaState is MINE's exponential moving average of mean_Q e^T, held in the
// log domain: logE = log EMA. A training run computes the updated average
// into pending; the Estimator commits it after a successful step.
type emaState struct {
	rate    float64 // α: EMA ← (1−α)·EMA + α·mean_Q e^T
	init    bool    // whether logE holds an average yet
	logE    float64
	pending float64
	lastLME float64 // log mean_Q e^T of the last run's batch
}

// denominator returns log of the updated average for a batch whose
// log mean_Q e^T is lme: on the first step the batch's own mean, then
//
//	EMA_t = (1−α)·EMA_{t−1} + α·mean_Q e^T
//
// evaluated as a log-sum-exp of the two terms.
func (s *emaState) denominator(lme float64) float64 {
	if !s.init {
		return lme
	}
	a := math.Log1p(-s.rate) + s.logE
	b := math.Log(s.rate) + lme
	m := max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

// emaOp returns log EMA_t (a scalar) from the marginal scores, recording it
// in the state; it has no gradient (MINE treats the average as a constant).
type emaOp struct {
	id uint64
	st *emaState
}

func (op emaOp) Arity() int    { return 1 }
func (op emaOp) Type() hm.Type { return hm.NewFnType(vecA, hm.TypeVariable('a')) }
func (op emaOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op emaOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := denseOf(vals[0])
	if err != nil {
		return nil, err
	}
	var lme float64
	switch xd := x.Data().(type) {
	case []float32:
		lme = logMeanExp(float64s(xd), nil)
	case []float64:
		lme = logMeanExp(xd, nil)
	default:
		return nil, fmt.Errorf("adversary: ema: data %T", x.Data())
	}
	op.st.lastLME = lme
	op.st.pending = op.st.denominator(lme)
	if x.Dtype() == tensor.Float32 {
		return G.NewF32(float32(op.st.pending)), nil
	}
	return G.NewF64(op.st.pending), nil
}

func (op emaOp) ReturnsPtr() bool      { return false }
func (op emaOp) CallsExtern() bool     { return false }
func (op emaOp) OverwritesInput() int  { return -1 }
func (op emaOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "adversary.ema#%d", op.id) }
func (op emaOp) Hashcode() uint32      { return hashOf(op) }
func (op emaOp) String() string        { return fmt.Sprintf("MINEDenominator#%d", op.id) }
func (op emaOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op emaOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("adversary: the MINE denominator has no gradient")
}

func float64s[T float32 | float64](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
