package nn

import (
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chewxy/hm"
	"github.com/miaudit/miaudit/internal/fastblas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dimSizes is shared/reference/torch_workloads.py's "conv" workload: batch
// B of 1×32×32 images, Z features, P = 16·16 local positions.
const (
	dimB = 64
	dimZ = 64
	dimP = 16 * 16
)

// dimModel is the "conv" workload of shared/reference/torch_workloads.py:
//
//	h1 = relu(conv3×3/1 pad 1, 1→64 (x))      x: (B, 1, 32, 32), no biases
//	h2 = relu(conv4×4/2 pad 1, 64→128 (h1))
//	h3 = relu(conv4×4/2 pad 1, 128→256 (h2))
//	y  = fc(flatten h3), 256·8·8 → Z, with a bias
//	L  = conv1×1 128→Z (h2), permuted to (Z, B·P): column j·P+p is example j, position p
//	S  = y·L                                    (B, B·P)
//	loss = Σ_pos softplus(−S)/nP + Σ_neg softplus(S)/nN,  pos: S[i, j·P+p] with i = j
//
// trained by Adam (lr 1e-4) on a fixed batch, one graph built once.
type dimModel struct {
	xT      *tensor.Dense
	s       *G.Node // scores
	loss    *G.Node
	machine *Machine
	opt     *Adam
}

// dimOptions chooses the implementation of parts of the workload.
type dimOptions struct {
	// gorgoniaConv uses gorgonia's G.Conv2d (oldConv2dForward) instead
	// of nn's Conv2d.
	gorgoniaConv bool
	// primitiveLoss builds the loss from nn.Softplus and gorgonia's
	// element-wise operations (dimLoss) instead of one fused operation
	// (dimLossOp).
	primitiveLoss bool
}

// newDIMModel builds the workload.
func newDIMModel(seed uint64, opt dimOptions) (*dimModel, error) {
	old := opt.gorgoniaConv
	rng := rand.New(rand.NewPCG(seed, 0))
	g := G.NewGraph()
	m := &dimModel{xT: tensor.New(tensor.WithShape(dimB, 1, 32, 32), tensor.Of(tensor.Float32))}
	xd := m.xT.Data().([]float32)
	for i := range xd {
		xd[i] = float32(rng.NormFloat64())
	}
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(dimB, 1, 32, 32), G.WithName("x"), G.WithValue(m.xT))
	noBias := func(stride, pad int) *Conv2dOptions {
		return &Conv2dOptions{Stride: stride, Padding: pad, NoBias: true}
	}
	c1, err := NewConv2d(g, "c1", 1, 64, 3, rng, noBias(1, 1))
	if err != nil {
		return nil, err
	}
	c2, err := NewConv2d(g, "c2", 64, 128, 4, rng, noBias(2, 1))
	if err != nil {
		return nil, err
	}
	c3, err := NewConv2d(g, "c3", 128, 256, 4, rng, noBias(2, 1))
	if err != nil {
		return nil, err
	}
	fc, err := NewLinear(g, "fc", 256*8*8, dimZ, rng, nil)
	if err != nil {
		return nil, err
	}
	loc, err := NewConv2d(g, "loc", 128, dimZ, 1, rng, noBias(1, 0))
	if err != nil {
		return nil, err
	}
	conv := func(c *Conv2d, x *G.Node) (*G.Node, error) {
		if old {
			return oldConv2dForward(c, x)
		}
		return c.Forward(x)
	}
	convReLU := func(c *Conv2d, x *G.Node) (*G.Node, error) {
		y, err := conv(c, x)
		if err != nil {
			return nil, err
		}
		return ReLU(y)
	}
	h1, err := convReLU(c1, x)
	if err != nil {
		return nil, err
	}
	h2, err := convReLU(c2, h1)
	if err != nil {
		return nil, err
	}
	h3, err := convReLU(c3, h2)
	if err != nil {
		return nil, err
	}
	flat, err := G.Reshape(h3, tensor.Shape{dimB, 256 * 8 * 8})
	if err != nil {
		return nil, err
	}
	y, err := fc.Forward(flat)
	if err != nil {
		return nil, err
	}
	l, err := conv(loc, h2)
	if err != nil {
		return nil, err
	}
	lm, err := G.ApplyOp(blockColsOp{shape: l.Shape().Clone(), out: newOutBuf()}, l)
	if err != nil {
		return nil, err
	}
	s, err := MatMul(y, lm, false, false)
	if err != nil {
		return nil, err
	}
	m.s = s
	if opt.primitiveLoss {
		m.loss, err = dimLoss(s)
	} else {
		m.loss, err = fusedDIMLoss(s)
	}
	if err != nil {
		return nil, err
	}
	params, err := ParamsOf(c1, c2, c3, fc, loc)
	if err != nil {
		return nil, err
	}
	if m.machine, err = NewMachine(m.loss, params); err != nil {
		return nil, err
	}
	if m.opt, err = NewAdam(params, AdamConfig{LR: 1e-4}); err != nil {
		return nil, err
	}
	return m, nil
}

// dimLoss is the local JSD-style loss of the workload on scores s (B, B·P):
// the mean of softplus(−s) over positive pairs plus the mean of softplus(s)
// over negative pairs, through nn.Softplus and gorgonia's primitives.
//
// The masks are graph inputs rather than constants: gorgonia hashes a
// constant by formatting it, seconds for these 1M-element tensors.
func dimLoss(s *G.Node) (*G.Node, error) {
	pos := tensor.New(tensor.WithShape(dimB, dimB*dimP), tensor.Of(tensor.Float32))
	neg := tensor.New(tensor.WithShape(dimB, dimB*dimP), tensor.Of(tensor.Float32))
	pd, nd := pos.Data().([]float32), neg.Data().([]float32)
	for i := range dimB {
		for c := range dimB * dimP {
			if c/dimP == i {
				pd[i*dimB*dimP+c] = 1
			} else {
				nd[i*dimB*dimP+c] = 1
			}
		}
	}
	const nP, nN = dimB * dimP, dimB * (dimB - 1) * dimP
	ns, err := G.Neg(s)
	if err != nil {
		return nil, err
	}
	term := func(v *G.Node, mask *tensor.Dense, name string, n float32) (*G.Node, error) {
		sp, err := Softplus(v)
		if err != nil {
			return nil, err
		}
		// Named: gorgonia merges unnamed inputs of the same type and shape.
		mn := G.NewMatrix(s.Graph(), tensor.Float32, G.WithShape(mask.Shape()...), G.WithName(name), G.WithValue(mask))
		if sp, err = G.HadamardProd(sp, mn); err != nil {
			return nil, err
		}
		if sp, err = G.Sum(sp); err != nil {
			return nil, err
		}
		return G.Mul(sp, G.NewConstant(1/n))
	}
	lp, err := term(ns, pos, "pos", nP)
	if err != nil {
		return nil, err
	}
	ln, err := term(s, neg, "neg", nN)
	if err != nil {
		return nil, err
	}
	return G.Add(lp, ln)
}

// step runs one training step.
func (m *dimModel) step() error {
	if err := m.machine.Run(); err != nil {
		return err
	}
	return m.opt.Step()
}

// BenchmarkDIMConvStep times one training step of shared/reference/
// torch_workloads.py's "conv" workload (dimModel) with nn's Conv2d and the
// loss fused into one operation (dimLossOp). Build with -tags openblas
// (CGO_LDFLAGS=-lopenblas) for OpenBLAS, and run it with
// OPENBLAS_NUM_THREADS=1: the convolutions already use every core. Compare
// with, in shared/reference,
//
//	GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296 \
//	OPENBLAS_NUM_THREADS=1 /usr/bin/python3 torch_workloads.py conv 2
func BenchmarkDIMConvStep(b *testing.B) { benchDIM(b, dimOptions{}) }

// BenchmarkDIMStepGorgoniaLoss is BenchmarkDIMConvStep with the loss built
// from nn.Softplus and gorgonia's element-wise operations, each a
// single-threaded pass (with a copy) over the 64×16384 scores.
func BenchmarkDIMStepGorgoniaLoss(b *testing.B) { benchDIM(b, dimOptions{primitiveLoss: true}) }

// BenchmarkDIMStepGorgoniaConv is BenchmarkDIMConvStep with gorgonia's
// G.Conv2d, the path nn's Conv2d replaced.
func BenchmarkDIMStepGorgoniaConv(b *testing.B) { benchDIM(b, dimOptions{gorgoniaConv: true}) }

// dimModels caches one model per variant across the benchmark's runs
// (b.N = 1, then the requested count): every graph built stays in memory,
// and peak RSS should be that of one model.
var dimModels = map[dimOptions]*dimModel{}

func benchDIM(b *testing.B, opt dimOptions) {
	m := dimModels[opt]
	if m == nil {
		var err error
		if m, err = newDIMModel(1, opt); err != nil {
			b.Fatal(err)
		}
		dimModels[opt] = m
		// Two warm-up steps, as the script's three: buffers are allocated
		// on the first run.
		for range 2 {
			if err := m.step(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
	b.Logf("BLAS: %s, loss %.6g", fastblas.Name(), m.machine.Loss())
}

// fusedDIMLoss is dimLoss as one operation: a (1)-vector summed into a
// scalar.
func fusedDIMLoss(s *G.Node) (*G.Node, error) {
	sh := s.Shape()
	l, err := G.ApplyOp(dimLossOp{p: sh[1] / sh[0], out: newOutBuf()}, s)
	if err != nil {
		return nil, err
	}
	return G.Sum(l)
}

// dimLossOp is the workload's loss on scores s (n, n·p), as a (1)-vector:
//
//	Σ_(i, j=i, q) softplus(−s[i, j·p+q])/nP + Σ_(i, j≠i, q) softplus(s[i, j·p+q])/nN
//
// with nP = n·p and nN = n·(n−1)·p, in float32, rows on GOMAXPROCS
// goroutines, summed in float64 in row order.
type dimLossOp struct {
	p   int
	out *outBuf
}

func (op dimLossOp) Arity() int    { return 1 }
func (op dimLossOp) Type() hm.Type { return hm.NewFnType(matA, vecA) }
func (op dimLossOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{1}, nil
}

// dimLossWeights returns the weights 1/nP of positive pairs (column block
// i of row i) and 1/nN of negative ones.
func dimLossWeights(n, p int) (wP, wN float64) {
	return 1 / float64(n*p), 1 / float64(n*(n-1)*p)
}

func (op dimLossOp) Do(vals ...G.Value) (G.Value, error) {
	s, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	sd, ok := s.Data().([]float32)
	if !ok {
		return nil, fmt.Errorf("dimloss: data %T", s.Data())
	}
	n, cols := s.Shape()[0], s.Shape()[1]
	wP, wN := dimLossWeights(n, op.p)
	rows := make([]float64, n)
	parallelFor(n, func(i int) {
		var pos, neg float64
		for c, v := range sd[i*cols : (i+1)*cols] {
			x := float64(v)
			if c/op.p == i {
				pos += softplus64(-x)
			} else {
				neg += softplus64(x)
			}
		}
		rows[i] = pos*wP + neg*wN
	})
	var total float64
	for _, r := range rows {
		total += r
	}
	y := op.out.get(s.Dtype(), 1)
	y.Data().([]float32)[0] = float32(total)
	return y, nil
}

// softplus64 is log(1 + eˣ) = max(x, 0) + log1p(e^−|x|).
func softplus64(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

func (op dimLossOp) ReturnsPtr() bool      { return false }
func (op dimLossOp) CallsExtern() bool     { return false }
func (op dimLossOp) OverwritesInput() int  { return -1 }
func (op dimLossOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dimloss(%d)", op.p) }
func (op dimLossOp) Hashcode() uint32      { return hashOf(op) }
func (op dimLossOp) String() string        { return fmt.Sprintf("DIMLoss(%d)", op.p) }
func (op dimLossOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op dimLossOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(dimLossGradOp{p: op.p, out: newOutBuf()}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

// dimLossGradOp is (s, g) → g·∂loss/∂s: −σ(−s)/nP at positive pairs,
// σ(s)/nN at negative ones.
type dimLossGradOp struct {
	p   int
	out *outBuf
}

func (op dimLossGradOp) Arity() int    { return 2 }
func (op dimLossGradOp) Type() hm.Type { return hm.NewFnType(matA, vecA, matA) }
func (op dimLossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("dimloss gradient: input %v", in[0])
	}
	return s.Clone(), nil
}

func (op dimLossGradOp) Do(vals ...G.Value) (G.Value, error) {
	s, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	g, err := dense(vals[1])
	if err != nil {
		return nil, err
	}
	sd, ok1 := s.Data().([]float32)
	gd, ok2 := g.Data().([]float32)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("dimloss gradient: data %T, %T", s.Data(), g.Data())
	}
	n, cols := s.Shape()[0], s.Shape()[1]
	wP, wN := dimLossWeights(n, op.p)
	gP, gN := float32(float64(gd[0])*wP), float32(float64(gd[0])*wN)
	ds := op.out.get(s.Dtype(), n, cols)
	dd := ds.Data().([]float32)
	parallelFor(n, func(i int) {
		row, drow := sd[i*cols:(i+1)*cols], dd[i*cols:(i+1)*cols]
		for c, v := range row {
			if c/op.p == i {
				drow[c] = -gP * sigmoid32(-v)
			} else {
				drow[c] = gN * sigmoid32(v)
			}
		}
	})
	return ds, nil
}

// sigmoid32 is 1/(1 + e⁻ˣ).
func sigmoid32(x float32) float32 {
	return float32(1 / (1 + math.Exp(-float64(x))))
}

func (op dimLossGradOp) ReturnsPtr() bool      { return false }
func (op dimLossGradOp) CallsExtern() bool     { return false }
func (op dimLossGradOp) OverwritesInput() int  { return -1 }
func (op dimLossGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dimlossgrad(%d)", op.p) }
func (op dimLossGradOp) Hashcode() uint32      { return hashOf(op) }
func (op dimLossGradOp) String() string        { return fmt.Sprintf("DIMLossGrad(%d)", op.p) }
func (op dimLossGradOp) DiffWRT(n int) []bool  { return []bool{false, false} }
func (op dimLossGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("dimloss gradient: second derivatives are not supported")
}

// blockColsOp rearranges an (n, r, h, w) tensor into an (r, n·h·w) matrix
// whose column j·h·w + p is example j, position p: torch's
// L.permute(1, 0, 2).reshape(r, n·h·w) on L.flatten(2).
type blockColsOp struct {
	shape tensor.Shape // (n, r, h, w)
	out   *outBuf
}

func (op blockColsOp) Arity() int    { return 1 }
func (op blockColsOp) Type() hm.Type { return hm.NewFnType(tensor4A, matA) }
func (op blockColsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := op.shape
	return tensor.Shape{s[1], s[0] * s[2] * s[3]}, nil
}

func (op blockColsOp) Do(vals ...G.Value) (G.Value, error) {
	x, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	s := op.shape
	n, r, p := s[0], s[1], s[2]*s[3]
	y := op.out.get(x.Dtype(), r, n*p)
	xd, ok1 := x.Data().([]float32)
	yd, ok2 := y.Data().([]float32)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("blockcols: data %T", x.Data())
	}
	for j := range n {
		for i := range r {
			copy(yd[i*n*p+j*p:i*n*p+(j+1)*p], xd[(j*r+i)*p:(j*r+i+1)*p])
		}
	}
	return y, nil
}

func (op blockColsOp) ReturnsPtr() bool      { return false }
func (op blockColsOp) CallsExtern() bool     { return false }
func (op blockColsOp) OverwritesInput() int  { return -1 }
func (op blockColsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "blockcols%v", op.shape) }
func (op blockColsOp) Hashcode() uint32      { return hashOf(op) }
func (op blockColsOp) String() string        { return fmt.Sprintf("BlockCols%v", op.shape) }
func (op blockColsOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op blockColsOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d, err := G.ApplyOp(unblockColsOp{shape: op.shape, out: newOutBuf()}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{d}, nil
}

// unblockColsOp is blockColsOp's inverse, (r, n·h·w) → (n, r, h, w).
type unblockColsOp struct {
	shape tensor.Shape
	out   *outBuf
}

func (op unblockColsOp) Arity() int    { return 1 }
func (op unblockColsOp) Type() hm.Type { return hm.NewFnType(matA, tensor4A) }
func (op unblockColsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return op.shape.Clone(), nil
}

func (op unblockColsOp) Do(vals ...G.Value) (G.Value, error) {
	y, err := dense(vals[0])
	if err != nil {
		return nil, err
	}
	s := op.shape
	n, r, p := s[0], s[1], s[2]*s[3]
	x := op.out.get(y.Dtype(), s...)
	xd, ok1 := x.Data().([]float32)
	yd, ok2 := y.Data().([]float32)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("unblockcols: data %T", y.Data())
	}
	for j := range n {
		for i := range r {
			copy(xd[(j*r+i)*p:(j*r+i+1)*p], yd[i*n*p+j*p:i*n*p+(j+1)*p])
		}
	}
	return x, nil
}

func (op unblockColsOp) ReturnsPtr() bool      { return false }
func (op unblockColsOp) CallsExtern() bool     { return false }
func (op unblockColsOp) OverwritesInput() int  { return -1 }
func (op unblockColsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "unblockcols%v", op.shape) }
func (op unblockColsOp) Hashcode() uint32      { return hashOf(op) }
func (op unblockColsOp) String() string        { return fmt.Sprintf("UnblockCols%v", op.shape) }
func (op unblockColsOp) DiffWRT(n int) []bool  { return []bool{false} }
func (op unblockColsOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("unblockcols: second derivatives are not supported")
}

// TestDIMLossFused compares dimLossOp with the definition evaluated in
// float64 in the test, and its gradient with that of dimLoss (nn.Softplus
// and gorgonia's operations), on random float32 scores. The fused loss
// sums in float64: 1e-6 relative. dimLoss sums 1M float32 terms in
// float32 (off by 8e-5 relative here), so only its gradient, element-wise
// σ(±s)/n in float32 both ways, is compared: 1e-5 relative is ~100 ulps.
func TestDIMLossFused(t *testing.T) {
	const lossTol, gradTol = 1e-6, 1e-5
	rng := rand.New(rand.NewPCG(5, 6))
	sv := tensor.New(tensor.WithShape(dimB, dimB*dimP), tensor.Of(tensor.Float32))
	sd := sv.Data().([]float32)
	var pos, neg float64
	for i := range sd {
		sd[i] = float32(2 * rng.NormFloat64())
		if row, col := i/(dimB*dimP), i%(dimB*dimP); col/dimP == row {
			pos += math.Log(1 + math.Exp(-float64(sd[i])))
		} else {
			neg += math.Log(1 + math.Exp(float64(sd[i])))
		}
	}
	want := pos/(dimB*dimP) + neg/(dimB*(dimB-1)*dimP)
	var loss [2]float64
	var grad [2][]float32
	for k, build := range []func(*G.Node) (*G.Node, error){fusedDIMLoss, dimLoss} {
		g := G.NewGraph()
		s := G.NewMatrix(g, tensor.Float32, G.WithShape(dimB, dimB*dimP), G.WithName("s"), G.WithValue(sv))
		l := must(t)(build(s))
		if _, err := G.Grad(l, s); err != nil {
			t.Fatal(err)
		}
		var lv G.Value
		G.Read(l, &lv)
		vm := G.NewTapeMachine(g, G.BindDualValues(s))
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var err error
		if loss[k], err = scalarOf(lv); err != nil {
			t.Fatal(err)
		}
		gv, err := s.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grad[k] = append([]float32(nil), gv.Data().([]float32)...)
		vm.Close()
	}
	if math.Abs(loss[0]-want) > lossTol*want {
		t.Errorf("fused loss %.8g, float64 definition %.8g (primitive ops %.8g)", loss[0], want, loss[1])
	}
	for i := range grad[0] {
		if d := math.Abs(float64(grad[0][i] - grad[1][i])); d > gradTol*math.Abs(float64(grad[1][i])) {
			t.Fatalf("∂s[%d]: fused %.8g, primitive ops %.8g", i, grad[0][i], grad[1][i])
		}
	}
}

// BenchmarkConvLayers times the forward pass and the two gradients of each
// convolution of the DIM workload alone, at batch 64 in float32, on inputs
// that are half zeros as after a ReLU (gonum's GEMM skips zeros).
func BenchmarkConvLayers(b *testing.B) {
	for _, l := range []struct {
		name string
		tc   convCase
	}{
		{"c1", convCase{dimB, 1, 32, 32, 64, 3, 1, 1}},
		{"c2", convCase{dimB, 64, 32, 32, 128, 4, 2, 1}},
		{"c3", convCase{dimB, 128, 16, 16, 256, 4, 2, 1}},
		{"loc", convCase{dimB, 128, 16, 16, dimZ, 1, 1, 0}},
	} {
		tc := l.tc
		g, err := newConvGeom(tensor.Shape{tc.b, tc.c, tc.h, tc.w}, tensor.Shape{tc.o, tc.c, tc.k, tc.k}, tc.k, tc.s, tc.p)
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		halfZero := func(n int) []float32 {
			v := make([]float32, n)
			for i := range v {
				if rng.IntN(2) == 0 {
					v[i] = float32(rng.NormFloat64())
				}
			}
			return v
		}
		x, w := halfZero(tc.b*tc.c*tc.h*tc.w), halfZero(tc.o*tc.c*tc.k*tc.k)
		dy, y := halfZero(tc.b*tc.o*g.cols()), make([]float32, tc.b*tc.o*g.cols())
		dx, dw := make([]float32, len(x)), make([]float32, len(w))
		ws := newConvWork()
		flops := 2 * float64(tc.b*tc.o*g.cols()*g.rows())
		for _, pass := range []struct {
			name string
			f    func()
		}{
			{"forward", func() { convForward(g, x, w, nil, y, ws) }},
			{"input", func() { convInputGrad(g, w, dy, dx, ws) }},
			{"kernel", func() { convWeightGrad(g, x, dy, dw, ws) }},
			{"forward+kernel", func() { convForward(g, x, w, nil, y, ws); convWeightGrad(g, x, dy, dw, ws) }},
		} {
			b.Run(l.name+"/"+pass.name, func(b *testing.B) {
				pass.f()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					pass.f()
				}
				n := flops
				if pass.name == "forward+kernel" {
					n *= 2
				}
				b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
