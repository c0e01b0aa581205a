package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/miaudit/miaudit/adversary/selftest"
)

func TestSelftestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want SelftestOptions
	}{
		{nil, SelftestOptions{Estimators: []string{"mine", "nwj", "infonce", "smile", "club"}, Format: "table"}},
		{[]string{"--quick", "--seed", "3", "--steps", "100", "--format", "markdown", "-o", "x.md", "--force", "-q", "--estimators", "smile,infonce"},
			SelftestOptions{Quick: true, Seed: 3, Steps: 100, Estimators: []string{"smile", "infonce"}, Format: "markdown", Out: "x.md", Force: true, Quiet: true}},
		{[]string{"--estimators", "club", "--estimators", "nwj", "--format", "json"},
			SelftestOptions{Estimators: []string{"club", "nwj"}, Format: "json"}},
	} {
		var got *SelftestOptions
		cmd := NewCmdSelftest(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *SelftestOptions) error {
			got = o
			return nil
		})
		cmd.SetArgs(append([]string{}, tc.args...)) // nil would make cobra read os.Args
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		g := *got
		g.IO = nil
		if !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%v: got %+v, want %+v", tc.args, g, tc.want)
		}
	}
}

func TestSelftestErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "exists.md")
	os.WriteFile(existing, []byte("keep"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"bad format", []string{"selftest", "--format", "csv"}, []string{"--format", `"csv"`, "table, markdown, json"}},
		{"negative steps", []string{"selftest", "--steps", "-5"}, []string{"--steps"}},
		{"bad steps", []string{"selftest", "--steps", "many"}, []string{"steps"}},
		{"unknown estimator", []string{"selftest", "--estimators", "mine,jsd"}, []string{`"jsd"`, "mine, nwj, infonce, smile, club"}},
		{"repeated estimator", []string{"selftest", "--estimators", "nwj,nwj"}, []string{"nwj is listed twice"}},
		{"no estimator", []string{"selftest", "--estimators", ""}, []string{"--estimators needs"}},
		{"argument", []string{"selftest", "extra"}, []string{"unknown command"}},
		{"unknown flag", []string{"selftest", "--fast"}, []string{"unknown flag"}},
		{"out exists", []string{"selftest", "--quick", "--out", existing}, []string{existing, "--force"}},
		{"out folder missing", []string{"selftest", "--out", filepath.Join(dir, "no", "x.md")}, []string{"does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.args...)
			if code != ExitUsage {
				t.Errorf("got exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			if out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "miaudit: ") {
				t.Errorf("got stdout %q stderr %q, want one line on stderr starting miaudit:", out, errOut)
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

// constant is a fake estimator whose every value is v.
type constant struct{ v float64 }

func (c constant) Bound() string                          { return "lower" }
func (c constant) Train(*selftest.Batch) (float64, error) { return c.v, nil }
func (c constant) Estimate(*selftest.Batch) (float64, error) {
	return c.v, nil
}

func fakeEstimators() []selftest.Estimator {
	mk := func(name string, v float64) selftest.Estimator {
		return selftest.Estimator{Name: name, New: func(selftest.Shape, *rand.Rand) (selftest.Trainer, error) { return constant{v}, nil }}
	}
	return []selftest.Estimator{mk("one", 1), mk("two", 2)}
}

func TestSelftestRunWritesResult(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "selftest.json")
	var stdout, stderr bytes.Buffer
	o := &SelftestOptions{IO: &IOStreams{Out: &stdout, ErrOut: &stderr}, Quick: true, Steps: 8, Estimators: []string{"two"},
		Format: "json", Out: out, available: fakeEstimators()}
	if err := selftestRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("got stdout %q with --out", stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res selftest.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	// --quick: 3 Gaussian levels and 3 mixtures; --steps 8 scores the last 2.
	if len(res.Rows) != 6 || res.Steps != 8 || res.Window != 2 {
		t.Fatalf("got %d rows, steps %d, window %d, want 6, 8, 2", len(res.Rows), res.Steps, res.Window)
	}
	for _, r := range res.Rows {
		if r.Estimator != "two" || r.Stats.Mean != 2 || r.Stats.Bias != 2-r.Truth {
			t.Errorf("got row %+v %+v, want estimator two with mean 2", r, *r.Stats)
		}
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "JSD") {
		t.Errorf("got notes %q, want the JSD note", res.Notes)
	}
	// Levels finish in any order: the staircases run concurrently.
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 7 || !strings.Contains(stderr.String(), "two      gaussian d=20, 2 nats: 8 steps, ") ||
		!strings.Contains(stderr.String(), "two      mixture K=50, separation 4: 8 steps, ") ||
		!strings.Contains(lines[0], "steps/s, mean 2.000, bias ") || !strings.HasSuffix(lines[6], "done") {
		t.Errorf("got progress\n%s\nwant a line per level and done", stderr.String())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("got %d files in the output folder, want 1 (no temporary left)", len(ents))
	}

	// A table on standard output, nothing on standard error with --quiet.
	stdout.Reset()
	stderr.Reset()
	o.Out, o.Format, o.Quiet = "", "table", true
	if err := selftestRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "miaudit selftest") || !strings.Contains(stdout.String(), "mixture K=50") || stderr.Len() != 0 {
		t.Errorf("got stdout %q stderr %q", stdout.String(), stderr.String())
	}
}

func TestSelftestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := &SelftestOptions{IO: &IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Steps: 8, Estimators: []string{"one"},
		Format: "table", available: fakeEstimators()}
	if err := selftestRun(ctx, o); err == nil || exitCode(err) != ExitData {
		t.Errorf("got %v, want a cancellation error (exit %d)", err, ExitData)
	}
}

// TestSelftestProgressThrottle: in-progress lines at most every
// progressEvery, and steps/s from the level's start.
func TestSelftestProgressThrottle(t *testing.T) {
	var buf bytes.Buffer
	p := newSelftestProgress(&buf, false)
	t0 := p.start
	clock := t0
	p.now = func() time.Time { return clock }
	for _, step := range []struct {
		step int
		at   time.Duration
	}{{0, 0}, {100, 5 * time.Second}, {200, 16 * time.Second}, {300, 20 * time.Second}, {400, 40 * time.Second}} {
		clock = t0.Add(step.at)
		p.Record(selftest.Progress{Estimator: "nwj", Staircase: "gaussian d=20", Level: "2 nats", Step: step.step, Steps: 4000, Estimate: 1.5})
	}
	got := buf.String()
	want := "[  16.0s] nwj      gaussian d=20, 2 nats: step 200/4000, 12 steps/s, held-out 1.500\n" +
		"[  40.0s] nwj      gaussian d=20, 2 nats: step 400/4000, 10 steps/s, held-out 1.500\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
