package nn

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2d is a 2-D convolution (cross-correlation, as PyTorch's nn.Conv2d)
// with a square kernel, the same stride and zero padding along both axes:
//
//	x: (batch, In, H, W)  →  y: (batch, Out, H', W'),  H' = ⌊(H + 2·Padding − Kernel)/Stride⌋ + 1
//	W: (Out, In, Kernel, Kernel),  b: (Out)
//
// Its parameters are named name+".weight" and name+".bias". Forward adds
// one fused operation (bias included) that lowers one or a few examples at
// a time into a reusable im2row buffer and multiplies it by the kernel with
// one GEMM, over the batch on up to GOMAXPROCS goroutines (with OpenBLAS,
// run it single-threaded: OPENBLAS_NUM_THREADS=1); its gradients are one
// operation each for x, W and b (see conv_op.go). Float32 and float64 give
// results that are bit-identical from run to run, whatever GOMAXPROCS.
// Each Forward call keeps its own scratch between runs, so a graph should
// be run by one machine at a time.
type Conv2d struct {
	W, B                    *G.Node // B is nil without a bias
	In, Out                 int
	Kernel, Stride, Padding int
}

// Conv2dOptions configures NewConv2d. A nil *Conv2dOptions, like the zero
// value, means PyTorch's nn.Conv2d defaults: stride 1, no padding, a bias,
// weight and bias drawn from U(−1/√fanIn, 1/√fanIn), fanIn = In·Kernel².
type Conv2dOptions struct {
	// Stride is the step along both axes; 0 means 1.
	Stride int
	// Padding is the zero padding on each side of both axes.
	Padding int
	// NoBias drops the bias term.
	NoBias bool
	// Weight initialises the kernel; nil means TorchDefault(rng).
	Weight G.InitWFn
	// Bias initialises b; nil means TorchBias(rng, In·Kernel²).
	Bias G.InitWFn
	// Dtype is the parameters' type; the zero value means float32.
	Dtype tensor.Dtype
}

// NewConv2d adds a Conv2d layer's parameters to g. Initial values come
// from opt's initialisers or, by default, from rng (kernel first, then
// bias).
func NewConv2d(g *G.ExprGraph, name string, in, out, kernel int, rng *rand.Rand, opt *Conv2dOptions) (*Conv2d, error) {
	var o Conv2dOptions
	if opt != nil {
		o = *opt
	}
	if o.Dtype == (tensor.Dtype{}) {
		o.Dtype = tensor.Float32
	}
	if o.Stride == 0 {
		o.Stride = 1
	}
	if o.Stride < 0 || o.Padding < 0 || kernel <= 0 {
		return nil, fmt.Errorf("nn: conv2d %s: kernel %d, stride %d, padding %d", name, kernel, o.Stride, o.Padding)
	}
	if o.Weight == nil {
		if rng == nil {
			return nil, fmt.Errorf("nn: conv2d %s: nil rng and no weight initialiser", name)
		}
		o.Weight = TorchDefault(rng)
	}
	if o.Bias == nil && !o.NoBias {
		if rng == nil {
			return nil, fmt.Errorf("nn: conv2d %s: nil rng and no bias initialiser", name)
		}
		o.Bias = TorchBias(rng, in*kernel*kernel)
	}
	c := &Conv2d{In: in, Out: out, Kernel: kernel, Stride: o.Stride, Padding: o.Padding}
	var err error
	if c.W, err = newParam(g, o.Dtype, name+".weight", o.Weight, out, in, kernel, kernel); err != nil {
		return nil, err
	}
	if !o.NoBias {
		if c.B, err = newParam(g, o.Dtype, name+".bias", o.Bias, out); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// OutSize returns the output height (or width) for an input height (or width) h.
func (c *Conv2d) OutSize(h int) int { return (h+2*c.Padding-c.Kernel)/c.Stride + 1 }

// Forward convolves x of shape (batch, In, H, W).
func (c *Conv2d) Forward(x *G.Node) (y *G.Node, err error) {
	name := c.W.Name()
	s := x.Shape()
	if s.Dims() != 4 || s[1] != c.In {
		return nil, fmt.Errorf("nn: conv2d %s: input shape %v, want (batch, %d, h, w)", name, s, c.In)
	}
	if c.OutSize(s[2]) < 1 || c.OutSize(s[3]) < 1 {
		return nil, fmt.Errorf("nn: conv2d %s: input %v too small for kernel %d with padding %d", name, s, c.Kernel, c.Padding)
	}
	defer func() {
		if r := recover(); r != nil {
			y, err = nil, fmt.Errorf("nn: conv2d %s: %v", name, r)
		}
	}()
	op := conv2dOp{k: c.Kernel, s: c.Stride, p: c.Padding, bias: c.B != nil, out: newOutBuf(), work: newConvWork()}
	if c.B == nil {
		y, err = G.ApplyOp(op, x, c.W)
	} else {
		y, err = G.ApplyOp(op, x, c.W, c.B)
	}
	if err != nil {
		return nil, fmt.Errorf("nn: conv2d %s: %w", name, err)
	}
	return y, nil
}

// Params returns the kernel and, if present, the bias.
func (c *Conv2d) Params() []*G.Node {
	if c.B == nil {
		return []*G.Node{c.W}
	}
	return []*G.Node{c.W, c.B}
}

var _ Module = (*Conv2d)(nil)
