package nn

import G "gorgonia.org/gorgonia"

// Exprs chains graph operations, keeping the first error: once one fails,
// the following return nil and do nothing, and Err holds the failure. The
// zero value is ready to use:
//
//	var e nn.Exprs
//	loss := e.Neg(e.Mean(e.Hadamard(x, w)))
//	if e.Err != nil { … }
type Exprs struct{ Err error }

// Do runs f unless an earlier operation failed, recording its error.
func (e *Exprs) Do(f func() (*G.Node, error)) *G.Node {
	if e.Err != nil {
		return nil
	}
	n, err := f()
	if err != nil {
		e.Err = err
	}
	return n
}

func (e *Exprs) Mean(x *G.Node) *G.Node { return e.Do(func() (*G.Node, error) { return G.Mean(x) }) }
func (e *Exprs) Sum(x *G.Node) *G.Node  { return e.Do(func() (*G.Node, error) { return G.Sum(x) }) }
func (e *Exprs) Exp(x *G.Node) *G.Node  { return e.Do(func() (*G.Node, error) { return G.Exp(x) }) }
func (e *Exprs) Neg(x *G.Node) *G.Node  { return e.Do(func() (*G.Node, error) { return G.Neg(x) }) }
func (e *Exprs) Square(x *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return G.Square(x) })
}
func (e *Exprs) Sub(a, b *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return G.Sub(a, b) })
}
func (e *Exprs) Add(a, b *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return G.Add(a, b) })
}

// Mul is G.Mul: a matrix product, or a product with a scalar.
func (e *Exprs) Mul(a, b *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return G.Mul(a, b) })
}

// Hadamard is the element-wise product.
func (e *Exprs) Hadamard(a, b *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return G.HadamardProd(a, b) })
}

// Softplus is the package's Softplus.
func (e *Exprs) Softplus(x *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return Softplus(x) })
}

// LogMeanExp is the package's LogMeanExp along axis 0.
func (e *Exprs) LogMeanExp(x *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return LogMeanExp(x, 0) })
}

// LogSumExpRows is the package's LogSumExp along axis 1 (each row).
func (e *Exprs) LogSumExpRows(x *G.Node) *G.Node {
	return e.Do(func() (*G.Node, error) { return LogSumExp(x, 1) })
}
