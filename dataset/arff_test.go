package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// creditG is German credit as shipped by Debian's weka package (3.6.14-3);
// its SHA-256 is bd94085134e4eb845c96b34c93ed65a223f89d089bacb273ef96f57509ce0bed.
// Tests that need it are skipped when it is absent.
const creditG = "/usr/share/doc/weka/examples/credit-g.arff"

// creditGPath returns the path of credit-g.arff, or skips the test.
func creditGPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(creditG); err != nil {
		t.Skipf("%s not installed (apt-get install weka): %v", creditG, err)
	}
	return creditG
}

// tinyARFF is what testdata/tables/tiny.arff holds, read by eye from the
// file: quotes and escapes removed, missing values "?".
var tinyARFF = struct {
	relation string
	attrs    []ARFFAttribute
	cols     map[string][]string
	lines    []int
}{
	relation: "tiny people",
	attrs: []ARFFAttribute{
		{Name: "age", Type: "numeric"},
		{Name: "home town", Type: "nominal", Values: []string{"Ulm", "Bad Kissingen", "a,b"}},
		{Name: "income", Type: "real"},
		{Name: "kids", Type: "integer"},
		{Name: "note", Type: "string"},
		{Name: "class", Type: "nominal", Values: []string{"good", "bad"}},
		{Name: "when", Type: "date"},
	},
	cols: map[string][]string{
		"age":       {"30", "?", "41"},
		"home town": {"Ulm", "Bad Kissingen", "a,b"},
		"income":    {"1000.5", "2e3", "-5"},
		"kids":      {"2", "0", "1"},
		"note":      {"likes 'tea'", `a "b" c`, "?"},
		"class":     {"good", "bad", "good"},
		"when":      {"2020-01-02", "?", "2021-12-31"},
	},
	lines: []int{16, 18, 19}, // the data lines, counted with cat -n
}

func TestReadARFF(t *testing.T) {
	plain := filepath.Join("testdata", "tables", "tiny.arff")
	b, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	gzPath := writeTemp(t, "tiny.arff.gz", gz.Bytes())

	for _, path := range []string{plain, gzPath} {
		a, err := ReadARFF(path)
		if err != nil {
			t.Fatalf("%s: unexpected error: %v", path, err)
		}
		if a.Relation != tinyARFF.relation {
			t.Errorf("%s: Relation: got %q, want %q", path, a.Relation, tinyARFF.relation)
		}
		if !reflect.DeepEqual(a.Attributes, tinyARFF.attrs) {
			t.Errorf("%s: Attributes:\ngot  %q\nwant %q", path, a.Attributes, tinyARFF.attrs)
		}
		if a.Data.Path != path || a.Data.Rows != 3 {
			t.Errorf("%s: Data: got path %q, %d rows; want %q, 3 rows", path, a.Data.Path, a.Data.Rows, path)
		}
		for _, attr := range tinyARFF.attrs {
			got, err := a.Data.Column(attr.Name)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if want := tinyARFF.cols[attr.Name]; !slices.Equal(got, want) {
				t.Errorf("%s: column %q: got %q, want %q", path, attr.Name, got, want)
			}
		}
		if !slices.Equal(a.lines, tinyARFF.lines) {
			t.Errorf("%s: lines: got %v, want %v", path, a.lines, tinyARFF.lines)
		}
	}
}

func TestARFFAttributeIsNumeric(t *testing.T) {
	for _, test := range []struct {
		typ  string
		want bool
	}{{"numeric", true}, {"real", true}, {"integer", true}, {"nominal", false}, {"string", false}, {"date", false}} {
		if got := (ARFFAttribute{Type: test.typ}).IsNumeric(); got != test.want {
			t.Errorf("IsNumeric(%s): got %v, want %v", test.typ, got, test.want)
		}
	}
}

func TestReadARFFErrors(t *testing.T) {
	const head = "@relation r\n@attribute x numeric\n@attribute c {a, b}\n@data\n" // data starts on line 5
	for i, test := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "", []string{": no @relation line (not an ARFF file?)"}},
		{"not ARFF", "a,b\n1,2\n", []string{`: line 1: want @relation, got "a,b" (not an ARFF file?)`}},
		{"attribute first", "@attribute x numeric\n", []string{": line 1: @attribute before @relation"}},
		{"two relations", "@relation r\n@relation s\n", []string{": line 2: a second @relation line"}},
		{"no data", "@relation r\n@attribute x numeric\n", []string{": no @data line after the 1 attribute declarations"}},
		{"no attributes", "@relation r\n@data\n1\n", []string{": line 2: @data before any @attribute declaration"}},
		{"junk in header", "@relation r\n@attribute x numeric\nx = 1\n", []string{`: line 3: want @attribute or @data, got "x = 1"`}},
		{"unknown type", "@relation r\n@attribute x float\n", []string{`: line 2: attribute "x": unknown type "float" (want numeric, real, integer, string, date or {values})`}},
		{"relational", "@relation r\n@attribute bag relational\n", []string{`: line 2: attribute "bag": relational attributes are not supported`}},
		{"no type", "@relation r\n@attribute x\n", []string{`: line 2: attribute "x" has no type`}},
		{"trailing junk", "@relation r\n@attribute x numeric y\n", []string{`: line 2: attribute "x": unexpected "y" after type numeric`}},
		{"duplicate attribute", "@relation r\n@attribute x numeric\n@attribute 'x' real\n", []string{`: line 3: duplicate attribute name "x"`}},
		{"unclosed nominal", "@relation r\n@attribute c {a, b\n", []string{": line 2: nominal value list without a closing }"}},
		{"empty nominal", "@relation r\n@attribute c {}\n", []string{": line 2: empty nominal value list {}"}},
		{"duplicate nominal", "@relation r\n@attribute c {a, b, a}\n", []string{`: line 2: attribute "c" declares value "a" twice`}},
		{"unterminated quote", "@relation r\n@attribute 'x numeric\n", []string{": line 2: unterminated quoted string 'x numeric"}},
		{"no instances", head + "% nothing\n\n", []string{": no instances after @data"}},
		{"sparse", head + "{0 1, 1 a}\n", []string{": line 5: sparse instances ({index value, …}) are not supported"}},
		{"weights", head + "1,a,{3}\n", []string{": line 5: instance weights ({weight} after the values) are not supported"}},
		{"too few", head + "1,a\n2\n", []string{": line 6: 1 value, want 2 (one per attribute)"}},
		{"too many", head + "1,a,b\n", []string{": line 5: 3 values, want 2 (one per attribute)"}},
		{"empty value", head + "1,a\n,b\n", []string{": line 6: value 1 is empty (write ? for a missing value)"}},
		{"trailing comma", head + "1,\n", []string{": line 5: value 2 is empty"}},
		{"not a number", head + "1,a\nten,b\n", []string{`: line 6: attribute "x" (numeric): "ten" is not a number`}},
		{"NaN", head + "NaN,a\n", []string{`: line 5: attribute "x" (numeric): "NaN" is not a finite number`}},
		{"undeclared", head + "1,c\n", []string{`: line 5: attribute "c": value "c" is not declared (want one of "a", "b")`}},
		{"case matters", head + "1,A\n", []string{`value "A" is not declared`}},
		{"quote then junk", head + "1,'a'b\n", []string{`: line 5: unexpected 'b' after value 2 (want a comma)`}},
		{"bad gzip", "\x1f\x8b\x09\x00\x00\x00\x00\x00\x00\x00", []string{": bad gzip header: gzip: invalid header"}},
		{"cut gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x00", []string{": truncated"}},
	} {
		path := writeTemp(t, "x.arff", []byte(test.text))
		a, err := ReadARFF(path)
		if err == nil {
			t.Errorf("%d %s: got %d rows, want an error", i, test.name, a.Data.Rows)
			continue
		}
		checkError(t, test.name, err, path, test.want, ErrFormat)
	}
}

func TestReadARFFTruncatedGzip(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "tables", "tiny.arff"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(b)
	zw.Close()
	path := writeTemp(t, "cut.arff.gz", gz.Bytes()[:gz.Len()-20])
	_, err = ReadARFF(path)
	checkError(t, "truncated gzip", err, path, []string{": truncated"}, ErrFormat)
}

func TestReadARFFMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.arff")
	_, err := ReadARFF(path)
	if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrFormat) {
		t.Errorf("got error %v, want one matching fs.ErrNotExist and not ErrFormat", err)
	}
}

// TestReadARFFCreditG reads German credit. The counts are those of the
// UCI description (1000 instances, 20 attributes plus the class; 700 good,
// 300 bad), confirmed with grep -c ',good$' and grep -c ',bad$' on the file.
func TestReadARFFCreditG(t *testing.T) {
	a, err := ReadARFF(creditGPath(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Relation != "german_credit" {
		t.Errorf("Relation: got %q, want german_credit", a.Relation)
	}
	if a.Data.Rows != 1000 || len(a.Attributes) != 21 {
		t.Fatalf("got %d rows, %d attributes; want 1000, 21", a.Data.Rows, len(a.Attributes))
	}
	class := a.Attributes[20]
	if class.Name != "class" || class.Type != "nominal" || !slices.Equal(class.Values, []string{"good", "bad"}) {
		t.Errorf("last attribute: got %+v, want class {good, bad}", class)
	}
	values, err := a.Data.Column("class")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, v := range values {
		counts[v]++
	}
	if want := map[string]int{"good": 700, "bad": 300}; !reflect.DeepEqual(counts, want) {
		t.Errorf("class counts: got %v, want %v", counts, want)
	}
	// The first instance, read from the file's first data line:
	// '<0',6,'critical/other existing credit',radio/tv,1169,...,yes,yes,good
	for name, want := range map[string]string{
		"checking_status": "<0",
		"duration":        "6",
		"credit_history":  "critical/other existing credit",
		"purpose":         "radio/tv",
		"credit_amount":   "1169",
		"age":             "67",
		"class":           "good",
	} {
		if got, _ := a.Data.Column(name); len(got) == 0 || got[0] != want {
			t.Errorf("row 0, %s: got %q, want %q", name, got[:min(len(got), 1)], want)
		}
	}
}
