package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConcatCols joins matrices with the same number of rows side by side:
//
//	(batch, p₁), (batch, p₂), …  →  (batch, p₁ + p₂ + …)
//
// as G.Concat(1, xs...) does, in one copy per row instead of gorgonia's
// element iterator (and with a gradient that copies column blocks back out
// rather than materialising strided slices). It is how a critic T(z, s)
// sees its two inputs.
func ConcatCols(xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("nn: concat: no inputs")
	}
	widths := make([]int, len(xs))
	rows := -1
	for i, x := range xs {
		s := x.Shape()
		if s.Dims() != 2 || (rows >= 0 && s[0] != rows) {
			return nil, fmt.Errorf("nn: concat: input %d has shape %v, want (%d, ·)", i, s, rows)
		}
		rows, widths[i] = s[0], s[1]
	}
	y, err := G.ApplyOp(concatColsOp{widths: widths, out: newOutBuf()}, xs...)
	if err != nil {
		return nil, fmt.Errorf("nn: concat: %w", err)
	}
	return y, nil
}

type concatColsOp struct {
	widths []int
	out    *outBuf
}

func (op concatColsOp) Arity() int { return len(op.widths) }
func (op concatColsOp) Type() hm.Type {
	ts := make([]hm.Type, len(op.widths)+1)
	for i := range ts {
		ts[i] = matA
	}
	return hm.NewFnType(ts...)
}

func (op concatColsOp) total() int {
	n := 0
	for _, w := range op.widths {
		n += w
	}
	return n
}

func (op concatColsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 2 {
		return nil, fmt.Errorf("nn: concat: input %v", in[0])
	}
	return tensor.Shape{s[0], op.total()}, nil
}

func (op concatColsOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != len(op.widths) {
		return nil, fmt.Errorf("nn: concat: %d inputs, want %d", len(vals), len(op.widths))
	}
	first, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	rows, total := first.Shape()[0], op.total()
	y := op.out.get(first.Dtype(), rows, total)
	off := 0
	for i, v := range vals {
		x, err := dense(v)
		if err != nil {
			return nil, err
		}
		w := op.widths[i]
		if !x.Shape().Eq(tensor.Shape{rows, w}) {
			return nil, fmt.Errorf("nn: concat: input %d has shape %v, want (%d, %d)", i, x.Shape(), rows, w)
		}
		switch yd := y.Data().(type) {
		case []float32:
			xd, ok := x.Data().([]float32)
			if !ok {
				return nil, fmt.Errorf("nn: concat: mixed dtypes")
			}
			copyCols(yd, total, off, xd, w)
		case []float64:
			xd, ok := x.Data().([]float64)
			if !ok {
				return nil, fmt.Errorf("nn: concat: mixed dtypes")
			}
			copyCols(yd, total, off, xd, w)
		default:
			return nil, fmt.Errorf("nn: concat: data %T", y.Data())
		}
		off += w
	}
	return y, nil
}

// copyCols copies the rows of x (width w) into columns [off, off+w) of y
// (width total).
func copyCols[T float32 | float64](y []T, total, off int, x []T, w int) {
	for r := 0; r*w < len(x); r++ {
		copy(y[r*total+off:r*total+off+w], x[r*w:(r+1)*w])
	}
}

func (op concatColsOp) ReturnsPtr() bool     { return false }
func (op concatColsOp) CallsExtern() bool    { return false }
func (op concatColsOp) OverwritesInput() int { return -1 }
func (op concatColsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.concatcols%v", op.widths)
}
func (op concatColsOp) Hashcode() uint32 { return hashOf(op) }
func (op concatColsOp) String() string {
	return fmt.Sprintf("nn.ConcatCols%v", op.widths)
}
func (op concatColsOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// SymDiff returns each input's block of columns of the gradient.
func (op concatColsOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(inputs))
	off := 0
	for i, w := range op.widths {
		var err error
		if out[i], err = G.ApplyOp(colBlockOp{lo: off, hi: off + w, out: newOutBuf()}, grad); err != nil {
			return nil, fmt.Errorf("nn: concat gradient: %w", err)
		}
		off += w
	}
	return out, nil
}

// colBlockOp copies columns [lo, hi) of a matrix out into a new one.
type colBlockOp struct {
	lo, hi int
	out    *outBuf
}

func (op colBlockOp) Arity() int    { return 1 }
func (op colBlockOp) Type() hm.Type { return hm.NewFnType(matA, matA) }
func (op colBlockOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || s.Dims() != 2 || op.hi > s[1] {
		return nil, fmt.Errorf("nn: column block [%d, %d) of %v", op.lo, op.hi, in[0])
	}
	return tensor.Shape{s[0], op.hi - op.lo}, nil
}

func (op colBlockOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	rows, total, w := x.Shape()[0], x.Shape()[1], op.hi-op.lo
	y := op.out.get(x.Dtype(), rows, w)
	switch xd := x.Data().(type) {
	case []float32:
		copyBlock(y.Data().([]float32), w, xd, total, op.lo)
	case []float64:
		copyBlock(y.Data().([]float64), w, xd, total, op.lo)
	default:
		return nil, fmt.Errorf("nn: column block: data %T", x.Data())
	}
	return y, nil
}

func copyBlock[T float32 | float64](y []T, w int, x []T, total, lo int) {
	for r := 0; r*w < len(y); r++ {
		copy(y[r*w:(r+1)*w], x[r*total+lo:r*total+lo+w])
	}
}

func (op colBlockOp) ReturnsPtr() bool     { return false }
func (op colBlockOp) CallsExtern() bool    { return false }
func (op colBlockOp) OverwritesInput() int { return -1 }
func (op colBlockOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.colblock[%d:%d]", op.lo, op.hi)
}
func (op colBlockOp) Hashcode() uint32 { return hashOf(op) }
func (op colBlockOp) String() string {
	return fmt.Sprintf("nn.ColBlock[%d:%d]", op.lo, op.hi)
}
func (op colBlockOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op colBlockOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nn: column block: second derivatives are not supported")
}
