package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/miaudit/miaudit/infomax"
	"github.com/miaudit/miaudit/metrics"
	"github.com/miaudit/miaudit/minmax"
	"github.com/miaudit/miaudit/reports"
)

// Kinds of report input (Provenance.Kind).
const (
	// InputResult is an audit result file: the JSON of miaudit audit
	// --format json.
	InputResult = "result"
	// InputRun is a finished run folder of adversarial training (miaudit
	// train --protect, or one run of a sweep): run.json, log.csv and the
	// run's final audit, audit.json.
	InputRun = "run"
)

// collectionDepth is how many levels of subfolders below a collection
// folder are searched for run folders: a sweep's runs are two levels down
// (lambda-<λ>/seed-<s>), a train --lambda list's one.
const collectionDepth = 3

// Provenance is where one audit of a report comes from: what makes it
// reproducible, for a report's reproducibility notes.
type Provenance struct {
	// Path is the result file or the run folder. It is the command-line
	// argument itself, or for a run found inside a collection folder the
	// argument joined with the run's place in it.
	Path string `json:"path"`
	// From is the command-line argument Path was found under (a sweep
	// folder), or Path itself.
	From string `json:"from"`
	// Kind is InputResult or InputRun.
	Kind string `json:"kind"`
	// Group is the name of the report's setting the audit belongs to (see
	// GroupReportInputs); empty until the inputs are grouped.
	Group string `json:"group"`
	// Version is the miaudit version that wrote the audit
	// (metrics.Result.Version); RunVersion, for a run, the one that
	// trained it (run.json's "version"), empty for a result.
	Version    string `json:"version"`
	RunVersion string `json:"run_version"`
	// Seed is the audit's seed (metrics.Result.Seed); for a run, that is
	// its training seed, which its final audit also uses.
	Seed uint64 `json:"seed"`
	// Dataset names the data for people: a run's data spec (run.json
	// data.name), a result's labels (metrics.Input.Labels).
	Dataset string `json:"dataset"`
	// DatasetID identifies the data for the check that one report does not
	// mix datasets: "sha256:" and the SHA-256 of a run's data (run.json
	// data.sha256, equal for every run of a sweep) or of a result's labels
	// file (metrics.Input.LabelsSHA256); for a result without a labels
	// hash (the built-in example), "labels:" and its labels' description.
	DatasetID string `json:"dataset_id"`
	// SHA256 are the input hashes recorded with the audit, by what they
	// hash: "embeddings" and "labels" (metrics.Input) and, for a run,
	// "data" (run.json data.sha256). Empty hashes are left out.
	SHA256 map[string]string `json:"sha256"`
	// Params are the hyper-parameters, flat, every value as text (see
	// ParamKeys for their sorted keys). For a run: the encoder's config
	// (run.json "config": encoder, input, code, channels, local_layer,
	// hidden, embed, dim_estimator — its "estimator" —, alpha, beta,
	// gamma, corrupt, batch, lr, clip, seed), the run's data, epochs and
	// max_rows, and its heads' config (adversary, protect, lambda,
	// critic_steps, delay, warmup, and any other field of run.json
	// heads.config as adversary_<field>, e.g. adversary_seed). Lists are
	// joined by commas; "lambda" is the one λ of every protected
	// attribute, or attr:λ pairs joined by commas if they differ. For a
	// result: embeddings (with #key for an .npz array), labels, split, and
	// split_column or test_fraction. For both, what the audit measured
	// with (see auditParams): audit_attackers, audit_estimators and
	// audit_bootstrap.
	Params map[string]string `json:"params"`
	// Adversary are a run's training-adversary estimates at the end of
	// training, one per protected attribute; nil for a result.
	Adversary []AdversaryEstimate `json:"training_adversary"`
}

// ParamKeys returns the keys of p.Params, sorted.
func (p *Provenance) ParamKeys() []string { return slices.Sorted(maps.Keys(p.Params)) }

// AdversaryEstimate is a run's training adversary's final estimate of what
// the codes reveal of one protected attribute.
type AdversaryEstimate struct {
	// Attribute is the protected attribute; Adversary the head (mine,
	// nwj, infonce, club, grl, maxent) and Bound its bound type.
	Attribute string
	Adversary string
	Bound     string
	// Nats is the mean of the head's last 50 logged estimates (log.csv
	// column adv_<attribute>), NaN if none is a number.
	Nats float64
}

// MarshalJSON implements json.Marshaler: {"attribute", "adversary",
// "bound", "nats"}, an undefined estimate as null.
func (a AdversaryEstimate) MarshalJSON() ([]byte, error) {
	var nats *float64
	if !math.IsNaN(a.Nats) && !math.IsInf(a.Nats, 0) {
		nats = &a.Nats
	}
	return json.Marshal(struct {
		Attribute string   `json:"attribute"`
		Adversary string   `json:"adversary"`
		Bound     string   `json:"bound"`
		Nats      *float64 `json:"nats"`
	}{a.Attribute, a.Adversary, a.Bound, nats})
}

// ReportInput is one audit of a report with its provenance.
type ReportInput struct {
	Provenance
	Result *metrics.Result
}

// reportInputKinds is what a report input may be, for error messages.
const reportInputKinds = "expected an audit result file (miaudit audit --format json), a run folder (miaudit train --protect) or a folder of run folders (miaudit sweep, or train --lambda with a list)"

// LoadReportInputs reads the audits named by paths, in order: each path is
// an audit result file, a run folder (a folder with run.json; its
// audit.json is read, not given alone: an audit.json or run.json given as a
// file stands for its run folder), or a collection: a folder whose
// subfolders, down to three levels, hold run folders (a sweep, a train
// --lambda list), whose runs are read in the order of their paths. What a
// path is follows from its content, never from its name.
//
// Errors name the path: a path that is none of these or missing (a
// *UsageError), a run that is not finished (status other than done, or no
// audit.json), a file that is not JSON (with the byte offset) or not a
// result (no "schema"), a result of another schema version, an input given
// twice.
func LoadReportInputs(paths []string) ([]*ReportInput, error) {
	var out []*ReportInput
	seen := make(map[string]string) // absolute path → the argument it came from
	for _, arg := range paths {
		ins, err := loadReportPath(arg)
		if err != nil {
			return nil, err
		}
		for _, in := range ins {
			abs, err := filepath.Abs(in.Path)
			if err != nil {
				return nil, err
			}
			if prev, dup := seen[abs]; dup {
				return nil, usageErrorf("%s is given twice (under %s and under %s): each audit may count once", in.Path, prev, arg)
			}
			seen[abs] = arg
			out = append(out, in)
		}
	}
	return out, nil
}

// loadReportPath reads the audits of one command-line argument.
func loadReportPath(arg string) ([]*ReportInput, error) {
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErrorf("%s: no such file or folder; %s", arg, reportInputKinds)
		}
		return nil, err
	}
	if !st.IsDir() {
		// A run's own audit.json or run.json stands for its run, so that
		// the run's provenance comes with it.
		dir := filepath.Dir(arg)
		if isRunDir(dir) && (sameFile(arg, filepath.Join(dir, auditJSON)) || sameFile(arg, filepath.Join(dir, infomax.RunFile))) {
			in, err := loadRunInput(dir, arg)
			if err != nil {
				return nil, err
			}
			return []*ReportInput{in}, nil
		}
		in, err := loadResultInput(arg)
		if err != nil {
			return nil, err
		}
		return []*ReportInput{in}, nil
	}
	if isRunDir(arg) {
		in, err := loadRunInput(arg, arg)
		if err != nil {
			return nil, err
		}
		return []*ReportInput{in}, nil
	}
	dirs, err := findRunDirs(arg, collectionDepth)
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, usageErrorf("%s: a folder without run.json and without run folders (with run.json) in its subfolders down to %d levels; %s", arg, collectionDepth, reportInputKinds)
	}
	var out []*ReportInput
	for _, d := range dirs {
		in, err := loadRunInput(d, arg)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

// isRunDir reports whether dir holds a run.json file.
func isRunDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, infomax.RunFile))
	return err == nil && st.Mode().IsRegular()
}

// findRunDirs returns the run folders among dir's subfolders, down to
// depth levels, in the order of their paths; it does not look inside run
// folders.
func findRunDirs(dir string, depth int) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents { // sorted by name
		sub := filepath.Join(dir, e.Name())
		if st, err := os.Stat(sub); err != nil || !st.IsDir() {
			continue
		}
		if isRunDir(sub) {
			out = append(out, sub)
			continue
		}
		if depth > 1 {
			more, err := findRunDirs(sub, depth-1)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	return out, nil
}

// loadResultInput reads an audit result file.
func loadResultInput(path string) (*ReportInput, error) {
	res, err := readResultFile(path)
	if err != nil {
		return nil, err
	}
	in := res.Input
	p := Provenance{
		Path: path, From: path, Kind: InputResult, Version: res.Version, Seed: res.Seed,
		Dataset: in.Labels, SHA256: map[string]string{},
		Params: map[string]string{"embeddings": in.Embeddings, "labels": in.Labels, "split": res.Split.Method},
	}
	if in.Key != "" {
		p.Params["embeddings"] += "#" + in.Key
	}
	if res.Split.Column != "" {
		p.Params["split_column"] = res.Split.Column
	}
	if res.Split.TestFraction != 0 {
		p.Params["test_fraction"] = strconv.FormatFloat(res.Split.TestFraction, 'g', -1, 64)
	}
	auditParams(p.Params, res)
	putHash(p.SHA256, "embeddings", in.SHA256)
	putHash(p.SHA256, "labels", in.LabelsSHA256)
	if in.LabelsSHA256 != "" {
		p.DatasetID = "sha256:" + in.LabelsSHA256
	} else {
		p.DatasetID = "labels:" + in.Labels
	}
	return &ReportInput{Provenance: p, Result: res}, nil
}

func putHash(m map[string]string, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// readResultFile reads and checks an audit result: JSON, a "schema" field,
// this miaudit's schema version.
func readResultFile(path string) (*metrics.Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch t := bytes.TrimSpace(b); {
	case len(t) == 0:
		return nil, fmt.Errorf("%s is empty; %s", path, reportInputKinds)
	case !strings.ContainsRune(`{["-0123456789tfn`, rune(t[0])):
		return nil, fmt.Errorf("%s: not JSON (it starts with %q); %s", path, firstLine(t), reportInputKinds)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: not a miaudit audit result: its JSON is %s, not an object with a \"schema\" field", path, jsonValueKind(b))
		}
		return nil, jsonFileError(path, b, err)
	}
	raw, ok := fields["schema"]
	if !ok {
		hint := "expected the output of miaudit audit --format json"
		if _, cols := fields["columns"]; cols {
			if _, rows := fields["rows"]; rows {
				hint = "it looks like a comparison (comparison.json); pass the sweep folder it belongs to instead"
			}
		}
		return nil, fmt.Errorf("%s: not a miaudit audit result: it has no \"schema\" field; %s", path, hint)
	}
	var schema int
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, fmt.Errorf("%s: not a miaudit audit result: its \"schema\" is %s, not a version number", path, raw)
	}
	switch {
	case schema > metrics.SchemaVersion:
		return nil, fmt.Errorf("%s: result schema %d; this miaudit reads schema %d — produced by a newer miaudit? Report it with that version", path, schema, metrics.SchemaVersion)
	case schema < metrics.SchemaVersion:
		return nil, fmt.Errorf("%s: result schema %d; this miaudit reads schema %d — produced by an older miaudit? Run the audit again with this one", path, schema, metrics.SchemaVersion)
	}
	var res metrics.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, jsonFileError(path, b, err)
	}
	return &res, nil
}

// firstLine is the first line of b, cut at 40 bytes.
func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if len(line) > 40 {
		line = append(line[:40:40], "…"...)
	}
	return string(line)
}

// jsonValueKind names the kind of JSON value b holds ("an array", "a string"…).
func jsonValueKind(b []byte) string {
	switch t := bytes.TrimSpace(b); {
	case len(t) == 0:
		return "empty"
	case t[0] == '[':
		return "an array"
	case t[0] == '"':
		return "a string"
	case t[0] == 'n':
		return "null"
	case t[0] == 't', t[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

// jsonFileError describes a JSON decoding error of the file path, whose
// content is b, with the byte offset where it happened.
func jsonFileError(path string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(b)):
		return fmt.Errorf("%s: truncated JSON: the file ends at byte %d inside a value (%v)", path, len(b), err)
	case errors.As(err, &se):
		return fmt.Errorf("%s: invalid JSON at byte %d: %v", path, se.Offset, err)
	case errors.As(err, &te):
		return fmt.Errorf("%s: invalid value at byte %d: field %s: %v", path, te.Offset, te.Field, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// loadRunInput reads the finished run folder dir, found under the
// command-line argument from.
func loadRunInput(dir, from string) (*ReportInput, error) {
	runFile := filepath.Join(dir, infomax.RunFile)
	b, err := os.ReadFile(runFile)
	if err != nil {
		return nil, err
	}
	var info infomax.RunInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, jsonFileError(runFile, b, err)
	}
	if info.Format != infomax.RunFormat {
		return nil, fmt.Errorf("%s: format %q, want %q: not a miaudit run", runFile, info.Format, infomax.RunFormat)
	}
	again := "run the miaudit sweep (or train) command that started it again to finish it"
	switch {
	case info.Status == infomax.StatusDiverged:
		return nil, fmt.Errorf("%s: the run diverged (%s) and has no final audit; leave it out, or train it again with other settings", dir, info.Error)
	case info.Status == infomax.StatusInitial:
		return nil, fmt.Errorf("%s: an untrained encoder (train --init-only) has no audit: audit its codes with miaudit embed and miaudit audit, and report the result file", dir)
	case len(info.Heads) == 0:
		return nil, fmt.Errorf("%s: a run without adversary heads (trained without --protect) has no final audit: audit its codes with miaudit embed and miaudit audit, and report the result file", dir)
	case info.Status != infomax.StatusDone:
		return nil, fmt.Errorf("%s: the run is not finished (status %q, step %d); %s", dir, info.Status, info.Step, again)
	}
	auditFile := filepath.Join(dir, auditJSON)
	if _, err := os.Stat(auditFile); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: the run is trained but has no %s: its final audit did not finish; %s", dir, auditJSON, again)
	}
	res, err := readResultFile(auditFile)
	if err != nil {
		return nil, err
	}

	var heads struct {
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(info.Heads, &heads); err != nil {
		return nil, fmt.Errorf("%s: heads: %w", runFile, err)
	}
	var hc minmax.Config
	if err := json.Unmarshal(heads.Config, &hc); err != nil {
		return nil, fmt.Errorf("%s: heads config: %w", runFile, err)
	}
	params, err := runParams(info, heads.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", runFile, err)
	}
	auditParams(params, res)
	adv := orDefault(hc.Adversary, minmax.DefaultAdversary)
	var attrs []string
	for _, p := range hc.Protect {
		attrs = append(attrs, p.Attr)
	}
	if err := checkLog(dir); err != nil {
		return nil, err
	}
	nats, err := finalAdversary(dir, attrs)
	if err != nil {
		return nil, fmt.Errorf("the training adversary's final estimate: %w", err)
	}
	p := Provenance{
		Path: dir, From: from, Kind: InputRun, Version: res.Version, RunVersion: info.Version, Seed: info.Config.Seed,
		Dataset: info.Data.Name, DatasetID: "sha256:" + info.Data.Hash, SHA256: map[string]string{}, Params: params,
	}
	if info.Data.Hash == "" {
		p.DatasetID = "data:" + info.Data.Name
	}
	putHash(p.SHA256, "embeddings", res.Input.SHA256)
	putHash(p.SHA256, "labels", res.Input.LabelsSHA256)
	putHash(p.SHA256, "data", info.Data.Hash)
	for i, a := range attrs {
		p.Adversary = append(p.Adversary, AdversaryEstimate{Attribute: a, Adversary: adv, Bound: boundOf(adv), Nats: nats[i]})
	}
	return &ReportInput{Provenance: p, Result: res}, nil
}

// checkLog returns an error if dir's log.csv has no header line (the
// training adversary's estimates are read from it).
func checkLog(dir string) error {
	path := filepath.Join(dir, infomax.LogFile)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := csv.NewReader(f).Read(); err != nil {
		if err == io.EOF {
			return fmt.Errorf("%s is empty: the run's training log is missing", path)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// auditParams adds to params what res's audit measured with, as far as the
// result says: "audit_attackers", its attackers' probes (sorted, joined by
// commas); "audit_estimators", its MI estimators (sorted, joined by "; ");
// "audit_bootstrap", its resamples and confidence level ("200 at 0.95", or
// "none"). Audits that differ in these are different settings: their
// figures and intervals do not average.
func auditParams(params map[string]string, res *metrics.Result) {
	var attackers, estimators []string
	for _, l := range res.Leakage {
		for _, a := range l.Attackers {
			if !slices.Contains(attackers, a.Probe) {
				attackers = append(attackers, a.Probe)
			}
		}
		for _, m := range l.MI {
			if !slices.Contains(estimators, m.Estimator) {
				estimators = append(estimators, m.Estimator)
			}
		}
	}
	slices.Sort(attackers)
	slices.Sort(estimators)
	params["audit_attackers"] = strings.Join(attackers, ",")
	params["audit_estimators"] = strings.Join(estimators, "; ")
	params["audit_bootstrap"] = "none"
	if b := res.Bootstrap; b.Resamples > 0 {
		params["audit_bootstrap"] = fmt.Sprintf("%d at %s", b.Resamples, strconv.FormatFloat(b.Level, 'g', -1, 64))
	}
}

// runParams flattens a run's hyper-parameters (see Provenance.Params).
func runParams(info infomax.RunInfo, headsConfig json.RawMessage) (map[string]string, error) {
	params := map[string]string{"data": info.Data.Name, "epochs": strconv.Itoa(info.Epochs)}
	if info.MaxRows > 0 {
		params["max_rows"] = strconv.Itoa(info.MaxRows)
	}
	enc, err := json.Marshal(info.Config)
	if err != nil {
		return nil, err
	}
	var cfg map[string]any
	if err := decodeNumbers(enc, &cfg); err != nil {
		return nil, err
	}
	for k, v := range cfg {
		if k == "estimator" {
			k = "dim_estimator" // the DIM objective's, not an audit's
		}
		flattenParam(params, k, v)
	}
	var hc map[string]any
	if err := decodeNumbers(headsConfig, &hc); err != nil {
		return nil, fmt.Errorf("heads config: %w", err)
	}
	for k, v := range hc {
		switch k {
		case "protect":
			protectParams(params, v)
		case "adversary", "critic_steps", "delay", "warmup":
			flattenParam(params, k, v)
		default:
			flattenParam(params, "adversary_"+k, v)
		}
	}
	if params["adversary"] == "" {
		params["adversary"] = minmax.DefaultAdversary
	}
	return params, nil
}

// protectParams sets "protect" (the attributes) and "lambda" from a heads
// config's protect list.
func protectParams(params map[string]string, v any) {
	list, _ := v.([]any)
	var attrs, lambdas, pairs []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		a, l := fmt.Sprint(m["attr"]), paramText(m["lambda"])
		attrs = append(attrs, a)
		pairs = append(pairs, a+":"+l)
		if !slices.Contains(lambdas, l) {
			lambdas = append(lambdas, l)
		}
	}
	params["protect"] = strings.Join(attrs, ",")
	if len(lambdas) == 1 {
		params["lambda"] = lambdas[0]
	} else {
		params["lambda"] = strings.Join(pairs, ",")
	}
}

// decodeNumbers decodes JSON keeping numbers as json.Number, so that they
// print as written.
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// flattenParam puts v under key, an object's members under key.member; null is
// left out.
func flattenParam(params map[string]string, key string, v any) {
	switch v := v.(type) {
	case nil:
	case map[string]any:
		for k, x := range v {
			flattenParam(params, key+"."+k, x)
		}
	default:
		params[key] = paramText(v)
	}
}

// paramText is a JSON value as a param's text: numbers as written, lists
// joined by commas.
func paramText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = paramText(x)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

// isSeedParam reports whether a param is a seed, which settings do not
// include: runs and audits that differ only in their seeds are one
// setting's repetitions.
func isSeedParam(key string) bool { return key == "seed" || strings.HasSuffix(key, "_seed") }

// ReportGroup is one setting of a report: the audits of one configuration,
// which differ at most in their seeds.
type ReportGroup struct {
	// Name labels the setting's row: the params that vary between the
	// report's settings ("λ = 0.3", "adversary = club, λ = 1").
	Name string
	// Kind is the kind of its inputs, InputResult or InputRun.
	Kind string
	// Params is the configuration: every param of its inputs but the
	// seeds, equal in all of them.
	Params map[string]string
	// Varying are the keys of Params that vary between the report's
	// settings of its kind, sorted: the keys its Name shows.
	Varying []string
	// Inputs are its audits, by seed, then path.
	Inputs []*ReportInput
}

// GroupReportInputs groups inputs by configuration and names the groups.
//
// Inputs of one kind whose params (see Provenance.Params) are equal but
// for their seeds (the params "seed" and "*_seed") form one group: a
// setting whose seeds the comparison aggregates. So plain audit results
// group by their input — embeddings (and .npz key), labels and split —,
// audits of one input with different seeds together, and runs by every
// hyper-parameter of encoder, data, training and adversary; both also by
// what their audits measured with (attackers, MI estimators, bootstrap).
//
// A group's name lists, as "key = value" in the order of the keys (λ for
// lambda), the params in which the groups of its kind differ — a param
// missing from a group counts as a value, but is not listed —; with
// none ("adversary = club, λ = 1"), a run group is named by its λ
// ("λ = 3") and a result group by its embeddings. Names that would still
// coincide get their first input's path appended.
//
// Groups come in a fixed order: result groups, then run groups; within a
// kind, by λ (numerically), then by the other varying params in the order
// of their keys (numerically where both values are numbers), then by name.
// Each group's inputs are ordered by seed, then path. GroupReportInputs
// sets each input's Provenance.Group.
func GroupReportInputs(inputs []*ReportInput) []ReportGroup {
	var groups []ReportGroup
	index := make(map[string]int)
	for _, in := range inputs {
		cfg := make(map[string]string)
		for k, v := range in.Params {
			if !isSeedParam(k) {
				cfg[k] = v
			}
		}
		key := configKey(in.Kind, cfg)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, ReportGroup{Kind: in.Kind, Params: cfg})
		}
		groups[i].Inputs = append(groups[i].Inputs, in)
	}

	// The params that vary between the groups of each kind.
	varying := make(map[string][]string)
	for _, kind := range []string{InputResult, InputRun} {
		var keys []string
		var first map[string]string
		n := 0
		for _, g := range groups {
			if g.Kind != kind {
				continue
			}
			n++
			if first == nil {
				first = g.Params
			}
			for k := range g.Params {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, g := range groups {
				v, ok := g.Params[k]
				f, fok := first[k]
				if g.Kind == kind && (v != f || ok != fok) {
					varying[kind] = append(varying[kind], k)
					break
				}
			}
		}
	}

	names := make(map[string]int)
	for i := range groups {
		g := &groups[i]
		var parts []string
		for _, k := range varying[g.Kind] {
			if v, ok := g.Params[k]; ok {
				g.Varying = append(g.Varying, k)
				parts = append(parts, paramLabel(k)+" = "+v)
			}
		}
		switch {
		case len(parts) > 0:
		case g.Kind == InputRun && g.Params["lambda"] != "":
			parts = []string{paramLabel("lambda") + " = " + g.Params["lambda"]}
		case g.Kind == InputResult:
			parts = []string{"embeddings = " + g.Params["embeddings"]}
		default:
			parts = []string{"run " + g.Inputs[0].Path}
		}
		g.Name = strings.Join(parts, ", ")
		names[g.Name]++
		slices.SortStableFunc(g.Inputs, func(a, b *ReportInput) int {
			if c := cmpSeed(a.Seed, b.Seed); c != 0 {
				return c
			}
			return strings.Compare(a.Path, b.Path)
		})
	}
	for i := range groups {
		if g := &groups[i]; names[g.Name] > 1 {
			g.Name += " (" + g.Inputs[0].Path + ")"
		}
	}

	slices.SortStableFunc(groups, func(a, b ReportGroup) int {
		if a.Kind != b.Kind {
			if a.Kind == InputResult {
				return -1
			}
			return 1
		}
		keys := append([]string{"lambda"}, varying[a.Kind]...)
		for _, k := range keys {
			if c := cmpParam(a.Params[k], b.Params[k]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, g := range groups {
		for _, in := range g.Inputs {
			in.Group = g.Name
		}
	}
	return groups
}

// configKey identifies a configuration.
func configKey(kind string, cfg map[string]string) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		b.WriteString("\x00" + k + "\x01" + cfg[k])
	}
	return b.String()
}

// paramLabels are how a group's name shows some params' keys; the others
// show as they are.
var paramLabels = map[string]string{
	"lambda":           "λ",
	"audit_attackers":  "attackers",
	"audit_estimators": "MI estimators",
	"audit_bootstrap":  "bootstrap",
}

// paramLabel is how a group's name shows a param's key.
func paramLabel(key string) string {
	if l, ok := paramLabels[key]; ok {
		return l
	}
	return key
}

// cmpParam orders param values: numerically if both are numbers, a missing
// value first, else as text.
func cmpParam(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil && x != y:
		if x < y {
			return -1
		}
		return 1
	case errA == nil && errB == nil:
		return 0
	}
	return strings.Compare(a, b)
}

func cmpSeed(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Report is what `miaudit report` renders: its inputs, grouped into
// settings, and their comparison.
type Report struct {
	// Inputs are the audits in the order they were read.
	Inputs []*ReportInput
	// Groups are the settings, in the order of the comparison's rows.
	Groups []ReportGroup
	// Comparison compares the settings: one row per group, in order.
	Comparison *reports.Comparison
	// Warnings are what a reader must see first: the inputs audit
	// different datasets (with --allow-mixed). They are also the first
	// of the comparison's notes.
	Warnings []string
}

// BuildReport groups the inputs, checks that they can be compared and
// compares them. Inputs of different datasets (Provenance.DatasetID) are
// a *UsageError unless allowMixed; with it, a warning goes to warn and
// into the comparison's notes. Inputs with different targets or protected
// attributes are a *UsageError naming two of them.
func BuildReport(inputs []*ReportInput, allowMixed bool, warn io.Writer) (*Report, error) {
	if len(inputs) == 0 {
		return nil, usageErrorf("no audits to report")
	}
	if err := sameShapes(inputs); err != nil {
		return nil, err
	}
	var notes []string
	if sets := reportDatasets(inputs); len(sets) > 1 {
		head := fmt.Sprintf("the inputs audit %d different datasets:", len(sets))
		kinds := map[string]bool{}
		for _, in := range inputs {
			kinds[in.Kind] = true
		}
		if len(kinds) > 1 {
			// The two kinds name their data differently.
			head = fmt.Sprintf("the inputs audit %d different datasets, or name one differently (a run by its data's SHA-256, a result by its labels file's):", len(sets))
		}
		if !allowMixed {
			return nil, usageErrorf("%s\n  %s\nrefusing to compare audits of different data; pass --allow-mixed to compare them anyway", head, strings.Join(sets, "\n  "))
		}
		fmt.Fprintf(warn, "WARNING: %s\nWARNING:   %s\nWARNING: comparing them anyway (--allow-mixed); the report's notes say so\n", head, strings.Join(sets, "\nWARNING:   "))
		notes = append(notes, fmt.Sprintf("WARNING (--allow-mixed): %s %s. Their figures are not comparable as a sweep's are.", head, strings.Join(sets, "; ")))
	}
	groups := GroupReportInputs(inputs)
	var cgroups []reports.Group
	var vary []string
	for _, g := range groups {
		cg := reports.Group{Name: g.Name, Params: map[string]string{}}
		for _, k := range g.Varying {
			key := k
			if slices.Contains(reports.CSVColumns, k) {
				key = "param_" + k
			}
			cg.Params[key] = g.Params[k]
			if !slices.Contains(vary, paramLabel(k)) {
				vary = append(vary, paramLabel(k))
			}
		}
		seen := map[uint64]string{}
		for _, in := range g.Inputs {
			cg.Results = append(cg.Results, in.Result)
			if prev, dup := seen[in.Seed]; dup {
				fmt.Fprintf(warn, "warning: setting %s: %s and %s have the same seed %d; both count\n", g.Name, prev, in.Path, in.Seed)
			}
			seen[in.Seed] = in.Path
		}
		if g.Kind == InputRun {
			for i, a := range g.Inputs[0].Adversary {
				e := reports.Extra{Name: fmt.Sprintf("training adversary (%s) on %s [%s] (nats)", a.Adversary, a.Attribute, a.Bound)}
				for _, in := range g.Inputs {
					e.Values = append(e.Values, in.Adversary[i].Nats)
				}
				cg.Extra = append(cg.Extra, e)
			}
		}
		cgroups = append(cgroups, cg)
	}
	c, err := reports.Compare(cgroups)
	if err != nil {
		return nil, err
	}
	rule := "Settings group the audits by configuration: every hyper-parameter but the seed"
	if len(vary) > 0 {
		slices.Sort(vary)
		rule += "; they differ in " + strings.Join(vary, ", ")
	}
	if len(groups) > 0 && groups[len(groups)-1].Kind == InputRun {
		rule += fmt.Sprintf(". Training adversary: the mean of its last %d logged estimates", finalWindow)
	}
	c.Notes = append(notes, rule+".")
	return &Report{Inputs: inputs, Groups: groups, Comparison: c, Warnings: notes}, nil
}

// reportDatasets describes the datasets of inputs, one line each: its name, its
// identity and the command-line arguments of its audits.
func reportDatasets(inputs []*ReportInput) []string {
	var ids []string
	byID := make(map[string][]*ReportInput)
	for _, in := range inputs {
		if _, ok := byID[in.DatasetID]; !ok {
			ids = append(ids, in.DatasetID)
		}
		byID[in.DatasetID] = append(byID[in.DatasetID], in)
	}
	var lines []string
	for _, id := range ids {
		ins := byID[id]
		// Name the command-line arguments, with their count of audits.
		var froms []string
		count := make(map[string]int)
		for _, in := range ins {
			if count[in.From] == 0 {
				froms = append(froms, in.From)
			}
			count[in.From]++
		}
		for i, f := range froms {
			if count[f] > 1 {
				froms[i] = fmt.Sprintf("%s (%d audits)", f, count[f])
			}
		}
		shown := id
		if h, ok := strings.CutPrefix(id, "sha256:"); ok && len(h) > 12 {
			shown = "sha256 " + h[:12] + "…"
		} else if strings.HasPrefix(id, "labels:") {
			shown = "no labels SHA-256"
		}
		lines = append(lines, fmt.Sprintf("dataset %s (%s): %s", ins[0].Dataset, shown, strings.Join(froms, ", ")))
	}
	return lines
}

// sameShapes returns a *UsageError if two inputs differ in their targets
// or protected attributes, naming them.
func sameShapes(inputs []*ReportInput) error {
	shape := reports.ResultShape
	t0, a0 := shape(inputs[0].Result)
	for _, in := range inputs[1:] {
		t, a := shape(in.Result)
		if !slices.Equal(t, t0) || !slices.Equal(a, a0) {
			return usageErrorf("%s audits targets %q and protected attributes %q, but %s audits %q and %q: a report compares audits of the same targets and attributes",
				inputs[0].Path, t0, a0, in.Path, t, a)
		}
	}
	return nil
}
