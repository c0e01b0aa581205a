package nn

import (
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConcatColsValues(t *testing.T) {
	g := G.NewGraph()
	mk := func(name string, r, c int, x ...float32) *G.Node {
		return G.NewMatrix(g, tensor.Float32, G.WithShape(r, c), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(r, c), tensor.WithBacking(x))))
	}
	a := mk("a", 2, 2, 1, 2, 3, 4)
	b := mk("b", 2, 1, 5, 6)
	c := mk("c", 2, 3, 7, 8, 9, 10, 11, 12)
	y, err := ConcatCols(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := G.Concat(1, a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(nil, nil, y, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for range 2 { // the second run reuses the output buffer
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		got := m.Value(y).Data().([]float32)
		want := []float32{1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12}
		if !slices.Equal(got, want) {
			t.Errorf("ConcatCols: got %v, want %v", got, want)
		}
		if r := m.Value(ref).Data().([]float32); !slices.Equal(r, want) {
			t.Errorf("G.Concat: got %v, want %v", r, want)
		}
	}
	if _, err := ConcatCols(a, mk("d", 3, 1, 1, 2, 3)); err == nil {
		t.Error("ConcatCols accepted inputs with different row counts")
	}
}
