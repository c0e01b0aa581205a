package dataset

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// smallStyled styles the first 300 train and 100 test digits of MNIST.
func smallStyled(t *testing.T, seed uint64) *Dataset {
	t.Helper()
	m, err := loadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	d, err := StyledMNIST(StyledSpec{Seed: seed, Train: 300, Test: 100, Source: m})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStyledMNIST(t *testing.T) {
	m, _ := loadMNIST()
	d := smallStyled(t, 1)
	if d.N != 400 || !reflect.DeepEqual(d.Shape, []int{1, 28, 28}) || len(d.X) != 400*784 {
		t.Fatalf("got N %d, shape %v, want 400, [1 28 28]", d.N, d.Shape)
	}
	if want := "styled-mnist(writers=50,seed=1,train=300,test=100)"; d.Name != want {
		t.Errorf("got name %q, want %q", d.Name, want)
	}
	if !reflect.DeepEqual(d.Attrs.Header, []string{"digit", "writer", "group", "split"}) {
		t.Fatalf("got columns %v", d.Attrs.Header)
	}
	digit, _ := d.Attrs.Column("digit")
	writer, _ := d.Attrs.Column("writer")
	group, _ := d.Attrs.Column("group")
	split, _ := d.Attrs.Column("split")
	mDigit, _ := m.Attrs.Column("digit")
	// Rows 0–299 are MNIST train rows 0–299, rows 300–399 MNIST test rows
	// 0–99 (MNIST rows 60000–60099).
	perWriter := map[string][2]int{}
	for i := range d.N {
		src, s := i, 0
		if i >= 300 {
			src, s = 60000+i-300, 1
		}
		if digit[i] != mDigit[src] || split[i] != []string{"train", "test"}[s] {
			t.Fatalf("row %d: got digit %s split %s, want %s %s", i, digit[i], split[i], mDigit[src], []string{"train", "test"}[s])
		}
		k, err := strconv.Atoi(strings.TrimPrefix(writer[i], "w"))
		if err != nil || len(writer[i]) != 3 || k < 0 || k >= 50 {
			t.Fatalf("row %d: writer %q, want w00…w49", i, writer[i])
		}
		if want := map[bool]string{true: "A", false: "B"}[k < 25]; group[i] != want {
			t.Errorf("row %d: writer %s in group %s, want %s", i, writer[i], group[i], want)
		}
		c := perWriter[writer[i]]
		c[s]++
		perWriter[writer[i]] = c
	}
	// Balanced assignment: 300/50 = 6 train and 100/50 = 2 test rows each.
	if len(perWriter) != 50 {
		t.Errorf("got %d writers, want 50", len(perWriter))
	}
	for w, c := range perWriter {
		if c != [2]int{6, 2} {
			t.Errorf("writer %s: got %d train, %d test rows, want 6, 2", w, c[0], c[1])
		}
	}
	for i, v := range d.X {
		if q := v * 255; q != float32(math.Round(float64(q))) || v < 0 || v > 1 {
			t.Fatalf("pixel %d = %v: want a multiple of 1/255 in [0, 1]", i, v)
		}
	}
}

func TestStyledStyles(t *testing.T) {
	st, err := StyledSpec{Writers: 2000, Seed: 5}.Styles()
	if err != nil {
		t.Fatal(err)
	}
	var thick [2]float64
	for k, s := range st {
		g := 0
		if k >= 1000 {
			g = 1
		}
		if s.Writer != fmt.Sprintf("w%04d", k) || s.Group != []string{"A", "B"}[g] {
			t.Fatalf("writer %d: got %s in group %s", k, s.Writer, s.Group)
		}
		if ok := map[int]bool{-1: g == 0, 0: g == 0, 1: g == 1, 2: g == 1}[s.Thickness]; !ok {
			t.Errorf("%s (group %s): thickness %d", s.Writer, s.Group, s.Thickness)
		}
		if !(s.Shear >= -0.35 && s.Shear < 0.35 && s.Scale >= 0.8 && s.Scale < 1.1 && s.Ink >= 0.55 && s.Ink < 1 &&
			s.DX >= -2 && s.DX <= 2 && s.DY >= -2 && s.DY <= 2) {
			t.Errorf("%s: parameters out of range: %+v", s.Writer, s)
		}
		thick[g] += float64(s.Thickness) / 1000
	}
	// Mean thickness −0.5 in group A (uniform on −1, 0) and 1.5 in group B
	// (uniform on 1, 2); the sd of a mean of 1000 is 0.5/√1000 ≈ 0.016.
	const tol = 0.1
	if math.Abs(thick[0]+0.5) > tol || math.Abs(thick[1]-1.5) > tol {
		t.Errorf("got mean thickness %v (A) %v (B), want −0.5, 1.5", thick[0], thick[1])
	}

	// The styles depend on Writers and Seed only.
	a, _ := StyledSpec{Writers: 3, Seed: 5, Train: 10}.Styles()
	b, _ := StyledSpec{Writers: 3, Seed: 5}.Styles()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("styles depend on Train: %v vs %v", a, b)
	}
	if a[0].Group != "A" || a[1].Group != "B" || a[2].Group != "B" || a[2].Writer != "w02" {
		t.Errorf("3 writers: got %+v, want w00 in A, w01 and w02 in B", a)
	}
	if d, _ := (StyledSpec{}).Styles(); len(d) != 50 {
		t.Errorf("got %d writers by default, want 50", len(d))
	}
}

// applyStyle styles a 28×28 image.
func applyStyle(st WriterStyle, img []float32) []float32 {
	sw := newStyleWarp(st, 28, 28)
	out := make([]float32, 784)
	sw.apply(out, img, make([]float32, 784))
	return out
}

// block returns a 28×28 image of 0 with value v on rows y0…y1, columns
// x0…x1 (inclusive).
func block(y0, y1, x0, x1 int, v float32) []float32 {
	img := make([]float32, 784)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			img[y*28+x] = v
		}
	}
	return img
}

func inkOf(img []float32) (sum float64, count int) {
	for _, v := range img {
		sum += float64(v)
		if v > 0 {
			count++
		}
	}
	return sum, count
}

// Each style parameter acts as documented, on images whose result is known
// by hand.
func TestStyleActs(t *testing.T) {
	id := WriterStyle{Scale: 1, Ink: 1}
	m, err := loadMNIST()
	if err != nil {
		t.Fatal(err)
	}
	if got := applyStyle(id, m.Example(0)); !reflect.DeepEqual(got, m.Example(0)) {
		t.Error("the identity style changes an MNIST digit")
	}

	for _, tc := range []struct {
		name      string
		st        WriterStyle
		img       []float32
		wantCount int
		want      []float32 // nil: only count
	}{
		// A dot dilated by the disc of radius 1: itself and its 4 neighbours.
		{"dilate 1", WriterStyle{Thickness: 1, Scale: 1, Ink: 1}, block(10, 10, 10, 10, 1), 5, nil},
		// Radius 2: the 13 offsets with dx² + dy² ≤ 4 (1 + 4 + 4·2 with |d| = 1, 2 on an axis, 4 diagonals).
		{"dilate 2", WriterStyle{Thickness: 2, Scale: 1, Ink: 1}, block(10, 10, 10, 10, 1), 13, nil},
		// A 3×3 block eroded by {(0,0), (0,1), (1,0)}: the pixels whose right
		// and lower neighbours are in the block, rows and columns 10–11.
		{"erode 1", WriterStyle{Thickness: -1, Scale: 1, Ink: 1}, block(10, 12, 10, 12, 1), 4, block(10, 11, 10, 11, 1)},
		// An integer shift moves the block: right 2, up 1.
		{"shift", WriterStyle{Scale: 1, Ink: 1, DX: 2, DY: -1}, block(10, 12, 5, 7, 1), 9, block(9, 11, 7, 9, 1)},
		// Ink 0.5 on white: 0.5·255 = 127.5, rounded half away from zero to 128.
		{"ink", WriterStyle{Scale: 1, Ink: 0.5}, block(10, 12, 5, 7, 1), 9, block(10, 12, 5, 7, 128.0/255)},
		// Scale 0.5 about 13.5 samples the input at 13.5 + 2(q − 13.5): a
		// 12×12 block on 8…19 covers outputs q with 8 ≤ 2q − 13.5 ≤ 19, that
		// is q = 11…16 (q = 11 samples 8.5, between two ones; q = 10 samples
		// 6.5, between two zeros).
		{"scale", WriterStyle{Scale: 0.5, Ink: 1}, block(8, 19, 8, 19, 1), 36, block(11, 16, 11, 16, 1)},
	} {
		got := applyStyle(tc.st, tc.img)
		if _, c := inkOf(got); c != tc.wantCount {
			t.Errorf("%s: got %d inked pixels, want %d", tc.name, c, tc.wantCount)
		}
		if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got a different image than computed by hand", tc.name)
		}
	}

	// Shear k moves row y by −k·(y − 13.5) columns: a vertical bar on
	// columns 13–14 (centroid 13.5) gets centroid 13.5 − k·(y − 13.5) in row
	// y. Bilinear interpolation keeps a row's centroid under a shift; the
	// rounding of pixels to 1/255 moves it by less than 0.01.
	const k, tol = 0.25, 0.01
	got := applyStyle(WriterStyle{Shear: k, Scale: 1, Ink: 1}, block(4, 23, 13, 14, 1))
	for y := 4; y <= 23; y++ {
		var s, sx float64
		for x := range 28 {
			s += float64(got[y*28+x])
			sx += float64(x) * float64(got[y*28+x])
		}
		if want := 13.5 - k*(float64(y)-13.5); math.Abs(sx/s-want) > tol {
			t.Errorf("shear: row %d: got centroid column %.4f, want %.4f", y, sx/s, want)
		}
	}

	// On MNIST digits: thicker strokes carry more ink, thinner less.
	for i := range 100 {
		x := m.Example(i)
		ink, _ := inkOf(x)
		thick, _ := inkOf(applyStyle(WriterStyle{Thickness: 2, Scale: 1, Ink: 1}, x))
		thin, _ := inkOf(applyStyle(WriterStyle{Thickness: -1, Scale: 1, Ink: 1}, x))
		if !(thin < ink && ink < thick) {
			t.Errorf("MNIST %d: got ink %.1f thinned, %.1f, %.1f thickened", i, thin, ink, thick)
		}
	}
}

// Group B's thicker strokes show in the data: its digits carry more ink.
func TestStyledGroupsDiffer(t *testing.T) {
	d := smallStyled(t, 0)
	group, _ := d.Attrs.Column("group")
	var ink [2]float64
	var n [2]int
	for i := range d.N {
		g := 0
		if group[i] == "B" {
			g = 1
		}
		s, _ := inkOf(d.Example(i))
		ink[g] += s
		n[g]++
	}
	a, b := ink[0]/float64(n[0]), ink[1]/float64(n[1])
	// On 1000 MNIST digits, dilation by the disc of radius 1 and 2 raises
	// the mean ink from 100.5 to 172.5 and 242.7, erosion by the 3-pixel
	// element lowers it to 62.0 (measured once): group B's digits carry
	// about 2.5 times group A's ink if A's and B's ink factors and scales
	// average out; require well under that.
	if !(b > 1.8*a) {
		t.Errorf("got mean ink %.1f (A) %.1f (B), want B > 1.8·A", a, b)
	}
}

func TestStyledDeterministic(t *testing.T) {
	a, b, c := smallStyled(t, 7), smallStyled(t, 7), smallStyled(t, 8)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same spec gave different datasets")
	}
	if reflect.DeepEqual(a.X, c.X) || a.Hash == c.Hash {
		t.Error("seeds 7 and 8 gave the same images or hash")
	}
	wa, _ := a.Attrs.Column("writer")
	wc, _ := c.Attrs.Column("writer")
	if reflect.DeepEqual(wa, wc) {
		t.Error("seeds 7 and 8 gave the same writers")
	}

	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, d := range []*Dataset{a, b, c} {
		if err := WriteStyled(dirs[i], d); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "attributes.csv", "styles.csv"}
	ents, _ := os.ReadDir(dirs[0])
	if len(ents) != len(names) {
		t.Errorf("got %d files, want %d (no temporary files left)", len(ents), len(names))
	}
	for _, name := range names {
		fa, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		fb, _ := os.ReadFile(filepath.Join(dirs[1], name))
		fc, _ := os.ReadFile(filepath.Join(dirs[2], name))
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s: the same seed wrote different bytes", name)
		}
		if bytes.Equal(fa, fc) && name != "train-labels-idx1-ubyte.gz" && name != "t10k-labels-idx1-ubyte.gz" {
			t.Errorf("%s: seeds 7 and 8 wrote the same bytes", name)
		}
	}
}

func TestWriteStyledRoundTrip(t *testing.T) {
	d := smallStyled(t, 3)
	dir := filepath.Join(t.TempDir(), "new") // created by WriteStyled
	if err := WriteStyled(dir, d); err != nil {
		t.Fatal(err)
	}
	back, err := LoadIDXDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The generator rounds pixels to bytes, so the round trip is exact.
	if back.N != d.N || !reflect.DeepEqual(back.Shape, d.Shape) || !reflect.DeepEqual(back.X, d.X) {
		t.Error("the images read back differ from those written")
	}
	if !reflect.DeepEqual(back.Attrs.Header, d.Attrs.Header) {
		t.Fatalf("got columns %v, want %v", back.Attrs.Header, d.Attrs.Header)
	}
	for _, h := range d.Attrs.Header {
		got, _ := back.Attrs.Column(h)
		want, _ := d.Attrs.Column(h)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("column %s differs after the round trip", h)
		}
	}

	// styles.csv documents the ground truth exactly.
	st, _ := StyledSpec{Seed: 3}.Styles()
	tab, err := ReadLabels(filepath.Join(dir, "styles.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"writer", "group", "shear", "thickness", "scale", "ink", "dx", "dy"}; !reflect.DeepEqual(tab.Header, want) || tab.Rows != 50 {
		t.Fatalf("styles.csv: got columns %v and %d rows, want %v and 50", tab.Header, tab.Rows, want)
	}
	shear, _ := tab.Column("shear")
	thick, _ := tab.Column("thickness")
	for k, s := range st {
		f, _ := strconv.ParseFloat(shear[k], 64)
		if f != s.Shear || thick[k] != strconv.Itoa(s.Thickness) {
			t.Errorf("styles.csv row %d: shear %s thickness %s, want %v %d", k, shear[k], thick[k], s.Shear, s.Thickness)
		}
	}

	// A subset keeps its name, so it can be written too.
	sub, _ := d.Subset([]int{0, 1, 350})
	if err := WriteStyled(t.TempDir(), sub); err != nil {
		t.Errorf("writing a subset: %v", err)
	}
}

func TestStyledErrors(t *testing.T) {
	tiny, err := LoadIDXDir(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	vec := &Dataset{Name: "vec", Shape: []int{6}, N: tiny.N, X: tiny.X, Attrs: tiny.Attrs}
	for _, tc := range []struct {
		name string
		spec StyledSpec
		want string
	}{
		{"one writer", StyledSpec{Writers: 1, Source: tiny}, "1 writers: want at least 2"},
		{"negative writers", StyledSpec{Writers: -4, Source: tiny}, "-4 writers"},
		{"negative train", StyledSpec{Train: -1, Source: tiny}, "must not be negative"},
		{"too many", StyledSpec{Train: 4, Source: tiny}, "4 train examples asked for, but source idx:testdata/idx/tiny has 3"},
		{"vectors", StyledSpec{Source: vec}, "shape [6]"},
	} {
		if _, err := StyledMNIST(tc.spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}

	// Styling another source keeps its label column.
	d, err := StyledMNIST(StyledSpec{Writers: 2, Source: tiny})
	if err != nil {
		t.Fatal(err)
	}
	if d.Attrs.Header[0] != "label" || d.N != 5 {
		t.Errorf("got columns %v and %d rows, want label first and 5", d.Attrs.Header, d.N)
	}
	if err := WriteStyled(t.TempDir(), tiny); err == nil || !strings.Contains(err.Error(), "not a dataset from StyledMNIST") {
		t.Errorf("writing unstyled data: got %v", err)
	}
	rev, _ := d.Subset([]int{4, 0})
	if err := WriteStyled(t.TempDir(), rev); err == nil || !strings.Contains(err.Error(), "row 1 has split \"train\"") {
		t.Errorf("writing test rows before train rows: got %v", err)
	}
}
