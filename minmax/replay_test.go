package minmax

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/adversary"
)

// TestReplayRing pins the ring by hand: 3 slots of 2 rows × 1 dim. After
// batches A and B, counters 0, 1, 2 pick A, B, A (t mod 2); after C and D,
// D has taken A's slot: slots D, B, C, next slot 1.
func TestReplayRing(t *testing.T) {
	r := newReplayRing(3, 2, 1)
	if _, _, ok := r.pick(0); ok {
		t.Fatal("an empty ring picked a batch")
	}
	batch := func(v float32, l int) ([]float32, adversary.Labels) { return []float32{v, v + 0.5}, adversary.Labels{l, l + 1} }
	push := func(v float32, l int) { z, s := batch(v, l); r.push(z, s) }
	push(1, 10) // A
	push(2, 20) // B
	for tc, want := range []float32{1, 2, 1} {
		z, s, ok := r.pick(int64(tc))
		if !ok || z[0] != want || z[1] != want+0.5 || s[0] != int(want)*10 {
			t.Errorf("pick(%d) = %v %v %t, want the batch of %g", tc, z, s, ok, want)
		}
	}
	push(3, 30) // C
	push(4, 40) // D, over A
	if want := []float32{4, 4.5, 2, 2.5, 3, 3.5}; !slices.Equal(r.z, want) || r.filled != 3 || r.next != 1 {
		t.Errorf("ring %v, filled %d, next %d; want %v, 3, 1", r.z, r.filled, r.next, want)
	}
	if want := []int{40, 41, 20, 21, 30, 31}; !slices.Equal(r.s, want) {
		t.Errorf("labels %v, want %v", r.s, want)
	}

	// Saved and loaded, the ring is the same; a ring of another shape, a
	// damaged file or a missing one is an error naming the file.
	path := filepath.Join(t.TempDir(), "h.replay.safetensors")
	if err := r.save(path); err != nil {
		t.Fatal(err)
	}
	back := newReplayRing(3, 2, 1)
	if err := back.load(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.z, r.z) || !slices.Equal(back.s, r.s) || back.filled != 3 || back.next != 1 {
		t.Errorf("loaded %+v, want %+v", back, r)
	}
	if err := newReplayRing(4, 2, 1).load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a ring of 4 slots loaded a file of 3: %v", err)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-5], 0o644)
	if err := back.load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("truncated file: %v", err)
	}
	if err := back.load(path + ".gone"); err == nil {
		t.Error("a missing file loaded")
	}
	if newReplayRing(0, 2, 1) != nil {
		t.Error("replay 0 made a ring")
	}
}
