package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tinyDir is a folder in the MNIST layout written by
// testdata/idx/make_fixtures.py (Python's struct and gzip): 3 train and 2
// test images of 2×3 pixels, stored raw, gzipped, gzipped without the .gz
// name and raw with a .gz name.
const tinyDir = "testdata/idx/tiny"

// tinyHash is `cat train-images-idx3-ubyte train-labels-idx1-ubyte.gz
// t10k-images-idx3-ubyte t10k-labels-idx1-ubyte.gz | sha256sum` in tinyDir
// (GNU coreutils 9.1).
const tinyHash = "53ec2626a705b1a9f46f5759e8fefc0e54508c932b51d1c6f6bd6487b52213aa"

// tinyX are the pixels of tinyDir as make_fixtures.py lists them, /255.
var tinyX = func() []float32 {
	b := []float32{
		0, 51, 102, 153, 204, 255,
		255, 0, 0, 0, 0, 0,
		1, 2, 3, 4, 5, 6,
		10, 20, 30, 40, 50, 60,
		255, 255, 255, 255, 255, 255,
	}
	for i := range b {
		b[i] /= 255
	}
	return b
}()

func TestLoadIDXDirTiny(t *testing.T) {
	d, err := LoadIDXDir(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "idx:"+tinyDir || d.N != 5 || !reflect.DeepEqual(d.Shape, []int{1, 2, 3}) {
		t.Errorf("got name %q, N %d, shape %v, want idx:%s, 5, [1 2 3]", d.Name, d.N, d.Shape, tinyDir)
	}
	if !reflect.DeepEqual(d.X, tinyX) {
		t.Errorf("got pixels %v, want %v", d.X, tinyX)
	}
	// 51/255 is correctly rounded to float32(0.2): IEEE division.
	if got := d.Example(0)[1]; got != 0.2 {
		t.Errorf("got pixel 51 as %v, want 0.2", got)
	}
	if d.Hash != tinyHash {
		t.Errorf("got hash %s, want %s", d.Hash, tinyHash)
	}
	if !reflect.DeepEqual(d.Attrs.Header, []string{"label", "split"}) {
		t.Fatalf("got columns %v, want [label split]", d.Attrs.Header)
	}
	label, _ := d.Attrs.Column("label")
	split, _ := d.Attrs.Column("split")
	if want := []string{"7", "0", "255", "1", "2"}; !reflect.DeepEqual(label, want) {
		t.Errorf("got labels %v, want %v", label, want)
	}
	if want := []string{"train", "train", "train", "test", "test"}; !reflect.DeepEqual(split, want) {
		t.Errorf("got splits %v, want %v", split, want)
	}
}

func ExampleLoadIDXDir() {
	d, err := LoadIDXDir("testdata/idx/tiny")
	if err != nil {
		fmt.Println(err)
		return
	}
	label, _ := d.Attrs.Column("label")
	split, _ := d.Attrs.Column("split")
	fmt.Println(d.N, "examples of shape", d.Shape)
	fmt.Println("first:", d.Example(0), "label", label[0], split[0])
	// Output:
	// 5 examples of shape [1 2 3]
	// first: [0 0.2 0.4 0.6 0.8 1] label 7 train
}

// idxBytes builds an IDX file: magic, dimensions, data.
func idxBytes(magic uint32, dims []uint32, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(idxMagicImages, []uint32{3, 2, 3}, make([]byte, 18))
	for _, tc := range []struct {
		name string
		in   []byte
		want []string
	}{
		{"empty", nil, []string{"truncated header", "4-byte magic", "got 0"}},
		{"labels for images", idxBytes(idxMagicLabels, []uint32{3}, make([]byte, 3)),
			[]string{"bad magic number 0x00000801 at byte 0", "unsigned byte", "1 dimension", "want 0x00000803", "3 dimension"}},
		{"float32", idxBytes(0x00000D03, []uint32{1, 1, 1}, make([]byte, 4)), []string{"0x00000D03", "float32"}},
		{"not idx", []byte("PK\x03\x04 a zip file"), []string{"0x504B0304", "not an IDX file"}},
		{"short header", good[:10], []string{"truncated header", "want 12 bytes of dimensions from byte 4, got 6"}},
		// 3×2×3 = 18 bytes announced, 5 present.
		{"short data", good[:16+5], []string{"truncated data", "3×2×3 = 18 bytes from byte 16, got 5"}},
		{"trailing data", append(append([]byte(nil), good...), 9), []string{"unexpected data after byte 34"}},
		{"short gzip", gzipBytes(good)[:20], []string{"truncated", "(after decompression)"}},
		{"gzip trailer cut", func() []byte { z := gzipBytes(good); return z[:len(z)-4] }(), []string{"truncated gzip stream", "trailer"}},
		{"bad gzip header", []byte{0x1f, 0x8b, 0, 0}, []string{"gzip header"}},
		{"zero pixels", idxBytes(idxMagicImages, []uint32{1, 0, 3}, nil), []string{"images of 0×3 pixels"}},
		{"huge", idxBytes(idxMagicImages, []uint32{1 << 31, 1 << 31, 1 << 31}, nil), []string{"more than 1099511627776 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, _, err := readIDXImages("f.idx", bytes.NewReader(tc.in))
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("got %v, want an error matching ErrFormat", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "f.idx: ") {
				t.Errorf("got %q, want it to start with the file name", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("got %q, want it to contain %q", msg, w)
				}
			}
		})
	}
}

// A gzip stream whose checksum is wrong is caught: the reader drains the
// stream after the data.
func TestReadIDXGzipChecksum(t *testing.T) {
	z := gzipBytes(idxBytes(idxMagicLabels, []uint32{2}, []byte{1, 2}))
	z[len(z)-8] ^= 0xff // the CRC-32 is the trailer's first 4 bytes (RFC 1952)
	_, err := readIDXLabels("l.gz", bytes.NewReader(z))
	if !errors.Is(err, ErrFormat) || !errors.Is(err, gzip.ErrChecksum) {
		t.Errorf("got %v, want ErrFormat and gzip.ErrChecksum", err)
	}
}

func TestWriteIDX(t *testing.T) {
	// The writer reproduces the bytes Python's struct module wrote.
	want, err := os.ReadFile(filepath.Join(tinyDir, "train-images-idx3-ubyte"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteIDXImages(&buf, 3, 2, 3, []uint8{0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("got % x, want % x", buf.Bytes(), want)
	}
	want, _ = os.ReadFile(filepath.Join(tinyDir, "t10k-labels-idx1-ubyte.gz")) // raw despite the name
	buf.Reset()
	if err := WriteIDXLabels(&buf, []uint8{1, 2}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("got % x, want % x", buf.Bytes(), want)
	}
	if err := WriteIDXImages(&buf, 2, 2, 2, make([]uint8, 7)); err == nil || !strings.Contains(err.Error(), "7 pixels for 2×2×2") {
		t.Errorf("got %v, want a length mismatch error", err)
	}
	if err := WriteIDXImages(&buf, -1, 2, 2, nil); err == nil {
		t.Error("got nil error for a negative count")
	}
}

// copyTiny copies tinyDir to a new temporary folder and returns it.
func copyTiny(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(tinyDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadIDXDirErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(dir string) error
		is     error
		want   []string
	}{
		{"missing labels", func(dir string) error {
			return os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
		}, fs.ErrNotExist, []string{"neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte"}},
		{"label count", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), idxBytes(idxMagicLabels, []uint32{2}, []byte{1, 2}), 0o644)
		}, ErrFormat, []string{"train-labels-idx1-ubyte.gz: 2 labels for the 3 images of", "train-images-idx3-ubyte"}},
		{"image size", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), idxBytes(idxMagicImages, []uint32{2, 3, 2}, make([]byte, 12)), 0o644)
		}, ErrFormat, []string{"t10k-images-idx3-ubyte: images of 3×2 pixels, but", "has 2×3"}},
		{"truncated file", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), idxBytes(idxMagicImages, []uint32{3, 2, 3}, make([]byte, 17)), 0o644)
		}, ErrFormat, []string{"train-images-idx3-ubyte: truncated data", "18 bytes from byte 16, got 17"}},
		{"attribute rows", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "attributes.csv"), []byte("writer\na\nb\n"), 0o644)
		}, ErrFormat, []string{"attributes.csv: 2 rows, want 5"}},
		{"attribute split", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "attributes.csv"), []byte("split\ntrain\ntrain\ntest\ntest\ntest\n"), 0o644)
		}, ErrFormat, []string{"attributes.csv: line 4: split \"test\"", "say \"train\""}},
		{"attribute digit", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "attributes.csv"), []byte("digit\n7\n0\n255\n2\n2\n"), 0o644)
		}, ErrFormat, []string{"attributes.csv: line 5: digit \"2\"", "the label files say \"1\""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyTiny(t)
			if err := tc.change(dir); err != nil {
				t.Fatal(err)
			}
			_, err := LoadIDXDir(dir)
			if !errors.Is(err, tc.is) {
				t.Fatalf("got %v, want an error matching %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got %q, want it to contain %q", err, w)
				}
			}
		})
	}

	if _, err := LoadIDXDir(""); err == nil || !strings.Contains(err.Error(), "idx:DIR") {
		t.Errorf("empty folder name: got %v", err)
	}
	if _, err := LoadIDXDir(filepath.Join(t.TempDir(), "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing folder: got %v, want fs.ErrNotExist", err)
	}
	if _, err := LoadIDXDir(filepath.Join(tinyDir, "train-images-idx3-ubyte")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file: got %v", err)
	}
}

func TestLoadIDXDirAttributes(t *testing.T) {
	dir := copyTiny(t)
	csv := "digit,writer\n7,w1\n0,w2\n255,w1\n1,w3\n2,w2\n"
	if err := os.WriteFile(filepath.Join(dir, "attributes.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadIDXDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Attrs.Header, []string{"digit", "writer", "split"}) {
		t.Fatalf("got columns %v, want [digit writer split] (split added)", d.Attrs.Header)
	}
	w, _ := d.Attrs.Column("writer")
	s, _ := d.Attrs.Column("split")
	if !reflect.DeepEqual(w, []string{"w1", "w2", "w1", "w3", "w2"}) || !reflect.DeepEqual(s, []string{"train", "train", "train", "test", "test"}) {
		t.Errorf("got writers %v, splits %v", w, s)
	}
	if d.Hash == tinyHash {
		t.Error("the hash ignores attributes.csv")
	}
}

// A raw file is preferred over a .gz of the same name.
func TestLoadIDXDirPrefersRaw(t *testing.T) {
	dir := copyTiny(t)
	raw := idxBytes(idxMagicLabels, []uint32{2}, []byte{8, 9})
	if err := os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadIDXDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	label, _ := d.Attrs.Column("label")
	if got := label[3:]; !reflect.DeepEqual(got, []string{"8", "9"}) {
		t.Errorf("got test labels %v, want [8 9] from the raw file", got)
	}
}

// Fashion-MNIST as Debian's dataset-fashion-mnist installs it.
func TestLoadIDXDirFashionMNIST(t *testing.T) {
	const dir = "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("Fashion-MNIST not installed (apt install dataset-fashion-mnist)")
	}
	if testing.Short() {
		t.Skip("reads 30 MB; skipped with -short")
	}
	d, err := LoadIDXDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// `cat train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
	// t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz | sha256sum` in
	// dir, dataset-fashion-mnist 0.0~git20200523.55506a9-1.
	const hash = "362ba1f5424f406d0db9c78b0e83db011b09c121c5c5f94ee5c077628f9adb5c"
	if d.Hash != hash {
		t.Errorf("got hash %s, want %s", d.Hash, hash)
	}
	// Fashion-MNIST's README: 60,000 train and 10,000 test 28×28 images,
	// 10 classes, balanced (6,000 and 1,000 per class); the first train and
	// test images are ankle boots (class 9), as TensorFlow's classification
	// tutorial shows.
	checkIDXCounts(t, d, "label", [10]int{6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
		[10]int{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, "9", "9")
}

// checkIDXCounts checks a dataset in the MNIST layout: 28×28 images, the
// per-class counts of the train and test rows, the labels of the first
// train and test rows and the pixel range [0, 1], reached at both ends.
func checkIDXCounts(t *testing.T, d *Dataset, col string, train, test [10]int, firstTrain, firstTest string) {
	t.Helper()
	if !reflect.DeepEqual(d.Shape, []int{1, 28, 28}) || d.N != 70000 || len(d.X) != 70000*784 {
		t.Fatalf("got shape %v, N %d, %d values, want [1 28 28], 70000, 70000·784", d.Shape, d.N, len(d.X))
	}
	label, err := d.Attrs.Column(col)
	if err != nil {
		t.Fatal(err)
	}
	split, _ := d.Attrs.Column("split")
	var got [2][10]int
	for i, l := range label {
		s := 0
		if split[i] == "test" {
			s = 1
		}
		if (i < 60000) != (s == 0) {
			t.Fatalf("row %d: split %q, want train rows 0–59999 then test rows", i, split[i])
		}
		got[s][l[0]-'0']++
	}
	if got[0] != train || got[1] != test {
		t.Errorf("got per-class counts %v (train) %v (test), want %v %v", got[0], got[1], train, test)
	}
	if label[0] != firstTrain || label[60000] != firstTest {
		t.Errorf("got first labels %s (train) %s (test), want %s %s", label[0], label[60000], firstTrain, firstTest)
	}
	lo, hi := d.X[0], d.X[0]
	for _, v := range d.X {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("got pixel range [%v, %v], want [0, 1]", lo, hi)
	}
}

// FuzzReadIDX checks that the parser never panics and that what it accepts
// is consistent: the data is as long as the dimensions say.
func FuzzReadIDX(f *testing.F) {
	good := idxBytes(idxMagicImages, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(good)
	f.Add(gzipBytes(good))
	f.Add(good[:20])
	f.Add(idxBytes(idxMagicLabels, []uint32{3}, []byte{1, 2, 3}))
	f.Add(idxBytes(idxMagicImages, []uint32{1 << 30, 1 << 30, 4}, nil))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, data, err := readIDX("fuzz", bytes.NewReader(b), idxMagicImages)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Errorf("got %v, want an error matching ErrFormat", err)
			}
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if len(dims) != 3 || len(data) != n {
			t.Errorf("got dims %v and %d bytes", dims, len(data))
		}
	})
}
