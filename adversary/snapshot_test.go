package adversary

import (
	"math/rand/v2"
	"testing"
)

func TestSnapshotRestore(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	e, err := New(Config{Bound: BoundDV, DZ: 3, Classes: 2, Batch: 8, Hidden: []int{4}}, rng)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	z := make([]float32, 8*3)
	s := make(Labels, 8)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	for i := range s {
		s[i] = i % 2
	}
	before, err := e.Estimate(z, s)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := e.Train(z, s); err != nil {
			t.Fatal(err)
		}
	}
	if moved, _ := e.Estimate(z, s); moved == before {
		t.Fatal("training did not change the estimate; the test cannot tell a restore")
	}
	if err := e.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.Estimate(z, s); after != before {
		t.Errorf("got %v after restore, want %v", after, before)
	}
	if err := e.Restore(snap[1:]); err == nil {
		t.Error("got no error restoring a short snapshot")
	}
}
