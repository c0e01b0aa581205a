package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/adversary"
	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/infomax"
	"github.com/miaudit/miaudit/internal/atomicfile"
	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/minmax"
	"github.com/miaudit/miaudit/reports"
	"github.com/spf13/pflag"
)

// Files a run folder of adversarial training ends with.
const (
	auditJSON = "audit.json"
	auditText = "audit.txt"
)

// setting is one (λ, seed) of adversarial training.
type setting struct {
	Lambda float64
	Seed   uint64
	Dir    string
}

// settingResult is what a finished setting produced.
type settingResult struct {
	Audit *metrics.Result
	// Adversary holds, per protected attribute, the training adversary's
	// estimate averaged over the last steps of the run.
	Adversary []float64
}

// advFlags are the flags of adversarial training shared by train and sweep.
type advFlags struct {
	Protect     []string
	Weights     []string
	Adversary   string
	CriticSteps string
	Warmup      int
	Delay       string
	RawCodes    bool
	Clamp       string
	Targets     []string
	Groups      []string
	AuditRows   int
	Attackers   []string
	Estimators  []string
	CGrid       []float64
}

func (a *advFlags) add(f *pflag.FlagSet) {
	f.StringSliceVar(&a.Protect, "protect", nil, "protected attribute `COLS` the code should hide (adversarial training)")
	f.StringSliceVar(&a.Weights, "lambda-weight", nil, "`COL=W`: the head on protected attribute COL weighs W·λ instead of λ (several attributes, each with its own weight; default 1)")
	f.StringVar(&a.Adversary, "adversary", minmax.DefaultAdversary, "adversary head: "+strings.Join(minmax.Adversaries, ", "))
	f.StringVar(&a.CriticSteps, "critic-steps", "auto", fmt.Sprintf("adversary `STEPS` per encoder step (auto: %d for images, %d for tables)", minmax.ConvCriticSteps, minmax.TableCriticSteps))
	f.StringVar(&a.Delay, "delay", "auto", "`STEPS` trained with λ = 0 before it starts to rise (auto: 300 for images, 0 for tables)")
	f.IntVar(&a.Warmup, "warmup", minmax.DefaultWarmup, "steps over which λ then rises linearly to its value")
	f.BoolVar(&a.RawCodes, "raw-codes", false, "give the adversary heads the raw codes (default: standardised over the batch, as the audit's attackers see them)")
	f.StringVar(&a.Clamp, "clamp", "auto", "on: a head is silent on a step where its estimate on the batch is 0 or less; off: heard on every step (auto: on for images, off for tables)")
	f.StringSliceVar(&a.Targets, "target", nil, "task `COLS` the final audit checks the code keeps (default: digit, label or class)")
	f.StringSliceVar(&a.Groups, "group", nil, "fairness group `COLS` of the final audit (default: group, if present)")
	f.IntVar(&a.AuditRows, "audit-rows", 10000, "train rows (and half as many test rows) the final audit samples")
	f.Float64SliceVar(&a.CGrid, "audit-c-grid", []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100}, "inverse L2 strengths the final audit's probes try by cross-validation")
	f.StringSliceVar(&a.Attackers, "audit-attackers", metrics.DefaultAttackers, "fresh attackers of the final audit: "+strings.Join(metrics.AttackerNames, ", "))
	f.StringSliceVar(&a.Estimators, "audit-estimators", metrics.DefaultEstimators, "MI estimators of the final audit: "+strings.Join(metrics.EstimatorNames, ", ")+" (none: \"\")")
}

func (a *advFlags) validate() error {
	if _, err := a.weights(); err != nil {
		return err
	}
	if a.Adversary != "" && !slices.Contains(minmax.Adversaries, a.Adversary) {
		return usageErrorf("--adversary %q: want one of %s", a.Adversary, strings.Join(minmax.Adversaries, ", "))
	}
	if a.Clamp != "auto" && a.Clamp != "on" && a.Clamp != "off" {
		return usageErrorf("--clamp %q: want auto, on or off", a.Clamp)
	}
	if a.CriticSteps != "auto" {
		if n, err := strconv.Atoi(a.CriticSteps); err != nil || n < 1 {
			return usageErrorf("--critic-steps %q: want auto or a number of steps ≥ 1", a.CriticSteps)
		}
	}
	if a.Delay != "auto" {
		if n, err := strconv.Atoi(a.Delay); err != nil || n < 0 {
			return usageErrorf("--delay %q: want auto or a number of steps ≥ 0", a.Delay)
		}
	}
	if a.AuditRows < 100 {
		return usageErrorf("--audit-rows %d: want at least 100", a.AuditRows)
	}
	return nil
}

// weights returns --lambda-weight as a weight per --protect column: 1
// unless the flag names the column.
func (a *advFlags) weights() ([]float64, error) {
	w := make([]float64, len(a.Protect))
	for i := range w {
		w[i] = 1
	}
	seen := map[string]bool{}
	for _, kv := range a.Weights {
		col, v, ok := strings.Cut(kv, "=")
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, usageErrorf("--lambda-weight %q: want COL=W with W a number ≥ 0", kv)
		}
		i := slices.Index(a.Protect, col)
		if i < 0 {
			return nil, usageErrorf("--lambda-weight %q: %q is not a --protect column (%s)", kv, col, strings.Join(a.Protect, ", "))
		}
		if seen[col] {
			return nil, usageErrorf("--lambda-weight: %q weighed twice", col)
		}
		seen[col], w[i] = true, x
	}
	return w, nil
}

// protectNames lists the --protect columns, each with its --lambda-weight
// when it is not 1: "sex, foreign_worker ×0.5".
func (a *advFlags) protectNames() string {
	w, _ := a.weights()
	out := make([]string, len(a.Protect))
	for i, p := range a.Protect {
		out[i] = p
		if w != nil && w[i] != 1 {
			out[i] += fmt.Sprintf(" ×%g", w[i])
		}
	}
	return strings.Join(out, ", ")
}

// delayFor returns the steps of λ = 0 for an encoder of the given kind:
// --delay, or for auto minmax.ConvDelay for the conv encoder (images) and
// none for the MLP encoder (tables).
func (a *advFlags) delayFor(encoder string) int {
	if n, err := strconv.Atoi(a.Delay); err == nil {
		return n
	}
	if encoder == infomax.ConvEncoder {
		return minmax.ConvDelay
	}
	return 0
}

// criticStepsFor returns the head steps per encoder step for an encoder of
// the given kind: --critic-steps, or for auto minmax.ConvCriticSteps for
// the conv encoder (images) and minmax.TableCriticSteps for the MLP
// encoder (tables).
func (a *advFlags) criticStepsFor(encoder string) int {
	if n, err := strconv.Atoi(a.CriticSteps); err == nil {
		return n
	}
	if encoder == infomax.ConvEncoder {
		return minmax.ConvCriticSteps
	}
	return minmax.TableCriticSteps
}

// clampFor returns whether the heads are clamped (minmax.Config.Unclamped
// false) for an encoder of the given kind: --clamp auto clamps the conv
// encoder's heads only. On styled-writers MNIST clamping kept more digit
// and hid more writer (see minmax.Config.Unclamped); on German credit
// (GRL, 5 seeds) it left sex more recoverable — a fresh linear attacker's
// accuracy 0.680 against 0.660 at λ = 10, 0.735 against 0.683 at λ = 3 —
// and cost class accuracy (0.684 against 0.698 at λ = 3).
func (a *advFlags) clampFor(encoder string) bool {
	switch a.Clamp {
	case "on":
		return true
	case "off":
		return false
	}
	return encoder == infomax.ConvEncoder
}

// negativesFor returns cfg with --negatives-within auto resolved for a
// setting of weight lambda: the conv encoder (images) of a setting with
// λ > 0 draws DIM's negatives within the protected attributes. At λ = 0
// the run stays plain DIM, the unprotected reference the others are
// compared with. Explicit columns (config) and none are left as they are.
func (o *TrainOptions) negativesFor(cfg infomax.Config, lambda float64) infomax.Config {
	if lambda > 0 && o.autoGroups(cfg.Encoder) {
		cfg.NegColumns, cfg.NegGroup = slices.Clone(o.Adv.Protect), o.NegGroup
	}
	return cfg
}

// autoGroups reports whether --negatives-within auto groups the negatives
// of an encoder of the given kind (at λ > 0): a conv encoder (images)
// trained with --protect.
func (o *TrainOptions) autoGroups(encoder string) bool {
	return o.NegCol == "auto" && encoder == infomax.ConvEncoder && len(o.Adv.Protect) > 0
}

// parseLambdas parses a comma-separated list of non-negative λ.
func parseLambdas(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) {
			return nil, usageErrorf("--lambda %q: want non-negative numbers separated by commas", s)
		}
		if slices.Contains(out, v) {
			return nil, usageErrorf("--lambda %q: %g twice", s, v)
		}
		out = append(out, v)
	}
	return out, nil
}

// defaultTargets picks the audit's task when --target is not given.
func (a *advFlags) targets(d *dataset.Dataset) ([]string, error) {
	if len(a.Targets) > 0 {
		return a.Targets, nil
	}
	for _, c := range []string{"digit", "label", "class"} {
		if d.Attrs.Has(c) && !slices.Contains(a.Protect, c) {
			return []string{c}, nil
		}
	}
	return nil, usageErrorf("--target: name the task column the code should keep (columns: %s)", strings.Join(d.Attrs.Header, ", "))
}

func (a *advFlags) groups(d *dataset.Dataset) []string {
	if a.Groups != nil {
		return a.Groups
	}
	if d.Attrs.Has("group") && !slices.Contains(a.Protect, "group") {
		return []string{"group"}
	}
	return nil
}

// trainSetting trains (or resumes, or skips if done) the setting s and
// audits its codes with fresh attackers. The run folder ends with
// audit.json and audit.txt.
func trainSetting(ctx context.Context, ios *IOStreams, d *dataset.Dataset, cfg infomax.Config, a *advFlags, o *TrainOptions, s setting) (*settingResult, error) {
	cfg.Seed = s.Seed
	cfg = o.negativesFor(cfg, s.Lambda)
	hc := minmax.Config{Adversary: a.Adversary, CriticSteps: a.criticStepsFor(cfg.Encoder), Delay: a.delayFor(cfg.Encoder), Warmup: a.Warmup, RawCodes: a.RawCodes, Unclamped: !a.clampFor(cfg.Encoder), Seed: s.Seed}
	w, err := a.weights()
	if err != nil {
		return nil, err
	}
	for i, p := range a.Protect {
		hc.Protect = append(hc.Protect, minmax.Protect{Attr: p, Lambda: w[i] * s.Lambda})
	}
	info, err := infomax.ReadRunInfo(s.Dir)
	exists := err == nil
	if exists {
		if err := sameSettings(s.Dir, info, d, cfg, hc, o); err != nil {
			return nil, err
		}
	}
	if exists && info.Status == infomax.StatusDone {
		if res, err := readSetting(s.Dir, len(a.Protect)); err == nil {
			if !o.Quiet {
				fmt.Fprintf(ios.ErrOut, "%s: done already, skipped\n", s.Dir)
			}
			return res, nil
		}
	}
	var run *infomax.Run
	if exists {
		heads, err := minmax.HeadsFrom(info.Heads, d)
		if err != nil {
			return nil, err
		}
		if run, err = infomax.ResumeRun(s.Dir, d, 0, o.Every, heads); err != nil {
			for _, h := range heads {
				h.Close()
			}
			return nil, err
		}
	} else {
		heads, raw, err := minmax.NewHeads(hc, d, cfg.Code, cfg.Batch)
		if err != nil {
			if errors.Is(err, dataset.ErrNotFound) {
				return nil, &UsageError{Err: err}
			}
			return nil, err
		}
		run, err = infomax.NewRun(cfg, infomax.RunOptions{Dir: s.Dir, Data: d, Spec: o.Data.Spec, Epochs: o.Epochs, MaxRows: o.MaxRows,
			CheckpointEvery: o.Every, Version: version(), LabelColumns: o.Data.LabelColumns, DropMissing: o.Data.DropMissing, Derive: o.Data.Derive,
			Heads: heads, HeadsSpec: raw})
		if err != nil {
			for _, h := range heads {
				h.Close()
			}
			return nil, err
		}
	}
	defer run.Close()
	if !o.Quiet {
		fmt.Fprintf(ios.ErrOut, "λ = %g, seed %d: training %s from step %d of %d (adversary %s on %s)\n", s.Lambda, s.Seed, s.Dir,
			run.Trainer().Steps(), run.TotalSteps(), orDefault(a.Adversary, minmax.DefaultAdversary), a.protectNames())
	}
	bar := newTrainProgress(ios.ErrOut, run.TotalSteps(), run.Trainer().Steps(), o.Quiet)
	err = run.Train(ctx, bar.report)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil && run.Info().Status == infomax.StatusInterrupted {
			fmt.Fprintf(ios.ErrOut, "interrupted at step %d of %d; checkpoint saved. Run the same command again to resume.\n", run.Info().Step, run.TotalSteps())
			return nil, &interruptedError{}
		}
		return nil, err
	}
	adv, err := finalAdversary(s.Dir, a.Protect)
	if err != nil {
		return nil, err
	}
	res, err := auditRun0(ctx, ios, run.Trainer(), d, a, o, s)
	if err != nil {
		return nil, err
	}
	return &settingResult{Audit: res, Adversary: adv}, nil
}

// sameSettings returns an error if the existing run in dir was trained on
// other data or with other settings than those asked for (cfg, hc, --epochs
// and --max-rows), naming each setting that differs: resuming it, or
// skipping it as done, would pass its figures off as the asked ones.
func sameSettings(dir string, info infomax.RunInfo, d *dataset.Dataset, cfg infomax.Config, hc minmax.Config, o *TrainOptions) error {
	if info.Data.Hash != d.Hash {
		return fmt.Errorf("%s: the run was trained on other data (sha256 %.12s…, these data %.12s…); give another --out", dir, info.Data.Hash, d.Hash)
	}
	ran, err := minmax.RecordedConfig(info.Heads)
	if err != nil {
		return fmt.Errorf("%s: %s has no adversary heads (%v): it is not a run of --protect; give another --out", dir, infomax.RunFile, err)
	}
	asked, err := hc.WithDefaults()
	if err != nil {
		return err
	}
	diff := settingsDiff(info.Config, cfg)
	diff = append(diff, settingsDiff(ran, asked)...)
	type length struct {
		Epochs  int `json:"epochs"`
		MaxRows int `json:"max_rows"`
	}
	diff = append(diff, settingsDiff(length{info.Epochs, info.MaxRows}, length{o.Epochs, o.MaxRows})...)
	if len(diff) > 0 {
		return &UsageError{Err: fmt.Errorf("%s: the run there was trained with other settings: %s; give another --out, or the run's own settings", dir, strings.Join(diff, ", "))}
	}
	return nil
}

// settingsDiff compares two values field by field through their JSON
// forms: "name X (asked Y)" for each field whose value differs, X from
// ran and Y from asked, "none" for a field that one of them lacks.
func settingsDiff(ran, asked any) []string {
	fields := func(v any) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		if b, err := json.Marshal(v); err == nil {
			json.Unmarshal(b, &m)
		}
		return m
	}
	r, a := fields(ran), fields(asked)
	keys := slices.Collect(maps.Keys(r))
	for k := range a {
		if _, ok := r[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // map order would vary the message between runs
	show := func(m map[string]json.RawMessage, k string) string {
		if v, ok := m[k]; ok {
			return string(v)
		}
		return "none"
	}
	var out []string
	for _, k := range keys {
		if show(r, k) != show(a, k) {
			out = append(out, fmt.Sprintf("%s %s (asked %s)", k, show(r, k), show(a, k)))
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// auditRows picks the rows audited: at most n train rows and n/2 test
// rows, each a seeded random sample kept in dataset order.
func auditRows(d *dataset.Dataset, n int, seed uint64) []int {
	split, _ := d.Attrs.Column("split")
	var tr, te []int
	for i, v := range split {
		if v == "train" {
			tr = append(tr, i)
		} else {
			te = append(te, i)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x6175646974)) // "audit"
	sample := func(rows []int, k int) []int {
		if len(rows) <= k {
			return rows
		}
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		rows = rows[:k]
		slices.Sort(rows)
		return rows
	}
	out := append(sample(tr, n), sample(te, n/2)...)
	slices.Sort(out)
	return out
}

// auditRun0 encodes the audited rows with the trained encoder and audits
// them: the task targets, the protected attributes (fresh attackers and MI
// estimators, never the training adversary) and fairness across groups.
func auditRun0(ctx context.Context, ios *IOStreams, tr *infomax.Trainer, d *dataset.Dataset, a *advFlags, o *TrainOptions, s setting) (*metrics.Result, error) {
	targets, err := a.targets(d)
	if err != nil {
		return nil, err
	}
	sub, err := d.Subset(auditRows(d, a.AuditRows, s.Seed))
	if err != nil {
		return nil, err
	}
	enc, err := tr.Encoder(256)
	if err != nil {
		return nil, err
	}
	defer enc.Close()
	z := dataset.NewMatrix(sub.N, enc.Code())
	if err := enc.Encode(sub.X, sub.N, z.Data); err != nil {
		return nil, err
	}
	// The audit's own defaults, as `miaudit audit` sets them: 200 bootstrap
	// resamples for 95 % intervals (metrics.Config's zero Bootstrap means
	// none).
	cfg := metrics.Config{Targets: targets, Protected: a.Protect, Groups: a.groups(d), SplitColumn: "split", Seed: s.Seed, Version: version(),
		Attackers: a.Attackers, Estimators: a.Estimators, CGrid: a.CGrid, Bootstrap: 200, Level: 0.95}
	// The codes exist in memory only: no file hash. The attributes come
	// with the data, whose hash run.json records too.
	in := metrics.Input{Embeddings: fmt.Sprintf("%s codes of %d rows of %s", s.Dir, sub.N, o.Data.Spec), Labels: o.Data.Spec + " attributes",
		LabelsSHA256: d.Hash, Rows: z.Rows, Dim: z.Cols}
	prog := newProgress(ios.ErrOut, o.Quiet)
	res, err := metrics.Audit(ctx, cfg, z, sub.Attrs, in, prog)
	if err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(s.Dir, auditJSON), append(js, '\n')); err != nil {
		return nil, err
	}
	var txt bytes.Buffer
	if err := reports.Write(&txt, res, "table"); err != nil {
		return nil, err
	}
	return res, atomicfile.WriteFile(filepath.Join(s.Dir, auditText), txt.Bytes())
}

// readSetting reads a finished setting's audit and adversary estimates.
func readSetting(dir string, nProtect int) (*settingResult, error) {
	b, err := os.ReadFile(filepath.Join(dir, auditJSON))
	if err != nil {
		return nil, err
	}
	var res metrics.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, auditJSON), err)
	}
	info, err := infomax.ReadRunInfo(dir)
	if err != nil {
		return nil, err
	}
	var hs struct {
		Config minmax.Config `json:"config"`
	}
	if err := json.Unmarshal(info.Heads, &hs); err != nil {
		return nil, err
	}
	var attrs []string
	for _, p := range hs.Config.Protect {
		attrs = append(attrs, p.Attr)
	}
	adv, err := finalAdversary(dir, attrs)
	if err != nil {
		return nil, err
	}
	return &settingResult{Audit: &res, Adversary: adv}, nil
}

// finalWindow is the number of last training steps whose adversary
// estimates are averaged into the "final" estimate.
const finalWindow = 50

// finalAdversary averages each head's logged estimate over the last
// finalWindow steps of the run.
func finalAdversary(dir string, attrs []string) ([]float64, error) {
	f, err := os.Open(filepath.Join(dir, infomax.LogFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	out := make([]float64, len(attrs))
	for i, a := range attrs {
		j := slices.Index(recs[0], "adv_"+a)
		if j < 0 {
			return nil, fmt.Errorf("%s: no column adv_%s", f.Name(), a)
		}
		var sum float64
		var n int
		for _, r := range recs[max(1, len(recs)-finalWindow):] {
			if v, err := strconv.ParseFloat(r[j], 64); err == nil && !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		out[i] = sum / float64(max(n, 1))
		if n == 0 {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// writeComparison renders the settings' audits side by side (one group per
// λ, its seeds' audits together) to w and, as text and JSON, into dir.
func writeComparison(w io.Writer, dir string, a *advFlags, lambdas []float64, results map[float64][]*settingResult) error {
	adv := orDefault(a.Adversary, minmax.DefaultAdversary)
	var groups []reports.Group
	for _, l := range lambdas {
		g := reports.Group{Name: fmt.Sprintf("λ = %g", l), Params: map[string]string{"lambda": strconv.FormatFloat(l, 'g', -1, 64), "adversary": adv}}
		extras := make([]reports.Extra, len(a.Protect))
		for i, p := range a.Protect {
			extras[i].Name = fmt.Sprintf("training adversary (%s) on %s [%s] (nats)", adv, p, boundOf(adv))
		}
		for _, r := range results[l] {
			g.Results = append(g.Results, r.Audit)
			for i := range a.Protect {
				extras[i].Values = append(extras[i].Values, r.Adversary[i])
			}
		}
		g.Extra = extras
		groups = append(groups, g)
	}
	c, err := reports.Compare(groups)
	if err != nil {
		return err
	}
	for _, f := range []struct{ name, format string }{{"comparison.txt", "table"}, {"comparison.json", "json"}, {"comparison.md", "markdown"}, {"comparison.csv", "csv"}} {
		var b bytes.Buffer
		if err := reports.WriteComparison(&b, c, f.format); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(filepath.Join(dir, f.name), b.Bytes()); err != nil {
			return err
		}
	}
	return reports.WriteComparison(w, c, "table")
}

func boundOf(adv string) string {
	if adv == minmax.GRL || adv == minmax.MaxEnt {
		return "lower, batch H(S) − CE"
	}
	return adversary.BoundTypeOf(adv)
}
