package selftest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) {
	// tablewriter measures East-Asian-ambiguous characters (—, ±, the box
	// drawing) from the locale it detects at start-up; pin narrow widths so
	// the golden tables do not depend on the machine.
	twwidth.SetOptions(twwidth.Options{EastAsianWidth: false})
	os.Exit(m.Run())
}

// testResult is a hand-made Result: a Gaussian level with a capped and a
// diverged estimator, a level not run after the divergence, a mixture level
// with a Monte-Carlo truth, a skipped estimator, a figure below 5e-4 and
// text with Markdown's special characters. Its numbers are invented; only
// their rendering is under test.
func testResult() *Result {
	return &Result{
		Schema: SchemaVersion, Version: "0.1.0-test", Seed: 7, Steps: 4000, Window: 500, BatchSize: 64, TruthSamples: 100000,
		Rows: []Row{
			{Estimator: "mine", Bound: "lower", Staircase: "gaussian d=20", Level: "2 nats", Truth: 2,
				Stats: &Stats{Mean: 1.9512, Bias: -0.0488, Variance: 0.0213, MSE: 0.02368}},
			{Estimator: "infonce", Bound: "lower", Staircase: "gaussian d=20", Level: "2 nats", Truth: 2, Ceiling: math.Log(64),
				Stats: &Stats{Mean: 1.8, Bias: -0.2, Variance: 0.00012, MSE: 0.04012}},
			{Estimator: "mine", Bound: "lower", Staircase: "gaussian d=20", Level: "4 nats", Truth: 4,
				Diverged: "diverged at 4 nats, step 12 (training value NaN, held-out estimate NaN)"},
			{Estimator: "infonce", Bound: "lower", Staircase: "gaussian d=20", Level: "4 nats", Truth: 4, Ceiling: math.Log(64),
				Stats: &Stats{Mean: 3.1, Bias: -0.9, Variance: 0.01, MSE: 0.82}},
			{Estimator: "mine", Bound: "lower", Staircase: "gaussian d=20", Level: "6 nats", Truth: 6,
				Diverged: "not run: diverged at 4 nats, step 12 (training value NaN, held-out estimate NaN)"},
			{Estimator: "infonce", Bound: "lower", Staircase: "gaussian d=20", Level: "6 nats", Truth: 6, Ceiling: math.Log(64),
				Stats: &Stats{Mean: 3.9, Bias: -2.1, Variance: 0.004, MSE: 4.414}},
			{Estimator: "club", Bound: "upper", Staircase: "mixture K=10", Level: "separation 3", Truth: 1.4429, TruthSE: 0.0016,
				Stats: &Stats{Mean: 1.5, Bias: 0.0571, Variance: 0.0004, MSE: 0.00366}},
			{Estimator: "club", Bound: "upper", Staircase: "mixture K=10", Level: "separation 4", Truth: 1.935, TruthSE: 0.0004485,
				Stats: &Stats{Mean: 6.585, Bias: 4.65, Variance: 0.119, MSE: 21.74}},
		},
		Skipped: []Skip{{Estimator: "club", Staircase: "gaussian d=20", Reason: "needs a Gaussian q(y|x): unsupported task"}},
		Notes:   []string{"JSD is a training signal, not an MI value: not scored (x_1 | *y*)."},
	}
}

func TestWriteGolden(t *testing.T) {
	for _, format := range []string{"table", "markdown"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, testResult(), format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "selftest_"+format+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestWriteJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	r := testResult()
	if err := Write(&buf, r, "json"); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("got %+v, want %+v", back, *r)
	}
	if s := buf.String(); !strings.Contains(s, `"stats": null`) || !strings.Contains(s, `"truth_se": 0.0016`) || !strings.HasSuffix(s, "}\n") {
		t.Errorf("unexpected JSON:\n%s", s)
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	var ufe *UnknownFormatError
	if err := Write(&buf, testResult(), "xml"); !errors.As(err, &ufe) || ufe.Format != "xml" {
		t.Errorf("got %v, want an *UnknownFormatError", err)
	}
	r := testResult()
	r.Rows[0].Truth = math.NaN()
	if err := Write(&buf, r, "json"); err == nil {
		t.Error("got no error for a NaN in JSON")
	}
	if buf.Len() != 0 {
		t.Errorf("failed writes left %q", buf.String())
	}
}
