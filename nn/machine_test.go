package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
)

func TestMachineHeapStaysFlat(t *testing.T) {
	// A leak check, not a timing test: 200 steps of a small DV workload on
	// one graph. Building a graph per step grows the heap by megabytes per
	// step (GORGONIA.md); a reused graph must stay within a small bound.
	const (
		steps     = 200
		warmup    = 20
		maxGrowth = 4 << 20 // bytes; generous: the live heap here is ~2 MB
	)
	m, err := newDVModel(dvSizes{B: 32, D: 48, H: 32, Z: 8, S: 5, TH: 16}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.machine.Close()
	rng := rand.New(rand.NewPCG(2, 0))
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var base uint64
	for i := range steps {
		if i == warmup {
			base = heap()
		}
		m.batch(rng)
		if err := m.step(); err != nil {
			t.Fatal(err)
		}
		if l := m.machine.Loss(); math.IsNaN(l) || math.IsInf(l, 0) {
			t.Fatalf("step %d: loss %v", i, l)
		}
	}
	end := heap()
	t.Logf("heap %d → %d bytes over %d steps", base, end, steps-warmup)
	if end > base+maxGrowth {
		t.Errorf("heap grew from %d to %d bytes over %d steps", base, end, steps-warmup)
	}
}

func TestMachineInputsUnchanged(t *testing.T) {
	// The TapeMachine may overwrite buffers in place; the bound input
	// tensors must survive a run so that rerunning gives the same loss.
	m, err := newDVModel(dvSizes{B: 8, D: 6, H: 5, Z: 3, S: 4, TH: 5}, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer m.machine.Close()
	m.batch(rand.New(rand.NewPCG(4, 0)))
	x := append([]float32(nil), m.xT.Data().([]float32)...)
	if err := m.machine.Run(); err != nil {
		t.Fatal(err)
	}
	l1 := m.machine.Loss()
	for i, v := range m.xT.Data().([]float32) {
		if v != x[i] {
			t.Fatalf("x[%d] changed from %v to %v by a run", i, x[i], v)
		}
	}
	if err := m.machine.Run(); err != nil {
		t.Fatal(err)
	}
	if l2 := m.machine.Loss(); l1 != l2 {
		t.Errorf("second run loss %v, first %v", l2, l1)
	}
}

func TestMachineWatchesNodesOffTheLossPath(t *testing.T) {
	// A watched node that the loss does not use is still computed; nodes
	// that feed nothing asked for are pruned without breaking the run.
	loss, p := quadratic(t)
	a := p.Node("a")
	sumA, err := G.Sum(a)
	if err != nil {
		t.Fatal(err)
	}
	unused, err := G.Square(a) // feeds nothing: pruned
	if err != nil || unused == nil {
		t.Fatal(err)
	}
	m, err := NewMachine(loss, p, sumA)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	// 0.5 − 1 + 2 + 0.25 − 0.75 + 1.5 = 2.5
	if got, err := scalarOf(m.Value(sumA)); err != nil || got != 2.5 {
		t.Errorf("Σa = %v (%v), want 2.5", got, err)
	}
	if m.Value(loss) != nil {
		t.Error("Value of an unwatched node is not nil")
	}
}
