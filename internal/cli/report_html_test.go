package cli

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/miaudit/miaudit/metrics"
)

// reportFigureResult is reportResult with what every figure draws: the
// MLP attacker's Barber–Agakov bound on writer (1 + adv nats), a
// worst-class fairness entry of digit by sex with two groups, and
// re-identification of writer with a verification ROC curve. Its numbers
// are invented.
func reportFigureResult(seed uint64, acc, adv reportFig) *metrics.Result {
	r := reportResult(seed, acc, adv)
	iv := func(v, lo, hi float64) metrics.Interval { return metrics.Interval{Value: v, Low: lo, High: hi} }
	l := &r.Leakage[0]
	l.MI = append(l.MI, metrics.MI{Estimator: "barber-agakov (mlp attacker)", Bound: metrics.BoundLower, Nats: iv(1+adv.v, 1+adv.lo, 1+adv.hi)})
	l.ReID = &metrics.ReID{Available: true, Rank1: iv(0.3, 0.2, 0.4), Rank5: iv(0.6, 0.5, 0.7), ChanceRank1: 0.1, ChanceRank5: 0.5,
		GalleryIdentities: 10, Probes: 30, VerificationAUC: iv(0.8, 0.7, 0.9), TPRAtFPR1e3: iv(0.2, 0.1, 0.3), Pairs: 400}
	// A ROC curve TPR = FPR^(0.5 − adv): higher for a larger advantage.
	for _, fpr := range []float64{0, 1e-4, 1e-3, 1e-2, 0.1, 0.3, 1} {
		l.ReID.ROC = append(l.ReID.ROC, metrics.ROCPoint{FPR: fpr, TPR: math.Pow(fpr, 0.5-adv.v)})
	}
	rates := func(g string, sel, tpr, fpr float64) metrics.GroupRates {
		return metrics.GroupRates{Group: g, N: 15, Accuracy: iv(acc.v, acc.lo, acc.hi), SelectionRate: iv(sel, sel-0.05, sel+0.05), TPR: iv(tpr, tpr-0.1, tpr+0.1), FPR: iv(fpr, fpr-0.01, fpr+0.01)}
	}
	r.Fairness = []metrics.Fairness{{
		Target: "digit", Group: "sex", Source: "probe", Positive: "7", Kind: "worst-class",
		DemographicParityDifference: iv(0.05, 0, 0.1), DemographicParityRatio: iv(0.8, 0.6, 1),
		EqualizedOddsDifference: iv(0.2, 0.1, 0.3), EqualOpportunityDifference: iv(0.2, 0.1, 0.3),
		ByGroup: []metrics.GroupRates{rates("female", 0.15, 0.8, 0.05), rates("male", 0.1, 0.6, 0.04)},
	}}
	return r
}

// reportFigureSteps is the length of the long training log of the
// figures' fixture: longer than maxCurvePoints, so its curves are thinned.
const reportFigureSteps = 450

// writeReportFigureSweep writes a sweep whose report has every figure:
// λ = 0 with seeds 0 and 1, λ = 3 with seed 0, each audit a
// reportFigureResult. λ = 0's logs have reportFigureSteps steps, every
// seventh with an empty adversary cell; λ = 3's has three.
func writeReportFigureSweep(t *testing.T, dir string) {
	t.Helper()
	for _, r := range []struct {
		dir string
		run fakeReportRun
	}{
		{"lambda-0/seed-0", fakeReportRun{lambda: 0, seed: 0, adv: "mine", logged: [3]float64{0.2, 0.3, 0.4}, res: reportFigureResult(0, reportFig{0.90, 0.86, 0.94}, reportFig{0.30, 0.25, 0.35})}},
		{"lambda-0/seed-1", fakeReportRun{lambda: 0, seed: 1, adv: "mine", logged: [3]float64{0.3, 0.4, 0.5}, res: reportFigureResult(1, reportFig{0.92, 0.88, 0.95}, reportFig{0.30, 0.25, 0.35})}},
		{"lambda-3/seed-0", fakeReportRun{lambda: 3, seed: 0, adv: "mine", logged: [3]float64{0, 0.1, 0.2}, res: reportFigureResult(0, reportFig{0.80, 0.75, 0.85}, reportFig{0.10, 0.05, 0.15})}},
	} {
		r.run.write(t, filepath.Join(dir, r.dir))
	}
	for seed := range 2 {
		var log strings.Builder
		log.WriteString("step,epoch,loss,local,global,prior,adv_writer,lambda_writer,seconds\n")
		for k := 1; k <= reportFigureSteps; k++ {
			adv := fmt.Sprint(0.5 + 0.5*math.Sin(float64(k+40*seed)/30))
			if k%7 == 0 {
				adv = ""
			}
			dim := 0.5 + float64(k)/1000 - 0.1*float64(seed)
			fmt.Fprintf(&log, "%d,1,%g,%g,,,%s,0,0.1\n", k, -dim, dim, adv)
		}
		if err := os.WriteFile(filepath.Join(dir, "lambda-0", fmt.Sprintf("seed-%d", seed), "log.csv"), []byte(log.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadTestReport loads and builds the report of paths.
func loadTestReport(t *testing.T, paths ...string) *Report {
	t.Helper()
	inputs, err := LoadReportInputs(paths)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := BuildReport(inputs, false, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestReportHTMLFigures checks which figures the report draws, with which
// ids, titles and captions, and which it leaves out with a note.
func TestReportHTMLFigures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	writeReportFigureSweep(t, dir)
	figs, notes := buildReportFigures(loadTestReport(t, dir))
	var ids []string
	for _, f := range figs {
		ids = append(ids, f.ID)
		if !bytes.HasPrefix(f.SVG, []byte("<?xml")) || !bytes.Contains(f.SVG, []byte("<svg")) {
			t.Errorf("figure %s is not an SVG document", f.ID)
		}
	}
	want := []string{"frontier-advantage", "frontier-mi", "fairness-lambda-0", "fairness-lambda-3", "training-lambda-0", "training-lambda-3", "roc-writer"}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("figures %q, want %q", ids, want)
	}
	if len(notes) != 0 {
		t.Errorf("notes %q, want none", notes)
	}
	caption := func(id string) string {
		for _, f := range figs {
			if f.ID == id {
				return f.Caption
			}
		}
		return ""
	}
	for id, wants := range map[string][]string{
		"frontier-advantage": {"the digit linear probe accuracy (utility, higher is better) against the mean writer linear attacker advantage", "Whiskers: the 95 % bootstrap interval"},
		// The MLP attacker's bound is preferred to the knn estimate,
		// which comes first among the columns.
		"frontier-mi":       {"against the I(Z;writer) barber-agakov (mlp attacker) [lower] (nats) (leakage, lower is better; bound type: a lower bound). H(writer) = 2.303 nats"},
		"fairness-lambda-0": {"from the audit of " + filepath.Join(dir, "lambda-0", "seed-0") + " (seed 0, the first of the setting's 2 audits)", "its worst class, 7 against the rest"},
		// λ = 0 logs 450 steps: every ⌈450/200⌉ = 3rd step.
		"training-lambda-0": {"one curve per seed and series (2 runs)", "the mine head's estimate of I(code; writer) (lower bound, nats)", "the final audit's fresh barber-agakov (mlp attacker) on writer (a lower bound)", "moving average over the last 20 logged steps, drawn every 3 steps"},
		"training-lambda-3": {"Setting λ = 3, per step of training: the DIM objective's estimate (view jsd;", "Every logged step is drawn, unsmoothed."},
		"roc-writer":        {"log axis from 0.0001", "FPR = 0.001"},
	} {
		for _, w := range wants {
			if !strings.Contains(caption(id), w) {
				t.Errorf("caption of %s lacks %q:\n%s", id, w, caption(id))
			}
		}
	}
	// The training figure names its curves by series and seed; the ROC
	// figure by setting.
	for id, texts := range map[string][]string{
		"training-lambda-0": {">DIM (view jsd) · seed 0</text>", ">mine on writer · seed 1</text>", ">fresh mlp attacker BA on writer · seed 0</text>"},
		"roc-writer":        {">λ = 0</text>", ">λ = 3</text>"},
		"frontier-mi":       {">λ = 0</text>", ">λ = 3</text>"},
	} {
		for _, f := range figs {
			for _, s := range texts {
				if f.ID == id && !bytes.Contains(f.SVG, []byte(s)) {
					t.Errorf("figure %s lacks %q", id, s)
				}
			}
		}
	}

	// The plain sweep fixture: no fairness entry, no re-identification.
	plain := filepath.Join(t.TempDir(), "plain")
	writeReportSweep(t, plain)
	figs, notes = buildReportFigures(loadTestReport(t, plain))
	ids = ids[:0]
	for _, f := range figs {
		ids = append(ids, f.ID)
	}
	if want := []string{"frontier-advantage", "frontier-mi", "training-lambda-0", "training-lambda-0.3", "training-lambda-3", "training-lambda-10"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("plain sweep: figures %q, want %q", ids, want)
	}
	if want := []string{
		"No fairness figures: the audits measured no fairness (audit with --group).",
		"No re-identification ROC for writer: no audit measured verification (it needs an attribute with at least --reid-min-values distinct values, some repeated).",
	}; !reflect.DeepEqual(notes, want) {
		t.Errorf("plain sweep: notes %q, want %q", notes, want)
	}
}

// TestReportHTMLThin pins the thinning of long training logs by hand.
func TestReportHTMLThin(t *testing.T) {
	const tol = 1e-12
	var xs, ys []float64
	for i := 1; i <= 401; i++ {
		xs = append(xs, float64(i))
		ys = append(ys, float64(i))
	}
	ys[28] = math.NaN() // step 29
	tx, ty, k := thin(xs, ys)
	// k = ⌈401/200⌉ = 3: indexes 2, 5, …, 398 (133 points) and the last,
	// 400.
	if k != 3 || len(tx) != 134 || tx[0] != 3 || tx[1] != 6 || tx[132] != 399 || tx[133] != 401 {
		t.Fatalf("thin: k %d, %d points, x %v … %v", k, len(tx), tx[:2], tx[len(tx)-2:])
	}
	for _, c := range []struct {
		i    int
		want float64
	}{
		{0, 2},          // (1 + 2 + 3)/3
		{9, 381.0 / 19}, // step 30: steps 11…30 without 29: (410 − 29)/19
		{133, 391.5},    // step 401: steps 382…401
	} {
		if math.Abs(ty[c.i]-c.want) > tol {
			t.Errorf("thin: y[%d] = %v, want %v", c.i, ty[c.i], c.want)
		}
	}
	// Short logs are drawn as they are.
	if tx, ty, k := thin(xs[:200], ys[:200]); k != 1 || len(tx) != 200 || !math.IsNaN(ty[28]) {
		t.Errorf("thin of 200 points: k %d, %d points", k, len(tx))
	}
}

// TestReportHTMLNames pins the figures' file names, labels and the
// recorded command line.
func TestReportHTMLNames(t *testing.T) {
	for in, want := range map[string]string{
		"λ = 0.3":                         "lambda-0.3",
		"adversary = club, λ = 1":         "adversary-club-lambda-1",
		"embeddings = /tmp/x/Z.npy":       "embeddings-tmp-x-z.npy",
		"../../etc/passwd":                "etc-passwd",
		"<>":                              "x",
		"writer_id":                       "writer_id",
		strings.Repeat("ab", 40) + "zzzz": strings.Repeat("ab", 30),
	} {
		if got := figureSlug(in); got != want {
			t.Errorf("figureSlug(%q) = %q, want %q", in, got, want)
		}
	}

	g := func(names ...string) []ReportGroup {
		var gs []ReportGroup
		for _, n := range names {
			gs = append(gs, ReportGroup{Name: n})
		}
		return gs
	}
	long := "adversary = club, critic_steps = 5, λ = 1"
	for i, c := range []struct {
		groups []ReportGroup
		labels []string
		legend string
	}{
		{g("λ = 0", "λ = 3"), []string{"λ = 0", "λ = 3"}, ""},
		// The first maxLabel − 1 = 27 characters and "…".
		{g("λ = 0", long), []string{"λ = 0", "adversary = club, critic_st…"}, " Labels: adversary = club, critic_st… is " + long + "."},
		{g(long, long+"0"), []string{"S1", "S2"}, " Labels: S1 is " + long + "; S2 is " + long + "0."},
	} {
		labels, legend := figureLabels(c.groups)
		if !reflect.DeepEqual(labels, c.labels) || legend != c.legend {
			t.Errorf("%d: figureLabels = %q, %q; want %q, %q", i, labels, legend, c.labels, c.legend)
		}
	}

	if got, want := shellLine([]string{"report", "sw", "--fail-if", "utility.digit.accuracy < 0.9", "it's", ""}),
		`miaudit report sw --fail-if 'utility.digit.accuracy < 0.9' 'it'\''s' ''`; got != want {
		t.Errorf("shellLine = %s, want %s", got, want)
	}
	if got := commandLineFrom(withCommandLine(context.Background(), []string{"report", "x"})); !slices.Equal(got, []string{"report", "x"}) {
		t.Errorf("commandLineFrom = %q", got)
	}
}

// TestReportHTML runs miaudit report --out r.html: the page with every
// figure inline, the figures also as files in r_plots/, the command line
// as given.
func TestReportHTML(t *testing.T) {
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep")
	writeReportFigureSweep(t, sweep)
	out := filepath.Join(dir, "r.html")
	stdout, errOut, code := run(t, "report", sweep, "--out", out, "--fail-if", "utility.digit.accuracy < 0.5")
	if code != ExitOK || stdout != "" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Fatalf("%s is not an HTML page: %.100s", out, page)
	}
	ids := []string{"frontier-advantage", "frontier-mi", "fairness-lambda-0", "fairness-lambda-3", "training-lambda-0", "training-lambda-3", "roc-writer"}
	for _, id := range ids {
		if !strings.Contains(page, ` id="fig-`+id+`">`) {
			t.Errorf("the page lacks figure %s", id)
		}
	}
	if got := strings.Count(page, "<svg"); got != len(ids) {
		t.Errorf("%d inline SVGs, want %d", got, len(ids))
	}
	files, err := os.ReadDir(filepath.Join(dir, "r_plots"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	var want []string
	for _, id := range ids {
		want = append(want, id+".svg")
	}
	slices.Sort(want)
	if !reflect.DeepEqual(names, want) {
		t.Errorf("r_plots holds %q, want %q", names, want)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "r_plots", "roc-writer.svg"))
	if !bytes.HasPrefix(svg, []byte("<?xml")) || !bytes.Contains(svg, []byte(">Re-identification ROC: writer</text>")) {
		t.Errorf("roc-writer.svg is not the ROC figure: %.200s", svg)
	}
	for _, w := range []string{
		"<code>miaudit report " + sweep + " --out " + out + " --fail-if &#39;utility.digit.accuracy &lt; 0.5&#39;</code>",
		`<span class="pass">Every rule passed.</span>`,
		"<title>miaudit report: table:planted.csv</title>",
		// λ = 0: accuracies .90 [.86, .94] and .92 [.88, .95]: .91 ±
		// .02/√2 = .014 [.87, .945].
		`<td class="num">0.910 ± 0.014 [0.870, 0.945]</td>`,
		`<td>#1</td><td>data</td><td class="hash">` + reportDataHash + `</td>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}

	// Again: the page and the plots exist.
	_, errOut, code = run(t, "report", sweep, "--out", out)
	if code != ExitUsage || !strings.Contains(errOut, "exists: refusing to overwrite it without --force") {
		t.Errorf("again: exit %d, stderr %q", code, errOut)
	}
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "r_plots", "frontier-mi.svg"))
	_, errOut, code = run(t, "report", sweep, "--out", out)
	if code != ExitUsage || !strings.Contains(errOut, "--plots: "+filepath.Join(dir, "r_plots", "frontier-advantage.svg")+" exists: refusing to overwrite it without --force") {
		t.Errorf("existing plots: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("existing plots: %s written", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "r_plots", "frontier-mi.svg"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code = run(t, "report", sweep, "--out", out, "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d, stderr %q", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "r_plots", "frontier-mi.svg")); !bytes.Equal(after, before) {
		t.Errorf("--force: frontier-mi.svg is not rewritten (%d bytes, want %d)", len(after), len(before))
	}
}

// TestReportHTMLPlotsFlag checks --plots: a missing folder is a usage
// error before any input is read; with another format it writes only the
// files; the html format on standard output writes none without it.
func TestReportHTMLPlotsFlag(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-input")
	_, _, err := reportWith(t, ReportOptions{Paths: []string{missing}, Plots: filepath.Join(dir, "no-such-folder")})
	if exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "--plots "+filepath.Join(dir, "no-such-folder")+": no such folder") {
		t.Errorf("missing --plots folder: %v, want a usage error (before reading %s)", err, missing)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reportWith(t, ReportOptions{Paths: []string{missing}, Plots: file}); exitCode(err) != ExitUsage || !strings.Contains(fmt.Sprint(err), "is not a folder") {
		t.Errorf("--plots a file: %v", err)
	}

	sweep := filepath.Join(dir, "sweep")
	writeReportSweep(t, sweep)
	plots := filepath.Join(dir, "plots")
	if err := os.Mkdir(plots, 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := reportWith(t, ReportOptions{Paths: []string{sweep}, Format: "markdown", Plots: plots})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "# miaudit comparison") {
		t.Errorf("markdown with --plots: %.80s", out)
	}
	// The figures left out are said on standard error.
	if !strings.Contains(errOut, "note: No fairness figures: the audits measured no fairness (audit with --group).\n") {
		t.Errorf("stderr %q lacks the note on fairness", errOut)
	}
	if files, _ := os.ReadDir(plots); len(files) != 6 {
		t.Errorf("--plots with markdown: %d files, want 6 (two frontiers, four training figures)", len(files))
	}

	// html on standard output: no files, none beside anything.
	before, _ := os.ReadDir(dir)
	out, _, err = reportWith(t, ReportOptions{Paths: []string{sweep}, Format: "html"})
	if err != nil || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Fatalf("html to stdout: %v, %.60s", err, out)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("html to stdout created files: %d entries, were %d", len(after), len(before))
	}
}

// TestReportHTMLMixed checks that --allow-mixed's warning heads the page
// and the library-built page records no command line.
func TestReportHTMLMixed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeJSONFile(t, good, reportResult(1, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3}))
	other := filepath.Join(dir, "run")
	fakeReportRun{hash: reportOtherHash, adv: "mine", res: reportResult(0, reportFig{0.9, 0.8, 1}, reportFig{0.2, 0.1, 0.3})}.write(t, other)
	out, _, err := reportWith(t, ReportOptions{Paths: []string{good, other}, Format: "html", AllowMixed: true})
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(out, `<div class="warning" id="warnings">`+"\n<p>WARNING (--allow-mixed): the inputs audit 2 different datasets")
	if i < 0 || i > strings.Index(out, `<section id="comparison">`) {
		t.Errorf("the mixed-datasets warning does not head the page")
	}
	if !strings.Contains(out, "<title>miaudit report: 2 datasets</title>") || !strings.Contains(out, "<dt>Command line</dt><dd><code>(not recorded)</code></dd>") {
		t.Errorf("title or command line of the mixed page")
	}
}
