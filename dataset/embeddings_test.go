package dataset

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// The fixtures in testdata/ were written by testdata/make_fixtures.py with
// numpy 1.24.2. Their values follow value(i, j) = i*10 + j + 0.5; the
// expected matrices below spell that formula out. All such values are
// multiples of 0.5 well below 2^24, exact in float32 and float64, so the
// comparison is exact.
const valueTol = 0

// grid34 is value(i, j) = i*10 + j + 0.5 for a 3×4 array (make_fixtures.py).
var grid34 = []float32{
	0.5, 1.5, 2.5, 3.5,
	10.5, 11.5, 12.5, 13.5,
	20.5, 21.5, 22.5, 23.5,
}

// grid23 is value(i, j) = i*10 + j + 0.5 for a 2×3 array (make_fixtures.py).
var grid23 = []float32{
	0.5, 1.5, 2.5,
	10.5, 11.5, 12.5,
}

func TestReadEmbeddings(t *testing.T) {
	for i, test := range []struct {
		path, key  string
		rows, cols int
		data       []float32
	}{
		0: {path: "f32_c.npy", rows: 3, cols: 4, data: grid34},
		1: {path: "f64_c.npy", rows: 3, cols: 4, data: grid34},
		2: {path: "f64_f.npy", rows: 3, cols: 4, data: grid34},    // Fortran order
		3: {path: "f32_be.npy", rows: 2, cols: 3, data: grid23},   // '>f4'
		4: {path: "f64_be_f.npy", rows: 2, cols: 3, data: grid23}, // '>f8', Fortran order
		5: {path: "two.npz", key: "train", rows: 2, cols: 3, data: grid23},
		6: {path: "two.npz", key: "train.npy", rows: 2, cols: 3, data: grid23},
		// "test" is value(i, j) + 100 for a 1×3 array.
		7: {path: "two.npz", key: "test", rows: 1, cols: 3, data: []float32{100.5, 101.5, 102.5}},
		// np.savez_compressed with one unnamed array, which numpy calls arr_0.
		8: {path: "one.npz", rows: 2, cols: 2, data: []float32{0.5, 1.5, 10.5, 11.5}},
		9: {path: "one.npz", key: "arr_0", rows: 2, cols: 2, data: []float32{0.5, 1.5, 10.5, 11.5}},
	} {
		m, err := ReadEmbeddings(filepath.Join("testdata", test.path), test.key)
		if err != nil {
			t.Errorf("%d: %s key %q: unexpected error: %v", i, test.path, test.key, err)
			continue
		}
		checkMatrix(t, fmt.Sprintf("%d: %s key %q", i, test.path, test.key), m, test.rows, test.cols, test.data)
	}
}

// checkMatrix compares m with the expected shape and row-major data.
func checkMatrix(t *testing.T, name string, m *Matrix, rows, cols int, data []float32) {
	t.Helper()
	if m.Rows != rows || m.Cols != cols || len(m.Data) != rows*cols {
		t.Errorf("%s: got %d×%d with %d values, want %d×%d", name, m.Rows, m.Cols, len(m.Data), rows, cols)
		return
	}
	for k, want := range data {
		if got := m.Data[k]; math.Abs(float64(got-want)) > valueTol {
			t.Errorf("%s: element (%d, %d): got %v, want %v", name, k/cols, k%cols, got, want)
		}
	}
}

func TestReadEmbeddingsErrors(t *testing.T) {
	for i, test := range []struct {
		path, key string
		want      []string // fragments the message must contain, after the path
		sentinel  error
	}{
		// The first message is the one the package documentation promises,
		// byte for byte: 10×4 float32 is 160 bytes; the generator cut 10.
		0: {path: "truncated.npy", want: []string{": truncated: header says 10×4 float32 (160 bytes) but 150 bytes follow"}, sentinel: ErrFormat},
		1: {path: "int64.npy", want: []string{": dtype int64 is not supported (need float32 or float64)"}, sentinel: ErrFormat},
		2: {path: "bool.npy", want: []string{"dtype bool is not supported", "need float32 or float64"}, sentinel: ErrFormat},
		3: {path: "complex.npy", want: []string{"dtype complex128 is not supported"}, sentinel: ErrFormat},
		4: {path: "float16.npy", want: []string{"dtype float16 is not supported"}, sentinel: ErrFormat},
		5: {path: "str.npy", want: []string{"dtype unicode string '<U2' is not supported"}, sentinel: ErrFormat},
		6: {path: "object.npy", want: []string{"dtype object is not supported"}, sentinel: ErrFormat},
		7: {path: "vec.npy", want: []string{": want a 2-D array, got shape (10,)"}, sentinel: ErrFormat},
		8: {path: "cube.npy", want: []string{": want a 2-D array, got shape (2, 2, 2)"}, sentinel: ErrFormat},
		9: {path: "empty.npy", want: []string{"empty array of shape (0, 4)"}, sentinel: ErrFormat},
		// nan_f.npy is Fortran-ordered: storage meets the NaN at (2, 0)
		// first, but the +Inf at (1, 2) is in the earlier row.
		10: {path: "nan_f.npy", want: []string{": row 1 (0-based), column 2: +Inf"}, sentinel: ErrFormat},
		11: {path: "neginf.npy", want: []string{": row 2 (0-based), column 1: -Inf"}, sentinel: ErrFormat},
		12: {path: "overflow.npy", want: []string{": row 1 (0-based), column 0: value 1e+300 overflows float32"}, sentinel: ErrFormat},
		// Two 2×2 float32 arrays saved into one file: the second is a
		// 128-byte header and 16 bytes of data.
		13: {path: "twice.npy", want: []string{": 144 bytes follow the 2×2 float32 array (16 bytes)"}, sentinel: ErrFormat},
		14: {path: "text.npy", want: []string{": not a numpy .npy file (bad magic"}, sentinel: ErrFormat},
		15: {path: "two.npz", want: []string{": archive holds 2 arrays, choose one with a key (available: test, train)"}, sentinel: ErrNotFound},
		16: {path: "two.npz", key: "val", want: []string{`: no array "val" (available: test, train)`}, sentinel: ErrNotFound},
		17: {path: "mixed.npz", key: "bad", want: []string{"mixed.npz: bad.npy: dtype int64 is not supported"}, sentinel: ErrFormat},
		18: {path: "f32_c.npy", key: "train", want: []string{`array key "train" given, but only .npz archives hold named arrays`}, sentinel: ErrNotFound},
		19: {path: "f32_c.txt", want: []string{`: unsupported file extension ".txt" (want .npy, .npz or .csv)`}, sentinel: ErrFormat},
		20: {path: "f32_c", want: []string{": no file extension (want .npy, .npz or .csv)"}, sentinel: ErrFormat},
		21: {path: "f32_c.npy.npz", want: []string{": not a valid .npz (zip) archive"}, sentinel: ErrFormat}, // a .npy renamed, see below
	} {
		path := filepath.Join("testdata", test.path)
		if test.path == "f32_c.npy.npz" {
			path = copyFile(t, filepath.Join("testdata", "f32_c.npy"), test.path)
		}
		m, err := ReadEmbeddings(path, test.key)
		if err == nil {
			t.Errorf("%d: %s key %q: got %d×%d matrix, want an error", i, test.path, test.key, m.Rows, m.Cols)
			continue
		}
		checkError(t, fmt.Sprint(i), err, path, test.want, test.sentinel)
	}
}

// checkError checks that err matches sentinel, is one line, starts with
// path and contains every fragment of want.
func checkError(t *testing.T, name string, err error, path string, want []string, sentinel error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want one matching %v", name, sentinel)
		return
	}
	msg := err.Error()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s: error %q does not match %v", name, msg, sentinel)
	}
	if !strings.HasPrefix(msg, path+": ") {
		t.Errorf("%s: error %q does not start with %q", name, msg, path+": ")
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("%s: error %q spans several lines", name, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: error %q does not contain %q", name, msg, w)
		}
	}
}

// copyFile copies src into a new temporary directory under the given base
// name and returns the new path.
func copyFile(t *testing.T, src, base string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, base, b)
}

// writeTemp writes b to a file with the given base name in a new temporary
// directory and returns its path.
func writeTemp(t *testing.T, base string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), base)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadEmbeddingsMissingFile(t *testing.T) {
	for _, base := range []string{"missing.npy", "missing.npz", "missing.csv"} {
		path := filepath.Join(t.TempDir(), base)
		_, err := ReadEmbeddings(path, "")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: got error %v, want one matching fs.ErrNotExist", base, err)
		}
		if errors.Is(err, ErrFormat) || errors.Is(err, ErrNotFound) {
			t.Errorf("%s: error %v matches a data sentinel; a missing file is not a data problem", base, err)
		}
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the file", base, err)
		}
	}
}

func TestReadEmbeddingsDirectory(t *testing.T) {
	// A directory opens but cannot be read: an I/O error naming the path,
	// returned as package os made it, not a data error.
	for _, base := range []string{"dir.npy", "dir.csv"} {
		path := filepath.Join(t.TempDir(), base)
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := ReadEmbeddings(path, "")
		if _, ok := errors.AsType[*fs.PathError](err); !ok || errors.Is(err, ErrFormat) {
			t.Errorf("%s: got error %v, want a *fs.PathError and not ErrFormat", base, err)
		}
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q does not name the file", base, err)
		}
	}
}

// npyBytes builds a format-1.0 .npy file the way numpy.lib.format does
// (NEP 1): magic "\x93NUMPY", version 1.0, the header length as a
// little-endian uint16, the header dictionary padded with spaces and ended
// by '\n' so that the data start at a multiple of 64 bytes, then data.
func npyBytes(dict string, data []byte) []byte {
	const preamble = 10 // magic, version, header length
	hdrLen := len(dict) + 1
	hdrLen += (64 - (preamble+hdrLen)%64) % 64
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(hdrLen))
	b.WriteString(dict)
	b.WriteString(strings.Repeat(" ", hdrLen-len(dict)-1))
	b.WriteByte('\n')
	b.Write(data)
	return b.Bytes()
}

// f32Bytes encodes values as little-endian float32.
func f32Bytes(values ...float32) []byte {
	b := make([]byte, 4*len(values))
	for k, v := range values {
		binary.LittleEndian.PutUint32(b[4*k:], math.Float32bits(v))
	}
	return b
}

// malformedNPY are hand-made .npy byte streams, each with fragments its
// error must contain. They also seed FuzzReadNPY.
var malformedNPY = []struct {
	name string
	data []byte
	want []string
}{
	{"empty input", nil, []string{`not a numpy .npy file (bad magic "", want "\x93NUMPY")`}},
	{"short magic", []byte("\x93NUM"), []string{"bad magic"}},
	{"magic only", []byte("\x93NUMPY"), []string{"truncated: file ends inside the npy preamble"}},
	{"zip bytes", []byte("PK\x03\x04\x14\x00\x00\x00"), []string{"bad magic", "it is a zip archive, name it .npz"}},
	{"version 3.0", []byte("\x93NUMPY\x03\x00\x10\x00\x00\x00{}"), []string{"npy format version 3.0 is not supported (want 1.0 or 2.0)"}},
	// Format 2.0 stores the header length as a uint32: 20000 = 0x4e20.
	{"huge header", []byte("\x93NUMPY\x02\x00\x20\x4e\x00\x00{"), []string{"npy header is 20000 bytes long, more than the 10000 numpy accepts"}},
	{"header cut", []byte("\x93NUMPY\x01\x00\x64\x00{'descr'"), []string{"truncated: file ends inside the 100-byte npy header"}},
	{"no newline", []byte("\x93NUMPY\x01\x00\x05\x00{    "), []string{"malformed npy header", "no terminating newline"}},
	// npyio v0.14.0 panics (slice bounds) on these two; the guard must
	// turn the panic into an error.
	{"keys reordered", npyBytes("{'shape': (1, 1), 'fortran_order': False, 'descr': '<f4', }", f32Bytes(1)), []string{"malformed npy header"}},
	{"no closing brace", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), ", f32Bytes(1)), []string{"malformed npy header"}},
	{"bad fortran_order", npyBytes("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1, 1), }", f32Bytes(1)), []string{"malformed npy header", "fortran_order"}},
	{"bad shape", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x), }", f32Bytes(1)), []string{"malformed npy header"}},
	{"unquoted descr", npyBytes("{'descr': <f4, 'fortran_order': False, 'shape': (1, 1), }", f32Bytes(1)), []string{"dtype \"<f4\" is not a quoted string"}},
	{"structured", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1), }", f32Bytes(1)), []string{"structured dtype [('a', '<f4')] is not supported"}},
	{"uint8", npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1), }", []byte{1}), []string{"dtype uint8 is not supported (need float32 or float64)"}},
	{"negative dimension", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", nil), []string{"negative dimension in shape (-1, 4)"}},
	{"0-d", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f32Bytes(1)), []string{"want a 2-D array, got shape ()"}},
	{"zero columns", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0), }", nil), []string{"empty array of shape (3, 0)"}},
	// 2^62 × 4 float32 elements would need 2^66 bytes.
	{"overflowing shape", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", nil), []string{"array of shape (4611686018427387904, 4) is too large"}},
	// 10^6 × 10^6 float32 is 4·10^12 bytes: refused before allocation.
	{"claims too much", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", f32Bytes(1)), []string{"truncated: header says 1000000×1000000 float32 (4000000000000 bytes) but 4 bytes follow"}},
	{"NaN", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", f32Bytes(1, 2, 3, float32(math.NaN()))), []string{"row 1 (0-based), column 1: NaN"}},
}

func TestReadNPYMalformed(t *testing.T) {
	const name = "Z.npy"
	for i, test := range malformedNPY {
		m, err := readNPY(name, bytes.NewReader(test.data), int64(len(test.data)))
		if err == nil {
			t.Errorf("%d %s: got %d×%d matrix, want an error", i, test.name, m.Rows, m.Cols)
			continue
		}
		if m != nil {
			t.Errorf("%d %s: got a matrix along with error %v", i, test.name, err)
		}
		checkError(t, fmt.Sprintf("%d %s", i, test.name), err, name, test.want, ErrFormat)
	}
}

func TestReadNPYReaderError(t *testing.T) {
	// A reader that fails after a valid header: an I/O error, not a
	// format error, and the cause is kept.
	errDisk := errors.New("disk on fire")
	hdr := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", nil)
	r := io.MultiReader(bytes.NewReader(hdr), iotest.ErrReader(errDisk))
	_, err := readNPY("Z.npy", r, int64(len(hdr)+16))
	if !errors.Is(err, errDisk) {
		t.Errorf("got error %v, want one wrapping %v", err, errDisk)
	}
	if errors.Is(err, ErrFormat) {
		t.Errorf("error %v matches ErrFormat; an I/O failure is not a format problem", err)
	}
}

// zipMember describes one raw member for writeZip.
type zipMember struct {
	name             string
	data             []byte // stored as is
	crc32            uint32 // 0 means compute it
	method           uint16
	uncompressedSize uint64 // 0 means len(data)
}

// writeZip writes the members raw (no compression is applied, whatever the
// method says) into a zip file in a temporary directory.
func writeZip(t *testing.T, base string, members ...zipMember) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: m.method, CRC32: m.crc32,
			CompressedSize64: uint64(len(m.data)), UncompressedSize64: m.uncompressedSize}
		if h.CRC32 == 0 {
			h.CRC32 = crc32.ChecksumIEEE(m.data)
		}
		if h.UncompressedSize64 == 0 {
			h.UncompressedSize64 = uint64(len(m.data))
		}
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, base, buf.Bytes())
}

func TestReadNPZMalformed(t *testing.T) {
	good := npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", f32Bytes(0.5, 1.5))
	for i, test := range []struct {
		name    string
		members []zipMember
		want    []string
	}{
		{name: "no arrays", want: []string{": archive holds no arrays"}},
		{name: "bad crc", members: []zipMember{{name: "a.npy", data: good, crc32: 1}},
			want: []string{"Z.npz: a.npy: corrupt data", "checksum"}},
		// 100 deflated bytes claiming 10^9 uncompressed: more than the
		// 1032:1 DEFLATE can reach.
		{name: "bomb", members: []zipMember{{name: "a.npy", data: make([]byte, 100), method: zip.Deflate, uncompressedSize: 1e9}},
			want: []string{"Z.npz: a.npy: corrupt archive: 100 compressed bytes cannot hold 1000000000 uncompressed"}},
		{name: "stored size lie", members: []zipMember{{name: "a.npy", data: good, uncompressedSize: 1 << 20}},
			want: []string{"Z.npz: a.npy: corrupt archive: stored member is"}},
		{name: "not npy", members: []zipMember{{name: "a.npy", data: []byte("hello")}},
			want: []string{"Z.npz: a.npy: not a numpy .npy file (bad magic"}},
	} {
		path := writeZip(t, "Z.npz", test.members...)
		m, err := ReadEmbeddings(path, "")
		if err == nil {
			t.Errorf("%d %s: got %d×%d matrix, want an error", i, test.name, m.Rows, m.Cols)
			continue
		}
		checkError(t, fmt.Sprintf("%d %s", i, test.name), err, path, test.want, ErrFormat)
	}

	// The same writer, with a correct CRC, must produce a readable archive.
	path := writeZip(t, "Z.npz", zipMember{name: "dir/", data: nil}, zipMember{name: "a.npy", data: good})
	m, err := ReadEmbeddings(path, "")
	if err != nil {
		t.Fatalf("valid archive: unexpected error: %v", err)
	}
	checkMatrix(t, "valid archive", m, 1, 2, []float32{0.5, 1.5})
}

func TestReadEmbeddingsCSV(t *testing.T) {
	for i, test := range []struct {
		name, text string
		rows, cols int
		data       []float32
	}{
		{name: "no header", text: "0.5,1.5\n10.5,11.5\n", rows: 2, cols: 2, data: []float32{0.5, 1.5, 10.5, 11.5}},
		{name: "header", text: "x,y\n0.5,1.5\n", rows: 1, cols: 2, data: []float32{0.5, 1.5}},
		// One non-numeric field is enough to make the first line a header.
		{name: "partial header", text: "id,2\n0.5,1.5\n", rows: 1, cols: 2, data: []float32{0.5, 1.5}},
		// Without stripping the byte-order mark the first field would not
		// parse and the first data row would be taken for a header.
		{name: "BOM", text: "\ufeff0.5,1.5\n10.5,11.5\n", rows: 2, cols: 2, data: []float32{0.5, 1.5, 10.5, 11.5}},
		{name: "spaces CRLF no final newline", text: " 0.5 , -1.5e1\r\n1e-3,\"2\"", rows: 2, cols: 2, data: []float32{0.5, -15, 0.001, 2}},
		{name: "one column", text: "v\n1\n2\n3\n", rows: 3, cols: 1, data: []float32{1, 2, 3}},
	} {
		path := writeTemp(t, "Z.csv", []byte(test.text))
		m, err := ReadEmbeddings(path, "")
		if err != nil {
			t.Errorf("%d %s: unexpected error: %v", i, test.name, err)
			continue
		}
		checkMatrix(t, fmt.Sprintf("%d %s", i, test.name), m, test.rows, test.cols, test.data)
	}
}

func TestReadEmbeddingsCSVErrors(t *testing.T) {
	for i, test := range []struct {
		name, text string
		want       []string
	}{
		{name: "empty", text: "", want: []string{": empty file"}},
		{name: "BOM only", text: "\ufeff", want: []string{": empty file"}},
		{name: "header only", text: "a,b\n", want: []string{": no data rows (only a header line)"}},
		{name: "ragged", text: "1,2,3\n4,5,6\n7,8\n", want: []string{": line 3: 2 fields, want 3"}},
		{name: "ragged after header", text: "a,b\n1,2\n3\n", want: []string{": line 3: 1 field, want 2"}},
		{name: "not a number", text: "a,b\n1,2\n3,x\n", want: []string{`: line 3, column 1 (0-based, "b"): "x" is not a number`}},
		{name: "not a number no header", text: "1,2\n3,4\nx,5\n", want: []string{`: line 3, column 0 (0-based): "x" is not a number`}},
		{name: "empty cell", text: "1,2\n3,\n", want: []string{": line 2, column 1 (0-based): empty cell"}},
		// Row numbers are 0-based rows of the matrix; line numbers count
		// the header.
		{name: "NaN", text: "1,2\n3,NaN\n", want: []string{": line 2: row 1 (0-based), column 1: NaN"}},
		{name: "Inf after header", text: "a,b\n1,2\n3,4\ninf,5\n-inf,6\n", want: []string{": line 4: row 2 (0-based), column 0: +Inf"}},
		// 1e39 > math.MaxFloat32 ≈ 3.4028235e38.
		{name: "overflow", text: "1,2\n3,1e39\n", want: []string{": line 2: row 1 (0-based), column 1: value 1e39 overflows float32"}},
		{name: "bad quote", text: "1,2\n3,\"4\n", want: []string{"line 2", "extraneous or missing \" in quoted-field"}},
	} {
		path := writeTemp(t, "Z.csv", []byte(test.text))
		m, err := ReadEmbeddings(path, "")
		if err == nil {
			t.Errorf("%d %s: got %d×%d matrix, want an error", i, test.name, m.Rows, m.Cols)
			continue
		}
		checkError(t, fmt.Sprintf("%d %s", i, test.name), err, path, test.want, ErrFormat)
	}
}

func TestFileSHA256(t *testing.T) {
	// FIPS 180-2, appendix B.1: SHA-256("abc").
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	path := writeTemp(t, "abc.csv", []byte("abc"))
	got, err := FileSHA256(path)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := FileSHA256(path + ".missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got error %v, want one matching fs.ErrNotExist", err)
	}
}

// TestReadNPYMemory checks that reading an array allocates about the float32
// result and no copy of the file, for float32 and for float64 (converted
// chunk by chunk), in C and Fortran order. 25,000×128 keeps the test fast;
// the bound scales with the array (BenchmarkReadNPY reports allocations at
// 100,000×128).
func TestReadNPYMemory(t *testing.T) {
	const (
		rows, cols = 25_000, 128
		result     = 4 * rows * cols // bytes of the float32 matrix: 12.8 MB
		slack      = 1 << 20         // 64 KiB read buffer, header, bookkeeping
	)
	for _, test := range []struct {
		descr   string
		size    int
		fortran bool
	}{
		{"<f4", 4, false},
		{"<f8", 8, false},
		{">f8", 8, true},
	} {
		path := writeSparseNPY(t, t.TempDir(), test.descr, test.size, test.fortran, rows, cols)
		name := fmt.Sprintf("%s fortran=%v", test.descr, test.fortran)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := ReadEmbeddings(path, "")
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatalf("%s: unexpected error: %v", name, err)
		}
		if m.Rows != rows || m.Cols != cols {
			t.Errorf("%s: got %d×%d, want %d×%d", name, m.Rows, m.Cols, rows, cols)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > result+slack {
			t.Errorf("%s: allocated %d bytes, want at most %d (the %d-byte result + %d)", name, alloc, result+slack, result, slack)
		}
	}
}

// writeSparseNPY writes a rows×cols .npy file of zeros with the given dtype
// descriptor and element size into dir. Extending the file leaves a hole
// that reads as zeros: fast, and little disk.
func writeSparseNPY(tb testing.TB, dir, descr string, size int, fortran bool, rows, cols int) string {
	tb.Helper()
	order := "False"
	if fortran {
		order = "True"
	}
	hdr := npyBytes(fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': (%d, %d), }", descr, order, rows, cols), nil)
	path := filepath.Join(dir, "zeros.npy")
	if err := os.WriteFile(path, hdr, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(hdr)+size*rows*cols)); err != nil {
		tb.Fatal(err)
	}
	return path
}

func benchmarkReadNPY(b *testing.B, descr string, size int, fortran bool, rows, cols int) {
	path := writeSparseNPY(b, b.TempDir(), descr, size, fortran, rows, cols)
	b.SetBytes(int64(size * rows * cols))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadEmbeddings(path, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// Sizes: Small 1,000×128, Medium 10,000×128, Large 100,000×128 (the size an
// audit of a typical embedding dump needs).
func BenchmarkReadNPYFloat32Small(b *testing.B)  { benchmarkReadNPY(b, "<f4", 4, false, 1_000, 128) }
func BenchmarkReadNPYFloat32Medium(b *testing.B) { benchmarkReadNPY(b, "<f4", 4, false, 10_000, 128) }
func BenchmarkReadNPYFloat32Large(b *testing.B)  { benchmarkReadNPY(b, "<f4", 4, false, 100_000, 128) }
func BenchmarkReadNPYFloat64Large(b *testing.B)  { benchmarkReadNPY(b, "<f8", 8, false, 100_000, 128) }
func BenchmarkReadNPYFortranLarge(b *testing.B)  { benchmarkReadNPY(b, "<f8", 8, true, 100_000, 128) }

// FuzzReadNPY feeds arbitrary bytes to the .npy reader: it must never panic,
// and return either an ErrFormat error that starts with the name and fits on
// one line, or a well-formed, finite matrix. Seeds: every fixture in
// testdata/ and the hand-made malformed streams.
func FuzzReadNPY(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.np[yz]"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, test := range malformedNPY {
		f.Add(test.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.npy"
		m, err := readNPY(name, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if m != nil {
				t.Errorf("got a matrix along with error %v", err)
			}
			msg := err.Error()
			if !errors.Is(err, ErrFormat) || !strings.HasPrefix(msg, name+": ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want a one-line ErrFormat error starting with %q", msg, name+": ")
			}
			return
		}
		if m == nil || m.Rows <= 0 || m.Cols <= 0 || len(m.Data) != m.Rows*m.Cols {
			t.Fatalf("malformed result without error: %+v", m)
		}
		for k, v := range m.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("element %d is %v without error", k, v)
			}
		}
	})
}
