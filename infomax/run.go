package infomax

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/internal/atomicfile"
)

// Files of a run folder.
const (
	// EncoderFile holds the trained encoder (EncoderFile's sidecar,
	// encoder.json, its Model config): what `miaudit embed` reads.
	EncoderFile = "encoder.safetensors"
	// RunFile records the run: configuration, data, progress, status.
	RunFile = "run.json"
	// LogFile holds one CSV row of figures per training step.
	LogFile = "log.csv"
	// stateDir holds the full training state of the last checkpoint.
	stateDir = "state"
)

// RunFormat names the layout of run.json.
const RunFormat = "miaudit-dim-run/1"

// Run statuses recorded in run.json.
const (
	StatusRunning     = "running"
	StatusInterrupted = "interrupted"
	StatusDiverged    = "diverged"
	StatusDone        = "done"
	// StatusInitial marks a run saved at its initial weights (SaveInitial);
	// resuming it trains from step 0.
	StatusInitial = "initial"
)

// RunInfo is the content of run.json.
type RunInfo struct {
	Format string   `json:"format"`
	Config Config   `json:"config"`
	Data   DataInfo `json:"data"`
	// Epochs is the number of passes over the training rows to make, and
	// StepsPerEpoch the number of full batches in one (a last partial
	// batch is dropped).
	Epochs        int `json:"epochs"`
	StepsPerEpoch int `json:"steps_per_epoch"`
	// MaxRows, if positive, limits training to the first MaxRows training
	// rows.
	MaxRows int `json:"max_rows,omitempty"`
	// Step is the step of the last checkpoint, whose state files are
	// State.
	Step  int64     `json:"step"`
	State StateInfo `json:"state"`
	// Status is running, interrupted, diverged or done; Error says why a
	// run diverged.
	Status  string `json:"status"`
	Error   string `json:"error,omitempty"`
	Version string `json:"version"`
	// Heads describes the heads (their maker's format), for resuming.
	Heads json.RawMessage `json:"heads,omitempty"`
}

// StateInfo names the files of a checkpoint, relative to the run folder.
type StateInfo struct {
	Params string `json:"params"`
	Adam   string `json:"adam"`
	// Heads are the prefixes of the heads' state files, one per head.
	Heads []string `json:"heads,omitempty"`
}

// A Head adds a term to the encoder's objective from outside the DIM
// graph — an adversary estimating what the codes reveal of a protected
// attribute — through the gradient of that term with respect to the
// batch's codes.
type Head interface {
	// Columns names the figures Step returns: log.csv's columns.
	Columns() []string
	// Step trains the head on the codes y (Batch×Code, row i the code of
	// dataset row rows[i]) at training step k (from 0), adds the gradient
	// of its weighted term with respect to y into g, and returns its
	// figures. A non-finite figure or loss is an error wrapping
	// ErrDiverged.
	Step(y []float32, rows []int, k int64, g []float32) ([]float64, error)
	// Save writes the head's whole state to files whose names start with
	// prefix; Load restores it, so that training continues bit for bit.
	Save(prefix string) error
	Load(prefix string) error
	// Close releases the head.
	Close() error
}

// Progress is what a run reports after every step.
type Progress struct {
	Step, TotalSteps int64
	Epoch, Epochs    int
	Stats            Stats
	// Heads are the heads' figures, in the order of their Columns.
	Heads   []float64
	Elapsed time.Duration
}

// RunOptions configure a new run.
type RunOptions struct {
	// Dir is the run folder; it must not exist or be empty.
	Dir string
	// Data is the dataset, Spec how it was named (recorded, and used by
	// embed by default). Training uses the rows whose "split" attribute is
	// "train" if there is such a column, all rows otherwise.
	Data *dataset.Dataset
	Spec string
	// LabelColumns and DropMissing are recorded for tables (see DataInfo).
	LabelColumns []string
	DropMissing  bool
	Derive       []string
	// Epochs is the number of passes over the training rows.
	Epochs int
	// MaxRows, if positive, limits training to the first MaxRows training
	// rows (a quick run).
	MaxRows int
	// CheckpointEvery is the number of steps between checkpoints; 0 means
	// 500. A checkpoint is also written at the end and on interruption.
	CheckpointEvery int
	// Version is recorded in the run and the encoder.
	Version string
	// Heads are trained beside the encoder (see Head); HeadsSpec, recorded
	// in run.json, is what their maker needs to build them again.
	Heads     []Head
	HeadsSpec json.RawMessage
}

// Run is a training run in a folder: a Trainer, its data and its log.
type Run struct {
	dir   string
	info  RunInfo
	tr    *Trainer
	data  *dataset.Dataset
	rows  []int
	every int
	heads []Head
	// keys are the data's rows' values of Config.NegColumns (joined) when
	// negatives come in groups, nil otherwise.
	keys []string
}

// TrainRows returns the rows of d that training uses: those whose "split"
// attribute is "train", or every row if d has no such column.
func TrainRows(d *dataset.Dataset) []int {
	if d.Attrs != nil && d.Attrs.Has("split") {
		col, _ := d.Attrs.Column("split")
		var rows []int
		for i, v := range col {
			if v == "train" {
				rows = append(rows, i)
			}
		}
		return rows
	}
	rows := make([]int, d.N)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func limitRows(rows []int, max int) []int {
	if max > 0 && max < len(rows) {
		return rows[:max]
	}
	return rows
}

// NewRun prepares a new run of cfg on o.Data in o.Dir, creating the folder
// and writing run.json. The data's example shape must be cfg.Input.
func NewRun(cfg Config, o RunOptions) (*Run, error) {
	if o.Epochs < 1 {
		return nil, fmt.Errorf("infomax: %d epochs: want at least 1", o.Epochs)
	}
	if !slices.Equal(o.Data.Shape, cfg.Input) {
		return nil, fmt.Errorf("infomax: data %s has examples of shape %v, the model takes %v", o.Data.Name, o.Data.Shape, cfg.Input)
	}
	if err := emptyDir(o.Dir); err != nil {
		return nil, err
	}
	r := &Run{dir: o.Dir, data: o.Data, rows: limitRows(TrainRows(o.Data), o.MaxRows), every: o.CheckpointEvery, heads: o.Heads}
	if r.every == 0 {
		r.every = 500
	}
	if len(r.rows) < cfg.Batch {
		return nil, fmt.Errorf("infomax: %d training rows, fewer than a batch of %d", len(r.rows), cfg.Batch)
	}
	steps, err := r.stepsPerEpoch(cfg)
	if err != nil {
		return nil, err
	}
	tr, err := NewTrainerWith(cfg, TrainerOptions{CodeGrad: len(o.Heads) > 0})
	if err != nil {
		return nil, err
	}
	r.tr = tr
	r.info = RunInfo{
		Heads:  o.HeadsSpec,
		Format: RunFormat, Config: cfg, Epochs: o.Epochs, StepsPerEpoch: steps, MaxRows: o.MaxRows,
		Data: DataInfo{Name: o.Spec, Hash: o.Data.Hash, Rows: len(r.rows), Schema: o.Data.Schema,
			LabelColumns: o.LabelColumns, DropMissing: o.DropMissing, Derive: o.Derive},
		Status: StatusRunning, Version: o.Version,
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, stateDir), 0o755); err != nil {
		tr.Close()
		return nil, err
	}
	if err := r.writeInfo(); err != nil {
		tr.Close()
		return nil, err
	}
	return r, nil
}

// ReadRunInfo reads dir's run.json.
func ReadRunInfo(dir string) (RunInfo, error) {
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return RunInfo{}, fmt.Errorf("%s: no run here (%s is missing)", dir, RunFile)
		}
		return RunInfo{}, err
	}
	var info RunInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return RunInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	if info.Format != RunFormat {
		return RunInfo{}, fmt.Errorf("%s: format %q, want %q", path, info.Format, RunFormat)
	}
	return info, nil
}

// ResumeRun reopens the run in dir at its last checkpoint, on data (which
// must be the run's: same hash) for epochs epochs in all (0 keeps the
// run's), with heads built as the run's were (their state is loaded from
// the checkpoint).
func ResumeRun(dir string, data *dataset.Dataset, epochs int, every int, heads []Head) (*Run, error) {
	info, err := ReadRunInfo(dir)
	if err != nil {
		return nil, err
	}
	if data.Hash != info.Data.Hash {
		return nil, fmt.Errorf("%s: the data has changed since the run started (sha256 %.12s…, the run was trained on %.12s…)", dir, data.Hash, info.Data.Hash)
	}
	if epochs > 0 {
		info.Epochs = epochs
	}
	r := &Run{dir: dir, info: info, data: data, rows: limitRows(TrainRows(data), info.MaxRows), every: every, heads: heads}
	if r.every == 0 {
		r.every = 500
	}
	steps, err := r.stepsPerEpoch(info.Config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if steps != info.StepsPerEpoch {
		return nil, fmt.Errorf("%s: %d training rows make %d steps per epoch, the run had %d", dir, len(r.rows), steps, info.StepsPerEpoch)
	}
	if len(heads) != len(info.State.Heads) && info.Step > 0 {
		return nil, fmt.Errorf("%s: the run has %d heads, %d given", dir, len(info.State.Heads), len(heads))
	}
	tr, err := NewTrainerWith(info.Config, TrainerOptions{CodeGrad: len(heads) > 0})
	if err != nil {
		return nil, err
	}
	r.tr = tr
	if info.Step > 0 {
		if err := tr.LoadState(filepath.Join(dir, info.State.Params), filepath.Join(dir, info.State.Adam)); err != nil {
			tr.Close()
			return nil, err
		}
		for i, h := range heads {
			if err := h.Load(filepath.Join(dir, info.State.Heads[i])); err != nil {
				tr.Close()
				return nil, err
			}
		}
		if tr.Steps() != info.Step {
			tr.Close()
			return nil, fmt.Errorf("%s: the checkpoint holds step %d, %s says %d", dir, tr.Steps(), RunFile, info.Step)
		}
	}
	if err := r.trimLog(); err != nil {
		tr.Close()
		return nil, err
	}
	return r, nil
}

// SaveInitial writes the encoder at its initial weights, and the state, as
// a checkpoint of step 0: the architecture-only baseline of an audit.
func (r *Run) SaveInitial() error {
	if r.tr.Steps() != 0 {
		return fmt.Errorf("infomax: %s: the run has trained %d steps", r.dir, r.tr.Steps())
	}
	return r.checkpoint(StatusInitial, "")
}

// Info returns the run's record.
func (r *Run) Info() RunInfo { return r.info }

// Trainer returns the run's trainer.
func (r *Run) Trainer() *Trainer { return r.tr }

// Close releases the trainer and the heads.
func (r *Run) Close() error {
	for _, h := range r.heads {
		h.Close()
	}
	return r.tr.Close()
}

// TotalSteps returns the number of steps of the whole run.
func (r *Run) TotalSteps() int64 { return int64(r.info.Epochs) * int64(r.info.StepsPerEpoch) }

// Train runs the remaining steps, calling report (if not nil) after each.
// Step k (from 0) uses the batch at position k mod StepsPerEpoch of epoch
// k / StepsPerEpoch's order — a permutation of the training rows drawn
// from the seed and the epoch — and a random stream drawn from the seed
// and k, so a resumed run repeats an uninterrupted one exactly.
//
// If ctx is cancelled, Train writes a checkpoint, marks the run
// interrupted and returns ctx's error. If the loss stops being finite, it
// marks the run diverged, keeps the last checkpoint and returns an error
// wrapping ErrDiverged. At the end it writes the final checkpoint and
// encoder and marks the run done.
func (r *Run) Train(ctx context.Context, report func(Progress)) error {
	cfg := r.tr.cfg
	logf, err := os.OpenFile(filepath.Join(r.dir, LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	lw := bufio.NewWriter(logf)
	if st, err := logf.Stat(); err == nil && st.Size() == 0 {
		cols := []string{"step", "epoch", "loss", "local", "global", "prior"}
		for _, h := range r.heads {
			cols = append(cols, h.Columns()...)
		}
		fmt.Fprintln(lw, strings.Join(append(cols, "seconds"), ","))
	}
	flush := func() error {
		if err := lw.Flush(); err != nil {
			return fmt.Errorf("write %s: %w", logf.Name(), err)
		}
		return nil
	}
	r.info.Status, r.info.Error = StatusRunning, ""
	if err := r.writeInfo(); err != nil {
		return err
	}
	d := r.data.Size()
	batch := make([]float32, cfg.Batch*d)
	var vbatch, vtmp []float32
	if cfg.Augment.Both {
		vbatch, vtmp = make([]float32, cfg.Batch*d), make([]float32, cfg.Input[1]*cfg.Input[2])
	}
	var codes, grad []float32
	if len(r.heads) > 0 {
		codes, grad = make([]float32, cfg.Batch*cfg.Code), make([]float32, cfg.Batch*cfg.Code)
	}
	start := time.Now()
	total := r.TotalSteps()
	var order []int
	epochOf := -1
	for k := r.tr.Steps(); k < total; k++ {
		if err := ctx.Err(); err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			if cerr := r.checkpoint(StatusInterrupted, ""); cerr != nil {
				return errors.Join(err, cerr)
			}
			return err
		}
		epoch, pos := int(k/int64(r.info.StepsPerEpoch)), int(k%int64(r.info.StepsPerEpoch))
		if epoch != epochOf {
			if r.keys != nil {
				order = groupedOrder(cfg.Seed, epoch, r.rows, r.keys, cfg.NegGroup)
			} else {
				order = epochOrder(cfg.Seed, epoch, r.rows)
			}
			epochOf = epoch
		}
		rows := order[pos*cfg.Batch : (pos+1)*cfg.Batch]
		for i, row := range rows {
			copy(batch[i*d:(i+1)*d], r.data.Example(row))
		}
		var figs []float64
		var err error
		xb := batch // the code's view
		if cfg.Augment.Both {
			// The code's view: each image transformed by a draw of its own.
			in := cfg.Input
			cfg.Augment.apply(vbatch, batch, cfg.Batch, in[0], in[1], in[2], rand.New(rand.NewPCG(cfg.Seed, uint64(k)^0x76696577<<32)), vtmp) // "view"
			xb = vbatch
		}
		if len(r.heads) > 0 {
			// The heads train on the codes under the current weights,
			// then give the encoder their gradients.
			if err = r.tr.Codes(xb, codes); err == nil {
				clear(grad)
				for _, h := range r.heads {
					var f []float64
					if f, err = h.Step(codes, rows, k, grad); err != nil {
						break
					}
					figs = append(figs, f...)
				}
			}
		}
		var st Stats
		if err == nil {
			st, err = r.tr.StepViews(xb, batch, grad, rand.New(rand.NewPCG(cfg.Seed, uint64(k)^0x73746570<<32))) // "step"
		}
		if err != nil {
			_ = flush()
			if errors.Is(err, ErrDiverged) {
				r.info.Status, r.info.Error = StatusDiverged, err.Error()
				if werr := r.writeInfo(); werr != nil {
					return errors.Join(err, werr)
				}
				return fmt.Errorf("%w; the last good checkpoint (step %d) is kept in %s; try a lower --lr", err, r.info.Step, r.dir)
			}
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(lw, "%d,%d,%s,%s,%s,%s,", k+1, epoch+1, fnum(st.Loss), fnum(st.Local), fnum(st.Global), fnum(st.Prior))
		for _, f := range figs {
			fmt.Fprintf(lw, "%s,", fnum(f))
		}
		fmt.Fprintf(lw, "%.3f\n", el.Seconds())
		if report != nil {
			report(Progress{Step: k + 1, TotalSteps: total, Epoch: epoch + 1, Epochs: r.info.Epochs, Stats: st, Heads: figs, Elapsed: el})
		}
		if (k+1)%int64(r.every) == 0 && k+1 < total {
			if err := flush(); err != nil {
				return err
			}
			if err := r.checkpoint(StatusRunning, ""); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return r.checkpoint(StatusDone, "")
}

// fnum formats a figure for the log: empty for NaN.
func fnum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 8, 64)
}

// epochOrder returns the training rows in epoch's order: a Fisher–Yates
// shuffle driven by a generator seeded with the seed and the epoch.
func epochOrder(seed uint64, epoch int, rows []int) []int {
	rng := rand.New(rand.NewPCG(seed, uint64(epoch)^0x65706f6368<<24)) // "epoch"
	o := append([]int(nil), rows...)
	for i := len(o) - 1; i > 0; i-- {
		j := int(rng.Uint64N(uint64(i + 1)))
		o[i], o[j] = o[j], o[i]
	}
	return o
}

// stepsPerEpoch returns the number of full batches in an epoch of cfg on
// r's rows, reading the group keys first if negatives come in groups.
func (r *Run) stepsPerEpoch(cfg Config) (int, error) {
	if cfg.NegGroup == 0 {
		return len(r.rows) / cfg.Batch, nil
	}
	keys := make([]string, r.data.N)
	for ci, name := range cfg.NegColumns {
		if r.data.Attrs == nil || !r.data.Attrs.Has(name) {
			return 0, fmt.Errorf("infomax: negatives within %q, which %s does not have", name, r.data.Name)
		}
		col, err := r.data.Attrs.Column(name)
		if err != nil {
			return 0, err
		}
		for _, row := range r.rows {
			if col[row] == "" {
				return 0, fmt.Errorf("infomax: negatives within %q: row %d of %s has no value", name, row, r.data.Name)
			}
			if ci > 0 {
				keys[row] += "\x1f" // the unit separator between values
			}
			keys[row] += col[row]
		}
	}
	count := map[string]int{}
	for _, row := range r.rows {
		count[keys[row]]++
	}
	groups := 0
	for _, n := range count {
		groups += n / cfg.NegGroup
	}
	steps := groups * cfg.NegGroup / cfg.Batch
	if steps == 0 {
		return 0, fmt.Errorf("infomax: negatives within %s in groups of %d: the %d training rows make no full batch of %d", strings.Join(cfg.NegColumns, ","), cfg.NegGroup, len(r.rows), cfg.Batch)
	}
	r.keys = keys
	return steps, nil
}

// groupedOrder returns epoch's order when negatives come in groups of m:
// the rows of each key (keys[row]), in a Fisher–Yates shuffle, cut into
// groups of m (a key's last rows short of a group sit this epoch out),
// then the groups shuffled, all driven by a generator seeded with the
// seed and the epoch. Consecutive runs of m rows share their key.
func groupedOrder(seed uint64, epoch int, rows []int, keys []string, m int) []int {
	rng := rand.New(rand.NewPCG(seed, uint64(epoch)^0x67726f757073<<16)) // "groups"
	byKey := map[string][]int{}
	for _, row := range rows {
		byKey[keys[row]] = append(byKey[keys[row]], row)
	}
	names := slices.Sorted(maps.Keys(byKey))
	shuffle := func(n int, swap func(i, j int)) {
		for i := n - 1; i > 0; i-- {
			swap(i, int(rng.Uint64N(uint64(i+1))))
		}
	}
	var groups [][]int
	for _, k := range names {
		o := byKey[k]
		shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
		for len(o) >= m {
			groups = append(groups, o[:m])
			o = o[m:]
		}
	}
	shuffle(len(groups), func(i, j int) { groups[i], groups[j] = groups[j], groups[i] })
	return slices.Concat(groups...)
}

// checkpoint writes the state files of the current step, the encoder and
// run.json (last, so that it only ever names complete files), then removes
// the previous state files.
func (r *Run) checkpoint(status, msg string) error {
	step := r.tr.Steps()
	old := r.info.State
	st := StateInfo{
		Params: filepath.Join(stateDir, fmt.Sprintf("params-%09d.safetensors", step)),
		Adam:   filepath.Join(stateDir, fmt.Sprintf("adam-%09d.safetensors", step)),
	}
	if err := r.tr.SaveState(filepath.Join(r.dir, st.Params), filepath.Join(r.dir, st.Adam)); err != nil {
		return err
	}
	for i, h := range r.heads {
		p := filepath.Join(stateDir, fmt.Sprintf("head%d-%09d", i, step))
		if err := h.Save(filepath.Join(r.dir, p)); err != nil {
			return err
		}
		st.Heads = append(st.Heads, p)
	}
	m := Model{Data: r.info.Data, Version: r.info.Version}
	if err := r.tr.SaveEncoder(filepath.Join(r.dir, EncoderFile), m); err != nil {
		return err
	}
	r.info.Step, r.info.State, r.info.Status, r.info.Error = step, st, status, msg
	if err := r.writeInfo(); err != nil {
		return err
	}
	if old.Params != "" && old.Params != st.Params {
		for _, f := range []string{old.Params, old.Adam} {
			for _, p := range []string{f, strings.TrimSuffix(f, ".safetensors") + ".json"} {
				_ = os.Remove(filepath.Join(r.dir, p))
			}
		}
		for _, p := range old.Heads {
			files, _ := filepath.Glob(filepath.Join(r.dir, p) + "*")
			for _, f := range files {
				_ = os.Remove(f)
			}
		}
	}
	return nil
}

func (r *Run) writeInfo() error {
	b, err := json.MarshalIndent(r.info, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(r.dir, RunFile), append(b, '\n'))
}

// trimLog drops the log rows after the checkpoint's step: a resumed run
// computes those steps again. A last line without its newline is a row
// cut short by a process killed while writing it (SIGKILL, a power cut),
// and is dropped too.
func (r *Run) trimLog() error {
	path := filepath.Join(r.dir, LogFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	keep := recs[:0]
	for i, rec := range recs {
		if i == 0 {
			keep = append(keep, rec)
			continue
		}
		s, err := strconv.ParseInt(rec[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: line %d: step %q", path, i+1, rec[0])
		}
		if s <= r.info.Step {
			keep = append(keep, rec)
		}
	}
	af, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(af)
	if err := w.WriteAll(keep); err != nil {
		af.Abort()
		return err
	}
	return af.Commit()
}

// emptyDir checks that dir does not exist or is an empty folder.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return fmt.Errorf("%s is not empty: choose a new folder, or resume the run there", dir)
	}
	return nil
}
