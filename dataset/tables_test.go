package dataset

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// tableTol bounds the error of float32 features computed in float64: half
// an ulp of float32 near 2 is 1.2e-7.
const tableTol = 2.5e-7

// Standardising people.csv: the train rows' ages are 20, 30, 40, 50, so
//
//	mean = 140/4 = 35
//	std  = √((15² + 5² + 5² + 15²)/4) = √125 = 5√5 = 11.180339887498949
//
// and the ages code as (age − 35)/(5√5): 20 → −3/√5, 30 → −1/√5,
// 40 → 1/√5, 50 → 3/√5, 60 → 25/(5√5) = √5, 35 → 0. The train cities
// sorted (byte order) are Bonn, Köln, Ulm; Essen appears only in a test
// row, so codes as all zeros.
var (
	sqrt5      = math.Sqrt(5)
	peopleX    = [][]float64{{-3 / sqrt5, 0, 0, 1}, {-1 / sqrt5, 1, 0, 0}, {1 / sqrt5, 0, 0, 1}, {3 / sqrt5, 0, 1, 0}, {sqrt5, 0, 0, 1}, {0, 0, 0, 0}}
	peopleCSV  = filepath.Join("testdata", "tables", "people.csv")
	people2CSV = filepath.Join("testdata", "tables", "people2.csv")
	tinyARFFP  = filepath.Join("testdata", "tables", "tiny.arff")
)

// checkX compares a dataset's examples with want, row by row.
func checkX(t *testing.T, name string, d *Dataset, want [][]float64, tol float64) {
	t.Helper()
	if d.N != len(want) {
		t.Fatalf("%s: got %d examples, want %d", name, d.N, len(want))
	}
	for i, w := range want {
		got := d.Example(i)
		if len(got) != len(w) {
			t.Fatalf("%s: example %d: got %d values, want %d", name, i, len(got), len(w))
		}
		for j := range w {
			if math.Abs(float64(got[j])-w[j]) > tol {
				t.Errorf("%s: example %d, feature %d: got %v, want %v", name, i, j, got[j], w[j])
			}
		}
	}
}

// column returns a column of a table, failing the test if it is absent.
func column(t *testing.T, tab *Table, name string) []string {
	t.Helper()
	c, err := tab.Column(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadTableCSV(t *testing.T) {
	d, rep, err := loadTable(peopleCSV, LoadOptions{LabelColumns: []string{"id"}}, tableConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "table:"+peopleCSV {
		t.Errorf("Name: got %q, want %q", d.Name, "table:"+peopleCSV)
	}
	if !slices.Equal(d.Shape, []int{4}) {
		t.Errorf("Shape: got %v, want [4]", d.Shape)
	}
	// sha256sum testdata/tables/people.csv
	if want := "b7ba1ae61585b0e2e76280e82cdb8de060051fdf3be1ff0961dca8c54b1a5665"; d.Hash != want {
		t.Errorf("Hash: got %s, want %s", d.Hash, want)
	}
	checkX(t, "people.csv", d, peopleX, tableTol)

	want := &TableSchema{
		Columns: []SchemaColumn{
			{Name: "age", Kind: Numeric, Mean: 35, Std: math.Sqrt(125)},
			{Name: "city", Kind: Categorical, Categories: []string{"Bonn", "Köln", "Ulm"}},
		},
		Features: []string{"age", "city=Bonn", "city=Köln", "city=Ulm"},
	}
	if !reflect.DeepEqual(d.Schema, want) {
		t.Errorf("Schema:\ngot  %+v\nwant %+v", d.Schema, want)
	}
	if !slices.Equal(d.Attrs.Header, []string{"id", "split"}) {
		t.Errorf("Attrs header: got %q, want [id split]", d.Attrs.Header)
	}
	if got := column(t, d.Attrs, "split"); !slices.Equal(got, []string{"train", "train", "train", "train", "test", "test"}) {
		t.Errorf("split: got %q", got)
	}
	if got := column(t, d.Attrs, "id"); !slices.Equal(got, []string{"a", "b", "c", "d", "e", "f"}) {
		t.Errorf("id: got %q", got)
	}
	if rep.splitDrawn || rep.dropped != 0 || len(rep.missing) != 0 {
		t.Errorf("report: got %+v, want no split drawn, nothing dropped or missing", rep)
	}
	if want := map[string]int{"city": 1}; !reflect.DeepEqual(rep.unseen, want) {
		t.Errorf("unseen: got %v, want %v (Essen, only in a test row)", rep.unseen, want)
	}

	// Through Load, and with the features named (in another order).
	d2, err := Load("table:"+peopleCSV, LoadOptions{Features: []string{"city", "age"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"city=Bonn", "city=Köln", "city=Ulm", "age"}; !slices.Equal(d2.Schema.Features, want) {
		t.Errorf("Features order: got %q, want %q", d2.Schema.Features, want)
	}
	if !slices.Equal(d2.Attrs.Header, []string{"split"}) {
		t.Errorf("Attrs header with no label columns: got %q, want [split]", d2.Attrs.Header)
	}
	if got, want := d2.Example(1), []float32{1, 0, 0, float32(-1 / sqrt5)}; !slices.Equal(got, want) {
		t.Errorf("example 1: got %v, want %v", got, want)
	}
}

// TestApplySavedSchema applies people.csv's schema, after a JSON round trip,
// to people2.csv: its columns are in another order, with one unused. Age
// 46.180339887498949 is 35 + √125, so codes as 1; Essen was not seen.
func TestApplySavedSchema(t *testing.T) {
	d, err := LoadTable(peopleCSV, LoadOptions{LabelColumns: []string{"id"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d.Schema)
	if err != nil {
		t.Fatal(err)
	}
	// The JSON form, written out by hand from the schema above.
	const wantJSON = `{"columns":[{"name":"age","kind":"numeric","mean":35,"std":11.180339887498949},` +
		`{"name":"city","kind":"categorical","categories":["Bonn","Köln","Ulm"]}],` +
		`"features":["age","city=Bonn","city=Köln","city=Ulm"]}`
	if string(b) != wantJSON {
		t.Errorf("JSON:\ngot  %s\nwant %s", b, wantJSON)
	}
	var s TableSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&s, d.Schema) {
		t.Errorf("JSON round trip: got %+v, want %+v", s, *d.Schema)
	}

	d2, rep, err := loadTable(people2CSV, LoadOptions{LabelColumns: []string{"id"}, Schema: &s}, tableConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if d2.Schema != &s {
		t.Errorf("Schema: got a different schema from the one given")
	}
	checkX(t, "people2.csv", d2, [][]float64{{0, 1, 0, 0}, {1, 0, 0, 0}}, tableTol)
	if want := map[string]int{"city": 1}; !reflect.DeepEqual(rep.unseen, want) {
		t.Errorf("unseen: got %v, want %v", rep.unseen, want)
	}
	// Two rows: 2/5 rounds down to no test rows.
	if got := column(t, d2.Attrs, "split"); !rep.splitDrawn || !slices.Equal(got, []string{"train", "train"}) {
		t.Errorf("split: got %q (drawn %v), want a drawn split of two train rows", got, rep.splitDrawn)
	}

	// Public Apply gives the same vectors.
	tab, err := ReadLabels(people2CSV)
	if err != nil {
		t.Fatal(err)
	}
	x, unseen, err := s.Apply(tab)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, d2.X) || unseen["city"] != 1 {
		t.Errorf("Apply: got %v, %v; want %v, city 1", x, unseen, d2.X)
	}

	// A schema whose column the file lacks; features that differ from it.
	_, err = LoadTable(people2CSV, LoadOptions{Schema: &TableSchema{Columns: []SchemaColumn{{Name: "height", Kind: Numeric, Std: 1}}}})
	checkError(t, "schema column missing", err, people2CSV, []string{`: no column "height" (available: city, age, id, extra)`}, ErrNotFound)
	_, err = LoadTable(people2CSV, LoadOptions{Schema: &s, Features: []string{"age"}})
	if err == nil || !strings.Contains(err.Error(), "the features age differ from the schema's columns age, city") {
		t.Errorf("features differing from the schema: got error %v", err)
	}
}

func TestFitSchema(t *testing.T) {
	tab, err := NewTable("mem", []string{"x", "c"}, [][]string{{"1", "2", "3", "7"}, {"b", "a", "b", "z"}})
	if err != nil {
		t.Fatal(err)
	}
	// All rows: x = 1, 2, 3, 7 has mean 13/4 = 3.25 and mean squared
	// deviation (2.25² + 1.25² + 0.25² + 3.75²)/4 = 20.75/4 = 5.1875.
	s, err := FitSchema(tab, []SchemaColumn{{Name: "x", Kind: Numeric}, {Name: "c", Kind: Categorical}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Columns[0]; c.Mean != 3.25 || math.Abs(c.Std-math.Sqrt(5.1875)) > 1e-15 {
		t.Errorf("x: got mean %v, std %v; want 3.25, %v", c.Mean, c.Std, math.Sqrt(5.1875))
	}
	if got := s.Columns[1].Categories; !slices.Equal(got, []string{"a", "b", "z"}) {
		t.Errorf("c categories: got %q, want [a b z]", got)
	}
	// Rows 0 and 2 only: x = 1, 3 (mean 2, std 1); c = b, b. Fixed
	// categories keep their order; a constant column gets std 1.
	s, err = FitSchema(tab, []SchemaColumn{{Name: "x", Kind: Numeric}, {Name: "c", Kind: Categorical, Categories: []string{"z", "b", "y"}}}, []int{0, 2})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Columns[0]; c.Mean != 2 || c.Std != 1 {
		t.Errorf("x on rows 0, 2: got mean %v, std %v; want 2, 1", c.Mean, c.Std)
	}
	if want := []string{"x", "c=z", "c=b", "c=y"}; !slices.Equal(s.Features, want) || s.Dim() != 4 {
		t.Errorf("features: got %q (dim %d), want %q", s.Features, s.Dim(), want)
	}
	x, unseen, err := s.Apply(tab)
	if err != nil {
		t.Fatal(err)
	}
	// (x−2)/1 and the one-hot code over z, b, y; "a" is unseen.
	want := []float32{-1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 5, 1, 0, 0}
	if !slices.Equal(x, want) {
		t.Errorf("Apply: got %v, want %v", x, want)
	}
	if !reflect.DeepEqual(unseen, map[string]int{"c": 1}) {
		t.Errorf("unseen: got %v, want map[c:1]", unseen)
	}
	constant, err := NewTable("mem", []string{"k"}, [][]string{{"4", "4", "4"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err = FitSchema(constant, []SchemaColumn{{Name: "k", Kind: Numeric}}, nil)
	if err != nil || s.Columns[0].Mean != 4 || s.Columns[0].Std != 1 {
		t.Errorf("constant column: got %+v, %v; want mean 4, std 1", s, err)
	}

	for _, test := range []struct {
		name  string
		cols  []SchemaColumn
		train []int
		want  string
		is    error
	}{
		{"unknown column", []SchemaColumn{{Name: "y", Kind: Numeric}}, nil, `mem: no column "y" (available: x, c)`, ErrNotFound},
		{"not a number", []SchemaColumn{{Name: "c", Kind: Numeric}}, nil, `mem: row 0 (0-based), column "c": "b" is not a number`, ErrFormat},
		{"no train rows", []SchemaColumn{{Name: "x", Kind: Numeric}}, []int{}, "mem: no training rows", ErrFormat},
		{"row out of range", []SchemaColumn{{Name: "x", Kind: Numeric}}, []int{4}, "mem: train row 4 out of range [0, 4)", nil},
		{"bad kind", []SchemaColumn{{Name: "x", Kind: "ordinal"}}, nil, `mem: column "x": unknown kind "ordinal"`, nil},
		{"twice", []SchemaColumn{{Name: "x", Kind: Numeric}, {Name: "x", Kind: Numeric}}, nil, `mem: column "x" named twice`, nil},
	} {
		_, err := FitSchema(tab, test.cols, test.train)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%s: got error %v, want one containing %q", test.name, err, test.want)
		}
		if test.is != nil && !errors.Is(err, test.is) {
			t.Errorf("%s: error %v does not match %v", test.name, err, test.is)
		}
	}
}

func TestSchemaValidate(t *testing.T) {
	num := func(name string) SchemaColumn { return SchemaColumn{Name: name, Kind: Numeric, Std: 1} }
	for _, test := range []struct {
		name string
		s    TableSchema
		want string
	}{
		{"empty", TableSchema{}, "table schema: no columns"},
		{"no name", TableSchema{Columns: []SchemaColumn{{Kind: Numeric, Std: 1}}}, "column 0 (0-based) has no name"},
		{"twice", TableSchema{Columns: []SchemaColumn{num("a"), num("a")}}, `column "a" appears twice`},
		{"zero std", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: Numeric}}}, `column "a": std 0 is not a finite positive number`},
		{"NaN mean", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: Numeric, Std: 1, Mean: math.NaN()}}}, `column "a": mean NaN is not finite`},
		{"numeric with categories", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: Numeric, Std: 1, Categories: []string{"x"}}}}, `column "a": numeric but has 1 categories`},
		{"no categories", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: Categorical}}}, `column "a": categorical but has no categories`},
		{"repeated category", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: Categorical, Categories: []string{"x", "x"}}}}, `column "a": category "x" appears twice`},
		{"kind", TableSchema{Columns: []SchemaColumn{{Name: "a", Kind: "Numeric", Std: 1}}}, `column "a": unknown kind "Numeric"`},
		{"features", TableSchema{Columns: []SchemaColumn{num("a")}, Features: []string{"b"}}, "the feature names do not match the columns"},
	} {
		err := test.s.Validate()
		if err == nil || !strings.Contains(err.Error(), test.want) || !errors.Is(err, ErrFormat) {
			t.Errorf("%s: got error %v, want one matching ErrFormat containing %q", test.name, err, test.want)
		}
	}
	ok := TableSchema{Columns: []SchemaColumn{num("a")}}
	if err := ok.Validate(); err != nil {
		t.Errorf("schema without feature names: got error %v, want none", err)
	}
}

// missingCSV has missing values of every CSV kind. Line 1 is the header,
// so the row with id k is on line k+1.
const missingCSV = `id,age,job,score
1,20,a,1
2,,b,2
3,NA,c,?
4,30,?,3
5,nan,d,4
6,?,e,5
7,1,f,6
8,2,g,NaN
`

func TestLoadTableMissing(t *testing.T) {
	path := writeTemp(t, "credit.csv", []byte(missingCSV))
	_, err := LoadTable(path, LoadOptions{LabelColumns: []string{"id"}})
	// age is missing for ids 2, 3, 5, 6 (lines 3, 4, 6, 7), job for id 4
	// (line 5), score for ids 3 and 8 (lines 4, 9).
	checkError(t, "missing", err, path, []string{": missing values in columns age (4 rows, lines 3, 4, 6, 7), job (1 row, line 5), score (2 rows, lines 4, 9); fill them in or drop those rows"}, ErrFormat)

	// Missing values in a label column are kept.
	d, err := LoadTable(path, LoadOptions{Features: []string{"id"}, LabelColumns: []string{"age"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, d.Attrs, "age"); !slices.Equal(got, []string{"20", "", "NA", "30", "nan", "?", "1", "2"}) {
		t.Errorf("age as a label: got %q", got)
	}

	// Dropping: ids 1 and 7 have no missing feature value.
	d, rep, err := loadTable(path, LoadOptions{LabelColumns: []string{"id"}}, tableConfig{dropMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, d.Attrs, "id"); !slices.Equal(got, []string{"1", "7"}) || rep.dropped != 6 || len(rep.missing) != 3 {
		t.Errorf("dropping: got ids %q, %d dropped, %d columns with missing values; want [1 7], 6, 3", got, rep.dropped, len(rep.missing))
	}
	// The same through LoadTable's option, which says so in Notes (the
	// table has no split column, so a split is drawn and noted too).
	d2, err := LoadTable(path, LoadOptions{LabelColumns: []string{"id"}, DropMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := column(t, d2.Attrs, "id"); !slices.Equal(got, []string{"1", "7"}) || len(d2.Notes) != 2 ||
		!strings.Contains(d2.Notes[0], path+": dropped 6 rows with missing values in ") || !strings.Contains(d2.Notes[1], "split") {
		t.Errorf("DropMissing: got ids %q, notes %q", got, d2.Notes)
	}
	// Kinds are decided after dropping: age 20, 1 is numeric (mean 10.5,
	// std 9.5); job a, f categorical.
	if got := d.Schema.Features; !slices.Equal(got, []string{"age", "job=a", "job=f", "score"}) {
		t.Errorf("features after dropping: got %q", got)
	}

	// Only a few lines are listed.
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 8 {
		fmt.Fprintf(&b, "%d,\n", i)
	}
	path = writeTemp(t, "many.csv", []byte(b.String()))
	_, err = LoadTable(path, LoadOptions{})
	checkError(t, "many", err, path, []string{": missing values in column y (8 rows, lines 2, 3, 4, 5, 6, …); fill"}, ErrFormat)
	_, _, err = loadTable(path, LoadOptions{}, tableConfig{dropMissing: true})
	checkError(t, "all dropped", err, path, []string{": every row has a missing feature value"}, ErrFormat)

	// ARFF: "?" in age (line 18) and in the string column note (line 19).
	_, err = LoadTable(tinyARFFP, LoadOptions{LabelColumns: []string{"class", "when"}})
	checkError(t, "ARFF missing", err, tinyARFFP, []string{": missing values in columns age (1 row, line 18), note (1 row, line 19)"}, ErrFormat)
}

func TestLoadTableARFF(t *testing.T) {
	// Only the first instance (line 16) has no missing feature; with one
	// row every numeric std is 0, taken as 1, so every numeric feature is
	// 0. home town is coded over its three declared values, note over the
	// one value seen.
	d, rep, err := loadTable(tinyARFFP, LoadOptions{LabelColumns: []string{"class", "when"}}, tableConfig{dropMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"age", "home town=Ulm", "home town=Bad Kissingen", "home town=a,b", "income", "kids", "note=likes 'tea'"}
	if !slices.Equal(d.Schema.Features, want) || rep.dropped != 2 {
		t.Errorf("features: got %q (%d dropped), want %q (2 dropped)", d.Schema.Features, rep.dropped, want)
	}
	checkX(t, "tiny.arff", d, [][]float64{{0, 1, 0, 0, 0, 0, 1}}, 0)
	if got := column(t, d.Attrs, "when"); !slices.Equal(got, []string{"2020-01-02"}) {
		t.Errorf("when: got %q", got)
	}

	_, err = LoadTable(tinyARFFP, LoadOptions{Features: []string{"income", "when"}})
	if err == nil || !strings.Contains(err.Error(), `column "when" is a date attribute and cannot be a feature`) {
		t.Errorf("date feature: got error %v", err)
	}
}

func TestLoadTableErrors(t *testing.T) {
	ragged := writeTemp(t, "ragged.csv", []byte("a,b\n1,2\n3\n4,5\n"))
	_, err := LoadTable(ragged, LoadOptions{})
	checkError(t, "ragged", err, ragged, []string{": line 3: 1 field, want 2 (one per header column)"}, ErrFormat)

	_, err = LoadTable(peopleCSV, LoadOptions{LabelColumns: []string{"id", "sex"}})
	checkError(t, "unknown label", err, peopleCSV, []string{`: no column "sex" (available: id, age, city, split)`}, ErrNotFound)
	_, err = LoadTable(peopleCSV, LoadOptions{Features: []string{"age", "height", "weight"}})
	checkError(t, "unknown features", err, peopleCSV, []string{`: no columns "height", "weight" (available: id, age, city, split)`}, ErrNotFound)

	for i, test := range []struct {
		name, file, text string
		opt              LoadOptions
		want             string
	}{
		{"extension", "t.txt", "a\n1\n", LoadOptions{}, ": unsupported table file (want a name ending in .csv, .arff or .arff.gz)"},
		{"empty", "t.csv", "", LoadOptions{}, ": empty file"},
		{"header only", "t.csv", "a,b\n", LoadOptions{}, ": no data rows after the header"},
		{"duplicate", "t.csv", "a,a\n1,2\n", LoadOptions{}, `: duplicate column name "a" (columns 0 and 1, 0-based)`},
		{"bad quote", "t.csv", "a\n\"x\n", LoadOptions{}, `extraneous or missing " in quoted-field`},
		{"bad split", "t.csv", "a,split\n1,train\n2,val\n", LoadOptions{}, `: line 3: column "split" is "val" (want "train" or "test")`},
		{"no train", "t.csv", "a,split\n1,test\n", LoadOptions{}, `: no train rows (every value of column "split" is "test")`},
		{"split feature", "t.csv", "a,split\n1,train\n", LoadOptions{Features: []string{"split"}}, `: column "split" divides train from test rows and cannot be a feature`},
		{"no features", "t.csv", "a,split\n1,train\n", LoadOptions{LabelColumns: []string{"a"}}, `: no feature columns`},
		{"infinite", "t.csv", "a\n1\ninf\n", LoadOptions{}, `: line 3, column "a": "inf" is not a finite number`},
		{"arff", "t.arff", "@relation r\n@attribute a numeric\n@data\n1\nx\n", LoadOptions{}, `: line 5: attribute "a" (numeric): "x" is not a number`},
	} {
		path := writeTemp(t, test.file, []byte(test.text))
		_, err := LoadTable(path, test.opt)
		if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), test.want) {
			t.Errorf("%d %s: got error %v, want one starting with the path and containing %q", i, test.name, err, test.want)
		}
	}

	_, err = LoadTable(filepath.Join(t.TempDir(), "none.csv"), LoadOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want an error matching fs.ErrNotExist", err)
	}
}

func TestDrawSplit(t *testing.T) {
	for _, n := range []int{1, 4, 5, 10, 1001} {
		split := drawSplit(n, 7)
		test := 0
		for _, s := range split {
			if s == "test" {
				test++
			}
		}
		if test != n/5 {
			t.Errorf("n = %d: got %d test rows, want %d", n, test, n/5)
		}
		if again := drawSplit(n, 7); !slices.Equal(again, split) {
			t.Errorf("n = %d: the same seed gave a different split", n)
		}
	}
	// 2 test rows of 10 can be chosen in C(10, 2) = 45 ways; twenty seeds
	// all choosing the same pair would mean the seed is ignored.
	first, differ := drawSplit(10, 0), false
	for seed := uint64(1); seed < 20; seed++ {
		differ = differ || !slices.Equal(drawSplit(10, seed), first)
	}
	if !differ {
		t.Errorf("seeds 0 to 19 all gave the split %q", first)
	}
}

// TestLoadTableCreditG codes German credit with "class" as the label.
//
// Feature count, from the @attribute lines of credit-g.arff: 7 numeric
// attributes (duration, credit_amount, installment_commitment,
// residence_since, age, existing_credits, num_dependents) give 7 features;
// the 13 nominal ones other than class declare 4 (checking_status) + 5
// (credit_history) + 11 (purpose) + 5 (savings_status) + 5 (employment) +
// 5 (personal_status) + 3 (other_parties) + 4 (property_magnitude) + 3
// (other_payment_plans) + 3 (housing) + 4 (job) + 2 (own_telephone) + 2
// (foreign_worker) = 56 values. 7 + 56 = 63. (purpose=vacation is declared
// but never occurs, so fitting categories on the data would give 62.)
func TestLoadTableCreditG(t *testing.T) {
	path := creditGPath(t)
	d, rep, err := loadTable(path, LoadOptions{LabelColumns: []string{"class"}, Seed: 1}, tableConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 1000 || !slices.Equal(d.Shape, []int{63}) {
		t.Fatalf("got %d examples of shape %v, want 1000 of [63]", d.N, d.Shape)
	}
	// sha256sum /usr/share/doc/weka/examples/credit-g.arff
	if want := "bd94085134e4eb845c96b34c93ed65a223f89d089bacb273ef96f57509ce0bed"; d.Hash != want {
		t.Errorf("Hash: got %s, want %s", d.Hash, want)
	}
	if !slices.Equal(d.Attrs.Header, []string{"class", "split"}) || !rep.splitDrawn {
		t.Errorf("Attrs: got %q (split drawn %v), want [class split], drawn", d.Attrs.Header, rep.splitDrawn)
	}
	split := column(t, d.Attrs, "split")
	var train []int
	for i, s := range split {
		if s == "train" {
			train = append(train, i)
		}
	}
	if len(train) != 800 {
		t.Errorf("got %d train rows, want 800 (1000 − 1000/5)", len(train))
	}
	if len(rep.unseen) != 0 {
		t.Errorf("unseen: got %v, want none (every value is declared)", rep.unseen)
	}
	// Every feature: one-hot blocks hold exactly one 1 per row; numeric
	// features have mean 0 and population std 1 over the train rows.
	off := 0
	for _, c := range d.Schema.Columns {
		if c.Kind == Categorical {
			for i := range d.N {
				var sum float32
				for _, v := range d.Example(i)[off : off+len(c.Categories)] {
					sum += v
				}
				if sum != 1 {
					t.Fatalf("row %d, column %s: one-hot values sum to %v, want 1", i, c.Name, sum)
				}
			}
			off += len(c.Categories)
			continue
		}
		var s, ss float64
		for _, i := range train {
			s += float64(d.Example(i)[off])
		}
		mean := s / float64(len(train))
		for _, i := range train {
			v := float64(d.Example(i)[off]) - mean
			ss += v * v
		}
		if std := math.Sqrt(ss / float64(len(train))); math.Abs(mean) > 1e-6 || math.Abs(std-1) > 1e-6 {
			t.Errorf("column %s: train mean %v, std %v; want 0, 1", c.Name, mean, std)
		}
		off++
	}
	if c := d.Schema.Columns[0]; c.Name != "checking_status" || !slices.Equal(c.Categories, []string{"<0", "0<=X<200", ">=200", "no checking"}) {
		t.Errorf("first column: got %+v, want checking_status with its declared values in order", c)
	}
}

// TestFitSchemaCreditG fits on all 1000 rows. Means and population
// standard deviations computed with Python 3's statistics.fmean and
// statistics.pstdev on the @data lines read by csv.reader(quotechar="'").
func TestFitSchemaCreditG(t *testing.T) {
	a, err := ReadARFF(creditGPath(t))
	if err != nil {
		t.Fatal(err)
	}
	cols := []SchemaColumn{{Name: "duration", Kind: Numeric}, {Name: "credit_amount", Kind: Numeric}, {Name: "age", Kind: Numeric}}
	s, err := FitSchema(a.Data, cols, nil)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12 // relative
	for k, want := range [][2]float64{{20.903, 12.052783537424041}, {3271.258, 2821.3251545038192}, {35.546, 11.36977941738537}} {
		c := s.Columns[k]
		if math.Abs(c.Mean-want[0]) > tol*want[0] || math.Abs(c.Std-want[1]) > tol*want[1] {
			t.Errorf("%s: got mean %v, std %v; want %v, %v", c.Name, c.Mean, c.Std, want[0], want[1])
		}
	}
}
