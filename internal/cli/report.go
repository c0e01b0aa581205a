package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/miaudit/miaudit/reports"
	"github.com/miaudit/miaudit/reports/gate"
)

// ReportOptions are the parsed flags and arguments of `miaudit report`.
type ReportOptions struct {
	IO *IOStreams

	// Paths are the inputs: result files, run folders, sweep folders.
	Paths []string
	// Format is one of reportFormats; "" (no --format) means the one
	// --out's extension implies, else table.
	Format string
	// Out is the report's file, "" for standard output; Force allows
	// overwriting it.
	Out   string
	Force bool
	// AllowMixed allows inputs of different datasets.
	AllowMixed bool
	// FailIf are the --fail-if expressions, parsed into gates by validate.
	FailIf []string
	gates  []gate.Rule
	// Plots is the folder the figures' SVG files go to (--plots); "" means
	// none, or with the html format and --out FILE.html, FILE_plots.
	Plots string
	// CommandLine are the arguments miaudit was invoked with (without the
	// program's name), which the html report records; nil if unknown.
	CommandLine []string
}

// reportFormats are the formats of `miaudit report`, in the order the help
// lists them.
var reportFormats = []string{"table", "markdown", "latex", "csv", "json", "html"}

// reportFormatOf is the format --out's extension implies when --format is
// not given.
var reportFormatOf = map[string]string{
	".txt": "table", ".md": "markdown", ".markdown": "markdown", ".tex": "latex",
	".csv": "csv", ".json": "json", ".html": "html", ".htm": "html",
}

// ReportFormat names the layout of the json format's outer object.
const ReportFormat = "miaudit-report/1"

// NewCmdReport builds `miaudit report`. runF, if non-nil, replaces the work
// (flag tests capture the parsed options with it).
func NewCmdReport(ios *IOStreams, runF func(context.Context, *ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "report PATH... [--format FORMAT] [--out FILE]",
		Short: "Compare audits, training runs and sweeps in one table",
		Long: `Compare audits side by side: one row per setting (configuration), seeds
aggregated, in one table for review.

Each PATH is, by its content (names do not matter):

  an audit result   the JSON of miaudit audit --format json;
  a run folder      a finished run of miaudit train --protect (run.json,
                    log.csv, audit.json); a run's audit.json or run.json given
                    as a file stands for its folder;
  a collection      a folder whose subfolders, down to 3 levels, hold run
                    folders: a miaudit sweep folder (lambda-<λ>/seed-<s>), a
                    train --lambda 0,3 folder (lambda-<λ>).

Settings: audits whose configuration is equal but for the seed form one
setting. A run's configuration is every hyper-parameter in its run.json —
encoder (code, channels, lr, batch…), data, epochs, max_rows, and adversary
(adversary, protect, λ, critic_steps, warmup, delay…) — except its seeds. A
plain result's configuration is its input: the embeddings (and .npz key),
the labels and the split; audits of one input with different --seed values
are one setting. For both, the audit's attackers, MI estimators and
bootstrap (resamples, level) belong to the configuration. A row is named by
the parameters that differ between settings of its kind ("λ = 0.3",
"adversary = club, λ = 1"); rows come in order: plain results first, then
runs by λ (numerically), then by the other differing parameters.

Each cell is the mean ± sample standard deviation over the setting's seeds,
then in brackets a bootstrap confidence interval: a single audit's own, or
for several the mean of their lower and of their upper bounds — the typical
interval of one seed, not an interval for the mean. Columns: the task
probe's accuracy; per protected attribute the attackers' majority baseline,
each fresh attacker's accuracy, advantage and AUC, every MI estimate with
its estimator and bound type (H(S) in the notes), re-identification rank-1
with its chance rate; fairness gaps per group; a run's training adversary
at the end of training. * marks the Pareto-optimal settings (highest task
accuracy for the lowest attacker advantage).

Formats (--format, or from --out's extension: .txt .md .tex .csv .json
.html): table (default, for a terminal), markdown (a GitHub table), latex
(a booktabs table for \input; needs \usepackage{booktabs}), csv (long
form, one row per setting and figure), json (the comparison, the settings
and each audit's provenance: path, version, seed, input SHA-256s,
hyper-parameters), html (one self-contained page for review: the table,
SVG plots — the privacy–utility frontier against the attacker advantage
and against an MI estimate, fairness bars, training curves, ROC curves —,
each setting's audit, what each metric and interval means, and the
reproducibility block: versions, command line, seeds, input SHA-256s,
every hyper-parameter).

--plots DIR also writes each figure as an SVG file into DIR, which must
exist (frontier-advantage.svg, frontier-mi.svg, fairness-<setting>.svg,
training-<setting>.svg, roc-<attribute>.svg); with --format html and --out
FILE.html they go to FILE_plots/ by default. Existing files are refused
without --force.

Checks, before anything is written: every input must be finished and of
this miaudit's result schema; all must audit one dataset (runs: the data's
SHA-256 in run.json; results: the labels file's SHA-256, so runs and plain
results never match) — different datasets are refused unless --allow-mixed,
which warns and says so in the notes — and the same targets and protected
attributes. --out is written
atomically: an error leaves no partial file.

--fail-if 'PATH OP THRESHOLD' (repeatable; the paths of miaudit audit
--fail-if) is checked against every audit after the report is written; a
violation names the audit's path and the rule.

Exit codes: 0 done, 1 unreadable or invalid input, 2 usage (bad flags, a
path that is no input, mixed datasets, --out in a missing folder or
existing without --force, --plots missing or a plot file existing without
--force), 3 a --fail-if gate failed.`,
		Example: `  # a sweep, in the terminal
  miaudit report sweeps/writers

  # the same as a Markdown table, and as LaTeX for a paper
  miaudit report sweeps/writers --out writers.md
  miaudit report sweeps/writers --format latex --out writers.tex

  # two sweeps (adversaries mine and club) together
  miaudit report sweeps/writers-mine sweeps/writers-club --out cmp.md

  # a plain audit beside a sweep: a result names its data by its labels
  # file's hash, a run by its data's, so they never match: --allow-mixed
  miaudit report sweeps/writers baseline.json --allow-mixed

  # audits of one embedding file with three seeds: one row, mean ± sd
  miaudit report audit-seed1.json audit-seed2.json audit-seed3.json

  # machine-readable, with every audit's provenance
  miaudit report sweeps/writers --format json --out writers.json

  # one HTML page with plots (and the plots as SVG files in writers_plots/)
  miaudit report sweeps/writers --out writers.html

  # fail CI if any run's MLP attacker beats 0.2 advantage
  miaudit report sweeps/writers --fail-if 'leakage.writer.attackers.mlp.advantage > 0.2'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.CommandLine == nil {
				opts.CommandLine = commandLineFrom(cmd.Context())
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return reportRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "", "output `FORMAT`: "+strings.Join(reportFormats, ", ")+" (default: from --out's extension, else table)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the report to `FILE` (default: standard output)")
	f.BoolVar(&opts.Force, "force", false, "overwrite --out if it exists")
	f.BoolVar(&opts.AllowMixed, "allow-mixed", false, "compare audits of different datasets (warns, and says so in the notes)")
	f.StringVar(&opts.Plots, "plots", "", "also write each figure as an SVG file into the existing folder `DIR` (default with --format html --out FILE.html: FILE_plots beside it)")
	f.StringArrayVar(&opts.FailIf, "fail-if", nil, "policy gate on every audit: exit with code 3 if `EXPR` holds, e.g. 'utility.digit.accuracy < 0.9' (repeatable)")
	return cmd
}

// validate checks the flags and sets the format if --format was not given.
func (o *ReportOptions) validate() error {
	if o.Format == "" {
		o.Format = "table"
		if f, ok := reportFormatOf[strings.ToLower(filepath.Ext(o.Out))]; ok && o.Out != "" {
			o.Format = f
		}
	}
	if !slices.Contains(reportFormats, o.Format) {
		return usageErrorf("--format %q is not one of %s", o.Format, strings.Join(reportFormats, ", "))
	}
	var err error
	if o.gates, err = gate.ParseAll(o.FailIf); err != nil {
		return usageErrorf("--fail-if %w", err)
	}
	for _, p := range o.Paths {
		if o.Out != "" && sameFile(o.Out, p) {
			return usageErrorf("--out %s is the input %s: refusing to overwrite it", o.Out, p)
		}
	}
	return nil
}

func reportRun(_ context.Context, o *ReportOptions) error {
	if err := checkOut(o.Out, o.Force); err != nil {
		return err
	}
	plots, err := o.plotsDir()
	if err != nil {
		return err
	}
	inputs, err := LoadReportInputs(o.Paths)
	if err != nil {
		return err
	}
	rep, err := BuildReport(inputs, o.AllowMixed, o.IO.ErrOut)
	if err != nil {
		return err
	}
	// Gates are evaluated first, so that a path no audit has stops the
	// command before it writes; violations are reported after the report
	// is written.
	failed, err := checkReportGates(inputs, o.gates)
	if err != nil {
		return err
	}
	page := reportFigurePage(o, rep, plots)
	if err := checkPlotFiles(plots, page.Figures, o.Force); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeReport(&buf, rep, o.Format, page); err != nil {
		return err
	}
	if o.Format != "html" {
		writeFigureNotes(o.IO.ErrOut, page.FigureNotes)
	}
	if err := writePlotFiles(plots, page.Figures); err != nil {
		return err
	}
	if err := writeOutput(o.IO.Out, o.Out, buf.Bytes()); err != nil {
		return err
	}
	if len(failed) > 0 {
		for _, msg := range failed {
			fmt.Fprintf(o.IO.ErrOut, "gate failed: %s\n", msg)
		}
		return &GateError{Failed: failed}
	}
	return nil
}

// writeReport renders rep in format: the comparison's own formats, json
// with the settings and the provenance added, html with page's figures
// and gates.
func writeReport(w *bytes.Buffer, rep *Report, format string, page *reportPage) error {
	switch format {
	case "table", "markdown", "latex", "csv":
		return reports.WriteComparison(w, rep.Comparison, format)
	case "json":
		return writeReportJSON(w, rep)
	case "html":
		return writeReportHTML(w, rep, page)
	}
	return usageErrorf("--format %q is not one of %s", format, strings.Join(reportFormats, ", "))
}

// writeReportJSON writes the json format:
//
//	{
//	  "format": "miaudit-report/1",
//	  "comparison": the comparison (reports.WriteComparison's json),
//	  "settings": [{"name", "kind", "params": {key: value},
//	                "varying": [keys], "inputs": [paths]}],
//	  "provenance": [Provenance of each input, in the order read]
//	}
func writeReportJSON(w *bytes.Buffer, rep *Report) error {
	var cmp bytes.Buffer
	if err := reports.WriteComparison(&cmp, rep.Comparison, "json"); err != nil {
		return err
	}
	type setting struct {
		Name    string            `json:"name"`
		Kind    string            `json:"kind"`
		Params  map[string]string `json:"params"`
		Varying []string          `json:"varying"`
		Inputs  []string          `json:"inputs"`
	}
	out := struct {
		Format     string          `json:"format"`
		Comparison json.RawMessage `json:"comparison"`
		Settings   []setting       `json:"settings"`
		Provenance []Provenance    `json:"provenance"`
	}{Format: ReportFormat, Comparison: cmp.Bytes(), Settings: []setting{}, Provenance: []Provenance{}}
	for _, g := range rep.Groups {
		s := setting{Name: g.Name, Kind: g.Kind, Params: g.Params, Varying: append([]string{}, g.Varying...), Inputs: []string{}}
		for _, in := range g.Inputs {
			s.Inputs = append(s.Inputs, in.Path)
		}
		out.Settings = append(out.Settings, s)
	}
	for _, in := range rep.Inputs {
		out.Provenance = append(out.Provenance, in.Provenance)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// checkReportGates evaluates the --fail-if rules on every input's audit
// and returns the violations, each as "PATH: message". A rule's path that
// an audit lacks is a usage error naming the audit.
func checkReportGates(inputs []*ReportInput, rules []gate.Rule) ([]string, error) {
	var failed []string
	if len(rules) == 0 {
		return nil, nil
	}
	for _, in := range inputs {
		vs, err := gate.Check(in.Result, rules)
		if err != nil {
			return nil, usageErrorf("--fail-if on %s: %w", in.Path, err)
		}
		for _, v := range vs {
			failed = append(failed, in.Path+": "+v.Message)
		}
	}
	return failed, nil
}
