package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/miaudit/miaudit/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	// tablewriter measures East-Asian-ambiguous characters (—, ×, −, the
	// box drawing) from the locale it detects at start-up; pin narrow
	// widths so the golden tables do not depend on the machine.
	twwidth.SetOptions(twwidth.Options{EastAsianWidth: false})
	os.Exit(m.Run())
}

// specials is text with every character LaTeX, Markdown and CSV treat
// specially; the test Result carries it in a warning and a group name.
const specials = `100% of a&b cost $5 #1 snake_case {x} ~ ^ \ | <tag> *bold* "quoted", comma`

// testResult is a hand-made audit Result: two targets, a protected attribute
// with re-identification (writer_id) and one without (sex), a binary and a
// multiclass fairness entry (worst class and one-vs-rest), NaN figures, and
// figures below 5e-4. Its numbers are invented; only their rendering is
// under test.
func testResult(resamples int) *metrics.Result {
	nan := math.NaN()
	iv := func(v, lo, hi float64) metrics.Interval { return metrics.Interval{Value: v, Low: lo, High: hi} }
	undefined := iv(nan, nan, nan)
	// rate is a rate with an interval of half-width h, clipped to [0, 1].
	rate := func(x, h float64) metrics.Interval { return iv(x, max(x-h, 0), min(x+h, 1)) }
	rates := func(g string, n int, acc, sel, tpr, fpr float64) metrics.GroupRates {
		return metrics.GroupRates{
			Group:         g,
			N:             n,
			Accuracy:      rate(acc, 0.04),
			SelectionRate: rate(sel, 0.02),
			TPR:           rate(tpr, 0.1),
			FPR:           rate(fpr, 0.01),
		}
	}
	ovr := func(class string, dpd float64) metrics.Fairness {
		return metrics.Fairness{
			Target: "digit", Group: "sex", Source: "predictions:pred_digit", Positive: class, Kind: kindOneVsRest,
			DemographicParityDifference: iv(dpd, 0, 2*dpd),
			DemographicParityRatio:      iv(1-dpd, 1-2*dpd, 1),
			EqualizedOddsDifference:     iv(2*dpd, dpd, 3*dpd),
			EqualOpportunityDifference:  iv(dpd/2, 0, dpd),
			ByGroup: []metrics.GroupRates{
				rates("female", 131, 0.9, 0.1+dpd, 0.8, 0.01),
				rates("male", 119, 0.92, 0.1, 0.85, 0.012),
			},
		}
	}
	r := &metrics.Result{
		Schema:  metrics.SchemaVersion,
		Version: "0.1.0-test",
		Seed:    42,
		Input: metrics.Input{
			Embeddings:   "emb.npz",
			Key:          "z",
			Labels:       "labels.csv",
			Rows:         1000,
			Dim:          64,
			SHA256:       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			LabelsSHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
		},
		Split: metrics.Split{Method: "stratified", StratifiedBy: "digit", TestFraction: 0.25, TrainRows: 750, TestRows: 250},
		Bootstrap: metrics.BootstrapInfo{
			Resamples: resamples,
			Level:     0.95,
			Covers:    "resampling of the test rows with the probes and attackers fixed",
		},
		Utility: []metrics.Utility{
			{Target: "digit", Probe: "linear", Classes: 10, C: 1,
				Accuracy: iv(0.912, 0.876, 0.944), BalancedAccuracy: iv(0.9087, 0.8713, 0.9412),
				MajorityBaseline: 0.112, Converged: true},
			{Target: "smiling", Probe: "linear", Classes: 2, C: 0.5,
				Accuracy: iv(0.7, 0.6431, 0.756), BalancedAccuracy: iv(0.6918, 0.6345, 0.7493),
				MajorityBaseline: 0.548, Converged: false},
		},
		Leakage: []metrics.Leakage{
			{
				Attribute:      "writer_id",
				Classes:        50,
				EntropyNats:    math.Log(50), // uniform over 50 writers
				UnseenTestRows: 3,
				Attackers: []metrics.Attacker{{
					Probe: "linear", C: 1,
					Accuracy:         iv(0.236, 0.184, 0.288),
					MajorityBaseline: 0.02,
					// (0.236−0.02)/(1−0.02) = 0.220408…
					Advantage:  iv(0.2204081632653061, 0.16734693877551018, 0.2734693877551021),
					AUC:        iv(0.871, 0.85, 0.89),
					AUCClasses: 48,
					Converged:  true,
				}},
				MI: []metrics.MI{
					{Estimator: "Barber–Agakov", Bound: metrics.BoundLower, Nats: iv(0.532, 0.41, 0.655),
						Note: "attacker probabilities smoothed; unseen test rows enter as errors"},
					{Estimator: "kNN (Ross 2014, k=3)", Bound: metrics.BoundEstimate, Nats: undefined},
					{Estimator: "infonce (batch 128)", Bound: metrics.BoundLower, Nats: iv(4.1, 3.9, 4.3), Ceiling: &ceiling128},
				},
				ReID: &metrics.ReID{
					Available:         true,
					Rank1:             iv(0.244, 0.192, 0.3),
					Rank5:             iv(0.5, 0.44, 0.564),
					ChanceRank1:       0.02,
					ChanceRank5:       0.1,
					GalleryIdentities: 50,
					Probes:            250,
					AbsentProbes:      3,
					VerificationAUC:   iv(0.8123, 0.8, 0.825),
					TPRAtFPR1e3:       iv(0.0002345, 1e-5, 0.0004),
					Pairs:             10000,
				},
			},
			{
				Attribute:   "sex",
				Classes:     2,
				EntropyNats: 0.6881,
				Attackers: []metrics.Attacker{{
					Probe:            "linear",
					Accuracy:         iv(0.62, 0.56, 0.68),
					MajorityBaseline: 0.524,
					Advantage:        iv(0.20168067226890757, 0.07563025210084033, 0.3277310924369748),
					AUC:              iv(0.66, 0.6, 0.72),
					AUCClasses:       2,
					Converged:        true,
				}},
				MI: []metrics.MI{
					{Estimator: "Barber–Agakov", Bound: metrics.BoundLower, Nats: iv(-0.0001, -0.02, 0.03)},
				},
				ReID: &metrics.ReID{
					Available: false,
					Note:      "sex has 2 values, each shared by many people: not identities",
					Rank1:     undefined, Rank5: undefined, VerificationAUC: undefined, TPRAtFPR1e3: undefined,
				},
			},
		},
		Fairness: []metrics.Fairness{
			{
				Target: "smiling", Group: "sex", Source: "probe", Positive: "yes", Kind: kindBinary,
				DemographicParityDifference: iv(0.083, 0.01, 0.16),
				DemographicParityRatio:      iv(0.871, 0.77, 0.98),
				EqualizedOddsDifference:     iv(0.1, 0.03, 0.18),
				EqualOpportunityDifference:  iv(0.06, -0.01, 0.14),
				ByGroup: []metrics.GroupRates{
					rates("female", 131, 0.71, 0.64, 0.8, 0.3),
					rates("male", 117, 0.69, 0.557, 0.74, 0.2),
					{Group: specials, N: 2, Accuracy: iv(1, nan, nan), SelectionRate: iv(0, nan, nan), TPR: undefined, FPR: iv(0, nan, nan)},
				},
			},
			{
				Target: "digit", Group: "sex", Source: "predictions:pred_digit", Positive: "7", Kind: kindWorstClass,
				DemographicParityDifference: iv(0.04, 0.01, 0.07),
				DemographicParityRatio:      iv(0.7, 0.5, 0.9),
				EqualizedOddsDifference:     iv(0.12, 0.05, 0.2),
				EqualOpportunityDifference:  iv(0.12, 0.05, 0.2),
				ByGroup: []metrics.GroupRates{
					rates("female", 131, 0.9, 0.14, 0.8, 0.01),
					rates("male", 119, 0.92, 0.1, 0.92, 0.012),
				},
			},
			ovr("0", 0.01),
			ovr("7", 0.04),
			ovr("9", 0.0003),
		},
		Warnings: []string{
			"probe for smiling did not converge in 1000 iterations",
			"label column named " + specials,
		},
	}
	return r
}

var variants = []struct {
	name      string
	resamples int
}{
	{"full", 1000},
	{"noresamples", 0},
}

// goldenExt is the extension of each format's golden file, before .golden.
var goldenExt = map[string]string{"table": "txt", "markdown": "md", "csv": "csv", "json": "json", "latex": "tex"}

func render(t *testing.T, r *metrics.Result, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, format); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, v := range variants {
		for _, format := range Formats {
			t.Run(v.name+"/"+format, func(t *testing.T) {
				got := render(t, testResult(v.resamples), format)
				path := filepath.Join("testdata", v.name+"."+goldenExt[format]+".golden")
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s output differs from %s (run go test -update after checking it)\ngot:\n%s\nwant:\n%s", format, path, got, want)
				}
				if again := render(t, testResult(v.resamples), format); !bytes.Equal(again, got) {
					t.Errorf("%s output differs between two renderings of the same Result", format)
				}
			})
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, testResult(1000), "xml")
	var ufe *UnknownFormatError
	if !errors.As(err, &ufe) {
		t.Fatalf("Write(xml) error = %v, want an *UnknownFormatError", err)
	}
	if ufe.Format != "xml" {
		t.Errorf("Format = %q, want %q", ufe.Format, "xml")
	}
	for _, f := range append([]string{`"xml"`}, Formats...) {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("Write(xml) wrote %d bytes, want none", buf.Len())
	}
}

func TestJSONNaNPlainFloat(t *testing.T) {
	r := testResult(1000)
	r.Leakage[0].EntropyNats = math.NaN()
	var buf bytes.Buffer
	if err := Write(&buf, r, "json"); err == nil {
		t.Errorf("Write(json) of a NaN plain float64 succeeded, want an error")
	}
	if buf.Len() != 0 {
		t.Errorf("failed Write(json) wrote %d bytes, want none", buf.Len())
	}
}

// triple is a figure's numbers; a CI without resamples counts as NaN.
type triple [3]float64

func (a triple) less(b triple) bool {
	for i := range a {
		x, y := a[i], b[i]
		switch {
		case math.IsNaN(x) && math.IsNaN(y), x == y:
			continue
		case math.IsNaN(x):
			return true
		case math.IsNaN(y):
			return false
		}
		return x < y
	}
	return false
}

func sameFloat(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || (math.IsNaN(x) && math.IsNaN(y))
}

// expectedFigures walks r by reflection, independently of figures(): every
// Interval is one figure, except those of a ReID that is not available,
// which count as one row without numbers (returned as missing).
func expectedFigures(r *metrics.Result) (ts []triple, missing int) {
	ivType := reflect.TypeFor[metrics.Interval]()
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			if id, ok := v.Interface().(*metrics.ReID); ok && !id.Available {
				missing++
				return
			}
			walk(v.Elem())
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == ivType {
				iv := v.Interface().(metrics.Interval)
				tr := triple{iv.Value, iv.Low, iv.High}
				if r.Bootstrap.Resamples == 0 || math.IsNaN(iv.Low) || math.IsNaN(iv.High) {
					tr[1], tr[2] = math.NaN(), math.NaN()
				}
				ts = append(ts, tr)
				return
			}
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(r).Elem())
	return ts, missing
}

func TestCSV(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			r := testResult(v.resamples)
			recs, err := csv.NewReader(bytes.NewReader(render(t, r, "csv"))).ReadAll()
			if err != nil {
				t.Fatalf("CSV does not parse: %v", err)
			}
			if got, want := recs[0], csvHeader; !reflect.DeepEqual(got, want) {
				t.Fatalf("header = %q, want %q", got, want)
			}
			col := make(map[string]int)
			for i, name := range recs[0] {
				col[name] = i
			}
			parse := func(rec []string, name string) float64 {
				s := rec[col[name]]
				if s == "" {
					return math.NaN()
				}
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s %q: %v", name, s, err)
				}
				return x
			}
			sections := map[string]bool{sectionUtility: true, sectionLeakage: true, sectionReID: true, sectionFairness: true}
			var got []triple
			var gotMissing int
			for _, rec := range recs[1:] {
				if !sections[rec[col["section"]]] {
					t.Errorf("row %q: unknown section", rec)
				}
				if rec[col["measure"]] == "re-identification not available" {
					gotMissing++
					if rec[col["value"]] != "" {
						t.Errorf("row %q: a missing figure has a value", rec)
					}
					continue
				}
				got = append(got, triple{parse(rec, "value"), parse(rec, "ci_low"), parse(rec, "ci_high")})
			}
			want, wantMissing := expectedFigures(r)
			if len(got) != len(want) || gotMissing != wantMissing {
				t.Fatalf("CSV has %d figures and %d missing rows, want %d and %d", len(got), gotMissing, len(want), wantMissing)
			}
			for _, ts := range [][]triple{got, want} {
				sort.Slice(ts, func(i, j int) bool { return ts[i].less(ts[j]) })
			}
			for i := range got {
				for k := range got[i] {
					if !sameFloat(got[i][k], want[i][k]) {
						t.Errorf("figure %d: got %v, want %v (exactly)", i, got[i], want[i])
						break
					}
				}
			}
		})
	}
}

// equalNaN is reflect.DeepEqual for Results, except that NaN equals NaN.
func equalNaN(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Float64:
		return sameFloat(a.Float(), b.Float())
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalNaN(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return false
		}
		for i := range a.Len() {
			if !equalNaN(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalNaN(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// TestJSONRoundTrip decodes the JSON report back into a Result. NaN figures
// travel as null and come back as NaN, so the comparison treats NaN as equal
// to NaN.
func TestJSONRoundTrip(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			want := testResult(v.resamples)
			out := render(t, want, "json")
			if !bytes.HasSuffix(out, []byte("}\n")) {
				t.Errorf("JSON does not end in a newline")
			}
			if !bytes.Contains(out, []byte(`"value": null`)) {
				t.Errorf("JSON has no null value; NaN figures should be null")
			}
			var got metrics.Result
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("JSON does not unmarshal: %v", err)
			}
			if !equalNaN(reflect.ValueOf(got), reflect.ValueOf(*want)) {
				t.Errorf("JSON round trip changed the Result:\ngot  %+v\nwant %+v", got, *want)
			}
		})
	}
}

// TestMarkdownPipes checks that within each table every row has as many
// unescaped pipes as its header.
func TestMarkdownPipes(t *testing.T) {
	out := string(render(t, testResult(1000), "markdown"))
	pipes := func(line string) int {
		n, backslashes := 0, 0
		for _, c := range line {
			switch {
			case c == '\\':
				backslashes++
				continue
			case c == '|' && backslashes%2 == 0:
				n++
			}
			backslashes = 0
		}
		return n
	}
	want, tables := -1, 0
	for i, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		if want < 0 {
			want = pipes(line)
			tables++
			continue
		}
		if got := pipes(line); got != want {
			t.Errorf("line %d has %d unescaped pipes, want %d: %s", i+1, got, want, line)
		}
	}
	// main table, two by-group tables, one per-class table
	if tables != 4 {
		t.Errorf("found %d tables, want 4", tables)
	}
	if !strings.Contains(out, `a&b cost $5 #1 snake\_case {x} ~ ^ \\ \| \<tag\> \*bold\*`) {
		t.Errorf("markdown does not hold the escaped special text")
	}
}

// texScan splits a line of LaTeX into control sequences and characters and
// reports the characters outside control sequences.
func texScan(line string) []rune {
	var plain []rune
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			plain = append(plain, rs[i])
			continue
		}
		// \ followed by letters is a control word, by one other character
		// a control symbol (\{ \& \\ …).
		j := i + 1
		for j < len(rs) && (rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= 'A' && rs[j] <= 'Z') {
			j++
		}
		if j == i+1 && j < len(rs) {
			j++
		}
		i = j - 1
	}
	return plain
}

func TestLaTeX(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			out := string(render(t, testResult(v.resamples), "latex"))
			for _, want := range []string{`\begin{table}`, `\toprule`, `\midrule`, `\bottomrule`, `\end{table}`} {
				if !strings.Contains(out, want) {
					t.Errorf("LaTeX lacks %s", want)
				}
			}
			// The special text, escaped by hand.
			const escaped = `100\% of a\&b cost \$5 \#1 snake\_case \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} \textbar{} \textless{}tag\textgreater{} *bold* "quoted", comma`
			if got := strings.Count(out, escaped); got != 2 {
				t.Errorf("LaTeX holds the escaped special text %d times, want 2 (warning and group)", got)
			}
			for i, c := range out {
				if c > 127 {
					t.Errorf("LaTeX has non-ASCII %q at byte %d; the test Result's text is ASCII, so it comes from a label left unmapped", c, i)
					break
				}
			}
			depth, columns := 0, 0
			for i, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "%") {
					continue // a comment line
				}
				if strings.HasPrefix(line, `\begin{tabular}{`) {
					columns = len(strings.TrimSuffix(strings.TrimPrefix(line, `\begin{tabular}{`), "}"))
				}
				ampersands := 0
				for _, c := range texScan(line) {
					switch c {
					case '{':
						depth++
					case '}':
						depth--
						if depth < 0 {
							t.Fatalf("line %d closes a brace never opened: %s", i+1, line)
						}
					case '&':
						ampersands++
					case '%', '$', '#', '_', '~', '^', '<', '>', '|', '−', '–', '—', '×':
						t.Errorf("line %d has an unescaped %q: %s", i+1, c, line)
					}
				}
				isRow := strings.HasSuffix(line, `\\`)
				if isRow && ampersands != columns-1 || !isRow && ampersands != 0 {
					t.Errorf("line %d has %d unescaped &, want %d in a row of %d columns: %s", i+1, ampersands, columns-1, columns, line)
				}
			}
			if depth != 0 {
				t.Errorf("LaTeX leaves %d braces open", depth)
			}
			t.Run("pdflatex", func(t *testing.T) { compileLaTeX(t, out) })
		})
	}
}

// compileLaTeX runs pdflatex on the table in a minimal document, if
// pdflatex is installed.
func compileLaTeX(t *testing.T, table string) {
	pdflatex, err := exec.LookPath("pdflatex")
	if err != nil {
		t.Skip("pdflatex not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "table.tex"), []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\usepackage[margin=1cm,landscape]{geometry}\n\\begin{document}\n\\input{table}\n\\end{document}\n"
	if err := os.WriteFile(filepath.Join(dir, "doc.tex"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("pdflatex: %v\n%s", err, out)
	}
}

func TestNumberFormat(t *testing.T) {
	for i, test := range []struct {
		x    float64
		want string
	}{
		{0, "0.000"},
		{0.1124999, "0.112"},
		{-0.0001, "-0.0001"},
		{0.0002345, "0.0002345"},
		{1e-5, "1e-05"},
		{math.Copysign(0, -1), "0.000"},
		{-0.0004999, "-0.0004999"},
		{0.0005, "0.001"}, // the float64 nearest 5e-4 is 0.00050000000000000001…, so it rounds up
		{math.Log(50), "3.912"},
		{math.NaN(), "n/a"},
	} {
		if got := fmtNum(test.x); got != test.want {
			t.Errorf("%d: fmtNum(%v) = %q, want %q", i, test.x, got, test.want)
		}
	}
	for i, test := range []struct {
		level float64
		want  string
	}{
		{0.95, "95 % CI"},
		{0.9, "90 % CI"},
		{0.995, "99.5 % CI"},
		{0, "CI"},
		{math.NaN(), "CI"},
	} {
		if got := levelLabel(test.level); got != test.want {
			t.Errorf("%d: levelLabel(%v) = %q, want %q", i, test.level, got, test.want)
		}
	}
}

func ExampleWrite() {
	r := &metrics.Result{
		Schema:    metrics.SchemaVersion,
		Bootstrap: metrics.BootstrapInfo{Resamples: 200, Level: 0.95},
		Utility: []metrics.Utility{{
			Target: "digit", Probe: "linear", Classes: 10,
			Accuracy:         metrics.Interval{Value: 0.9, Low: 0.85, High: 0.94},
			BalancedAccuracy: metrics.Interval{Value: 0.89, Low: math.NaN(), High: math.NaN()},
			MajorityBaseline: 0.112,
			Converged:        true,
		}},
	}
	if err := Write(os.Stdout, r, "csv"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// section,attribute,group,measure,estimator,bound,value,ci_low,ci_high,reference
	// utility,digit,,linear probe accuracy,linear,,0.9,0.85,0.94,majority 0.112
	// utility,digit,,linear probe balanced accuracy,linear,,0.89,,,chance 0.1
}

// ceiling128 is log 128, InfoNCE's ceiling at batch 128.
var ceiling128 = math.Log(128)

// TestNumber pins the number format shared with the self-test's report.
func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{2, "2.000"}, {-0.0488, "-0.049"}, {0.00012, "0.00012"}, {-1e-9, "-1e-09"}, {-0.0004, "-0.0004"},
		{-0.0001, "-0.0001"}, {0, "0.000"}, {-0.0006, "-0.001"}, {math.Log(64), "4.159"},
	} {
		if got := Number(tc.x); got != tc.want {
			t.Errorf("Number(%v): got %q, want %q", tc.x, got, tc.want)
		}
	}
}
