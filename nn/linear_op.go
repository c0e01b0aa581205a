package nn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file holds the fused operations behind Linear. Built from gorgonia's
// primitives, y = x·W + b costs a matrix product, a Repeat that
// materialises b as a (batch, out) matrix and an addition, and its gradient
// a further Repeat, transposes and sums. linearOp computes y with one GEMM
// (b copied into y's rows first, β = 1) and its gradient with two GEMMs
// and a column sum, through whichever BLAS gorgonia uses (G.Use).

var (
	matA = G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	vecA = G.TensorType{Dims: 1, Of: hm.TypeVariable('a')}
)

// dense returns v as a *tensor.Dense with contiguous row-major data,
// copying a strided view.
func dense(v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("nn: want *tensor.Dense, got %T", v)
	}
	if d.RequiresIterator() || d.IsView() {
		m := d.Materialize()
		if d, ok = m.(*tensor.Dense); !ok {
			return nil, fmt.Errorf("nn: materialised %T", m)
		}
	}
	return d, nil
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemm sets c = op(a)·op(b) + β·c for row-major matrices, where op(a) is
// m×k and op(b) is k×n, in a's dtype.
func gemm(tA, tB bool, m, n, k int, a, b *tensor.Dense, beta float64, c *tensor.Dense) error {
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	impl := G.WhichBLAS()
	switch ad := a.Data().(type) {
	case []float32:
		bd, ok1 := b.Data().([]float32)
		cd, ok2 := c.Data().([]float32)
		if !ok1 || !ok2 {
			return fmt.Errorf("nn: gemm: mixed dtypes")
		}
		impl.Sgemm(trans(tA), trans(tB), m, n, k, 1, ad, lda, bd, ldb, float32(beta), cd, n)
	case []float64:
		bd, ok1 := b.Data().([]float64)
		cd, ok2 := c.Data().([]float64)
		if !ok1 || !ok2 {
			return fmt.Errorf("nn: gemm: mixed dtypes")
		}
		impl.Dgemm(trans(tA), trans(tB), m, n, k, 1, ad, lda, bd, ldb, beta, cd, n)
	default:
		return fmt.Errorf("nn: gemm: unsupported data %T", a.Data())
	}
	return nil
}

// linearOp is y = x·W (+ b): x (batch, in), W (in, out), b (out).
type linearOp struct {
	bias bool
	out  *outBuf
}

func (op linearOp) Arity() int {
	if op.bias {
		return 3
	}
	return 2
}

func (op linearOp) Type() hm.Type {
	if op.bias {
		return hm.NewFnType(matA, matA, vecA, matA)
	}
	return hm.NewFnType(matA, matA, matA)
}

func (op linearOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("nn: linear: %d inputs, want %d", len(in), op.Arity())
	}
	x, ok1 := in[0].(tensor.Shape)
	w, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || x.Dims() != 2 || w.Dims() != 2 || x[1] != w[0] {
		return nil, fmt.Errorf("nn: linear: shapes %v and %v", in[0], in[1])
	}
	if op.bias {
		if b, ok := in[2].(tensor.Shape); !ok || b.TotalSize() != w[1] {
			return nil, fmt.Errorf("nn: linear: bias shape %v for %d outputs", in[2], w[1])
		}
	}
	return tensor.Shape{x[0], w[1]}, nil
}

func (op linearOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.Arity() {
		return nil, fmt.Errorf("nn: linear: %d inputs, want %d", len(vals), op.Arity())
	}
	x, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	w, err := dense(vals[1])
	if err != nil {
		return nil, err
	}
	batch, in, out := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	y := op.out.get(x.Dtype(), batch, out)
	beta := 0.0
	if op.bias {
		b, err := dense(vals[2])
		if err != nil {
			return nil, err
		}
		if err := fillRows(y, b); err != nil {
			return nil, err
		}
		beta = 1
	}
	if err := gemm(false, false, batch, out, in, x, w, beta, y); err != nil {
		return nil, err
	}
	return y, nil
}

// fillRows copies the vector b into every row of y.
func fillRows(y, b *tensor.Dense) error {
	switch yd := y.Data().(type) {
	case []float32:
		bd, ok := b.Data().([]float32)
		if !ok {
			return fmt.Errorf("nn: linear: bias %T", b.Data())
		}
		for i := 0; i < len(yd); i += len(bd) {
			copy(yd[i:i+len(bd)], bd)
		}
	case []float64:
		bd, ok := b.Data().([]float64)
		if !ok {
			return fmt.Errorf("nn: linear: bias %T", b.Data())
		}
		for i := 0; i < len(yd); i += len(bd) {
			copy(yd[i:i+len(bd)], bd)
		}
	default:
		return fmt.Errorf("nn: linear: data %T", y.Data())
	}
	return nil
}

func (op linearOp) ReturnsPtr() bool      { return false }
func (op linearOp) CallsExtern() bool     { return false }
func (op linearOp) OverwritesInput() int  { return -1 }
func (op linearOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "nn.linear(bias=%t)", op.bias) }
func (op linearOp) Hashcode() uint32      { return hashOf(op) }
func (op linearOp) String() string        { return fmt.Sprintf("nn.Linear(bias=%t)", op.bias) }

func (op linearOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// SymDiff returns, for gradient g of y:
//
//	∂x = g·Wᵀ,  ∂W = xᵀ·g,  ∂b = Σ_rows g
func (op linearOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, w := inputs[0], inputs[1]
	dx, err := G.ApplyOp(matMulOp{transB: true, out: newOutBuf()}, grad, w)
	if err != nil {
		return nil, fmt.Errorf("nn: linear gradient: %w", err)
	}
	dw, err := G.ApplyOp(matMulOp{transA: true, out: newOutBuf()}, x, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: linear gradient: %w", err)
	}
	if !op.bias {
		return G.Nodes{dx, dw}, nil
	}
	db, err := G.ApplyOp(colSumOp{out: newOutBuf()}, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: linear gradient: %w", err)
	}
	return G.Nodes{dx, dw, db}, nil
}

// MatMul returns op(a)·op(b) for matrices a and b, op(x) being xᵀ when
// the corresponding flag is set, through the BLAS gorgonia uses (G.Use). It
// is differentiable in both inputs for every combination of flags (first
// derivatives only): with C = op(A)·op(B) and upstream gradient G,
//
//	(F,F) ∂A = G·Bᵀ   ∂B = Aᵀ·G      (F,T) ∂A = G·B    ∂B = Gᵀ·A
//	(T,F) ∂A = B·Gᵀ   ∂B = A·G       (T,T) ∂A = Bᵀ·Gᵀ  ∂B = Gᵀ·Aᵀ
//
// The separable critic scores all n×n pairs with MatMul(f, g, false, true).
func MatMul(a, b *G.Node, transA, transB bool) (*G.Node, error) {
	y, err := G.ApplyOp(matMulOp{transA: transA, transB: transB, out: newOutBuf()}, a, b)
	if err != nil {
		return nil, fmt.Errorf("nn: matmul: %w", err)
	}
	return y, nil
}

// matMulOp is op(a)·op(b) for matrices, op transposing when asked; see
// MatMul.
type matMulOp struct {
	transA, transB bool
	out            *outBuf
}

func (op matMulOp) Arity() int    { return 2 }
func (op matMulOp) Type() hm.Type { return hm.NewFnType(matA, matA, matA) }

func (op matMulOp) dims(a, b tensor.Shape) (m, n, k int, err error) {
	if a.Dims() != 2 || b.Dims() != 2 {
		return 0, 0, 0, fmt.Errorf("nn: matmul: shapes %v and %v", a, b)
	}
	m, k = a[0], a[1]
	if op.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if op.transB {
		kb, n = n, kb
	}
	if k != kb {
		return 0, 0, 0, fmt.Errorf("nn: matmul: shapes %v and %v (transposed %t, %t)", a, b, op.transA, op.transB)
	}
	return m, n, k, nil
}

func (op matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("nn: matmul: inputs %v", in)
	}
	m, n, _, err := op.dims(a, b)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{m, n}, nil
}

func (op matMulOp) Do(vals ...G.Value) (G.Value, error) {
	a, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	b, err := dense(vals[1])
	if err != nil {
		return nil, err
	}
	m, n, k, err := op.dims(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	c := op.out.get(a.Dtype(), m, n)
	if err := gemm(op.transA, op.transB, m, n, k, a, b, 0, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (op matMulOp) ReturnsPtr() bool     { return false }
func (op matMulOp) CallsExtern() bool    { return false }
func (op matMulOp) OverwritesInput() int { return -1 }
func (op matMulOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.matmul(%t,%t)", op.transA, op.transB)
}
func (op matMulOp) Hashcode() uint32 { return hashOf(op) }
func (op matMulOp) String() string {
	return fmt.Sprintf("nn.MatMul(%t,%t)", op.transA, op.transB)
}
func (op matMulOp) DiffWRT(n int) []bool { return []bool{true, true} }

func (op matMulOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	a, b := inputs[0], inputs[1]
	type term struct {
		x, y   *G.Node
		tx, ty bool
	}
	// ∂A and ∂B as products of (grad, a, b), from the table in MatMul.
	var da, db term
	switch {
	case !op.transA && !op.transB:
		da, db = term{grad, b, false, true}, term{a, grad, true, false}
	case !op.transA && op.transB:
		da, db = term{grad, b, false, false}, term{grad, a, true, false}
	case op.transA && !op.transB:
		da, db = term{b, grad, false, true}, term{a, grad, false, false}
	default:
		da, db = term{b, grad, true, true}, term{grad, a, true, true}
	}
	out := make(G.Nodes, 2)
	for i, tm := range []term{da, db} {
		n, err := MatMul(tm.x, tm.y, tm.tx, tm.ty)
		if err != nil {
			return nil, fmt.Errorf("nn: matmul gradient: %w", err)
		}
		out[i] = n
	}
	return out, nil
}

// colSumOp sums a matrix over its rows: (r, c) → (c).
type colSumOp struct{ out *outBuf }

func (op colSumOp) Arity() int    { return 1 }
func (op colSumOp) Type() hm.Type { return hm.NewFnType(matA, vecA) }
func (op colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, ok := in[0].(tensor.Shape)
	if !ok || a.Dims() != 2 {
		return nil, fmt.Errorf("nn: column sum: input %v", in[0])
	}
	return tensor.Shape{a[1]}, nil
}

func (op colSumOp) Do(vals ...G.Value) (G.Value, error) {
	a, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	cols := a.Shape()[1]
	out := op.out.get(a.Dtype(), cols)
	out.Zero()
	switch ad := a.Data().(type) {
	case []float32:
		sumRows(out.Data().([]float32), ad)
	case []float64:
		sumRows(out.Data().([]float64), ad)
	default:
		return nil, fmt.Errorf("nn: column sum: data %T", a.Data())
	}
	return out, nil
}

func sumRows[T float32 | float64](dst, a []T) {
	for i := 0; i < len(a); i += len(dst) {
		for j, v := range a[i : i+len(dst)] {
			dst[j] += v
		}
	}
}

func (op colSumOp) ReturnsPtr() bool      { return false }
func (op colSumOp) CallsExtern() bool     { return false }
func (op colSumOp) OverwritesInput() int  { return -1 }
func (op colSumOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.colsum") }
func (op colSumOp) Hashcode() uint32      { return hashOf(op) }
func (op colSumOp) String() string        { return "nn.ColSum" }
func (op colSumOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op colSumOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nn: column sum: second derivatives are not supported")
}

// hashOf hashes an op through its WriteHash.
func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
