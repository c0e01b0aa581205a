package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// IDX magic numbers: two zero bytes, the data type (0x08, unsigned byte) and
// the number of dimensions. See http://yann.lecun.com/exdb/mnist/ ("FILE
// FORMATS FOR THE MNIST DATABASE").
const (
	idxMagicImages = 0x00000803 // uint8, 3 dimensions: n × rows × cols
	idxMagicLabels = 0x00000801 // uint8, 1 dimension: n
)

// idxMaxBytes bounds the data size a header may announce (1 TiB), so that a
// corrupt header cannot overflow the size computation.
const idxMaxBytes = 1 << 40

// The file names of the MNIST layout, each optionally followed by ".gz".
const (
	idxTrainImages = "train-images-idx3-ubyte"
	idxTrainLabels = "train-labels-idx1-ubyte"
	idxTestImages  = "t10k-images-idx3-ubyte"
	idxTestLabels  = "t10k-labels-idx1-ubyte"
	// idxAttributes is the optional attribute table written by WriteStyled:
	// one row per example, train rows then test rows.
	idxAttributes = "attributes.csv"
)

// idxTypeNames names the IDX data type codes, for error messages.
var idxTypeNames = map[byte]string{
	0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "int16",
	0x0C: "int32", 0x0D: "float32", 0x0E: "float64",
}

// describeIDXMagic says in words what an IDX magic number announces.
func describeIDXMagic(m uint32) string {
	if m>>16 != 0 {
		return "not an IDX file (an IDX file starts with two zero bytes)"
	}
	t, nd := byte(m>>8), m&0xff
	name, ok := idxTypeNames[t]
	if !ok {
		name = "unknown type"
	}
	return fmt.Sprintf("IDX data type 0x%02X (%s) with %d dimension(s)", t, name, nd)
}

// readIDX reads one IDX file from r, raw or gzip-compressed (recognised by
// the gzip magic bytes 1f 8b, whatever the name). want is the magic number
// expected: idxMagicImages or idxMagicLabels. It returns the dimensions and
// the data, len(data) = the product of dims. Every problem is an error
// matching ErrFormat whose message starts with name.
func readIDX(name string, r io.Reader, want uint32) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	head, _ := br.Peek(2)
	compressed := len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b
	if compressed {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, nil, wrapFormat(name, "gzip header", err)
		}
		defer zr.Close()
		src = zr
	}
	where := ""
	if compressed {
		where = " (after decompression)"
	}

	var magic [4]byte
	if got, err := io.ReadFull(src, magic[:]); err != nil {
		if isTruncation(err) {
			return nil, nil, formatErrorf(name, "truncated header: want a 4-byte magic number, got %d byte(s)%s", got, where)
		}
		return nil, nil, wrapFormat(name, "read header", err)
	}
	m := binary.BigEndian.Uint32(magic[:])
	if m != want {
		return nil, nil, formatErrorf(name, "bad magic number 0x%08X at byte 0: %s; want 0x%08X, %s", m, describeIDXMagic(m), want, describeIDXMagic(want))
	}
	nd := int(m & 0xff)
	raw := make([]byte, 4*nd)
	if got, err := io.ReadFull(src, raw); err != nil {
		if isTruncation(err) {
			return nil, nil, formatErrorf(name, "truncated header: want %d bytes of dimensions from byte 4, got %d%s", 4*nd, got, where)
		}
		return nil, nil, wrapFormat(name, "read header", err)
	}
	dims = make([]int, nd)
	size := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(raw[4*i:])
		dims[i] = int(d)
		if d != 0 && size > idxMaxBytes/int64(d) {
			return nil, nil, formatErrorf(name, "header announces dimensions %s: more than %d bytes of data", dimString(raw), int64(idxMaxBytes))
		}
		size *= int64(d)
	}
	off := 4 + 4*nd

	// io.ReadAll grows its buffer as data arrives: a header announcing more
	// than the file holds costs no more memory than the file.
	data, err = io.ReadAll(io.LimitReader(src, size+1))
	if err != nil && !isTruncation(err) {
		return nil, nil, wrapFormat(name, fmt.Sprintf("read data from byte %d%s", off+len(data), where), err)
	}
	switch {
	case int64(len(data)) < size:
		return nil, nil, formatErrorf(name, "truncated data: header announces %s = %d bytes from byte %d, got %d%s", dimString(raw), size, off, len(data), where)
	case int64(len(data)) > size:
		return nil, nil, formatErrorf(name, "unexpected data after byte %d: header announces %s = %d bytes from byte %d%s", int64(off)+size, dimString(raw), size, off, where)
	}
	if compressed {
		// Drain the stream so that gzip verifies its checksum and length.
		if _, err := io.Copy(io.Discard, src); errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, formatErrorf(name, "truncated gzip stream: the data is complete but the gzip trailer (checksum and length) is cut off")
		} else if err != nil {
			return nil, nil, wrapFormat(name, "gzip", err)
		}
	}
	return dims, data, nil
}

// isTruncation reports whether err means the input ended early.
func isTruncation(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// dimString formats big-endian uint32 dimensions as "n×rows×cols".
func dimString(raw []byte) string {
	if len(raw) == 0 {
		return "a scalar"
	}
	parts := make([]string, len(raw)/4)
	for i := range parts {
		parts[i] = strconv.FormatUint(uint64(binary.BigEndian.Uint32(raw[4*i:])), 10)
	}
	return strings.Join(parts, "×")
}

// readIDXImages reads an IDX image file: n images of rows × cols bytes.
func readIDXImages(name string, r io.Reader) (n, rows, cols int, pix []byte, err error) {
	dims, pix, err := readIDX(name, r, idxMagicImages)
	if err != nil {
		return 0, 0, 0, nil, err
	}
	if dims[1] == 0 || dims[2] == 0 {
		return 0, 0, 0, nil, formatErrorf(name, "images of %d×%d pixels: want at least one pixel", dims[1], dims[2])
	}
	return dims[0], dims[1], dims[2], pix, nil
}

// readIDXLabels reads an IDX label file: n bytes.
func readIDXLabels(name string, r io.Reader) ([]byte, error) {
	_, labels, err := readIDX(name, r, idxMagicLabels)
	return labels, err
}

// WriteIDXImages writes n images of rows × cols unsigned bytes, pix holding
// them one after another, as an IDX file (magic 0x00000803, big-endian
// dimensions, then the pixels). It returns an error if len(pix) is not
// n·rows·cols or a dimension is negative or exceeds 2³²−1.
func WriteIDXImages(w io.Writer, n, rows, cols int, pix []uint8) error {
	for _, d := range []int{n, rows, cols} {
		if d < 0 || int64(d) > 1<<32-1 {
			return fmt.Errorf("write idx images: dimension %d out of range [0, 2^32-1]", d)
		}
	}
	if int64(len(pix)) != int64(n)*int64(rows)*int64(cols) {
		return fmt.Errorf("write idx images: %d pixels for %d×%d×%d", len(pix), n, rows, cols)
	}
	head := make([]byte, 16)
	binary.BigEndian.PutUint32(head[0:], idxMagicImages)
	binary.BigEndian.PutUint32(head[4:], uint32(n))
	binary.BigEndian.PutUint32(head[8:], uint32(rows))
	binary.BigEndian.PutUint32(head[12:], uint32(cols))
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(pix)
	return err
}

// WriteIDXLabels writes labels as an IDX label file (magic 0x00000801, the
// big-endian count, then one byte per label).
func WriteIDXLabels(w io.Writer, labels []uint8) error {
	if int64(len(labels)) > 1<<32-1 {
		return fmt.Errorf("write idx labels: %d labels, more than 2^32-1", len(labels))
	}
	head := make([]byte, 8)
	binary.BigEndian.PutUint32(head[0:], idxMagicLabels)
	binary.BigEndian.PutUint32(head[4:], uint32(len(labels)))
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(labels)
	return err
}

// LoadIDXDir reads a folder of IDX files in the MNIST layout:
//
//	train-images-idx3-ubyte   train-labels-idx1-ubyte
//	t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte
//
// each raw or gzip-compressed, optionally named with ".gz" (gzip is
// recognised by its magic bytes; if both NAME and NAME.gz exist, NAME is
// read). MNIST, Fashion-MNIST and the folders `miaudit data styled-mnist`
// writes have this layout.
//
// The result has Shape (1, rows, cols), pixels divided by 255, the train
// examples then the test examples, and attribute columns "label" (the label
// byte in decimal) and "split" ("train" or "test"). If the folder holds
// attributes.csv (as WriteStyled writes it: a header, then one row per
// example, train rows then test rows), its columns are the attributes
// instead, with "split" added if it lacks one; a "split" column in it must
// agree with the files, and so must a "digit" column with the label files.
// Name is "idx:" + dir; Hash is the hex SHA-256 of the files' bytes
// concatenated in the order above, then attributes.csv if present (what
// `cat FILES | sha256sum` prints).
//
// A missing file is an error matching fs.ErrNotExist that names the files
// looked for; malformed content (bad magic, truncated data, image and label
// counts that differ, train and test images of different sizes) is an error
// matching ErrFormat that names the file and the byte offset or row.
func LoadIDXDir(dir string) (*Dataset, error) {
	return loadIDX(dir, "idx:"+dir, "label")
}

// idxFile is one file of the MNIST layout, as found and read.
type idxFile struct {
	path string
	data []byte
}

// findIDX reads dir/base or, failing that, dir/base.gz.
func findIDX(dir, base string) (idxFile, error) {
	for _, name := range []string{base, base + ".gz"} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err == nil {
			return idxFile{path: p, data: b}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return idxFile{}, err
		}
	}
	return idxFile{}, fmt.Errorf("%s: found neither %s nor %s.gz (an IDX folder holds %s, %s, %s and %s, each optionally .gz): %w",
		dir, base, base, idxTrainImages, idxTrainLabels, idxTestImages, idxTestLabels, fs.ErrNotExist)
}

// loadIDX implements LoadIDXDir with the dataset's name and the name of
// its label column.
func loadIDX(dir, name, labelCol string) (*Dataset, error) {
	if dir == "" {
		return nil, fmt.Errorf("%s: no folder given (want idx:DIR)", name)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a folder (want a folder of IDX files in the MNIST layout)", dir)
	}
	var files [4]idxFile
	for i, base := range []string{idxTrainImages, idxTrainLabels, idxTestImages, idxTestLabels} {
		if files[i], err = findIDX(dir, base); err != nil {
			return nil, err
		}
	}

	type split struct {
		n, rows, cols int
		pix, labels   []byte
	}
	var sp [2]split
	for s := range sp {
		img, lab := files[2*s], files[2*s+1]
		n, rows, cols, pix, err := readIDXImages(img.path, bytes.NewReader(img.data))
		if err != nil {
			return nil, err
		}
		labels, err := readIDXLabels(lab.path, bytes.NewReader(lab.data))
		if err != nil {
			return nil, err
		}
		if len(labels) != n {
			return nil, formatErrorf(lab.path, "%d labels for the %d images of %s", len(labels), n, img.path)
		}
		sp[s] = split{n, rows, cols, pix, labels}
	}
	if sp[0].rows != sp[1].rows || sp[0].cols != sp[1].cols {
		return nil, formatErrorf(files[2].path, "images of %d×%d pixels, but %s has %d×%d", sp[1].rows, sp[1].cols, files[0].path, sp[0].rows, sp[0].cols)
	}
	n := sp[0].n + sp[1].n
	if n == 0 {
		return nil, formatErrorf(dir, "no images in %s or %s", files[0].path, files[2].path)
	}

	h := sha256.New()
	for _, f := range files {
		h.Write(f.data)
	}
	rows, cols := sp[0].rows, sp[0].cols
	var scale [256]float32
	for i := range scale {
		scale[i] = float32(i) / 255
	}
	x := make([]float32, n*rows*cols)
	labels := make([]string, 0, n)
	splits := make([]string, 0, n)
	off := 0
	for s, name := range []string{"train", "test"} {
		dst := x[off : off+len(sp[s].pix)]
		for i, p := range sp[s].pix {
			dst[i] = scale[p]
		}
		off += len(dst)
		for _, l := range sp[s].labels {
			labels = append(labels, strconv.Itoa(int(l)))
			splits = append(splits, name)
		}
	}

	attrs, err := NewTable(name, []string{labelCol, "split"}, [][]string{labels, splits})
	if err != nil {
		return nil, err
	}
	csvPath := filepath.Join(dir, idxAttributes)
	if b, err := os.ReadFile(csvPath); err == nil {
		h.Write(b)
		if attrs, err = idxAttributeTable(csvPath, labels, splits); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &Dataset{
		Name:  name,
		Shape: []int{1, rows, cols},
		N:     n,
		X:     x,
		Attrs: attrs,
		Hash:  hex.EncodeToString(h.Sum(nil)),
	}, nil
}

// idxAttributeTable reads the attribute table at path and checks it
// against the label files: one row per example, and "split" and "digit"
// columns, if present, equal to splits and labels.
func idxAttributeTable(path string, labels, splits []string) (*Table, error) {
	t, err := ReadLabels(path)
	if err != nil {
		return nil, err
	}
	if t.Rows != len(labels) {
		return nil, formatErrorf(path, "%d rows, want %d (one per image: the train images, then the test images)", t.Rows, len(labels))
	}
	for _, c := range []struct {
		col  string
		want []string
		from string
	}{{"split", splits, "the order of the files (train, then test)"}, {"digit", labels, "the label files"}} {
		if !t.Has(c.col) {
			continue
		}
		got, _ := t.Column(c.col)
		for i := range got {
			if got[i] != c.want[i] {
				return nil, formatErrorf(path, "line %d: %s %q, but %s say %q", i+2, c.col, got[i], c.from, c.want[i])
			}
		}
	}
	if !t.Has("split") {
		header := append(append([]string(nil), t.Header...), "split")
		cols := make([][]string, 0, len(header))
		for _, h := range t.Header {
			c, _ := t.Column(h)
			cols = append(cols, c)
		}
		return NewTable(path, header, append(cols, splits))
	}
	return t, nil
}
