package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteFilesRoundTrip writes a matrix and a table (with a comma and a
// quote to escape) and reads them back with ReadEmbeddings and ReadLabels.
func TestWriteFilesRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := &Matrix{Rows: 2, Cols: 3, Data: []float32{1, -2.5, 3e-8, 4, 5, 6}}
	if err := WriteNPYFile(filepath.Join(dir, "z.npy"), m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEmbeddings(filepath.Join(dir, "z.npy"), "")
	if err != nil || got.Rows != 2 || got.Cols != 3 || !slices.Equal(got.Data, m.Data) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	tab, err := NewTable("t", []string{"name", "split"}, [][]string{{"a,b", `say "hi"`}, {"train", "test"}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "l.csv")
	if err := WriteTableCSV(path, tab); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := "name,split\n\"a,b\",train\n\"say \"\"hi\"\"\",test\n"; string(b) != want {
		t.Errorf("file %q, want %q", b, want)
	}
	back, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := back.Column("name"); !slices.Equal(c, []string{"a,b", `say "hi"`}) {
		t.Errorf("name column %q", c)
	}
	// A folder that does not exist: an error, nothing written.
	if err := WriteTableCSV(filepath.Join(dir, "no", "l.csv"), tab); err == nil {
		t.Error("missing folder: no error")
	}
}
