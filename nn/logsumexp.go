package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LogSumExp returns log Σ_i exp(x_i) along axis, reducing that axis, built
// from primitive operations with the maximum shifted out so that large
// inputs do not overflow:
//
//	m = max_i x_i
//	LogSumExp(x) = m + log Σ_i exp(x_i − m)
//
// For x = [1, 2, 3] it gives 3.4076; for [1000, 1000] it gives 1000 + log 2.
// (gorgonia's own LogSumExp gives 1.5048 for [1, 2, 3]: do not use it.)
// The gradient is softmax(x) along axis.
func LogSumExp(x *G.Node, axis int) (*G.Node, error) {
	if axis < 0 || axis >= x.Dims() {
		return nil, fmt.Errorf("nn: logsumexp: axis %d of a %d-d node", axis, x.Dims())
	}
	m, err := G.Max(x, axis)
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	var shifted *G.Node
	if m.IsScalar() {
		shifted, err = G.Sub(x, m)
	} else {
		shifted, err = G.BroadcastSub(x, m, nil, []byte{byte(axis)})
	}
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	e, err := G.Exp(shifted)
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	s, err := G.Sum(e, axis)
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	l, err := G.Log(s)
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	out, err := G.Add(l, m)
	if err != nil {
		return nil, fmt.Errorf("nn: logsumexp: %w", err)
	}
	return out, nil
}

// LogMeanExp returns log( (1/n) Σ_i exp(x_i) ) along axis, where n is the
// size of that axis: LogSumExp(x, axis) − log n. It is the partition term of
// the Donsker–Varadhan bound.
func LogMeanExp(x *G.Node, axis int) (*G.Node, error) {
	lse, err := LogSumExp(x, axis)
	if err != nil {
		return nil, err
	}
	logN := math.Log(float64(x.Shape()[axis]))
	var c *G.Node
	switch x.Dtype() {
	case tensor.Float32:
		c = G.NewConstant(float32(logN))
	case tensor.Float64:
		c = G.NewConstant(logN)
	default:
		return nil, fmt.Errorf("nn: logmeanexp: unsupported dtype %v", x.Dtype())
	}
	out, err := G.Sub(lse, c)
	if err != nil {
		return nil, fmt.Errorf("nn: logmeanexp: %w", err)
	}
	return out, nil
}
