package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var nan = math.NaN()

// scalarOf returns the single number held by v.
func scalarOf(v G.Value) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, fmt.Errorf("nn: no value")
	case *G.F32:
		return float64(*x), nil
	case *G.F64:
		return float64(*x), nil
	case tensor.Tensor:
		if x.Shape().TotalSize() != 1 {
			return 0, fmt.Errorf("nn: value of shape %v is not a scalar", x.Shape())
		}
		switch d := x.Data().(type) {
		case float32:
			return float64(d), nil
		case float64:
			return d, nil
		case []float32:
			return float64(d[0]), nil
		case []float64:
			return d[0], nil
		}
	}
	return 0, fmt.Errorf("nn: value %T is not a float scalar", v)
}
