package dataset

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// npyMagic opens every .npy file (NEP 1, "A simple file format for NumPy
// arrays": the magic string "\x93NUMPY").
var npyMagic = [6]byte{0x93, 'N', 'U', 'M', 'P', 'Y'}

// zipMagic opens a zip archive's first local file header (PKWARE APPNOTE
// 4.3.7, signature 0x04034b50); .npz files start with it.
var zipMagic = []byte("PK\x03\x04")

const (
	// maxNPYHeaderLen bounds the length in bytes of the header dictionary.
	// numpy 1.24's numpy.lib.format refuses longer headers by default
	// (max_header_size = _MAX_HEADER_SIZE = 10000); a 2-D float array needs
	// about 120.
	maxNPYHeaderLen = 10000

	// npyChunk is the size in bytes of the buffer array data is decoded
	// through: a multiple of 8, small next to any array worth streaming.
	npyChunk = 64 << 10
)

// hostBigEndian reports whether this machine stores multi-byte numbers
// big-endian; it decides the byte order of '=' and '|' dtypes.
var hostBigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// npyFloat describes a floating-point dtype this package can read.
type npyFloat struct {
	size      int  // bytes per element: 4 or 8
	bigEndian bool // byte order of the elements in the file
}

func (d npyFloat) String() string { return fmt.Sprintf("float%d", 8*d.size) }

// npyHeader is the part of a .npy header this package needs.
type npyHeader struct {
	dtype      npyFloat
	rows, cols int
	fortran    bool  // data stored column by column
	dataOffset int64 // bytes before the array data
}

// readNPY reads a 2-D float32 or float64 array in .npy format from r, which
// holds size bytes in total, into a row-major float32 matrix. name prefixes
// every error message. It never panics on malformed input: every problem
// with the bytes is an error matching ErrFormat, and only a failing r
// yields other errors.
//
// Memory: the matrix (4 bytes per element) plus one npyChunk buffer. The
// claimed shape is checked against size before anything is allocated.
func readNPY(name string, r io.Reader, size int64) (*Matrix, error) {
	h, err := readNPYHeader(name, r)
	if err != nil {
		return nil, err
	}
	n := h.rows * h.cols // no overflow: checked in readNPYHeader
	want := int64(n) * int64(h.dtype.size)
	desc := fmt.Sprintf("%d×%d %v", h.rows, h.cols, h.dtype)
	if avail := size - h.dataOffset; avail < want {
		return nil, formatErrorf(name, "truncated: header says %s (%d bytes) but %d bytes follow", desc, want, max(avail, 0))
	} else if avail > want {
		return nil, formatErrorf(name, "%d bytes follow the %s array (%d bytes); was more than one array saved to this file?", avail-want, desc, want)
	}

	m := NewMatrix(h.rows, h.cols)
	if err := decodeNPYData(name, r, h, m); err != nil {
		return nil, err
	}

	// Reading past the end makes a zip member check its CRC-32, and catches
	// a size that lied.
	var one [1]byte
	switch k, err := io.ReadFull(r, one[:]); {
	case k > 0:
		return nil, formatErrorf(name, "more data follows the %s array (%d bytes)", desc, want)
	case err != io.EOF:
		return nil, readError(name, err)
	}
	return m, nil
}

// readNPYHeader reads and checks the preamble and header dictionary of a .npy
// stream, leaving r at the first byte of the array data. The dictionary is
// parsed by npyio; the preamble is checked here first so that npyio only ever
// sees a bounded, newline-terminated header.
func readNPYHeader(name string, r io.Reader) (npyHeader, error) {
	var h npyHeader
	// Magic (6 bytes), major and minor version (1 byte each), header
	// length (uint16 little-endian in format 1.0, uint32 in 2.0).
	pre := make([]byte, 8, 12)
	k, err := io.ReadFull(r, pre)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return h, readError(name, err)
	}
	if k < len(npyMagic) || !bytes.Equal(pre[:len(npyMagic)], npyMagic[:]) {
		if k >= len(zipMagic) && bytes.Equal(pre[:len(zipMagic)], zipMagic) {
			return h, formatErrorf(name, "not a numpy .npy file (bad magic): it is a zip archive, name it .npz")
		}
		return h, formatErrorf(name, "not a numpy .npy file (bad magic %q, want \"\\x93NUMPY\")", pre[:min(k, len(npyMagic))])
	}
	if k < len(pre) {
		return h, formatErrorf(name, "truncated: file ends inside the npy preamble")
	}
	major, minor := pre[6], pre[7]
	var lenBytes int
	switch major {
	case 1:
		lenBytes = 2
	case 2:
		lenBytes = 4
	default:
		return h, formatErrorf(name, "npy format version %d.%d is not supported (want 1.0 or 2.0)", major, minor)
	}
	pre = pre[:8+lenBytes]
	if _, err := io.ReadFull(r, pre[8:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return h, formatErrorf(name, "truncated: file ends inside the npy preamble")
		}
		return h, readError(name, err)
	}
	var hdrLen uint32
	if lenBytes == 2 {
		hdrLen = uint32(binary.LittleEndian.Uint16(pre[8:]))
	} else {
		hdrLen = binary.LittleEndian.Uint32(pre[8:])
	}
	if hdrLen > maxNPYHeaderLen {
		return h, formatErrorf(name, "npy header is %d bytes long, more than the %d numpy accepts", hdrLen, maxNPYHeaderLen)
	}
	buf := make([]byte, len(pre)+int(hdrLen))
	copy(buf, pre)
	if _, err := io.ReadFull(r, buf[len(pre):]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return h, formatErrorf(name, "truncated: file ends inside the %d-byte npy header", hdrLen)
		}
		return h, readError(name, err)
	}
	dict := buf[len(pre):]
	if bytes.IndexByte(dict, '\n') < 0 {
		return h, formatErrorf(name, "malformed npy header %s: no terminating newline", quoteHeader(dict))
	}
	nh, err := parseNPYDict(buf)
	if err != nil {
		return h, wrapFormat(name, "malformed npy header "+quoteHeader(dict), err)
	}
	h.dataOffset = int64(len(buf))
	h.fortran = nh.Descr.Fortran

	h.dtype, err = parseDescr(nh.Descr.Type)
	if err != nil {
		return h, newError(ErrFormat, name, "%v", err)
	}
	shape := nh.Descr.Shape
	for _, d := range shape {
		if d < 0 {
			return h, formatErrorf(name, "malformed npy header: negative dimension in shape %s", formatShape(shape))
		}
	}
	if len(shape) != 2 {
		return h, formatErrorf(name, "want a 2-D array, got shape %s", formatShape(shape))
	}
	h.rows, h.cols = shape[0], shape[1]
	if h.rows == 0 || h.cols == 0 {
		return h, formatErrorf(name, "empty array of shape %s (want at least one row and one column)", formatShape(shape))
	}
	if h.rows > math.MaxInt/h.dtype.size/h.cols {
		return h, formatErrorf(name, "array of shape %s is too large", formatShape(shape))
	}
	return h, nil
}

// parseNPYDict parses a complete .npy preamble and header with npyio.
// npyio v0.14.0 slices the header text at the offsets of the keys it looks
// for and panics (slice bounds out of range) when they are missing from the
// expected places, for example when the keys come in another order or the
// closing brace is absent; such panics become errors here.
func parseNPYDict(preamble []byte) (h npy.Header, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("npyio could not parse it (%v)", p)
		}
	}()
	rr, err := npy.NewReader(bytes.NewReader(preamble))
	if err != nil {
		return h, err
	}
	return rr.Header, nil
}

// parseDescr interprets a numpy dtype descriptor as npyio returns it, quotes
// included ("'<f4'"). Only float32 and float64, in either byte order, are
// accepted; anything else yields an error naming the dtype.
func parseDescr(descr string) (npyFloat, error) {
	s := strings.TrimSpace(descr)
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
		return npyFloat{}, fmt.Errorf("structured dtype %s is not supported (need float32 or float64)", s)
	}
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return npyFloat{}, fmt.Errorf("malformed npy header: dtype %s is not a quoted string", strconv.Quote(s))
	}
	s = s[1 : len(s)-1]
	bigEndian := hostBigEndian
	if s != "" {
		switch s[0] {
		case '<':
			bigEndian = false
			s = s[1:]
		case '>':
			bigEndian = true
			s = s[1:]
		case '=', '|':
			s = s[1:]
		}
	}
	if s == "" {
		return npyFloat{}, fmt.Errorf("malformed npy header: empty dtype")
	}
	kind, digits := s[0], s[1:]
	size, err := strconv.Atoi(digits)
	if digits != "" && (err != nil || size <= 0) {
		return npyFloat{}, fmt.Errorf("malformed npy header: dtype %s", strconv.Quote(descr))
	}
	if kind == 'f' && (size == 4 || size == 8) {
		return npyFloat{size: size, bigEndian: bigEndian}, nil
	}
	var dtype string
	switch {
	case kind == 'b' && size == 1:
		dtype = "bool"
	case kind == 'f' && size > 0:
		dtype = fmt.Sprintf("float%d", 8*size)
	case kind == 'i' && size > 0:
		dtype = fmt.Sprintf("int%d", 8*size)
	case kind == 'u' && size > 0:
		dtype = fmt.Sprintf("uint%d", 8*size)
	case kind == 'c' && size > 0:
		dtype = fmt.Sprintf("complex%d", 8*size)
	case kind == 'O':
		dtype = "object"
	case kind == 'U':
		dtype = "unicode string " + descr
	case kind == 'S' || kind == 'a':
		dtype = "byte string " + descr
	case kind == 'M':
		dtype = "datetime64 " + descr
	case kind == 'm':
		dtype = "timedelta64 " + descr
	default:
		dtype = descr
	}
	return npyFloat{}, fmt.Errorf("dtype %s is not supported (need float32 or float64)", dtype)
}

// decodeNPYData reads the rows×cols elements that follow the header from r
// and stores them, converted to float32 and in row-major order, into m. It
// reports the first (lowest row, then lowest column) NaN, ±Inf or float64
// value beyond the float32 range, whatever the storage order.
func decodeNPYData(name string, r io.Reader, h npyHeader, m *Matrix) error {
	size := h.dtype.size
	n := h.rows * h.cols
	buf := make([]byte, min(npyChunk, n*size))
	var tmp []float32 // Fortran order: a chunk's values before they are scattered
	if h.fortran {
		tmp = make([]float32, len(buf)/size)
	}
	bad, badValue := -1, 0.0 // row-major index and value of the first non-finite element
	// Storage index s holds element (i, j): s = i*cols + j in C order,
	// s = j*rows + i in Fortran order.
	i, j := 0, 0
	for k := 0; k < n; {
		elems := min(len(buf)/size, n-k)
		chunk := buf[:elems*size]
		if got, err := io.ReadFull(r, chunk); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return formatErrorf(name, "truncated: header says %d×%d %v (%d bytes) but %d bytes follow",
					h.rows, h.cols, h.dtype, n*size, k*size+got)
			}
			return readError(name, err)
		}
		dst := m.Data[k : k+elems]
		if h.fortran {
			dst = tmp[:elems]
		}
		if t := decodeFloats(dst, chunk, h.dtype); t >= 0 {
			if !h.fortran { // storage order is row-major: this is the first
				return nonFiniteError(name, (k+t)/h.cols, (k+t)%h.cols, h.dtype.at(chunk, t))
			}
			for ; t < elems; t++ { // rare: find the chunk's lowest row-major index
				if v := dst[t]; math.IsInf(float64(v), 0) || v != v {
					s := k + t
					if d := (s%h.rows)*h.cols + s/h.rows; bad < 0 || d < bad {
						bad, badValue = d, h.dtype.at(chunk, t)
					}
				}
			}
		}
		if h.fortran {
			for _, v := range dst {
				m.Data[i*h.cols+j] = v
				if i++; i == h.rows {
					i, j = 0, j+1
				}
			}
		}
		k += elems
	}
	if bad >= 0 {
		return nonFiniteError(name, bad/h.cols, bad%h.cols, badValue)
	}
	return nil
}

// decodeFloats decodes len(dst) elements of type d from src into dst,
// rounding float64 to the nearest float32, and returns the index of the first
// element that is not a finite float32 (NaN, ±Inf, or a float64 beyond the
// float32 range), or -1.
func decodeFloats(dst []float32, src []byte, d npyFloat) int {
	// A float32 is NaN or ±Inf exactly when its 8 exponent bits are all set
	// (IEEE 754-2008, binary32).
	const expMask = 0x7f800000
	var any uint32 // some element had all exponent bits set
	switch {
	case d.size == 4 && !d.bigEndian:
		for t := range dst {
			u := binary.LittleEndian.Uint32(src[4*t:])
			dst[t] = math.Float32frombits(u)
			if u&expMask == expMask {
				any = 1
			}
		}
	case d.size == 4:
		for t := range dst {
			u := binary.BigEndian.Uint32(src[4*t:])
			dst[t] = math.Float32frombits(u)
			if u&expMask == expMask {
				any = 1
			}
		}
	case !d.bigEndian:
		for t := range dst {
			v := float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*t:])))
			dst[t] = v
			if math.Float32bits(v)&expMask == expMask {
				any = 1
			}
		}
	default:
		for t := range dst {
			v := float32(math.Float64frombits(binary.BigEndian.Uint64(src[8*t:])))
			dst[t] = v
			if math.Float32bits(v)&expMask == expMask {
				any = 1
			}
		}
	}
	if any == 0 {
		return -1
	}
	for t, v := range dst {
		if math.Float32bits(v)&expMask == expMask {
			return t
		}
	}
	return -1 // unreachable
}

// at returns element t of src, encoded as d, as a float64.
func (d npyFloat) at(src []byte, t int) float64 {
	if d.size == 4 {
		u := binary.LittleEndian.Uint32(src[4*t:])
		if d.bigEndian {
			u = bits.ReverseBytes32(u)
		}
		return float64(math.Float32frombits(u))
	}
	u := binary.LittleEndian.Uint64(src[8*t:])
	if d.bigEndian {
		u = bits.ReverseBytes64(u)
	}
	return math.Float64frombits(u)
}

// nonFiniteError reports a NaN, ±Inf or float32-overflowing value v at
// 0-based row and column of the embeddings.
func nonFiniteError(name string, row, col int, v float64) error {
	return formatErrorf(name, "row %d (0-based), column %d: %s", row, col, describeNonFinite(v))
}

// describeNonFinite names a value that cannot be stored as a finite float32:
// "NaN", "+Inf", "-Inf", or the value and the float32 range it exceeds.
func describeNonFinite(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf("value %g overflows float32 (largest magnitude %g)", v, float32(math.MaxFloat32))
}

// readError wraps an error from the reader. Corrupt compressed data or a
// failed zip checksum is a format error; anything else (an I/O error) is
// returned wrapped without a sentinel.
func readError(name string, err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.As(err, &corrupt) {
		return wrapFormat(name, "corrupt data", err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return wrapFormat(name, "truncated", err)
	}
	return ioError(name, err)
}

// ioError wraps an error from the operating system or another reader. An
// *fs.PathError already names the file and is returned as it is; anything
// else is prefixed with name.
func ioError(name string, err error) error {
	if _, ok := errors.AsType[*fs.PathError](err); ok {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// formatShape writes a shape as Python prints a tuple: "()", "(10,)",
// "(2, 3, 4)".
func formatShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// quoteHeader quotes a header dictionary for an error message, trimming the
// padding and shortening it to keep the message on one line.
func quoteHeader(dict []byte) string {
	const maxShown = 120 // bytes of the dictionary shown; a normal one is shorter
	s := strings.TrimRight(string(dict), " \n")
	if len(s) > maxShown {
		return strconv.Quote(s[:maxShown]) + "..."
	}
	return strconv.Quote(s)
}
