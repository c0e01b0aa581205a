package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/infomax"
	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/minmax"
	"github.com/miaudit/miaudit/reports"
)

// reportTol is the tolerance of the report's means, deviations and
// interval bounds against the hand calculations: a few ulps of numbers
// near 1.
const reportTol = 1e-12

// Hashes of the fixtures' data: runs of one dataset share reportDataHash;
// plain results of one labels file share reportLabelsHash.
const (
	reportDataHash   = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"
	reportOtherHash  = "07e707e707e707e707e707e707e707e707e707e707e707e707e707e707e70e70"
	reportLabelsHash = "1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe1abe"
	reportEmbHash    = "e3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3be3b"
)

// reportFig is a point estimate with its bootstrap interval.
type reportFig struct{ v, lo, hi float64 }

func (f reportFig) iv() metrics.Interval { return metrics.Interval{Value: f.v, Low: f.lo, High: f.hi} }

// reportResult is a hand-made audit: target digit (linear probe accuracy
// acc), protected writer (a linear attacker with majority baseline 0.1,
// advantage adv, accuracy 0.1 + 0.9·adv, AUC 0.8, and a knn MI estimate
// of 2·adv), 200 bootstrap resamples at 95 %. Its numbers are invented.
func reportResult(seed uint64, acc, adv reportFig) *metrics.Result {
	return &metrics.Result{
		Schema:  metrics.SchemaVersion,
		Version: "v-test",
		Seed:    seed,
		Input: metrics.Input{Embeddings: "Z.npy", Labels: "labels.csv", Rows: 100, Dim: 4,
			SHA256: reportEmbHash, LabelsSHA256: reportLabelsHash},
		Split:     metrics.Split{Method: "column", Column: "split", TrainRows: 70, TestRows: 30},
		Bootstrap: metrics.BootstrapInfo{Resamples: 200, Level: 0.95, Covers: "test rows"},
		Utility: []metrics.Utility{{Target: "digit", Probe: "linear", Classes: 10, Accuracy: acc.iv(),
			BalancedAccuracy: acc.iv(), MajorityBaseline: 0.12, Converged: true}},
		Leakage: []metrics.Leakage{{
			Attribute: "writer", Classes: 10, EntropyNats: math.Log(10),
			Attackers: []metrics.Attacker{{Probe: "linear", Accuracy: reportFig{0.1 + 0.9*adv.v, 0.1 + 0.9*adv.lo, 0.1 + 0.9*adv.hi}.iv(),
				MajorityBaseline: 0.1, Advantage: adv.iv(), AUC: reportFig{0.8, 0.75, 0.85}.iv(), AUCClasses: 10, Converged: true}},
			MI: []metrics.MI{{Estimator: "knn (Ross 2014, k=3)", Bound: metrics.BoundEstimate, Nats: reportFig{2 * adv.v, 2 * adv.lo, 2 * adv.hi}.iv()}},
		}},
		Fairness: []metrics.Fairness{},
		Warnings: []string{},
	}
}

// writeJSONFile writes v as indented JSON to path.
func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeReportRun is a finished run folder as miaudit train --protect writes it,
// of an MLP encoder on data of hash reportDataHash: run.json (status done,
// heads on writer with the adversary adv at λ), log.csv whose adv_writer
// column is a, b, c (the final estimate: their mean) and audit.json.
type fakeReportRun struct {
	lambda  float64
	seed    uint64
	adv     string
	logged  [3]float64
	res     *metrics.Result
	status  string // "" is done
	hash    string // "" is reportDataHash
	noAudit bool
	noHeads bool
}

func (r fakeReportRun) write(t *testing.T, dir string) {
	t.Helper()
	cfg := infomax.DefaultConfig([]int{6})
	cfg.Code, cfg.Hidden, cfg.Batch, cfg.Seed = 4, []int{16}, 32, r.seed
	hc := minmax.Config{Protect: []minmax.Protect{{Attr: "writer", Lambda: r.lambda}}, Adversary: r.adv, CriticSteps: 5, Warmup: 200, Seed: r.seed}
	heads, err := json.Marshal(struct {
		Config minmax.Config `json:"config"`
	}{hc})
	if err != nil {
		t.Fatal(err)
	}
	info := infomax.RunInfo{Format: infomax.RunFormat, Config: cfg, Epochs: 2, StepsPerEpoch: 9, Step: 18,
		Data: infomax.DataInfo{Name: "table:planted.csv", Hash: reportDataHash, Rows: 300}, Status: infomax.StatusDone, Version: "v-test", Heads: heads}
	if r.status != "" {
		info.Status = r.status
	}
	if r.hash != "" {
		info.Data.Hash = r.hash
	}
	if r.noHeads {
		info.Heads = nil
	}
	writeJSONFile(t, filepath.Join(dir, infomax.RunFile), info)
	log := "step,epoch,loss,local,global,prior,adv_writer,lambda_writer,seconds\n"
	for i, v := range r.logged {
		log += fmt.Sprintf("%d,1,1.0,-1.0,,,%g,%g,0.1\n", i+1, v, r.lambda)
	}
	if err := os.WriteFile(filepath.Join(dir, infomax.LogFile), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if !r.noAudit {
		res := *r.res
		res.Seed = r.seed
		// A run's audit records no file hashes: its codes and labels come
		// from the run (as trainSetting writes them).
		res.Input = metrics.Input{Embeddings: dir + " codes of 100 rows of table:planted.csv", Labels: "table:planted.csv attributes", Rows: 100, Dim: 4}
		writeJSONFile(t, filepath.Join(dir, auditJSON), &res)
	}
}

// reportSweepRuns are the runs of the fixture sweep, by hand:
//
//	λ = 0    seeds 0, 1, 2: accuracy .90 [.86, .94], .92 [.88, .95],
//	         .94 [.91, .97] → mean .92, sd .02, interval
//	         [(.86 + .88 + .91)/3, (.94 + .95 + .97)/3] = [.88333, .95333];
//	         advantage .30 [.25, .35] each → .30 ± 0 [.25, .35];
//	         training adversary logs (.2 .3 .4), (.3 .4 .5), (.4 .5 .6) →
//	         finals .3, .4, .5 → .4 ± .1
//	λ = 0.3  seeds 0, 1: accuracy .88 [.84, .92], .86 [.82, .90] → .87 ±
//	         .02/√2 = .014142 [.83, .91]; advantage .20 [.15, .25];
//	         adversary finals .2, .2 → .2 ± 0
//	λ = 3    seed 0: accuracy .80 [.75, .85], advantage .10 [.05, .15]
//	λ = 10   seed 0: accuracy .70 [.65, .75], advantage .12 [.07, .17]
//
// Folders sort as lambda-0, lambda-0.3, lambda-10, lambda-3; the settings
// come numerically: 0, 0.3, 3, 10. Pareto (utility: mean accuracy;
// leakage: mean advantage): (.92, .30), (.87, .20), (.80, .10), (.70, .12);
// λ = 10 is dominated by λ = 3, the others are optimal.
var reportSweepRuns = []struct {
	dir string
	run fakeReportRun
}{
	{"lambda-0/seed-0", fakeReportRun{lambda: 0, seed: 0, adv: "mine", logged: [3]float64{0.2, 0.3, 0.4}, res: reportResult(0, reportFig{0.90, 0.86, 0.94}, reportFig{0.30, 0.25, 0.35})}},
	{"lambda-0/seed-1", fakeReportRun{lambda: 0, seed: 1, adv: "mine", logged: [3]float64{0.3, 0.4, 0.5}, res: reportResult(1, reportFig{0.92, 0.88, 0.95}, reportFig{0.30, 0.25, 0.35})}},
	{"lambda-0/seed-2", fakeReportRun{lambda: 0, seed: 2, adv: "mine", logged: [3]float64{0.4, 0.5, 0.6}, res: reportResult(2, reportFig{0.94, 0.91, 0.97}, reportFig{0.30, 0.25, 0.35})}},
	{"lambda-0.3/seed-0", fakeReportRun{lambda: 0.3, seed: 0, adv: "mine", logged: [3]float64{0.1, 0.2, 0.3}, res: reportResult(0, reportFig{0.88, 0.84, 0.92}, reportFig{0.20, 0.15, 0.25})}},
	{"lambda-0.3/seed-1", fakeReportRun{lambda: 0.3, seed: 1, adv: "mine", logged: [3]float64{0.1, 0.2, 0.3}, res: reportResult(1, reportFig{0.86, 0.82, 0.90}, reportFig{0.20, 0.15, 0.25})}},
	{"lambda-3/seed-0", fakeReportRun{lambda: 3, seed: 0, adv: "mine", logged: [3]float64{0, 0.1, 0.2}, res: reportResult(0, reportFig{0.80, 0.75, 0.85}, reportFig{0.10, 0.05, 0.15})}},
	{"lambda-10/seed-0", fakeReportRun{lambda: 10, seed: 0, adv: "mine", logged: [3]float64{0, 0.05, 0.1}, res: reportResult(0, reportFig{0.70, 0.65, 0.75}, reportFig{0.12, 0.07, 0.17})}},
}

// writeReportSweep writes the fixture sweep into dir (which also gets the
// comparison files a sweep writes, which the report ignores).
func writeReportSweep(t *testing.T, dir string) {
	t.Helper()
	for _, r := range reportSweepRuns {
		r.run.write(t, filepath.Join(dir, r.dir))
	}
	writeJSONFile(t, filepath.Join(dir, "comparison.json"), map[string]any{"columns": []any{}, "rows": []any{}})
}

// reportIO returns fake streams and their buffers.
func reportIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// reportWith runs reportRun with fake IO on paths, after validating the
// options as the command does.
func reportWith(t *testing.T, o ReportOptions) (string, string, error) {
	t.Helper()
	ios, out, errOut := reportIO()
	o.IO = ios
	if err := o.validate(); err != nil {
		return out.String(), errOut.String(), err
	}
	err := reportRun(context.Background(), &o)
	return out.String(), errOut.String(), err
}

func TestReportFlags(t *testing.T) {
	parse := func(args ...string) (*ReportOptions, error) {
		var got *ReportOptions
		cmd := NewCmdReport(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *ReportOptions) error {
			got = o
			return nil
		})
		cmd.SetArgs(args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		return got, cmd.Execute()
	}
	got, err := parse("sweeps/a", "b.json", "--format", "latex", "--out", "r.md", "--force", "--allow-mixed",
		"--fail-if", "utility.digit.accuracy < 0.9", "--fail-if", "leakage.writer.attackers.mlp.advantage > 0.2")
	if err != nil {
		t.Fatal(err)
	}
	// --format given wins over --out's extension.
	if !reflect.DeepEqual(got.Paths, []string{"sweeps/a", "b.json"}) || got.Format != "latex" || got.Out != "r.md" || !got.Force || !got.AllowMixed || len(got.gates) != 2 {
		t.Errorf("got %+v", got)
	}
	// Without --format, --out's extension decides; an unknown one keeps
	// the table.
	for out, want := range map[string]string{"": "table", "r.md": "markdown", "r.TEX": "latex", "r.csv": "csv", "r.json": "json", "r.html": "html", "r.txt": "table", "r.out": "table"} {
		args := []string{"x.json"}
		if out != "" {
			args = append(args, "--out", out)
		}
		if got, err := parse(args...); err != nil || got.Format != want {
			t.Errorf("--out %q: format %q, %v; want %q", out, got.Format, err, want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x.json", "--format", "xml"}, `--format "xml" is not one of table, markdown, latex, csv, json, html`},
		{[]string{"x.json", "--fail-if", "utility.digit.accuracy"}, "--fail-if"},
	} {
		_, err := parse(tc.args...)
		var ue *UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
	// No path: a usage error (exit 2).
	if _, errOut, code := run(t, "report"); code != ExitUsage {
		t.Errorf("report without paths: exit %d (%s), want %d", code, errOut, ExitUsage)
	}
}

// TestReportSweep reads the fixture sweep and pins its settings, their
// order and names, and the cells against reportSweepRuns' hand calculations.
func TestReportSweep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	writeReportSweep(t, dir)
	inputs, err := LoadReportInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(inputs, false, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range rep.Groups {
		names = append(names, fmt.Sprintf("%s (%d)", g.Name, len(g.Inputs)))
		if g.Kind != InputRun || !reflect.DeepEqual(g.Varying, []string{"lambda"}) {
			t.Errorf("%s: kind %s, varying %q; want run, [lambda]", g.Name, g.Kind, g.Varying)
		}
	}
	if want := []string{"λ = 0 (3)", "λ = 0.3 (2)", "λ = 3 (1)", "λ = 10 (1)"}; !reflect.DeepEqual(names, want) {
		t.Errorf("settings %q, want %q", names, want)
	}
	// Inputs by seed within a setting; the configuration has no seed.
	g0 := rep.Groups[0]
	for i, in := range g0.Inputs {
		if want := filepath.Join(dir, "lambda-0", fmt.Sprintf("seed-%d", i)); in.Path != want || in.Seed != uint64(i) || in.From != dir || in.Group != "λ = 0" {
			t.Errorf("λ = 0 input %d: %s seed %d from %s group %q, want %s seed %d from %s", i, in.Path, in.Seed, in.From, in.Group, want, i, dir)
		}
	}
	if _, ok := g0.Params["seed"]; ok || g0.Params["lambda"] != "0" || g0.Params["adversary"] != "mine" || g0.Params["hidden"] != "16" || g0.Params["dim_estimator"] != "jsd" {
		t.Errorf("λ = 0 params %v: want lambda 0, adversary mine, hidden 16, dim_estimator jsd and no seed", g0.Params)
	}

	c := rep.Comparison
	col := func(name string) int {
		t.Helper()
		for i, cl := range c.Columns {
			if cl.Name == name {
				return i
			}
		}
		t.Fatalf("no column %q", name)
		return -1
	}
	nan := math.NaN()
	const (
		acc = "digit linear probe accuracy"
		adv = "writer linear attacker advantage"
		tra = "training adversary (mine) on writer [lower] (nats)"
	)
	for i, tc := range []struct {
		row    int
		column string
		want   reports.Cell
		text   string
	}{
		{0, acc, reports.Cell{Mean: 0.92, SD: 0.02, N: 3, Low: 2.65 / 3, High: 2.86 / 3}, "0.920 ± 0.020 [0.883, 0.953]"},
		{0, adv, reports.Cell{Mean: 0.30, SD: 0, N: 3, Low: 0.25, High: 0.35}, "0.300 ± 0.000 [0.250, 0.350]"},
		{0, tra, reports.Cell{Mean: 0.4, SD: 0.1, N: 3, Low: nan, High: nan}, "0.400 ± 0.100"},
		{1, acc, reports.Cell{Mean: 0.87, SD: 0.01 * math.Sqrt2, N: 2, Low: 0.83, High: 0.91}, "0.870 ± 0.014 [0.830, 0.910]"},
		{1, tra, reports.Cell{Mean: 0.2, SD: 0, N: 2, Low: nan, High: nan}, "0.200 ± 0.000"},
		{2, acc, reports.Cell{Mean: 0.80, SD: nan, N: 1, Low: 0.75, High: 0.85}, "0.800 [0.750, 0.850]"},
		{3, adv, reports.Cell{Mean: 0.12, SD: nan, N: 1, Low: 0.07, High: 0.17}, "0.120 [0.070, 0.170]"},
	} {
		got := c.Rows[tc.row].Cells[col(tc.column)]
		if got.N != tc.want.N || !reportApprox(got.Mean, tc.want.Mean) || !reportApprox(got.SD, tc.want.SD) ||
			!reportApprox(got.Low, tc.want.Low) || !reportApprox(got.High, tc.want.High) {
			t.Errorf("%d: %s, %s: got %+v, want %+v", i, c.Rows[tc.row].Name, tc.column, got, tc.want)
		}
	}
	var pareto []bool
	for _, r := range c.Rows {
		pareto = append(pareto, r.Pareto)
	}
	if want := []bool{true, true, true, false}; !reflect.DeepEqual(pareto, want) {
		t.Errorf("pareto %v, want %v", pareto, want)
	}

	// The table shows the same cells.
	out, _, err := reportWith(t, ReportOptions{Paths: []string{dir}, Format: "markdown"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| \\* | λ = 0 | 0.920 ± 0.020 [0.883, 0.953] |",
		"| \\* | λ = 3 | 0.800 [0.750, 0.850] |",
		"|  | λ = 10 | 0.700 [0.650, 0.750] |",
		"0.400 ± 0.100 |",
		"- Settings group the audits by configuration: every hyper-parameter but the seed; they differ in λ. Training adversary: the mean of its last 50 logged estimates.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

func reportApprox(x, y float64) bool {
	return math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) <= reportTol
}

// TestReportGrouping pins the grouping rule on hand-made inputs: runs by
// every param but the seeds, named by the params that vary between run
// settings; plain results by their input, audits of one input with other
// seeds together; results first, then runs by λ, then the other params.
func TestReportGrouping(t *testing.T) {
	base := map[string]string{"code": "4", "lr": "0.001", "protect": "writer", "critic_steps": "5"}
	runIn := func(path, adv, lambda string, seed uint64) *ReportInput {
		p := map[string]string{"adversary": adv, "lambda": lambda, "seed": fmt.Sprint(seed), "adversary_seed": fmt.Sprint(seed)}
		for k, v := range base {
			p[k] = v
		}
		return &ReportInput{Provenance: Provenance{Path: path, Kind: InputRun, Seed: seed, Params: p}}
	}
	resIn := func(path, emb string, seed uint64) *ReportInput {
		return &ReportInput{Provenance: Provenance{Path: path, Kind: InputResult, Seed: seed,
			Params: map[string]string{"embeddings": emb, "labels": "labels.csv", "split": "column", "split_column": "split"}}}
	}
	inputs := []*ReportInput{
		runIn("mine/lambda-1/seed-1", "mine", "1", 1),
		runIn("mine/lambda-1/seed-0", "mine", "1", 0),
		runIn("mine/lambda-0/seed-0", "mine", "0", 0),
		runIn("club/lambda-1/seed-0", "club", "1", 0),
		runIn("mine/lambda-0.5/seed-0", "mine", "0.5", 0),
		resIn("z2.json", "Z2.npy", 1),
		resIn("z1-seed2.json", "Z1.npy", 2),
		resIn("z1-seed1.json", "Z1.npy", 1),
	}
	groups := GroupReportInputs(inputs)
	type summary struct {
		Name   string
		Inputs []string
	}
	var got []summary
	for _, g := range groups {
		s := summary{Name: g.Name}
		for _, in := range g.Inputs {
			s.Inputs = append(s.Inputs, in.Path)
		}
		got = append(got, s)
	}
	want := []summary{
		{"embeddings = Z1.npy", []string{"z1-seed1.json", "z1-seed2.json"}},
		{"embeddings = Z2.npy", []string{"z2.json"}},
		// λ numerically (0 < 0.5 < 1), then adversary (club < mine).
		{"adversary = mine, λ = 0", []string{"mine/lambda-0/seed-0"}},
		{"adversary = mine, λ = 0.5", []string{"mine/lambda-0.5/seed-0"}},
		{"adversary = club, λ = 1", []string{"club/lambda-1/seed-0"}},
		{"adversary = mine, λ = 1", []string{"mine/lambda-1/seed-0", "mine/lambda-1/seed-1"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("groups:\ngot  %+v\nwant %+v", got, want)
	}
	if in := inputs[1]; in.Group != "adversary = mine, λ = 1" {
		t.Errorf("input %s has group %q", in.Path, in.Group)
	}

	// One run setting: its λ names it; one result setting: its embeddings.
	groups = GroupReportInputs([]*ReportInput{runIn("a/seed-0", "mine", "3", 0), runIn("a/seed-1", "mine", "3", 1)})
	if len(groups) != 1 || groups[0].Name != "λ = 3" || len(groups[0].Varying) != 0 {
		t.Errorf("one run setting: %+v, want one setting λ = 3 varying in nothing", groups)
	}
	// Runs audited with other attackers are other settings.
	a, b := runIn("a", "mine", "3", 0), runIn("b", "mine", "3", 0)
	a.Params["audit_attackers"], b.Params["audit_attackers"] = "linear", "linear,mlp"
	groups = GroupReportInputs([]*ReportInput{b, a})
	if len(groups) != 2 || groups[0].Name != "attackers = linear" || groups[1].Name != "attackers = linear,mlp" {
		t.Errorf("attackers: settings %+v, want attackers = linear, then attackers = linear,mlp", groups)
	}
	// Settings that differ only in a param one of them lacks: the other's
	// name shows it, and the names stay distinct.
	a, b = runIn("a", "mine", "3", 0), runIn("b", "mine", "3", 0)
	b.Params["delay"] = "100"
	groups = GroupReportInputs([]*ReportInput{a, b})
	if len(groups) != 2 || groups[0].Name == groups[1].Name {
		t.Errorf("delay: settings %+v, want two with distinct names", groups)
	}
}

// TestReportFormats checks the csv, json, table and latex forms of the
// fixture sweep's report.
func TestReportFormats(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	writeReportSweep(t, dir)

	out, _, err := reportWith(t, ReportOptions{Paths: []string{dir}, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The varying param (lambda) is a column; the interval's bounds too.
	if want := []string{"setting", "lambda", "column", "section", "attribute", "measure", "estimator", "bound", "mean", "sd", "ci_low", "ci_high", "n", "pareto"}; !reflect.DeepEqual(recs[0], want) {
		t.Errorf("csv header %q, want %q", recs[0], want)
	}
	if r := recs[1]; r[0] != "λ = 0" || r[1] != "0" || r[2] != "digit linear probe accuracy" || r[10] != "0.8833333333333333" {
		t.Errorf("csv first record %q", r)
	}

	out, _, err = reportWith(t, ReportOptions{Paths: []string{dir}, Format: "json"})
	if err != nil {
		t.Fatal(err)
	}
	var js struct {
		Format     string `json:"format"`
		Comparison struct {
			Rows []struct {
				Name string `json:"name"`
			} `json:"rows"`
		} `json:"comparison"`
		Settings []struct {
			Name    string            `json:"name"`
			Kind    string            `json:"kind"`
			Params  map[string]string `json:"params"`
			Varying []string          `json:"varying"`
			Inputs  []string          `json:"inputs"`
		} `json:"settings"`
		Provenance []map[string]json.RawMessage `json:"provenance"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if js.Format != ReportFormat || len(js.Comparison.Rows) != 4 || len(js.Settings) != 4 || len(js.Provenance) != len(reportSweepRuns) {
		t.Fatalf("json: format %q, %d rows, %d settings, %d provenance entries", js.Format, len(js.Comparison.Rows), len(js.Settings), len(js.Provenance))
	}
	if s := js.Settings[1]; s.Name != "λ = 0.3" || s.Kind != InputRun || !reflect.DeepEqual(s.Varying, []string{"lambda"}) || len(s.Inputs) != 2 {
		t.Errorf("json setting 1: %+v", s)
	}
	// Provenance in the order read: lambda-0/seed-0 first.
	p := js.Provenance[0]
	for k, want := range map[string]string{
		"path": `"` + filepath.Join(dir, "lambda-0", "seed-0") + `"`, "kind": `"run"`, "group": `"λ = 0"`, "version": `"v-test"`, "seed": "0",
		"sha256": `{"data":"` + reportDataHash + `"}`,
		// (0.2 + 0.3 + 0.4)/3 as finalAdversary sums it: 0.3 exactly.
		"training_adversary": `[{"attribute":"writer","adversary":"mine","bound":"lower","nats":0.3}]`,
	} {
		var buf bytes.Buffer
		if err := json.Compact(&buf, p[k]); err != nil || buf.String() != want {
			t.Errorf("provenance %s = %s, want %s", k, buf.String(), want)
		}
	}
	var params map[string]string
	if err := json.Unmarshal(p["params"], &params); err != nil || params["seed"] != "0" || params["lambda"] != "0" || params["epochs"] != "2" || params["adversary_seed"] != "0" {
		t.Errorf("provenance params %v (%v)", params, err)
	}

	out, _, err = reportWith(t, ReportOptions{Paths: []string{dir}, Format: "latex"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`\toprule`, `\ensuremath{\lambda} = 0.3`, `0.920 \ensuremath{\pm} 0.020 [0.883, 0.953]`} {
		if !strings.Contains(out, want) {
			t.Errorf("latex lacks %q", want)
		}
	}
	for i, r := range out {
		if r > 127 {
			t.Errorf("latex has non-ASCII %q at byte %d", r, i)
			break
		}
	}

	// html: one page, one comparison row per setting (report_html_test.go
	// checks the rest).
	out, _, err = reportWith(t, ReportOptions{Paths: []string{dir}, Format: "html"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, `<td class="num">0.920 ± 0.020 [0.883, 0.953]</td>`) {
		t.Errorf("html: %.200s", out)
	}
}

// TestReportLaTeXCompiles runs pdflatex on the report's LaTeX in a
// minimal document: article and booktabs, nothing else.
func TestReportLaTeXCompiles(t *testing.T) {
	pdflatex, err := exec.LookPath("pdflatex")
	if err != nil {
		t.Skip("pdflatex not on PATH (Debian: texlive-latex-base texlive-latex-recommended)")
	}
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep")
	writeReportSweep(t, sweep)
	// A second dataset, allowed: the warning note with its paths and
	// hashes goes through LaTeX too.
	res := reportResult(7, reportFig{0.5, 0.4, 0.6}, reportFig{0.1, 0.0, 0.2})
	res.Input.LabelsSHA256 = "abc_#%&{}~^$"
	writeJSONFile(t, filepath.Join(dir, "odd_name#1.json"), res)
	out, _, err := reportWith(t, ReportOptions{Paths: []string{sweep, filepath.Join(dir, "odd_name#1.json")}, Format: "latex", AllowMixed: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "table.tex"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{table}\n\\end{document}\n"
	if err := os.WriteFile(filepath.Join(dir, "doc.tex"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
	cmd.Dir = dir
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pdflatex: %v\n%s", err, log)
	}
	// pdflatex goes on after a character its font lacks; that is an
	// error here too.
	if b, _ := os.ReadFile(filepath.Join(dir, "doc.log")); bytes.Contains(b, []byte("Missing character")) {
		t.Errorf("pdflatex: a character is missing from the font:\n%s", b)
	}
}

// TestReportInputs covers what a path may be: a result file, a run folder,
// a run's audit.json standing for its run, a train --lambda folder; and
// audits of one embeddings file with three seeds forming one setting.
func TestReportInputs(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, a := range []float64{0.80, 0.84, 0.86} {
		f := filepath.Join(dir, fmt.Sprintf("audit-%d.json", i+1))
		writeJSONFile(t, f, reportResult(uint64(i+1), reportFig{a, a - 0.05, a + 0.05}, reportFig{0.2, 0.1, 0.3}))
		files = append(files, f)
	}
	inputs, err := LoadReportInputs(files)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(inputs, false, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	// One setting; accuracy (.80 + .84 + .86)/3 = .83333, sd
	// √(.0018667/2) = .030551, bounds .83333 ∓ .05.
	if len(rep.Groups) != 1 || rep.Groups[0].Name != "embeddings = Z.npy" {
		t.Fatalf("groups %+v, want one named embeddings = Z.npy", rep.Groups)
	}
	cell := rep.Comparison.Rows[0].Cells[0]
	if want := (reports.Cell{Mean: 2.5 / 3, SD: math.Sqrt(0.0028 / 3), N: 3, Low: 2.35 / 3, High: 2.65 / 3}); cell.N != 3 || !reportApprox(cell.Mean, want.Mean) ||
		!reportApprox(cell.SD, want.SD) || !reportApprox(cell.Low, want.Low) || !reportApprox(cell.High, want.High) {
		t.Errorf("cell %+v, want %+v", cell, want)
	}
	p := inputs[1].Provenance
	if p.Kind != InputResult || p.Seed != 2 || p.Version != "v-test" || p.DatasetID != "sha256:"+reportLabelsHash ||
		!reflect.DeepEqual(p.SHA256, map[string]string{"embeddings": reportEmbHash, "labels": reportLabelsHash}) || p.Adversary != nil ||
		!reflect.DeepEqual(p.ParamKeys(), []string{"audit_attackers", "audit_bootstrap", "audit_estimators", "embeddings", "labels", "split", "split_column"}) ||
		p.Params["audit_attackers"] != "linear" || p.Params["audit_bootstrap"] != "200 at 0.95" || p.Params["audit_estimators"] != "knn (Ross 2014, k=3)" {
		t.Errorf("result provenance %+v", p)
	}

	// A train --lambda 0,3 folder, a run folder and a run's audit.json.
	tl := filepath.Join(dir, "cmp")
	for _, l := range []float64{0, 3} {
		fakeReportRun{lambda: l, adv: "club", logged: [3]float64{1, 2, 3}, res: reportResult(0, reportFig{0.9, 0.8, 1}, reportFig{0.1, 0, 0.2})}.write(t, filepath.Join(tl, fmt.Sprintf("lambda-%g", l)))
	}
	one := filepath.Join(dir, "one")
	fakeReportRun{lambda: 1, seed: 4, adv: "club", logged: [3]float64{1, 2, 3}, res: reportResult(4, reportFig{0.9, 0.8, 1}, reportFig{0.1, 0, 0.2})}.write(t, one)
	inputs, err = LoadReportInputs([]string{tl, filepath.Join(one, auditJSON)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Kind+" "+in.Path)
	}
	if want := []string{"run " + filepath.Join(tl, "lambda-0"), "run " + filepath.Join(tl, "lambda-3"), "run " + one}; !reflect.DeepEqual(got, want) {
		t.Errorf("inputs %q, want %q", got, want)
	}
	p = inputs[2].Provenance
	if p.Seed != 4 || p.RunVersion != "v-test" || p.Dataset != "table:planted.csv" || p.DatasetID != "sha256:"+reportDataHash ||
		p.Params["adversary"] != "club" || p.Params["lambda"] != "1" || p.Params["protect"] != "writer" ||
		len(p.Adversary) != 1 || p.Adversary[0] != (AdversaryEstimate{Attribute: "writer", Adversary: "club", Bound: metrics.BoundUpper, Nats: 2}) {
		t.Errorf("run provenance %+v", p)
	}
}

// TestReportBadInputs checks each bad input: its exit code, a message
// naming it, and no output file left behind.
func TestReportBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeJSONFile(t, good, reportResult(1, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3}))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodJSON, _ := os.ReadFile(good)
	withSchema := func(name string, n int) string {
		return write(name, strings.Replace(string(goodJSON), `"schema": 1`, fmt.Sprintf(`"schema": %d`, n), 1))
	}
	// Truncated after 100 bytes: the file ends inside a value at byte 100.
	truncated := write("truncated.json", string(goodJSON[:100]))
	// An invalid character: the "}" after a comma, the 15th byte
	// (encoding/json's offset: the bytes read up to and with it).
	invalid := write("invalid.json", `{"schema": 1, }x`)
	mkRun := func(name string, r fakeReportRun) string {
		d := filepath.Join(dir, name)
		if r.res == nil {
			r.res = reportResult(0, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3})
		}
		if r.adv == "" {
			r.adv = "mine"
		}
		r.write(t, d)
		return d
	}
	running := mkRun("running", fakeReportRun{status: infomax.StatusRunning, noAudit: true})
	noAudit := mkRun("no-audit", fakeReportRun{noAudit: true})
	noHeads := mkRun("no-heads", fakeReportRun{noHeads: true, noAudit: true})
	goodRun := mkRun("good-run", fakeReportRun{})
	// A run whose run.json is cut short after 30 bytes, and one whose log
	// lacks the adversary's column.
	cutRun := mkRun("cut-run", fakeReportRun{})
	runJSON, _ := os.ReadFile(filepath.Join(cutRun, infomax.RunFile))
	write(filepath.Join("cut-run", infomax.RunFile), string(runJSON[:30]))
	noColumn := mkRun("no-column", fakeReportRun{})
	write(filepath.Join("no-column", infomax.LogFile), "step,epoch,loss\n1,1,0.5\n")
	otherData := mkRun("other-data", fakeReportRun{hash: reportOtherHash})
	sweepOfRunning := filepath.Join(dir, "sweep")
	mkRun(filepath.Join("sweep", "lambda-0", "seed-0"), fakeReportRun{})
	mkRun(filepath.Join("sweep", "lambda-0", "seed-1"), fakeReportRun{status: infomax.StatusInterrupted})
	empty := filepath.Join(dir, "empty")
	if err := os.MkdirAll(filepath.Join(empty, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	otherTargets := reportResult(2, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3})
	otherTargets.Utility[0].Target = "class"
	otherTargetsFile := filepath.Join(dir, "class.json")
	writeJSONFile(t, otherTargetsFile, otherTargets)

	for _, tc := range []struct {
		name  string
		paths []string
		code  int
		want  []string
	}{
		{"newer schema", []string{withSchema("v2.json", 2)}, ExitData, []string{"v2.json: result schema 2; this miaudit reads schema 1 — produced by a newer miaudit?"}},
		{"older schema", []string{withSchema("v0.json", 0)}, ExitData, []string{"v0.json: result schema 0; this miaudit reads schema 1 — produced by an older miaudit?"}},
		{"truncated", []string{truncated}, ExitData, []string{"truncated.json: truncated JSON: the file ends at byte 100 inside a value"}},
		{"invalid", []string{invalid}, ExitData, []string{"invalid.json: invalid JSON at byte 15: invalid character '}'"}},
		{"no schema", []string{write("other.json", `{"name": "x"}`)}, ExitData, []string{`other.json: not a miaudit audit result: it has no "schema" field`}},
		{"comparison", []string{write("comparison.json", `{"columns": [], "rows": []}`)}, ExitData, []string{"looks like a comparison", "pass the sweep folder"}},
		{"array", []string{write("array.json", `[1, 2]`)}, ExitData, []string{"array.json: not a miaudit audit result: its JSON is an array"}},
		{"csv", []string{write("labels.csv", "a,b\n1,2\n")}, ExitData, []string{`labels.csv: not JSON (it starts with "a,b"); expected an audit result file`}},
		{"empty", []string{write("empty.json", " \n")}, ExitData, []string{"empty.json is empty; expected an audit result file"}},
		{"missing path", []string{filepath.Join(dir, "nope")}, ExitUsage, []string{"nope: no such file or folder; expected an audit result file"}},
		{"no runs", []string{empty}, ExitUsage, []string{"empty: a folder without run.json and without run folders", "miaudit sweep"}},
		{"running", []string{running}, ExitData, []string{"running: the run is not finished (status \"running\"", "miaudit sweep"}},
		{"interrupted in a sweep", []string{sweepOfRunning}, ExitData, []string{filepath.Join("sweep", "lambda-0", "seed-1") + ": the run is not finished (status \"interrupted\""}},
		{"no audit", []string{noAudit}, ExitData, []string{"no-audit: the run is trained but has no audit.json", "miaudit sweep"}},
		{"no heads", []string{noHeads}, ExitData, []string{"no-heads: a run without adversary heads"}},
		{"truncated run.json", []string{cutRun}, ExitData, []string{filepath.Join("cut-run", "run.json") + ": truncated JSON: the file ends at byte 30 inside a value"}},
		{"log without the adversary", []string{noColumn}, ExitData, []string{filepath.Join("no-column", "log.csv") + ": no column adv_writer"}},
		{"mixed datasets", []string{goodRun, otherData}, ExitUsage, []string{
			"the inputs audit 2 different datasets:\n",
			"dataset table:planted.csv (sha256 d1d1d1d1d1d1…): " + goodRun + "\n",
			"dataset table:planted.csv (sha256 07e707e707e7…): " + otherData + "\n",
			"--allow-mixed"}},
		{"other targets", []string{good, otherTargetsFile}, ExitUsage, []string{`good.json audits targets ["digit"]`, `class.json audits ["class"]`}},
		{"twice", []string{sweepOfRunning + "/lambda-0/seed-0", sweepOfRunning + "/lambda-0/seed-0/audit.json"}, ExitUsage, []string{"seed-0 is given twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outDir := t.TempDir()
			out := filepath.Join(outDir, "report.md")
			stdout, _, err := reportWith(t, ReportOptions{Paths: tc.paths, Out: out})
			if err == nil {
				t.Fatalf("no error; output %q", stdout)
			}
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit %d, want %d: %v", got, tc.code, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if ents, _ := os.ReadDir(outDir); len(ents) != 0 {
				t.Errorf("%s holds %v after the error, want nothing", outDir, ents)
			}
		})
	}
}

// TestReportAllowMixed compares two datasets with --allow-mixed: a loud
// warning on stderr, a note in the report.
func TestReportAllowMixed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeJSONFile(t, good, reportResult(1, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3}))
	other := filepath.Join(dir, "run")
	fakeReportRun{hash: reportOtherHash, adv: "mine", res: reportResult(0, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3})}.write(t, other)
	out, errOut, err := reportWith(t, ReportOptions{Paths: []string{good, other}, Format: "markdown", AllowMixed: true})
	if err != nil {
		t.Fatal(err)
	}
	// A result and a run: their data are named by different hashes.
	const head = "the inputs audit 2 different datasets, or name one differently (a run by its data's SHA-256, a result by its labels file's):"
	if !strings.Contains(errOut, "WARNING: "+head+"\n") || !strings.Contains(errOut, "WARNING:   dataset table:planted.csv (sha256 07e707e707e7…): "+other+"\n") {
		t.Errorf("stderr %q, want the warning", errOut)
	}
	if !strings.Contains(out, "- WARNING (--allow-mixed): "+head+" dataset labels.csv (sha256 1abe1abe1abe…): "+good+"; dataset table:planted.csv") {
		t.Errorf("report lacks the warning note:\n%s", out)
	}
	// A result and a run: two settings, the result first.
	if !strings.Contains(out, "| embeddings = Z.npy |") || !strings.Contains(out, "| λ = 0 |") || strings.Index(out, "Z.npy |") > strings.Index(out, "| λ = 0 |") {
		t.Errorf("settings of the mixed report:\n%s", out)
	}
}

// TestReportOut checks --out: a missing folder and an existing file
// without --force are usage errors before any input is read; --force
// overwrites; the input itself is refused.
func TestReportOut(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeJSONFile(t, good, reportResult(1, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3}))
	missing := filepath.Join(dir, "nope")
	_, _, err := reportWith(t, ReportOptions{Paths: []string{missing}, Out: filepath.Join(dir, "no-such-folder", "r.md")})
	if exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "folder "+filepath.Join(dir, "no-such-folder")+" does not exist") {
		t.Errorf("missing folder: %v, want a usage error about --out (before reading %s)", err, missing)
	}
	out := filepath.Join(dir, "r.md")
	if err := os.WriteFile(out, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = reportWith(t, ReportOptions{Paths: []string{missing}, Out: out})
	if exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "exists: refusing to overwrite it without --force") {
		t.Errorf("existing --out: %v", err)
	}
	if _, _, err := reportWith(t, ReportOptions{Paths: []string{good}, Out: out, Format: "markdown", Force: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); !bytes.HasPrefix(b, []byte("# miaudit comparison of 1 settings")) {
		t.Errorf("--force: %s holds %q", out, b)
	}
	_, _, err = reportWith(t, ReportOptions{Paths: []string{good}, Out: good, Force: true})
	if exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "is the input") {
		t.Errorf("--out the input: %v", err)
	}
	// Through the command line: the table on stdout, exit 0.
	stdout, errOut, code := run(t, "report", good)
	if code != ExitOK || !strings.Contains(stdout, "embeddings = Z.npy") || errOut != "" {
		t.Errorf("report %s: exit %d, stdout %q, stderr %q", good, code, stdout, errOut)
	}
}

// TestReportGates checks --fail-if against every audit: violations name
// the input and exit 3 after the report is written; a path no audit has
// is a usage error before anything is written.
func TestReportGates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	writeReportSweep(t, dir)
	out := filepath.Join(t.TempDir(), "r.md")
	// Accuracies .90 .92 .94 .88 .86 .80 .70: four below 0.9.
	_, errOut, err := reportWith(t, ReportOptions{Paths: []string{dir}, Out: out, FailIf: []string{"utility.digit.accuracy < 0.9"}})
	var ge *GateError
	if !errors.As(err, &ge) || exitCode(err) != ExitGate || len(ge.Failed) != 4 {
		t.Fatalf("gates: %v (%+v), want 4 violations, exit 3", err, ge)
	}
	if want := filepath.Join(dir, "lambda-0.3", "seed-0") + ": utility.digit.accuracy < 0.9: value 0.88 < 0.9"; !strings.Contains(errOut, "gate failed: "+want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the report is not written before the gates fail: %v", err)
	}
	// Every audit passes.
	if _, _, err := reportWith(t, ReportOptions{Paths: []string{dir}, FailIf: []string{"utility.digit.accuracy < 0.5"}}); err != nil {
		t.Errorf("passing gate: %v", err)
	}
	out2 := filepath.Join(t.TempDir(), "r.md")
	_, _, err = reportWith(t, ReportOptions{Paths: []string{dir}, Out: out2, FailIf: []string{"utility.class.accuracy < 0.5"}})
	if exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "--fail-if on "+filepath.Join(dir, "lambda-0", "seed-0")) {
		t.Errorf("unknown path: %v, want a usage error naming the first audit", err)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Errorf("unknown gate path: %s written", out2)
	}
}
