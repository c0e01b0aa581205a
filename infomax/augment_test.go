package infomax

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTransformByHand checks each part of a transformation on small images,
// the expected pixels worked out by hand from the forward map
// p' = c + s·R(θ)·S·(p − c) + d about the centre c.
func TestTransformByHand(t *testing.T) {
	id := transform{scale: 1, ink: 1}
	dot := func(h, w, y, x int) []float32 { // one bright pixel at (y, x)
		img := make([]float32, h*w)
		img[y*w+x] = 1
		return img
	}
	for _, tc := range []struct {
		name string
		tf   func(transform) transform
		h, w int
		img  []float32
		want []float32
	}{
		{"identity", func(tf transform) transform { return tf }, 2, 3, []float32{1, 2, 3, 4, 5, 6}, []float32{1, 2, 3, 4, 5, 6}},
		// A shift of one pixel right: column 0 comes from outside (0).
		{"shift", func(tf transform) transform { tf.dx = 1; return tf }, 2, 3, []float32{1, 2, 3, 4, 5, 6}, []float32{0, 1, 2, 0, 4, 5}},
		// Half a pixel down: each row is the mean of itself and the one above.
		{"half shift", func(tf transform) transform { tf.dy = 0.5; return tf }, 2, 2, []float32{2, 4, 6, 8}, []float32{1, 2, 4, 6}},
		// 90° with y down: p − c = (1, 0), right of the centre (1, 1),
		// goes to R·(1, 0) = (0, 1), below it.
		{"rotate", func(tf transform) transform { tf.theta = math.Pi / 2; return tf }, 3, 3, dot(3, 3, 1, 2), dot(3, 3, 2, 1)},
		// Shear 1: x' = x + (y − cy), so the pixel below the centre moves
		// right by one and the one above it moves left.
		{"shear below", func(tf transform) transform { tf.shear = 1; return tf }, 3, 3, dot(3, 3, 2, 1), dot(3, 3, 2, 2)},
		{"shear above", func(tf transform) transform { tf.shear = 1; return tf }, 3, 3, dot(3, 3, 0, 1), dot(3, 3, 0, 0)},
		// Scale 2 about c = (2, 2), the dot at (x, y) = (3, 2): output
		// (4, 2) samples the input at (3, 2) itself, (3, 2) samples
		// (2.5, 2), halfway to the dot's left neighbour, and (3, 1)
		// samples (2.5, 1.5), a quarter of the way.
		{"scale", func(tf transform) transform { tf.scale = 2; return tf }, 5, 5, dot(5, 5, 2, 3),
			[]float32{0, 0, 0, 0, 0, 0, 0, 0, 0.25, 0.5, 0, 0, 0, 0.5, 1, 0, 0, 0, 0.25, 0.5, 0, 0, 0, 0, 0}},
		{"ink", func(tf transform) transform { tf.ink = 0.5; return tf }, 1, 2, []float32{1, 0.5}, []float32{0.5, 0.25}},
		// Dilation over the pixel and its right, lower and lower-right
		// neighbours grows a dot up and left; erosion keeps, of a 2 × 2
		// block, its top-left pixel.
		{"dilate", func(tf transform) transform { tf.morph = 1; return tf }, 3, 3, dot(3, 3, 1, 1), []float32{1, 1, 0, 1, 1, 0, 0, 0, 0}},
		{"erode", func(tf transform) transform { tf.morph = -1; return tf }, 3, 3, []float32{0, 0, 0, 0, 1, 1, 0, 1, 1}, dot(3, 3, 1, 1)},
	} {
		out, tmp := make([]float32, len(tc.img)), make([]float32, len(tc.img))
		tc.tf(id).apply(out, tc.img, tc.h, tc.w, tmp)
		for i := range out {
			if math.Abs(float64(out[i]-tc.want[i])) > 1e-6 {
				t.Errorf("%s: got %v, want %v", tc.name, out, tc.want)
				break
			}
		}
	}
}

// TestAugmentDraws checks the draws of Augment.apply over many images: the
// ranges are used and respected, every channel of an image gets the same
// draw, and a seed gives the same output.
func TestAugmentDraws(t *testing.T) {
	const n, h, w = 400, 3, 3
	ones := make([]float32, 2*n*h*w) // two channels
	for i := range ones {
		ones[i] = 1
	}
	run := func(a Augment, seed uint64) []float32 {
		out := make([]float32, len(ones))
		a.apply(out, ones, n, 2, h, w, rand.New(rand.NewPCG(seed, 0)), make([]float32, h*w))
		return out
	}
	// Ink alone scales a whole image (both channels) by one factor in
	// [0.6, 1.4]; the factors' mean is 1 ± 0.05 (its sd is 0.4/√3/√400 =
	// 0.012) and they reach within 0.1 of both ends.
	out := run(Augment{Ink: 0.4}, 1)
	lo, hi, sum := 2.0, 0.0, 0.0
	for i := range n {
		f := out[i*2*h*w]
		for _, v := range out[i*2*h*w : (i+1)*2*h*w] {
			if v != f {
				t.Fatalf("image %d: values %v, want one factor", i, out[i*2*h*w:(i+1)*2*h*w])
			}
		}
		lo, hi, sum = min(lo, float64(f)), max(hi, float64(f)), sum+float64(f)
	}
	if lo < 0.6 || hi > 1.4 || lo > 0.7 || hi < 1.3 || math.Abs(sum/n-1) > 0.05 {
		t.Errorf("ink factors in [%.3f, %.3f], mean %.3f; want within [0.6, 1.4], reaching both ends, mean 1", lo, hi, sum/n)
	}
	if again := run(Augment{Ink: 0.4}, 1); !slices.Equal(out, again) {
		t.Error("the same seed gave different images")
	}
	if other := run(Augment{Ink: 0.4}, 2); slices.Equal(out, other) {
		t.Error("another seed gave the same images")
	}
	// Stroke 0.5 on an image of ones: erosion zeroes the last row and
	// column (outside counts as 0), dilation changes nothing; so a
	// quarter of the images lose 5 of their 9 pixels. 100 ± 4·8.7 expected.
	out, eroded := run(Augment{Stroke: 0.5}, 3), 0
	for i := range n {
		switch s := sumFloats(out[i*2*h*w : (i+1)*2*h*w]); s {
		case 8:
			eroded++
		case 18:
		default:
			t.Fatalf("image %d sums to %g, want 18 (as it was) or 8 (eroded)", i, s)
		}
	}
	if eroded < 65 || eroded > 135 {
		t.Errorf("%d of %d images eroded, want 100 ± 35", eroded, n)
	}
}

func sumFloats(a []float32) float64 {
	s := 0.0
	for _, v := range a {
		s += float64(v)
	}
	return s
}

// TestCrossView checks the wiring of cross-view DIM: with transformations
// too small to change a pixel, the first step's local estimate is the plain
// trainer's (same weights, same batch); with shifts it differs, while
// global DIM, which scores the code against the untransformed map, does
// not. (What the heads judge is TestBothViews'.)
func TestCrossView(t *testing.T) {
	data := blobImages(t, 6, 4)
	batch := data.X[:6*64]
	first := func(a Augment) Stats {
		c := tinyConv(5)
		c.Augment = a
		tr, err := NewTrainer(c)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		st, err := tr.Step(batch, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	plain, tiny, moved := first(Augment{}), first(Augment{Ink: 1e-9}), first(Augment{Shift: 3})
	if math.Abs(tiny.Local-plain.Local) > 1e-5 || math.Abs(tiny.Global-plain.Global) > 1e-5 {
		t.Errorf("near-identity view: local %g, global %g; plain DIM: %g, %g", tiny.Local, tiny.Global, plain.Local, plain.Global)
	}
	if math.Abs(moved.Local-plain.Local) < 1e-4 {
		t.Errorf("shifted view: local %g, the same as plain DIM's %g", moved.Local, plain.Local)
	}
	if moved.Global != plain.Global {
		t.Errorf("shifted view: global %g, want plain DIM's %g (global DIM sees the images as they are)", moved.Global, plain.Global)
	}
}

func TestAugmentValidate(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Augment = Augment{Rotate: 181} }, "rotate 181"},
		{func(c *Config) { c.Augment = Augment{Scale: 1} }, "scale 1"},
		{func(c *Config) { c.Augment = Augment{Ink: -0.1} }, "ink -0.1"},
		{func(c *Config) { c.Augment = Augment{Stroke: 1.5} }, "stroke 1.5"},
		{func(c *Config) { c.Augment = Augment{Both: true} }, "without a transformation"},
		{func(c *Config) { c.Augment = Augment{Shift: math.NaN()} }, "shift NaN"},
		{func(c *Config) { c.Augment, c.Beta = AffineAugment, 0 }, "local DIM"},
		{func(c *Config) { *c = DefaultConfig([]int{4}); c.Augment = AffineAugment }, "conv encoder"},
	} {
		c := tinyConv(1)
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
	c := tinyConv(1)
	c.Augment = AffineAugment
	if err := c.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// recorder is a Head that records the codes and rows of its first step.
type recorder struct {
	y    []float32
	rows []int
}

func (r *recorder) Columns() []string { return nil }
func (r *recorder) Step(y []float32, rows []int, k int64, g []float32) ([]float64, error) {
	if r.y == nil {
		r.y, r.rows = slices.Clone(y), slices.Clone(rows)
	}
	return nil, nil
}
func (r *recorder) Save(string) error { return nil }
func (r *recorder) Load(string) error { return nil }
func (r *recorder) Close() error      { return nil }

// TestBothViews checks what the heads judge: the codes of the batch's
// images as they are with one transformed view, and codes of transformed
// copies, not those of the images, with both.
func TestBothViews(t *testing.T) {
	data := blobImages(t, 34, 2)
	both := AffineAugment
	both.Both = true
	for _, tc := range []struct {
		aug  Augment
		same bool
	}{{AffineAugment, true}, {both, false}} {
		cfg := tinyConv(6)
		cfg.Augment = tc.aug
		rec := &recorder{}
		r, err := NewRun(cfg, RunOptions{Dir: filepath.Join(t.TempDir(), "run"), Data: data, Epochs: 1, Heads: []Head{rec}, CheckpointEvery: 10})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		r.Close()
		// The codes of the first batch's images under the initial weights.
		tr, err := NewTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, 0, cfg.Batch*64)
		for _, row := range rec.rows {
			x = append(x, data.Example(row)...)
		}
		want := make([]float32, cfg.Batch*cfg.Code)
		if err := tr.Codes(x, want); err != nil {
			t.Fatal(err)
		}
		tr.Close()
		if got := maxDiff(rec.y, want); (got < 1e-6) != tc.same {
			t.Errorf("both=%v: the heads' codes are %g from the images' codes; want them the same: %v", tc.aug.Both, got, tc.same)
		}
	}
}
