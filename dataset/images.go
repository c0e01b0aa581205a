package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/image/draw"
)

// ManifestName is the file that, if present in an image folder, lists the
// images and their attributes; see LoadImageFolder.
const ManifestName = "manifest.csv"

// Luma weights of ITU-R BT.601, used to turn colour into grey (as PIL's
// Image.convert("L") and OpenCV's COLOR_RGB2GRAY do).
const (
	lumaR = 0.299
	lumaG = 0.587
	lumaB = 0.114
)

// pngMagic and jpegMagic start every PNG file (PNG specification, 5.2) and
// every JPEG file (the SOI marker, ITU T.81 B.1.1.3).
var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8}
)

// imageExts are the file extensions LoadImageFolder reads, and otherExts
// those of image formats it recognises but does not read (an error, rather
// than silently leaving the images out).
var (
	imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}
	otherExts = map[string]bool{".gif": true, ".bmp": true, ".tif": true, ".tiff": true, ".webp": true,
		".heic": true, ".heif": true, ".avif": true, ".ppm": true, ".pgm": true, ".pbm": true}
)

// LoadImageFolder reads the PNG and JPEG images under dir into a Dataset
// named "images:DIR" of shape (C, S, S), where C is opt.Channels (0 means
// 1) and S is opt.ImageSize (0 means 28). The images are listed in one of
// two ways:
//
//   - If dir holds a file manifest.csv, it lists them: a CSV table with a
//     header line and a column "path" giving each image's file relative to
//     dir ("/" or the system's separator; an absolute path is used as it
//     is). The images are read in the manifest's row order, and the
//     manifest's columns, "path" included, become the attribute columns.
//   - Otherwise dir holds one sub-folder per label, and the images sit
//     directly in those sub-folders. The images are read sorted by
//     sub-folder name, then file name (byte order), and the attributes are
//     "label" (the sub-folder's name) and "path" (sub-folder/file name).
//     Files and folders whose names start with "." are ignored, as are
//     files whose extension is not .png, .jpg or .jpeg (case-insensitive),
//     e.g. a README; but a GIF, BMP, TIFF, WebP, HEIC/HEIF, AVIF or PNM
//     file is an error (convert it, rather than lose it unnoticed), as are
//     an image directly in dir (it would have no label) and a folder inside
//     a label folder. Sub-folders with no images add no examples.
//
// The format is taken from a file's content, not its extension. Every image
// is converted the same way:
//
//  1. Transparency is dropped by compositing over black: each colour value
//     is multiplied by the pixel's opacity.
//  2. The image is resized to S×S with the Catmull-Rom cubic filter
//     (golang.org/x/image/draw.CatmullRom, which widens the filter when
//     shrinking, so it also smooths). The aspect ratio is not preserved: a
//     non-square image is stretched, not cropped. An image already S×S is
//     copied, not resampled.
//  3. For C = 1, colour becomes grey with the BT.601 luma
//     Y = 0.299·R + 0.587·G + 0.114·B on the stored (gamma-encoded)
//     values; grey pixels (R = G = B) keep their value exactly. For C = 3,
//     grey images are repeated in R, G and B.
//  4. Values are scaled to [0, 1]: an 8-bit value v becomes v/255 (16-bit:
//     v/65535), stored as float32 channel by channel (C, then rows, then
//     columns).
//
// Hash is the hex SHA-256 of, for each file read in order (the manifest
// first, if there is one), its path relative to dir with "/" separators, a
// zero byte, its length as 8 little-endian bytes and its content; so
// renaming a label folder changes the hash, as it changes the labels.
//
// Errors about the content — a file that is not a PNG or JPEG or does not
// decode, a manifest without a "path" column or with an empty path or one
// naming no file, no images at all — match ErrFormat and name the file (and
// the manifest row). A missing dir is the *fs.PathError from package os.
func LoadImageFolder(dir string, opt LoadOptions) (*Dataset, error) {
	size, channels := opt.ImageSize, opt.Channels
	if size == 0 {
		size = 28
	}
	if channels == 0 {
		channels = 1
	}
	name := "images:" + dir
	if size < 0 {
		return nil, fmt.Errorf("dataset %s: image size %d is negative", name, size)
	}
	if channels != 1 && channels != 3 {
		return nil, fmt.Errorf("dataset %s: %d channels (want 1 for grey or 3 for RGB)", name, channels)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, formatErrorf(dir, "not a folder (want a folder of images)")
	}

	h := sha256.New()
	var (
		files []imageFile
		attrs *Table
	)
	manifest := filepath.Join(dir, ManifestName)
	switch _, err := os.Stat(manifest); {
	case err == nil:
		b, err := os.ReadFile(manifest)
		if err != nil {
			return nil, err
		}
		hashFile(h, ManifestName, b)
		if files, attrs, err = readManifest(dir, manifest); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if files, attrs, err = listLabelFolders(dir); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}

	plane := channels * size * size
	x := make([]float32, len(files)*plane)
	for k, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		hashFile(h, f.rel, b)
		img, err := decodeImage(f.path, b)
		if err != nil {
			return nil, err
		}
		imageToCHW(x[k*plane:(k+1)*plane], img, size, channels)
	}
	return &Dataset{
		Name:  name,
		Shape: []int{channels, size, size},
		N:     len(files),
		X:     x,
		Attrs: attrs,
		Hash:  hex.EncodeToString(h.Sum(nil)),
	}, nil
}

// imageFile is an image to read: its path, and its path relative to the
// folder with "/" separators (for the hash).
type imageFile struct {
	path, rel string
}

// hashFile adds one file to the hash: rel, a zero byte, the length of b as
// 8 little-endian bytes, then b.
func hashFile(h hash.Hash, rel string, b []byte) {
	h.Write([]byte(rel))
	h.Write([]byte{0})
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(b))))
	h.Write(b)
}

// readManifest reads dir/manifest.csv: the images it lists and its table.
func readManifest(dir, manifest string) ([]imageFile, *Table, error) {
	t, err := ReadLabels(manifest)
	if err != nil {
		return nil, nil, err
	}
	paths, err := t.Column("path")
	if err != nil {
		return nil, nil, formatErrorf(manifest, "no column \"path\" naming the images (columns: %s)", strings.Join(t.Header, ", "))
	}
	files := make([]imageFile, len(paths))
	for i, p := range paths {
		row := fmt.Sprintf("row %d (1-based, after the header)", i+1)
		if p == "" {
			return nil, nil, formatErrorf(manifest, "%s: empty path", row)
		}
		full := filepath.FromSlash(p)
		if !filepath.IsAbs(full) {
			full = filepath.Join(dir, full)
		}
		st, err := os.Stat(full)
		if err != nil {
			return nil, nil, wrapFormat(manifest, fmt.Sprintf("%s: path %q", row, p), err)
		}
		if st.IsDir() {
			return nil, nil, formatErrorf(manifest, "%s: path %q is a folder, not an image", row, p)
		}
		files[i] = imageFile{path: full, rel: filepath.ToSlash(p)}
	}
	return files, t, nil
}

// listLabelFolders lists the images in dir's label sub-folders, and builds
// the table of their labels and paths.
func listLabelFolders(dir string) ([]imageFile, *Table, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var (
		files         []imageFile
		labels, paths []string
	)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		full := filepath.Join(dir, e.Name())
		isDir, err := entryIsDir(full, e)
		if err != nil {
			return nil, nil, err
		}
		if !isDir {
			if err := checkImageExt(full); err != nil {
				return nil, nil, err
			}
			if imageExts[strings.ToLower(filepath.Ext(full))] {
				return nil, nil, formatErrorf(full, "image is not in a label sub-folder (want %s/LABEL/IMAGE, or a %s listing the images)", dir, ManifestName)
			}
			continue
		}
		inner, err := os.ReadDir(full)
		if err != nil {
			return nil, nil, err
		}
		for _, f := range inner {
			path := filepath.Join(full, f.Name())
			if strings.HasPrefix(f.Name(), ".") {
				continue
			}
			isDir, err := entryIsDir(path, f)
			if err != nil {
				return nil, nil, err
			}
			if isDir {
				return nil, nil, formatErrorf(path, "folder inside label folder %q (want images directly in %s/LABEL/)", e.Name(), dir)
			}
			if err := checkImageExt(path); err != nil {
				return nil, nil, err
			}
			if !imageExts[strings.ToLower(filepath.Ext(path))] {
				continue
			}
			rel := e.Name() + "/" + f.Name()
			files = append(files, imageFile{path: path, rel: rel})
			labels = append(labels, e.Name())
			paths = append(paths, rel)
		}
	}
	if len(files) == 0 {
		return nil, nil, formatErrorf(dir, "no PNG or JPEG images (want one sub-folder per label holding .png/.jpg/.jpeg files, or a %s with a \"path\" column)", ManifestName)
	}
	t, err := NewTable(dir, []string{"label", "path"}, [][]string{labels, paths})
	if err != nil {
		return nil, nil, err
	}
	return files, t, nil
}

// entryIsDir reports whether a directory entry is a folder, following a
// symbolic link.
func entryIsDir(path string, e fs.DirEntry) (bool, error) {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir(), nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return st.IsDir(), nil
}

// checkImageExt returns an error if path's extension is that of an image
// format LoadImageFolder does not read.
func checkImageExt(path string) error {
	if ext := strings.ToLower(filepath.Ext(path)); otherExts[ext] {
		return formatErrorf(path, "unsupported image format %s (convert to PNG or JPEG)", ext)
	}
	return nil
}

// decodeImage decodes a PNG or JPEG image, choosing the decoder by the
// file's first bytes.
func decodeImage(name string, b []byte) (image.Image, error) {
	var (
		img    image.Image
		err    error
		format string
	)
	switch {
	case bytes.HasPrefix(b, pngMagic):
		format = "PNG"
		img, err = png.Decode(bytes.NewReader(b))
	case bytes.HasPrefix(b, jpegMagic):
		format = "JPEG"
		img, err = jpeg.Decode(bytes.NewReader(b))
	case len(b) == 0:
		return nil, formatErrorf(name, "empty file (want a PNG or JPEG image)")
	default:
		return nil, formatErrorf(name, "not a PNG or JPEG image (starts with % x)", b[:min(len(b), 8)])
	}
	if err != nil {
		return nil, wrapFormat(name, "cannot decode "+format+" image", err)
	}
	if r := img.Bounds(); r.Empty() {
		return nil, formatErrorf(name, "image has no pixels (%d×%d)", r.Dx(), r.Dy())
	}
	return img, nil
}

// imageToCHW writes img into dst (length channels·size·size) as described
// in LoadImageFolder: composited over black, resized to size×size,
// converted to channels, scaled to [0, 1].
func imageToCHW(dst []float32, img image.Image, size, channels int) {
	rgba := image.NewRGBA64(image.Rect(0, 0, size, size))
	src := img.Bounds()
	if src.Dx() == size && src.Dy() == size {
		draw.Draw(rgba, rgba.Bounds(), img, src.Min, draw.Src)
	} else {
		draw.CatmullRom.Scale(rgba, rgba.Bounds(), img, src, draw.Src, nil)
	}
	// RGBA64 holds alpha-premultiplied values, so reading its colour
	// channels and ignoring alpha is compositing over black.
	plane := size * size
	for y := range size {
		for x := range size {
			o := rgba.PixOffset(x, y)
			p := rgba.Pix[o : o+6 : o+6]
			r := float64(uint16(p[0])<<8|uint16(p[1])) / 0xffff
			g := float64(uint16(p[2])<<8|uint16(p[3])) / 0xffff
			b := float64(uint16(p[4])<<8|uint16(p[5])) / 0xffff
			i := y*size + x
			if channels == 1 {
				v := r
				if r != g || g != b {
					v = min(lumaR*r+lumaG*g+lumaB*b, 1)
				}
				dst[i] = float32(v)
				continue
			}
			dst[i], dst[plane+i], dst[2*plane+i] = float32(r), float32(g), float32(b)
		}
	}
}
