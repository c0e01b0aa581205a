package infomax

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCentreByHand checks centre on small images whose centres of mass are
// worked out by hand; the image centre of a 5 × 5 image is (2, 2).
func TestCentreByHand(t *testing.T) {
	for _, tc := range []struct {
		name    string
		c, h, w int
		img     []float32
		want    []float32
	}{
		// One dot at (y, x) = (0, 1): shifted by (2, 1), a whole pixel
		// each way, it lands on the centre unblurred.
		{"dot", 1, 5, 5, dot5(0, 1, 1), dot5(2, 2, 1)},
		// Two dots at (1, 1) and (1, 2), centre of mass (1, 1.5): shifted
		// by (1, 0.5), row 2 samples row 1 halfway between columns, so
		// (2, 1) gets ½·0 + ½·1, (2, 2) gets ½·1 + ½·1, (2, 3) gets
		// ½·1 + ½·0. The mass stays 2, its centre (2, 2).
		{"half pixel", 1, 5, 5, add(dot5(1, 1, 1), dot5(1, 2, 1)), add(dot5(2, 1, 0.5), dot5(2, 2, 1), dot5(2, 3, 0.5))},
		// Weights 3 at (4, 4) and 1 at (0, 0): centre (3, 3), a shift of
		// (−1, −1); the dot at (0, 0) leaves the image.
		{"weighted", 1, 5, 5, add(dot5(4, 4, 3), dot5(0, 0, 1)), dot5(3, 3, 3)},
		// Negative values weigh nothing: the centre is the dot's, (0, 1)
		// again, and the −1 at (2, 1) moves with the image to (4, 2).
		{"negative", 1, 5, 5, add(dot5(0, 1, 1), dot5(2, 1, -1)), add(dot5(2, 2, 1), dot5(4, 2, -1))},
		// No ink: the image as it is.
		{"empty", 1, 5, 5, dot5(3, 3, -1), dot5(3, 3, -1)},
		// Two channels weigh together, centre (1, 2) from a dot at (0, 2)
		// in the first and one at (2, 2) in the second: both move down by
		// one.
		{"channels", 2, 5, 5, append(dot5(0, 2, 1), dot5(2, 2, 1)...), append(dot5(1, 2, 1), dot5(3, 2, 1)...)},
	} {
		out, tmp := make([]float32, len(tc.img)), make([]float32, len(tc.img))
		centre(out, tc.img, 1, tc.c, tc.h, tc.w, tmp)
		if maxDiff(out, tc.want) > 1e-6 {
			t.Errorf("%s: got %v, want %v", tc.name, out, tc.want)
		}
		// In place gives the same.
		in := slices.Clone(tc.img)
		centre(in, in, 1, tc.c, tc.h, tc.w, tmp)
		if !slices.Equal(in, out) {
			t.Errorf("%s in place: got %v, want %v", tc.name, in, out)
		}
	}
}

// dot5 is a 5 × 5 image with v at (y, x).
func dot5(y, x int, v float32) []float32 {
	img := make([]float32, 25)
	img[y*5+x] = v
	return img
}

func add(imgs ...[]float32) []float32 {
	out := make([]float32, len(imgs[0]))
	for _, img := range imgs {
		for i, v := range img {
			out[i] += v
		}
	}
	return out
}

// TestCenterIgnoresPosition trains one step on a batch of blobs and on the
// same blobs each moved elsewhere in the frame: with Center the encoder
// sees the same images, so the step's figures and the codes after it are
// the same; without it they differ (the check can fail).
func TestCenterIgnoresPosition(t *testing.T) {
	blob := func(r, c int) []float32 { // the 8 × 8 blob images' squares
		img := make([]float32, 64)
		for dy := range 3 {
			for dx := range 3 {
				img[(r+dy)*8+c+dx] = float32(1 + dy + 2*dx) // not symmetric
			}
		}
		return img
	}
	var a, b []float32
	for i := range 6 {
		a = append(a, blob(i%6, (i*5)%6)...)
		b = append(b, blob((i+3)%6, (i*5+2)%6)...)
	}
	step := func(center bool, x []float32) (Stats, []float32) {
		c := tinyConv(5)
		c.Center = center
		tr, err := NewTrainer(c)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		st, err := tr.Step(x, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float32, 6*c.Code)
		if err := tr.Codes(x, y); err != nil {
			t.Fatal(err)
		}
		return st, y
	}
	sa, ya := step(true, a)
	sb, yb := step(true, b)
	if math.Abs(sa.Loss-sb.Loss) > 1e-6 || math.Abs(sa.Local-sb.Local) > 1e-6 || maxDiff(ya, yb) > 1e-5 {
		t.Errorf("centred: moved blobs give loss %g, local %g, codes %v; in place %g, %g, %v", sb.Loss, sb.Local, yb, sa.Loss, sa.Local, ya)
	}
	pa, _ := step(false, a)
	pb, _ := step(false, b)
	if math.Abs(pa.Local-pb.Local) < 1e-4 {
		t.Errorf("not centred: moved blobs give the same local estimate, %g and %g", pa.Local, pb.Local)
	}
}
