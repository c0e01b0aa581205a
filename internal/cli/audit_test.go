package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/metrics"
)

// run executes the command line with fake streams and returns stdout,
// stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), code
}

func TestAuditFlags(t *testing.T) {
	var got *AuditOptions
	cmd := NewCmdAudit(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *AuditOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"--embeddings", "Z.npy", "--labels", "l.csv", "--target", "digit", "--protected", "writer", "--protected", "sex",
		"--group", "sex+age", "--seed", "7", "--bootstrap", "50", "--format", "json", "--c-grid", "0.1,1", "--test-fraction", "0.25"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Embeddings != "Z.npy" || got.Labels != "l.csv" || got.Seed != 7 || got.Bootstrap != 50 || got.Format != "json" {
		t.Errorf("got %+v", got)
	}
	if strings.Join(got.Protected, ",") != "writer,sex" || strings.Join(got.Groups, ",") != "sex+age" {
		t.Errorf("got protected %v groups %v", got.Protected, got.Groups)
	}
	if len(got.CGrid) != 2 || got.CGrid[0] != 0.1 || got.TestFraction != 0.25 {
		t.Errorf("got c-grid %v test fraction %v", got.CGrid, got.TestFraction)
	}
}

func TestAuditExampleDefaults(t *testing.T) {
	var got *AuditOptions
	cmd := NewCmdAudit(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *AuditOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs([]string{"--example"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Targets, ",") != "digit" || strings.Join(got.Protected, ",") != "writer,sex" || strings.Join(got.Groups, ",") != "sex" {
		t.Errorf("got targets %v protected %v groups %v", got.Targets, got.Protected, got.Groups)
	}
}

// writeFixture writes a small CSV embedding file and labels.
func writeFixture(t *testing.T, dir string, rows int, labelRows int) (emb, lab string) {
	t.Helper()
	emb = filepath.Join(dir, "z.csv")
	lab = filepath.Join(dir, "labels.csv")
	var e, l strings.Builder
	l.WriteString("y,id,sex\n")
	for i := range rows {
		e.WriteString(strings.Join([]string{ftoa(float64(i % 2)), ftoa(float64(i%5) * 0.1), ftoa(float64(i%7) * 0.3)}, ",") + "\n")
	}
	for i := range labelRows {
		l.WriteString(strings.Join([]string{itoa(i % 2), "p" + itoa(i%5), []string{"F", "M"}[i%3%2]}, ",") + "\n")
	}
	if err := os.WriteFile(emb, []byte(e.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lab, []byte(l.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return emb, lab
}

func TestAuditErrors(t *testing.T) {
	dir := t.TempDir()
	emb, lab := writeFixture(t, dir, 40, 40)
	_, labShort := func() (string, string) {
		d := filepath.Join(dir, "short")
		os.Mkdir(d, 0o755)
		return writeFixture(t, d, 40, 30)
	}()
	dupLab := filepath.Join(dir, "dup.csv")
	os.WriteFile(dupLab, []byte("y,y\n"+strings.Repeat("a,b\n", 40)), 0o644)
	raggedLab := filepath.Join(dir, "ragged.csv")
	os.WriteFile(raggedLab, []byte("y,id\na,b\na\n"), 0o644)
	emptyLab := filepath.Join(dir, "empty.csv")
	os.WriteFile(emptyLab, nil, 0o644)
	constLab := filepath.Join(dir, "const.csv")
	os.WriteFile(constLab, []byte("c\n"+strings.Repeat("a\n", 40)), 0o644)
	existing := filepath.Join(dir, "exists.json")
	os.WriteFile(existing, []byte("keep"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no input", []string{"audit"}, ExitUsage, []string{"--embeddings is required"}},
		{"no labels", []string{"audit", "--embeddings", emb}, ExitUsage, []string{"--labels is required"}},
		{"nothing to audit", []string{"audit", "--embeddings", emb, "--labels", lab}, ExitUsage, []string{"--target or --protected"}},
		{"unknown column", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "nope"}, ExitUsage, []string{"--target nope", `"nope"`, "y, id, sex"}},
		{"unknown group part", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--group", "sex+age"}, ExitUsage, []string{`"age"`}},
		{"bad format", []string{"audit", "--example", "--format", "xml"}, ExitUsage, []string{"--format", "xml"}},
		{"bad fraction", []string{"audit", "--example", "--test-fraction", "1.5"}, ExitUsage, []string{"--test-fraction"}},
		{"bad bootstrap", []string{"audit", "--example", "--bootstrap", "-1"}, ExitUsage, []string{"--bootstrap"}},
		{"bad c", []string{"audit", "--example", "--c-grid", "0,1"}, ExitUsage, []string{"--c-grid"}},
		{"bad attacker", []string{"audit", "--example", "--attackers", "svm"}, ExitUsage, []string{"--attackers", `"svm"`}},
		{"bad estimator", []string{"audit", "--example", "--estimators", "knn,mi"}, ExitUsage, []string{"--estimators", `"mi"`}},
		{"bad neural steps", []string{"audit", "--example", "--neural-steps", "0"}, ExitUsage, []string{"--neural-steps"}},
		{"bad flag value", []string{"audit", "--example", "--seed", "x"}, ExitUsage, []string{"seed"}},
		{"unknown flag", []string{"audit", "--example", "--nope"}, ExitUsage, []string{"unknown flag"}},
		{"out exists", []string{"audit", "--example", "--out", existing}, ExitUsage, []string{existing, "--force"}},
		{"out folder missing", []string{"audit", "--example", "--out", filepath.Join(dir, "no", "x.json")}, ExitUsage, []string{"does not exist"}},
		{"out is input", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--out", lab, "--force"}, ExitUsage, []string{"refusing to overwrite"}},
		{"missing file", []string{"audit", "--embeddings", filepath.Join(dir, "nope.npy"), "--labels", lab, "--target", "y"}, ExitData, []string{"nope.npy"}},
		{"row mismatch", []string{"audit", "--embeddings", emb, "--labels", labShort, "--target", "y"}, ExitData, []string{"40 rows", "30"}},
		{"duplicate header", []string{"audit", "--embeddings", emb, "--labels", dupLab, "--target", "y"}, ExitData, []string{"dup.csv", "duplicate"}},
		{"ragged labels", []string{"audit", "--embeddings", emb, "--labels", raggedLab, "--target", "y"}, ExitData, []string{"ragged.csv", "line 3"}},
		{"empty labels", []string{"audit", "--embeddings", emb, "--labels", emptyLab, "--target", "y"}, ExitData, []string{"empty.csv", "empty"}},
		{"bad split column", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--split", "sex"}, ExitData, []string{"split column sex", "row 0", "neither train nor test"}},
		{"one-class target", []string{"audit", "--embeddings", emb, "--labels", constLab, "--target", "c"}, ExitData, []string{constLab, "single value"}},
		{"one-class protected", []string{"audit", "--embeddings", emb, "--labels", constLab, "--protected", "c"}, ExitData, []string{constLab, "single value"}},
		{"split and fraction", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--split", "sex", "--test-fraction", "0.2"}, ExitUsage, []string{"--split and --test-fraction"}},
		{"predictions without one target", []string{"audit", "--embeddings", emb, "--labels", lab, "--protected", "id", "--predictions", "y"}, ExitUsage, []string{"--predictions"}},
		{"bad positive", []string{"audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--group", "sex", "--positive", "yes", "--c-grid", "1", "--bootstrap", "0"}, ExitUsage, []string{"--positive", `"yes"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("got exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			var errLines []string
			for _, l := range strings.Split(errOut, "\n") {
				if strings.HasPrefix(l, "miaudit:") {
					errLines = append(errLines, l)
				}
			}
			if len(errLines) != 1 || strings.Contains(errOut, "panic") {
				t.Errorf("got %q, want one line starting miaudit:", errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Errorf("existing output was overwritten: %q", b)
	}
}

func TestAuditExampleJSONIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example audit twice")
	}
	args := []string{"audit", "--example", "--bootstrap", "20", "--format", "json", "--quiet", "--c-grid", "1",
		"--attackers", "linear,mlp", "--estimators", "knn,mine,club", "--neural-steps", "20"}
	a, errA, code := run(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errA)
	}
	b, _, _ := run(t, args...)
	if a != b {
		t.Error("two runs with the same seed gave different JSON")
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(a), &res); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	for _, key := range []string{"utility", "leakage", "fairness", "input", "seed", "version"} {
		if _, ok := res[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
}

func TestAuditWritesOutAtomically(t *testing.T) {
	dir := t.TempDir()
	emb, lab := writeFixture(t, dir, 60, 60)
	out := filepath.Join(dir, "audit.csv")
	_, errOut, code := run(t, "audit", "--embeddings", emb, "--labels", lab, "--target", "y", "--protected", "id", "--group", "sex",
		"--bootstrap", "0", "--c-grid", "1", "--format", "csv", "--out", out, "--quiet", "--attackers", "linear", "--estimators", "knn")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "section,") {
		t.Errorf("got %q…, want a CSV with a header", string(b[:min(40, len(b))]))
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "miaudit ") {
		t.Errorf("got %q exit %d", out, code)
	}
}

// TestAuditBadEmbeddingFiles checks that malformed embedding files (the
// dataset package's fixtures, written by numpy) exit with code 1 and one
// line naming the file — the messages themselves are pinned in dataset.
func TestAuditBadEmbeddingFiles(t *testing.T) {
	dir := t.TempDir()
	lab := filepath.Join(dir, "labels.csv")
	os.WriteFile(lab, []byte("y\n0\n1\n0\n1\n"), 0o644)
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	folder := filepath.Join(dir, "folder.npy")
	os.Mkdir(folder, 0o755)
	fixtures, err := filepath.Abs("../../dataset/testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(fixtures, "vec.npy"), "2-D"},
		{filepath.Join(fixtures, "cube.npy"), "2-D"},
		{filepath.Join(fixtures, "int64.npy"), "int64"},
		{filepath.Join(fixtures, "complex.npy"), "float32 or float64"},
		{filepath.Join(fixtures, "object.npy"), "dtype object"},
		{filepath.Join(fixtures, "truncated.npy"), "truncated"},
		{filepath.Join(fixtures, "nan_f.npy"), "row 1 (0-based)"},
		{filepath.Join(fixtures, "neginf.npy"), "Inf"},
		{filepath.Join(fixtures, "two.npz"), "key"},
		{empty, "empty"},
		{folder, "directory"}, // a folder, not a file
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			_, errOut, code := run(t, "audit", "--embeddings", tc.file, "--labels", lab, "--target", "y", "--quiet")
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("got %q, want it to mention %q", errOut, tc.want)
			}
			if code != ExitData {
				t.Errorf("got exit %d, want %d (data error): %s", code, ExitData, errOut)
			}
			if !strings.Contains(errOut, filepath.Base(tc.file)) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || strings.Contains(errOut, "panic") {
				t.Errorf("got %q, want one line naming %s", errOut, filepath.Base(tc.file))
			}
		})
	}
}

func TestAuditFailIfFlag(t *testing.T) {
	var got *AuditOptions
	cmd := NewCmdAudit(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *AuditOptions) error {
		got = o
		return nil
	})
	// repeatable, and not split at commas (a StringArray, not a StringSlice)
	exprs := []string{"utility.digit.accuracy < 0.97", "fairness.y.a,b.equalized_odds_difference.ci_high>0.05"}
	cmd.SetArgs([]string{"--example", "--target", "digit", "--target", "y", "--group", "a,b", "--fail-if", exprs[0], "--fail-if", exprs[1]})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.FailIf, exprs) {
		t.Errorf("got --fail-if %q, want %q", got.FailIf, exprs)
	}
	// validate parsed them, in order
	if len(got.gates) != 2 || got.gates[0].Op != "<" || got.gates[1].Bound != "ci_high" || got.gates[1].Path[2] != "a,b" {
		t.Errorf("got gates %+v", got.gates)
	}
}

// cheapAudit are the flags of a fast audit of the built-in example (under a
// second on one core): linear attacker, kNN estimate, one C, 20 resamples.
var cheapAudit = []string{"audit", "--example", "--attackers", "linear", "--estimators", "knn", "--c-grid", "1", "--bootstrap", "20", "--pairs", "2000", "--quiet"}

// TestAuditFailIf runs the example audit with two gates that must fire and
// two that cannot, and checks that the report is written, the exit code is
// 3, and each violated rule is printed with its figures as the report has
// them.
func TestAuditFailIf(t *testing.T) {
	out := filepath.Join(t.TempDir(), "audit.json")
	fire := []string{
		"utility.digit.accuracy >= 0",       // an accuracy is at least 0
		"leakage.writer.mi.knn.ci_low >= 0", // the kNN estimate is clipped at 0, its bounds too
	}
	pass := []string{
		"utility.digit.accuracy > 1",                       // an accuracy is at most 1
		"fairness.digit.sex.equalized_odds_difference > 1", // a difference of two rates is at most 1
	}
	args := append(slices.Clone(cheapAudit), "--format", "json", "--out", out)
	for _, e := range []string{fire[0], pass[0], fire[1], pass[1]} {
		args = append(args, "--fail-if", e)
	}
	stdout, errOut, code := run(t, args...)
	if code != ExitGate {
		t.Fatalf("got exit %d, want %d (gate): %s", code, ExitGate, errOut)
	}
	if stdout != "" {
		t.Errorf("got stdout %q, want the report in --out only", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the report was not written before the gate failed: %v", err)
	}
	var res metrics.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("report is not a Result: %v", err)
	}
	if len(res.Utility) != 1 || len(res.Leakage) == 0 || res.Leakage[0].Attribute != "writer" || len(res.Leakage[0].MI) != 2 {
		t.Fatalf("unexpected report shape: %+v", res)
	}
	acc := res.Utility[0].Accuracy
	knn := res.Leakage[0].MI[1].Nats // after the linear attacker's Barber–Agakov bound
	if !strings.HasPrefix(res.Leakage[0].MI[1].Estimator, "knn") {
		t.Fatalf("MI[1] is %q, want the kNN estimate", res.Leakage[0].MI[1].Estimator)
	}
	g4 := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	want := []string{
		"gate failed: " + fire[0] + ": value " + g4(acc.Value) + " >= 0 (95% CI " + g4(acc.Low) + " to " + g4(acc.High) + ")",
		"gate failed: " + fire[1] + ": ci_low " + g4(knn.Low) + " >= 0 (value " + g4(knn.Value) + "; 95% CI " + g4(knn.Low) + " to " + g4(knn.High) + ")",
		"miaudit: 2 policy gate(s) failed",
	}
	if got := strings.Split(strings.TrimSpace(errOut), "\n"); !slices.Equal(got, want) {
		t.Errorf("stderr:\ngot  %q\nwant %q", got, want)
	}
}

// TestAuditFailIfErrors checks that a malformed --fail-if is a usage error
// before any work (no progress line although --quiet is off, no report), and
// that a path the result lacks is a usage error naming it and what the
// result has there, after the report is written.
func TestAuditFailIfErrors(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range []struct {
		name, expr string
		early      bool // rejected before the audit runs
		want       string
	}{
		{"missing threshold", "utility.digit.accuracy <", true,
			`miaudit: --fail-if "utility.digit.accuracy <": missing threshold after "<"`},
		{"bad number", "utility.digit.accuracy < 0.9x", true,
			`miaudit: --fail-if "utility.digit.accuracy < 0.9x": threshold "0.9x" is not a number`},
		{"unknown section", "utilty.digit.accuracy < 0.9", true,
			`miaudit: --fail-if "utilty.digit.accuracy < 0.9": unknown section "utilty" (want utility, leakage, fairness)`},
		{"unknown suffix", "utility.digit.accuracy.ci_hi < 0.9", true,
			`miaudit: --fail-if "utility.digit.accuracy.ci_hi < 0.9": unknown suffix "ci_hi" (want ci_low or ci_high)`},
		// Names the audit will not measure are refused before it runs.
		{"unknown target", "utility.dgit.accuracy < 0.9", true,
			`miaudit: --fail-if "utility.dgit.accuracy < 0.9": unknown path utility.dgit.accuracy: no target "dgit" under utility (valid: digit)`},
		// --estimators knn: no MINE figure; the linear attacker's bound and kNN are there
		{"unknown estimator", "leakage.writer.mi.mine > 0.1", true,
			`miaudit: --fail-if "leakage.writer.mi.mine > 0.1": unknown path leakage.writer.mi.mine: no estimator "mine" under leakage.writer.mi (valid: barber-agakov.linear, knn)`},
		// --attackers linear: no MLP attacker
		{"unknown attacker", "leakage.sex.attackers.mlp.auc > 0.6", true,
			`miaudit: --fail-if "leakage.sex.attackers.mlp.auc > 0.6": unknown path leakage.sex.attackers.mlp.auc: no probe "mlp" under leakage.sex.attackers (valid: linear)`},
		// What the data decide is found after the audit: sex has two
		// values, so re-identification is not measured on it; digit has
		// no class 11.
		{"re-identification not measured", "leakage.sex.reid.rank1 > 0.1", false,
			`miaudit: --fail-if "leakage.sex.reid.rank1 > 0.1": unknown path leakage.sex.reid.rank1: no subsection "reid" under leakage.sex (valid: attackers, mi); re-identification was not measured: sex has 2 values, each shared by many rows: not identities (re-identification needs at least 10 distinct values)`},
		{"unknown class", "fairness.digit.sex.class.11.demographic_parity_difference > 0.1", false,
			`miaudit: --fail-if "fairness.digit.sex.class.11.demographic_parity_difference > 0.1": unknown path fairness.digit.sex.class.11.demographic_parity_difference: no class "11" under fairness.digit.sex.class (valid: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, itoa(i)+".json")
			args := append(slices.Clone(cheapAudit), "--format", "json", "--out", out, "--fail-if", tc.expr)
			if tc.early {
				args = slices.DeleteFunc(args, func(a string) bool { return a == "--quiet" })
			}
			_, errOut, code := run(t, args...)
			if code != ExitUsage {
				t.Errorf("got exit %d, want %d (usage): %s", code, ExitUsage, errOut)
			}
			if got := strings.TrimSuffix(errOut, "\n"); got != tc.want {
				t.Errorf("stderr:\ngot  %q\nwant %q", got, tc.want)
			}
			_, err := os.Stat(out)
			if written := err == nil; written == tc.early {
				t.Errorf("report written: %t, want %t", written, !tc.early)
			}
		})
	}
}
