package bootstrap

import (
	"encoding/json"
	"math"
	"testing"
)

func TestIntervalJSON(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for i, test := range []struct {
		iv   Interval
		want string
		back Interval // what want reads back as
	}{
		{Interval{0.75, 0.5, 0.875}, `{"value":0.75,"ci_low":0.5,"ci_high":0.875}`, Interval{0.75, 0.5, 0.875}},
		{Interval{nan, nan, nan}, `{"value":null,"ci_low":null,"ci_high":null}`, Interval{nan, nan, nan}},
		{Interval{1e-7, -inf, inf}, `{"value":1e-7,"ci_low":null,"ci_high":null}`, Interval{1e-7, nan, nan}},
	} {
		b, err := json.Marshal(test.iv)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if string(b) != test.want {
			t.Errorf("case %d: marshal %v = %s, want %s", i, test.iv, b, test.want)
		}
		// Through a pointer and inside a struct too.
		b, err = json.Marshal(struct{ A *Interval }{&test.iv})
		if err != nil || string(b) != `{"A":`+test.want+`}` {
			t.Errorf("case %d: marshal in struct = %s, %v", i, b, err)
		}
		var got Interval
		if err := json.Unmarshal([]byte(test.want), &got); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !sameFloat(got.Value, test.back.Value, 0) || !sameFloat(got.Low, test.back.Low, 0) || !sameFloat(got.High, test.back.High, 0) {
			t.Errorf("case %d: unmarshal %s = %v, want %v", i, test.want, got, test.back)
		}
	}

	// Missing keys and a null interval read as NaN.
	var s struct{ A, B Interval }
	if err := json.Unmarshal([]byte(`{"A":{"value":2},"B":null}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.A.Value != 2 || !math.IsNaN(s.A.Low) || !math.IsNaN(s.A.High) || !math.IsNaN(s.B.Value) {
		t.Errorf("unmarshal with missing keys and null = %+v", s)
	}
	if err := json.Unmarshal([]byte(`{"value":"x"}`), &s.A); err == nil {
		t.Error("unmarshal of a string value: no error")
	}
}
