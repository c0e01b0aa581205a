package infomax

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one training step of the default conv model on a
// batch of 64 random 28 × 28 images, plain, cross-view (a second pass of
// the first two conv layers on the transformed batch, and drawing the
// transformations) and centred (each image shifted by bilinear
// interpolation before the encoder). Compare them in the same run:
//
//	go test ./infomax -run '^$' -bench Step -count 5
func BenchmarkStep(b *testing.B) {
	for _, bc := range []struct {
		name   string
		aug    Augment
		center bool
	}{{"plain", Augment{}, false}, {"cross-view", AffineAugment, false}, {"centred", Augment{}, true}} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig([]int{1, 28, 28})
			cfg.Augment, cfg.Center = bc.aug, bc.center
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

// BenchmarkCentre times centring a batch of 64 random 28 × 28 images, the
// work Center adds to each pass of the encoder; compare with BenchmarkStep
// in the same run.
func BenchmarkCentre(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 64*784)
	for i := range x {
		x[i] = rng.Float32()
	}
	dst, tmp := make([]float32, len(x)), make([]float32, 784)
	for b.Loop() {
		centre(dst, x, 64, 1, 28, 28, tmp)
	}
}
