package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/miaudit/miaudit/dataset"
	"github.com/miaudit/miaudit/infomax"
	"github.com/miaudit/miaudit/minmax"
	"github.com/miaudit/miaudit/reports"
)

// ExitInterrupted is the exit code of a command stopped by Ctrl-C after it
// saved its work (128 + SIGINT, as shells report it).
const ExitInterrupted = 130

// DataFlags are the flags that choose and shape a dataset, shared by train
// and embed.
type DataFlags struct {
	Spec         string
	Features     []string
	LabelColumns []string
	DropMissing  bool
	ImageSize    int
	ImageChans   int
	Derive       []string
}

func (d *DataFlags) add(f *pflag.FlagSet, def string) {
	f.StringVar(&d.Spec, "data", def, "dataset `SPEC`: mnist, idx:DIR, images:DIR, table:FILE, styled-mnist[:DIR]")
	f.StringSliceVar(&d.Features, "features", nil, "table feature `COLS` (default: every column but --label-columns and split)")
	f.StringSliceVar(&d.LabelColumns, "label-columns", nil, "table `COLS` kept as attributes, not features")
	f.BoolVar(&d.DropMissing, "drop-missing", false, "drop table rows with missing feature values (default: refuse them)")
	f.IntVar(&d.ImageSize, "image-size", 28, "side images:DIR images are resized to")
	f.IntVar(&d.ImageChans, "image-channels", 1, "1 (grey) or 3 (RGB) for images:DIR")
	f.StringArrayVar(&d.Derive, "derive", nil, "add an attribute `NAME=SOURCE:PATTERN`, the regexp's capture group of column SOURCE (e.g. sex=personal_status:^(male|female))")
}

func (d *DataFlags) validate() error {
	if d.Spec == "" {
		return usageErrorf("--data is empty")
	}
	if d.ImageSize < 1 {
		return usageErrorf("--image-size %d: want a positive side", d.ImageSize)
	}
	if d.ImageChans != 1 && d.ImageChans != 3 {
		return usageErrorf("--image-channels %d: want 1 or 3", d.ImageChans)
	}
	for _, s := range d.Derive {
		if _, err := dataset.ParseDerive(s); err != nil {
			return usageErrorf("--derive: %v", err)
		}
	}
	return nil
}

// load reads the dataset, applying schema to a table when given.
func (d *DataFlags) load(seed uint64, schema *dataset.TableSchema) (*dataset.Dataset, error) {
	var derive []dataset.Derive
	for _, s := range d.Derive {
		dv, err := dataset.ParseDerive(s)
		if err != nil {
			return nil, usageErrorf("--derive: %v", err)
		}
		derive = append(derive, dv)
	}
	ds, err := dataset.Load(d.Spec, dataset.LoadOptions{
		Features: d.Features, LabelColumns: d.LabelColumns, DropMissing: d.DropMissing,
		ImageSize: d.ImageSize, Channels: d.ImageChans, Seed: seed, Schema: schema, Derive: derive,
	})
	if err != nil {
		if errors.Is(err, dataset.ErrNotFound) {
			return nil, &UsageError{Err: err}
		}
		return nil, err
	}
	return ds, nil
}

// TrainOptions are the parsed flags of `miaudit train`.
type TrainOptions struct {
	IO *IOStreams

	Data     DataFlags
	Out      string
	Resume   bool
	Epochs   int
	MaxRows  int
	Every    int
	Seed     uint64
	Batch    int
	LR       float64
	Code     int
	Est      string
	Alpha    float64
	Beta     float64
	Gamma    float64
	Channels []int
	Hidden   []int
	Corrupt  float64
	Clip     float64
	Slope    string
	NegCol   string
	NegGroup int
	Augment  string
	Center   string
	InitOnly bool
	Quiet    bool

	Adv     advFlags
	Lambdas string

	changed func(string) bool
}

// NewCmdTrain builds `miaudit train`. runF, if non-nil, replaces the work.
func NewCmdTrain(ios *IOStreams, runF func(context.Context, *TrainOptions) error) *cobra.Command {
	opts := &TrainOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a Deep InfoMax encoder",
		Long: `Train a Deep InfoMax (DIM) encoder: a network whose code keeps as much
information about its input as it can (Hjelm et al., ICLR 2019).

Images (mnist, idx:DIR, images:DIR, styled-mnist) get a convolutional
encoder: a 3×3 convolution, then 4×4 stride-2 convolutions (--conv-channels),
and a linear map to the code (--code). Its objective weighs global DIM
(--alpha: the code against the last feature map), local DIM (--beta: the code
against every location of an intermediate map, the other images of the batch
giving the negatives) and prior matching (--gamma: an adversarial
discriminator pulls the codes towards N(0, I)). Tables (table:FILE) get an MLP
encoder (--hidden) whose code is scored against a corrupted view of its row:
each feature replaced, with probability --corrupt, by another row's.
--estimator chooses the MI estimator: jsd (default), infonce or dv. The
defaults train local DIM alone (α = 0, β = 1, γ = 0), which gave the best
linear-probe accuracy on MNIST (96.0 % against 94.1 % with --alpha 0.5).

Training uses the rows of the "split" column that say "train" (MNIST's 60,000
training images), in batches of --batch (a last partial batch is dropped),
for --epochs passes, Adam at --lr. The folder --out receives:

  encoder.safetensors, encoder.json   the encoder and its config (every
                                      hyper-parameter, the data's SHA-256)
  run.json                            the run: progress, status
  log.csv                             one row of figures per step
  state/                              the last checkpoint, for --resume

With --protect, the encoder is trained against an adversary head on each
protected attribute (see --adversary, --lambda, --critic-steps, --delay,
--leaky), and the run ends with an audit of its codes by fresh attackers
(audit.json, audit.txt), printed beside the training adversary's final
estimate; a list of λ trains one run per λ in --out/lambda-<λ> and prints
their comparison. Several --protect columns get a head each, every head
weighing λ unless --lambda-weight COL=W makes it W·λ. Adversarial runs
resume by running the same command again; a folder holding a run trained on
other data or with other settings is refused, naming the settings.

For images at λ > 0, DIM's negatives also come from within the protected
attributes (--negatives-within auto): each batch is groups of
--negatives-group images sharing a writer, say, and a code is told apart
only from the other images of its group, so DIM no longer rewards it for
keeping the style a writer's images share. On styled-writers MNIST this
kept about 6 more points of digit accuracy at the same writer leakage. At
λ = 0 the run stays plain DIM, the unprotected reference; --negatives-within
none turns grouping off, and a list of columns applies it at every λ.

For images with --protect, the encoder also centres every image it codes
(--center auto), at every λ, 0 included: each image is shifted so that the
centre of mass of its ink sits at the image centre (MNIST's own
normalisation), in training and whenever the trained encoder codes. Where
a writer puts the digit in the frame names the writer and says nothing
about the digit, and an adversary cannot make the code drop it without
costing digits; centring removes it by construction. On styled-writers
MNIST (one epoch, 6 seeds) λ = 1 with the default 20 head steps then cut a
fresh MLP attacker's writer advantage by 59–63 % against λ = 0 and kept
the digit probe; without centring the best found was 50 %. --center off
turns it off (for photographs, say, whose brightness is not ink on a dark
background); --center on centres plain DIM runs too.

With no --data and no --protect, train runs its demo: styled-writers MNIST
(50 writers), writer protected by the default GRL head (20 steps per encoder
step), λ = 0 (plain DIM) and 0.3 (negatives within the writer; after 100
steps of DIM alone, warmed up over 50), 3 epochs of the first 6,400
training images (300 steps; 291 when grouped), audited on 4,000 train and
2,000 test rows (knn and club estimates), into runs/demo — about 9
minutes on 2 cores. Any flag given overrides its part of the demo.

A checkpoint is written every --checkpoint-every steps and at the end.
Ctrl-C writes one and exits (status 130); --resume continues exactly where
the run stopped: the same seed gives the same weights as an uninterrupted
run. A loss that stops being finite ends the run with an error, keeping the
last good checkpoint.`,
		Example: `  # the demo: styled-writers MNIST, writer protected, λ = 0 and 0.3 side by side
  miaudit train

  # local DIM on MNIST for one epoch (938 steps)
  miaudit train --data mnist --epochs 1 --out runs/mnist

  # a quick run on 6,400 images
  miaudit train --data mnist --max-rows 6400 --out runs/quick

  # the same architecture untrained: a baseline for the audit
  miaudit train --data mnist --init-only --out runs/random

  # continue after Ctrl-C, or extend to 3 epochs
  miaudit train --out runs/mnist --resume
  miaudit train --out runs/mnist --resume --epochs 3

  # the styled-writers benchmark, then a table
  miaudit train --data styled-mnist --out runs/styled
  miaudit train --data table:credit-g.arff --label-columns class,personal_status --out runs/credit

  # German credit hiding sex (λ = 5) and foreign_worker (λ = 2.5) at once
  miaudit train --data table:credit-g.arff --label-columns class,personal_status,foreign_worker \
    --derive 'sex=personal_status:^(male|female)' --target class \
    --protect sex,foreign_worker --lambda 5 --lambda-weight foreign_worker=0.5 --out runs/credit-2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.changed = cmd.Flags().Changed
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return trainRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	opts.addModelFlags(f)
	f.StringVarP(&opts.Out, "out", "o", "runs/dim", "run `DIR` (new, or with --resume an existing run; adversarial runs resume by running the same command)")
	f.BoolVar(&opts.Resume, "resume", false, "continue the run in --out from its last checkpoint")
	f.BoolVar(&opts.InitOnly, "init-only", false, "write the encoder at its initial weights and stop (a baseline for the audit)")
	f.StringVar(&opts.Lambdas, "lambda", "1", "weight λ of the adversary's term; a list (0,3) trains one run per λ and compares them")
	return cmd
}

// addModelFlags adds the flags of the data, the model, its training and
// the adversary, shared by train and sweep.
func (o *TrainOptions) addModelFlags(f *pflag.FlagSet) {
	o.Data.add(f, "styled-mnist")
	f.IntVar(&o.Epochs, "epochs", 1, "passes over the training rows")
	f.IntVar(&o.MaxRows, "max-rows", 0, "train on the first `N` training rows only (0: all)")
	f.IntVar(&o.Every, "checkpoint-every", 200, "steps between checkpoints")
	f.Uint64Var(&o.Seed, "seed", 0, "seed of the weights, batches and every random draw")
	def := infomax.DefaultConfig([]int{1, 28, 28})
	tab := infomax.DefaultConfig([]int{1})
	f.IntVar(&o.Batch, "batch", def.Batch, "examples per step")
	f.Float64Var(&o.LR, "lr", def.LR, "Adam's learning rate")
	f.Float64Var(&o.Clip, "clip", 0, "cap on the gradient's global norm (0: none)")
	f.StringVar(&o.Slope, "leaky", "auto", "negative `SLOPE` of the encoder's activations: 0 for ReLU, in (0, 1) for a leaky ReLU (auto: 0.2 for images with --protect, else 0)")
	f.IntVar(&o.Code, "code", def.Code, "width of the code")
	f.StringVar(&o.NegCol, "negatives-within", "auto", "draw DIM's negatives from rows that share the attribute `COLS` (batches of groups of --negatives-group such rows); none: from the whole batch (auto: the --protect columns for images when λ > 0, else none)")
	f.IntVar(&o.NegGroup, "negatives-group", 8, "rows per group of --negatives-within (dividing --batch)")
	f.StringVar(&o.Augment, "augment", "none", "cross-view local DIM on images transformed by `SPEC`: none, affine (rotation 15°, shear 0.2, scale ±0.1, shift 3 px, ink ±0.4, stroke 0.5), or key=value pairs of rotate, shear, scale, shift, ink, stroke separated by commas; add \",both\" to transform the code's view too")
	f.StringVar(&o.Center, "center", "auto", "shift every image the encoder codes so that the centre of mass of its ink sits at the image centre (`MODE` on or off; auto: on for images with --protect, else off)")
	f.StringVar(&o.Est, "estimator", def.Estimator, "MI estimator: "+strings.Join(infomax.Estimators, ", "))
	f.Float64Var(&o.Alpha, "alpha", def.Alpha, "weight of global DIM (images)")
	f.Float64Var(&o.Beta, "beta", def.Beta, "weight of local DIM (images) or of the view objective (tables)")
	f.Float64Var(&o.Gamma, "gamma", def.Gamma, "weight of prior matching (0 disables it)")
	f.IntSliceVar(&o.Channels, "conv-channels", def.Channels, "conv encoder channels, one per layer")
	f.IntSliceVar(&o.Hidden, "hidden", tab.Hidden, "MLP encoder hidden widths (tables)")
	f.Float64Var(&o.Corrupt, "corrupt", tab.Corrupt, "probability that a feature of a table row's view comes from another row")
	o.Adv.add(f)
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no progress on standard error")
}

// demo sets the defaults of `miaudit train` with no data or protected
// attribute given: the built-in demonstration of adversarial training.
func (o *TrainOptions) demo() {
	if o.changed == nil || o.changed("data") || o.changed("protect") || o.Resume || o.InitOnly {
		return
	}
	o.Adv.Protect = []string{"writer"}
	set := func(flag string, f func()) {
		if !o.changed(flag) {
			f()
		}
	}
	set("lambda", func() { o.Lambdas = demoLambdas })
	set("max-rows", func() { o.MaxRows = 6400 })
	set("epochs", func() { o.Epochs = 3 })
	set("out", func() { o.Out = "runs/demo" })
	set("audit-rows", func() { o.Adv.AuditRows = 4000 })
	set("audit-estimators", func() { o.Adv.Estimators = []string{"knn", "club"} })
	// 300 steps leave no room for the 300 steps of DIM alone that --delay
	// auto gives images: the demo lets DIM learn for 100.
	set("delay", func() { o.Adv.Delay = "100" })
	set("warmup", func() { o.Adv.Warmup = 50 })
}

// demoLambdas are the weights the demonstration compares.
const demoLambdas = "0,0.3"

func (o *TrainOptions) validate() error {
	o.demo()
	if len(o.Adv.Protect) == 0 && len(o.Adv.Weights) > 0 {
		return usageErrorf("--lambda-weight weighs the heads of --protect columns: give --protect")
	}
	if len(o.Adv.Protect) > 0 {
		if o.InitOnly {
			return usageErrorf("--init-only trains nothing: it takes no --protect")
		}
		if err := o.Adv.validate(); err != nil {
			return err
		}
		if _, err := parseLambdas(o.Lambdas); err != nil {
			return err
		}
	}
	if o.InitOnly && o.Resume {
		return usageErrorf("--init-only starts a new run; it cannot --resume one")
	}
	if err := o.Data.validate(); err != nil {
		return err
	}
	if o.Out == "" {
		return usageErrorf("--out is empty")
	}
	if o.Epochs < 1 {
		return usageErrorf("--epochs %d: want at least 1", o.Epochs)
	}
	if o.MaxRows < 0 || o.Every < 1 {
		return usageErrorf("--max-rows %d, --checkpoint-every %d: want non-negative and positive", o.MaxRows, o.Every)
	}
	if o.Resume {
		// The run's own configuration is used; flags that would change
		// it are refused rather than silently ignored.
		for _, name := range []string{"data", "features", "label-columns", "drop-missing", "derive", "image-size", "image-channels", "max-rows", "seed", "batch", "lr", "clip", "code", "estimator", "alpha", "beta", "gamma", "conv-channels", "hidden", "corrupt"} {
			if o.changed != nil && o.changed(name) {
				return usageErrorf("--%s cannot change a run being resumed (its settings are in %s)", name, filepath.Join(o.Out, infomax.RunFile))
			}
		}
	}
	return nil
}

// AdversarialSlope is the slope --leaky auto gives the conv encoder of an
// adversarial run. On styled-writers MNIST (one epoch, GRL head, seed 0)
// the ReLU encoder's codes collapsed under λ ≥ 0.2 (constant codes: digit
// linear-probe accuracy 0.12–0.20, the majority share being 0.119), while
// leaky ReLUs with slope 0.2 kept them alive at λ = 0.3 and 1 (0.807 and
// 0.762). Tables keep ReLU: on German credit the leaky MLP encoder left sex
// more recoverable at λ = 10 (a fresh linear attacker's accuracy 0.730
// against 0.660, the majority share, over 3 seeds).
const AdversarialSlope = 0.2

// config builds the model configuration for data of the given shape.
func (o *TrainOptions) config(shape []int) (infomax.Config, error) {
	c := infomax.DefaultConfig(shape)
	c.Seed, c.Batch, c.LR, c.Code, c.Embed, c.Estimator = o.Seed, o.Batch, o.LR, o.Code, o.Code, o.Est
	c.Alpha, c.Beta, c.Gamma, c.Clip = o.Alpha, o.Beta, o.Gamma, o.Clip
	switch {
	case o.Slope != "auto":
		v, err := strconv.ParseFloat(o.Slope, 64)
		if err != nil || !(v >= 0 && v < 1) {
			return c, usageErrorf("--leaky %q: want auto or a slope in [0, 1)", o.Slope)
		}
		c.Slope = v
	case c.Encoder == infomax.ConvEncoder && len(o.Adv.Protect) > 0:
		c.Slope = AdversarialSlope
	}
	if o.NegCol != "auto" && o.NegCol != "none" {
		c.NegColumns, c.NegGroup = strings.Split(o.NegCol, ","), o.NegGroup
		if slices.Contains(c.NegColumns, "") {
			return c, usageErrorf("--negatives-within %q: want auto, none or column names separated by commas", o.NegCol)
		}
	}
	if grouped := len(c.NegColumns) > 0 || o.autoGroups(c.Encoder); grouped && (o.NegGroup < 2 || o.Batch%o.NegGroup != 0) {
		return c, usageErrorf("--negatives-group %d: want at least 2, dividing --batch %d", o.NegGroup, o.Batch)
	}
	aug, err := parseAugment(o.Augment)
	if err != nil {
		return c, err
	}
	if c.Augment = aug; !aug.IsZero() && c.Encoder != infomax.ConvEncoder {
		return c, usageErrorf("--augment %q: transformations are for images; tables have none", o.Augment)
	}
	switch o.Center {
	case "auto":
		c.Center = c.Encoder == infomax.ConvEncoder && len(o.Adv.Protect) > 0
	case "on":
		if c.Encoder != infomax.ConvEncoder {
			return c, usageErrorf("--center on: centring is for images; tables have no position")
		}
		c.Center = true
	case "off":
	default:
		return c, usageErrorf("--center %q: want auto, on or off", o.Center)
	}
	if c.Encoder == infomax.ConvEncoder {
		c.Channels = o.Channels
		if len(c.Channels) < 2 {
			return c, usageErrorf("--conv-channels %v: want at least 2 layers", c.Channels)
		}
		c.LocalLayer = len(c.Channels) - 2
	} else {
		c.Hidden, c.Corrupt = o.Hidden, o.Corrupt
		if c.Alpha != 0 {
			return c, usageErrorf("--alpha %g: tables have no feature map for global DIM; use --beta", c.Alpha)
		}
	}
	if err := c.Validate(); err != nil {
		return c, &UsageError{Err: err}
	}
	return c, nil
}

func trainRun(ctx context.Context, o *TrainOptions) error {
	lowGCHeadroom()
	if len(o.Adv.Protect) > 0 {
		return adversarialRun(ctx, o)
	}
	ios := o.IO
	var run *infomax.Run
	if o.Resume {
		info, err := infomax.ReadRunInfo(o.Out)
		if err != nil {
			return &UsageError{Err: err}
		}
		if len(info.Heads) > 0 {
			return usageErrorf("%s is a run with adversary heads: run the command that started it again to resume it", o.Out)
		}
		if info.Status == infomax.StatusDone && (!o.changed("epochs") || o.Epochs <= info.Epochs) {
			return usageErrorf("the run in %s is done (%d epochs); give --epochs above %d to extend it", o.Out, info.Epochs, info.Epochs)
		}
		d := o.Data
		d.Spec, d.LabelColumns, d.DropMissing, d.Derive = info.Data.Name, info.Data.LabelColumns, info.Data.DropMissing, info.Data.Derive
		if len(info.Config.Input) == 3 {
			d.ImageSize, d.ImageChans = info.Config.Input[1], info.Config.Input[0]
		}
		ds, err := d.load(info.Config.Seed, info.Data.Schema)
		if err != nil {
			return err
		}
		epochs := 0
		if o.changed("epochs") {
			epochs = o.Epochs
		}
		if run, err = infomax.ResumeRun(o.Out, ds, epochs, o.Every, nil); err != nil {
			return err
		}
		if !o.Quiet {
			fmt.Fprintf(ios.ErrOut, "resuming %s at step %d of %d\n", o.Out, info.Step, run.TotalSteps())
		}
	} else {
		ds, err := o.Data.load(o.Seed, nil)
		if err != nil {
			return err
		}
		for _, n := range ds.Notes {
			fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
		}
		cfg, err := o.config(ds.Shape)
		if err != nil {
			return err
		}
		run, err = infomax.NewRun(cfg, infomax.RunOptions{Dir: o.Out, Data: ds, Spec: o.Data.Spec, Epochs: o.Epochs, MaxRows: o.MaxRows, CheckpointEvery: o.Every, Version: version(),
			LabelColumns: o.Data.LabelColumns, DropMissing: o.Data.DropMissing, Derive: o.Data.Derive})
		if err != nil {
			return &UsageError{Err: err}
		}
		if !o.Quiet {
			info := run.Info()
			fmt.Fprintf(ios.ErrOut, "training a %s DIM encoder on %s: %d rows, %d epochs of %d steps, batch %d, seed %d → %s\n",
				cfg.Encoder, o.Data.Spec, info.Data.Rows, info.Epochs, info.StepsPerEpoch, cfg.Batch, cfg.Seed, o.Out)
		}
	}
	defer run.Close()
	if o.InitOnly {
		if err := run.SaveInitial(); err != nil {
			return err
		}
		if !o.Quiet {
			fmt.Fprintf(ios.ErrOut, "saved the untrained encoder in %s\n", filepath.Join(o.Out, infomax.EncoderFile))
		}
		return nil
	}
	bar := newTrainProgress(ios.ErrOut, run.TotalSteps(), run.Trainer().Steps(), o.Quiet)
	err := run.Train(ctx, bar.report)
	bar.finish()
	info := run.Info()
	switch {
	case err == nil:
		if !o.Quiet {
			fmt.Fprintf(ios.ErrOut, "done: %d steps; encoder in %s\n", info.Step, filepath.Join(o.Out, infomax.EncoderFile))
		}
		return nil
	case ctx.Err() != nil && info.Status == infomax.StatusInterrupted:
		fmt.Fprintf(ios.ErrOut, "interrupted at step %d of %d; checkpoint saved. Resume with:\n  miaudit train --out %s --resume\n", info.Step, run.TotalSteps(), o.Out)
		return &interruptedError{}
	}
	return err
}

// interruptedError ends a command stopped by Ctrl-C after it saved its
// work: exit status ExitInterrupted, nothing more to print.
type interruptedError struct{}

func (*interruptedError) Error() string { return "interrupted" }

// trainProgress shows training progress on a terminal with a progress bar
// (steps/s, ETA and the DIM estimate), elsewhere with a line every 5 %.
type trainProgress struct {
	w         io.Writer
	bar       *progressbar.ProgressBar
	quiet     bool
	total     int64
	lastLine  int64
	lastPrint time.Time
}

func newTrainProgress(w io.Writer, total, done int64, quiet bool) *trainProgress {
	p := &trainProgress{w: w, quiet: quiet, total: total, lastLine: done, lastPrint: time.Now()}
	if quiet {
		return p
	}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		_ = p.bar.Set64(done)
	}
	return p
}

func (p *trainProgress) report(pr infomax.Progress) {
	if p.quiet {
		return
	}
	est := pr.Stats.Local
	if math.IsNaN(est) {
		est = pr.Stats.Global
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("epoch %d/%d  DIM %.3f", pr.Epoch, pr.Epochs, est))
		_ = p.bar.Set64(pr.Step)
		return
	}
	if pr.Step == p.total || pr.Step-p.lastLine >= max(p.total/20, 1) || time.Since(p.lastPrint) > 30*time.Second {
		rate := float64(pr.Step-p.lastLine) / time.Since(p.lastPrint).Seconds()
		eta := time.Duration(float64(p.total-pr.Step) / rate * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(p.w, "[%6.1fs] step %d/%d  epoch %d/%d  loss %.4f  DIM %.4f  %.2f steps/s  ETA %v\n",
			pr.Elapsed.Seconds(), pr.Step, p.total, pr.Epoch, pr.Epochs, pr.Stats.Loss, est, rate, eta)
		p.lastLine, p.lastPrint = pr.Step, time.Now()
	}
}

func (p *trainProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// adversarialRun trains one run per λ against adversary heads on the
// protected attributes, audits each with fresh attackers and prints the
// audit (one λ) or the comparison (several).
func adversarialRun(ctx context.Context, o *TrainOptions) error {
	ios := o.IO
	lambdas, err := parseLambdas(o.Lambdas)
	if err != nil {
		return err
	}
	d, err := o.Data.load(o.Seed, nil)
	if err != nil {
		return err
	}
	for _, n := range d.Notes {
		fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
	}
	cfg, err := o.config(d.Shape)
	if err != nil {
		return err
	}
	results := map[float64][]*settingResult{}
	for _, l := range lambdas {
		dir := o.Out
		if len(lambdas) > 1 {
			dir = filepath.Join(o.Out, fmt.Sprintf("lambda-%g", l))
		}
		if info, err := infomax.ReadRunInfo(dir); err == nil && len(info.Heads) == 0 {
			return usageErrorf("%s holds a run without adversary heads; choose another --out", dir)
		}
		r, err := trainSetting(ctx, ios, d, cfg, &o.Adv, o, setting{Lambda: l, Seed: o.Seed, Dir: dir})
		if err != nil {
			return err
		}
		results[l] = append(results[l], r)
	}
	if len(lambdas) > 1 {
		return writeComparison(ios.Out, o.Out, &o.Adv, lambdas, results)
	}
	r := results[lambdas[0]][0]
	if err := reports.Write(ios.Out, r.Audit, "table"); err != nil {
		return err
	}
	for i, p := range o.Adv.Protect {
		fmt.Fprintf(ios.Out, "training adversary (%s) on %s, mean of the last %d steps: %.3f nats — compare the fresh attackers above\n",
			orDefault(o.Adv.Adversary, minmax.DefaultAdversary), p, finalWindow, r.Adversary[i])
	}
	return nil
}

// parseAugment reads --augment: none, affine, or key=value pairs.
func parseAugment(v string) (infomax.Augment, error) {
	switch v {
	case "none":
		return infomax.Augment{}, nil
	case "affine":
		return infomax.AffineAugment, nil
	}
	var a infomax.Augment
	fields := map[string]*float64{"rotate": &a.Rotate, "shear": &a.Shear, "scale": &a.Scale, "shift": &a.Shift, "ink": &a.Ink, "stroke": &a.Stroke}
	for _, kv := range strings.Split(v, ",") {
		switch kv {
		case "both":
			a.Both = true
			continue
		case "affine": // the six values; a "both" already read stays
			both := a.Both
			a, a.Both = infomax.AffineAugment, both
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		p := fields[k]
		if !ok || p == nil {
			return a, usageErrorf("--augment %q: want none, affine or key=value pairs of rotate, shear, scale, shift, ink, stroke, and both", v)
		}
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return a, usageErrorf("--augment %q: %s %q is not a number", v, k, val)
		}
		*p = f
	}
	if err := a.Validate(); err != nil {
		return a, usageErrorf("--augment %q: %v", v, strings.TrimPrefix(err.Error(), "infomax: "))
	}
	return a, nil
}
