package infomax

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one training step of the default conv model on a
// batch of 64 random 28 × 28 images, plain and cross-view (a second pass of
// the first two conv layers on the transformed batch, and drawing the
// transformations). Compare the two in the same run:
//
//	go test ./infomax -run '^$' -bench Step -count 5
func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		name string
		aug  Augment
	}{{"plain", Augment{}}, {"cross-view", AffineAugment}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig([]int{1, 28, 28})
			cfg.Augment = bc.aug
			tr, err := NewTrainer(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			rng := rand.New(rand.NewPCG(1, 2))
			x := make([]float32, cfg.Batch*cfg.InputSize())
			for i := range x {
				x[i] = rng.Float32()
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := tr.Step(x, rng); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
