package dataset

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"sync"

	"github.com/miaudit/miaudit/internal/atomicfile"
)

// StyledSpec describes the styled-writers benchmark: MNIST digits redrawn
// in the styles of a number of writers, so that identity (the writer) and a
// binary group leak into the images by construction. The zero value means
// 50 writers, seed 0 and all of MNIST.
type StyledSpec struct {
	// Writers is the number of writers K, at least 2; 0 means 50. Writers
	// w00 … w(K/2−1) form group "A", the others group "B".
	Writers int
	// Seed drives the writers' styles and which writer draws each digit.
	Seed uint64
	// Train and Test are how many of the source's train and test examples
	// are styled: the first ones, in the source's order. 0 means all.
	Train, Test int
	// Source is the data styled; nil means LoadMNIST(). It needs Shape
	// (1, H, W), a "split" column (train/test) and a label column "digit"
	// or, failing that, "label", which the result keeps under its name.
	Source *Dataset
}

// WriterStyle is one writer's style: the ground truth of the benchmark. A
// digit drawn by the writer is, in this order,
//
//  1. thickened or thinned: for Thickness t > 0, a grey-scale dilation
//     (maximum) over the disc of radius t, the offsets (dx, dy) with
//     dx² + dy² ≤ t² (5 pixels for t = 1, 13 for t = 2); for t < 0, a
//     grey-scale erosion (minimum) over the offsets dx, dy ≥ 0 with
//     dx + dy ≤ −t (for t = −1 the pixel, its right and its lower
//     neighbour), which thins strokes of every direction by one pixel.
//     Pixels outside the image count as 0. (Erosion over the 5-pixel disc
//     would remove about two thirds of MNIST's ink and all but erase one
//     digit in twelve, whose strokes are 2–3 pixels wide.)
//
//  2. warped about the image centre c = ((W−1)/2, (H−1)/2) by the affine
//     map taking a pixel p of the digit to
//
//     x' = cx + Scale·((x − cx) − Shear·(y − cy)) + DX
//     y' = cy + Scale·(y − cy) + DY
//
//     (so Shear > 0 leans the digit to the right, y pointing down), each
//     output pixel sampled at the inverse image of its position by
//     bilinear interpolation;
//
//  3. multiplied by Ink and rounded to a multiple of 1/255 (a byte, as
//     MNIST's own pixels are).
type WriterStyle struct {
	Writer    string  // "w00", "w01", … (zero-padded to the width of K−1)
	Group     string  // "A" for the first ⌊K/2⌋ writers, "B" for the rest
	Shear     float64 // slant, U(−0.35, 0.35)
	Thickness int     // stroke change: −1 or 0 in group A, +1 or +2 in group B
	Scale     float64 // size, U(0.8, 1.1)
	Ink       float64 // intensity, U(0.55, 1.0)
	DX, DY    int     // shift in pixels, right and down, each uniform in {−2, …, 2}
}

// Streams of the PCG generator seeded with StyledSpec.Seed: one for the
// styles, one for the assignment of examples to writers, so that the
// styles do not depend on how many examples are drawn.
const (
	styledStyleStream  = 0x7374796c6573 // "styles"
	styledAssignStream = 0x61737369676e // "assign"
)

const styledDefaultWriters = 50

func (s StyledSpec) writers() int {
	if s.Writers == 0 {
		return styledDefaultWriters
	}
	return s.Writers
}

// Styles returns the K writers' styles, which depend only on Writers and
// Seed. Group B's strokes are systematically thicker: Thickness is +1 or
// +2 in group B, −1 or 0 in group A (each value with probability ½), so
// group membership can be learnt from the images. The other parameters
// have the same distribution in both groups, so total ink, which they also
// change, overlaps between the groups.
func (s StyledSpec) Styles() ([]WriterStyle, error) {
	k := s.writers()
	if k < 2 {
		return nil, fmt.Errorf("styled: %d writers: want at least 2 (one per group)", k)
	}
	rng := rand.New(rand.NewPCG(s.Seed, styledStyleStream))
	width := max(2, len(strconv.Itoa(k-1)))
	st := make([]WriterStyle, k)
	for w := range st {
		group, thick := "A", -rng.IntN(2)
		if w >= k/2 {
			group, thick = "B", 1+rng.IntN(2)
		}
		st[w] = WriterStyle{
			Writer:    fmt.Sprintf("w%0*d", width, w),
			Group:     group,
			Thickness: thick,
			Shear:     -0.35 + 0.7*rng.Float64(),
			Scale:     0.8 + 0.3*rng.Float64(),
			Ink:       0.55 + 0.45*rng.Float64(),
			DX:        rng.IntN(5) - 2,
			DY:        rng.IntN(5) - 2,
		}
	}
	return st, nil
}

// styledName is the name of a styled dataset; WriteStyled recovers Writers
// and Seed from it (nameRE) to document the styles.
func styledName(source string, k int, seed uint64, train, test int) string {
	return fmt.Sprintf("styled-%s(writers=%d,seed=%d,train=%d,test=%d)", source, k, seed, train, test)
}

var styledNameRE = regexp.MustCompile(`\(writers=(\d+),seed=(\d+),train=\d+,test=\d+\)$`)

// StyledMNIST generates the styled-writers benchmark from spec: the first
// spec.Train train and spec.Test test digits of the source, each drawn by a
// writer with the writer's style (see WriterStyle). Writers are assigned at
// random but balanced: within each split, example i of a shuffled order
// goes to writer i mod K, so every writer draws ⌊n/K⌋ or ⌈n/K⌉ of a
// split's n examples.
//
// The result has the source's Shape, the train rows then the test rows,
// and attribute columns "digit" (the task; the source's label column),
// "writer" (the identity), "group" ("A"/"B", a protected attribute
// learnable from stroke thickness) and "split". Name is
// "styled-mnist(writers=K,seed=S,train=N,test=M)"; Hash is the SHA-256 of
// the name and the source's hash. The same spec gives the same dataset.
func StyledMNIST(spec StyledSpec) (*Dataset, error) {
	styles, err := spec.Styles()
	if err != nil {
		return nil, err
	}
	if spec.Train < 0 || spec.Test < 0 {
		return nil, fmt.Errorf("styled: Train %d and Test %d must not be negative (0 means all)", spec.Train, spec.Test)
	}
	src := spec.Source
	if src == nil {
		if src, err = LoadMNIST(); err != nil {
			return nil, err
		}
	}
	if len(src.Shape) != 3 || src.Shape[0] != 1 {
		return nil, fmt.Errorf("styled: source %s has examples of shape %v, want grey images (1, H, W)", src.Name, src.Shape)
	}
	if src.Attrs == nil {
		return nil, fmt.Errorf("styled: source %s has no attributes (want columns split and digit or label)", src.Name)
	}
	labelCol := "digit"
	if !src.Attrs.Has(labelCol) {
		labelCol = "label"
	}
	labels, err := src.Attrs.Column(labelCol)
	if err != nil {
		return nil, fmt.Errorf("styled: source %s: no column digit or label", src.Name)
	}
	splits, err := src.Attrs.Column("split")
	if err != nil {
		return nil, fmt.Errorf("styled: source %s: %w", src.Name, err)
	}
	var idx [2][]int // train, test rows of the source
	for i, s := range splits {
		switch s {
		case "train":
			idx[0] = append(idx[0], i)
		case "test":
			idx[1] = append(idx[1], i)
		default:
			return nil, fmt.Errorf("styled: source %s, row %d: split %q, want train or test", src.Name, i, s)
		}
	}
	for s, want := range []int{spec.Train, spec.Test} {
		name := []string{"train", "test"}[s]
		if want > len(idx[s]) {
			return nil, fmt.Errorf("styled: %d %s examples asked for, but source %s has %d", want, name, src.Name, len(idx[s]))
		}
		if want > 0 {
			idx[s] = idx[s][:want]
		}
	}
	if len(idx[0])+len(idx[1]) == 0 {
		return nil, fmt.Errorf("styled: source %s has no examples", src.Name)
	}

	k := len(styles)
	rng := rand.New(rand.NewPCG(spec.Seed, styledAssignStream))
	n := len(idx[0]) + len(idx[1])
	rows := make([]int, 0, n)   // source row of each example
	writer := make([]int, 0, n) // writer of each example
	for s := range idx {
		w := make([]int, len(idx[s]))
		for i := range w {
			w[i] = i % k
		}
		rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
		rows = append(rows, idx[s]...)
		writer = append(writer, w...)
	}

	h, w := src.Shape[1], src.Shape[2]
	size := h * w
	x := make([]float32, n*size)
	warps := make([]styleWarp, k)
	for i, st := range styles {
		warps[i] = newStyleWarp(st, h, w)
	}
	parallelChunks(n, func(lo, hi int) {
		tmp := make([]float32, size)
		for i := lo; i < hi; i++ {
			warps[writer[i]].apply(x[i*size:(i+1)*size], src.Example(rows[i]), tmp)
		}
	})

	cols := [4][]string{make([]string, n), make([]string, n), make([]string, n), make([]string, n)}
	for i, r := range rows {
		st := styles[writer[i]]
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = labels[r], st.Writer, st.Group, splits[r]
	}
	name := styledName(src.Name, k, spec.Seed, len(idx[0]), len(idx[1]))
	attrs, err := NewTable(name, []string{labelCol, "writer", "group", "split"}, cols[:])
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(name + "\n" + src.Hash))
	return &Dataset{
		Name:  name,
		Shape: append([]int(nil), src.Shape...),
		N:     n,
		X:     x,
		Attrs: attrs,
		Hash:  hex.EncodeToString(sum[:]),
	}, nil
}

// parallelChunks calls f on consecutive chunks of [0, n) from several
// goroutines and returns when all are done.
func parallelChunks(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/256))
	var wg sync.WaitGroup
	for t := range workers {
		lo, hi := t*n/workers, (t+1)*n/workers
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// styleWarp applies a WriterStyle to h × w images.
type styleWarp struct {
	st      WriterStyle
	h, w    int
	elem    [][2]int // offsets (dy, dx) of the structuring element
	cx, cy  float64
	invS    float64
	ink     float64
	warping bool // the affine map is not the identity
}

func newStyleWarp(st WriterStyle, h, w int) styleWarp {
	sw := styleWarp{st: st, h: h, w: w, cx: float64(w-1) / 2, cy: float64(h-1) / 2, invS: 1 / st.Scale, ink: st.Ink}
	switch r := st.Thickness; {
	case r > 0: // the disc of radius r
		for dy := -r; dy <= r; dy++ {
			for dx := -r; dx <= r; dx++ {
				if dx*dx+dy*dy <= r*r {
					sw.elem = append(sw.elem, [2]int{dy, dx})
				}
			}
		}
	case r < 0: // the triangle dx, dy ≥ 0, dx + dy ≤ −r
		for dy := 0; dy <= -r; dy++ {
			for dx := 0; dx+dy <= -r; dx++ {
				sw.elem = append(sw.elem, [2]int{dy, dx})
			}
		}
	}
	sw.warping = st.Shear != 0 || st.Scale != 1 || st.DX != 0 || st.DY != 0
	return sw
}

// apply writes the styled src to dst, using tmp (of the same size) as
// scratch space.
func (sw *styleWarp) apply(dst, src, tmp []float32) {
	h, w := sw.h, sw.w
	img := src
	if t := sw.st.Thickness; t != 0 {
		dilate := t > 0
		for y := range h {
			for x := range w {
				var v float32
				if !dilate {
					v = 1
				}
				for _, o := range sw.elem {
					yy, xx := y+o[0], x+o[1]
					var p float32
					if yy >= 0 && yy < h && xx >= 0 && xx < w {
						p = src[yy*w+xx]
					}
					if dilate {
						v = max(v, p)
					} else {
						v = min(v, p)
					}
				}
				tmp[y*w+x] = v
			}
		}
		img = tmp
	}
	for y := range h {
		v := float64(y) - sw.cy - float64(sw.st.DY)
		sy := sw.cy + v*sw.invS
		for x := range w {
			var p float64
			if sw.warping {
				u := float64(x) - sw.cx - float64(sw.st.DX)
				p = Bilinear(img, h, w, sy, sw.cx+(u+sw.st.Shear*v)*sw.invS)
			} else {
				p = float64(img[y*w+x])
			}
			dst[y*w+x] = float32(quantize(p*sw.ink)) / 255
		}
	}
}

// Bilinear samples the h × w image img at row sy, column sx by bilinear
// interpolation, pixels outside the image being 0.
func Bilinear(img []float32, h, w int, sy, sx float64) float64 {
	y0, x0 := math.Floor(sy), math.Floor(sx)
	fy, fx := sy-y0, sx-x0
	iy, ix := int(y0), int(x0)
	at := func(y, x int) float64 {
		if y < 0 || y >= h || x < 0 || x >= w {
			return 0
		}
		return float64(img[y*w+x])
	}
	return (1-fy)*((1-fx)*at(iy, ix)+fx*at(iy, ix+1)) + fy*((1-fx)*at(iy+1, ix)+fx*at(iy+1, ix+1))
}

// quantize maps an intensity in [0, 1] to the nearest byte value, clamping
// values outside.
func quantize(v float64) uint8 {
	switch {
	case !(v > 0): // NaN too
		return 0
	case v >= 1:
		return 255
	}
	return uint8(math.Round(v * 255))
}

// WriteStyled writes d, a dataset from StyledMNIST (or a Subset of one), to
// the folder dir, created if missing, in the layout LoadIDXDir reads:
//
//	train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz   the train rows
//	t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz    the test rows
//	attributes.csv   d's attribute columns (digit,writer,group,split), train rows then test rows
//	styles.csv       the ground truth: writer,group,shear,thickness,scale,ink,dx,dy
//
// Pixels are written as bytes, round(255·x). Each file is written
// atomically (a temporary file renamed into place); files already there
// are replaced. The gzip streams carry no name or time, so the same d gives
// the same bytes. d's rows must be its train rows, then its test rows.
func WriteStyled(dir string, d *Dataset) error {
	m := styledNameRE.FindStringSubmatch(d.Name)
	if m == nil {
		return fmt.Errorf("write styled %s: not a dataset from StyledMNIST (its name lacks \"(writers=K,seed=S,…)\"), so its styles are unknown", d.Name)
	}
	k, err1 := strconv.Atoi(m[1])
	seed, err2 := strconv.ParseUint(m[2], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("write styled %s: cannot read writers and seed from the name", d.Name)
	}
	styles, err := StyledSpec{Writers: k, Seed: seed}.Styles()
	if err != nil {
		return fmt.Errorf("write styled %s: %w", d.Name, err)
	}
	if len(d.Shape) != 3 || d.Shape[0] != 1 {
		return fmt.Errorf("write styled %s: examples of shape %v, want grey images (1, H, W)", d.Name, d.Shape)
	}
	if d.Attrs == nil || d.Attrs.Rows != d.N {
		return fmt.Errorf("write styled %s: want an attribute table with one row per example", d.Name)
	}
	labelCol := "digit"
	if !d.Attrs.Has(labelCol) {
		labelCol = "label"
	}
	labelStr, err := d.Attrs.Column(labelCol)
	if err != nil {
		return fmt.Errorf("write styled %s: no column digit or label", d.Name)
	}
	splits, err := d.Attrs.Column("split")
	if err != nil {
		return fmt.Errorf("write styled %s: %w", d.Name, err)
	}
	nTrain := 0
	for nTrain < d.N && splits[nTrain] == "train" {
		nTrain++
	}
	labels := make([]uint8, d.N)
	for i := range d.N {
		if i >= nTrain && splits[i] != "test" {
			return fmt.Errorf("write styled %s: row %d has split %q: want the train rows, then the test rows", d.Name, i, splits[i])
		}
		l, err := strconv.ParseUint(labelStr[i], 10, 8)
		if err != nil {
			return fmt.Errorf("write styled %s: row %d: %s %q is not an integer in [0, 255]", d.Name, i, labelCol, labelStr[i])
		}
		labels[i] = uint8(l)
	}
	h, w := d.Shape[1], d.Shape[2]
	pix := make([]uint8, len(d.X))
	for i, v := range d.X {
		pix[i] = quantize(float64(v))
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	size := h * w
	for _, f := range []struct {
		name string
		lo   int
		hi   int
	}{{idxTrainImages, 0, nTrain}, {idxTestImages, nTrain, d.N}} {
		err := writeGzipFile(filepath.Join(dir, f.name+".gz"), func(wr io.Writer) error {
			return WriteIDXImages(wr, f.hi-f.lo, h, w, pix[f.lo*size:f.hi*size])
		})
		if err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name   string
		labels []uint8
	}{{idxTrainLabels, labels[:nTrain]}, {idxTestLabels, labels[nTrain:]}} {
		err := writeGzipFile(filepath.Join(dir, f.name+".gz"), func(wr io.Writer) error {
			return WriteIDXLabels(wr, f.labels)
		})
		if err != nil {
			return err
		}
	}

	cols := make([][]string, len(d.Attrs.Header))
	for j, name := range d.Attrs.Header {
		cols[j], _ = d.Attrs.Column(name)
	}
	err = writeCSVFile(filepath.Join(dir, idxAttributes), d.Attrs.Header, d.N, func(i int) []string {
		rec := make([]string, len(cols))
		for j := range cols {
			rec[j] = cols[j][i]
		}
		return rec
	})
	if err != nil {
		return err
	}
	ftoa := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	return writeCSVFile(filepath.Join(dir, "styles.csv"),
		[]string{"writer", "group", "shear", "thickness", "scale", "ink", "dx", "dy"}, len(styles), func(i int) []string {
			s := styles[i]
			return []string{s.Writer, s.Group, ftoa(s.Shear), strconv.Itoa(s.Thickness), ftoa(s.Scale), ftoa(s.Ink), strconv.Itoa(s.DX), strconv.Itoa(s.DY)}
		})
}

// writeGzipFile writes path atomically, gzip-compressed, with what write
// writes. The gzip header carries no name and no time.
func writeGzipFile(path string, write func(io.Writer) error) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	zw := gzip.NewWriter(bw)
	err = write(zw)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// writeCSVFile writes path atomically as CSV: header, then n records.
func writeCSVFile(path string, header []string, n int, record func(i int) []string) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(header)
	for i := range n {
		cw.Write(record(i))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
