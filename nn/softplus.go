package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Softplus returns log(1 + exp(x)) element-wise, in the form that neither
// overflows for large x nor loses precision for very negative x:
//
//	softplus(x) = max(x, 0) + log1p(exp(−|x|))
//
// built from primitive operations. Its gradient is the logistic sigmoid
// σ(x) everywhere except at exactly x = 0, where the subgradients of max and
// |·| that gorgonia uses give 1 instead of ½.
func Softplus(x *G.Node) (*G.Node, error) {
	pos, err := G.Rectify(x)
	if err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	a, err := G.Abs(x)
	if err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	if a, err = G.Neg(a); err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	if a, err = G.Exp(a); err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	if a, err = G.Log1p(a); err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	out, err := G.Add(pos, a)
	if err != nil {
		return nil, fmt.Errorf("nn: softplus: %w", err)
	}
	return out, nil
}
