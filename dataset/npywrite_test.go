package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteNPYHeaderAsNumpy(t *testing.T) {
	// numpy 1.24.2: np.save(f, np.zeros((2, 3), np.float32)) writes this
	// 128-byte header (magic, version 1.0, length 118, dict padded with
	// spaces to a multiple of 64, newline).
	want := "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
		strings.Repeat(" ", 58) + "\n"
	var buf bytes.Buffer
	if err := WriteNPY(&buf, NewMatrix(2, 3)); err != nil {
		t.Fatal(err)
	}
	got := buf.String()[:128]
	if got != want {
		t.Errorf("got header %q\nwant %q", got, want)
	}
	if buf.Len() != 128+2*3*4 {
		t.Errorf("got %d bytes, want %d", buf.Len(), 128+24)
	}
}

func TestWriteNPYRoundTrip(t *testing.T) {
	m := NewMatrix(3, 4)
	for i := range m.Data {
		m.Data[i] = float32(i)*10 + 0.5
	}
	p := filepath.Join(t.TempDir(), "z.npy")
	var buf bytes.Buffer
	if err := WriteNPY(&buf, m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEmbeddings(p, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != 3 || got.Cols != 4 || !slices.Equal(got.Data, m.Data) {
		t.Errorf("got %d×%d %v, want 3×4 %v", got.Rows, got.Cols, got.Data, m.Data)
	}
}
