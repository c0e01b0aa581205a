package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// level16 is one step of a 16-bit channel, the resolution at which
// golang.org/x/image/draw rounds resampled values.
const level16 = 1.0 / 0xffff

// writeFile writes b to dir/rel, making folders as needed.
func writeFile(t *testing.T, dir, rel string, b []byte) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pngBytes encodes img as PNG.
func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// grayImage returns a w×h grey image with the given 8-bit values, row by row.
func grayImage(w, h int, v ...uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, v)
	return img
}

// rgbImage returns a w×h opaque colour image with the given pixels, row by
// row.
func rgbImage(w, h int, px ...color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i, c := range px {
		img.SetNRGBA(i%w, i/w, c)
	}
	return img
}

// uniform returns a w×h grey image of value v.
func uniform(w, h int, v uint8) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

// checkValues compares got with want, each within tol.
func checkValues(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol {
			t.Errorf("%s: value %d: got %v, want %v", name, i, got[i], want[i])
		}
	}
}

// labelFolder writes a folder of three 2×2 images in two label folders, and
// files that LoadImageFolder ignores. It returns the folder.
func labelFolder(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, dir, "a/1.png", pngBytes(t, grayImage(2, 2, 0, 64, 128, 255)))
	writeFile(t, dir, "a/2.PNG", pngBytes(t, rgbImage(2, 2,
		color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 255, 0, 255},
		color.NRGBA{0, 0, 255, 255}, color.NRGBA{10, 20, 30, 255})))
	writeFile(t, dir, "b/x.png", pngBytes(t, uniform(2, 2, 200)))
	writeFile(t, dir, "a/notes.txt", []byte("not an image"))
	writeFile(t, dir, "a/.hidden.png", []byte("ignored"))
	writeFile(t, dir, ".git/HEAD", []byte("ignored"))
	writeFile(t, dir, "README.md", []byte("ignored"))
	return dir
}

// The expected values of labelFolder's images at size 2 (no resampling):
// 8-bit values over 255, and for colour the BT.601 luma by hand:
//
//	red (255, 0, 0)     → 0.299
//	green (0, 255, 0)   → 0.587
//	blue (0, 0, 255)    → 0.114
//	(10, 20, 30)        → (0.299·10 + 0.587·20 + 0.114·30)/255 = 18.15/255
var (
	grey1 = []float64{0, 64.0 / 255, 128.0 / 255, 1}
	luma2 = []float64{0.299, 0.587, 0.114, 18.15 / 255}
	grey3 = []float64{200.0 / 255, 200.0 / 255, 200.0 / 255, 200.0 / 255}
)

// float32Tol covers rounding a value in [0, 1] to float32.
const float32Tol = 1e-7

func TestLoadImageFolderLabels(t *testing.T) {
	dir := labelFolder(t)
	d, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "images:"+dir || !slices.Equal(d.Shape, []int{1, 2, 2}) || d.N != 3 {
		t.Fatalf("got %s, shape %v, %d examples; want images:%s, [1 2 2], 3", d.Name, d.Shape, d.N, dir)
	}
	checkValues(t, "a/1.png", d.Example(0), grey1, float32Tol)
	checkValues(t, "a/2.PNG", d.Example(1), luma2, float32Tol)
	checkValues(t, "b/x.png", d.Example(2), grey3, float32Tol)
	if got := column(t, d.Attrs, "label"); !slices.Equal(got, []string{"a", "a", "b"}) {
		t.Errorf("label: got %q, want [a a b]", got)
	}
	if got := column(t, d.Attrs, "path"); !slices.Equal(got, []string{"a/1.png", "a/2.PNG", "b/x.png"}) {
		t.Errorf("path: got %q", got)
	}

	// The hash as documented: per file, its relative path, a zero byte,
	// its length (8 bytes, little-endian) and its content.
	h := sha256.New()
	for _, rel := range []string{"a/1.png", "a/2.PNG", "b/x.png"} {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(rel + "\x00"))
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	if want := hex.EncodeToString(h.Sum(nil)); d.Hash != want {
		t.Errorf("Hash: got %s, want %s", d.Hash, want)
	}
	// Renaming a label changes the hash.
	if err := os.Rename(filepath.Join(dir, "b"), filepath.Join(dir, "c")); err != nil {
		t.Fatal(err)
	}
	d2, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Hash == d.Hash {
		t.Errorf("renaming label b to c left the hash unchanged")
	}

	// Three channels: grey repeated, colour kept; through Load.
	d3, err := Load("images:"+dir, LoadOptions{ImageSize: 2, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d3.Shape, []int{3, 2, 2}) {
		t.Fatalf("Shape: got %v, want [3 2 2]", d3.Shape)
	}
	checkValues(t, "a/1.png RGB", d3.Example(0), slices.Concat(grey1, grey1, grey1), float32Tol)
	checkValues(t, "a/2.PNG RGB", d3.Example(1), []float64{
		1, 0, 0, 10.0 / 255, // R plane
		0, 1, 0, 20.0 / 255, // G plane
		0, 0, 1, 30.0 / 255, // B plane
	}, float32Tol)
}

func TestLoadImageFolderResize(t *testing.T) {
	dir := t.TempDir()
	// A uniform image stays uniform at any size: the filter's weights are
	// normalised to sum to 1.
	writeFile(t, dir, "u/uniform.png", pngBytes(t, uniform(5, 3, 77)))
	// Shrinking 2×2 to 1×1: the output centre is equidistant from the four
	// pixel centres, so the four weights are equal and the result is the
	// mean (0 + 255 + 255 + 0)/4 = 127.5, i.e. 0.5.
	writeFile(t, dir, "v/checker.png", pngBytes(t, grayImage(2, 2, 0, 255, 255, 0)))
	// Stretching, not cropping: a 4×2 image, left half 0, right half 255,
	// to 2×2. Rows are copied (same height: Catmull-Rom weights 1 at
	// distance 0 and 0 at distance 1). Across, the output pixel 0 is
	// centred at source x = 0.5, and shrinking by 2 halves the kernel
	// argument, so source pixels 0, 1, 2, 3 at distances 0.5, 0.5, 1.5, 2.5
	// get Catmull-Rom weights k(0.25), k(0.25), k(0.75), k(1.25) with
	//
	//	k(t) = 1.5t³ − 2.5t² + 1          for t < 1
	//	k(t) = −0.5t³ + 2.5t² − 4t + 2    for 1 ≤ t < 2
	//
	// k(0.25) = 0.8671875, k(0.75) = 0.2265625, k(1.25) = −0.0703125, so
	// pixel 0 is (0.2265625 − 0.0703125)/1.890625 = 10/121 and pixel 1 by
	// symmetry 111/121. (A centre crop would give exactly 0 and 1.)
	writeFile(t, dir, "w/wide.png", pngBytes(t, grayImage(4, 2, 0, 0, 255, 255, 0, 0, 255, 255)))

	d, err := LoadImageFolder(dir, LoadOptions{ImageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, 16)
	for i := range want {
		want[i] = 77.0 / 255
	}
	checkValues(t, "uniform 5×3 → 4×4", d.Example(0), want, level16)

	d, err = LoadImageFolder(dir, LoadOptions{ImageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, "checker 2×2 → 1×1", d.Example(1), []float64{0.5}, level16)

	d, err = LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkValues(t, "wide 4×2 → 2×2", d.Example(2), []float64{10.0 / 121, 111.0 / 121, 10.0 / 121, 111.0 / 121}, level16)

	// The default size is 28.
	d, err = LoadImageFolder(dir, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Shape, []int{1, 28, 28}) {
		t.Errorf("default Shape: got %v, want [1 28 28]", d.Shape)
	}
}

func TestLoadImageFolderTransparency(t *testing.T) {
	dir := t.TempDir()
	// White at opacity 128/255 over black is 128/255; fully transparent is 0.
	img := rgbImage(2, 1, color.NRGBA{255, 255, 255, 128}, color.NRGBA{255, 255, 255, 0})
	writeFile(t, dir, "a/alpha.png", pngBytes(t, img))
	d, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	// 2×1 stretched to 2×2: both rows copy the single source row (the
	// output rows are centred at source y = −0.25 and 0.25, and only row 0
	// is in range).
	checkValues(t, "alpha", d.Example(0), []float64{128.0 / 255, 0, 128.0 / 255, 0}, level16)
}

// TestLoadImageFolderJPEG decodes JPEG images written by image/jpeg at
// quality 100 (every quantiser 1). A uniform 8×8 block keeps only its DC
// coefficient, so (100, 150, 200) comes back up to the rounding of the
// RGB↔YCbCr conversions: within 2 levels of 255. Its luma is
// (0.299·100 + 0.587·150 + 0.114·200)/255 = 140.75/255.
func TestLoadImageFolderJPEG(t *testing.T) {
	dir := t.TempDir()
	px := make([]color.NRGBA, 64)
	for i := range px {
		px[i] = color.NRGBA{100, 150, 200, 255}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, rgbImage(8, 8, px...), &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a/photo.jpg", b.Bytes())
	writeFile(t, dir, "a/photo2.JPEG", b.Bytes())
	const tol = 2.0 / 255
	d, err := LoadImageFolder(dir, LoadOptions{ImageSize: 8, Channels: 3})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 2 {
		t.Fatalf("got %d images, want 2 (.jpg and .JPEG)", d.N)
	}
	want := make([]float64, 3*64)
	for i := range 64 {
		want[i], want[64+i], want[128+i] = 100.0/255, 150.0/255, 200.0/255
	}
	checkValues(t, "JPEG RGB", d.Example(0), want, tol)
	d, err = LoadImageFolder(dir, LoadOptions{ImageSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.Example(0) {
		if math.Abs(float64(v)-140.75/255) > tol {
			t.Fatalf("JPEG grey pixel %d: got %v, want %v", i, v, 140.75/255)
		}
	}
}

func TestLoadImageFolderManifest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "imgs/a.png", pngBytes(t, uniform(2, 2, 10)))
	writeFile(t, dir, "imgs/b.png", pngBytes(t, uniform(2, 2, 20)))
	writeFile(t, dir, "unlisted/c.png", pngBytes(t, uniform(2, 2, 30)))
	manifest := "path,sex,age\nimgs/b.png,F,young\nimgs/a.png,M,old\n"
	writeFile(t, dir, ManifestName, []byte(manifest))
	d, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 2 {
		t.Fatalf("got %d images, want the 2 listed", d.N)
	}
	// Manifest order: b (20) then a (10).
	checkValues(t, "row 1", d.Example(0), []float64{20.0 / 255, 20.0 / 255, 20.0 / 255, 20.0 / 255}, float32Tol)
	checkValues(t, "row 2", d.Example(1), []float64{10.0 / 255, 10.0 / 255, 10.0 / 255, 10.0 / 255}, float32Tol)
	if !slices.Equal(d.Attrs.Header, []string{"path", "sex", "age"}) {
		t.Errorf("Attrs header: got %q", d.Attrs.Header)
	}
	if got := column(t, d.Attrs, "sex"); !slices.Equal(got, []string{"F", "M"}) {
		t.Errorf("sex: got %q", got)
	}
	if got := column(t, d.Attrs, "age"); !slices.Equal(got, []string{"young", "old"}) {
		t.Errorf("age: got %q", got)
	}

	// The manifest is hashed first, so editing an attribute changes the hash.
	writeFile(t, dir, ManifestName, []byte("path,sex,age\nimgs/b.png,M,young\nimgs/a.png,M,old\n"))
	d2, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Hash == d.Hash {
		t.Errorf("editing the manifest left the hash unchanged")
	}

	// A row naming a missing file.
	mpath := filepath.Join(dir, ManifestName)
	writeFile(t, dir, ManifestName, []byte("path,sex\nimgs/a.png,F\nimgs/gone.png,M\n"))
	_, err = LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	checkError(t, "missing file", err, mpath, []string{`: row 2 (1-based, after the header): path "imgs/gone.png": `, "no such file"}, ErrFormat)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v does not match fs.ErrNotExist", err)
	}
	writeFile(t, dir, ManifestName, []byte("path,sex\n,F\n"))
	_, err = LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	checkError(t, "empty path", err, mpath, []string{": row 1 (1-based, after the header): empty path"}, ErrFormat)
	writeFile(t, dir, ManifestName, []byte("file,sex\nimgs/a.png,F\n"))
	_, err = LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	checkError(t, "no path column", err, mpath, []string{`: no column "path" naming the images (columns: file, sex)`}, ErrFormat)
	writeFile(t, dir, ManifestName, []byte("path,sex\nimgs,F\n"))
	_, err = LoadImageFolder(dir, LoadOptions{ImageSize: 2})
	checkError(t, "folder", err, mpath, []string{`: row 1 (1-based, after the header): path "imgs" is a folder, not an image`}, ErrFormat)
}

func TestLoadImageFolderErrors(t *testing.T) {
	good := pngBytes(t, uniform(2, 2, 1))
	for _, test := range []struct {
		name  string
		files map[string][]byte
		bad   string // the file the error names, relative to the folder
		want  string
	}{
		{"empty", nil, "", ": no PNG or JPEG images (want one sub-folder per label"},
		{"only other files", map[string][]byte{"a/x.txt": []byte("x"), "README": []byte("x")}, "", ": no PNG or JPEG images"},
		{"not an image", map[string][]byte{"a/1.png": good, "a/2.png": []byte("hello, world")}, "a/2.png", ": not a PNG or JPEG image (starts with 68 65 6c 6c 6f 2c 20 77)"},
		{"empty file", map[string][]byte{"a/1.png": {}}, "a/1.png", ": empty file (want a PNG or JPEG image)"},
		{"corrupt PNG", map[string][]byte{"a/1.png": append(slices.Clone(pngMagic), "garbage!"...)}, "a/1.png", ": cannot decode PNG image: "},
		{"truncated PNG", map[string][]byte{"a/1.png": good[:len(good)-20]}, "a/1.png", ": cannot decode PNG image: "},
		{"corrupt JPEG", map[string][]byte{"a/1.jpg": {0xff, 0xd8, 0xff, 0x00, 1, 2, 3}}, "a/1.jpg", ": cannot decode JPEG image: "},
		{"GIF", map[string][]byte{"a/1.png": good, "a/2.gif": []byte("GIF89a")}, "a/2.gif", ": unsupported image format .gif (convert to PNG or JPEG)"},
		{"top-level image", map[string][]byte{"a/1.png": good, "loose.png": good}, "loose.png", ": image is not in a label sub-folder"},
		{"nested folder", map[string][]byte{"a/1.png": good, "a/deeper/2.png": good}, "a/deeper", `: folder inside label folder "a"`},
	} {
		dir := t.TempDir()
		for rel, b := range test.files {
			writeFile(t, dir, rel, b)
		}
		_, err := LoadImageFolder(dir, LoadOptions{ImageSize: 2})
		checkError(t, test.name, err, filepath.Join(dir, filepath.FromSlash(test.bad)), []string{test.want}, ErrFormat)
	}

	dir := t.TempDir()
	writeFile(t, dir, "a/1.png", good)
	for _, opt := range []LoadOptions{{Channels: 2}, {Channels: 4}, {ImageSize: -1}} {
		if _, err := LoadImageFolder(dir, opt); err == nil {
			t.Errorf("%+v: got no error", opt)
		}
	}
	if _, err := LoadImageFolder(filepath.Join(dir, "none"), LoadOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing folder: got %v, want an error matching fs.ErrNotExist", err)
	}
	_, err := LoadImageFolder(filepath.Join(dir, "a", "1.png"), LoadOptions{})
	checkError(t, "a file", err, filepath.Join(dir, "a", "1.png"), []string{": not a folder"}, ErrFormat)
}
