package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

// labelsCSV is a small label table: a byte-order mark, spaces around names
// and values, CRLF line ends and a quoted field with a comma.
const labelsCSV = "\ufeffid, sex ,age\r\n1,F,young\r\n2, M ,old\r\n3,F,\"old, very\"\r\n"

func TestReadLabels(t *testing.T) {
	path := writeTemp(t, "labels.csv", []byte(labelsCSV))
	tab, err := ReadLabels(path)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if tab.Path != path {
		t.Errorf("Path: got %q, want %q", tab.Path, path)
	}
	if want := []string{"id", "sex", "age"}; !slices.Equal(tab.Header, want) {
		t.Errorf("Header: got %q, want %q", tab.Header, want)
	}
	if tab.Rows != 3 {
		t.Errorf("Rows: got %d, want 3", tab.Rows)
	}
	for _, test := range []struct {
		name string
		want []string
	}{
		{"id", []string{"1", "2", "3"}},
		{"sex", []string{"F", "M", "F"}},
		{"age", []string{"young", "old", "old, very"}},
	} {
		if !tab.Has(test.name) {
			t.Errorf("Has(%q): got false, want true", test.name)
		}
		got, err := tab.Column(test.name)
		if err != nil {
			t.Errorf("Column(%q): unexpected error: %v", test.name, err)
			continue
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("Column(%q): got %q, want %q", test.name, got, test.want)
		}
		got[0] = "changed" // the table must not share its storage
	}
	if got, _ := tab.Column("id"); got[0] != "1" {
		t.Errorf("Column returned the table's own storage: after a change got %q", got[0])
	}
	if tab.Has("height") {
		t.Errorf("Has(%q): got true, want false", "height")
	}
	_, err = tab.Column("agee")
	checkError(t, "Column(agee)", err, path, []string{`: no column "agee" (available: id, sex, age)`}, ErrNotFound)
}

func TestReadLabelsErrors(t *testing.T) {
	for i, test := range []struct {
		name, text string
		want       []string
	}{
		{name: "empty", text: "", want: []string{": empty file (want a header line naming the columns)"}},
		{name: "BOM only", text: "\ufeff", want: []string{": empty file"}},
		{name: "header only", text: "id,sex\n", want: []string{": no data rows after the header"}},
		{name: "duplicate", text: "id,sex,age,sex\n1,F,3,F\n", want: []string{`: duplicate column name "sex" (columns 1 and 3, 0-based)`}},
		{name: "duplicate after trim", text: "id, sex,sex \n1,F,F\n", want: []string{`duplicate column name "sex" (columns 1 and 2, 0-based)`}},
		{name: "empty name", text: "id,,age\n1,F,3\n", want: []string{": column 1 (0-based) has an empty header name"}},
		{name: "ragged", text: "id,sex\n1,F\n2\n3,M\n", want: []string{": line 3: 1 field, want 2"}},
		{name: "too many fields", text: "id,sex\n1,F\n2,M\n3,M,x\n", want: []string{": line 4: 3 fields, want 2"}},
		{name: "bad quote", text: "id,sex\n1,\"F\n", want: []string{"line 2", "extraneous or missing \" in quoted-field"}},
	} {
		path := writeTemp(t, "Z.csv", []byte(test.text))
		tab, err := ReadLabels(path)
		if err == nil {
			t.Errorf("%d %s: got a %d-row table, want an error", i, test.name, tab.Rows)
			continue
		}
		checkError(t, fmt.Sprintf("%d %s", i, test.name), err, path, test.want, ErrFormat)
	}

	_, err := ReadLabels(filepath.Join(t.TempDir(), "missing.csv"))
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrFormat) {
		t.Errorf("missing file: got error %v, want one matching fs.ErrNotExist only", err)
	}
}

func TestIntersect(t *testing.T) {
	path := writeTemp(t, "labels.csv", []byte(labelsCSV))
	tab, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, test := range []struct {
		spec string
		want []string
	}{
		{"sex", []string{"F", "M", "F"}},
		{"sex+age", []string{"F+young", "M+old", "F+old, very"}},
		{"age+sex", []string{"young+F", "old+M", "old, very+F"}},
		{" sex + id ", []string{"F+1", "M+2", "F+3"}},
		{"sex+age+id", []string{"F+young+1", "M+old+2", "F+old, very+3"}},
	} {
		got, err := Intersect(tab, test.spec)
		if err != nil {
			t.Errorf("%d %q: unexpected error: %v", i, test.spec, err)
			continue
		}
		if !slices.Equal(got, test.want) {
			t.Errorf("%d %q: got %q, want %q", i, test.spec, got, test.want)
		}
	}

	for i, test := range []struct {
		spec     string
		want     []string
		sentinel error
	}{
		{"height", []string{`: no column "height" (available: id, sex, age)`}, ErrNotFound},
		{"sex+height", []string{`: group spec "sex+height": no column "height" (available: id, sex, age)`}, ErrNotFound},
		{"sex+", []string{`: group spec "sex+" has an empty column name`}, ErrNotFound},
		{"+", []string{`: group spec "+" has an empty column name`}, ErrNotFound},
	} {
		_, err := Intersect(tab, test.spec)
		checkError(t, fmt.Sprintf("%d %q", i, test.spec), err, path, test.want, test.sentinel)
	}
}

func TestIntersectPlusInNames(t *testing.T) {
	// A column literally called "a+b" is taken as itself.
	path := writeTemp(t, "plus.csv", []byte("a+b,a,b\nx,1,2\ny,3,4\n"))
	tab, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Intersect(tab, "a+b")
	if want := []string{"x", "y"}; err != nil || !slices.Equal(got, want) {
		t.Errorf(`Intersect("a+b"): got %q, %v, want %q`, got, err, want)
	}

	// Values containing "+" are fine as long as the joined labels stay
	// distinct...
	path = writeTemp(t, "values.csv", []byte("a,b\nx+,y\nx+,y\nz,w+\n"))
	tab, err = ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err = Intersect(tab, "a+b")
	if want := []string{"x++y", "x++y", "z+w+"}; err != nil || !slices.Equal(got, want) {
		t.Errorf(`Intersect("a+b"): got %q, %v, want %q`, got, err, want)
	}

	// ...but ("x+", "y") and ("x", "+y") both join to "x++y": merging the
	// two groups silently would be wrong.
	path = writeTemp(t, "ambiguous.csv", []byte("a,b\nx+,y\nz,w\nx,+y\n"))
	tab, err = ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Intersect(tab, "a+b")
	checkError(t, "ambiguous", err, path, []string{`: group spec "a+b" is ambiguous: rows 0 and 2 (0-based)`, `both join to "x++y"`}, ErrFormat)
}
