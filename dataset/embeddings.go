package dataset

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// utf8BOM is the byte-order mark some editors (Excel among them) put at the
// start of a UTF-8 CSV file.
var utf8BOM = []byte("\xef\xbb\xbf")

// ReadEmbeddings reads an n×d embedding matrix from path, one embedding per
// row, choosing the format by the file extension (case-insensitive):
//
//   - .npy: a 2-D float32 or float64 NumPy array, little- or big-endian,
//     C or Fortran order (format versions 1.0 and 2.0).
//   - .npz: a zip of .npy arrays (np.savez or np.savez_compressed). key
//     names the array, with or without its ".npy" suffix; the empty key
//     selects the only array and is an error if there are several.
//   - .csv: numbers separated by commas, one row per line. The first line
//     is a header, and skipped, if any of its fields is not a number.
//
// A non-empty key for a .npy or .csv file is an error rather than being
// ignored.
//
// Values are stored as float32 whatever the file type; float64 values are
// rounded to the nearest float32. Every value must be finite: a NaN, ±Inf or a
// float64 whose magnitude exceeds the float32 range (about 3.4e38) is an
// error naming the first such row and column, both 0-based (the lowest row,
// then the lowest column, whatever the storage order).
//
// Memory: for .npy and .npz the result (4 bytes per value) plus a 64 KiB
// buffer; float64 data are converted chunk by chunk. CSV text is parsed
// line by line into a growing slice, which can briefly need about twice the
// result.
//
// Errors about the file's content match ErrFormat (and ErrNotFound for a
// missing or ambiguous .npz key) and start with path; errors opening or
// reading the file are the *fs.PathError from package os.
func ReadEmbeddings(path, key string) (*Matrix, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if key != "" && ext != ".npz" {
		return nil, newError(ErrNotFound, path, "array key %q given, but only .npz archives hold named arrays", key)
	}
	switch ext {
	case ".npy":
		return readNPYFile(path)
	case ".npz":
		return readNPZ(path, key)
	case ".csv":
		return readCSV(path)
	case "":
		return nil, formatErrorf(path, "no file extension (want .npy, .npz or .csv)")
	default:
		return nil, formatErrorf(path, "unsupported file extension %q (want .npy, .npz or .csv)", ext)
	}
}

// FileSHA256 returns the SHA-256 digest of the file at path as 64 lowercase
// hexadecimal digits, for recording in a report which exact input was
// audited. Errors are those of package os, naming the path.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readNPYFile reads a .npy file.
func readNPYFile(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readNPY(path, f, st.Size())
}

// maxDeflateRatio bounds the ratio of uncompressed to compressed size of a
// deflated zip member: DEFLATE cannot do better than about 1032:1 (a
// 258-byte match coded in as little as 2 bits; zlib's technical details,
// "Maximum compression factor"). A member claiming more is corrupt or a
// decompression bomb, and is refused before its size is allocated.
const maxDeflateRatio = 1032

// readNPZ reads the array named key (or the only array, if key is empty)
// from the .npz archive at path.
func readNPZ(path, key string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // nothing is extracted, so names do not matter
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) || errors.Is(err, zip.ErrChecksum) {
			return nil, wrapFormat(path, "not a valid .npz (zip) archive", err)
		}
		return nil, ioError(path, err)
	}

	var (
		keys   []string // array names without ".npy"
		member *zip.File
	)
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // a directory entry
		}
		k := strings.TrimSuffix(zf.Name, ".npy")
		keys = append(keys, k)
		if key != "" && member == nil && (zf.Name == key || k == key) {
			member = zf
		}
	}
	slices.Sort(keys)
	switch {
	case len(keys) == 0:
		return nil, formatErrorf(path, "archive holds no arrays")
	case key == "" && len(keys) == 1:
		for _, zf := range zr.File {
			if !strings.HasSuffix(zf.Name, "/") {
				member = zf
			}
		}
	case key == "":
		return nil, newError(ErrNotFound, path, "archive holds %d arrays, choose one with a key (available: %s)", len(keys), strings.Join(keys, ", "))
	case member == nil:
		return nil, newError(ErrNotFound, path, "no array %q (available: %s)", key, strings.Join(keys, ", "))
	}

	name := path + ": " + member.Name
	usize, csize := member.UncompressedSize64, member.CompressedSize64
	off, err := member.DataOffset()
	if err != nil {
		return nil, wrapFormat(name, "corrupt archive", err)
	}
	switch {
	case usize > math.MaxInt64 || csize > uint64(st.Size()) || uint64(off) > uint64(st.Size())-csize:
		return nil, formatErrorf(name, "corrupt archive: member sizes (%d bytes compressed, %d uncompressed) do not fit in the %d-byte file", csize, usize, st.Size())
	case member.Method == zip.Store && usize != csize:
		return nil, formatErrorf(name, "corrupt archive: stored member is %d bytes but claims %d uncompressed", csize, usize)
	case member.Method == zip.Deflate && usize/maxDeflateRatio > csize:
		return nil, formatErrorf(name, "corrupt archive: %d compressed bytes cannot hold %d uncompressed", csize, usize)
	}
	rc, err := member.Open()
	if err != nil {
		return nil, wrapFormat(name, "cannot open archive member", err)
	}
	defer rc.Close()
	return readNPY(name, rc, int64(usize))
}

// readCSV reads a numeric CSV file; see ReadEmbeddings.
func readCSV(path string) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr, err := newCSVReader(f)
	if err != nil {
		return nil, ioError(path, err)
	}
	cr.ReuseRecord = true

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, formatErrorf(path, "empty file")
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	cols := len(rec)
	var header []string // column names, if the first line is a header
	for _, s := range rec {
		if !isNumber(s) {
			header = slices.Clone(rec)
			break
		}
	}
	column := func(j int) string {
		if header != nil {
			return fmt.Sprintf("column %d (0-based, %q)", j, header[j])
		}
		return fmt.Sprintf("column %d (0-based)", j)
	}

	var data []float32
	for row := 0; ; row++ {
		if row > 0 || header != nil {
			rec, err = cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, csvError(path, err)
			}
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != cols {
			return nil, formatErrorf(path, "line %d: %s, want %d", line, fieldCount(len(rec)), cols)
		}
		for j, s := range rec {
			s = strings.TrimSpace(s)
			line, _ := cr.FieldPos(j)
			if s == "" {
				return nil, formatErrorf(path, "line %d, %s: empty cell", line, column(j))
			}
			v, err := strconv.ParseFloat(s, 32)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return nil, formatErrorf(path, "line %d, %s: %q is not a number", line, column(j), s)
			}
			if math.IsInf(v, 0) || math.IsNaN(v) {
				what := describeNonFinite(v)
				if err != nil { // ParseFloat returned ±Inf for a value beyond the float32 range
					what = fmt.Sprintf("value %s overflows float32 (largest magnitude %g)", s, float32(math.MaxFloat32))
				}
				return nil, formatErrorf(path, "line %d: row %d (0-based), column %d: %s", line, row, j, what)
			}
			data = append(data, float32(v))
		}
	}
	if len(data) == 0 {
		return nil, formatErrorf(path, "no data rows (only a header line)")
	}
	return &Matrix{Rows: len(data) / cols, Cols: cols, Data: data}, nil
}

// isNumber reports whether s (spaces trimmed) parses as a number, in range or
// not; it decides whether a CSV's first line is a header.
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
	return err == nil || errors.Is(err, strconv.ErrRange)
}

// newCSVReader returns a csv.Reader over r that skips a leading UTF-8
// byte-order mark and leaves checking the number of fields per record to
// the caller, so that the error can name the line.
func newCSVReader(r io.Reader) (*csv.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	b, err := br.Peek(len(utf8BOM))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	return cr, nil
}

// csvError wraps an error from csv.Reader: a *csv.ParseError (bad quoting)
// is a format error, anything else an I/O error.
func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &dataError{msg: path + ": " + err.Error(), kind: ErrFormat, cause: err}
	}
	return ioError(path, err)
}

// fieldCount says how many fields a CSV record has: "1 field", "3 fields".
func fieldCount(n int) string {
	if n == 1 {
		return "1 field"
	}
	return fmt.Sprintf("%d fields", n)
}
