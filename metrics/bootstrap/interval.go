package bootstrap

import (
	"encoding/json"
	"fmt"
	"math"
)

// Interval is a point estimate with the bounds of its confidence interval,
// all in the estimate's units. NaN means undefined (a rate with no rows to
// count); an interval is NaN where the estimate is, or where no resample
// defined it.
//
// Its JSON form is {"value": v, "ci_low": lo, "ci_high": hi}, with NaN and
// ±Inf written as null (encoding/json cannot write them) and null or a
// missing key read back as NaN. ±Inf therefore reads back as NaN.
type Interval struct {
	Value float64 `json:"value"`
	Low   float64 `json:"ci_low"`
	High  float64 `json:"ci_high"`
}

// NewInterval returns the interval of value whose bounds are the percentile
// confidence interval CI(replicates, level) of its bootstrap replicates.
// It panics as CI does.
func NewInterval(value float64, replicates []float64, level float64) Interval {
	lo, hi := CI(replicates, level)
	return Interval{Value: value, Low: lo, High: hi}
}

// intervalJSON is Interval's wire form: nil is null.
type intervalJSON struct {
	Value *float64 `json:"value"`
	Low   *float64 `json:"ci_low"`
	High  *float64 `json:"ci_high"`
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON implements json.Marshaler, writing non-finite values as null.
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal(intervalJSON{Value: finite(iv.Value), Low: finite(iv.Low), High: finite(iv.High)})
}

// UnmarshalJSON implements json.Unmarshaler, reading null or a missing key
// as NaN. A null interval (rather than null members) reads as all NaN too:
// undefined, not zero.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var w intervalJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode interval: %w", err)
	}
	*iv = Interval{Value: orNaN(w.Value), Low: orNaN(w.Low), High: orNaN(w.High)}
	return nil
}
